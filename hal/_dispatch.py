"""The dispatcher: resolve an op once per (op, device, dtypes), then cache the choice.

Resolution order, for an op on a device with given loop dtypes:

1. the device must hold every dtype (else ``HalTypeError`` naming devices that can);
2. the highest-priority native kernel whose dtypes and required features the device
   satisfies (unless the device declares the op a host op in its capabilities);
3. a decomposition written once in the core in terms of other ops;
4. the fallback policy: ``error`` raises, ``warn``/``allow`` run the op on the host
   through the NumPy backend and count it.

A cache hit is the whole per-op path: one dict lookup and one call.  The caches are
cleared whenever something they depend on changes (a plugin registered, the fallback
policy changed, a trace opened or closed).
"""

from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import _dtypes, _fork, _lazy, _policy, _trace
from ._array import Array, Placement, new_array
from ._device import Device
from ._errors import (HalDeviceError, HalNotImplementedError, HalTypeError,
                      HalFallbackWarning, translate)
from ._optable import OPS, OpSpec
from ._registry import registry

__all__ = ["Op", "op", "clear_caches", "Resolution", "resolve", "call", "runtime_of",
           "common_device", "explain_key"]


class Op:
    """The run-time side of one op-table row: its cache and its resolutions."""

    __slots__ = ("spec", "name", "cache", "resolutions")

    def __init__(self, spec: OpSpec):
        self.spec = spec
        self.name = spec.qualname
        #: key -> resolved callable (or (callable, Placement) for elementwise ops)
        self.cache: dict = {}
        #: key -> Resolution, for hal.explain
        self.resolutions: dict = {}


_OPS: dict[str, Op] = {name: Op(spec) for name, spec in OPS.items()}


def op(name: str) -> Op:
    return _OPS[name]


def clear_caches() -> None:
    for o in _OPS.values():
        o.cache.clear()
        o.resolutions.clear()


@dataclass
class Resolution:
    """Why an op on a device runs the way it does (what ``hal.explain`` prints)."""

    op: str
    device: Device
    dtypes: tuple
    how: str                    # "kernel", "decomposition", "host fallback"
    kernel: str
    plugin: str
    reasons: list[str] = field(default_factory=list)
    result_dtype: Any = None
    #: the chosen native kernel mixes same-kind dtypes itself (Kernel.promotes)
    promotes: bool = False

    @property
    def fallback(self) -> bool:
        return self.how == "host fallback"

    def __str__(self) -> str:
        dts = ", ".join(d.name for d in self.dtypes) or "-"
        lines = [f"hal.{self.op} on {self.device} ({self.device.name}) for ({dts}):",
                 f"  runs: {self.kernel}  [{self.how}, plugin {self.plugin!r}]"]
        if self.result_dtype is not None:
            lines.append(f"  result dtype: {self.result_dtype}")
        for r in self.reasons:
            lines.append(f"  because: {r}")
        return "\n".join(lines)

    __repr__ = __str__


def runtime_of(device: Device):
    return device.runtime


def dtype_error(opname: str, device: Device, dtype) -> HalTypeError:
    from ._devices import devices
    able = [str(d) for d in devices() if dtype in d.dtypes]
    alt = ", ".join(x.name for x in (_dtypes.float32, _dtypes.complex64)
                    if x in device.dtypes and x.kind == dtype.kind)
    return HalTypeError(
        f"{opname}: {dtype} is not supported on {device.name!r} ({device}); "
        f"{'use ' + alt + ' or ' if alt else ''}a device with {dtype}: "
        f"{', '.join(able) or 'none available'}")


def _decomposed(fn: Callable, device: Device) -> Callable:
    """Run a core decomposition (written on hal Arrays) on native arguments."""
    rt = runtime_of(device)

    def to_array(a):
        if rt.is_native(a):
            return new_array(a, Placement.of(device, rt.dtype_of(a)))
        if isinstance(a, (list, tuple)):
            return type(a)(to_array(x) for x in a)
        return a

    def to_native(r):
        if r.__class__ is Array:
            return r._native
        if isinstance(r, (list, tuple)):
            return type(r)(to_native(x) for x in r)
        return r

    def run(*args, **kwargs):
        return to_native(fn(*[to_array(a) for a in args],
                            **{k: to_array(v) for k, v in kwargs.items()}))
    return run


