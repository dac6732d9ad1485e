"""hal's op table mapped onto CuPy: the table ``tests/test_cupy_ops.py`` checks.

CuPy follows NumPy, and since v14 NumPy 2 (``permute_dims``, ``concat``,
``cumulative_sum``, ``unique_*``, ``matrix_transpose``, the ``acos``/``pow`` names ...),
so most kernels simply *are* CuPy functions: no wrapper on the hot path.  Each op is in
exactly one of three tables:

* ``DIRECT``: op -> the CuPy function's dotted name; same signature and semantics as
  hal calls it (the standard's signature, native arrays in, native arrays out).
* ``ADAPTED``: op -> a thin adapter below, because CuPy differs from the 2024.12
  standard there; the reason is in the adapter's docstring.
* ``FALLBACK``: op -> why it runs on the host through NumPy (declared in the device's
  capabilities, visible in ``hal.explain``).  Empty today: CuPy covers the table.

Where a CuPy function differs, the reference is CuPy's removed ``cupy.array_api``
(v9–v13) and CuPy's "Differences between CuPy and NumPy" page.
"""

from __future__ import annotations

import math

import hal

from ._devices import cupy

# -- elementwise: CuPy's ufuncs, exactly ------------------------------------------

#: hal op name -> CuPy ufunc name where they differ
UFUNC_NAMES = {"bitwise_invert": "invert"}

# -- creation: CuPy allocates on the *current* device, hal names one ----------------


def arange(start, stop, step, *, dtype, device):
    """hal passes a device index; CuPy allocates on its current device."""
    cp = cupy()
    with cp.cuda.Device(device):
        return cp.arange(start, stop, step, dtype=dtype.numpy)


def empty(shape, *, dtype, device):
    """(creation on hal's device: see ``arange``)"""
    cp = cupy()
    with cp.cuda.Device(device):
        return cp.empty(shape, dtype=dtype.numpy)


def zeros(shape, *, dtype, device):
    """(creation on hal's device: see ``arange``)"""
    cp = cupy()
    with cp.cuda.Device(device):
        return cp.zeros(shape, dtype=dtype.numpy)


def ones(shape, *, dtype, device):
    """(creation on hal's device: see ``arange``)"""
    cp = cupy()
    with cp.cuda.Device(device):
        return cp.ones(shape, dtype=dtype.numpy)


def full(shape, fill_value, *, dtype, device):
    """(creation on hal's device: see ``arange``)"""
    cp = cupy()
    with cp.cuda.Device(device):
        return cp.full(shape, fill_value, dtype=dtype.numpy)


def eye(n_rows, n_cols, *, k, dtype, device):
    """(creation on hal's device: see ``arange``)"""
    cp = cupy()
    with cp.cuda.Device(device):
        return cp.eye(n_rows, n_cols, k=k, dtype=dtype.numpy)


def linspace(start, stop, num, *, dtype, device, endpoint):
    """(creation on hal's device: see ``arange``)"""
    cp = cupy()
    with cp.cuda.Device(device):
        return cp.linspace(start, stop, num, dtype=dtype.numpy, endpoint=endpoint)


def meshgrid(*arrays, indexing):
    """CuPy returns a list; hal's kernels return tuples."""
    return tuple(cupy().meshgrid(*arrays, indexing=indexing))


def astype(x, dtype, *, copy=True):
    """hal passes a hal dtype."""
    return x.astype(dtype.numpy, copy=copy)


def fftfreq(n, *, d, dtype, device):
    """CuPy's fftfreq has no dtype or device argument."""
    cp = cupy()
    with cp.cuda.Device(device):
        return cp.fft.fftfreq(n, d=d).astype(dtype.numpy, copy=False)


def rfftfreq(n, *, d, dtype, device):
    """(see ``fftfreq``)"""
    cp = cupy()
    with cp.cuda.Device(device):
        return cp.fft.rfftfreq(n, d=d).astype(dtype.numpy, copy=False)


# -- indexing -------------------------------------------------------------------------


def getitem(x, key):
    """``x[key]`` (basic keys give views, as in CuPy)."""
    return x[key]


def setitem(x, key, value):
    """``x[key] = value``, returning ``x`` (hal's convention for writes)."""
    x[key] = value
    return x


# -- manipulation -----------------------------------------------------------------------


def broadcast_arrays(*arrays):
    """CuPy returns a list; hal's kernels return tuples."""
    return tuple(cupy().broadcast_arrays(*arrays))


