"""Creation functions: arrays from data, from shapes, from other arrays, via DLPack."""

from __future__ import annotations

import builtins
import math
import sys

import numpy as np

from . import _casting, _dtypes
from ._array import Array, Placement, new_array, resolve_placed
from ._devices import as_device
from ._dispatch import call, dtype_error, op
from ._errors import HalMemoryError, HalTypeError, HalValueError, translate
from ._helpers import as_array, as_shape, dtype_arg

__all__ = ["arange", "asarray", "empty", "empty_like", "eye", "from_dlpack", "full",
           "full_like", "linspace", "meshgrid", "ones", "ones_like", "tril", "triu",
           "zeros", "zeros_like"]


def _checked(dtype, device, op):
    if dtype not in device.dtypes:
        raise dtype_error(op, device, dtype)
    return dtype


def _infer_dtype(host: np.ndarray, device, obj=None):
    """The standard's dtype for Python data: bool, default int/float/complex."""
    kind = host.dtype.kind
    if kind == "b":
        return _dtypes.bool
    if kind in "iu":
        return _fitting_default_int(host, device)
    if kind == "f":
        if obj is not None and not _has_float(obj):
            # only ints, yet NumPy chose float64: it does so for ints beyond int64
            return _fitting_default_int(np.asarray(obj, dtype=object), device)
        return device.default_float
    if kind == "c":
        return device.default_complex
    raise HalTypeError(f"asarray: cannot make an array from data of NumPy dtype "
                       f"{host.dtype}; hal holds bool, integers, floats and complex numbers")


def _has_float(obj) -> bool:
    if isinstance(obj, (list, tuple)):
        return any(_has_float(o) for o in obj)
    return isinstance(obj, float)


def _fitting_default_int(host: np.ndarray, device):
    """The default integer dtype, if it holds every value (NumPy reads 2**63 as uint64;
    casting that to int64 would silently wrap it to -2**63)."""
    dtype = device.default_int
    info = np.iinfo(dtype.numpy)
    if host.size and (int(host.min()) < info.min or int(host.max()) > info.max):
        raise HalValueError(
            f"asarray: Python int out of range for {dtype}, the default integer dtype "
            f"on {device}; pass dtype= (e.g. dtype=hal.uint64) if one holds the values")
    return dtype


def _scalar_default_dtype(value, device):
    if isinstance(value, builtins.bool):
        return _dtypes.bool
    if isinstance(value, int):
        return device.default_int
    if isinstance(value, float):
        return device.default_float
    if isinstance(value, complex):
        return device.default_complex
    raise HalTypeError(f"expected a Python bool, int, float or complex, got "
                       f"{type(value).__name__}")


_PY_SCALAR_TYPES = frozenset({builtins.bool, int, float, complex})


def _is_python_data(obj) -> bool:
    # a flat list or tuple of Python scalars, checked at C speed (per-element
    # isinstance calls cost ~100 ns an element); anything else the careful way
    if (obj.__class__ is list or obj.__class__ is tuple) and \
            _PY_SCALAR_TYPES.issuperset(map(type, obj)):
        return True
    if isinstance(obj, (builtins.bool, int, float, complex)):
        return True
    if isinstance(obj, (list, tuple)):
        return all(_is_python_data(o) for o in obj)
    return False


def asarray(obj, /, *, dtype=None, device=None, copy=None) -> Array:
    """An array from a hal Array, Python scalars or (nested) sequences, or any object
    NumPy can read (buffer protocol, ``__array__``, ``__dlpack__`` on the CPU)."""
    dtype = dtype_arg(dtype, "asarray")
    if obj.__class__ is Array:
        return _asarray_from_array(obj, dtype, device, copy)
    device = as_device(device, "asarray")
    python_data = _is_python_data(obj)
    try:
        if python_data:
            host = np.asarray(obj)
            if dtype is None:
                dtype = _infer_dtype(host, device, obj)
            elif dtype.kind in "iu":
                host = _python_data_to_int(obj, host, dtype, device)
            if host.dtype != dtype.numpy:
                host = _casting.to_dtype(host, dtype)
            if copy is False:
                raise HalValueError("asarray: copy=False, but Python data must be copied "
                                    "into a new array")
        else:
            copy_arg = copy if device.backend == "numpy" else None
            host = np.asarray(obj, copy=copy_arg)
            if dtype is not None and host.dtype != dtype.numpy:
                if copy is False:
                    raise HalValueError(f"asarray: copy=False, but converting "
                                        f"{host.dtype} data to {dtype} needs a copy")
                # an array cast (hal's table: floats to integers saturate)
                host = _casting.to_dtype(host, dtype)
    except (ValueError, TypeError, OverflowError, MemoryError) as exc:
        raise translate(exc, "asarray", device) from exc
    if host.dtype not in _dtypes.FROM_NUMPY:
        raise HalTypeError(f"asarray: NumPy dtype {host.dtype} has no hal equivalent")
    result_dtype = _checked(_dtypes.FROM_NUMPY[host.dtype], device, "asarray")
    if device.backend != "numpy" and copy is False:
        raise HalValueError(f"asarray: copy=False, but host data must be copied to "
                            f"{device}")
    # ``host`` is already a fresh array when it came from Python data, and on the
    # numpy backend np.asarray above honoured ``copy``: asking the runtime to copy
    # again would copy twice
    fresh = python_data or device.backend == "numpy"
    try:
        native = device.runtime.from_host(host, device.index, copy=None if fresh else copy)
    except Exception as exc:
        raise translate(exc, "asarray", device) from exc
    return new_array(native, Placement.of(device, result_dtype))


