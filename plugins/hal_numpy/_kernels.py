"""The NumPy backend's kernels: one per op of hal's op table.

NumPy 2 follows the Array API standard for almost every function, so most kernels
*are* NumPy functions.  The adapters below cover what differs: hal passes ``hal``
dtypes (``.numpy`` is NumPy's), device indices instead of devices, and a few
functions have no direct NumPy spelling (descending stable sort, ``unique_*`` result
shapes, ``setitem`` on 0-D results).
"""

from __future__ import annotations

import operator

import numpy as np

import hal

from . import _standard

_ndarray = np.ndarray

# -- elementwise: NumPy's ufuncs, exactly -----------------------------------------

_UFUNC_NAMES = {
    # hal op name -> NumPy name where they differ
    "bitwise_invert": "invert",
}


def _elementwise(name):
    return getattr(np, _UFUNC_NAMES.get(name, name))


# -- integer ops where NumPy's answer is not hal's table ---------------------------
# (README: "Behaviour the standard leaves to the implementation"; every device agrees)

def int_floor_divide(x1, x2):
    # NumPy already gives 0 for x // 0 and wraps INT_MIN // -1; only its warnings go
    with np.errstate(divide="ignore", over="ignore"):
        return np.floor_divide(x1, x2)


def int_remainder(x1, x2):
    with np.errstate(divide="ignore", over="ignore"):
        return np.remainder(x1, x2)


def int_pow(x1, x2):
    """``x1 ** x2`` for integers; a negative exponent in an array gives 1 for x == 1,
    (-1)**n for x == -1 and 0 otherwise, as PyTorch does (NumPy raises; refusing would
    need a look at the data, a device sync elsewhere).  A negative Python int exponent
    never gets here: hal's core refuses it before dispatch."""
    try:
        return np.power(x1, x2)
    except ValueError:  # NumPy: "Integers to negative integer powers are not allowed"
        pass
    negative = np.less(x2, 0)
    result = np.power(x1, np.where(negative, 0, x2))
    odd = np.bitwise_and(x2, 1) != 0
    special = np.where(np.equal(x1, 1), 1, np.where(np.equal(x1, -1),
                                                    np.where(odd, -1, 1), 0))
    return np.where(negative, special, result).astype(result.dtype, copy=False)


# -- creation ---------------------------------------------------------------------

def arange(start, stop, step, *, dtype, device):
    return np.arange(start, stop, step, dtype=dtype.numpy)


def empty(shape, *, dtype, device):
    return np.empty(shape, dtype=dtype.numpy)


def zeros(shape, *, dtype, device):
    return np.zeros(shape, dtype=dtype.numpy)


def ones(shape, *, dtype, device):
    return np.ones(shape, dtype=dtype.numpy)


def full(shape, fill_value, *, dtype, device):
    return np.full(shape, fill_value, dtype=dtype.numpy)


def eye(n_rows, n_cols, *, k, dtype, device):
    return np.eye(n_rows, n_cols, k=k, dtype=dtype.numpy)


def linspace(start, stop, num, *, dtype, device, endpoint):
    return np.linspace(start, stop, num, dtype=dtype.numpy, endpoint=endpoint)


def meshgrid(*arrays, indexing):
    return tuple(np.meshgrid(*arrays, indexing=indexing))


def astype(x, dtype, *, copy=True):
    if dtype.kind in "iu" and x.dtype.kind == "f":
        return saturating_cast(x, dtype.numpy)
    return x.astype(dtype.numpy, copy=copy)


def _float_bounds(target):
    """(low, high, max, min) for a floating cast to integer ``target``: values in
    (low, high) (``[low, high)`` for signed) truncate into range.  The bounds are
    powers of two (or -1), exact as floats."""
    info = np.iinfo(target)
    low = -1.0 if info.min == 0 else float(info.min)
    return low, float(info.max) + 1.0, info.max, info.min


_FLOAT_BOUNDS = {np.dtype(t): _float_bounds(t) for t in
                 (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                  np.uint64)}


