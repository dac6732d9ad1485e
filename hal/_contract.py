"""Checks of the plugin contract that need no test framework.

Used by ``hal devices`` / ``hal doctor`` at run time and by the conformance kit
(``hal.testing``), so both report a broken plugin with the same words: the plugin,
the hook / kernel / device, what hal expected and what it found.

* :func:`hook_problems` reads a plugin object's ``hal_*`` functions against
  ``hal/hookspecs.py`` without calling anything: unknown hook names, argument names
  the spec does not have, functions that look like hooks but lack ``@hal.hookimpl``
  (pluggy ignores those without a word).
* :func:`dtype_problems` checks that a device can really hold every dtype its
  capabilities claim: one tiny array per dtype through the plugin's ``Runtime``
  (``from_host`` -> ``dtype_of`` -> ``to_host``).  Costs one small allocation per
  dtype, so it runs only when asked for (``hal devices``, the kit), never on import
  or on the first op.
* :func:`problems` gathers both for every loaded plugin and device, plus the kernel
  registrations and hook failures hal recorded while loading.
"""

from __future__ import annotations

import difflib
import inspect
from dataclasses import asdict, dataclass

__all__ = ["Problem", "hook_problems", "hook_signature", "dtype_problems", "problems",
           "plugin_object", "recorded_problems"]


@dataclass(frozen=True)
class Problem:
    """One way a plugin breaks the contract."""

    plugin: str       # the plugin's registered (entry point) name
    where: str        # "hook hal_devices", "kernel add", "device example (dtype float64)"
    expected: str
    found: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"plugin {self.plugin!r}, {self.where}: expected {self.expected}; found {self.found}"
        return text + (f" (fix: {self.fix})" if self.fix else "")

    def as_dict(self) -> dict:
        return asdict(self)


# -- hook signatures ----------------------------------------------------------------

def _specs() -> dict[str, list[str]]:
    """hook name -> the argument names of its spec in ``hal/hookspecs.py``."""
    from . import hookspecs
    return {name: list(inspect.signature(fn).parameters)
            for name, fn in vars(hookspecs).items()
            if name.startswith("hal_") and callable(fn)}


def hook_signature(name: str) -> str:
    """``hal_devices(backend)``: the spec's call signature, for messages."""
    args = _specs().get(name)
    return f"{name}({', '.join(args)})" if args is not None else name


def _impl_args(fn) -> list[str] | None:
    """Argument names pluggy would pass (``self`` of a bound method dropped)."""
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return None


def hook_problems(plugin: object, name: str) -> list[Problem]:
    """Every ``hal_*`` attribute of ``plugin`` checked against the hookspecs."""
    specs = _specs()
    out: list[Problem] = []
    for attr in sorted(dir(plugin)):
        if not attr.startswith("hal_"):
            continue
        try:
            fn = getattr(plugin, attr)
        except Exception:  # a property that raises: not a hook
            continue
        if not callable(fn):
            continue
        marked = getattr(fn, "hal_impl", None) is not None
        if attr not in specs:
            if not marked:
                continue  # a helper that happens to start with hal_ and is no hook
            close = difflib.get_close_matches(attr, list(specs), n=1)
            out.append(Problem(
                name, f"hook {attr}", "one of hal's hooks: " + ", ".join(specs),
                f"{attr!r}, which is not a hal hook"
                + (f" (did you mean {close[0]!r}?)" if close else ""),
                "rename it to the hook it implements"))
            continue
        args = _impl_args(fn)
        expected = hook_signature(attr)
        if args is not None:
            extra = [a for a in args if a not in specs[attr]]
            if extra:
                out.append(Problem(
                    name, f"hook {attr}",
                    f"{expected} (a hook may take any subset of these arguments, by name)",
                    f"{attr}({', '.join(args)}): {', '.join(repr(a) for a in extra)} "
                    f"{'is' if len(extra) == 1 else 'are'} not an argument of the spec",
                    "rename the arguments to the spec's names (see hal/hookspecs.py)"))
        if not marked:
            out.append(Problem(
                name, f"hook {attr}", f"{expected} marked with @hal.hookimpl",
                f"{attr} without the @hal.hookimpl marker, which pluggy ignores",
                "decorate it with @hal.hookimpl"))
    return out


