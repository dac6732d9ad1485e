"""NumPy's protocols on ``hal.Array``: ``__array_ufunc__`` (NEP 13) and
``__array_function__`` (NEP 18), as CuPy implements them.

``np.exp(x)``, ``np.sum(x, axis=0)`` or ``np.concatenate([x, y])`` on hal arrays run
hal's op on the arrays' device and give hal arrays: NumPy only routes the call.  A
NumPy name maps here when hal has the op (the standard's functions, under NumPy's
name and signature); an argument hal has no meaning for (``out=``, ``where=``,
``order='F'`` ...) or a function hal lacks gives ``NotImplemented``, so NumPy raises
its ``TypeError`` naming the function.  Nothing moves to the host.  On devices whose
memory *is* host memory (the ``host_memory`` feature: NumPy's device, CPU OpenCL and
SYCL devices) NumPy may read the arrays in place through zero-copy views, and does so
where hal cannot answer: a NumPy function hal lacks, or a NumPy function called with
NumPy arrays among its arguments (NumPy-API code such as scikit-learn without Array
API dispatch mixes both); the result is then NumPy's, as it was before these
protocols.

A NumPy array meeting a hal array (``np_array + x``, ``np.add(np_array, x)``) is
refused with a ``HalTypeError`` naming the fix, as ``x + np_array`` is: hal never
decides silently which device a host array should go to.
"""

from __future__ import annotations

import builtins

import numpy as np

from . import _pickle
from ._array import Array
from ._errors import HalTypeError

__all__ = ["array_ufunc", "array_function"]

_ABSENT = (None, np._NoValue)
_SCALARS = (builtins.bool, int, float, complex, np.generic)

#: NumPy ufunc name -> the standard's name, where they differ
_UFUNC_RENAMES = {
    "absolute": "abs", "arccos": "acos", "arccosh": "acosh", "arcsin": "asin",
    "arcsinh": "asinh", "arctan": "atan", "arctan2": "atan2", "arctanh": "atanh",
    "power": "pow", "invert": "bitwise_invert", "bitwise_not": "bitwise_invert",
    "left_shift": "bitwise_left_shift", "right_shift": "bitwise_right_shift",
    "true_divide": "divide", "rint": "round", "conjugate": "conj", "mod": "remainder",
    "bitwise_count": None,
}
#: ufunc.reduce -> the standard's reduction
_REDUCTIONS = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min",
               "logical_and": "all", "logical_or": "any"}
_ACCUMULATIONS = {"add": "cumulative_sum", "multiply": "cumulative_prod"}


def _hal():
    import hal
    return hal


def _ufunc_target(ufunc):
    name = ufunc.__name__
    name = _UFUNC_RENAMES.get(name, name)
    if name is None:
        return None
    hal = _hal()
    fn = getattr(hal, name, None)
    return fn if name in hal.__all__ else None


def _check_inputs(inputs, what: str) -> bool:
    """True when every input is a hal Array or a scalar; a NumPy array is refused."""
    for a in inputs:
        if a.__class__ is Array or isinstance(a, _SCALARS):
            continue
        if isinstance(a, np.ndarray):
            device = next(x._p.device for x in inputs if x.__class__ is Array)
            raise HalTypeError(
                f"{what}: a NumPy array meets a hal Array on {device}; hal never moves "
                f"data silently. Convert it explicitly: hal.asarray(a, device=x.device) "
                f"(or move the hal array: hal.to_numpy(x))")
        return False
    return True


