"""Small checks shared by the namespace modules (control plane, before dispatch)."""

from __future__ import annotations

import operator

from . import _dtypes
from ._array import Array
from ._errors import HalTypeError, HalValueError


def as_array(x, op: str) -> Array:
    if x.__class__ is not Array:
        raise HalTypeError(f"{op}: expected a hal Array, got {type(x).__name__}; convert "
                           f"it with hal.asarray(...)")
    return x


def as_shape(shape, op: str) -> tuple[int, ...]:
    # the common spellings (an int, a tuple of ints) in a few comparisons
    if shape.__class__ is int and shape >= 0:
        return (shape,)
    if shape.__class__ is tuple:
        for s in shape:
            if s.__class__ is not int or s < 0:
                break
        else:
            return shape
    if isinstance(shape, int) or hasattr(shape, "__index__") and not isinstance(shape, tuple):
        shape = (shape,)
    try:
        result = tuple(operator.index(s) for s in shape)
    except TypeError:
        raise HalTypeError(f"{op}: shape must be an int or a tuple of ints, got "
                           f"{shape!r}") from None
    if any(s < 0 for s in result):
        raise HalValueError(f"{op}: negative dimension in shape {result}")
    return result


def as_int(value, op: str, what: str) -> int:
    """``value`` as an int (anything with ``__index__``), or a HalTypeError naming it."""
    try:
        return operator.index(value)
    except TypeError:
        raise HalTypeError(f"{op}: {what} must be an int, got "
                           f"{type(value).__name__}") from None


def as_ints(values, op: str, what: str) -> tuple[int, ...]:
    """A tuple (or list) of ints as a tuple, or a HalTypeError naming what was given."""
    if not isinstance(values, (tuple, list)):
        raise HalTypeError(f"{op}: {what} must be a tuple of ints, got "
                           f"{type(values).__name__}")
    for v in values:
        if v.__class__ is not int:
            return tuple(as_int(v, op, what) for v in values)
    return values if values.__class__ is tuple else tuple(values)


def as_axis(axis, ndim: int, op: str) -> int:
    try:
        axis = operator.index(axis)
    except TypeError:
        raise HalTypeError(f"{op}: axis must be an int, got {type(axis).__name__}") from None
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise HalValueError(f"{op}: axis {axis} is out of range for a {ndim}-D array "
                            f"(valid: {-ndim}..{ndim - 1})")
    return axis % ndim if ndim else 0


def as_axes(axis, ndim: int, op: str):
    """None, an int or a tuple of ints -> None or a tuple of normalized, unique axes."""
    if axis is None:
        return None
    if isinstance(axis, tuple):
        axes = tuple(as_axis(a, ndim, op) for a in axis)
        if len(set(axes)) != len(axes):
            raise HalValueError(f"{op}: repeated axis in {axis}")
        return axes
    return (as_axis(axis, ndim, op),)


def dtype_arg(dtype, op: str):
    return None if dtype is None else _dtypes.as_dtype(dtype, op)


def require_kind(x: Array, kinds: str, op: str, what: str) -> None:
    if x._p.dtype.kind not in kinds:
        raise HalTypeError(f"{op}: {x._p.dtype} input on {x._p.device} is not supported; "
                           f"{op} needs {what}")
