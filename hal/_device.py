"""``Device``: the small handle users pass around.

Devices are interned, one object per (backend, index), so the dispatcher compares
them by identity and uses them directly in cache keys.  Their ``info`` (a pydantic
``DeviceInfo``) is the control plane: read when resolving an op, never on a cache hit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _dtypes
from ._errors import HalTypeError

if TYPE_CHECKING:
    from ._capabilities import DeviceInfo

__all__ = ["Device"]


class Device:
    """A device of one backend, printed as its selector (``numpy``, ``opencl:0``)."""

    __slots__ = ("backend", "index", "name", "info", "dtypes", "default_float",
                 "default_complex", "default_int", "default_index", "_selector", "runtime",
                 "__weakref__")

    _interned: dict[tuple[str, int], Device] = {}

    def __new__(cls, *args, **kwargs):
        raise HalTypeError("hal.Device cannot be created directly; use hal.devices() "
                           "or hal.get_device('numpy')")

    @classmethod
    def _intern(cls, info: DeviceInfo, single: bool) -> Device:
        key = (info.backend, info.index)
        dev = cls._interned.get(key)
        if dev is None:
            dev = object.__new__(cls)
            cls._interned[key] = dev
        dev.backend = info.backend
        dev.index = info.index
        dev.name = info.name
        dev.info = info
        dev._selector = info.backend if single else f"{info.backend}:{info.index}"
        dev.dtypes = frozenset(_dtypes.BY_NAME[n] for n in info.capabilities.dtypes)
        fp64 = _dtypes.float64 in dev.dtypes
        dev.default_float = _dtypes.float64 if fp64 else _dtypes.float32
        dev.default_complex = _dtypes.complex128 if fp64 else _dtypes.complex64
        dev.default_int = _dtypes.int64 if _dtypes.int64 in dev.dtypes else _dtypes.int32
        dev.default_index = dev.default_int
        dev.runtime = None  # set once the backend's runtime is known
        return dev

    @property
    def selector(self) -> str:
        return self._selector

    @property
    def capabilities(self):
        return self.info.capabilities

    def __repr__(self) -> str:
        return f"Device({self._selector!r})"

    def __str__(self) -> str:
        return self._selector

    def __reduce__(self):
        from ._devices import get_device
        return (get_device, (self._selector,))
