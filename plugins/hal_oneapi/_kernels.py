"""The oneAPI backend's kernels: hal ops mapped onto dpnp.

dpnp 0.20 implements the Array API standard 2024.12 (``dpnp.__array_api_version__``)
with NumPy's spellings, so most kernels *are* dpnp functions (no wrapper, as in
array-api-compat).  The adapters below cover what differs from hal's calling
convention: hal passes hal dtypes (``.numpy`` is what dpnp takes), device *indices*
instead of devices (creation functions take the device's queue), and a few dpnp
results are named tuples or lists where hal expects plain tuples.

Every array a kernel creates goes on the device's one queue (``_queues``), so dpnp's
"compute follows data" keeps all later ops on that queue.
"""

from __future__ import annotations

from hal.toolkit import BINARY, UNARY

from . import _setup
from ._queues import queue

dpnp = _setup.dpnp()

#: ops the device runs on the host by design (declared in its capabilities, so
#: hal.explain and hal.trace show it): eigenvectors and singular vectors are unique
#: only up to sign (and rotation, for repeated eigenvalues), and oneMKL's choice is
#: not LAPACK's, so programs that compare with NumPy (scikit-learn's LDA, PCA) would
#: change sign.  hal's reference is NumPy's LAPACK.
#: dpnp 0.20's pinv is wrong for wide and for complex matrices (A @ pinv(A) @ A is
#: 1.5 A), so it runs on the host too.
#: dpnp 0.20 has no device eig/eigvals (oneMKL has no general eigensolver: dpnp's own
#: functions call NumPy), so they are host ops here too, said as such.
#: dpnp 0.20's batched inverse (inv of a stack, matrix_power with n < 0) checks
#: oneMKL's getrf status list before the host task that fills it has run: a stack of
#: invertible matrices is sometimes refused as "Singular matrix" (seen in a full suite
#: run, not in isolation), so inv and matrix_power run on the host too.
HOST_OPS = frozenset({"linalg.eigh", "linalg.svd", "linalg.pinv", "linalg.eig",
                      "linalg.eigvals", "linalg.inv", "linalg.matrix_power"})

#: dpnp functions that do not take every dtype the device holds: these dtypes take
#: the fallback policy's path (HAL_FALLBACK) instead.  float16 FFTs round the norm
#: differently from NumPy's (which scales in float16).
_NOT_FLOAT16 = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "float32", "float64", "complex64", "complex128")
_LIMITED = {f"fft.{n}": _NOT_FLOAT16 for n in (
    "fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft", "ihfft")}

_ELEMENTWISE_NAMES = {
    # hal op name -> dpnp name where they differ (none today; kept for symmetry with
    # the NumPy backend, so a rename in dpnp is a one-line change)
}


def _elementwise(name):
    return getattr(dpnp, _ELEMENTWISE_NAMES.get(name, name))


# -- creation: on the device's queue ------------------------------------------------------

def arange(start, stop, step, *, dtype, device):
    return dpnp.arange(start, stop, step, dtype=dtype.numpy, sycl_queue=queue(device))


def empty(shape, *, dtype, device):
    return dpnp.empty(shape, dtype=dtype.numpy, sycl_queue=queue(device))


def zeros(shape, *, dtype, device):
    return dpnp.zeros(shape, dtype=dtype.numpy, sycl_queue=queue(device))


def ones(shape, *, dtype, device):
    return dpnp.ones(shape, dtype=dtype.numpy, sycl_queue=queue(device))


def full(shape, fill_value, *, dtype, device):
    return dpnp.full(shape, fill_value, dtype=dtype.numpy, sycl_queue=queue(device))


def eye(n_rows, n_cols, *, k, dtype, device):
    return dpnp.eye(n_rows, n_cols, k=k, dtype=dtype.numpy, sycl_queue=queue(device))


def linspace(start, stop, num, *, dtype, device, endpoint):
    return dpnp.linspace(start, stop, num, dtype=dtype.numpy, endpoint=endpoint,
                         sycl_queue=queue(device))


def meshgrid(*arrays, indexing):
    return tuple(dpnp.meshgrid(*arrays, indexing=indexing))


