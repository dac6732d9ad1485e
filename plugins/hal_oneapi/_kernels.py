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

import hal
from hal._optable import BINARY, UNARY

from . import _setup
from ._queues import queue

dpnp = _setup.dpnp()

#: ops the device runs on the host by design (declared in its capabilities, so
#: hal.explain and hal.trace show it); see _HOST_REASONS for why each one
HOST_OPS = frozenset()

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
    return dpnp.take(x, indices, axis=axis)


def take_along_axis(x, indices, *, axis):
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
    return dpnp.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)


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
        "getitem_advanced": getitem, "setitem_advanced": setitem,
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
        "sum": sum_, "var": var, "all": dpnp.all, "any": dpnp.any, "diff": dpnp.diff,
        "clip": clip,
        "matmul": dpnp.matmul, "matrix_transpose": dpnp.matrix_transpose,
        "tensordot": dpnp.tensordot, "vecdot": dpnp.vecdot,
    }
    for op, fn in local.items():
        registry.register(op, fn, name=f"dpnp.{getattr(fn, '__name__', op).rstrip('_')}")

    linalg = {name: getattr(dpnp.linalg, name) for name in (
        "cholesky", "cross", "det", "diagonal", "eigvalsh", "inv", "matmul",
        "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "outer",
        "pinv", "solve", "svdvals", "tensordot", "vecdot")}
    linalg.update({"eigh": eigh, "qr": qr, "slogdet": slogdet, "svd": svd,
                   "trace": trace, "vector_norm": vector_norm})
    for op, fn in linalg.items():
        registry.register(f"linalg.{op}", fn, name=f"dpnp.linalg.{op}")

    fft = {name: getattr(dpnp.fft, name) for name in (
        "fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft",
        "ihfft", "fftshift", "ifftshift")}
    fft.update({"fftfreq": fftfreq, "rfftfreq": rfftfreq})
    for op, fn in fft.items():
        registry.register(f"fft.{op}", fn, name=f"dpnp.fft.{op}")
