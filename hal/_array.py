"""``hal.Array``: the one array type users hold, on every backend.

An Array is two slots: the backend's native array and a :class:`Placement`, an
interned (device, dtype) pair that is also the dispatcher's cache key.  Operators are
attached from the op table by ``_elementwise`` (arithmetic, comparisons, bitwise) and
by the namespace modules (``@``), so there is one code path per op.
"""

from __future__ import annotations

import math
import operator
from typing import Any

from . import _casting, _dtypes, _env
from ._device import Device
from ._errors import HalDeviceError, HalIndexError, HalTypeError, HalValueError, translate
from ._ndarray_methods import install_numpy_methods

__all__ = ["Array", "Placement", "new_array", "call_placed", "resolve_placed"]

# every Array API revision ``__array_namespace__`` answers for (hal implements the
# newest; older ones get a view with their list returns: hal/_versions.py)
SUPPORTED_API_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12", "2025.12")
_NAMESPACES: dict = {}   # api_version -> namespace, filled by hal/_versions.py

# The C base class holds the two slots and runs the operators' cache-hit path
# (hal/_speedups.c); without it the same path runs in Python.
try:
    if _env.flag(_env.HAL_NO_SPEEDUPS):
        raise ImportError("HAL_NO_SPEEDUPS=1")
    from . import _speedups
except ImportError:
    _speedups = None
_ArrayBase = object if _speedups is None else _speedups.ArrayBase


#: NumPy's scalar types of hal's real dtypes: a 0-D result the NumPy device holds as
#: one of these converts with float()/int()/bool() directly, as ``.item()`` would
#: (NumPy's reductions return them; no other backend's natives are NumPy scalars)
_REAL_HOST_SCALARS = frozenset(d.numpy.type for d in _dtypes.ALL if d.kind in "biuf")


class Placement:
    """An interned (device, dtype) pair: where an array lives and what it holds."""

    __slots__ = ("device", "dtype")

    _interned: dict[tuple[Device, _dtypes.DType], Placement] = {}
    #: device -> its placements by dtype code: the lookup of ``of`` without hashing a
    #: DType (its ``__hash__`` is Python code, equal to its NumPy dtype's)
    _by_code: dict[Device, list] = {}

    @classmethod
    def of(cls, device: Device, dtype: _dtypes.DType) -> Placement:
        row = cls._by_code.get(device)
        if row is not None:
            p = row[dtype.code]
            if p is not None:
                return p
        p = cls._interned.get((device, dtype))
        if p is None:
            p = object.__new__(cls)
            p.device = device
            p.dtype = dtype
            cls._interned[(device, dtype)] = p
        cls._by_code.setdefault(device, [None] * len(_dtypes.BY_CODE))[dtype.code] = p
        return p

    def __repr__(self) -> str:
        return f"Placement({self.device}, {self.dtype.name})"