def saturating_cast(x, target):
    """Floating ``x`` to integer ``target`` as OpenCL's ``convert_<type>_sat``: NaN
    gives 0, values beyond the range (and infinities) the nearest bound, everything
    else truncates toward zero.  NumPy's own cast leaves those to the CPU (INT_MIN
    on x86, with a warning); hal's table makes every device give the same.

    In-range data (the common case) costs a min and a max over ``x`` more than
    NumPy's cast; the CPU's "invalid" flag cannot replace them (NumPy's casts to
    int8 or from 2**63 to uint64 do not raise it)."""
    x = np.asarray(x)
    low, high, top, bottom = _FLOAT_BOUNDS[np.dtype(target)]
    if x.size == 0:
        return x.astype(target)
    # compared as Python floats (exact): float16 would round the bounds to infinity
    smallest, largest = float(x.min()), float(x.max())  # NaN: both NaN, not in range
    if (smallest > low if bottom == 0 else smallest >= low) and largest < high:
        return x.astype(target)
    if x.dtype.itemsize < 4:
        x = x.astype(np.float32)  # holds every integer bound exactly
    with np.errstate(invalid="ignore"):
        out = x.astype(target)
    out[x >= high] = top
    out[(x <= low) if bottom == 0 else (x < low)] = bottom
    out[np.isnan(x)] = 0
    return out


# -- indexing ---------------------------------------------------------------------

#: basic indexing: ``x[key]`` itself, with no Python frame in between
getitem = operator.getitem


def setitem(x, key, value):
    if not isinstance(x, np.ndarray):  # a 0-D result NumPy returned as a scalar
        x = np.array(x)
    x[key] = value
    return x


# -- manipulation -----------------------------------------------------------------

def broadcast_arrays(*arrays):
    return tuple(np.broadcast_arrays(*arrays))


def concat(arrays, *, axis):
    if axis is None:
        return np.concatenate([np.ravel(a) for a in arrays])
    return np.concatenate(arrays, axis=axis)


def stack(arrays, *, axis):
    return np.stack(arrays, axis=axis)


def unstack(x, *, axis):
    return tuple(np.unstack(x, axis=axis))


def reshape(x, shape, *, copy):
    if x.__class__ is _ndarray:  # np.reshape's Python layer costs more than this
        if copy is None:  # (a copy= keyword costs ndarray.reshape 0.3 us more)
            return x.reshape(shape)
        return x.reshape(shape, copy=copy)
    return np.reshape(x, shape, copy=copy)


def squeeze(x, *, axis):
    return np.squeeze(x, axis=axis)


def repeat(x, repeats, *, axis):
    return np.repeat(x, repeats, axis=axis)


# -- sorting and searching ------------------------------------------------------------

def sort(x, *, axis, descending, stable):
    # Sorted integers and bools are the same whatever the order among equal
    # elements, so they take NumPy's default sort (SIMD quicksort: 5-12x faster than
    # its stable one on 10^6 int64 here); 1-D floats too, with the two runs whose
    # equal elements can differ (zeros of both signs, NaNs) put in their stable order.
    if stable and x.dtype.kind in "biu":
        stable = False
    elif stable and x.ndim == 1 and x.dtype.kind == "f" and x.__class__ is _ndarray \
            and x.shape[0] >= 4096:  # (below, the runs' checks cost more than they save)
        result = _stable_float_sort_1d(x)
        return result[::-1] if descending else result
    if x.__class__ is _ndarray:  # what np.sort does, without its Python layer
        result = x.copy(order="K")
        result.sort(axis, "stable" if stable else None)
    else:
        result = np.sort(x, axis=axis, kind="stable" if stable else None)
    return np.flip(result, axis=axis) if descending else result


def _stable_float_sort_1d(x):
    """A stable sort of 1-D float ``x`` by NumPy's faster unstable sort.  Elements
    that compare equal are bit-identical except zeros (+0.0 and -0.0) and NaNs (sign
    and payload); each of those sorts into one contiguous run (NaNs last), which is
    refilled with its elements in their original order and bits, as a stable sort
    leaves them."""
    result = x.copy()
    result.sort()
    n = result.shape[0]
    if n < 2:
        return result
    lo, hi = result.searchsorted(0.0, "left"), result.searchsorted(0.0, "right")
    if hi > lo:
        result[lo:hi] = x[x == 0]
    if result[n - 1] != result[n - 1]:  # NaNs present (they sort last)
        # refilled even when alone: the SIMD sort writes back a canonical NaN
        nans = np.isnan(x)
        result[n - int(np.count_nonzero(nans)):] = x[nans]
    return result


def argsort(x, *, axis, descending, stable):
    if not descending:
        return np.argsort(x, axis=axis, kind="stable" if stable else None)
    # A stable descending order: sort the reversed array ascending (stable), then
    # map the positions back, so equal elements keep their original order.
    n = x.shape[axis]
    reversed_order = np.argsort(np.flip(x, axis=axis), axis=axis, kind="stable")
    return np.flip(n - 1 - reversed_order, axis=axis)


def searchsorted(x1, x2, *, side, sorter):
    return np.searchsorted(x1, x2, side=side, sorter=sorter)


