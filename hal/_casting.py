"""Host-side conversions of data given to ``asarray``, with hal's table.

README, "Behaviour the standard leaves to the implementation": a Python int that the
requested integer dtype cannot hold is an error (as in NumPy 2); floating data
converts to integers saturating (NaN to 0, beyond the range to the nearest bound),
as ``astype`` does on every device.  The NumPy backend's ``astype`` implements the
same rule for its arrays (a plugin uses only hal's public surface, so it has its
own copy of the few lines below).
"""

from __future__ import annotations

import numpy as np

from . import _dtypes
from ._errors import HalOverflowError

__all__ = ["INT_BOUNDS", "check_int_range", "check_int_scalar", "holding", "to_dtype"]


def _bounds(dtype: _dtypes.DType) -> tuple[int, int]:
    bits = 8 * dtype.itemsize
    if dtype.kind == "i":
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


#: the Python ints each integer dtype holds
INT_BOUNDS: dict[_dtypes.DType, tuple[int, int]] = {d: _bounds(d) for d in _dtypes.INTEGER}


def holding(value: int, dtype: _dtypes.DType, device) -> str:
    """The smallest wider integer dtype of ``device`` holding ``value``, else its
    default floating dtype: what a message suggests instead of ``dtype``."""
    for d in sorted(_dtypes.INTEGER, key=lambda d: d.itemsize):
        lo, hi = INT_BOUNDS[d]
        if d.itemsize > dtype.itemsize and d in device.dtypes and lo <= value <= hi:
            return f"hal.{d.name}"
    return f"hal.{device.default_float.name}"


def check_int_range(values: np.ndarray, dtype: _dtypes.DType, device) -> None:
    """Refuse Python ints (``values``: their NumPy or object array) beyond ``dtype``."""
    if not values.size:
        return
    lo, hi = INT_BOUNDS[dtype]
    smallest, largest = int(values.min()), int(values.max())
    if smallest < lo or largest > hi:
        value = smallest if smallest < lo else largest
        raise HalOverflowError(
            f"asarray on {device}: the Python int {value} is out of range for "
            f"{dtype.name} ({lo} to {hi}); pass a dtype that holds it, e.g. "
            f"dtype={holding(value, dtype, device)} (hal.astype from there wraps "
            f"integers, if wrapping is what you want)")


def check_int_scalar(value, dtype: _dtypes.DType, device, op: str, fix: str) -> None:
    """Refuse a Python int ``value`` that integer ``dtype`` cannot hold (``full``,
    ``__setitem__``); ``fix`` says what would work, ``{dtype}`` standing for a dtype
    that holds it."""
    if value.__class__ is not int or dtype.kind not in "iu":
        return
    lo, hi = INT_BOUNDS[dtype]
    if not lo <= value <= hi:
        raise HalOverflowError(
            f"{op} on {device}: the Python int {value} is out of range for {dtype.name} "
            f"({lo} to {hi}); " + fix.format(dtype=holding(value, dtype, device)))


def to_dtype(host: np.ndarray, dtype: _dtypes.DType) -> np.ndarray:
    """``host`` converted to ``dtype``: floats to integers saturate, the rest is
    NumPy's cast (integers to narrower integers wrap)."""
    target = dtype.numpy
    if host.dtype == target:
        return host
    if dtype.kind not in "iu" or host.dtype.kind != "f":
        return host.astype(target)
    info = np.iinfo(target)
    low = -1.0 if info.min == 0 else float(info.min)
    high = float(info.max) + 1.0
    if host.size:
        smallest, largest = float(np.min(host)), float(np.max(host))
        if (smallest > low if info.min == 0 else smallest >= low) and largest < high:
            return host.astype(target)
    if host.dtype.itemsize < 4:
        host = host.astype(np.float32)  # float16 would round the bounds to infinity
    with np.errstate(invalid="ignore"):
        out = host.astype(target)
    out[host >= high] = info.max
    out[(host <= low) if info.min == 0 else (host < low)] = info.min
    out[np.isnan(host)] = 0
    return out
