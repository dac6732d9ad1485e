"""Portable kernels from ``kernels/`` on SYCL devices, through dpctl's program API.

dpctl builds OpenCL C source (``dpctl.program.create_program_from_source``) only on
devices of SYCL's OpenCL backend; Level Zero and CUDA devices take SPIR-V or PTX, so
there a build is refused with ``HalNotImplementedError`` and the device does not claim
the ``raw_kernels`` feature (see ``_devices.accepts_opencl_c``).

The kernels run with ``queue.submit(kernel, args, global_range)``, as
``Program.run`` shows; arguments are dpnp arrays' USM memory and ctypes scalars.
"""

from __future__ import annotations

import hal

from . import _setup
from ._devices import accepts_opencl_c, sycl_devices
from ._queues import queue


class Program:
    """A built program on one hal device: find kernels by name and launch them."""

    def __init__(self, program, device_index: int, name: str):
        self.program = program            # dpctl.program.SyclProgram
        self.device_index = device_index
        self.name = name
        self._kernels: dict = {}          # name -> SyclKernel, looked up once

    def has_kernel(self, kernel: str) -> bool:
        return self.program.has_sycl_kernel(kernel)

    def kernel(self, kernel: str):
        found = self._kernels.get(kernel)
        if found is None:
            if not self.has_kernel(kernel):
                raise hal.HalValueError(f"{self.name}: no kernel {kernel!r} in the program")
            found = self._kernels[kernel] = self.program.get_sycl_kernel(kernel)
        return found

    def run(self, kernel: str, global_size: int, *args) -> None:
        """Launch ``kernel`` over ``global_size`` work-items and wait for it.

        ``args``: dpnp arrays (passed as their USM allocations: pair each with an
        offset argument, see :func:`element_offset`) and ctypes scalars.
        """
        arrays = [a.get_array().usm_data if hasattr(a, "get_array") else a for a in args]
        q = queue(self.device_index)
        # dpnp submits asynchronously (a copy from the host, the contiguous copies
        # of the inputs ...) on an out-of-order queue, and not every event it waits
        # for is in its order manager: wait for the queue, then run the kernel
        q.wait()
        event = q.submit(self.kernel(kernel), arrays, [global_size])
        event.wait()  # and dpnp's later work, which does not know this event, sees it done


def element_offset(array):
    """Where ``array``'s data starts in its USM allocation, in elements: the kernel's
    offset argument (dpctl passes the allocation's base pointer)."""
    return array.get_array()._element_offset


def build(device_index: int, name: str, source: str, options) -> Program:
    device = sycl_devices()[device_index]
    if not accepts_opencl_c(device):
        raise hal.HalNotImplementedError(
            f"{name}: oneapi:{device_index} ({device.name}, SYCL backend "
            f"{device.backend.name}) does not build OpenCL C; portable kernels run on "
            f"oneAPI devices of the OpenCL backend (ONEAPI_DEVICE_SELECTOR=opencl:*)")
    program_api = _setup.dpctl().program
    try:
        program = program_api.create_program_from_source(
            queue(device_index), source, " ".join(options))
    except Exception as exc:  # SyclProgramCompilationError, or a failing compiler's own
        log = str(exc).strip() or _opencl_build_log(device, source, options)
        err = hal.KernelBuildError(
            f"building {name} failed on oneapi:{device_index} ({device.name}, "
            f"{device.driver_version}) with options {' '.join(options) or '(none)'}: "
            f"{type(exc).__name__}; nothing was cached, the next build compiles again. "
            f"Build log:\n{log}")
        err.kernel, err.device, err.options, err.log = (name, f"oneapi:{device_index}",
                                                        list(options), log)
        raise err from None
    return Program(program, device_index, name)


def _opencl_build_log(device, source: str, options) -> str:
    """The compiler's log of a failed build, which dpctl does not pass on: the same
    source built by the same OpenCL driver through PyOpenCL (only after a failure)."""
    try:
        import warnings

        import pyopencl as cl
        matches = [d for p in cl.get_platforms() for d in p.get_devices()
                   if d.name.strip() == device.name.strip()
                   and d.driver_version == device.driver_version]
        if not matches:
            return ("(dpctl gives no build log and PyOpenCL sees no OpenCL device "
                    f"{device.name!r} with driver {device.driver_version})")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cl.Program(cl.Context(matches[:1]), source).build(options=list(options),
                                                               cache_dir=False)
    except ImportError:
        return "(dpctl gives no build log; install PyOpenCL to see it: pip install pyopencl)"
    except Exception as exc:
        text = str(exc)
        start = text.find("Build on ")
        end = text.find("\n(options: ")
        if start >= 0:
            text = text[text.find("\n", start) + 1:end if end > start else None]
        return text.strip()
    return "(dpctl gives no build log, and the same build through PyOpenCL succeeded)"
