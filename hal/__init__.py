"""hal: one Python Array API program, unchanged, on any vendor's hardware.

``import hal as xp`` is a complete Array API standard (2025.12) namespace
(``x.__array_namespace__(api_version="2024.12")`` gives the older revision's view).  Arrays live
on devices of backend plugins (NumPy, OpenCL, CuPy, oneAPI ...), found lazily through
the ``hal.plugins`` entry point group.  See ``hal.devices()``, ``hal.explain()`` and
the README.
"""

from __future__ import annotations

import math as _math

__array_api_version__ = "2025.12"
__version__ = "0.1.0"

from ._errors import (HalCacheWarning, HalDeviceError, HalError,  # noqa: E402
                      HalFallbackWarning, HalIndexError, HalMemoryError,
                      HalNotImplementedError, HalPluginError, HalRuntimeError,
                      HalTypeError, HalValueError, KernelBuildError)
from ._errors import HalOverflowError  # noqa: E402
from ._errors import HalDeviceWarning  # noqa: E402
from ._dtypes import (DType, bool, can_cast, complex64, complex128, finfo,  # noqa: E402
                      float16, float32, float64, iinfo, int8, int16, int32, int64,
                      isdtype, result_type, uint8, uint16, uint32, uint64)
from ._runtime import Runtime  # noqa: E402
from ._device import Device  # noqa: E402
from ._array import Array  # noqa: E402
from ._devices import (default_device, devices, get_device,  # noqa: E402
                       set_default_device)
from ._devices import as_device as _as_device  # noqa: E402
from ._policy import (fallback_counts, fallback_policy, get_fallback_policy,  # noqa: E402
                      set_fallback_policy)
from ._trace import trace  # noqa: E402
from ._fork import mark_fork_unsafe  # noqa: E402
from . import _dispatch, _array  # noqa: E402

_array._late_bind()

from ._elementwise import *  # noqa: E402,F401,F403
from ._elementwise import __all__ as _elementwise_all  # noqa: E402
from ._creation import *  # noqa: E402,F401,F403
from ._creation import __all__ as _creation_all  # noqa: E402
from ._manipulation import *  # noqa: E402,F401,F403
from ._manipulation import __all__ as _manipulation_all  # noqa: E402
from ._searching import *  # noqa: E402,F401,F403
from ._searching import __all__ as _searching_all  # noqa: E402
from ._statistics import *  # noqa: E402,F401,F403
from ._statistics import __all__ as _statistics_all  # noqa: E402
from ._linalg_functions import matmul, matrix_transpose, tensordot, vecdot  # noqa: E402
from . import linalg, fft  # noqa: E402
from ._info import __array_namespace_info__  # noqa: E402
from ._explain import explain  # noqa: E402
from . import _decompositions  # noqa: E402,F401  (registers the core's decompositions)
from ._jit import HalTracingError, jit  # noqa: E402
from ._lazy import lazy  # noqa: E402

e = _math.e
inf = _math.inf
nan = _math.nan
pi = _math.pi
newaxis = None


def synchronize(device=None) -> None:
    """Wait until all work queued on ``device`` (default: every active device) is done."""
    if device is not None:
        # no import statement on this path: it is part of every timed small op
        dev = _as_device(device, "synchronize")
        dev.runtime.synchronize(dev.index)
        return
    from ._plugins import host
    for state in host.backends.values():
        for dev in state.devices:
            if dev.runtime is not None:
                dev.runtime.synchronize(dev.index)


def to_device(x, device, /, *, stream=None):
    """``x`` copied to ``device`` (a ``hal.Device`` or selector): ``x.to_device(device)``.

    The one explicit way data moves between devices; hal never moves it silently.
    """
    from ._helpers import as_array
    return as_array(x, "to_device").to_device(device, stream=stream)


def to_numpy(x):
    """Copy ``x`` to a NumPy array on the host (an explicit move; never implicit)."""
    from ._helpers import as_array
    x = as_array(x, "to_numpy")
    import numpy as np
    return np.asarray(x._p.device.runtime.to_host(x._native))


def all_dtypes() -> tuple:
    """Every dtype hal knows (the standard's plus ``float16``)."""
    from ._dtypes import ALL
    return ALL


def op_table() -> dict:
    """hal's op table: qualified op name -> ``OpSpec``."""
    from ._optable import OPS
    return dict(OPS)


def op_names() -> list:
    from ._optable import op_names as names
    return names()


def register_plugin(plugin, name=None) -> None:
    """Register a plugin object (module or instance with ``@hal.hookimpl`` functions)."""
    from ._plugins import register_plugin as register
    register(plugin, name)


def unavailable_plugins() -> list:
    """Every plugin or backend that could not be used, with the reason and the fix."""
    from ._plugins import unavailable
    return unavailable()


_LAZY = {
    # pydantic models of the control plane: imported on first use, not at import hal
    "BackendSpec": "._capabilities", "Availability": "._capabilities",
    "Capabilities": "._capabilities", "DeviceInfo": "._capabilities",
    "KernelRegistrar": "._registry",
    # pluggy markers: plugins import them, ``import hal`` alone does not need pluggy
    "hookimpl": ".hookspecs", "hookspec": ".hookspecs",
    # user kernels in the portable dialect (CuPy's three forms)
    "ElementwiseKernel": "._userkernels", "ReductionKernel": "._userkernels",
    "RawKernel": "._userkernels",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'hal' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = sorted({
    "__array_api_version__", "__array_namespace_info__", "Array", "Device", "DType",
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128",
    "can_cast", "finfo", "iinfo", "isdtype", "result_type",
    "e", "inf", "nan", "pi", "newaxis", "linalg", "fft",
    "matmul", "matrix_transpose", "tensordot", "vecdot",
    *_elementwise_all, *_creation_all, *_manipulation_all, *_searching_all,
    *_statistics_all,
    # hal's own
    "devices", "get_device", "default_device", "set_default_device", "synchronize",
    "trace", "explain", "fallback_policy", "get_fallback_policy", "set_fallback_policy",
    "fallback_counts", "to_device", "to_numpy", "all_dtypes", "op_table", "op_names",
    "register_plugin", "unavailable_plugins", "hookimpl", "hookspec", "Runtime",
    "mark_fork_unsafe", "lazy", "ElementwiseKernel", "ReductionKernel", "RawKernel",
    "BackendSpec", "Availability", "Capabilities", "DeviceInfo", "KernelRegistrar",
    "HalError", "HalTypeError", "HalValueError", "HalIndexError", "HalDeviceError",
    "HalNotImplementedError", "HalPluginError", "HalMemoryError", "HalFallbackWarning",
    "HalOverflowError", "HalDeviceWarning",
    "HalCacheWarning", "KernelBuildError", "HalRuntimeError",
})
