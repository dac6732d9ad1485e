"""The plugin manager: finds plugins lazily and keeps a broken one from breaking hal.

Plugins come from the ``hal.plugins`` entry point group (``HAL_DISABLE_PLUGIN_AUTOLOAD=1``
turns that off; ``HAL_DISABLE_PLUGINS=a,b`` skips some) and from
:func:`register_plugin`.  Loading happens on the first call that needs a device, never
at ``import hal``.  Every plugin's import and every hook call is wrapped: a failure is
recorded as an :class:`UnavailablePlugin` with the reason and the fix, and hal goes on.

Plugins of other distributions than hal's own run their import and hooks in a worker
thread with a time limit (``HAL_PLUGIN_TIMEOUT`` seconds): one that does not answer is
listed as unavailable and never called again (a thread cannot be killed: the stuck one
is a daemon, left behind).  A plugin that kills the interpreter (a segfault in its
driver) cannot be survived in-process: ``hal devices`` and ``hal doctor`` first load
every plugin in a child process (:func:`probe_in_child`) and leave out, naming it, any
plugin that crashed or hung there.
"""

from __future__ import annotations

import re
import threading
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import _env

if TYPE_CHECKING:
    from ._capabilities import Availability, BackendSpec

# pluggy, pydantic and importlib.metadata are imported on first need, not at
# ``import hal``: they cost more than NumPy itself to import.

__all__ = ["UnavailablePlugin", "BackendState", "host", "register_plugin"]

ENTRY_POINT_GROUP = "hal.plugins"

#: seconds a third-party plugin's import or hook may take (``HAL_PLUGIN_TIMEOUT``)
DEFAULT_TIMEOUT = 60.0

#: the distribution of hal's own plugins (pyproject.toml's name, normalised): trusted,
#: run in the calling thread
_OWN_DIST = "hal-arrays"


class PluginHung(Exception):
    """A plugin's import or hook did not return within ``HAL_PLUGIN_TIMEOUT``."""


