"""hal-example-restricted: a NumPy-backed hal backend with a restricted profile.

This module is the plugin: hal finds it through the ``hal.plugins`` entry point
(``example = "hal_example_restricted"`` in pyproject.toml) and calls the
``@hal.hookimpl`` functions below, each once (per process, backend or device), never
once per op.  Everything an op needs at run time is handed over as plain objects:
the :class:`~hal_example_restricted._runtime.ExampleRuntime` (data movement) and the
kernels registered in :mod:`hal_example_restricted._kernels`.

The module imports only ``hal``: a vendor plugin imports its vendor library in
``hal_backend_available`` (the first time the backend is needed), never at import.
"""

from __future__ import annotations

import hal

__version__ = "0.1.0"

#: the backend this plugin provides (device selector ``example``)
BACKEND = "example"

#: what the device can hold: no float64, no float16, no complex
DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
          "uint64", "float32")

#: ops the device runs on the host by design (hal.explain and hal.trace show it)
HOST_OPS = frozenset({"sort", "argsort"})


def capabilities() -> hal.Capabilities:
    """The device's capability profile: the promise the conformance kit checks."""
    return hal.Capabilities(
        dtypes=DTYPES,
        # no "host_memory": its buffers are treated as device memory (always copied)
        features=frozenset({"atomics"}),
        max_dimensions=32,
        host_fallback_ops=HOST_OPS,
    )


@hal.hookimpl
def hal_backends():
    return [hal.BackendSpec(
        name=BACKEND, priority=-10,
        description="hal's example plugin: NumPy memory, float32 only, few kernels",
        install_hint="pip install -e examples/hal-example-restricted")]


@hal.hookimpl
def hal_backend_available(backend):
    if backend != BACKEND:
        return None
    try:
        import numpy  # noqa: F401  (a vendor plugin imports its SDK here)
    except ImportError as exc:  # never raise from this hook: say why, and the fix
        return hal.Availability(available=False, reason=f"numpy is missing: {exc}",
                                fix="pip install numpy")
    return hal.Availability(available=True)


@hal.hookimpl
def hal_devices(backend):
    if backend != BACKEND:
        return None
    return [hal.DeviceInfo(
        backend=BACKEND, index=0, name="Example Restricted Device",
        vendor="hal examples", platform=f"hal-example-restricted {__version__}",
        device_type="cpu",            # a CPU device is never hal's default device
        compute_units=1, driver_version=__version__,
        capabilities=capabilities())]


@hal.hookimpl
def hal_runtime(backend):
    if backend != BACKEND:
        return None
    from ._runtime import ExampleRuntime
    return ExampleRuntime()


@hal.hookimpl
def hal_register_kernels(backend, registry):
    if backend != BACKEND:
        return
    from ._kernels import register
    register(registry)
