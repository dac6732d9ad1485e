"""Data movement for the NumPy backend: the host *is* the device."""

from __future__ import annotations

import os

import numpy as np

import hal
from hal import Runtime

_FROM_NUMPY = {d.numpy: d for d in hal.all_dtypes()}
#: NumPy's messages for an array of more bytes than an intp holds
_TOO_BIG = ("array is too big", "Maximum allowed size exceeded")


def memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


class NumpyRuntime(Runtime):
    backend = "numpy"

    def dtype_of(self, native):
        return _FROM_NUMPY[native.dtype]

    def native_dtype(self, dtype):
        return dtype.numpy

    def from_host(self, host, device_index, *, copy=True):
        return np.array(host, copy=copy)

    def to_host(self, native):
        return np.asarray(native)

    def host_view(self, native):
        return np.asarray(native)  # the memory is the host's already

    def is_native(self, obj):
        return isinstance(obj, (np.ndarray, np.generic))

    def is_out_of_memory(self, exc):
        # NumPy raises ValueError, not MemoryError, for more bytes than an intp holds
        return isinstance(exc, ValueError) and any(m in str(exc) for m in _TOO_BIG)

    def dlpack(self, native, *, stream=None, max_version=None, dl_device=None, copy=None):
        kwargs = {}
        if max_version is not None:
            kwargs["max_version"] = max_version
        if dl_device is not None:
            kwargs["dl_device"] = dl_device
        if copy is not None:
            kwargs["copy"] = copy
        return np.asarray(native).__dlpack__(stream=stream, **kwargs)

    def dlpack_device(self, native):
        return (1, 0)  # kDLCPU, device 0

    def from_dlpack(self, obj, device_index, copy):
        return np.from_dlpack(obj, copy=copy)
