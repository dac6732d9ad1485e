"""hal's OpenCL backend, through PyOpenCL: PoCL, Intel, AMD, NVIDIA OpenCL drivers.

Registered through the ``hal.plugins`` entry point group like any third-party plugin.
PyOpenCL is imported only when an OpenCL device is first asked for; before that,
``_icd`` makes Intel's OpenCL CPU runtime from PyPI visible to the ICD loader.
"""

from __future__ import annotations

import importlib.util

import hal
from hal import hookimpl

BACKEND = "opencl"
INSTALL = ('pip install "hal-arrays[opencl]"  (PyOpenCL with PoCL; [intel] adds Intel\'s '
           'runtime; from a checkout: pip install -e ".[opencl]")')


@hookimpl
def hal_backends():
    return [hal.BackendSpec(name=BACKEND, priority=10,
                            description="OpenCL devices through PyOpenCL",
                            install_hint=INSTALL)]


@hookimpl
def hal_backend_available(backend):
    if backend != BACKEND:
        return None
    if importlib.util.find_spec("pyopencl") is None:
        return hal.Availability(available=False, reason="PyOpenCL is not installed",
                                fix=INSTALL)
    from . import _platform
    try:
        cl = _platform.cl()
        pairs = _platform.devices()
    except Exception as exc:  # a broken ICD or driver: report, never raise
        return hal.Availability(
            available=False, reason=f"the OpenCL runtime failed: {type(exc).__name__}: {exc}",
            fix="check the driver with `hal doctor`; reinstall with " + INSTALL)
    if not pairs:
        return hal.Availability(
            available=False, reason=f"PyOpenCL {cl.VERSION_TEXT} found no OpenCL device "
            f"(no ICD registered)", fix=INSTALL)
    return hal.Availability(available=True)


@hookimpl
def hal_devices(backend):
    if backend != BACKEND:
        return None
    from . import _platform
    from ._devices import device_infos
    return device_infos(_platform.cl())


@hookimpl
def hal_runtime(backend):
    if backend != BACKEND:
        return None
    from ._runtime import OpenCLRuntime
    return OpenCLRuntime()


@hookimpl
def hal_register_kernels(backend, registry):
    if backend != BACKEND:
        return
    # one module per kernel family, each registering its ops
    from . import _kernels
    _kernels.register(registry)
    from . import _linalg; _linalg.register(registry)  # noqa: E702
    from . import _reduce; _reduce.register(registry)  # noqa: E702
    from . import _indexing; _indexing.register(registry)  # noqa: E702


@hookimpl
def hal_compile_kernel(backend, device_index, name, source, options):
    """Compile portable kernel source for one OpenCL device (``hal kernels check``)."""
    if backend != BACKEND:
        return None
    import warnings

    from ._state import state_of
    state = state_of(hal.get_device(f"opencl:{device_index}"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", state.cl.CompilerWarning)
        return state.build_source(source, list(options), name)
