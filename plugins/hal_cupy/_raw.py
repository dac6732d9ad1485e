"""Portable kernels from ``kernels/`` on CUDA and ROCm, through ``cupy.RawModule``.

The source hal hands over already carries its prelude (``kernels/prelude/cuda.h``, or
``hip.h`` on CuPy's ROCm build) and every include inlined.  CuPy compiles it with
NVRTC (hipRTC on ROCm) and keeps the binary in its own kernel cache
(``CUPY_CACHE_DIR``), keyed by source, options, architecture and compiler version.
"""

from __future__ import annotations

import hal

from ._devices import cupy

class KernelBuildError(hal.HalError, RuntimeError):
    """A portable kernel failed to compile on a CuPy device; carries the build log."""


class Program:
    """A compiled module.  ``kernel_names`` stays empty: ``RawModule`` does not list
    the functions it built, so ``hal kernels check`` checks the build only here; the
    device-free check (``--target cuda|hip`` without ``--device``) checks every kernel
    name of the manifest against the PTX / code object."""

    def __init__(self, module, kernel_names: str):
        self.module = module
        self.kernel_names = kernel_names

    def function(self, name: str):
        return self.module.get_function(name)


def compile_module(device_index: int, name: str, source: str, options) -> Program:
    cp = cupy()
    with cp.cuda.Device(device_index):
        module = cp.RawModule(code=source, options=tuple(options) + ("--std=c++17",))
        try:
            module.compile()
        except cp.cuda.compiler.CompileException as exc:
            raise KernelBuildError(f"building {name} on cupy:{device_index} failed:\n"
                                   f"{exc.get_message()}") from None
    return Program(module, "")
