"""Data movement for the CuPy backend: host copies, DLPack, CUDA array interface, streams.

Every method runs with CuPy's current device set to the hal device it is about, so a
process with several GPUs puts each array where hal says.  Work is queued on CuPy's
current stream of that device; ``synchronize`` waits for it.
"""

from __future__ import annotations

import numpy as np

import hal
from hal import Runtime

from ._devices import cupy

_FROM_NUMPY = {d.numpy: d for d in hal.all_dtypes()}
_KDL_CPU = 1


class CupyRuntime(Runtime):
    backend = "cupy"

    def __init__(self):
        self.cp = cupy()
        self._ndarray = self.cp.ndarray

    def dtype_of(self, native):
        return _FROM_NUMPY[native.dtype]

    def native_dtype(self, dtype):
        return dtype.numpy

    def is_native(self, obj):
        return obj.__class__ is self._ndarray

    def device_index_of(self, native):
        return native.device.id

    def from_host(self, host, device_index, *, copy=True):
        with self.cp.cuda.Device(device_index):
            return self.cp.asarray(host)   # always a copy: the GPU has its own memory

    def to_host(self, native):
        # ndarray.get() copies on the array's device and waits for the copy
        return native.get()

    def synchronize(self, device_index):
        with self.cp.cuda.Device(device_index):
            self.cp.cuda.get_current_stream().synchronize()

    # -- DLPack (zero-copy both ways) ------------------------------------------------

    def dlpack(self, native, *, stream=None, max_version=None, dl_device=None, copy=None):
        # CuPy implements the stream handshake and managed memory itself.  Where it
        # departs from the standard, hal adapts: a host export (dl_device=(1, 0)) with
        # copy=False raises CuPy's ValueError (the standard says BufferError), and
        # copy=True without dl_device is refused (the standard says: copy).
        kwargs = {} if max_version is None else {"max_version": max_version}
        if dl_device is not None and tuple(int(v) for v in dl_device) == (_KDL_CPU, 0):
            if copy is False:
                try:  # managed memory is host-addressable: CuPy shares it
                    return native.__dlpack__(stream=stream, dl_device=dl_device,
                                             copy=False, **kwargs)
                except (ValueError, BufferError) as exc:
                    raise BufferError(
                        f"__dlpack__: arrays on cupy:{native.device.id} live in GPU "
                        f"memory the host cannot address, and copy=False forbids a host "
                        f"copy; pass copy=None or True, or use x.to_device('numpy')"
                    ) from exc
            return self.to_host(native).__dlpack__(**kwargs)  # waits for the copy
        if copy:
            native = native.copy()
            copy = None
        return native.__dlpack__(stream=stream, dl_device=dl_device, copy=copy, **kwargs)

    def dlpack_device(self, native):
        return native.__dlpack_device__()   # (kDLCUDA=2 or kDLROCM=10, device id)

    def from_dlpack(self, obj, device_index, copy):
        with self.cp.cuda.Device(device_index):
            if obj.__dlpack_device__()[0] == _KDL_CPU:
                # host memory cannot be shared with the GPU: copy it over
                if copy is False:
                    raise BufferError(f"from_dlpack: copy=False, but the data is in host "
                                      f"memory and cupy:{device_index} is a GPU")
                return self.cp.asarray(np.from_dlpack(obj))
            native = self.cp.from_dlpack(obj, copy=copy)
        if native.device.id != device_index:
            if copy is False:
                raise BufferError(f"from_dlpack: copy=False, but the data is on GPU "
                                  f"{native.device.id}, not cupy:{device_index}")
            with self.cp.cuda.Device(device_index):
                native = self.cp.array(native, copy=True)
        return native

    # -- __cuda_array_interface__ (Numba, PyTorch, JAX ... read it without a copy) ------

    def cuda_array_interface(self, native) -> dict:
        """The CUDA array interface (version 3) of ``native``: its pointer, shape,
        strides, dtype and the stream that last wrote it."""
        return native.__cuda_array_interface__

    def from_cuda_array_interface(self, obj, device_index):
        """A zero-copy CuPy view of any object with ``__cuda_array_interface__``."""
        with self.cp.cuda.Device(device_index):
            return self.cp.asarray(obj)
