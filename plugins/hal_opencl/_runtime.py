"""Data movement for the OpenCL backend: host copies, DLPack, synchronisation."""

from __future__ import annotations

import numpy as np

from hal import Runtime

from ._array import CLArray
from ._state import _STATES, state_of

_KDLCPU, _KDLOPENCL = 1, 4  # DLPack's DLDeviceType values


class OpenCLRuntime(Runtime):
    backend = "opencl"

    def __init__(self):
        import hal
        self._hal = hal

    def _state(self, index: int):
        state = _STATES.get(index)  # the common case: the device is already in use
        return state if state is not None else state_of(
            self._hal.get_device(f"opencl:{index}"))

    def dtype_of(self, native):
        return native.dtype

    def native_dtype(self, dtype):
        return dtype

    def is_native(self, obj):
        return obj.__class__ is CLArray

    def is_out_of_memory(self, exc):
        import pyopencl as cl  # loaded already: an OpenCL op raised
        from ._context import out_of_memory
        return out_of_memory(cl, exc)

    def device_index_of(self, native):
        return native.state.hal_device.index

    def from_host(self, host, device_index, *, copy=True):
        return self._state(device_index).from_host(np.asarray(host))

    def to_host(self, native):
        return native.state.to_host(native)

    def synchronize(self, device_index):
        self._state(device_index).queue.finish()

    # device times for hal.trace(device_times=True): OpenCL profiling events
    def profile(self, device_index, enable: bool) -> None:
        self._state(device_index).set_profiling(enable)

    def profiled(self, device_index) -> list[tuple[str, float]]:
        return self._state(device_index).take_profile()

    def host_view(self, native):
        if not native.state.is_cpu:
            raise BufferError(self._no_zero_copy(native))
        from ._hostview import host_view
        return host_view(native)

    # DLPack.  A CPU device's buffers are host memory: mapping one gives the host a
    # pointer to the same bytes (no copy), so those arrays export as kDLCPU and NumPy,
    # PyTorch ... read them in place.  Other devices have no DLPack device type that
    # consumers import (kDLOpenCL), so only an explicit copy to the host is offered.
    def dlpack(self, native, *, stream=None, max_version=None, dl_device=None, copy=None):
        kwargs = {} if max_version is None else {"max_version": max_version}
        if dl_device is not None and tuple(dl_device) != (_KDLCPU, 0):
            raise BufferError(f"__dlpack__: arrays on {native.state.hal_device} export to "
                              f"the host (dl_device=(1, 0)) only, not {dl_device}")
        if not copy and native.state.is_cpu:  # host memory already: share it
            from ._hostview import host_view
            return host_view(native).__dlpack__(**kwargs)
        if copy or (copy is None and dl_device is not None):  # a host copy was asked for
            return self.to_host(native).__dlpack__(**kwargs)
        raise BufferError(self._no_zero_copy(native))

    @staticmethod
    def _no_zero_copy(native) -> str:
        return (f"__dlpack__: arrays on {native.state.hal_device} (OpenCL, "
                f"{native.state.device.name.strip()}) are not in host memory; pass "
                f"dl_device=(1, 0), copy=True for a host copy, or use x.to_device('numpy')")

    def dlpack_device(self, native):
        if native.state.is_cpu:
            return (_KDLCPU, 0)
        return (_KDLOPENCL, native.state.hal_device.index)

    def from_dlpack(self, obj, device_index, copy):
        if copy is False:
            raise BufferError("from_dlpack: copy=False is impossible onto an OpenCL device")
        return self.from_host(np.from_dlpack(obj), device_index)
