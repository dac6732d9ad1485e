"""hal's NumPy backend: the CPU reference every other backend is checked against.

Registered through the ``hal.plugins`` entry point group like any third-party plugin.
Where NumPy already follows the Array API standard the kernel simply *is* the NumPy
function (no wrapper, as in array-api-compat); ``_kernels`` adapts the few that differ.
"""

from __future__ import annotations

import os

import hal
from hal import hookimpl

BACKEND = "numpy"


@hookimpl
def hal_backends():
    return [hal.BackendSpec(name=BACKEND, priority=0,
                            description="NumPy on the CPU (the reference backend)",
                            install_hint="pip install numpy")]


@hookimpl
def hal_backend_available(backend):
    if backend != BACKEND:
        return None
    return hal.Availability(available=True)


@hookimpl
def hal_devices(backend):
    if backend != BACKEND:
        return None
    import numpy as np

    from ._runtime import memory_bytes
    caps = hal.Capabilities(
        dtypes=tuple(d.name for d in hal.all_dtypes()),
        features=frozenset({"fp64", "fp16", "dlpack", "host_memory", "unified_memory"}),
        max_dimensions=64,
    )
    return [hal.DeviceInfo(
        backend=BACKEND, index=0, name="CPU (NumPy)", vendor="NumPy",
        platform=f"NumPy {np.__version__}", device_type="cpu",
        memory_bytes=memory_bytes(), compute_units=os.cpu_count(),
        # NumPy refuses arrays of more bytes than an intp holds ("array is too big")
        max_allocation_bytes=int(np.iinfo(np.intp).max),
        driver_version=np.__version__, capabilities=caps)]


@hookimpl
def hal_runtime(backend):
    if backend != BACKEND:
        return None
    from ._runtime import NumpyRuntime
    return NumpyRuntime()


@hookimpl
def hal_register_kernels(backend, registry):
    if backend != BACKEND:
        return
    from ._kernels import register
    register(registry)
