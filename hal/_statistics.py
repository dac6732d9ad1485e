"""Statistical and utility functions: reductions, cumulative ops, ``diff``, ``clip``."""

from __future__ import annotations

from . import _dtypes
from ._array import Array, call_placed
from ._dispatch import call, common_device, op
from ._elementwise import host_scalar_beside
from ._errors import HalTypeError, HalValueError
from ._helpers import as_array, as_axes, as_axis, as_int, dtype_arg, require_kind
from ._manipulation import astype

__all__ = ["cumulative_prod", "cumulative_sum", "max", "mean", "min", "prod", "std", "sum",
           "var", "all", "any", "diff", "clip"]


#: ops whose result keeps the input's placement (sum/prod when no dtype widens)
_OPS = {name: op(name) for name in ("sum", "prod", "max", "min", "mean")}


def _accumulation_dtype(x: Array, dtype, op: str):
    """The standard's result dtype of sum/prod/cumulative_*: integers widen."""
    if dtype is not None:
        return dtype_arg(dtype, op)
    d, device = x._p.dtype, x._p.device
    if d.kind in "bi":
        return device.default_int if d.itemsize <= device.default_int.itemsize or \
            d.kind == "b" else d
    if d.kind == "u":
        return _dtypes.uint64 if device.default_int is _dtypes.int64 else _dtypes.uint32
    return d


def _sum_like(op, x, axis, dtype, keepdims):
    x = as_array(x, op)
    require_kind(x, "biufc", op, "a numeric dtype")
    out = _accumulation_dtype(x, dtype, op)
    axis = as_axes(axis, x.ndim, op)
    if out is x._p.dtype:  # floating data: the result keeps x's placement
        return call_placed(_OPS[op], x._p, x._native, axis=axis, dtype=out,
                           keepdims=keepdims)
    return call(op, x._p.device, (x._p.dtype,), x._native, axis=axis, dtype=out,
                keepdims=keepdims)


def sum(x, /, *, axis=None, dtype=None, keepdims=False) -> Array:
    return _sum_like("sum", x, axis, dtype, keepdims)


def prod(x, /, *, axis=None, dtype=None, keepdims=False) -> Array:
    return _sum_like("prod", x, axis, dtype, keepdims)


def _cumulative(op, x, axis, dtype, include_initial):
    x = as_array(x, op)
    require_kind(x, "biufc", op, "a numeric dtype")
    if axis is None:
        if x.ndim > 1:
            raise HalValueError(f"{op}: axis is required for a {x.ndim}-D array")
        axis = 0
    if x.ndim == 0:
        raise HalValueError(f"{op}: 0-D arrays are not allowed")
    axis = as_axis(axis, x.ndim, op)
    out = _accumulation_dtype(x, dtype, op)
    return call(op, x._p.device, (x._p.dtype,), x._native, axis=axis, dtype=out,
                include_initial=include_initial)


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False) -> Array:
    return _cumulative("cumulative_sum", x, axis, dtype, include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False) -> Array:
    return _cumulative("cumulative_prod", x, axis, dtype, include_initial)


def _extreme(op, x, axis, keepdims):
    x = as_array(x, op)
    require_kind(x, "biuf", op, "a real numeric dtype")
    axis = as_axes(axis, x.ndim, op)
    # builtins_any: this module's own ``any`` (the standard's) shadows the builtin
    if x.size == 0 and (axis is None or builtins_any(x.shape[a] == 0 for a in axis)):
        raise HalValueError(f"{op}: the reduction has no identity; the array (shape "
                            f"{x.shape}) is empty along the reduced axes")
    return call_placed(_OPS[op], x._p, x._native, axis=axis, keepdims=keepdims)


def max(x, /, *, axis=None, keepdims=False) -> Array:
    return _extreme("max", x, axis, keepdims)


def min(x, /, *, axis=None, keepdims=False) -> Array:
    return _extreme("min", x, axis, keepdims)


def _floating(op, x, kinds="iufc"):
    x = as_array(x, op)
    require_kind(x, kinds, op, "a floating dtype (integers compute in the default "
                 "floating dtype)")
    if x._p.dtype.kind in "iu":
        x = astype(x, x._p.device.default_float)
    return x