def array_ufunc(ufunc, method: str, inputs: tuple, kwargs: dict):
    """``Array.__array_ufunc__``: the hal op of ``ufunc`` on the inputs' device."""
    if not _pickle._DASK_SEEN[0]:
        _pickle._dask_hooks()
    what = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    if not _check_inputs(inputs, what):
        return NotImplemented
    hal = _hal()
    # NumPy scalars (np.float32(2) * x) are scalars to hal, as Python's are
    inputs = [a.item() if isinstance(a, np.generic) else a for a in inputs]
    out = kwargs.pop("out", None)
    if out is not None and out != (None,) * len(out):
        return NotImplemented
    if method == "__call__":
        if ufunc is np.matmul:
            fn = hal.matmul
        elif ufunc is getattr(np, "vecdot", None):
            fn = hal.vecdot
        else:
            fn = _ufunc_target(ufunc)
        dtype = kwargs.pop("dtype", None)
        if fn is None or any(v is not None and k not in ("casting", "subok")
                             for k, v in kwargs.items()):
            return NotImplemented
        if kwargs.get("casting", "same_kind") != "same_kind" or not kwargs.get("subok", True):
            return NotImplemented
        if dtype is not None:  # NumPy computes in dtype: cast the arrays first
            dtype = hal._dtypes.as_dtype(dtype, what)
            inputs = [hal.astype(a, dtype) if a.__class__ is Array else a for a in inputs]
        return fn(*inputs)
    if method == "reduce" and ufunc.__name__ in _REDUCTIONS and len(inputs) == 1:
        axis = kwargs.pop("axis", 0)
        keepdims = kwargs.pop("keepdims", False)
        dtype = kwargs.pop("dtype", None)
        if any(v not in _ABSENT for v in kwargs.values()):
            return NotImplemented
        name = _REDUCTIONS[ufunc.__name__]
        extra = {"dtype": dtype} if name in ("sum", "prod") and dtype is not None else {}
        if dtype is not None and not extra:
            return NotImplemented
        return getattr(hal, name)(inputs[0], axis=axis, keepdims=keepdims, **extra)
    if method == "accumulate" and ufunc.__name__ in _ACCUMULATIONS and len(inputs) == 1:
        axis = kwargs.pop("axis", 0)
        dtype = kwargs.pop("dtype", None)
        if any(v not in _ABSENT for v in kwargs.values()):
            return NotImplemented
        return getattr(hal, _ACCUMULATIONS[ufunc.__name__])(inputs[0], axis=axis,
                                                             dtype=dtype)
    return NotImplemented


# -- __array_function__ --------------------------------------------------------------

#: NumPy function -> adapter with NumPy's signature calling hal (or NotImplemented)
_FUNCTIONS: dict = {}


def _implements(*names):
    def register(adapter):
        for name in names:
            module, _, attr = name.rpartition(".")
            owner = np
            for part in filter(None, module.split(".")):
                owner = getattr(owner, part, None)
            fn = getattr(owner, attr, None)
            if fn is not None:
                _FUNCTIONS[fn] = adapter
        return adapter
    return register


def _given(*values) -> bool:
    """Whether any NumPy-only argument was given a value hal cannot honour."""
    return any(v not in _ABSENT for v in values)


def array_function(func, types, args, kwargs):
    """``Array.__array_function__``: hal's op for a NumPy function on hal arrays."""
    mixed = False
    for t in types:
        if t is np.ndarray:
            mixed = True  # NumPy arrays among the arguments: NumPy-API code
        elif t is not Array and not issubclass(t, Array):
            return NotImplemented  # another library's array: let it (or NumPy) answer
    if not _pickle._DASK_SEEN[0]:
        _pickle._dask_hooks()  # Dask's NumPy-API code is calling: register hal with it
    adapter = None if mixed else _FUNCTIONS.get(func)
    if adapter is not None:
        return adapter(*args, **kwargs)
    if _all_in_host_memory(args, kwargs):
        # the memory is host memory: NumPy's own code reads it in place (zero-copy
        # views through __array__), nothing moves
        return func._implementation(*args, **kwargs)
    return NotImplemented


def _all_in_host_memory(args, kwargs) -> bool:
    """Whether every hal array among the arguments lives in host memory."""
    found = False
    stack = [*args, *kwargs.values()]
    while stack:
        a = stack.pop()
        if a.__class__ is Array:
            if "host_memory" not in a._p.device.info.capabilities.features:
                return False
            found = True
        elif isinstance(a, (list, tuple)):
            stack.extend(a)
    return found


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _reduction(name, *, with_dtype):
    hal_name = name

    def adapter(a, axis=None, dtype=None, out=None, keepdims=False, initial=np._NoValue,
                where=np._NoValue):
        if _given(out, initial, where) or (dtype is not None and not with_dtype):
            return NotImplemented
        extra = {"dtype": dtype} if with_dtype else {}
        return getattr(_hal(), hal_name)(a, axis=_axis(axis), keepdims=bool(keepdims),
                                         **extra)
    return adapter


_FUNCTIONS[np.sum] = _reduction("sum", with_dtype=True)
_FUNCTIONS[np.prod] = _reduction("prod", with_dtype=True)


