"""What the kit's own test modules share: the device and the plugin under test."""

from __future__ import annotations

import importlib.metadata

from . import _state

ENTRY_POINT_GROUP = "hal.plugins"


def backend_name() -> str:
    return _state.selector().strip().partition(":")[0].lower()


def plugin_names() -> set[str]:
    """The plugin(s) under test: ``--hal-plugin``, the plugin providing the device's
    backend, and an entry point named like the backend."""
    from hal._plugins import host
    host.ensure_loaded()
    names = set()
    if _state.CONFIG.get("plugin"):
        names.add(_state.CONFIG["plugin"])
    backend = backend_name()
    state = host.backends.get(backend)
    if state is not None:
        names.add(state.plugin)
    if any(ep.name == backend for ep in importlib.metadata.entry_points(
            group=ENTRY_POINT_GROUP)):
        names.add(backend)
    return names


def plugin_objects() -> dict[str, object]:
    """Name -> plugin object, also for plugins hal refused to register (a hook with
    the wrong signature): those are loaded again from their entry point."""
    from hal._plugins import host
    out = {}
    for name in sorted(plugin_names()):
        obj = host.pm.get_plugin(name)
        if obj is None:
            for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                if ep.name == name:
                    try:
                        obj = ep.load()
                    except Exception:
                        obj = None     # the import failure is reported elsewhere
        if obj is not None:
            out[name] = obj
    return out


def distribution_of(name: str) -> str:
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name and ep.dist is not None:
            return f"{ep.dist.name} {ep.dist.version}"
    return ""