def mean(x, /, *, axis=None, keepdims=False) -> Array:
    x = _floating("mean", x)
    axis = as_axes(axis, x.ndim, "mean")
    return call_placed(_OPS["mean"], x._p, x._native, axis=axis, keepdims=keepdims)


def _moment(op, x, axis, correction, keepdims):
    x = _floating(op, x, "iuf")
    axis = as_axes(axis, x.ndim, op)
    return call(op, x._p.device, (x._p.dtype,), x._native, axis=axis,
                correction=correction, keepdims=keepdims)


def var(x, /, *, axis=None, correction=0.0, keepdims=False) -> Array:
    return _moment("var", x, axis, correction, keepdims)


def std(x, /, *, axis=None, correction=0.0, keepdims=False) -> Array:
    return _moment("std", x, axis, correction, keepdims)


def _truth(op, x, axis, keepdims):
    x = as_array(x, op)
    axis = as_axes(axis, x.ndim, op)
    return call(op, x._p.device, (x._p.dtype,), x._native, axis=axis, keepdims=keepdims)


def all(x, /, *, axis=None, keepdims=False) -> Array:
    return _truth("all", x, axis, keepdims)


def any(x, /, *, axis=None, keepdims=False) -> Array:
    return _truth("any", x, axis, keepdims)


def diff(x, /, *, axis=-1, n=1, prepend=None, append=None) -> Array:
    x = as_array(x, "diff")
    if x.ndim == 0:
        raise HalValueError("diff: 0-D arrays are not allowed")
    n = as_int(n, "diff", "n")
    if n < 0:
        raise HalValueError(f"diff: n must be non-negative, got {n}")
    axis = as_axis(axis, x.ndim, "diff")
    extra = [as_array(a, "diff") for a in (prepend, append) if a is not None]
    # past the length along axis every further difference is of an empty array: stop
    # there (NumPy would loop n times, which hangs for a huge n)
    length = 0  # (``sum`` here is hal's)
    for a in (x, *extra):
        length += a.shape[axis] if a.ndim == x.ndim else 1
    n = builtins_min(n, length)
    common_device("diff", [x, *extra])
    dtype = x._p.dtype
    for a in extra:
        dtype = _dtypes.promote(dtype, a._p.dtype, "diff")
    if dtype is _dtypes.bool:
        raise HalTypeError("diff: bool arrays are not supported; use "
                           "not_equal(x[1:], x[:-1])")

    def native(a):
        return None if a is None else astype(a, dtype, copy=False)._native
    kwargs = {}
    if prepend is not None:
        kwargs["prepend"] = native(prepend)
    if append is not None:
        kwargs["append"] = native(append)
    return call("diff", x._p.device, (dtype,), astype(x, dtype, copy=False)._native,
                axis=axis, n=n, **kwargs)


def clip(x, /, min=None, max=None) -> Array:
    x = as_array(x, "clip")
    require_kind(x, "biuf", "clip", "a real numeric dtype")
    dtype = x._p.dtype

    def bound(v, name):
        if v is None:
            return None
        v = host_scalar_beside(v, x._p.device)
        if v.__class__ is Array:
            common_device("clip", [x, v])
            if v._p.dtype.kind not in "biuf":
                raise HalTypeError(f"clip: {name} must be real, got {v._p.dtype}")
            return astype(v, dtype, copy=False)._native if v._p.dtype is not dtype else v._native
        if not isinstance(v, (bool, int, float)):
            raise HalTypeError(f"clip: {name} must be a real Python scalar or a hal Array, "
                               f"got {type(v).__name__}")
        if isinstance(v, float) and dtype.kind in "biu":
            raise HalTypeError(f"clip: a float {name} with an integer array; cast x first")
        if dtype.kind in "iu":
            info = _dtypes.iinfo(dtype)
            v = builtins_max(info.min, builtins_min(info.max, v))
        return v
    return call("clip", x._p.device, (dtype,), x._native, bound(min, "min"),
                bound(max, "max"))


import builtins as _builtins  # noqa: E402  (after the functions that shadow max/min)

builtins_max = _builtins.max
builtins_min = _builtins.min
builtins_any = _builtins.any
