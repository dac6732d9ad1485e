"""Load every plugin in a child process first, so that one that kills the interpreter
does not take ``hal devices`` / ``hal doctor`` with it.

A plugin can segfault (a broken driver), call ``os.abort()`` or hang in code hal does not
own; in-process, nothing survives the first and nothing interrupts a hang in hal's own
plugins.  The child reports each import and hook call before making it, so when it dies
or stops answering, the last report names the plugin and the hook.  The parent then
leaves that plugin out (``PluginHost.skip``), lists it as unavailable with the fix, and
probes again without it, until a child finishes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from . import _env
from ._plugins import UnavailablePlugin, disabled_plugins, host, plugin_timeout

#: marks the child's own lines (a plugin may print to stdout too)
_TAG = "HALPROBE "

#: how many crashing plugins one probe can tell apart (one child each)
MAX_ROUNDS = 5


def _child() -> None:
    """In the child: load and activate every plugin, reporting each call first."""
    def progress(plugin: str, what: str) -> None:
        print(_TAG + json.dumps({"step": [plugin, what]}), flush=True)

    host.progress = progress
    host.activate_all()
    from ._registry import registry
    for name, state in list(host.backends.items()):
        if state.devices:
            registry.ensure_backend(name)
    hung = [{"name": u.name, "reason": u.reason, "fix": u.fix}
            for u in host.unavailable if u.kind == "plugin" and u.name in host._dead]
    print(_TAG + json.dumps({"done": True, "hung": hung}), flush=True)
    os._exit(0)   # a stuck plugin thread must not keep the child alive


def _how_it_died(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"crashed the interpreter ({signal.Signals(-returncode).name})"
        except ValueError:
            return f"crashed the interpreter (signal {-returncode})"
    return f"ended the interpreter (exit status {returncode})"


def _fix(plugin: str) -> str:
    return (f"uninstall it, or set HAL_DISABLE_PLUGINS={plugin} (hal works without it; "
            "`hal devices` leaves it out by itself)")


def probe_in_child() -> list[UnavailablePlugin]:
    """Probe the installed plugins in child processes; tell the plugin host to skip
    each one that crashed or hung there.  Returns what it found."""
    if host.loaded or _env.flag(_env.HAL_DISABLE_PLUGIN_AUTOLOAD):
        return []
    found: list[UnavailablePlugin] = []
    # generous: a child loads every plugin, hal's own ones without a time limit
    limit = 2 * plugin_timeout() + 60
    for _ in range(MAX_ROUNDS):
        env = dict(os.environ)
        env[_env.HAL_DISABLE_PLUGINS] = ",".join(sorted(disabled_plugins() | set(host.skip)))
        steps, done = [], None
        try:
            proc = subprocess.run([sys.executable, "-c", "from hal._probe import _child; _child()"],
                                  capture_output=True, text=True, env=env, timeout=limit)
            out, died = proc.stdout, _how_it_died(proc.returncode)
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
            died = f"did not answer within {limit:g}s"
        for line in out.splitlines():
            if line.startswith(_TAG):
                msg = json.loads(line[len(_TAG):])
                if "step" in msg:
                    steps.append(msg["step"])
                else:
                    done = msg
        if done is not None:
            for h in done["hung"]:
                entry = UnavailablePlugin(h["name"], h["reason"] + " (in hal's probe "
                                          "process; not loaded here)", h["fix"], "plugin")
                host.skip.setdefault(h["name"], entry)
                found.append(entry)
            return found
        if not steps:
            return found    # died before any plugin was called: not a plugin's doing
        plugin, what = steps[-1]
        entry = UnavailablePlugin(plugin, f"plugin {plugin!r} {died} while {what} (in "
                                  "hal's probe process; not loaded here)", _fix(plugin),
                                  "plugin")
        host.skip[plugin] = entry
        found.append(entry)
    return found