def _no_dtype_reduction(hal_name):
    def adapter(a, axis=None, out=None, keepdims=False, initial=np._NoValue,
                where=np._NoValue):
        if _given(out, initial, where):
            return NotImplemented
        return getattr(_hal(), hal_name)(a, axis=_axis(axis), keepdims=bool(keepdims))
    return adapter


for _np_name, _hal_name in (("max", "max"), ("amax", "max"), ("min", "min"),
                            ("amin", "min")):
    if hasattr(np, _np_name):
        _FUNCTIONS[getattr(np, _np_name)] = _no_dtype_reduction(_hal_name)


def _logical_reduction(hal_name):
    def adapter(a, axis=None, out=None, keepdims=False, *, where=np._NoValue):
        if _given(out, where):
            return NotImplemented
        return getattr(_hal(), hal_name)(a, axis=_axis(axis), keepdims=bool(keepdims))
    return adapter


_FUNCTIONS[np.all] = _logical_reduction("all")
_FUNCTIONS[np.any] = _logical_reduction("any")


@_implements("mean")
def _mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=np._NoValue):
    if _given(out, where):
        return NotImplemented
    hal = _hal()
    if dtype is not None:
        a = hal.astype(a, hal._dtypes.as_dtype(dtype, "np.mean"))
    return hal.mean(a, axis=_axis(axis), keepdims=bool(keepdims))


def _spread(hal_name):
    def adapter(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *,
                where=np._NoValue, mean=np._NoValue, correction=np._NoValue):
        if _given(out, where, mean):
            return NotImplemented
        hal = _hal()
        if dtype is not None:
            a = hal.astype(a, hal._dtypes.as_dtype(dtype, f"np.{hal_name}"))
        corr = ddof if correction in _ABSENT else correction
        return getattr(hal, hal_name)(a, axis=_axis(axis), correction=corr,
                                      keepdims=bool(keepdims))
    return adapter


_FUNCTIONS[np.std] = _spread("std")
_FUNCTIONS[np.var] = _spread("var")


def _arg_reduction(hal_name):
    def adapter(a, axis=None, out=None, *, keepdims=False):
        if _given(out):
            return NotImplemented
        return getattr(_hal(), hal_name)(a, axis=axis, keepdims=bool(keepdims))
    return adapter


_FUNCTIONS[np.argmax] = _arg_reduction("argmax")
_FUNCTIONS[np.argmin] = _arg_reduction("argmin")


def _cumulative(hal_name):
    def adapter(a, axis=None, dtype=None, out=None):
        if _given(out):
            return NotImplemented
        hal = _hal()
        if axis is None:  # NumPy flattens first
            a, axis = hal.reshape(a, (-1,)), 0
        return getattr(hal, hal_name)(a, axis=axis, dtype=dtype)
    return adapter


_FUNCTIONS[np.cumsum] = _cumulative("cumulative_sum")
_FUNCTIONS[np.cumprod] = _cumulative("cumulative_prod")


@_implements("count_nonzero")
def _count_nonzero(a, axis=None, *, keepdims=False):
    return _hal().count_nonzero(a, axis=_axis(axis), keepdims=bool(keepdims))


# -- manipulation ---------------------------------------------------------------------