class Array(_ArrayBase):
    """An n-dimensional array on one device.

    Create arrays with ``hal.asarray``, ``hal.zeros`` and the other creation
    functions, never with ``hal.Array(...)``.
    """

    __slots__ = ("_native", "_p", "__weakref__") if _speedups is None else ()

    def __init__(self, *args, **kwargs):
        raise HalTypeError("hal.Array cannot be created directly; use hal.asarray(obj, "
                        "device=...) or another creation function")

    # -- attributes ---------------------------------------------------------

    @property
    def dtype(self) -> _dtypes.DType:
        return self._p.dtype

    @property
    def device(self) -> Device:
        return self._p.device

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self._native.shape)

    @property
    def ndim(self) -> int:
        return len(self._native.shape)

    @property
    def size(self) -> int:
        return math.prod(self._native.shape)

    @property
    def T(self) -> Array:
        if self.ndim != 2:
            raise HalValueError(f"Array.T: only for 2-D arrays, this one is {self.ndim}-D; "
                                f"use x.mT or hal.permute_dims(x, axes)")
        from ._manipulation import permute_dims
        return permute_dims(self, (1, 0))

    @property
    def mT(self) -> Array:
        from ._linalg_functions import matrix_transpose
        return matrix_transpose(self)

    # -- conversions --------------------------------------------------------

    def _scalar(self, kind: str):
        if self.ndim != 0:
            raise HalTypeError(f"{kind}(): only 0-D arrays convert to Python scalars, "
                               f"this one has shape {self.shape}; index it first, e.g. x[0]")
        return self._p.device.runtime.to_host(self._native).item()

    def __bool__(self) -> bool:
        native = self._native
        if native.__class__ in _REAL_HOST_SCALARS:
            return bool(native)
        return bool(self._scalar("bool"))

    def __int__(self) -> int:
        native = self._native
        if native.__class__ in _REAL_HOST_SCALARS:
            return int(native)
        if self._p.dtype.kind == "c":
            raise HalTypeError("int(): cannot convert a complex array; take real(x) first")
        return int(self._scalar("int"))

    def __float__(self) -> float:
        native = self._native
        if native.__class__ in _REAL_HOST_SCALARS:
            return float(native)
        if self._p.dtype.kind == "c":
            raise HalTypeError("float(): cannot convert a complex array; take real(x) first")
        return float(self._scalar("float"))

    def __complex__(self) -> complex:
        return complex(self._scalar("complex"))

    def __index__(self) -> int:
        if self._p.dtype.kind not in "iu":
            raise HalTypeError(f"__index__: only integer arrays can be used as an index, "
                               f"this one is {self._p.dtype}")
        return int(self._scalar("__index__"))

    def __array__(self, dtype=None, copy=None):
        # NumPy 2's protocol: copy=True always copies, copy=False never does (and
        # raises when it would have to), None copies only when it must.  Memory the
        # host addresses (devices with the host_memory feature: NumPy, CPU OpenCL and
        # SYCL devices) is handed out as a zero-copy view, kept in step with queued
        # work by the plugin; true device memory never moves to the host silently.
        device = self._p.device
        if "host_memory" not in device.info.capabilities.features:
            raise HalDeviceError(
                f"np.asarray: this array is on {device}, whose memory the host cannot "
                f"address; hal never moves data to the host silently. Use "
                f"np.from_dlpack(x, device='cpu') (a copy) or x.to_device('numpy') first")
        import numpy as np
        rt = device.runtime
        want = None if dtype is None else np.dtype(dtype)
        if copy:
            host = rt.to_host(self._native)
            # a backend whose arrays are NumPy arrays hands its own memory back
            return np.array(host, dtype=want, copy=rt.is_native(host) or None)
        try:
            view = rt.host_view(self._native)
        except BufferError as exc:
            raise HalDeviceError(f"np.asarray: arrays on {device} cannot be viewed from "
                                 f"the host ({exc}); use x.to_device('numpy')") from exc
        except Exception as exc:
            raise translate(exc, "__array__", device) from exc
        if want is None or want == view.dtype:
            return view
        if copy is False:
            raise HalValueError(
                f"np.asarray(x, dtype={want}, copy=False): x is {self._p.dtype} on "
                f"{device}; a view cannot change the dtype. Use copy=None or "
                f"hal.astype(x, ...) first")
        return view.astype(want)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise HalTypeError("len() of a 0-D array")
        return self._native.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise HalTypeError("iteration over a 0-D array")
        for i in range(self._native.shape[0]):
            yield self[i]

    def __hash__(self):
        raise HalTypeError("hal.Array is unhashable (arrays are mutable); key on id(x) "
                           "or on a tuple of its values instead")

    # -- namespace, devices, DLPack -----------------------------------------

    def __array_namespace__(self, *, api_version: str | None = None):
        ns = _NAMESPACES.get(api_version) if api_version.__class__ in (str, type(None)) \
            else None
        if ns is None:
            if api_version is not None and api_version not in SUPPORTED_API_VERSIONS:
                raise HalValueError(
                    f"__array_namespace__: api_version {api_version!r} is not supported; "
                    f"hal implements {', '.join(SUPPORTED_API_VERSIONS)}")
            from . import _versions
            ns = _versions.namespace(api_version or _versions.CURRENT)
            _NAMESPACES[api_version] = ns
        return ns

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        rt = self._p.device.runtime
        try:
            return rt.dlpack(self._native, stream=stream, max_version=max_version,
                             dl_device=dl_device, copy=copy)
        except BufferError:
            raise
        except Exception as exc:
            raise translate(exc, "__dlpack__", self._p.device) from exc

    def __dlpack_device__(self) -> tuple[int, int]:
        return self._p.device.runtime.dlpack_device(self._native)

    @property
    def __cuda_array_interface__(self) -> dict:
        """The CUDA array interface (zero-copy for Numba, PyTorch ...) where the
        backend has one (CuPy); an AttributeError elsewhere, so ``hasattr`` says no."""
        export = getattr(self._p.device.runtime, "cuda_array_interface", None)
        if export is None:
            raise AttributeError(f"__cuda_array_interface__: arrays on {self._p.device} "
                                 f"are not in CUDA memory")
        return export(self._native)

    def to_device(self, device, /, *, stream=None) -> Array:
        """This array on ``device`` (a copy if it is elsewhere; ``self`` if already there)."""
        from ._devices import as_device
        target = as_device(device, "to_device")
        src = self._p.device
        if target is src:
            return self
        dtype = self._p.dtype
        if dtype not in target.dtypes:  # before paying for the copy
            from ._dispatch import dtype_error
            raise dtype_error("to_device", target, dtype)
        try:
            host_copy = src.runtime.to_host(self._native)
        except Exception as exc:
            raise translate(exc, "to_device", src) from exc
        try:
            native = target.runtime.from_host(host_copy, target.index)
        except Exception as exc:
            raise translate(exc, "to_device", target) from exc
        return new_array(native, Placement.of(target, dtype))

    # -- NumPy's protocols (hal/_numpy_protocols.py): np.exp(x), np.sum(x) run hal's
    # op on x's device; np_array + x raises a HalTypeError, as x + np_array does ---

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from ._numpy_protocols import array_ufunc
        return array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from ._numpy_protocols import array_function
        return array_function(func, types, args, kwargs)

    # -- pickling and copying (hal/_pickle.py) -------------------------------

    def __reduce__(self):
        from . import _pickle
        return _pickle.reduce(self)

    def __copy__(self) -> Array:
        from . import _pickle
        return _pickle.copy(self)

    def __deepcopy__(self, memo) -> Array:
        from . import _pickle
        return _pickle.copy(self)

    # -- printing -----------------------------------------------------------

    def __repr__(self) -> str:
        import numpy as np
        host = np.asarray(self._p.device.runtime.to_host(self._native))
        body = np.array2string(host, separator=", ", prefix="Array(")
        return f"Array({body}, dtype={self._p.dtype.name}, device='{self._p.device}')"

    def __str__(self) -> str:
        import numpy as np
        return str(np.asarray(self._p.device.runtime.to_host(self._native)))

    # -- indexing -----------------------------------------------------------

    def _getitem(self, key) -> Array:
        # Array.__getitem__ in pure-Python mode; the C base's fallback for keys
        # other than an int or a slice.  Keys holding index arrays are a separate op
        # ("getitem_advanced"), so a device can do basic indexing natively (views)
        # and still take the fallback policy's path for gathers it has no kernel for.
        cls = key.__class__
        o = _GETITEM
        if cls is not int and cls is not slice:
            key, advanced = _native_key(self, key, "__getitem__")
            if advanced:
                o = _GETITEM_ADVANCED
        p = self._p
        entry = o.cache.get(p)
        if entry is None:
            entry = resolve_placed(o, p)
        try:
            native = entry(self._native, key)
        except Exception as exc:
            raise translate(exc, "__getitem__", p.device) from exc
        return new_array(native, p)

    def _setitem(self, key, value) -> None:
        # Array.__setitem__ in pure-Python mode; the C base's fallback for keys other
        # than basic ones, values not of x's placement, and cache misses
        p = self._p
        o = _SETITEM
        if key.__class__ is not int and key.__class__ is not slice:
            key, advanced = _native_key(self, key, "__setitem__")
            if advanced:
                o = _SETITEM_ADVANCED
        value = _setitem_value(self, value)
        entry = o.cache.get(p)
        if entry is None:
            entry = resolve_placed(o, p)
        try:
            self._native = entry(self._native, key, value)
        except Exception as exc:
            raise translate(exc, "__setitem__", p.device) from exc