def concat(arrays, *, axis):
    """The standard's ``axis=None`` flattens first; CuPy's ``concat`` needs an axis."""
    cp = cupy()
    if axis is None:
        return cp.concatenate([cp.ravel(a) for a in arrays])
    return cp.concatenate(arrays, axis=axis)


def repeat(x, repeats, *, axis):
    """CuPy takes ``repeats`` as an int or a list, not an array: an array of repeats is
    read to the host first (its values decide the result's shape anyway)."""
    cp = cupy()
    if isinstance(repeats, cp.ndarray):
        repeats = repeats.get().tolist()
    return cp.repeat(x, repeats, axis=axis)


def unstack(x, *, axis):
    """CuPy has no ``unstack``: views along ``axis``."""
    moved = cupy().moveaxis(x, axis, 0)
    return tuple(moved[i] for i in range(moved.shape[0]))


# -- searching, sorting, sets -------------------------------------------------------------


def nonzero(x):
    """(a tuple, as every hal kernel returns)"""
    return tuple(cupy().nonzero(x))


def count_nonzero(x, *, axis, keepdims):
    """CuPy's ``count_nonzero`` has no ``keepdims``."""
    cp = cupy()
    return cp.sum(x != 0, axis=axis, keepdims=keepdims, dtype=cp.int64)


def searchsorted(x1, x2, *, side, sorter):
    """(CuPy's ``searchsorted`` is a Python function with the same keywords; the
    adapter only resolves ``cupy`` lazily)"""
    return cupy().searchsorted(x1, x2, side=side, sorter=sorter)


def sort(x, *, axis, descending, stable):
    """CuPy has no ``descending``/``stable``; its sort is always stable (Thrust)."""
    cp = cupy()
    result = cp.sort(x, axis=axis)
    return cp.flip(result, axis=axis) if descending else result


def argsort(x, *, axis, descending, stable):
    """A stable descending order: sort the reversed array ascending, map back."""
    cp = cupy()
    if not descending:
        return cp.argsort(x, axis=axis)
    n = x.shape[axis]
    reversed_order = cp.argsort(cp.flip(x, axis=axis), axis=axis)
    return cp.flip(n - 1 - reversed_order, axis=axis)


def unique_all(x):
    """CuPy returns a named tuple; hal's kernels return plain tuples."""
    r = cupy().unique_all(x)
    return (r.values, r.indices, r.inverse_indices, r.counts)


def unique_counts(x):
    """(see ``unique_all``)"""
    r = cupy().unique_counts(x)
    return (r.values, r.counts)


def unique_inverse(x):
    """(see ``unique_all``)"""
    r = cupy().unique_inverse(x)
    return (r.values, r.inverse_indices)


def unique_values(x):
    """Sorted, NaNs distinct (the standard, and what the numpy backend gives)."""
    cp = cupy()
    return cp.unique(cp.ravel(x))


# -- statistics -------------------------------------------------------------------------


def _np(dtype):
    return None if dtype is None else dtype.numpy


def sum_(x, *, axis, dtype, keepdims):
    """hal passes a hal dtype."""
    return cupy().sum(x, axis=axis, dtype=_np(dtype), keepdims=keepdims)


def prod(x, *, axis, dtype, keepdims):
    """hal passes a hal dtype."""
    return cupy().prod(x, axis=axis, dtype=_np(dtype), keepdims=keepdims)


def cumulative_sum(x, *, axis, dtype, include_initial):
    """hal passes a hal dtype."""
    return cupy().cumulative_sum(x, axis=axis, dtype=_np(dtype),
                                 include_initial=include_initial)


def cumulative_prod(x, *, axis, dtype, include_initial):
    """hal passes a hal dtype."""
    return cupy().cumulative_prod(x, axis=axis, dtype=_np(dtype),
                                  include_initial=include_initial)


def var(x, *, axis, correction, keepdims):
    """The standard's ``correction`` is NumPy's ``ddof``."""
    return cupy().var(x, axis=axis, ddof=correction, keepdims=keepdims)


def std(x, *, axis, correction, keepdims):
    """(see ``var``)"""
    return cupy().std(x, axis=axis, ddof=correction, keepdims=keepdims)


def clip(x, min, max):
    """Both bounds ``None`` is a copy in the standard; CuPy refuses it."""
    cp = cupy()
    if min is None and max is None:
        return x.copy()
    return cp.clip(x, min, max)


# -- linear algebra -------------------------------------------------------------------------


def vecdot(x1, x2, *, axis=-1):
    """CuPy has no ``vecdot``: the standard's ``sum(conj(x1) * x2, axis)``."""
    cp = cupy()
    return cp.sum(cp.conj(x1) * x2, axis=axis)


