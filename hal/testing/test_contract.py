"""The plugin contract, checked on the plugin under test.

The plugin under test is the one that provides the device's backend (or the entry
point named like the backend, or ``--hal-plugin``).  Everything hal recorded about it
while loading (a failed import, a hook with the wrong signature, a hook that raised,
a kernel registered for an unknown op or with a malformed dtype signature) fails here
with hal's own words: the plugin, the hook or kernel, what was expected, what was
found, and the fix.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import hal
from hal import _contract

from . import _kit, _state

REQUIRED = ("hal_backends", "hal_backend_available", "hal_devices", "hal_runtime")
NOT_MINE = "halkit_no_such_backend"


def _format(entries) -> str:
    return "\n".join(f"  - {u.name} ({u.kind}): {u.reason}\n    fix: {u.fix}" for u in entries)


def test_the_plugin_under_test_is_found():
    names = _kit.plugin_names()
    assert names, (f"no plugin provides the backend {_kit.backend_name()!r} of "
                   f"--hal-device {_state.selector()!r}, and no hal.plugins entry point is "
                   f"named so; installed: "
                   f"{', '.join(ep.name for ep in _entry_points()) or '(none)'}. Is the "
                   f"plugin installed (pip install -e ...)? Or name it: --hal-plugin NAME")


def _entry_points():
    import importlib.metadata
    return list(importlib.metadata.entry_points(group=_kit.ENTRY_POINT_GROUP))


def test_nothing_went_wrong_while_loading():
    """Import, hook calls and kernel registrations of the plugin, as hal recorded them
    (what ``hal devices`` lists as unavailable)."""
    names = _kit.plugin_names() | {_kit.backend_name()}
    entries = _contract.recorded_problems(plugins=names)
    assert not entries, "hal recorded problems with the plugin under test:\n" + _format(entries)


def test_hook_signatures_match_the_hookspecs():
    problems = [p for name, obj in _kit.plugin_objects().items()
                for p in _contract.hook_problems(obj, name)]
    assert not problems, "\n".join(f"  - {p}" for p in problems)


def _impls(obj) -> dict:
    return {n: getattr(obj, n) for n in dir(obj)
            if n.startswith("hal_") and getattr(getattr(obj, n), "hal_impl", None) is not None}


def _providers() -> dict:
    """Plugins under test that provide a backend: name -> (object, [backends])."""
    from hal._plugins import host
    out = {}
    for name, obj in _kit.plugin_objects().items():
        backends = [b for b, s in host.backends.items() if s.plugin == name]
        if backends or name == _kit.backend_name():
            out[name] = (obj, backends or [_kit.backend_name()])
    return out


def test_a_backend_plugin_implements_the_required_hooks():
    problems = []
    for name, (obj, _) in _providers().items():
        missing = [h for h in REQUIRED if h not in _impls(obj)]
        if missing:
            problems.append(f"plugin {name!r} provides a backend but implements no "
                            f"{', '.join(missing)} (expected {', '.join(REQUIRED)}, with "
                            f"@hal.hookimpl; found {', '.join(sorted(_impls(obj))) or 'none'})")
    assert not problems, "\n".join(problems)


def _call(fn, **kwargs):
    names = list(inspect.signature(fn).parameters)
    return fn(*[kwargs[n] for n in names if n in kwargs])


def test_hooks_never_raise_and_answer_none_for_other_backends():
    """``hal_backend_available`` must not raise (a missing vendor library is an
    ``Availability(available=False, reason=..., fix=...)``); the ``firstresult`` hooks
    return ``None`` for backends that are not the plugin's own."""
    problems = []
    for name, (obj, backends) in _providers().items():
        impls = _impls(obj)
        for hook in ("hal_backend_available", "hal_devices", "hal_runtime"):
            if hook not in impls:
                continue
            try:
                answer = _call(impls[hook], backend=NOT_MINE)
            except Exception as exc:
                problems.append(f"plugin {name!r}, hook {hook}(backend={NOT_MINE!r}): "
                                f"expected None, found it raised {type(exc).__name__}: {exc}")
                continue
            if answer is not None:
                problems.append(f"plugin {name!r}, hook {hook}(backend={NOT_MINE!r}): "
                                f"expected None for a backend that is not the plugin's, "
                                f"found {answer!r}")
        if "hal_backend_available" in impls:
            for backend in backends:
                try:
                    avail = _call(impls["hal_backend_available"], backend=backend)
                except Exception as exc:
                    problems.append(f"plugin {name!r}, hook hal_backend_available("
                                    f"backend={backend!r}): expected an Availability, found "
                                    f"it raised {type(exc).__name__}: {exc}; return "
                                    f"hal.Availability(available=False, reason=..., fix=...) "
                                    f"instead")
                    continue
                if isinstance(avail, hal.Availability) and not avail.available and not (
                        avail.reason and avail.fix):
                    problems.append(f"plugin {name!r}: backend {backend!r} is unavailable "
                                    f"without a reason and a fix: expected both, found "
                                    f"reason={avail.reason!r}, fix={avail.fix!r}")
    assert not problems, "\n".join(problems)


