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
_KDL_ONEAPI = 14


class OneAPIRuntime(Runtime):
    backend = "oneapi"

    def __init__(self):
        self._dpnp = _setup.dpnp()
        self._array_type = self._dpnp.ndarray
        from ._devices import sycl_devices
        self._single = len(sycl_devices()) == 1

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
        return self._dpnp.asarray(np.asarray(host), sycl_queue=queue(device_index))

    def to_host(self, native):
        return self._dpnp.asnumpy(native)  # waits for the work that produces it

    def synchronize(self, device_index):
        queue(device_index).wait()

    def dlpack(self, native, *, stream=None, max_version=None, dl_device=None, copy=None):
        if dl_device is not None and int(dl_device[0]) != _KDL_ONEAPI and not copy:
            # USM device memory is host-addressable on some CPU devices only, and dpnp
            # answers differently per DLPack version: hal never shares it with the
            # host, it copies when asked to (the standard's copy=True)
            raise BufferError(
                f"__dlpack__: arrays on oneapi:{self.device_index_of(native)} live in "
                f"SYCL device memory; pass copy=True for a host copy, or use "
                f"x.to_device('numpy')")
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
for _name in ("from_host", "to_host", "synchronize", "dlpack", "from_dlpack"):
    setattr(OneAPIRuntime, _name, serialized(getattr(OneAPIRuntime, _name)))
del _name