def cholesky(x, *, upper=False):
    """CuPy's ``cholesky`` has no ``upper``: the conjugate transpose of the lower factor."""
    cp = cupy()
    lower = cp.linalg.cholesky(x)
    return cp.conj(cp.swapaxes(lower, -1, -2)) if upper else lower


def diagonal(x, *, offset=0):
    """The standard's ``linalg.diagonal`` takes the last two axes."""
    return cupy().diagonal(x, offset=offset, axis1=-2, axis2=-1)


def eigh(x):
    """CuPy returns a named tuple; hal's kernels return plain tuples."""
    r = cupy().linalg.eigh(x)
    return (r[0], r[1])


def _complex_of(x):
    return "complex64" if x.dtype.char in "fF" else "complex128"


def eig(x):
    """A plain tuple (see ``eigh``), always of the complex dtype of x's precision (the
    2025.12 standard), as NumPy's real-when-it-can result is not."""
    r = cupy().linalg.eig(x)
    to = _complex_of(x)
    return (r[0].astype(to, copy=False), r[1].astype(to, copy=False))


def eigvals(x):
    """Always of the complex dtype of x's precision (see ``eig``)."""
    return cupy().linalg.eigvals(x).astype(_complex_of(x), copy=False)


def qr(x, *, mode):
    """(a plain tuple: see ``eigh``)"""
    r = cupy().linalg.qr(x, mode=mode)
    return (r[0], r[1])


def slogdet(x):
    """(a plain tuple: see ``eigh``)"""
    r = cupy().linalg.slogdet(x)
    return (r[0], r[1])


def svd(x, *, full_matrices):
    """(a plain tuple: see ``eigh``)"""
    r = cupy().linalg.svd(x, full_matrices=full_matrices)
    return (r[0], r[1], r[2])


def svdvals(x):
    """CuPy has no ``svdvals``: ``svd`` without vectors."""
    return cupy().linalg.svd(x, compute_uv=False)


def matrix_norm(x, *, keepdims=False, ord="fro"):
    """CuPy has no ``matrix_norm``: ``norm`` over the last two axes."""
    return cupy().linalg.norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def matrix_rank(x, *, rtol=None):
    """The standard's ``rtol`` is relative to the largest singular value (CuPy's
    ``tol`` is absolute); default ``max(M, N) * eps``."""
    cp = cupy()
    s = cp.linalg.svd(x, compute_uv=False)
    if rtol is None:
        rtol = max(x.shape[-2:]) * cp.finfo(s.dtype).eps
    elif isinstance(rtol, cp.ndarray):
        rtol = rtol[..., None]
    tol = s.max(axis=-1, keepdims=True) * rtol
    return cp.count_nonzero(s > tol, axis=-1)


def pinv(x, *, rtol=None):
    """The standard's ``rtol`` is CuPy's ``rcond``; default ``max(M, N) * eps``."""
    cp = cupy()
    if rtol is None:
        rtol = max(x.shape[-2:]) * cp.finfo(x.dtype).eps
    return cp.linalg.pinv(x, rcond=rtol)


def trace(x, *, offset, dtype):
    """The standard's ``linalg.trace`` sums the diagonals of the last two axes."""
    return cupy().trace(x, offset=offset, axis1=-2, axis2=-1, dtype=_np(dtype))


def vector_norm(x, *, axis, keepdims, ord):
    """CuPy's ``norm`` takes one axis or two; the standard takes any tuple (or all)."""
    cp = cupy()
    if axis is None:
        axes = tuple(range(x.ndim))
    elif isinstance(axis, int):
        axes = (axis,)
    else:
        axes = tuple(axis)
    a = cp.abs(x)
    if ord == math.inf:
        r = cp.max(a, axis=axes, keepdims=keepdims)
    elif ord == -math.inf:
        r = cp.min(a, axis=axes, keepdims=keepdims)
    elif ord == 0:
        r = cp.sum(a != 0, axis=axes, keepdims=keepdims).astype(a.dtype)
    elif ord == 2:
        r = cp.sqrt(cp.sum(a * a, axis=axes, keepdims=keepdims))
    elif ord == 1:
        r = cp.sum(a, axis=axes, keepdims=keepdims)
    else:
        r = cp.sum(a ** ord, axis=axes, keepdims=keepdims) ** (1.0 / ord)
    return r


# -- the tables ---------------------------------------------------------------------------