# NumPy-style methods (x.sum(), x.astype(d) ...) for NumPy-API code such as Dask's
install_numpy_methods(Array)

_new = object.__new__


def _new_array_py(native: Any, placement: Placement) -> Array:
    a = _new(Array)
    a._native = native
    a._p = placement
    return a


if _speedups is None:
    new_array = _new_array_py
    Array.__getitem__ = Array._getitem
    Array.__setitem__ = Array._setitem
else:
    new_array = _speedups.wrap


def _index_array(x: Array, idx: Array, op: str):
    if idx._p.device is not x._p.device:
        raise HalDeviceError(f"{op}: the index is on {idx._p.device}, the array on "
                             f"{x._p.device}; move it: idx.to_device(x.device)")
    if idx._p.dtype.kind not in "iub":
        raise HalIndexError(f"{op} on {x._p.device}: index arrays must be integer or "
                            f"bool, got {idx._p.dtype}; cast it first: hal.astype(idx, "
                            f"x.device.default_index)")
    return idx._native


def _native_key(x: Array, key, op: str) -> tuple[object, bool]:
    """Validate an index, swap hal Arrays in it for native arrays, and say whether it
    holds any (an "advanced" index, a gather or scatter rather than a view)."""
    parts = key if key.__class__ is tuple else (key,)
    native = []
    advanced = False
    for k in parts:
        n = _native_key_part(x, k, op)
        # bool scalars index like a mask (numpy semantics), so they count as advanced
        advanced = advanced or k.__class__ in (Array, bool) or isinstance(k, list)
        native.append(n)
    return (tuple(native) if key.__class__ is tuple else native[0]), advanced


