"""Data movement for the oneAPI backend: host copies, DLPack, synchronisation.

Native arrays are ``dpnp.ndarray`` objects allocated on the device's queue (USM
device memory).  DLPack goes through dpnp's own ``__dlpack__`` (device type
``kDLOneAPI``), so another SYCL library (dpnp, dpctl, PyTorch XPU) can share them
zero-copy.
"""

from __future__ import annotations

import numpy as np

import hal
from hal import Runtime

from . import _setup
from ._queues import index_of, queue
from ._serial import serialized, share

_FROM_NUMPY = {d.numpy: d for d in hal.all_dtypes()}
_KDL_CPU, _KDL_ONEAPI = 1, 14  # DLPack's DLDeviceType values


class OneAPIRuntime(Runtime):
    backend = "oneapi"

    def __init__(self):
        self._dpnp = _setup.dpnp()
        self._array_type = self._dpnp.ndarray
        from ._devices import device_type, sycl_devices
        from ._hostview import host_copy, host_upload
        self._single = len(sycl_devices()) == 1
        # per device: whether its USM memory (every kind) is host memory, which
        # to_host then reads through the pointer (see _hostview.host_copy)
        self._cpu = [device_type(d) == "cpu" for d in sycl_devices()]
        self._host_copy, self._host_upload = host_copy, host_upload

    def dtype_of(self, native):
        return _FROM_NUMPY[native.dtype]

    def native_dtype(self, dtype):
        return dtype.numpy

    def is_native(self, obj):
        return obj.__class__ is self._array_type

    def is_out_of_memory(self, exc):
        from dpctl.memory import USMAllocationError  # loaded with dpnp
        if isinstance(exc, USMAllocationError):
            return True
        # dpctl's size in bytes wrapped past 2**64 (a shape whose product overflows)
        return isinstance(exc, ValueError) and "bytes of request allocation" in str(exc)

    def device_index_of(self, native):
        return 0 if self._single else index_of(native.sycl_device)

    def from_host(self, host, device_index, *, copy=True):
        # device memory: always a copy (asarray refuses copy=False before this)
        host = np.asarray(host)
        if self._cpu[device_index] and host.dtype.kind in "biufc":
            return self._host_upload(host, device_index)  # USM memory is host memory
        return self._dpnp.asarray(host, sycl_queue=queue(device_index))

    def to_host(self, native):
        if self._cpu[self.device_index_of(native)]:  # USM memory is host memory
            return self._host_copy(native)
        return self._dpnp.asnumpy(native)  # waits for the work that produces it

    def synchronize(self, device_index):
        queue(device_index).wait()

    def host_view(self, native):
        from ._hostview import host_view
        return host_view(native)

    # DLPack.  Without dl_device the array exports as what it is (kDLOneAPI), so SYCL
    # libraries share it.  dl_device=(kDLCPU, 0) asks for host memory: on a CPU device
    # the USM allocation is host memory, shared zero-copy through a NumPy view (dpnp
    # itself would copy); elsewhere a host copy when copy allows one (the standard:
    # None copies if it must, False never copies, True always does).
    def dlpack(self, native, *, stream=None, max_version=None, dl_device=None, copy=None):
        kwargs = {} if max_version is None else {"max_version": max_version}
        if dl_device is not None and int(dl_device[0]) != _KDL_ONEAPI:
            if tuple(int(v) for v in dl_device) != (_KDL_CPU, 0):
                raise BufferError(f"__dlpack__: arrays on oneapi:"
                                  f"{self.device_index_of(native)} export to SYCL "
                                  f"(kDLOneAPI) or to the host (dl_device=(1, 0)) only, "
                                  f"not {tuple(dl_device)}")
            if copy:
                return self.to_host(native).__dlpack__(**kwargs)
            from ._hostview import host_view, is_host_addressable
            if is_host_addressable(native):
                return host_view(native).__dlpack__(**kwargs)
            if copy is False:
                raise BufferError(
                    f"__dlpack__: arrays on oneapi:{self.device_index_of(native)} "
                    f"({native.sycl_device.name}) live in SYCL device memory the host "
                    f"cannot address, and copy=False forbids a host copy; pass "
                    f"copy=None or True, or use x.to_device('numpy')")
            return self.to_host(native).__dlpack__(**kwargs)
        if not copy:  # zero-copy: the consumer's queue will not wait for ours
            share(native)
        return native.__dlpack__(stream=stream, max_version=max_version,
                                 dl_device=dl_device, copy=copy)

    def dlpack_device(self, native):
        return tuple(int(v) for v in native.__dlpack_device__())

    def from_dlpack(self, obj, device_index, copy):
        kind, _ = obj.__dlpack_device__()
        if int(kind) != _KDL_ONEAPI:
            # host (or another vendor's) memory: through NumPy, then onto the device
            if copy is False:
                raise BufferError(f"from_dlpack: copy=False is impossible from DLPack "
                                  f"device type {int(kind)} onto oneapi:{device_index}")
            return self.from_host(np.from_dlpack(obj), device_index)
        imported = self._dpnp.from_dlpack(obj, copy=copy)
        if not copy:  # memory the producer still holds: keep our work in step with it
            share(imported)
        q = queue(device_index)
        if imported.sycl_queue == q:
            return imported
        if copy is False and imported.sycl_device != q.sycl_device:
            raise BufferError(f"from_dlpack: the array is on {imported.sycl_device.name}, "
                              f"not on oneapi:{device_index}; copy=False forbids moving it")
        # another queue (or device): re-home it so hal's ops see one queue per device
        return imported.to_device(q)


# dpnp and dpctl are not thread-safe (see _serial): every data movement runs under the
# plugin's lock, as every kernel does.
for _name in ("from_host", "to_host", "synchronize", "host_view", "dlpack", "from_dlpack"):
    setattr(OneAPIRuntime, _name, serialized(getattr(OneAPIRuntime, _name)))
del _name
