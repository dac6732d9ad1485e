"""Plugins that raise, hang or kill the interpreter never take hal down with them.

Each faulty plugin is a real installed plugin: a ``.dist-info`` with an
``entry_points.txt`` in the ``hal.plugins`` group on ``PYTHONPATH`` (as pip writes it,
the way ``tests/test_plugins.py`` installs its broken plugins), with one fault: an
exception, a ``time.sleep`` far past ``HAL_PLUGIN_TIMEOUT``, ``os.abort()`` or a
segfault through ctypes, at import or in one hook.  For each, in fresh interpreters:

* raising and hanging plugins: ``import hal`` works, NumPy's device computes correct
  results, and ``hal.unavailable_plugins()`` names the plugin and what went wrong;
* every fault, crashes included: ``hal devices --json`` exits 0 and names the plugin,
  the hook and the fix; a crashing plugin is the one thing hal cannot survive
  in-process, so its fix (``HAL_DISABLE_PLUGINS=<name>``) is checked to work too;
* all raising and hanging plugins installed at once, next to hal's own plugins: the
  other backends (OpenCL, oneAPI where present) still compute correct results.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

#: seconds a faulty plugin may hang before hal gives up on it (short: the test waits it)
TIMEOUT = "1"

_HOOKS = {
    "backends": "hal_backends", "available": "hal_backend_available",
    "devices": "hal_devices", "runtime": "hal_runtime", "kernels": "hal_register_kernels",
}


def _plugin_source(where: str, fault: str) -> str:
    """A complete plugin (backend ``<name>``) with ``fault`` at ``where``."""
    fault_code = {
        "raise": 'raise RuntimeError("vendor driver failed")',
        "exit": "raise SystemExit(3)",
        "hang": "import time; time.sleep(600)",
        "abort": "import os; os.abort()",
        "segfault": "import ctypes; ctypes.string_at(0)",
    }[fault]
    hooks = {h: "" for h in _HOOKS}
    if where != "import":
        hooks[where] = fault_code
    return textwrap.dedent(f'''
        import hal
        import numpy as np
        {fault_code if where == "import" else ""}
        BACKEND = __name__.removeprefix("fault_")

        @hal.hookimpl
        def hal_backends():
            {hooks["backends"] or "pass"}
            return [hal.BackendSpec(name=BACKEND, priority=-50)]

        @hal.hookimpl
        def hal_backend_available(backend):
            if backend != BACKEND:
                return None
            {hooks["available"] or "pass"}
            return hal.Availability(available=True)

        @hal.hookimpl
        def hal_devices(backend):
            if backend != BACKEND:
                return None
            {hooks["devices"] or "pass"}
            return [hal.DeviceInfo(backend=BACKEND, index=0, name="faulty",
                                   capabilities=hal.Capabilities(dtypes=("bool", "float32")))]

        @hal.hookimpl
        def hal_runtime(backend):
            if backend != BACKEND:
                return None
            {hooks["runtime"] or "pass"}
            return None

        @hal.hookimpl
        def hal_register_kernels(backend, registry):
            if backend != "numpy":      # every plugin is asked for every backend in use
                return
            {hooks["kernels"] or "pass"}
    ''')


#: case name -> (where, fault); the name is the plugin's entry point and backend name
CASES = {f"{fault}_{where}": (where, fault)
         for fault in ("raise", "hang")
         for where in ("import", *_HOOKS)}
# sys.exit in a plugin: at import, in a pluggy hook and in kernel registration (the
# three ways hal calls into a plugin)
CASES.update({f"exit_{where}": (where, "exit") for where in ("import", "devices", "kernels")})
CASES.update({"abort_import": ("import", "abort"), "segfault_import": ("import", "segfault"),
              "abort_devices": ("devices", "abort"), "segfault_devices": ("devices", "segfault"),
              "abort_kernels": ("kernels", "abort"), "segfault_available": ("available",
                                                                            "segfault")})
CRASHES = {n for n, (_, fault) in CASES.items() if fault in ("abort", "segfault")}


def _install(root, names) -> None:
    dist = root / "fault_plugins-0.1.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fault-plugins\n"
                                   "Version: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[hal.plugins]\n" + "".join(f"{n} = fault_{n}\n" for n in names))
    for n in names:
        (root / f"fault_{n}.py").write_text(_plugin_source(*CASES[n]))


USE = """
    import json
    import hal
    x = hal.asarray([1.0, 2.0, 3.0], device="numpy")
    out = {"sum": float(hal.sum(x * x + 1)),
           "unavailable": [[u.name, u.reason, u.fix] for u in hal.unavailable_plugins()]}
    for sel in ("opencl:intel", "oneapi"):
        try:
            d = hal.get_device(sel)
        except hal.HalError:
            continue
        y = hal.asarray([1.0, 2.0, 3.0], device=d)
        out[sel] = hal.to_numpy(y * 2 + 1).tolist()
    print(json.dumps(out))