def tril(x, *, k):
    return dpnp.tril(x, k=k)


def triu(x, *, k):
    return dpnp.triu(x, k=k)


def astype(x, dtype, *, copy=True):
    return dpnp.astype(x, dtype.numpy, copy=copy)


# -- indexing -------------------------------------------------------------------------------

def getitem(x, key):
    return x[key]


def setitem(x, key, value):
    x[key] = value
    return x


# dpnp wraps out-of-range index arrays around (its ``mode="wrap"``); the standard
# leaves them unspecified and hal raises IndexError, as NumPy does.  One reduction
# per index array (and one sync) is the price, paid by gathers and scatters only.

def _check_indices(indices, n: int, axis: int, op: str) -> None:
    if not indices.size:
        return
    # compared as int64: -n or n may not fit the index dtype (uint8, int8 ...)
    wide = indices.astype("int64", copy=False)
    if bool(dpnp.any((wide < -n) | (wide >= n))):
        raise IndexError(f"{op}: an index is out of bounds for axis {axis} with size {n}")


def _check_key(x, key, op: str) -> None:
    parts = key if isinstance(key, tuple) else (key,)

    def width(p):  # how many axes of ``x`` one key part consumes
        if p is None or p is Ellipsis:
            return 0
        if p.__class__ is dpnp.ndarray and p.dtype.kind == "b":
            return p.ndim
        return 1
    axis = 0
    for p in parts:
        if p is Ellipsis:
            axis += x.ndim - sum(width(q) for q in parts)
        elif p.__class__ is dpnp.ndarray and p.dtype.kind in "iu" and axis < x.ndim:
            _check_indices(p, x.shape[axis], axis, op)
        axis += width(p)


def getitem_advanced(x, key):
    _check_key(x, key, "__getitem__")
    return x[key]


def setitem_advanced(x, key, value):
    _check_key(x, key, "__setitem__")
    x[key] = value
    return x


# -- manipulation ---------------------------------------------------------------------------

def broadcast_arrays(*arrays):
    return tuple(dpnp.broadcast_arrays(*arrays))


def broadcast_to(x, shape):
    return dpnp.broadcast_to(x, shape)


def concat(arrays, *, axis):
    if axis is None:
        return dpnp.concat([dpnp.ravel(a) for a in arrays])
    return dpnp.concat(arrays, axis=axis)


def stack(arrays, *, axis):
    return dpnp.stack(arrays, axis=axis)


def unstack(x, *, axis):
    return tuple(dpnp.unstack(x, axis=axis))


def reshape(x, shape, *, copy):
    return dpnp.reshape(x, shape, copy=copy)


def squeeze(x, *, axis):
    return dpnp.squeeze(x, axis=axis)


def repeat(x, repeats, *, axis):
    return dpnp.repeat(x, repeats, axis=axis)


# -- sorting and searching --------------------------------------------------------------------

def sort(x, *, axis, descending, stable):
    return dpnp.sort(x, axis=axis, descending=descending, stable=stable)


def argsort(x, *, axis, descending, stable):
    return dpnp.argsort(x, axis=axis, descending=descending, stable=stable)


def searchsorted(x1, x2, *, side, sorter):
    return dpnp.searchsorted(x1, x2, side=side, sorter=sorter)


def nonzero(x):
    return tuple(dpnp.nonzero(x))


def take(x, indices, *, axis):
    n = x.shape[axis if axis is not None else 0] if x.ndim else 1
    _check_indices(indices, n, 0 if axis is None else axis, "take")
    return dpnp.take(x, indices, axis=axis)


def take_along_axis(x, indices, *, axis):
    _check_indices(indices, x.shape[axis], axis, "take_along_axis")
    return dpnp.take_along_axis(x, indices, axis=axis)


def unique_all(x):
    r = dpnp.unique_all(x)
    return (r.values, r.indices, r.inverse_indices, r.counts)


def unique_counts(x):
    r = dpnp.unique_counts(x)
    return (r.values, r.counts)


def unique_inverse(x):
    r = dpnp.unique_inverse(x)
    return (r.values, r.inverse_indices)


