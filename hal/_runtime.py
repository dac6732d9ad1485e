"""``Runtime``: how a backend's data meets the host, DLPack and other devices.

A plugin returns one from ``hal_runtime``.  hal calls its methods directly.  Native
arrays (what kernels take and return) must expose ``.shape`` (a tuple of ints) and
``.ndim``; hal reads nothing else from them except through this class.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._dtypes import DType

__all__ = ["Runtime"]


class Runtime:
    """Base class of a backend's data plane.  Subclass it in a plugin."""

    #: the backend this runtime serves
    backend: str = ""

    def dtype_of(self, native: Any) -> DType:
        """The hal dtype of a native array."""
        raise NotImplementedError

    def native_dtype(self, dtype: DType) -> Any:
        """The backend's dtype object for a hal dtype."""
        raise NotImplementedError

    def from_host(self, host: np.ndarray, device_index: int, *, copy: bool | None = True) -> Any:
        """Put a NumPy array on the device.

        Devices with their own memory always copy.  A host-memory backend may share
        ``host`` when ``copy`` is ``None`` (as ``asarray(copy=None)`` allows) and
        must share it when ``copy`` is ``False``.
        """
        raise NotImplementedError

    def to_host(self, native: Any) -> np.ndarray:
        """Copy a native array to a NumPy array (waits for pending work)."""
        raise NotImplementedError

    def device_index_of(self, native: Any) -> int:
        """Which device of this backend a native array lives on."""
        return 0

    def synchronize(self, device_index: int) -> None:
        """Wait for all queued work on the device."""

    def dlpack(self, native: Any, *, stream=None, max_version=None, dl_device=None,
               copy=None):
        """Export ``native`` as a DLPack capsule (``__dlpack__``)."""
        raise BufferError(f"{self.backend}: DLPack export is not supported")

    def dlpack_device(self, native: Any) -> tuple[int, int]:
        """``(device_type, device_id)`` of ``native`` as DLPack numbers it."""
        raise BufferError(f"{self.backend}: DLPack is not supported")

    def from_dlpack(self, obj: Any, device_index: int, copy: bool | None) -> Any:
        """Import any object with ``__dlpack__`` onto the device."""
        return self.from_host(np.from_dlpack(obj), device_index)

    def is_out_of_memory(self, exc: BaseException) -> bool:
        """Whether an exception of the backend's library means the device could not
        allocate (out of memory, or an allocation larger than it takes).  hal turns
        such errors into ``hal.HalMemoryError``; ``MemoryError`` always counts."""
        return False

    def is_native(self, obj: Any) -> bool:
        """Whether ``obj`` is one of this backend's native arrays."""
        return False