"""


def _run(args, path, **env) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("HAL_")}
    full.update(PYTHONPATH=str(path), HAL_PLUGIN_TIMEOUT=TIMEOUT, **env)
    return subprocess.run(args, capture_output=True, text=True, env=full, timeout=240)


def _hal_devices(path, **env):
    return _run([sys.executable, "-m", "hal._cli", "devices", "--json"], path, **env)


def _use(path, **env):
    return _run([sys.executable, "-c", textwrap.dedent(USE)], path, **env)


VENDOR = "opencl,oneapi,cupy"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every subprocess of the module, two at a time (the machine has two cores)."""
    jobs = {}
    for name in CASES:
        root = tmp_path_factory.mktemp(name)
        _install(root, [name])
        jobs[(name, "devices")] = (_hal_devices, root, {"HAL_DISABLE_PLUGINS": VENDOR})
        if name in CRASHES:   # the fix hal names must work
            jobs[(name, "disabled")] = (_use, root,
                                        {"HAL_DISABLE_PLUGINS": f"{VENDOR},{name}"})
        else:
            jobs[(name, "use")] = (_use, root, {"HAL_DISABLE_PLUGINS": VENDOR})
    together = tmp_path_factory.mktemp("together")
    _install(together, [n for n in CASES if n not in CRASHES])
    jobs[("<together>", "use")] = (_use, together, {})
    with ThreadPoolExecutor(2) as pool:
        futures = {k: pool.submit(fn, root, **env) for k, (fn, root, env) in jobs.items()}
        return {k: f.result() for k, f in futures.items()}


def _json(proc):
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return json.loads(proc.stdout[proc.stdout.index("{"):]) if proc.stdout.lstrip() \
        .startswith("{") else json.loads(proc.stdout.strip().splitlines()[-1])


def _expected(name: str) -> list[str]:
    where, fault = CASES[name]
    hook = "import" if where == "import" else _HOOKS[where]
    return {
        "raise": [hook if where != "import" else "failed to import",
                  "RuntimeError: vendor driver failed"],
        "exit": [hook if where != "import" else "failed to import", "sys.exit(3)"],
        "hang": [f"did not answer within {TIMEOUT}s while",
                 hook if where != "import" else f"importing fault_{name}"],
        "abort": ["crashed the interpreter (SIGABRT) while",
                  hook if where != "import" else f"importing fault_{name}"],
        "segfault": ["crashed the interpreter (SIGSEGV) while",
                     hook if where != "import" else f"importing fault_{name}"],
    }[fault]


def _named(unavailable, name: str) -> list[str]:
    return [f"{u[0]}: {u[1]} | {u[2]}" for u in unavailable if u[0] == name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_hal_devices_names_the_culprit(runs, name):
    out = _json(runs[(name, "devices")])
    assert "numpy" in [d["selector"] for d in out["devices"]]
    text = "\n".join(_named([[u["name"], u["reason"], u["fix"]] for u in out["unavailable"]],
                            name))
    for fragment in _expected(name):
        assert fragment in text, f"{fragment!r} not in {text!r}"
    assert f"HAL_DISABLE_PLUGINS={name}" in text


@pytest.mark.parametrize("name", sorted(set(CASES) - CRASHES))
def test_hal_keeps_working_in_process(runs, name):
    out = _json(runs[(name, "use")])
    assert out["sum"] == 17.0
    text = "\n".join(_named(out["unavailable"], name))
    for fragment in _expected(name):
        assert fragment in text, f"{fragment!r} not in {text!r}"


@pytest.mark.parametrize("name", sorted(CRASHES))
def test_disabling_a_crashing_plugin_is_the_fix(runs, name):
    out = _json(runs[(name, "disabled")])
    assert out["sum"] == 17.0 and not _named(out["unavailable"], name)


def test_all_faulty_plugins_together_leave_every_backend_working(runs, figures):
    out = _json(runs[("<together>", "use")])
    assert out["sum"] == 17.0
    for name in set(CASES) - CRASHES:
        assert _named(out["unavailable"], name), name
    for sel in ("opencl:intel", "oneapi"):
        if sel in out:
            assert out[sel] == [3.0, 5.0, 7.0], sel
    survived = sum(
        runs[(n, "devices")].returncode == 0
        and (runs.get((n, "use")) or runs[(n, "disabled")]).returncode == 0 for n in CASES)
    figures.record("plugin faults", "all", survived=survived, cases=len(CASES),
                   backends_checked=1 + sum(s in out for s in ("opencl:intel", "oneapi")))
    assert survived == len(CASES)
