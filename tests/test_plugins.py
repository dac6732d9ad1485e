"""Broken plugins never break hal.

A temporary directory on ``PYTHONPATH`` holds a fake installed distribution
(``fake_plugin-0.1.dist-info`` with ``METADATA`` and an ``entry_points.txt`` declaring
``[hal.plugins]`` entries) and one module per way a plugin can be broken.  Each runs
in a fresh interpreter, all installed together: ``import hal`` works, NumPy arrays
and ops work, and ``hal.unavailable_plugins()`` lists the plugin with the reason and
a fix that names it.  The switches ``HAL_DISABLE_PLUGIN_AUTOLOAD`` and
``HAL_DISABLE_PLUGINS`` are checked the same way.

The subprocesses of this module are started together (a module fixture) so the
module costs about as much as its slowest interpreter, not their sum.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import hal

from _plugin_helpers import clean_env, registered

#: entry point name -> (module name, source): every way a plugin can be broken
BROKEN = {
    "missing_dep": ("fake_missing_dep", """
        import hal_fake_vendor_sdk  # the vendor library is not installed
    """),
    "raises_on_import": ("fake_raises_on_import", """
        raise RuntimeError("driver initialisation failed")
    """),
    "wrong_argname": ("fake_wrong_argname", """
        import hal
        @hal.hookimpl
        def hal_backends():
            return [hal.BackendSpec(name="wrongarg")]
        @hal.hookimpl
        def hal_backend_available(backend_name):   # the spec says `backend`
            return hal.Availability(available=True)
    """),
    "wrong_hookname": ("fake_wrong_hookname", """
        import hal
        @hal.hookimpl
        def hal_backend():                          # hal_backends, misspelt
            return [hal.BackendSpec(name="typo")]
    """),
    "bad_spec": ("fake_bad_spec", """
        import hal
        @hal.hookimpl
        def hal_backends():
            return [{"name": "Not A Valid Name!", "priority": "high"}]
    """),
    "bad_spec_type": ("fake_bad_spec_type", """
        import hal
        @hal.hookimpl
        def hal_backends():
            return 42
    """),
    "raises_available": ("fake_raises_available", """
        import hal
        @hal.hookimpl
        def hal_backends():
            return [hal.BackendSpec(name="flaky", install_hint="pip install flaky-sdk")]
        @hal.hookimpl
        def hal_backend_available(backend):
            if backend == "flaky":
                raise OSError("libflaky.so: cannot open shared object file")
    """),
    "bad_availability": ("fake_bad_availability", """
        import hal
        @hal.hookimpl
        def hal_backends():
            return [hal.BackendSpec(name="yesman")]
        @hal.hookimpl
        def hal_backend_available(backend):
            return "yes" if backend == "yesman" else None
    """),
    "bad_devices": ("fake_bad_devices", """
        import hal
        @hal.hookimpl
        def hal_backends():
            return [hal.BackendSpec(name="baddev")]
        @hal.hookimpl
        def hal_backend_available(backend):
            return hal.Availability(available=True) if backend == "baddev" else None
        @hal.hookimpl
        def hal_devices(backend):
            return 7 if backend == "baddev" else None
    """),
    "raises_runtime": ("fake_raises_runtime", """
        import hal
        @hal.hookimpl
        def hal_backends():
            return [hal.BackendSpec(name="noruntime")]
        @hal.hookimpl
        def hal_backend_available(backend):
            return hal.Availability(available=True) if backend == "noruntime" else None
        @hal.hookimpl
        def hal_devices(backend):
            if backend != "noruntime":
                return None
            caps = hal.Capabilities(dtypes=("bool", "float32"))
            return [hal.DeviceInfo(backend="noruntime", index=0, name="X",
                                   capabilities=caps)]
        @hal.hookimpl
        def hal_runtime(backend):
            if backend == "noruntime":
                raise ImportError("libnoruntime.so not found")
    """),
    "bad_kernels": ("fake_bad_kernels", """
        import hal, numpy as np
        @hal.hookimpl
        def hal_register_kernels(backend, registry):
            if backend != "numpy":       # a plugin may add kernels to any backend
                return
            registry.register("ad", np.add)
            registry.register("multiply", np.multiply, dtypes=("float33",))
            registry.register("subtract", "not callable")
            registry.register("divide", np.divide, requires={"warp_drive"})
    """),
    "raises_kernels": ("fake_raises_kernels", """
        import hal
        @hal.hookimpl
        def hal_register_kernels(backend, registry):
            raise KeyError("kernel table corrupted")
    """),
}

#: entry point name -> fragments its entry's reason must contain (kind, reasons)
EXPECTED = {
    "missing_dep": ("plugin", ["failed to import fake_missing_dep", "ModuleNotFoundError",
                               "hal_fake_vendor_sdk"]),
    "raises_on_import": ("plugin", ["RuntimeError: driver initialisation failed"]),
    "wrong_argname": ("plugin", ["does not follow the hal plugin contract",
                                 "hal_backend_available", "backend_name"]),
    "wrong_hookname": ("plugin", ["'hal_backend', which is not a hal hook",
                                  "did you mean 'hal_backends'"]),
    "bad_spec": ("plugin", ["invalid BackendSpec", "Not A Valid Name!"]),
    "bad_spec_type": ("plugin", ["hal_backends returned int, not a list"]),
    "raises_available": ("plugin", ["hook hal_backend_available raised OSError",
                                    "libflaky.so"]),
    "raises_runtime": ("plugin", ["hook hal_runtime raised ImportError",
                                  "libnoruntime.so"]),
    "bad_kernels": ("kernel", ["plugin 'bad_kernels', backend 'numpy'"]),
    "raises_kernels": ("kernel", ["hal_register_kernels raised KeyError",
                                  "kernel table corrupted"]),
}

#: backends that broken plugins announce, -> fragment of why each is unavailable
BROKEN_BACKENDS = {
    "raises_available": ("flaky", "hook hal_backend_available raised OSError: "
                                  "libflaky.so: cannot open shared object file"),
    "bad_availability": ("yesman", "hal_backend_available returned an invalid "
                                   "Availability"),
    "bad_devices": ("baddev", "plugin 'bad_devices': hal_devices returned int, not a "
                              "list"),
    "raises_runtime": ("noruntime", "the plugin returned no runtime"),
}

PROBE = """
    import json, sys
    import hal
    out = {"pluggy_at_import": "pluggy" in sys.modules}
    x = hal.asarray([1.0, 2.0, 3.0])
    y = hal.asarray([[1, 2], [3, 4]], dtype=hal.int32, device="numpy")
    out["device"] = str(x.device)
    out["sum"] = float(hal.sum(x * x + 1))
    out["ops"] = hal.to_numpy(hal.matmul(y, y) - y // 2).tolist()
    out["divide"] = hal.to_numpy(x / 2).tolist()
    out["kernels"] = [hal.explain(name, x, x).kernel for name in
                      ("add", "multiply", "subtract", "divide")]
    out["devices"] = [str(d) for d in hal.devices()]
    out["unavailable"] = [dict(name=u.name, kind=u.kind, reason=u.reason, fix=u.fix)
                          for u in hal.unavailable_plugins()]
    out["imported"] = sorted(m for m in sys.modules if m.startswith("fake_"))
    errors = {}
    for selector in ("flaky", "wrongarg", "typo", "baddev", "noruntime", "yesman"):
        try:
            hal.get_device(selector)
        except hal.HalError as exc:
            errors[selector] = [type(exc).__name__, str(exc)]
    out["errors"] = errors
    print(json.dumps(out))
"""


def write_fake_distribution(root, names) -> None:
    dist = root / "fake_plugin-0.1.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-plugin\n"
                                   "Version: 0.1\n")
    lines = [f"{name} = {BROKEN[name][0]}" for name in names]
    (dist / "entry_points.txt").write_text("[hal.plugins]\n" + "\n".join(lines) + "\n")
    for name in names:
        module, source = BROKEN[name]
        (root / f"{module}.py").write_text(textwrap.dedent(source))


# hal's vendor backends (when installed) are skipped: they are not under test here,
# their driver start-up would dominate the run time, and without their hardware
# they would add "unavailable" entries of their own
VENDOR_PLUGINS = "opencl,cupy,oneapi"


def start(code: str, path, **env) -> subprocess.Popen:
    env.setdefault("HAL_DISABLE_PLUGINS", VENDOR_PLUGINS)
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=clean_env(PYTHONPATH=str(path), **env))


def finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=120)
    return {"rc": proc.returncode, "stdout": out, "stderr": err,
            "json": json.loads(out.strip().splitlines()[-1]) if proc.returncode == 0
            else None}


AUTOLOAD_OFF = """
    import json, sys
    import hal
    out = {"devices": [str(d) for d in hal.devices()],
           "unavailable": [u.name for u in hal.unavailable_plugins()]}
    for name, call in (("get_device", lambda: hal.get_device("numpy")),
                       ("asarray", lambda: hal.asarray([1.0])),
                       ("default_device",
                        lambda: hal.__array_namespace_info__().default_device())):
        try:
            call()
        except hal.HalError as exc:
            out[name] = [type(exc).__name__, str(exc)]
    out["imported"] = sorted(m for m in sys.modules
                             if m.startswith("fake_") or m == "hal_numpy")
    import hal_numpy
    hal.register_plugin(hal_numpy, "numpy")
    out["after"] = [str(d) for d in hal.devices()]
    out["works"] = hal.to_numpy(hal.asarray([1.0, 2.0]) * 3).tolist()
    print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every subprocess of this module, started at once; name -> finished run."""
    procs = {}
    everything = tmp_path_factory.mktemp("all_broken")
    write_fake_distribution(everything, list(BROKEN))
    procs["<all>"] = start(PROBE, everything)
    procs["<all, disabled>"] = start(
        PROBE, everything,
        HAL_DISABLE_PLUGINS=VENDOR_PLUGINS + ", " + " , ".join(BROKEN))   # spaces are allowed
    procs["<autoload off>"] = start(AUTOLOAD_OFF, everything,
                                    HAL_DISABLE_PLUGIN_AUTOLOAD="1")
    procs["<numpy disabled>"] = start(AUTOLOAD_OFF, everything,
                                      HAL_DISABLE_PLUGINS="numpy," + VENDOR_PLUGINS)
    procs["<HAL_DEVICE=flaky>"] = start(PROBE, everything, HAL_DEVICE="flaky")
    return {name: finish(p) for name, p in procs.items()}


def probe(runs, name) -> dict:
    run = runs[name]
    assert run["rc"] == 0, f"{name}: exit {run['rc']}\n{run['stderr']}"
    return run["json"]


def assert_numpy_works(out: dict) -> None:
    assert out["device"] == "numpy" and "numpy" in out["devices"]
    assert out["sum"] == 17.0
    assert out["ops"] == (np.array([[7, 10], [15, 22]]) - np.array([[0, 1], [1, 2]])).tolist()
    assert out["divide"] == [0.5, 1.0, 1.5]
    # kernels a broken plugin failed to register never replace NumPy's
    assert out["kernels"] == ["numpy.add", "numpy.multiply", "numpy.subtract",
                              "numpy.divide"]


def entries(out: dict, name: str) -> list[dict]:
    return [u for u in out["unavailable"] if u["name"] == name]


# -- every broken plugin installed at once -----------------------------------------------

def test_all_broken_plugins_together_never_break_hal(runs):
    out = probe(runs, "<all>")
    assert_numpy_works(out)
    assert out["pluggy_at_import"] is False
    assert out["devices"] == ["numpy"]
    names = {u["name"] for u in out["unavailable"]}
    expected = set(EXPECTED) | {backend for backend, _ in BROKEN_BACKENDS.values()}
    assert names == expected, names ^ expected


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_plugin_is_listed_with_reason_and_fix(runs, name):
    out = probe(runs, "<all>")
    if name in EXPECTED:
        kind, fragments = EXPECTED[name]
        found = entries(out, name)
        assert found, out["unavailable"]
        assert all(u["kind"] == kind for u in found)
        reasons = " | ".join(u["reason"] for u in found)
        for fragment in fragments:
            assert fragment in reasons, reasons
        for u in found:
            assert f"HAL_DISABLE_PLUGINS={name}" in u["fix"], u["fix"]
    if name in BROKEN_BACKENDS:
        backend, why = BROKEN_BACKENDS[name]
        assert backend not in out["devices"]
        (entry,) = entries(out, backend)
        assert entry["kind"] == "backend" and why in entry["reason"], entry
        assert entry["fix"]
        kind, message = out["errors"][backend]
        assert kind == "HalDeviceError"
        assert f"backend {backend!r} is unavailable" in message and "numpy" in message


def test_fixes_say_what_to_install(runs):
    out = probe(runs, "<all>")
    (entry,) = entries(out, "missing_dep")
    assert entry["fix"].startswith("pip install hal_fake_vendor_sdk")
    (entry,) = entries(out, "raises_on_import")
    assert "pip install --force-reinstall fake-plugin" in entry["fix"]
    (entry,) = entries(out, "flaky")
    assert entry["fix"] == "pip install flaky-sdk"     # the backend's install_hint


def test_every_kernel_registration_error_is_reported(runs):
    reasons = [u["reason"] for u in entries(probe(runs, "<all>"), "bad_kernels")]
    assert len(reasons) == 4, reasons
    text = "\n".join(reasons)
    assert "unknown op 'ad'" in text
    assert "'multiply' has a malformed dtype signature ('float33',)" in text
    assert "'subtract' is not callable" in text
    assert "unknown feature(s) ['warp_drive']" in text


def test_a_plugin_that_breaks_the_contract_registers_nothing(runs):
    out = probe(runs, "<all>")
    # its (valid) hal_backends was not registered either: all or nothing
    kind, message = out["errors"]["wrongarg"]
    assert kind == "HalValueError" and "no backend 'wrongarg'" in message
    kind, message = out["errors"]["typo"]
    assert "no backend 'typo'" in message


# -- the switches ---------------------------------------------------------------------

def test_HAL_DISABLE_PLUGINS_skips_them_before_import(runs):
    out = probe(runs, "<all, disabled>")
    assert_numpy_works(out)
    assert out["unavailable"] == []
    assert out["imported"] == []         # not even imported


def test_HAL_DISABLE_PLUGIN_AUTOLOAD_loads_nothing(runs):
    out = probe(runs, "<autoload off>")
    assert out["devices"] == [] and out["unavailable"] == []
    assert out["imported"] == []
    kind, message = out["get_device"]
    assert kind == "HalValueError"
    assert "no backend 'numpy'" in message and "HAL_DISABLE_PLUGIN_AUTOLOAD=1" in message
    assert "hal.register_plugin" in message
    for call in ("asarray", "default_device"):
        kind, message = out[call]
        assert kind == "HalDeviceError"
        assert "found no device" in message and "HAL_DISABLE_PLUGIN_AUTOLOAD=1" in message
    # plugins registered by hand still work
    assert out["after"] == ["numpy"] and out["works"] == [3.0, 6.0]


def test_HAL_DISABLE_PLUGINS_numpy_is_explained(runs):
    out = probe(runs, "<numpy disabled>")
    assert "numpy" not in out["devices"]
    kind, message = out["get_device"]
    assert "no backend 'numpy'" in message and "HAL_DISABLE_PLUGINS=numpy,opencl" in message
    assert out["after"] == [*out["devices"], "numpy"] and out["works"] == [3.0, 6.0]


def test_HAL_DEVICE_naming_a_broken_backend(runs):
    run = runs["<HAL_DEVICE=flaky>"]
    assert run["rc"] == 1
    last = run["stderr"].strip().splitlines()[-1]
    assert "HalDeviceError: HAL_DEVICE='flaky' names no usable device: backend 'flaky' " \
        "is unavailable: hook hal_backend_available raised OSError" in last, last
    assert "fix: pip install flaky-sdk" in last
    assert "numpy" in last


# -- in-process: plugins registered by hand ---------------------------------------------

class RaisesEverywhere:
    @hal.hookimpl
    def hal_backends(self):
        raise RuntimeError("hal_backends exploded")

    @hal.hookimpl
    def hal_register_kernels(self, backend, registry):
        raise RuntimeError("hal_register_kernels exploded")


class WrongSignature:
    @hal.hookimpl
    def hal_devices(self, backend, verbose):
        return []


@pytest.mark.parametrize("plugin, name, fragment", [
    (RaisesEverywhere(), "raises_everywhere", "hook hal_backends raised RuntimeError"),
    (WrongSignature(), "wrong_signature", "'verbose'"),
])
def test_register_plugin_by_hand_isolates_a_broken_plugin(plugin, name, fragment):
    from hal._dispatch import clear_caches
    before = [str(d) for d in hal.devices()]
    with registered(plugin, name):
        clear_caches()
        found = [u for u in hal.unavailable_plugins() if u.name == name]
        assert found and fragment in found[0].reason, found
        assert [str(d) for d in hal.devices()] == before
        x = hal.asarray([1.0, 2.0], device="numpy")
        np.testing.assert_array_equal(hal.to_numpy(hal.exp(x) * 0 + x), [1.0, 2.0])
    assert not [u for u in hal.unavailable_plugins() if u.name == name]


def test_a_failure_is_recorded_once_however_many_plugins_come_later():
    from _plugin_helpers import RestrictedPlugin
    with registered(RaisesEverywhere(), "raises_once"), \
         registered(RestrictedPlugin("later_a"), "later_a_plugin", "later_a"), \
         registered(RestrictedPlugin("later_b"), "later_b_plugin", "later_b"):
        reasons = [u.reason for u in hal.unavailable_plugins() if u.name == "raises_once"]
        assert reasons.count("hook hal_backends raised RuntimeError: hal_backends exploded") \
            == 1, reasons
        assert {"later_a", "later_b"} <= {d.backend for d in hal.devices()}