def unique_values(x):
    return dpnp.unique_values(x)


def isin(x1, x2, *, invert):
    return dpnp.isin(x1, x2, invert=invert)


# -- statistics -------------------------------------------------------------------------------

def sum_(x, *, axis, dtype, keepdims):
    return dpnp.sum(x, axis=axis, dtype=dtype.numpy, keepdims=keepdims)


def prod(x, *, axis, dtype, keepdims):
    return dpnp.prod(x, axis=axis, dtype=dtype.numpy, keepdims=keepdims)


def cumulative_sum(x, *, axis, dtype, include_initial):
    return dpnp.cumulative_sum(x, axis=axis, dtype=dtype.numpy,
                               include_initial=include_initial)


def cumulative_prod(x, *, axis, dtype, include_initial):
    return dpnp.cumulative_prod(x, axis=axis, dtype=dtype.numpy,
                                include_initial=include_initial)


def var(x, *, axis, correction, keepdims):
    return dpnp.var(x, axis=axis, correction=correction, keepdims=keepdims)


def std(x, *, axis, correction, keepdims):
    return dpnp.std(x, axis=axis, correction=correction, keepdims=keepdims)


def diff(x, *, axis=-1, n=1, prepend=None, append=None):
    # dpnp's diff gives a wrong shape when prepend/append make an empty axis longer
    # (dpnp 0.20): join them first, then difference
    if n == 0:
        return x  # NumPy's n=0: the input itself, prepend and append ignored
    if prepend is not None or append is not None:
        parts = [p for p in (prepend, x, append) if p is not None]
        x = dpnp.concat(parts, axis=axis)
    return dpnp.diff(x, n=n, axis=axis)


def clip(x, min, max):
    if min is None and max is None:
        return dpnp.copy(x)
    return dpnp.clip(x, min, max)


# -- linear algebra ---------------------------------------------------------------------------

def eigh(x):
    r = dpnp.linalg.eigh(x)
    return (r.eigenvalues, r.eigenvectors)


def qr(x, *, mode):
    r = dpnp.linalg.qr(x, mode=mode)
    return (r.Q, r.R)


def slogdet(x):
    r = dpnp.linalg.slogdet(x)
    return (r.sign, r.logabsdet)


def svd(x, *, full_matrices):
    r = dpnp.linalg.svd(x, full_matrices=full_matrices)
    return (r.U, r.S, r.Vh)


def trace(x, *, offset, dtype):
    return dpnp.linalg.trace(x, offset=offset, dtype=None if dtype is None else dtype.numpy)


def vector_norm(x, *, axis, keepdims, ord):
    if x.dtype.kind == "c":
        # dpnp returns a complex dtype for some complex inputs (an empty array with
        # ord=inf); the norm of |x| is the same number, always real
        x = dpnp.abs(x)
    return dpnp.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)


# -- float16 through float32 ----------------------------------------------------------------

def via_float32(fn):
    """``fn`` for float16 inputs: oneMKL has no half-precision BLAS or LAPACK, so compute
    in float32 and round floating results to float16 (what NumPy's linalg does)."""
    def run(*args, **kwargs):
        args = [a.astype("float32") if a.__class__ is dpnp.ndarray and a.dtype == "float16"
                else a for a in args]
        return _to_float16(fn(*args, **kwargs))
    run.__name__ = f"{getattr(fn, '__name__', 'op')}_via_float32"
    return run


def _to_float16(r):
    if r.__class__ is dpnp.ndarray:
        return r.astype("float16") if r.dtype == "float32" else r
    if isinstance(r, tuple):
        return tuple(_to_float16(x) for x in r)
    return r


#: ops whose dpnp implementation has no float16 (oneMKL): run through float32
_FLOAT16_VIA_FLOAT32 = (
    "matmul", "tensordot", "vecdot", "linalg.matmul", "linalg.tensordot", "linalg.vecdot",
    "linalg.cholesky", "linalg.det", "linalg.eigvalsh", "linalg.inv", "linalg.matrix_power",
    "linalg.matrix_rank", "linalg.pinv", "linalg.slogdet", "linalg.solve", "linalg.svdvals",
    "linalg.qr", "linalg.eigh", "linalg.svd", "linalg.matrix_norm", "linalg.outer")