def _asarray_from_array(x: Array, dtype, device, copy) -> Array:
    target = x._p.device if device is None else as_device(device, "asarray")
    if target is not x._p.device:
        if copy is False:
            raise HalValueError(f"asarray: copy=False, but the array is on {x._p.device} "
                                f"and {target} was asked for")
        x = x.to_device(target)
        copy = False  # already a fresh copy
    if dtype is not None and dtype is not x._p.dtype:
        if copy is False:
            raise HalValueError(f"asarray: copy=False, but converting {x._p.dtype} to "
                                f"{dtype} needs a copy")
        from ._manipulation import astype
        return astype(x, dtype)
    if copy:
        from ._manipulation import astype
        return astype(x, x._p.dtype, copy=True)
    return x


def _python_data_to_int(obj, host: np.ndarray, dtype, device) -> np.ndarray:
    """Python data for an integer ``dtype``: its ints must fit (HalOverflowError, as in
    NumPy 2, instead of a silent wrap); floats among them convert as ``astype`` does."""
    kind = host.dtype.kind
    if kind in "iu":
        _casting.check_int_range(host, dtype, device)
    elif kind in "fO" and not _has_float(obj):
        # ints only, but beyond int64/uint64 or of mixed sign past int64: NumPy read
        # them as floats (rounded) or objects; check the exact values, then convert
        # them exactly
        _casting.check_int_range(np.asarray(obj, dtype=object), dtype, device)
        host = np.asarray(obj, dtype=dtype.numpy)
    elif kind == "O":
        host = np.asarray(obj, dtype=np.float64)  # ints beyond uint64 and floats
    return host


def _creation(op: str, count, dtype, device, *args, **kwargs) -> Array:
    """Create through the device's kernel, after checking that ``count`` elements fit.

    The kernel is cached per placement of the result (``resolve_placed``): a cached
    one was resolved for a dtype the device holds, so the check is made on a miss
    only, and the result needs no dtype lookup."""
    device = as_device(device, op)
    p = Placement.of(device, dtype)
    o = _CREATION_OPS[op]
    fn = o.cache.get(p)
    if fn is None:
        _checked(dtype, device, op)
    if count is not None:
        _check_fits(op, device, count, dtype)
    if fn is None:
        fn = resolve_placed(o, p)
    try:
        native = fn(*args, dtype=dtype, device=device.index, **kwargs)
    except Exception as exc:
        raise translate(exc, op, device) from exc
    return new_array(native, p)


_CREATION_OPS = {name: op(name) for name in ("empty", "zeros", "ones", "full", "arange",
                                             "linspace", "eye")}


def _check_fits(op, device, count: int, dtype) -> None:
    """Refuse an array larger than the device's largest allocation before asking the
    device: its library would raise its own error, or (a size overflowing int64)
    none at all.  Python ints do not overflow, so the product is the true size."""
    nbytes = count * dtype.itemsize
    if nbytes > (device.info.max_allocation_bytes or sys.maxsize):
        raise HalMemoryError.allocation(device, nbytes, op)


def _count(shape) -> int:
    return math.prod(shape)