def nonzero(x):
    return tuple(np.nonzero(x))


def take(x, indices, *, axis):
    return np.take(x, indices, axis=axis)


def take_along_axis(x, indices, *, axis):
    return np.take_along_axis(x, indices, axis=axis)


def unique_all(x):
    r = np.unique_all(x)
    return (r.values, r.indices, r.inverse_indices, r.counts)


def unique_counts(x):
    r = np.unique_counts(x)
    return (r.values, r.counts)


def unique_inverse(x):
    r = np.unique_inverse(x)
    return (r.values, r.inverse_indices)


def unique_values(x):
    # NumPy >= 2.3 returns unique_values in hash order; sorted is what users (and
    # array-api-strict, and the other unique_* functions) give.  NaNs stay distinct.
    return np.unique(np.ravel(x), equal_nan=False)


def isin(x1, x2, *, invert):
    return np.isin(x1, x2, invert=invert)


# -- statistics ---------------------------------------------------------------------

# The reductions call the ufuncs' ``reduce`` directly: it is what np.sum, np.max ...
# run for an ndarray (or a NumPy scalar), without their Python layers (~1 us, more
# than the reduction itself on small arrays).  hal's core has already normalised
# ``axis`` to None or a tuple of ints and checked for empty max/min.
_add_reduce = np.add.reduce
_multiply_reduce = np.multiply.reduce
_maximum_reduce = np.maximum.reduce
_minimum_reduce = np.minimum.reduce
_intp = np.intp
_true_divide = np.true_divide


def sum_(x, *, axis, dtype, keepdims):
    return _add_reduce(x, axis, dtype.numpy, None, keepdims)


def prod(x, *, axis, dtype, keepdims):
    return _multiply_reduce(x, axis, dtype.numpy, None, keepdims)


def max_(x, *, axis, keepdims):
    return _maximum_reduce(x, axis, None, None, keepdims)


def min_(x, *, axis, keepdims):
    return _minimum_reduce(x, axis, None, None, keepdims)


def mean(x, *, axis, keepdims):
    """np.mean's own arithmetic (numpy/_core/_methods.py ``_mean``) for float32,
    float64 and complex data: the sum, then a division by the count as an intp."""
    if x.dtype.kind not in "fc" or x.dtype.itemsize < 4 or not x.size:
        # float16 sums in float32, integers in float64; an empty mean warns
        return np.mean(x, axis=axis, keepdims=keepdims)
    if axis is None:
        count = x.size
    else:
        count = 1
        shape = x.shape
        for a in axis:
            count *= shape[a]
    total = _add_reduce(x, axis, None, None, keepdims)
    if total.__class__ is _ndarray:
        return _true_divide(total, _intp(count), out=total, casting="unsafe")
    return total.dtype.type(total / _intp(count))


def cumulative_sum(x, *, axis, dtype, include_initial):
    return np.cumulative_sum(x, axis=axis, dtype=dtype.numpy, include_initial=include_initial)


def cumulative_prod(x, *, axis, dtype, include_initial):
    return np.cumulative_prod(x, axis=axis, dtype=dtype.numpy,
                              include_initial=include_initial)


def var(x, *, axis, correction, keepdims):
    return np.var(x, axis=axis, correction=correction, keepdims=keepdims)


def std(x, *, axis, correction, keepdims):
    return np.std(x, axis=axis, correction=correction, keepdims=keepdims)


def clip(x, min, max):
    if min is None and max is None:
        return np.array(x, copy=True)
    return np.clip(x, min, max)


# -- linear algebra -----------------------------------------------------------------

def eigh(x):
    r = np.linalg.eigh(x)
    return (r.eigenvalues, r.eigenvectors)


# NumPy's eig/eigvals give a real result when every eigenvalue is real; the standard
# (2025.12) always gives the complex dtype of x's precision
_COMPLEX_OF = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128,
               np.dtype(np.complex64): np.complex64, np.dtype(np.complex128): np.complex128}


def eig(x):
    r = np.linalg.eig(x)
    to = _COMPLEX_OF[x.dtype]
    return (r.eigenvalues.astype(to, copy=False), r.eigenvectors.astype(to, copy=False))


def eigvals(x):
    return np.linalg.eigvals(x).astype(_COMPLEX_OF[x.dtype], copy=False)


def qr(x, *, mode):
    r = np.linalg.qr(x, mode=mode)
    return (r.Q, r.R)


def slogdet(x):
    r = np.linalg.slogdet(x)
    return (r.sign, r.logabsdet)


def svd(x, *, full_matrices):
    r = np.linalg.svd(x, full_matrices=full_matrices)
    return (r.U, r.S, r.Vh)