def test_devices_are_well_formed(hal_device):
    from hal._plugins import host
    state = host.backends[hal_device.backend]
    indices = [d.index for d in state.devices]
    assert indices == list(range(len(indices))), (
        f"hal_devices({hal_device.backend!r}): expected indices 0..n-1 in order, found "
        f"{indices}")
    for d in state.devices:
        assert d.info.backend == hal_device.backend, (
            f"hal_devices({hal_device.backend!r}) returned a device of backend "
            f"{d.info.backend!r}")
        assert d.name.strip(), f"device {d} has no name"


def test_the_runtime_keeps_its_contract(hal_device):
    # the plugin's runtime: lazy evaluation (hal/_lazy.py) wraps it in hal's own
    rt = getattr(hal_device.runtime, "plugin_runtime", hal_device.runtime)
    assert isinstance(rt, hal.Runtime), (
        f"hal_runtime({hal_device.backend!r}): expected a hal.Runtime subclass instance, "
        f"found {type(rt).__name__}")
    dtype = next(d for d in (hal.float32, hal.int32, hal.bool) if d in hal_device.dtypes)
    host = np.arange(6).reshape(2, 3).astype(dtype.name)
    native = rt.from_host(host, hal_device.index)
    problems = []
    if not rt.is_native(native):
        problems.append(f"is_native(from_host(...)): expected True, found False "
                        f"for {type(native).__name__}")
    shape = getattr(native, "shape", None)
    if tuple(shape or ()) != (2, 3) or getattr(native, "ndim", None) != 2:
        problems.append(f"native arrays must expose .shape and .ndim: expected (2, 3) and 2, "
                        f"found {shape!r} and {getattr(native, 'ndim', None)!r}")
    if rt.dtype_of(native) is not dtype:
        problems.append(f"dtype_of: expected {dtype.name}, found {rt.dtype_of(native)!r}")
    back = rt.to_host(native)
    if not isinstance(back, np.ndarray):
        problems.append(f"to_host: expected a numpy.ndarray, found {type(back).__name__}")
    elif back.tolist() != host.tolist():
        problems.append(f"to_host(from_host(x)): expected {host.tolist()}, found "
                        f"{back.tolist()}")
    if hal_device.backend != "numpy" and rt.is_native(host):
        problems.append("is_native(numpy array): expected False for a device with its own "
                        "arrays, found True")
    if rt.device_index_of(native) != hal_device.index:
        problems.append(f"device_index_of: expected {hal_device.index}, found "
                        f"{rt.device_index_of(native)}")
    rt.synchronize(hal_device.index)
    assert not problems, f"the Runtime of {hal_device.backend!r}: " + "; ".join(problems)


def _positional_arity(fn) -> tuple[int, int] | None:
    """(required, maximum) positional arguments of ``fn``, or None if unknown."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return len(required), 10 ** 6
    return len(required), len(positional)


def test_kernels_follow_the_calling_convention(hal_device):
    """Elementwise kernels take one (unary) or two (binary) arrays; factories take
    ``(device, dtypes)``."""
    from hal._optable import OPS
    from hal._registry import registry
    registry.ensure_backend(hal_device.backend)
    names = _kit.plugin_names()
    kernels = [k for (op, backend), ks in registry.kernels.items()
               if backend == hal_device.backend for k in ks if k.plugin in names]
    if not kernels:
        pytest.skip(f"the plugin registers no kernel for {hal_device.backend}: every op "
                    f"takes a decomposition or the fallback policy")
    problems = []
    for k in kernels:
        spec = OPS[k.op]
        if k.factory:
            want, what = 2, "(device, dtypes)"
        elif spec.kind == "unary":
            want, what = 1, "(x)"
        elif spec.kind == "binary":
            want, what = 2, "(x1, x2)"
        else:
            continue
        arity = _positional_arity(k.fn)
        if arity is not None and not arity[0] <= want <= arity[1]:
            found = inspect.signature(k.fn)
            problems.append(f"plugin {k.plugin!r}, kernel {k.name!r} for op {k.op!r}: expected "
                            f"a callable taking {what}, found {k.fn.__name__}{found}")
    assert not problems, "\n".join(problems)