def fftfreq(n, *, d, dtype, device):
    return dpnp.fft.fftfreq(n, d=d, dtype=dtype.numpy, sycl_queue=queue(device))


def rfftfreq(n, *, d, dtype, device):
    return dpnp.fft.rfftfreq(n, d=d, dtype=dtype.numpy, sycl_queue=queue(device))


def register(registry) -> None:
    """Register a dpnp kernel for every op of hal's op table."""
    for spec in UNARY + BINARY:
        name = _ELEMENTWISE_NAMES.get(spec.name, spec.name)
        registry.register(spec.name, _elementwise(spec.name), promotes=True,
                          name=f"dpnp.{name}")

    local = {
        "arange": arange, "empty": empty, "zeros": zeros, "ones": ones, "full": full,
        "eye": eye, "linspace": linspace, "meshgrid": meshgrid,
        "tril": tril, "triu": triu, "astype": astype,
        "getitem": getitem, "setitem": setitem,
        "getitem_advanced": getitem_advanced, "setitem_advanced": setitem_advanced,
        "broadcast_arrays": broadcast_arrays, "broadcast_to": broadcast_to,
        "concat": concat, "expand_dims": dpnp.expand_dims, "flip": dpnp.flip,
        "moveaxis": dpnp.moveaxis, "permute_dims": dpnp.permute_dims, "repeat": repeat,
        "reshape": reshape, "roll": dpnp.roll, "squeeze": squeeze, "stack": stack,
        "tile": dpnp.tile, "unstack": unstack,
        "argmax": dpnp.argmax, "argmin": dpnp.argmin, "count_nonzero": dpnp.count_nonzero,
        "nonzero": nonzero, "searchsorted": searchsorted, "where": dpnp.where,
        "unique_all": unique_all, "unique_counts": unique_counts,
        "unique_inverse": unique_inverse, "unique_values": unique_values,
        "isin": isin, "argsort": argsort, "sort": sort, "take": take,
        "take_along_axis": take_along_axis,
        "cumulative_prod": cumulative_prod, "cumulative_sum": cumulative_sum,
        "max": dpnp.max, "min": dpnp.min, "mean": dpnp.mean, "prod": prod, "std": std,
        "sum": sum_, "var": var, "all": dpnp.all, "any": dpnp.any, "diff": diff,
        "clip": clip,
        "matmul": dpnp.matmul, "matrix_transpose": dpnp.matrix_transpose,
        "tensordot": dpnp.tensordot, "vecdot": dpnp.vecdot,
    }
    kernels = {op: (fn, f"dpnp.{getattr(fn, '__name__', op).rstrip('_')}")
               for op, fn in local.items()}

    linalg = {name: getattr(dpnp.linalg, name) for name in (
        "cholesky", "cross", "det", "diagonal", "eigvalsh", "inv", "matmul",
        "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "outer",
        "pinv", "solve", "svdvals", "tensordot", "vecdot")}
    linalg.update({"eigh": eigh, "qr": qr, "slogdet": slogdet, "svd": svd,
                   "trace": trace, "vector_norm": vector_norm})
    kernels.update({f"linalg.{op}": (fn, f"dpnp.linalg.{op}") for op, fn in linalg.items()})

    fft = {name: getattr(dpnp.fft, name) for name in (
        "fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft",
        "ihfft", "fftshift", "ifftshift")}
    fft.update({"fftfreq": fftfreq, "rfftfreq": rfftfreq})
    kernels.update({f"fft.{op}": (fn, f"dpnp.fft.{op}") for op, fn in fft.items()})

    for op, (fn, name) in kernels.items():
        registry.register(op, fn, dtypes=_LIMITED.get(op), name=name)
        if op in _FLOAT16_VIA_FLOAT32:
            registry.register(op, via_float32(fn), dtypes=("float16",), priority=5,
                              name=f"{name} (float16 via float32)")