def trace(x, *, offset, dtype):
    return np.linalg.trace(x, offset=offset, dtype=None if dtype is None else dtype.numpy)


def vector_norm(x, *, axis, keepdims, ord):
    return np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)


def fftfreq(n, *, d, dtype, device):
    return np.fft.fftfreq(n, d=d).astype(dtype.numpy, copy=False)


def rfftfreq(n, *, d, dtype, device):
    return np.fft.rfftfreq(n, d=d).astype(dtype.numpy, copy=False)


def register(registry) -> None:
    """Register every op of hal's op table (the NumPy backend covers them all)."""
    for spec in hal.op_table().values():
        if spec.kind in ("unary", "binary"):
            registry.register(spec.name, _elementwise(spec.name), promotes=True,
                              name=f"numpy.{_UFUNC_NAMES.get(spec.name, spec.name)}")

    for name, fn in (("floor_divide", int_floor_divide), ("remainder", int_remainder),
                     ("pow", int_pow)):
        registry.register(name, fn, dtypes=[d for d in hal.all_dtypes() if d.kind in "iu"],
                          promotes=True, priority=1, name=f"numpy.{fn.__name__}")
    # where NumPy's special values are not the standard's, hal follows the standard
    for name, fn, dtypes in (("floor_divide", _standard.floor_divide, "f"),
                             ("expm1", _standard.expm1, "c"), ("tanh", _standard.tanh, "c"),
                             ("tan", _standard.tan, "c"),
                             ("nextafter", _standard.nextafter, ("float16",))):
        registry.register(name, fn, dtypes=[d for d in hal.all_dtypes() if d.kind in dtypes
                                            or d.name in dtypes],
                          promotes=True, priority=1, name=f"hal.{name} (the standard's "
                          f"special values)")

    local = {
        "arange": arange, "empty": empty, "zeros": zeros, "ones": ones, "full": full,
        "eye": eye, "linspace": linspace, "meshgrid": meshgrid,
        "tril": np.tril, "triu": np.triu, "astype": astype,
        "getitem": getitem, "setitem": setitem,
        "getitem_advanced": getitem, "setitem_advanced": setitem,
        "broadcast_arrays": broadcast_arrays, "broadcast_to": np.broadcast_to,
        "concat": concat, "expand_dims": np.expand_dims, "flip": np.flip,
        "moveaxis": np.moveaxis, "permute_dims": np.permute_dims, "repeat": repeat,
        "reshape": reshape, "roll": np.roll, "squeeze": squeeze, "stack": stack,
        "tile": np.tile, "unstack": unstack,
        "argmax": np.argmax, "argmin": np.argmin, "count_nonzero": np.count_nonzero,
        "nonzero": nonzero, "searchsorted": searchsorted, "where": np.where,
        "unique_all": unique_all, "unique_counts": unique_counts,
        "unique_inverse": unique_inverse, "unique_values": unique_values,
        "isin": isin, "argsort": argsort, "sort": sort, "take": take,
        "take_along_axis": take_along_axis,
        "cumulative_prod": cumulative_prod, "cumulative_sum": cumulative_sum,
        "max": max_, "min": min_, "mean": mean, "prod": prod, "std": std,
        "sum": sum_, "var": var, "all": np.all, "any": np.any, "diff": np.diff,
        "clip": clip,
        "matmul": np.matmul, "matrix_transpose": np.matrix_transpose,
        "tensordot": np.tensordot, "vecdot": np.vecdot,
    }
    for op, fn in local.items():
        registry.register(op, fn, name=f"numpy.{getattr(fn, '__name__', op).rstrip('_')}")

    linalg = {name: getattr(np.linalg, name) for name in (
        "cholesky", "cross", "det", "diagonal", "eigvalsh", "inv", "matmul",
        "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "outer",
        "pinv", "solve", "svdvals", "tensordot", "vecdot")}
    linalg.update({"eig": eig, "eigvals": eigvals, "eigh": eigh, "qr": qr, "slogdet": slogdet, "svd": svd,
                   "trace": trace, "vector_norm": vector_norm})
    for op, fn in linalg.items():
        registry.register(f"linalg.{op}", fn, name=f"numpy.linalg.{op}")

    fft = {name: getattr(np.fft, name) for name in (
        "fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft",
        "ihfft", "fftshift", "ifftshift")}
    fft.update({"fftfreq": fftfreq, "rfftfreq": rfftfreq})
    for op, fn in fft.items():
        registry.register(f"fft.{op}", fn, name=f"numpy.fft.{op}")