@_implements("concatenate", "concat")
def _concatenate(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    if _given(out, dtype) or casting != "same_kind":
        return NotImplemented
    return _hal().concat(list(arrays), axis=axis)


@_implements("stack")
def _stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    if _given(out, dtype) or casting != "same_kind":
        return NotImplemented
    return _hal().stack(list(arrays), axis=axis)


@_implements("reshape")
def _reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    if order != "C":
        return NotImplemented
    shape = newshape if shape is None else shape
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _hal().reshape(a, shape, copy=copy)


@_implements("ravel")
def _ravel(a, order="C"):
    if order not in ("C", "K", "A"):
        return NotImplemented
    return _hal().reshape(a, (-1,))


@_implements("transpose", "permute_dims")
def _transpose(a, axes=None):
    axes = tuple(range(a.ndim - 1, -1, -1)) if axes is None else tuple(axes)
    return _hal().permute_dims(a, axes)


@_implements("matrix_transpose")
def _matrix_transpose(x):
    return _hal().matrix_transpose(x)


@_implements("swapaxes")
def _swapaxes(a, axis1, axis2):
    axes = list(range(a.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return _hal().permute_dims(a, tuple(axes))


@_implements("moveaxis")
def _moveaxis(a, source, destination):
    return _hal().moveaxis(a, source, destination)


@_implements("expand_dims")
def _expand_dims(a, axis):
    return _hal().expand_dims(a, axis=axis)


@_implements("squeeze")
def _squeeze(a, axis=None):
    if axis is None:
        axis = tuple(i for i, n in enumerate(a.shape) if n == 1)
    return _hal().squeeze(a, axis)


@_implements("broadcast_to")
def _broadcast_to(array, shape, subok=False):
    return _hal().broadcast_to(array, tuple(shape) if not isinstance(shape, int)
                               else (shape,))


@_implements("broadcast_arrays")
def _broadcast_arrays(*args, subok=False):
    return tuple(_hal().broadcast_arrays(*args))


@_implements("flip")
def _flip(m, axis=None):
    return _hal().flip(m, axis=_axis(axis))


@_implements("roll")
def _roll(a, shift, axis=None):
    return _hal().roll(a, shift, axis=_axis(axis))


@_implements("tile")
def _tile(A, reps):
    return _hal().tile(A, (reps,) if isinstance(reps, int) else tuple(reps))


@_implements("repeat")
def _repeat(a, repeats, axis=None):
    return _hal().repeat(a, repeats, axis=axis)


@_implements("take")
def _take(a, indices, axis=None, out=None, mode="raise"):
    if _given(out) or mode != "raise":
        return NotImplemented
    hal = _hal()
    if axis is None and a.ndim != 1:
        a = hal.reshape(a, (-1,))
    return hal.take(a, indices, axis=axis)


@_implements("take_along_axis")
def _take_along_axis(arr, indices, axis=-1):
    return _hal().take_along_axis(arr, indices, axis=axis)


_FUNCTIONS[np.tril] = lambda m, k=0: _hal().tril(m, k=k)
_FUNCTIONS[np.triu] = lambda m, k=0: _hal().triu(m, k=k)


@_implements("copy")
def _copy(a, order="K", subok=False):
    return _hal().asarray(a, copy=True)


@_implements("astype")
def _astype(x, dtype, /, *, copy=True, device=None):
    hal = _hal()
    return hal.astype(x, hal._dtypes.as_dtype(dtype, "np.astype"), copy=copy)


# -- searching, sorting, sets, element choice ------------------------------------------

@_implements("where")
def _where(condition, *xy):
    if len(xy) != 2:
        return _hal().nonzero(condition)
    return _hal().where(condition, *xy)


@_implements("nonzero")
def _nonzero(a):
    return _hal().nonzero(a)


@_implements("clip")
def _clip(a, a_min=np._NoValue, a_max=np._NoValue, out=None, *, min=np._NoValue,
          max=np._NoValue, **kwargs):
    if _given(out) or kwargs:
        return NotImplemented
    lo = a_min if min is np._NoValue else min
    hi = a_max if max is np._NoValue else max
    return _hal().clip(a, None if lo is np._NoValue else lo,
                       None if hi is np._NoValue else hi)


def _sorting(hal_name):
    def adapter(a, axis=-1, kind=None, order=None, *, stable=None):
        if order is not None:
            return NotImplemented
        hal = _hal()
        if axis is None:
            a, axis = hal.reshape(a, (-1,)), 0
        # hal's sorts are stable: that answers every kind NumPy offers
        return getattr(hal, hal_name)(a, axis=axis)
    return adapter


_FUNCTIONS[np.sort] = _sorting("sort")
_FUNCTIONS[np.argsort] = _sorting("argsort")


@_implements("searchsorted")
def _searchsorted(a, v, side="left", sorter=None):
    return _hal().searchsorted(a, v, side=side, sorter=sorter)


@_implements("unique")
def _unique(ar, return_index=False, return_inverse=False, return_counts=False,
            axis=None, *, equal_nan=True, sorted=True):
    if return_index or return_inverse or axis is not None:
        return NotImplemented
    hal = _hal()
    if return_counts:
        values, counts = hal.unique_counts(ar)
        return values, counts
    return hal.unique_values(ar)


@_implements("isin")
def _isin(element, test_elements, assume_unique=False, invert=False, *, kind=None):
    return _hal().isin(element, test_elements, assume_unique=assume_unique, invert=invert)


@_implements("diff")
def _diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    return _hal().diff(a, axis=axis, n=n, prepend=None if prepend is np._NoValue else prepend,
                       append=None if append is np._NoValue else append)


_FUNCTIONS[np.real] = lambda val: _hal().real(val)
_FUNCTIONS[np.imag] = lambda val: _hal().imag(val)


@_implements("round", "around")
def _round(a, decimals=0, out=None):
    if _given(out) or decimals != 0:
        return NotImplemented
    return _hal().round(a)


# -- linear algebra -----------------------------------------------------------------

@_implements("tensordot")
def _tensordot(a, b, axes=2):
    if not isinstance(axes, int):
        axes = tuple(tuple(x) if isinstance(x, (list, tuple)) else (x,) for x in axes)
    return _hal().tensordot(a, b, axes=axes)


@_implements("dot")
def _dot(a, b, out=None):
    if _given(out) or a.ndim == 0 or b.ndim == 0 or a.ndim > 2 or b.ndim > 2:
        return NotImplemented
    return _hal().matmul(a, b)


@_implements("outer")
def _outer(a, b, out=None):
    if _given(out):
        return NotImplemented
    hal = _hal()
    return hal.linalg.outer(hal.reshape(a, (-1,)), hal.reshape(b, (-1,)))


@_implements("trace")
def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    if _given(out) or (axis1, axis2) not in ((0, 1), (-2, -1)) or a.ndim != 2:
        return NotImplemented
    return _hal().linalg.trace(a, offset=offset, dtype=dtype)


for _name in ("inv", "det", "pinv", "eigvalsh", "matrix_rank", "svd", "qr", "eigh",
              "cholesky", "slogdet", "solve", "matrix_power", "cross", "outer",
              "svdvals", "vecdot", "matrix_transpose", "tensordot", "diagonal"):
    _np_fn = getattr(np.linalg, _name, None)
    if _np_fn is None or _np_fn in _FUNCTIONS:
        continue

    def _linalg(*args, _name=_name, **kwargs):
        return getattr(_hal().linalg, _name)(*args, **kwargs)
    _FUNCTIONS[_np_fn] = _linalg


@_implements("linalg.norm")
def _norm(x, ord=None, axis=None, keepdims=False):
    hal = _hal()
    if axis is None and x.ndim == 2 or isinstance(axis, tuple) and len(axis) == 2:
        return hal.linalg.matrix_norm(x, ord="fro" if ord is None else ord,
                                      keepdims=keepdims) if axis in (None, (-2, -1)) \
            else NotImplemented
    if axis is None and x.ndim != 1:
        return NotImplemented
    return hal.linalg.vector_norm(x, axis=axis, ord=2 if ord is None else ord,
                                  keepdims=keepdims)


for _name in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fftn", "ifftn", "rfftn",
              "irfftn", "fftshift", "ifftshift"):
    _np_fn = getattr(np.fft, _name, None)
    if _np_fn is None:
        continue

    def _fft(*args, _name=_name, **kwargs):
        return getattr(_hal().fft, _name)(*args, **kwargs)
    _FUNCTIONS[_np_fn] = _fft


# -- creation from an array, metadata ------------------------------------------------

def _like(hal_name, full=False):
    def adapter(a, *args, dtype=None, order="K", subok=True, shape=None, device=None):
        if order not in ("K", "C", "A"):
            return NotImplemented
        hal = _hal()
        fill = args[:1] if full else ()
        if full and len(args) > 1:
            dtype = args[1]
        elif not full and args:
            dtype = args[0]
        dtype = None if dtype is None else hal._dtypes.as_dtype(dtype, f"np.{hal_name}")
        if shape is not None:
            base = hal_name[:-len("_like")]
            return getattr(hal, base)(shape if not isinstance(shape, int) else (shape,),
                                      *fill, dtype=dtype or a.dtype, device=a.device)
        return getattr(hal, hal_name)(a, *fill, dtype=dtype)
    return adapter


_FUNCTIONS[np.zeros_like] = _like("zeros_like")
_FUNCTIONS[np.ones_like] = _like("ones_like")
_FUNCTIONS[np.empty_like] = _like("empty_like")
_FUNCTIONS[np.full_like] = _like("full_like", full=True)


@_implements("shape")
def _shape(a):
    return a.shape


@_implements("ndim")
def _ndim(a):
    return a.ndim


@_implements("size")
def _size(a, axis=None):
    return a.size if axis is None else a.shape[axis]


@_implements("result_type")
def _result_type(*arrays_and_dtypes):
    # metadata only: hal's promotion (what hal's ops will give), as a NumPy dtype
    return _hal().result_type(*arrays_and_dtypes).numpy
