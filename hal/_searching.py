"""Searching, sorting, set and indexing functions."""

from __future__ import annotations

from typing import NamedTuple

from . import _dtypes
from ._array import Array, call_placed
from ._dispatch import call, common_device, op
from ._errors import HalTypeError, HalValueError
from ._helpers import as_array, as_axis, require_kind
from ._manipulation import astype

__all__ = ["argmax", "argmin", "count_nonzero", "nonzero", "searchsorted", "where",
           "unique_all", "unique_counts", "unique_inverse", "unique_values", "isin",
           "argsort", "sort", "take", "take_along_axis",
           "UniqueAllResult", "UniqueCountsResult", "UniqueInverseResult"]


class UniqueAllResult(NamedTuple):
    values: Array
    indices: Array
    inverse_indices: Array
    counts: Array


class UniqueCountsResult(NamedTuple):
    values: Array
    counts: Array


class UniqueInverseResult(NamedTuple):
    values: Array
    inverse_indices: Array


_WHERE, _SORT, _TAKE = op("where"), op("sort"), op("take")


def _arg_reduce(op, x, axis, keepdims):
    x = as_array(x, op)
    require_kind(x, "biuf", op, "a real numeric dtype")
    if x.size == 0:
        raise HalValueError(f"{op}: attempt to get {op} of an empty array")
    if axis is not None:
        axis = as_axis(axis, x.ndim, op)
    return call(op, x._p.device, (x._p.dtype,), x._native, axis=axis, keepdims=keepdims)


def argmax(x, /, *, axis=None, keepdims=False) -> Array:
    return _arg_reduce("argmax", x, axis, keepdims)


def argmin(x, /, *, axis=None, keepdims=False) -> Array:
    return _arg_reduce("argmin", x, axis, keepdims)


def count_nonzero(x, /, *, axis=None, keepdims=False) -> Array:
    from ._helpers import as_axes
    x = as_array(x, "count_nonzero")
    axis = as_axes(axis, x.ndim, "count_nonzero")
    return call("count_nonzero", x._p.device, (x._p.dtype,), x._native, axis=axis,
                keepdims=keepdims)


def nonzero(x, /) -> tuple[Array, ...]:
    x = as_array(x, "nonzero")
    if x.ndim == 0:
        raise HalValueError("nonzero: 0-D arrays are not allowed; use expand_dims first")
    return tuple(call("nonzero", x._p.device, (x._p.dtype,), x._native))


def searchsorted(x1, x2, /, *, side="left", sorter=None) -> Array:
    x1 = as_array(x1, "searchsorted")
    if x1.ndim != 1:
        raise HalValueError(f"searchsorted: x1 must be 1-D, got {x1.ndim}-D")
    if not isinstance(side, str) or side not in ("left", "right"):
        raise HalValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    if x2.__class__ is not Array:
        # A Python scalar is weak, as in the elementwise ops: 1.5 with an int64 x1
        # searches in the default float dtype (casting it to int64 would find 1).
        from ._creation import asarray
        from ._elementwise import _scalar_type
        kind, device = _scalar_type(x2), x1._p.device
        dtype = None if kind is None else _dtypes.scalar_result(
            x1._p.dtype, kind, device.default_float, device.default_int)
        x2 = asarray(x2, dtype=dtype, device=device)  # (sequences: their own dtype)
    arrays = [x1, x2] + ([as_array(sorter, "searchsorted")] if sorter is not None else [])
    device = common_device("searchsorted", arrays)
    require_kind(x1, "biuf", "searchsorted", "a real numeric dtype")
    dtype = _dtypes.promote(x1._p.dtype, x2._p.dtype, "searchsorted")
    x1, x2 = astype(x1, dtype, copy=False), astype(x2, dtype, copy=False)
    return call("searchsorted", device, (dtype,), x1._native, x2._native, side=side,
                sorter=None if sorter is None else sorter._native)


def where(condition, x1, x2, /) -> Array:
    if condition.__class__ is Array and x1.__class__ is Array and x2.__class__ is Array:
        # the common case, checked in a few comparisons: both branches already of one
        # dtype on the condition's device (no promotion, no casts)
        p = x1._p
        if x2._p is p and condition._p.dtype is _dtypes.bool and \
                condition._p.device is p.device:
            return call_placed(_WHERE, p, condition._native, x1._native, x2._native)
    from ._elementwise import _scalar_type, host_scalar_beside
    condition = as_array(condition, "where")
    if condition._p.dtype is not _dtypes.bool:
        raise HalTypeError(f"where: condition must be bool, got {condition._p.dtype}")
    device = condition._p.device
    x1, x2 = host_scalar_beside(x1, device), host_scalar_beside(x2, device)
    arrays = [a for a in (x1, x2) if a.__class__ is Array]
    common_device("where", [condition, *arrays])
    for v in (x1, x2):
        if v.__class__ is not Array and _scalar_type(v) is None:
            raise HalTypeError(f"where: {type(v).__name__} is neither a hal Array nor a "
                               f"Python scalar")
    if len(arrays) == 2:
        dtype = _dtypes.promote(x1._p.dtype, x2._p.dtype, "where")
    elif len(arrays) == 1:
        scalar = x2 if x1.__class__ is Array else x1
        dtype = _dtypes.scalar_result(arrays[0]._p.dtype, _scalar_type(scalar),
                                      device.default_float, device.default_int)
    else:
        from ._creation import _scalar_default_dtype
        dtype = _dtypes.promote(_scalar_default_dtype(x1, device),
                                _scalar_default_dtype(x2, device), "where")

    def native(v):
        if v.__class__ is Array:
            return astype(v, dtype, copy=False)._native
        from ._creation import full
        return full((), _scalar_type(v)(v), dtype=dtype, device=device)._native
    return call("where", device, (dtype,), condition._native, native(x1), native(x2))


