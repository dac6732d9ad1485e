"""Finding devices: ``devices()``, ``get_device(selector)`` and the default device.

The default device is ``HAL_DEVICE`` when set, else the first GPU or accelerator in
backend priority order, else NumPy.  A CPU seen through OpenCL or SYCL is never the
default: its per-op latency is far higher than NumPy's.
"""

from __future__ import annotations

import contextlib
import contextvars

from . import _env
from ._device import Device
from ._errors import HalDeviceError, HalValueError
from ._plugins import host

__all__ = ["devices", "get_device", "default_device", "set_default_device",
           "current_default_device", "as_device"]

_override: contextvars.ContextVar[Device | None] = contextvars.ContextVar(
    "hal_default_device", default=None)
_global_default: list[Device | None] = [None]


def devices() -> list[Device]:
    """Every device of every available backend, best backends first."""
    host.activate_all()
    states = sorted(host.backends.values(), key=lambda s: -s.spec.priority)
    return [d for s in states for d in s.devices]


def _available_selectors() -> str:
    return ", ".join(str(d) for d in devices()) or "(none)"


def get_device(selector: str | Device) -> Device:
    """The device named by ``selector``.

    ``backend`` (its first device), ``backend:N``, or ``backend:text`` where ``text``
    matches the vendor, platform, device name or driver version case-insensitively
    (``opencl:pocl``, ``opencl:intel``).
    """
    if isinstance(selector, Device):
        return selector
    if not isinstance(selector, str):
        raise HalValueError(f"get_device: expected a selector string or a hal.Device, "
                            f"got {type(selector).__name__}")
    backend, _, rest = selector.strip().partition(":")
    backend = backend.lower()
    state = host.backend(backend)
    if state is None:
        known = ", ".join(sorted(host.backends)) or "(none)"
        raise HalValueError(f"no backend {backend!r} (from selector {selector!r}); "
                            f"known backends: {known}; devices: {_available_selectors()}"
                            + _plugin_switches())
    unusable = _unusable_match(state, rest)
    if unusable is not None:
        raise HalDeviceError(
            f"device {selector!r} ({unusable.name}, {unusable.platform}) was found but "
            f"cannot be used: {unusable.problem}; fix: {unusable.problem_fix}; "
            f"available devices: {_available_selectors()}")
    if not state.devices:
        avail = state.availability
        raise HalDeviceError(
            f"backend {backend!r} is unavailable: {avail.reason if avail else '?'}"
            f"{'; fix: ' + avail.fix if avail and avail.fix else ''}; "
            f"available devices: {_available_selectors()}")
    if not rest:
        return state.devices[0]
    if rest.isdigit():
        index = int(rest)
        for dev in state.devices:
            if dev.index == index:
                return dev
        raise HalValueError(f"no device {selector!r}: {backend} has devices "
                            f"{', '.join(str(d) for d in state.devices)}")
    text = rest.lower()
    for dev in state.devices:
        if _matches(dev.info, text):
            return dev
    raise HalValueError(f"no {backend} device matches {rest!r}; {backend} devices: "
                        + ", ".join(f"{d} ({d.info.platform or d.info.vendor}: {d.name})"
                                    for d in state.devices))


def _unusable_match(state, rest: str):
    """The unusable device ``rest`` names (an index or text), if that is what it names."""
    if not rest:
        return None if state.devices else (state.unusable[0] if state.unusable else None)
    text = rest.lower()
    for info in state.unusable:
        if rest.isdigit():
            if info.index == int(rest):
                return info
        # text matching a usable device as well picks the usable one
        elif _matches(info, text) and not any(_matches(d.info, text)
                                              for d in state.devices):
            return info
    return None


def _matches(info, text: str) -> bool:
    """Whether selector text (lower case) names this device: vendor, platform, device
    name or driver version contain it."""
    return any(text in field.lower() for field in
               (info.vendor, info.platform, info.name, info.driver_version))


def _plugin_switches() -> str:
    """The user's own plugin switches, when they may be why a backend is missing."""
    hints = []
    if _env.flag(_env.HAL_DISABLE_PLUGIN_AUTOLOAD):
        hints.append("plugin autoload is off (HAL_DISABLE_PLUGIN_AUTOLOAD=1): register "
                     "plugins by hand, e.g. import hal_numpy; "
                     "hal.register_plugin(hal_numpy, 'numpy')")
    disabled = _env.get(_env.HAL_DISABLE_PLUGINS)
    if disabled:
        hints.append(f"HAL_DISABLE_PLUGINS={disabled} skips those plugins")
    return "".join("; " + h for h in hints)


def _pick_default() -> Device:
    wanted = _env.get(_env.HAL_DEVICE)
    if wanted:
        try:
            return get_device(wanted)
        except (HalValueError, HalDeviceError) as exc:  # unknown, or known but unavailable
            raise type(exc)(f"HAL_DEVICE={wanted!r} names no usable device: {exc}") \
                from None
    all_devices = devices()
    for dev in all_devices:
        if dev.info.device_type in ("gpu", "accelerator"):
            return dev
    try:
        return get_device("numpy")
    except HalValueError:
        if all_devices:
            return all_devices[0]
        raise HalDeviceError("hal found no device at all; is the numpy plugin installed? "
                             "pip install --force-reinstall hal-arrays" + _plugin_switches()) \
            from None


def current_default_device() -> Device:
    dev = _override.get()
    if dev is not None:
        return dev
    dev = _global_default[0]
    if dev is None:
        dev = _global_default[0] = _pick_default()
    return dev


def as_device(device, op: str = "device") -> Device:
    """``None`` (the default device), a ``Device`` or a selector string -> ``Device``."""
    if device is None:
        return current_default_device()
    if device.__class__ is Device:
        return device
    if isinstance(device, str):
        return get_device(device)
    raise HalValueError(f"{op}: device must be a hal.Device or a selector string such as "
                        f"'numpy', got {device!r}; devices: {_available_selectors()}")


def set_default_device(device) -> None:
    """Make ``device`` (a ``Device``, a selector, or ``None`` to re-pick) the default."""
    _global_default[0] = None if device is None else as_device(device, "set_default_device")


@contextlib.contextmanager
def default_device(device):
    """``with hal.default_device("numpy"):`` — the default device inside the block."""
    token = _override.set(as_device(device, "default_device"))
    try:
        yield _override.get()
    finally:
        _override.reset(token)
