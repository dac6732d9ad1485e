"""Pickling and copying ``hal.Array`` (``pickle``, ``copy``, ``joblib``,
``multiprocessing``, Dask).

A pickled array is three things: its device's selector, its dtype's name and its data
as one NumPy array in host memory (``Runtime.to_host``: the one copy off the device;
NumPy then pickles that buffer out of band under protocol 5, so Dask and
``multiprocessing`` send it without another copy).  Loading puts it back on the device
of the same selector when this process has one; otherwise on the default device with a
``HalDeviceWarning``, or a ``HalDeviceError`` under ``HAL_UNPICKLE=strict``.

A process may say where every array it loads goes (``load_onto``): a Dask worker puts
the chunks it receives on its own device (``hal.dask.DevicePlugin``), whatever device
the sender held them on.  Devices pickle by selector (``Device.__reduce__``); nothing
else of hal's state (caches, plugins, queues) is pickled.
"""

from __future__ import annotations

import threading
import warnings

import numpy as np

from . import _dtypes, _env
from ._errors import HalDeviceError, HalDeviceWarning, HalValueError, translate

__all__ = ["reduce", "copy", "rebuild", "load_onto", "loading_device"]

#: where this process puts every array it unpickles (None: the pickled selector)
_LOAD_ONTO: list = [None]
_LOCK = threading.Lock()


def load_onto(device) -> None:
    """Put every hal array this process unpickles from now on on ``device`` (a
    ``hal.Device`` or selector), whatever device it was pickled from; ``None`` goes
    back to the pickled selector.  A Dask worker plugin calls it once per worker."""
    if device is None:
        _LOAD_ONTO[0] = None
        return
    from ._devices import as_device
    _LOAD_ONTO[0] = as_device(device, "load_onto")


def loading_device():
    """The device set by ``load_onto``, or ``None``."""
    return _LOAD_ONTO[0]


def reduce(x):
    """``Array.__reduce__``: (rebuild, (selector, dtype name, host data))."""
    p = x._p
    device = p.device
    try:
        host = device.runtime.to_host(x._native)
    except Exception as exc:
        raise translate(exc, "pickle", device) from exc
    # np.asarray: a backend may hand back a NumPy subclass or a 0-d scalar
    return (rebuild, (device.selector, p.dtype.name, np.asarray(host)))


def rebuild(selector: str, dtype_name: str, host: np.ndarray):
    """Unpickle: the array on the device ``load_onto`` names, else on ``selector``."""
    from ._array import Placement, new_array
    if not _DASK_SEEN[0]:
        _dask_hooks()
    device = _LOAD_ONTO[0] or _device_for(selector)
    dtype = _dtypes.BY_NAME[dtype_name]
    if dtype not in device.dtypes:
        from ._dispatch import dtype_error
        raise dtype_error("unpickle", device, dtype)
    # An out-of-band buffer is often read-only bytes: a host-memory device must own
    # writable data; a device with its own memory copies anyway.
    copy = None if host.flags.writeable else True
    try:
        native = device.runtime.from_host(host, device.index, copy=copy)
    except Exception as exc:
        raise translate(exc, "unpickle", device) from exc
    return new_array(native, Placement.of(device, dtype))


_DASK_SEEN = [False]


def _dask_hooks() -> None:
    """A process running ``dask.array`` (a Dask worker loading its first chunk) gets
    hal's Dask registrations (hal/dask.py) without being asked."""
    import sys
    if "dask.array" in sys.modules:
        _DASK_SEEN[0] = True
        import hal.dask  # noqa: F401  (registers on import)


def _device_for(selector: str):
    from ._devices import current_default_device, devices, get_device
    try:
        return get_device(selector)
    except (HalValueError, HalDeviceError) as exc:
        mode = (_env.get(_env.HAL_UNPICKLE, "warn") or "warn").lower()
        if mode not in ("warn", "strict"):
            raise HalValueError(f"HAL_UNPICKLE={mode!r}: expected 'warn' or 'strict'") \
                from None
        available = ", ".join(str(d) for d in devices()) or "(none)"
        if mode == "strict":
            raise HalDeviceError(
                f"unpickle: the array was pickled on {selector!r}, which this process "
                f"does not have ({exc}); HAL_UNPICKLE=strict forbids placing it "
                f"elsewhere. Devices here: {available}; unset HAL_UNPICKLE to load it "
                f"on the default device, or call hal._pickle.load_onto(device)") from None
        default = current_default_device()
        with _LOCK:  # one warning per missing selector, not one per array
            first = selector not in _WARNED
            _WARNED.add(selector)
        if first:
            warnings.warn(
                f"unpickle: arrays pickled on {selector!r} are loaded on the default "
                f"device {default}, as this process has no {selector!r} (devices here: "
                f"{available}); HAL_UNPICKLE=strict makes this an error",
                HalDeviceWarning, stacklevel=3)
        return default


_WARNED: set[str] = set()


def copy(x):
    """``copy.copy(x)`` and ``copy.deepcopy(x)``: new memory on the same device (no
    trip through the host)."""
    from ._creation import asarray
    return asarray(x, copy=True)