DIRECT: dict[str, str] = {
    "tril": "tril", "triu": "triu",
    "broadcast_to": "broadcast_to", "expand_dims": "expand_dims", "flip": "flip",
    "moveaxis": "moveaxis", "permute_dims": "permute_dims", "reshape": "reshape",
    "roll": "roll", "squeeze": "squeeze", "stack": "stack", "tile": "tile",
    "argmax": "argmax", "argmin": "argmin", "where": "where", "isin": "isin",
    "take": "take", "take_along_axis": "take_along_axis",
    "max": "max", "min": "min", "mean": "mean", "all": "all", "any": "any",
    "diff": "diff",
    "matmul": "matmul", "matrix_transpose": "matrix_transpose", "tensordot": "tensordot",
    "linalg.cross": "linalg.cross", "linalg.det": "linalg.det",
    "linalg.eigvalsh": "linalg.eigvalsh", "linalg.inv": "linalg.inv",
    "linalg.matmul": "matmul", "linalg.matrix_power": "linalg.matrix_power",
    "linalg.matrix_transpose": "matrix_transpose", "linalg.outer": "outer",
    "linalg.solve": "linalg.solve", "linalg.tensordot": "tensordot",
    **{f"fft.{n}": f"fft.{n}" for n in (
        "fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft",
        "ihfft", "fftshift", "ifftshift")},
}

ADAPTED: dict[str, object] = {
    "arange": arange, "empty": empty, "zeros": zeros, "ones": ones, "full": full,
    "eye": eye, "linspace": linspace, "meshgrid": meshgrid, "astype": astype,
    "getitem": getitem, "setitem": setitem,
    "getitem_advanced": getitem, "setitem_advanced": setitem,
    "broadcast_arrays": broadcast_arrays, "concat": concat, "repeat": repeat,
    "unstack": unstack,
    "nonzero": nonzero, "count_nonzero": count_nonzero, "searchsorted": searchsorted,
    "sort": sort, "argsort": argsort, "unique_all": unique_all,
    "unique_counts": unique_counts, "unique_inverse": unique_inverse,
    "unique_values": unique_values,
    "sum": sum_, "prod": prod, "cumulative_sum": cumulative_sum,
    "cumulative_prod": cumulative_prod, "var": var, "std": std, "clip": clip,
    "vecdot": vecdot, "linalg.vecdot": vecdot,
    "linalg.cholesky": cholesky, "linalg.diagonal": diagonal, "linalg.eigh": eigh,
    "linalg.eig": eig, "linalg.eigvals": eigvals,
    "linalg.qr": qr, "linalg.slogdet": slogdet, "linalg.svd": svd,
    "linalg.svdvals": svdvals, "linalg.matrix_norm": matrix_norm,
    "linalg.matrix_rank": matrix_rank, "linalg.pinv": pinv, "linalg.trace": trace,
    "linalg.vector_norm": vector_norm,
    "fft.fftfreq": fftfreq, "fft.rfftfreq": rfftfreq,
}

#: op -> why it runs on the host (none today)
FALLBACK: dict[str, str] = {}


def elementwise_ops() -> list[str]:
    return [s.name for s in hal.op_table().values() if s.kind in ("unary", "binary")]


def resolve(dotted: str):
    """``"linalg.det"`` -> ``cupy.linalg.det``."""
    obj = cupy()
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def _on_device(fn):
    """``fn`` as a factory: the function itself when CuPy sees one GPU (the hot path
    gets no wrapper), else ``fn`` run with hal's device current in CuPy."""
    def factory(device, dtypes):
        cp = cupy()
        if cp.cuda.runtime.getDeviceCount() == 1:
            return fn
        index = device.index

        def on_device(*args, **kwargs):
            with cp.cuda.Device(index):
                return fn(*args, **kwargs)
        return on_device
    factory.__name__ = getattr(fn, "__name__", "kernel")
    return factory


def register(registry) -> None:
    """Register every op of hal's op table (CuPy covers them all)."""
    for op in elementwise_ops():
        ufunc = resolve(UFUNC_NAMES.get(op, op))
        # CuPy 14 promotes like NumPy 2 (same-kind mixes, weak Python scalars)
        registry.register(op, _on_device(ufunc), promotes=True, factory=True,
                          name=f"cupy.{UFUNC_NAMES.get(op, op)}")
    for op, dotted in DIRECT.items():
        registry.register(op, _on_device(resolve(dotted)), factory=True,
                          name=f"cupy.{dotted}")
    for op, fn in ADAPTED.items():
        registry.register(op, _on_device(fn), factory=True,
                          name=f"hal_cupy.{fn.__name__.rstrip('_')}")
