"""hal's CUDA and ROCm backend, through CuPy (NVIDIA GPUs; AMD GPUs with CuPy's ROCm build).

Registered through the ``hal.plugins`` entry point group like any third-party plugin.
Nothing here imports CuPy until a device of the ``cupy`` backend is first asked for
(``hal_backend_available``); on a machine without a GPU or driver the backend is listed
as unavailable with the reason and the fix, and nothing raises into the program.

* ``_devices``: availability, device enumeration and capabilities (CUDA runtime or HIP)
* ``_runtime``: host copies, DLPack, ``__cuda_array_interface__``, stream synchronisation
* ``_ops``: hal's op table mapped onto CuPy functions (the table the tests check)
* ``_raw``: portable kernels from ``kernels/`` through ``cupy.RawModule``
"""

from __future__ import annotations

import hal
from hal import hookimpl

BACKEND = "cupy"
INSTALL = ('pip install "hal-arrays[cuda12]" (or [cuda13], matching the driver\'s CUDA '
           'version; [rocm] for AMD GPUs; from a checkout: pip install -e ".[cuda12]")')


@hookimpl
def hal_backends():
    # priority: CuPy first, then oneAPI, then OpenCL (DESIGN.md, the default device)
    return [hal.BackendSpec(name=BACKEND, priority=30,
                            description="NVIDIA CUDA and AMD ROCm GPUs through CuPy",
                            install_hint=INSTALL)]


@hookimpl
def hal_backend_available(backend):
    if backend != BACKEND:
        return None
    from ._devices import availability
    return availability()


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
    from ._runtime import CupyRuntime
    return CupyRuntime()


@hookimpl
def hal_register_kernels(backend, registry):
    if backend != BACKEND:
        return
    from ._ops import register
    register(registry)


@hookimpl
def hal_compile_kernel(backend, device_index, name, source, options):
    """Compile portable kernel source with ``cupy.RawModule`` (``hal kernels check
    --target cuda --device cupy:0``; ``--target hip`` on ROCm)."""
    if backend != BACKEND:
        return None
    from ._raw import compile_module
    return compile_module(device_index, name, source, options)