def _unique(op, x):
    x = as_array(x, op)
    return call(op, x._p.device, (x._p.dtype,), x._native)


def unique_all(x, /) -> UniqueAllResult:
    return UniqueAllResult(*_unique("unique_all", x))


def unique_counts(x, /) -> UniqueCountsResult:
    return UniqueCountsResult(*_unique("unique_counts", x))


def unique_inverse(x, /) -> UniqueInverseResult:
    return UniqueInverseResult(*_unique("unique_inverse", x))


def unique_values(x, /) -> Array:
    return _unique("unique_values", x)


def isin(x1, x2, /, *, invert=False) -> Array:
    # Either operand may be a Python scalar (2025.12), not both: it takes the other
    # operand's dtype as in the elementwise ops (weak typing), and a scalar x1 gives
    # a 0-D result.
    if x1.__class__ is not Array and x2.__class__ is Array:
        x1 = _weak_scalar("isin", x1, x2)
    x1 = as_array(x1, "isin")
    if x2.__class__ is not Array:
        if isinstance(x2, (list, tuple)):   # hal's extension: a sequence of values
            from ._creation import asarray
            x2 = asarray(x2, device=x1.device)
        else:
            x2 = _weak_scalar("isin", x2, x1)
    device = common_device("isin", [x1, x2])
    dtype = _dtypes.promote(x1._p.dtype, x2._p.dtype, "isin")
    return call("isin", device, (dtype,), astype(x1, dtype, copy=False)._native,
                astype(x2, dtype, copy=False)._native, invert=invert)


def _weak_scalar(op, value, other: Array) -> Array:
    """The Python scalar ``value`` as a 0-D array of the dtype it takes beside the
    array ``other`` (the standard's weak scalars), on ``other``'s device."""
    from ._creation import asarray
    from ._elementwise import _scalar_type
    kind, device = _scalar_type(value), other._p.device
    if kind is None:
        raise HalTypeError(f"{op}: expected a hal Array or a Python scalar, got "
                           f"{type(value).__name__}")
    dtype = _dtypes.scalar_result(other._p.dtype, kind, device.default_float,
                                  device.default_int)
    return asarray(value, dtype=dtype, device=device)


def _sorting(op, x, axis, descending, stable):
    x = as_array(x, op)
    require_kind(x, "biuf", op, "a real numeric dtype")
    if x.ndim == 0:
        raise HalValueError(f"{op}: 0-D arrays cannot be sorted")
    axis = as_axis(axis, x.ndim, op)
    if op == "sort":  # the sorted values keep x's placement
        return call_placed(_SORT, x._p, x._native, axis=axis, descending=descending,
                           stable=stable)
    return call(op, x._p.device, (x._p.dtype,), x._native, axis=axis,
                descending=descending, stable=stable)


def sort(x, /, *, axis=-1, descending=False, stable=True) -> Array:
    return _sorting("sort", x, axis, descending, stable)


def argsort(x, /, *, axis=-1, descending=False, stable=True) -> Array:
    return _sorting("argsort", x, axis, descending, stable)


def _index_arg(x, indices, op):
    indices = as_array(indices, op)
    common_device(op, [x, indices])
    if indices._p.dtype.kind not in "iu":
        raise HalTypeError(f"{op}: indices must be integers, got {indices._p.dtype}")
    return indices


def take(x, indices, /, *, axis=None) -> Array:
    x = as_array(x, "take")
    indices = _index_arg(x, indices, "take")
    if axis is None:
        if x.ndim != 1:
            raise HalValueError(f"take: axis is required for a {x.ndim}-D array")
        axis = 0
    axis = as_axis(axis, x.ndim, "take")
    return call_placed(_TAKE, x._p, x._native, indices._native, axis=axis)


def take_along_axis(x, indices, /, *, axis=-1) -> Array:
    x = as_array(x, "take_along_axis")
    indices = _index_arg(x, indices, "take_along_axis")
    if indices.ndim != x.ndim:
        raise HalValueError(f"take_along_axis: indices ({indices.ndim}-D) and x "
                            f"({x.ndim}-D) must have the same number of dimensions")
    axis = as_axis(axis, x.ndim, "take_along_axis")
    return call("take_along_axis", x._p.device, (x._p.dtype,), x._native, indices._native,
                axis=axis)
