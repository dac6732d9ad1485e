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

    def host_view(self, native: Any) -> np.ndarray:
        """A writable NumPy array over ``native``'s own memory, without a copy.

        hal asks for it (``np.asarray(x)``, ``__array__``) only on devices whose
        capabilities have the ``host_memory`` feature.  The view must keep the memory
        alive while NumPy holds it, and must be handed out only after the work queued
        on that memory finished; while it lives, every op that reads or writes the
        memory must finish before returning (DESIGN.md, host views).  Raise
        ``BufferError`` when the memory cannot be seen from the host.
        """
        raise BufferError(f"{self.backend}: arrays cannot be viewed from the host")

    def device_index_of(self, native: Any) -> int:
        """Which device of this backend a native array lives on."""
        return 0

    def synchronize(self, device_index: int) -> None:
        """Wait for all queued work on the device."""

    def dlpack(self, native: Any, *, stream=None, max_version=None, dl_device=None,
               copy=None):
        """Export ``native`` as a DLPack capsule (``__dlpack__``).

        The standard's contract: ``dl_device=(1, 0)`` (kDLCPU) asks for host memory,
        ``copy=None`` copies only if it must, ``copy=False`` raises ``BufferError``
        rather than copy, ``copy=True`` always copies.  This default offers the host
        copy every device can give; a plugin with a DLPack of its own overrides it.
        """
        if dl_device is not None and tuple(dl_device) == (1, 0) and copy is not False:
            kwargs = {} if max_version is None else {"max_version": max_version}
            return np.array(self.to_host(native), copy=True).__dlpack__(**kwargs)
        raise BufferError(f"__dlpack__: {self.backend} arrays export only as a host copy "
                          f"(dl_device=(1, 0), copy=None or True), e.g. "
                          f"np.from_dlpack(x, device='cpu')")

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
