"""Data movement for the OpenCL backend: host copies, DLPack, synchronisation."""

from __future__ import annotations

import numpy as np

from hal import Runtime

from ._array import CLArray
from ._state import _STATES, state_of


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

    def device_index_of(self, native):
        return native.state.hal_device.index

    def from_host(self, host, device_index, *, copy=True):
        return self._state(device_index).from_host(np.asarray(host))

    def to_host(self, native):
        return native.state.to_host(native)

    def synchronize(self, device_index):
        self._state(device_index).queue.finish()

    # DLPack: OpenCL has no DLPack device type, and a CL buffer is not host memory
    # even on CPU drivers (mapping it would be a copy with a lifetime to manage), so
    # export raises BufferError and hal.from_dlpack / to_device copy instead.
    def dlpack(self, native, *, stream=None, max_version=None, dl_device=None, copy=None):
        if copy:
            host = self.to_host(native)
            kwargs = {} if max_version is None else {"max_version": max_version}
            return host.__dlpack__(**kwargs)
        raise BufferError(
            f"__dlpack__: arrays on {native.state.hal_device} (OpenCL) cannot be shared "
            f"zero-copy; pass copy=True, or use x.to_device('numpy')")

    def dlpack_device(self, native):
        raise BufferError(f"__dlpack_device__: arrays on {native.state.hal_device} "
                          f"(OpenCL) have no DLPack device; use x.to_device('numpy')")

    def from_dlpack(self, obj, device_index, copy):
        if copy is False:
            raise BufferError("from_dlpack: copy=False is impossible onto an OpenCL device")
        return self.from_host(np.from_dlpack(obj), device_index)