def _host_fallback(host_fn: Callable, device: Device, count_key) -> Callable:
    """Run a NumPy kernel on copies of the device's data and copy the result back."""
    rt = runtime_of(device)
    is_native, to_host, from_host, index = rt.is_native, rt.to_host, rt.from_host, device.index

    def inward(a):
        if is_native(a):
            return to_host(a)
        if isinstance(a, (list, tuple)):
            return type(a)(inward(x) for x in a)
        return a

    def outward(r):
        if isinstance(r, (np.ndarray, np.generic)):
            return from_host(_host_result(np.asarray(r), device), index)
        if isinstance(r, (list, tuple)):
            return type(r)(outward(x) for x in r)
        return r

    def run(*args, **kwargs):
        _policy.FALLBACKS[count_key] += 1
        return outward(host_fn(*[inward(a) for a in args],
                               **{k: inward(v) for k, v in kwargs.items()}))
    return run


def _host_result(r: np.ndarray, device: Device) -> np.ndarray:
    """NumPy gives indices and counts as int64; a device without int64 holds them in
    its own index dtype (the standard's "indexing" default), as its kernels would."""
    if r.dtype.kind in "iu" and _dtypes.FROM_NUMPY[r.dtype] not in device.dtypes:
        return r.astype(device.default_index.numpy)
    return r


def resolve(o: Op, device: Device, dtypes: tuple) -> tuple[Callable, Resolution]:
    """Choose how ``o`` runs on ``device`` for loop ``dtypes`` (control plane)."""
    fn, res = _choose(o, device, dtypes)
    if _lazy.ARMED:  # read after choosing: an arming thread cleared the caches first
        fn = _lazy.wrap(o, device, dtypes, fn, res)
    if _trace.ACTIVE:
        for t in _trace.ACTIVE:
            t.resolutions.append(res)
        fn = _trace.recording(fn, o.name, str(device), tuple(d.name for d in dtypes),
                              res.kernel, res.how)
    return fn, res


def _choose(o: Op, device: Device, dtypes: tuple) -> tuple[Callable, Resolution]:
    name = o.name
    if _fork.FORKED and device.backend in _fork.FORKED:
        raise _fork.forked_error(name, device)   # its driver state did not survive fork
    for d in dtypes:
        if d not in device.dtypes:
            raise dtype_error(name, device, d)
    caps = device.info.capabilities
    reasons: list[str] = []
    chosen = None
    if name in caps.host_fallback_ops:
        reasons.append(f"{device} declares {name} a host op in its capabilities")
    else:
        features = caps.features
        for k in registry.candidates(name, device.backend):
            if not k.accepts(dtypes):
                reasons.append(f"{k.name} does not take "
                               f"({', '.join(d.name for d in dtypes)})")
            elif not k.requires <= features:
                reasons.append(f"{k.name} needs {sorted(k.requires - features)}, which "
                               f"{device} lacks")
            else:
                fn = k.fn(device, dtypes) if k.factory else k.fn
                chosen = (fn, Resolution(name, device, dtypes, "kernel", k.name, k.plugin,
                                         reasons, promotes=k.promotes))
                break
        if chosen is None:
            if not registry.candidates(name, device.backend):
                reasons.append(f"no plugin registers a {name} kernel for {device.backend}")
            decomp = registry.decompositions.get(name)
            if decomp is not None:
                chosen = (_decomposed(decomp, device),
                          Resolution(name, device, dtypes, "decomposition",
                                     f"hal decomposition of {name}", "hal", reasons))
    if chosen is None:
        chosen = _resolve_fallback(o, device, dtypes, reasons)
    return chosen


