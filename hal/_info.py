"""``__array_namespace_info__()``: the standard's inspection API, answered per device."""

from __future__ import annotations

from . import _dtypes
from ._devices import as_device, current_default_device, devices
from ._errors import HalValueError

__all__ = ["__array_namespace_info__"]


class Info:
    """What hal and each of its devices support (the Array API inspection object)."""

    __module__ = "hal"

    def capabilities(self) -> dict:
        caps = current_default_device().capabilities
        return {
            "boolean indexing": caps.boolean_indexing,
            "data-dependent shapes": caps.data_dependent_shapes,
            "max dimensions": caps.max_dimensions,
        }

    def default_device(self):
        return current_default_device()

    def devices(self) -> tuple:
        # a tuple since 2025.12 (a list before: hal/_versions.py's views give that)
        return tuple(devices())

    def default_dtypes(self, *, device=None) -> dict:
        dev = as_device(device, "default_dtypes")
        return {
            "real floating": dev.default_float,
            "complex floating": dev.default_complex,
            "integral": dev.default_int,
            "indexing": dev.default_index,
        }

    def dtypes(self, *, device=None, kind=None) -> dict:
        dev = as_device(device, "dtypes")
        supported = [d for d in _dtypes.STANDARD if d in dev.dtypes]
        if kind is None:
            return {d.name: d for d in supported}
        kinds = kind if isinstance(kind, tuple) else (kind,)
        for k in kinds:
            if isinstance(k, str) and k not in _dtypes.KINDS:
                raise HalValueError(f"dtypes: unknown kind {k!r}; use one of "
                                    f"{', '.join(_dtypes.KINDS)}")
        return {d.name: d for d in supported if _dtypes.isdtype(d, kinds)}


def __array_namespace_info__() -> Info:
    return Info()