def _native_key_part(x: Array, k, op: str):
    if k is None or k is Ellipsis or k.__class__ in (int, slice, bool):
        return k
    if k.__class__ is Array:
        return _index_array(x, k, op)
    if isinstance(k, list):
        from ._creation import asarray
        return _index_array(x, asarray(k, device=x._p.device), op)
    try:
        return operator.index(k)
    except TypeError:
        raise HalIndexError(
            f"{op} on {x._p.device}: {type(k).__name__} is not a valid index; use ints, "
            f"slices, None, ..., or integer/bool hal Arrays on the same device") from None


def _setitem_value(x: Array, value):
    if value.__class__ is Array:
        if value._p.device is not x._p.device:
            raise HalDeviceError(f"__setitem__: the value is on {value._p.device}, the array "
                                 f"on {x._p.device}; move it: v.to_device(x.device)")
        src, dst = value._p.dtype, x._p.dtype
        if src is not dst and _dtypes.PROMOTION[src.code][dst.code] is not dst:
            raise HalTypeError(f"__setitem__: cannot store {src} values in a {dst} array "
                               f"without losing information; cast first with astype")
        return value._native
    if isinstance(value, (bool, int, float, complex)):
        kind = x._p.dtype.kind
        if (isinstance(value, complex) and kind != "c") or (
                isinstance(value, float) and kind in "biu") or (
                not isinstance(value, bool) and isinstance(value, int) and kind == "b"):
            raise HalTypeError(f"__setitem__: cannot store a Python "
                               f"{type(value).__name__} in a {x._p.dtype} array")
        # an int beyond x's dtype: the same error on every device (README, "Behaviour
        # the standard leaves to the implementation")
        _casting.check_int_scalar(value, x._p.dtype, x._p.device, "__setitem__",
                         "store it in an array of a dtype that holds it, e.g. "
                         "hal.astype(x, {dtype})")
        return value
    raise HalTypeError(f"__setitem__: the value must be a hal Array or a Python scalar, "
                       f"got {type(value).__name__}; use hal.asarray(value, device=x.device)")


def resolve_placed(o, placement):
    """The kernel of one-input op ``o`` for an array of ``placement``, cached under the
    placement itself (the C fast path's key for indexing).  An interned placement
    hashes by identity: a lookup costs no tuple and no ``DType.__hash__`` call, a
    fifth of a small op's time on the NumPy device.  Only for ops whose result has
    the input's placement or whose caller computes the result's itself."""
    from ._dispatch import resolve
    fn, res = resolve(o, placement.device, (placement.dtype,))
    o.cache[placement] = fn
    o.resolutions[placement] = res
    return fn


def call_placed(o, p: Placement, *args, **kwargs) -> Array:
    """Run generic op ``o`` on an array of placement ``p`` whose result has placement
    ``p`` too (reshape, concat, max, sort ...): the kernel cached per placement
    (``resolve_placed``), its native result wrapped without asking the runtime for
    its dtype.  Errors become hal errors naming the op, as in ``_dispatch.call``."""
    fn = o.cache.get(p)
    if fn is None:
        fn = resolve_placed(o, p)
    try:
        native = fn(*args, **kwargs)
    except Exception as exc:
        raise translate(exc, o.name, p.device) from exc
    return new_array(native, p)


def _late_bind():
    global _GETITEM, _SETITEM, _GETITEM_ADVANCED, _SETITEM_ADVANCED
    from ._dispatch import op
    _GETITEM = op("getitem")
    _SETITEM = op("setitem")
    _GETITEM_ADVANCED = op("getitem_advanced")
    _SETITEM_ADVANCED = op("setitem_advanced")