def plugin_timeout() -> float:
    try:
        value = float(_env.get(_env.HAL_PLUGIN_TIMEOUT) or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def disabled_plugins() -> set[str]:
    """The entry point names ``HAL_DISABLE_PLUGINS`` lists."""
    return {n.strip() for n in (_env.get(_env.HAL_DISABLE_PLUGINS) or "").split(",")
            if n.strip()}


def _call_with_timeout(fn, args, timeout: float, what: str):
    """``fn(*args)`` in a daemon thread; ``PluginHung`` when it takes over ``timeout``."""
    box: dict = {}

    def run():
        try:
            box["result"] = fn(*args)
        except BaseException as exc:  # handed to the caller, re-raised there
            box["error"] = exc

    worker = threading.Thread(target=run, name=f"hal plugin: {what}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise PluginHung(f"did not answer within {timeout:g}s while {what}")
    if "error" in box:
        raise box["error"]
    return box.get("result")


@dataclass
class UnavailablePlugin:
    """A plugin or backend that cannot be used, with why and what to do."""

    name: str
    reason: str
    fix: str
    kind: str = "plugin"       # "plugin" (failed to load), "backend" or "device" (not usable here)
    details: str = ""          # traceback, for ``hal doctor``


@dataclass
class BackendState:
    """Everything hal learned about one backend (control plane only)."""

    spec: BackendSpec
    plugin: str
    availability: Availability | None = None
    devices: list = field(default_factory=list)      # list[Device]
    #: devices the plugin found but cannot use (``DeviceInfo.problem``), never handed out
    unusable: list = field(default_factory=list)     # list[DeviceInfo]
    runtime: Any = None
    kernels_loaded: bool = False


def _fix_for(exc: BaseException, plugin: str, dist: str | None) -> str:
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return (f"pip install {exc.name.split('.')[0]}  (or disable the plugin: "
                f"HAL_DISABLE_PLUGINS={plugin})")
    if dist:
        return (f"reinstall it: pip install --force-reinstall {dist}  (or disable it: "
                f"HAL_DISABLE_PLUGINS={plugin})")
    return f"fix or remove the plugin, or disable it: HAL_DISABLE_PLUGINS={plugin}"


class PluginHost:
    """Owns the pluggy manager, the backends it found and the failures it saw."""

    def __init__(self) -> None:
        self.pm = None
        self.loaded = False
        self.unavailable: list[UnavailablePlugin] = []
        self.backends: dict[str, BackendState] = {}
        self._lock = threading.RLock()
        self._extra: list[tuple[object, str]] = []
        #: plugins whose import and hooks run with a time limit (not hal's own)
        self._timed: set[str] = set()
        #: plugins that hung: never called again
        self._dead: set[str] = set()
        #: entry point name -> why it must not be loaded (crashed or hung in the probe)
        self.skip: dict[str, UnavailablePlugin] = {}
        #: called with (plugin, what) before each import and hook (the probe child)
        self.progress = None

    # -- guarding every call into a plugin ---------------------------------------

    def guarded(self, plugin: str, what: str, fn, *args):
        """Call into ``plugin`` (its import or one hook): in a worker thread with a time
        limit when it is not hal's own.  Raises what the plugin raised, or PluginHung
        (after which the plugin is never called again)."""
        if plugin in self._dead:
            raise PluginHung("skipped: it stopped answering earlier")
        if self.progress is not None:
            self.progress(plugin, what)
        if plugin not in self._timed:
            return fn(*args)
        try:
            return _call_with_timeout(fn, args, plugin_timeout(), what)
        except PluginHung:
            self._dead.add(plugin)
            raise

    # -- loading ---------------------------------------------------------------

    def ensure_loaded(self) -> None:
        if self.loaded:
            return
        with self._lock:
            if self.loaded:
                return
            import pluggy

            from . import hookspecs
            self.pm = pluggy.PluginManager("hal")
            self.pm.add_hookspecs(hookspecs)
            if not _env.flag(_env.HAL_DISABLE_PLUGIN_AUTOLOAD):
                self._load_entry_points()
            for obj, name in self._extra:
                self._register(obj, name, dist=None)
            self._collect_backends()
            self.loaded = True

    def _load_entry_points(self) -> None:
        import importlib.metadata

        disabled = disabled_plugins()
        seen = set()
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in disabled or ep.name in seen:
                continue
            seen.add(ep.name)
            if ep.name in self.skip:
                self.unavailable.append(self.skip[ep.name])
                continue
            dist = ep.dist.name if ep.dist is not None else None
            if dist is None or re.sub(r"[-_.]+", "-", dist).lower() != _OWN_DIST:
                self._timed.add(ep.name)
            try:
                plugin = self.guarded(ep.name, f"importing {ep.value}", ep.load)
            except PluginHung as exc:
                self.unavailable.append(UnavailablePlugin(
                    ep.name, f"{exc}", _hang_fix(ep.name), "plugin"))
                continue
            except BaseException as exc:  # a broken plugin must never break hal
                if isinstance(exc, KeyboardInterrupt):
                    raise
                self.unavailable.append(UnavailablePlugin(
                    ep.name, f"failed to import {ep.value}: {describe_failure(exc)}",
                    _fix_for(exc, ep.name, dist), "plugin", traceback.format_exc()))
                continue
            self._register(plugin, ep.name, dist)

    def _register(self, plugin: object, name: str, dist: str | None) -> bool:
        if self.pm.is_registered(plugin) or self.pm.get_plugin(name) is not None:
            return False
        try:
            self.pm.register(plugin, name=name)
            _check_hook_names(self.pm, plugin, name)
        except Exception as exc:
            # pluggy's PluginValidationError (a hook with a wrong signature) or a hook
            # name hal has no spec for (pluggy accepts those silently)
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            if not isinstance(exc, _ContractError):
                from ._contract import pluggy_error_problem
                exc = pluggy_error_problem(exc, plugin, name)
            self.unavailable.append(UnavailablePlugin(
                name, f"does not follow the hal plugin contract: {exc}",
                "compare the plugin's hook functions with hal/hookspecs.py (names and "
                f"argument names must match), or disable it: HAL_DISABLE_PLUGINS={name}",
                "plugin", traceback.format_exc()))
            return False
        return True

    def register_plugin(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object by hand (tests, notebooks, embedded backends)."""
        name = name or getattr(plugin, "__name__", None) or repr(plugin)
        with self._lock:
            if self.loaded:
                if self._register(plugin, name, dist=None):
                    self._collect_backends(only_plugin=name)
                    _notify_registry_changed(name)
            else:
                self._extra.append((plugin, name))

    # -- calling hooks safely --------------------------------------------------

    def call_each(self, hook: str, only: str | None = None, **kwargs):
        """Call every implementation of ``hook`` on its own, in pluggy's order (newest first).

        Yields ``(plugin name, result)``; an implementation that raises is recorded as
        a broken plugin and skipped, so one plugin can never break another.  ``only``:
        call just that plugin's implementation.
        """
        for impl in reversed(getattr(self.pm.hook, hook).get_hookimpls()):
            if only is not None and impl.plugin_name != only:
                continue
            if impl.plugin_name in self._dead:
                continue
            try:
                result = self.guarded(impl.plugin_name, _hook_call(hook, kwargs),
                                      impl.function, *[kwargs[a] for a in impl.argnames])
            except (Exception, SystemExit) as exc:   # sys.exit in a plugin is its failure
                self._record_hook_failure(impl.plugin_name, hook, exc)
                continue
            yield impl.plugin_name, result

    def call_first(self, hook: str, **kwargs) -> tuple[str, Any] | tuple[None, None]:
        """The first non-``None`` answer of a ``firstresult`` hook, with its plugin."""
        for plugin, result in self.call_each(hook, **kwargs):
            if result is not None:
                return plugin, result
        return None, None

    def _record_hook_failure(self, plugin: str, hook: str, exc: BaseException) -> None:
        if isinstance(exc, PluginHung):
            self.unavailable.append(UnavailablePlugin(
                plugin, f"hook {hook}: {exc}", _hang_fix(plugin), "plugin"))
            return
        self.unavailable.append(UnavailablePlugin(
            plugin, f"hook {hook} raised {describe_failure(exc)}",
            f"report it to the plugin's authors; disable it with HAL_DISABLE_PLUGINS={plugin}",
            "plugin", traceback.format_exc()))

    # -- backends --------------------------------------------------------------

    def _collect_backends(self, only_plugin: str | None = None) -> None:
        from pydantic import ValidationError

        from ._capabilities import BackendSpec
        # only_plugin: a plugin registered late; the others were asked already (and
        # asking them again would record their failures twice)
        for plugin, specs in self.call_each("hal_backends", only=only_plugin):
            if not isinstance(specs, (list, tuple)):
                if specs is not None:
                    self.unavailable.append(UnavailablePlugin(
                        plugin, f"hal_backends returned {type(specs).__name__}, not a list",
                        "return a list of hal.BackendSpec(name=..., priority=...); or "
                        f"disable it: HAL_DISABLE_PLUGINS={plugin}", "plugin"))
                continue
            for raw in specs:
                try:
                    spec = raw if isinstance(raw, BackendSpec) else BackendSpec.model_validate(raw)
                except ValidationError as exc:
                    self.unavailable.append(UnavailablePlugin(
                        plugin, f"hal_backends returned an invalid BackendSpec: {exc}",
                        "return hal.BackendSpec(name=..., priority=...) objects; or "
                        f"disable it: HAL_DISABLE_PLUGINS={plugin}", "plugin"))
                    continue
                if spec.name in self.backends:
                    self.unavailable.append(UnavailablePlugin(
                        plugin, f"backend {spec.name!r} is already provided by plugin "
                        f"{self.backends[spec.name].plugin!r}",
                        "disable one of them with HAL_DISABLE_PLUGINS", "plugin"))
                    continue
                self.backends[spec.name] = BackendState(spec, plugin)

    def backend(self, name: str) -> BackendState | None:
        self.ensure_loaded()
        state = self.backends.get(name)
        if state is not None and state.availability is None:
            self._activate(state)
        return state

    def _activate(self, state: BackendState) -> None:
        """Check availability and enumerate devices of one backend (once)."""
        from ._capabilities import Availability, DeviceInfo
        from ._device import Device

        with self._lock:
            if state.availability is not None:
                return
            name = state.spec.name
            seen = len(self.unavailable)
            _, avail = self.call_first("hal_backend_available", backend=name)
            if avail is None:
                # a plugin whose hook raised is the likely reason: say so
                raised = [u.reason for u in self.unavailable[seen:] if u.name == state.plugin]
                avail = Availability(available=False,
                                     reason=raised[0] if raised else
                                     f"no plugin answered hal_backend_available for "
                                     f"{name!r}", fix=state.spec.install_hint)
            elif not isinstance(avail, Availability):
                try:
                    avail = _validated(Availability, avail, state.plugin,
                                       "hal_backend_available")
                except _ContractError as exc:
                    avail = Availability(available=False, reason=str(exc),
                                         fix=_contract_fix(state.plugin))
            if avail.available:
                try:
                    _, infos = self.call_first("hal_devices", backend=name)
                    infos = [_validated(DeviceInfo, i, state.plugin, "hal_devices")
                             for i in _listed(infos, state.plugin, "hal_devices")]
                    # a selector stays ``backend:N`` when some devices are unusable
                    single = len(infos) == 1
                    state.unusable = [i for i in infos if i.problem]
                    infos = [i for i in infos if not i.problem]
                    for info in state.unusable:
                        self.unavailable.append(UnavailablePlugin(
                            f"{name}:{info.index}",
                            f"{info.name} ({info.platform}): {info.problem}",
                            info.problem_fix, "device"))
                    if not infos:
                        avail = Availability(available=False,
                                             reason=f"{name}: no usable device found",
                                             fix=state.spec.install_hint)
                    else:
                        state.devices = [Device._intern(i, single) for i in infos]
                        _, state.runtime = self.call_first("hal_runtime", backend=name)
                        for dev in state.devices:
                            dev.runtime = state.runtime
                        if state.runtime is None:
                            avail = Availability(available=False,
                                                 reason=f"{name}: the plugin returned no runtime",
                                                 fix="implement hal_runtime in the plugin")
                except _ContractError as exc:
                    avail = Availability(available=False, reason=str(exc),
                                         fix=_contract_fix(state.plugin))
            if not avail.available:
                state.devices = []
                self.unavailable.append(UnavailablePlugin(
                    name, avail.reason, avail.fix or state.spec.install_hint, "backend"))
            state.availability = avail

    def activate_all(self) -> None:
        self.ensure_loaded()
        for state in list(self.backends.values()):
            if state.availability is None:
                self._activate(state)


class _ContractError(Exception):
    pass


def describe_failure(exc: BaseException) -> str:
    """``Type: message`` of what a plugin raised (``sys.exit`` said as such)."""
    if isinstance(exc, SystemExit):
        return f"SystemExit: the plugin called sys.exit({exc.code!r})"
    return f"{type(exc).__name__}: {exc}"


def _hook_call(hook: str, kwargs: dict) -> str:
    backend = kwargs.get("backend")
    return f"{hook}({backend!r})" if backend is not None else f"{hook}()"


def _hang_fix(plugin: str) -> str:
    return (f"report it to the plugin's authors; disable it with "
            f"HAL_DISABLE_PLUGINS={plugin}, or give slow plugins longer with "
            f"HAL_PLUGIN_TIMEOUT=<seconds> (now {plugin_timeout():g})")


def _validated(model, value, plugin: str, hook: str):
    from pydantic import ValidationError
    try:
        return value if isinstance(value, model) else model.model_validate(value)
    except ValidationError as exc:
        raise _ContractError(f"plugin {plugin!r}: {hook} returned an invalid "
                             f"{model.__name__}: {exc}") from None


def _contract_fix(plugin: str) -> str:
    return (f"fix the hook results of plugin {plugin!r} (see hal/hookspecs.py), or "
            f"disable it: HAL_DISABLE_PLUGINS={plugin}")


def _listed(value, plugin: str, hook: str) -> list | tuple:
    """A hook result that must be a list (``None``: empty)."""
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise _ContractError(f"plugin {plugin!r}: {hook} returned "
                             f"{type(value).__name__}, not a list")
    return value


def _check_hook_names(pm, plugin: object, name: str) -> None:
    """Refuse ``hal_*`` functions that match no hookspec (a misspelt hook would
    otherwise be ignored without a word)."""
    import difflib

    from . import hookspecs
    known = [n for n in dir(hookspecs) if n.startswith("hal_")]
    for caller in pm.get_hookcallers(plugin) or ():
        if not caller.has_spec():
            close = difflib.get_close_matches(caller.name, known, n=1)
            raise _ContractError(
                f"plugin {name!r} implements {caller.name!r}, which is not a hal hook"
                + (f" (did you mean {close[0]!r}?)" if close else
                   f"; hal's hooks are {', '.join(known)}"))


def _notify_registry_changed(plugin: str) -> None:
    from . import _dispatch
    from ._registry import registry
    registry.add_plugin(plugin)  # its kernels for backends already in use
    _dispatch.clear_caches()


host = PluginHost()


def register_plugin(plugin: object, name: str | None = None) -> None:
    """Register a plugin object (a module or instance with ``@hal.hookimpl`` functions)."""
    host.register_plugin(plugin, name)


def unavailable() -> list[UnavailablePlugin]:
    """Every plugin and backend that could not be used, with the reason and the fix."""
    host.activate_all()
    return list(host.unavailable)