def pluggy_error_problem(exc: BaseException, plugin: object, name: str) -> str:
    """pluggy's ``PluginValidationError`` rewritten as expected vs found."""
    found = hook_problems(plugin, name)
    if found:
        return "; ".join(f"{p.where}: expected {p.expected}; found {p.found}" for p in found)
    return str(exc)


# -- claimed dtypes -----------------------------------------------------------------

def dtype_problems(device, plugin: str | None = None) -> list[Problem]:
    """Can ``device`` hold each dtype it claims?  One 2-element array per dtype."""
    import numpy as np

    from ._dtypes import BY_NAME
    from ._plugins import host
    if plugin is None:
        state = host.backends.get(device.backend)
        plugin = state.plugin if state is not None else device.backend
    rt = device.runtime
    out = []
    for name in device.info.capabilities.dtypes:
        dtype = BY_NAME[name]
        host_array = np.array([0, 1], dtype=dtype.numpy)
        where = f"device {device} (dtype {name})"
        expected = (f"a native array holding {name} (it is in capabilities.dtypes), "
                    f"round-tripping [0, 1] through the Runtime")
        fix = (f"drop {name} from the device's capabilities.dtypes, or make the Runtime "
               f"hold it")
        try:
            native = rt.from_host(host_array, device.index)
        except Exception as exc:
            out.append(Problem(plugin, where, expected,
                               f"Runtime.from_host raised {type(exc).__name__}: {exc}", fix))
            continue
        try:
            held = rt.dtype_of(native)
        except Exception as exc:
            out.append(Problem(plugin, where, expected,
                               f"Runtime.dtype_of raised {type(exc).__name__}: {exc}", fix))
            continue
        if held is not dtype:
            out.append(Problem(plugin, where, expected,
                               f"Runtime.dtype_of says the array holds "
                               f"{getattr(held, 'name', held)}", fix))
            continue
        try:
            back = np.asarray(rt.to_host(native))
        except Exception as exc:
            out.append(Problem(plugin, where, expected,
                               f"Runtime.to_host raised {type(exc).__name__}: {exc}", fix))
            continue
        if back.dtype != dtype.numpy or back.tolist() != host_array.tolist():
            out.append(Problem(plugin, where, expected,
                               f"to_host gave {back.tolist()} of dtype {back.dtype}", fix))
    return out


# -- everything hal knows about ------------------------------------------------------

def plugin_object(name: str):
    """The registered plugin object called ``name``, or ``None``."""
    from ._plugins import host
    host.ensure_loaded()
    return host.pm.get_plugin(name)


def recorded_problems(plugins=None) -> list:
    """What hal recorded while loading (``hal.unavailable_plugins()`` entries), for
    the plugins named (or all).  Registers every backend's kernels first, so that
    kernel registration errors are among them."""
    from ._plugins import host
    from ._registry import registry
    host.activate_all()
    for name, state in list(host.backends.items()):
        if state.devices:
            registry.ensure_backend(name)
    return [u for u in host.unavailable if plugins is None or u.name in plugins]


def problems(probe_dtypes: bool = True) -> list[Problem]:
    """Contract problems of every loaded plugin (hook signatures) and, with
    ``probe_dtypes``, of every device (claimed dtypes it cannot hold)."""
    from ._plugins import host
    host.activate_all()
    out: list[Problem] = []
    for name, plugin in host.pm.list_name_plugin():
        if name is None or plugin is None:
            continue
        # unknown names and bad arguments already made registration fail (and are
        # listed as unavailable); what is left here are unmarked hook functions
        out.extend(p for p in hook_problems(plugin, name) if "marker" in p.found)
    if probe_dtypes:
        for state in host.backends.values():
            for dev in state.devices:
                try:
                    out.extend(dtype_problems(dev, state.plugin))
                except Exception as exc:  # the probe itself must never break hal devices
                    out.append(Problem(state.plugin, f"device {dev}", "a usable Runtime",
                                       f"{type(exc).__name__}: {exc}"))
    return out