def _resolve_fallback(o: Op, device: Device, dtypes: tuple, reasons: list[str]):
    from ._devices import get_device

    name = o.name
    dts = ", ".join(d.name for d in dtypes)
    if device.backend == "numpy":
        raise HalNotImplementedError(
            f"{name} has no kernel on {device} for ({dts}): " + "; ".join(reasons))
    policy = _policy.get_fallback_policy()
    if policy == "error":
        raise HalNotImplementedError(
            f"{name} cannot run on {device.name!r} ({device}) for ({dts}): "
            + "; ".join(reasons) + ". HAL_FALLBACK=error forbids running it on the host; "
            "use HAL_FALLBACK=warn (or `with hal.fallback_policy('allow'):`) to run it "
            "through NumPy, or move the data: x.to_device(hal.get_device('numpy'))")
    numpy_device = get_device("numpy")
    # untraced: the host kernel is part of this fallback, not an op of its own
    host_fn, host_res = _choose(o, numpy_device, dtypes)
    key = (name, str(device), tuple(d.name for d in dtypes))
    if policy == "warn" and key not in _policy.WARNED:
        _policy.WARNED.add(key)
        warnings.warn(
            f"hal.{name} has no kernel on {device} ({device.name}) for ({dts}); running it "
            f"on the host through NumPy (copies in and out). Set HAL_FALLBACK=allow to "
            f"silence this or HAL_FALLBACK=error to forbid it.",
            HalFallbackWarning, stacklevel=_user_stacklevel())
    reasons = reasons + [f"fallback policy {policy!r}: runs {host_res.kernel} on the host"]
    return (_host_fallback(host_fn, device, key),
            Resolution(name, device, dtypes, "host fallback", host_res.kernel,
                       host_res.plugin, reasons))


def _user_stacklevel() -> int:
    """The ``warnings`` stacklevel of the first caller outside hal, so a fallback
    warning points at the user's line whatever path (C, Python, decomposition) led here."""
    here = os.path.dirname(__file__) + os.sep
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(here):
        frame, level = frame.f_back, level + 1
    return level


def common_device(opname: str, arrays) -> Device:
    """The one device all ``arrays`` live on; mixing devices is an error."""
    device = None
    for a in arrays:
        d = a._p.device
        if device is None:
            device = d
        elif d is not device:
            raise HalDeviceError(
                f"{opname}: arrays are on different devices, {device} and {d}; hal never "
                f"moves data silently. Move one explicitly, e.g. "
                f"y = y.to_device(x.device)")
    if device is None:
        from ._devices import current_default_device
        device = current_default_device()
    return device


def wrap(result, device: Device, rt):
    """Native result(s) of a generic op -> hal Array(s)."""
    if rt.is_native(result):
        return new_array(result, Placement.of(device, rt.dtype_of(result)))
    if isinstance(result, tuple):
        return tuple(wrap(r, device, rt) for r in result)
    if isinstance(result, list):
        return [wrap(r, device, rt) for r in result]
    return result


#: native dtype -> Placement, per device, for results whose class the device's runtime
#: said is native (``_learn``).  Wrapping a result is then one attribute read and one
#: dict lookup instead of two runtime method calls and an interning lookup: on small
#: arrays that was a fifth of a generic op's time on the NumPy device.
_PLACEMENT_BY_NATIVE_DTYPE: dict[Device, dict] = {}
#: the classes each device's runtime called native (a native's class decides it)
_NATIVE_CLASSES: dict[Device, set] = {}


def _learn(result, device: Device, rt):
    """Wrap ``result`` the slow way and remember its class and dtype for next time."""
    wrapped = wrap(result, device, rt)
    if wrapped.__class__ is Array and wrapped._native is result:
        try:
            native_dtype = result.dtype
            hash(native_dtype)
        except Exception:  # a native without a hashable .dtype: always the slow way
            return wrapped
        by_dtype = _PLACEMENT_BY_NATIVE_DTYPE.setdefault(device, {})
        if by_dtype.get(native_dtype, wrapped._p) is wrapped._p:
            by_dtype[native_dtype] = wrapped._p
            _NATIVE_CLASSES.setdefault(device, set()).add(result.__class__)
    return wrapped


def call(name: str, device: Device, dtypes: tuple, /, *args, **kwargs):
    """Run a generic (non-elementwise) op: resolve once per key, then call and wrap."""
    o = _OPS[name]
    fn = o.cache.get((device, dtypes))
    if fn is None:
        fn, res = resolve(o, device, dtypes)
        o.cache[(device, dtypes)] = fn
        o.resolutions[(device, dtypes)] = res
    try:
        result = fn(*args, **kwargs)
    except Exception as exc:
        raise translate(exc, name, device) from exc
    if result.__class__ in _NATIVE_CLASSES.get(device, ()):
        p = _PLACEMENT_BY_NATIVE_DTYPE[device].get(result.dtype)
        if p is not None:
            return new_array(result, p)
    if result.__class__ is _lazy.Pending:  # lazy astype: a node, not a native
        return new_array(result, Placement.of(device, result.hdtype))
    return _learn(result, device, device.runtime)


def explain_key(name: str, device: Device, dtypes: tuple) -> Resolution:
    o = _OPS[name]
    return resolve(o, device, dtypes)[1]