def _arange_count(start, stop, step):
    """How many elements ``arange`` makes, or None when the arguments are not plain
    numbers (the kernel then reports the problem)."""
    try:
        if all(isinstance(v, int) for v in (start, stop, step)):
            return max(0, -((start - stop) // step))
        n = math.ceil((stop - start) / step)
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return None
    return max(0, n)


def empty(shape, *, dtype=None, device=None) -> Array:
    device = as_device(device, "empty")
    dtype = dtype_arg(dtype, "empty") or device.default_float
    shape = as_shape(shape, "empty")
    return _creation("empty", _count(shape), dtype, device, shape)


def zeros(shape, *, dtype=None, device=None) -> Array:
    device = as_device(device, "zeros")
    dtype = dtype_arg(dtype, "zeros") or device.default_float
    shape = as_shape(shape, "zeros")
    return _creation("zeros", _count(shape), dtype, device, shape)


def ones(shape, *, dtype=None, device=None) -> Array:
    device = as_device(device, "ones")
    dtype = dtype_arg(dtype, "ones") or device.default_float
    shape = as_shape(shape, "ones")
    return _creation("ones", _count(shape), dtype, device, shape)


def full(shape, fill_value, *, dtype=None, device=None) -> Array:
    device = as_device(device, "full")
    if fill_value.__class__ is Array:
        if fill_value.ndim != 0:
            raise HalValueError("full: fill_value must be a scalar or a 0-D array")
        dtype = dtype or fill_value.dtype
        fill_value = fill_value._scalar("full")
    dtype = dtype_arg(dtype, "full") or _scalar_default_dtype(fill_value, device)
    _casting.check_int_scalar(fill_value, dtype, device, "full", "pass dtype={dtype}")
    shape = as_shape(shape, "full")
    return _creation("full", _count(shape), dtype, device, shape, fill_value)


def _like(op, x, dtype, device):
    x = as_array(x, op)
    return (dtype_arg(dtype, op) or x._p.dtype,
            x._p.device if device is None else as_device(device, op))


def empty_like(x, /, *, dtype=None, device=None) -> Array:
    dtype, device = _like("empty_like", x, dtype, device)
    return empty(x.shape, dtype=dtype, device=device)


def zeros_like(x, /, *, dtype=None, device=None) -> Array:
    dtype, device = _like("zeros_like", x, dtype, device)
    return zeros(x.shape, dtype=dtype, device=device)


def ones_like(x, /, *, dtype=None, device=None) -> Array:
    dtype, device = _like("ones_like", x, dtype, device)
    return ones(x.shape, dtype=dtype, device=device)


def full_like(x, /, fill_value, *, dtype=None, device=None) -> Array:
    dtype, device = _like("full_like", x, dtype, device)
    return full(x.shape, fill_value, dtype=dtype, device=device)


def arange(start, /, stop=None, step=1, *, dtype=None, device=None) -> Array:
    device = as_device(device, "arange")
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise HalValueError("arange: step must not be zero")
    if dtype is None:
        ints = all(isinstance(v, int) for v in (start, stop, step))
        dtype = device.default_int if ints else device.default_float
    else:
        dtype = dtype_arg(dtype, "arange")
    return _creation("arange", _arange_count(start, stop, step), dtype, device,
                     start, stop, step)


def linspace(start, stop, /, num, *, dtype=None, device=None, endpoint=True) -> Array:
    device = as_device(device, "linspace")
    if dtype is None:
        is_complex = isinstance(start, complex) or isinstance(stop, complex)
        dtype = device.default_complex if is_complex else device.default_float
    else:
        dtype = dtype_arg(dtype, "linspace")
    count = num if isinstance(num, int) else None
    return _creation("linspace", count, dtype, device, start, stop, num, endpoint=endpoint)


def eye(n_rows, n_cols=None, /, *, k=0, dtype=None, device=None) -> Array:
    device = as_device(device, "eye")
    dtype = dtype_arg(dtype, "eye") or device.default_float
    n_cols = n_rows if n_cols is None else n_cols
    count = n_rows * n_cols if isinstance(n_rows, int) and isinstance(n_cols, int) else None
    return _creation("eye", count, dtype, device, n_rows, n_cols, k=k)


def tril(x, /, *, k=0) -> Array:
    x = as_array(x, "tril")
    if x.ndim < 2:
        raise HalValueError(f"tril: needs an array of at least 2 dimensions, got {x.ndim}")
    return call("tril", x._p.device, (x._p.dtype,), x._native, k=k)


def triu(x, /, *, k=0) -> Array:
    x = as_array(x, "triu")
    if x.ndim < 2:
        raise HalValueError(f"triu: needs an array of at least 2 dimensions, got {x.ndim}")
    return call("triu", x._p.device, (x._p.dtype,), x._native, k=k)


def meshgrid(*arrays, indexing="xy") -> tuple[Array, ...]:
    from ._dispatch import common_device
    arrays = [as_array(a, "meshgrid") for a in arrays]
    if not isinstance(indexing, str) or indexing not in ("xy", "ij"):
        raise HalValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    if not arrays:
        return ()
    device = common_device("meshgrid", arrays)
    dtypes = {a._p.dtype for a in arrays}
    if len(dtypes) > 1:
        raise HalTypeError(f"meshgrid: all arrays must have the same dtype, got "
                           f"{sorted(d.name for d in dtypes)}")
    return tuple(call("meshgrid", device, (arrays[0]._p.dtype,),
                      *[a._native for a in arrays], indexing=indexing))


def from_dlpack(x, /, *, device=None, copy=None) -> Array:
    """An array from any object with ``__dlpack__`` (zero-copy where possible)."""
    if x.__class__ is Array:
        return asarray(x, device=device, copy=copy)
    if not hasattr(x, "__dlpack__"):
        raise HalTypeError(f"from_dlpack: {type(x).__name__} has no __dlpack__ method")
    if device is None:
        dev_type, _ = x.__dlpack_device__()
        if dev_type != 1:
            raise HalValueError(f"from_dlpack: the object lives on DLPack device type "
                                f"{dev_type}; pass device= naming the hal device to use")
        device = "numpy"
    device = as_device(device, "from_dlpack")
    try:
        native = device.runtime.from_dlpack(x, device.index, copy)
    except BufferError:
        raise
    except Exception as exc:
        raise translate(exc, "from_dlpack", device) from exc
    dtype = _checked(device.runtime.dtype_of(native), device, "from_dlpack")
    return new_array(native, Placement.of(device, dtype))
