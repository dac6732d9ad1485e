"""hal's oneAPI backend, through dpnp and dpctl: SYCL devices (Intel GPUs and CPUs).

Registered through the ``hal.plugins`` entry point group like any third-party plugin.
dpctl and dpnp are imported only when a oneAPI device is first asked for (never at
``import hal``); before that, ``_setup`` makes Intel's OpenCL CPU runtime from PyPI
visible to the SYCL runtime, so ``pip install -e ".[oneapi,intel]"`` is all a
machine without an Intel GPU needs to get the device ``oneapi:0`` (``opencl:cpu:0``
in SYCL's words).
"""

from __future__ import annotations

import importlib.util

import hal
from hal import hookimpl

BACKEND = "oneapi"
INSTALL = ('pip install "hal-arrays[oneapi,intel]"  (dpnp and dpctl; [intel] adds Intel\'s '
           'OpenCL CPU runtime, a SYCL device on any x86 machine; from a checkout: '
           'pip install -e ".[oneapi,intel]")')


@hookimpl
def hal_backends():
    # between CuPy and OpenCL: ArrayFire's order (CUDA, oneAPI, OpenCL, CPU)
    return [hal.BackendSpec(name=BACKEND, priority=15,
                            description="oneAPI SYCL devices through dpnp and dpctl",
                            install_hint=INSTALL)]


@hookimpl
def hal_backend_available(backend):
    if backend != BACKEND:
        return None
    for module in ("dpctl", "dpnp"):
        if importlib.util.find_spec(module) is None:
            return hal.Availability(available=False, reason=f"{module} is not installed",
                                    fix=INSTALL)
    from . import _setup
    try:
        dpctl = _setup.dpctl()
        _setup.dpnp()
        from ._devices import sycl_devices
        found = sycl_devices()
    except Exception as exc:  # a broken SYCL runtime or driver: report, never raise
        return hal.Availability(
            available=False,
            reason=f"the SYCL runtime failed: {type(exc).__name__}: {exc}",
            fix="check the driver with `hal doctor` and `python -m dpctl -f`; reinstall "
                "with " + INSTALL)
    if not found:
        import os
        selector = os.environ.get("ONEAPI_DEVICE_SELECTOR")
        why = (f"ONEAPI_DEVICE_SELECTOR={selector!r} selects no device" if selector else
               "no SYCL device is visible (no GPU driver, no OpenCL CPU runtime)")
        setup = "; ".join(_setup.REPORT)
        return hal.Availability(
            available=False,
            reason=f"dpctl {dpctl.__version__} found no SYCL device: {why}"
                   + (f" [{setup}]" if setup else ""),
            fix=("unset ONEAPI_DEVICE_SELECTOR or name a device `python -m dpctl -f` "
                 "lists" if selector else INSTALL))
    return hal.Availability(available=True)


@hookimpl
def hal_devices(backend):
    if backend != BACKEND:
        return None
    from ._devices import device_infos
    return device_infos()


@hookimpl
def hal_runtime(backend):
    if backend != BACKEND:
        return None
    from ._runtime import OneAPIRuntime
    return OneAPIRuntime()


@hookimpl
def hal_register_kernels(backend, registry):
    if backend != BACKEND:
        return
    from . import _copies, _kernels, _portable_ops, _statistics
    from ._serial import SerializedRegistrar
    registry = SerializedRegistrar(registry)  # dpnp is not thread-safe: see _serial
    _kernels.register(registry)
    _portable_ops.register(registry)
    _copies.register(registry)
    _statistics.register(registry)


@hookimpl
def hal_compile_kernel(backend, device_index, name, source, options):
    """Build portable kernel source (OpenCL C, from ``kernels/``) for one SYCL device."""
    if backend != BACKEND:
        return None
    from ._programs import build
    return build(device_index, name, source, options)
