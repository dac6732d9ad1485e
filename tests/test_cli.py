"""The ``hal`` command line: ``hal devices``, ``hal doctor``, ``hal demo``, ``--version``.

In-process tests call ``hal._cli.main([...])`` and read the captured output; tests that
need a clean process (a broken plugin on the path, a bad ``HAL_DEVICE``, an extra
float32-only backend) run the installed ``hal`` script or ``python -c`` in a
subprocess.  Nothing here times anything: the demo's time column is only displayed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import hal
from hal import _demo, _env
from hal._cli import main

HAL_SCRIPT = Path(sys.executable).with_name("hal")


# -- helpers -----------------------------------------------------------------------

def run_main(capsys, *argv: str) -> tuple[int, str]:
    rc = main(list(argv))
    out = capsys.readouterr().out
    return rc, out


def table_rows(text: str) -> list[list[str]]:
    """Cells of every rich table row in ``text`` whose first cell is not empty (the
    first physical line of each logical row)."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if cells and cells[0]:
            rows.append(cells)
    return rows


def clean_env(**extra: str) -> dict:
    """The environment without any HAL_* variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAL_")}
    env.update(extra)
    return env


def run_hal(*argv: str, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(HAL_SCRIPT), *argv], capture_output=True, text=True,
                          env=env if env is not None else clean_env(), cwd=cwd,
                          timeout=300)


def run_python(code: str, env: dict, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


@pytest.fixture
def broken_plugin_path(tmp_path):
    """A directory that, on PYTHONPATH, adds an installed distribution whose
    ``hal.plugins`` entry point imports a module that does not exist."""
    dist = tmp_path / "brokenhalplugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: brokenhalplugin\n"
                                   "Version: 0.1\n")
    (dist / "entry_points.txt").write_text("[hal.plugins]\nbrokenplug = hal_brokenplug\n")
    (tmp_path / "hal_brokenplug.py").write_text("import hal_no_such_vendor_library\n")
    return tmp_path


FAKE32_PLUGIN = '''
"""A float32-only 'gpu' backend: NumPy's runtime and kernels, except ``clip``."""
import hal
from hal import hookimpl

B = "fake32"

@hookimpl
def hal_backends():
    return [hal.BackendSpec(name=B, priority=5, description="test backend")]

@hookimpl
def hal_backend_available(backend):
    return hal.Availability(available=True) if backend == B else None

@hookimpl
def hal_devices(backend):
    if backend != B:
        return None
    caps = hal.Capabilities(dtypes=("bool", "int32", "int64", "float32"),
                            features=frozenset({"host_memory"}))
    return [hal.DeviceInfo(backend=B, index=0, name="Fake32 GPU", vendor="Test",
                           device_type="gpu", capabilities=caps)]

@hookimpl
def hal_runtime(backend):
    if backend != B:
        return None
    from hal_numpy._runtime import NumpyRuntime
    return NumpyRuntime()

@hookimpl
def hal_register_kernels(backend, registry):
    if backend != B:
        return
    from hal_numpy import _kernels

    class AllButClip:
        def register(self, op, fn, **kw):
            if op != "clip":
                registry.register(op, fn, **kw)

        def register_many(self, kernels, **kw):
            for op, fn in kernels.items():
                self.register(op, fn, **kw)

    _kernels.register(AllButClip())
'''


# -- --version ---------------------------------------------------------------------

def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"hal {hal.__version__} (Array API 2024.12)"


def test_no_command_prints_help(capsys):
    rc, out = run_main(capsys)
    assert rc == 0
    for command in ("devices", "doctor", "demo"):
        assert command in out


# -- hal devices -------------------------------------------------------------------

def test_devices_table_has_the_numpy_row(capsys):
    rc, out = run_main(capsys, "devices")
    assert rc == 0
    rows = {r[0].split()[0]: r for r in table_rows(out)}
    assert "numpy" in rows
    numpy_row = rows["numpy"]
    assert "CPU (NumPy)" in numpy_row
    assert "NumPy" in numpy_row                       # vendor
    assert f"NumPy {np.__version__}" in numpy_row     # platform
    assert "cpu" in numpy_row                         # type
    assert any(c.endswith("GiB") or c.endswith("MiB") for c in numpy_row)  # memory
    assert str(os.cpu_count()) in numpy_row           # compute units
    assert "float64" in out and "complex128" in out and "fp64" in out


def test_devices_json_matches_the_api(capsys):
    rc, out = run_main(capsys, "devices", "--json")
    assert rc == 0
    report = json.loads(out)
    assert report["hal_version"] == hal.__version__
    assert [d["selector"] for d in report["devices"]] == [str(d) for d in hal.devices()]
    numpy_dev = next(d for d in report["devices"] if d["selector"] == "numpy")
    assert numpy_dev["type"] == "cpu"
    assert numpy_dev["vendor"] == "NumPy"
    assert numpy_dev["memory_bytes"] > 0
    assert numpy_dev["compute_units"] == os.cpu_count()
    assert set(numpy_dev["dtypes"]) >= {"bool", "int64", "float32", "float64", "complex128"}
    assert "fp64" in numpy_dev["features"]
    default = str(hal.__array_namespace_info__().default_device())
    assert report["default_device"] == default
    assert [d["selector"] for d in report["devices"] if d["default"]] == [default]
    names = {u["name"] for u in report["unavailable"]}
    assert {u.name for u in hal.unavailable_plugins()} <= names
    for u in report["unavailable"]:
        assert u["reason"] and u["fix"]
        assert u["kind"] in ("plugin", "backend", "kernel", "device")


def test_devices_shows_an_installed_vendor_library_without_plugin(capsys, monkeypatch,
                                                                  tmp_path):
    """A vendor library hal has no plugin for yet (as pyopencl was before the OpenCL
    backend) gets a 'not yet supported' row, found without importing the library."""
    lib = "hal_test_fake_vendor_lib"
    (tmp_path / f"{lib}.py").write_text("raise RuntimeError('imported!')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(_demo.VENDOR_LIBRARIES, "fakeaccel", (lib, "fakeaccel"))
    rc, out = run_main(capsys, "devices")
    assert rc == 0
    assert lib not in sys.modules
    row = [r for r in table_rows(out) if r[0] == "fakeaccel"]
    assert row and row[0][1] == "backend", out
    assert row[0][2].startswith(f"not yet supported: {lib}")

    rc, out = run_main(capsys, "demo", "--json", "--device", "numpy", "--repeats", "1")
    assert rc == 0
    # --device restricts the run to the devices named: no unavailable rows then
    assert "fakeaccel" not in out


def test_devices_shows_a_plugin_disabled_by_the_environment(broken_plugin_path):
    env = clean_env(PYTHONPATH=str(broken_plugin_path), HAL_DISABLE_PLUGINS="brokenplug")
    report = json.loads(run_hal("devices", "--json", env=env).stdout)
    row = [u for u in report["unavailable"] if u["name"] == "brokenplug"]
    assert len(row) == 1 and row[0]["kind"] == "plugin"
    assert row[0]["reason"] == "disabled by HAL_DISABLE_PLUGINS"
    assert "HAL_DISABLE_PLUGINS" in row[0]["fix"]


def test_devices_lists_a_broken_plugin_with_reason_and_fix(broken_plugin_path):
    env = clean_env(PYTHONPATH=str(broken_plugin_path))
    proc = run_hal("devices", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert "numpy" in [d["selector"] for d in report["devices"]]    # hal still works
    broken = [u for u in report["unavailable"] if u["name"] == "brokenplug"]
    assert len(broken) == 1
    assert broken[0]["kind"] == "plugin"
    assert "hal_no_such_vendor_library" in broken[0]["reason"]
    assert "HAL_DISABLE_PLUGINS=brokenplug" in broken[0]["fix"]

    table = run_hal("devices", env=env)
    assert table.returncode == 0
    row = [r for r in table_rows(table.stdout) if r[0] == "brokenplug"]
    assert row and row[0][1] == "plugin" and "failed to import" in row[0][2]


# -- hal doctor --------------------------------------------------------------------

def test_doctor_reports_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("HAL_CACHE_DIR", "/tmp/hal-doctor-test-cache")
    monkeypatch.setenv("HAL_DEVCE", "numpy")      # a typo doctor should point out
    rc, out = run_main(capsys, "doctor")
    assert rc == 0, out
    assert f"Python {sys.version.split()[0]}" in out
    versions = {r[0]: r[1] for r in table_rows(out)
                if len(r) == 3 and r[2] in ("required", "optional")}
    import pluggy
    import pydantic
    assert versions["numpy"] == np.__version__
    assert versions["pluggy"] == pluggy.__version__
    assert versions["pydantic"] == pydantic.VERSION
    env_rows = {r[0]: r[1] for r in table_rows(out) if r[0].startswith("HAL_")}
    for name in _env.ALL:
        assert name in env_rows
    assert env_rows["HAL_CACHE_DIR"] == "/tmp/hal-doctor-test-cache"
    assert "hal does not read this variable" in env_rows["HAL_DEVCE"]
    entry = [r for r in table_rows(out) if r[:2] == ["numpy", "hal_numpy"]]
    assert entry and entry[0][3] == "loaded"
    backend = [r for r in table_rows(out) if r[0] == "numpy" and r[1] == "numpy"]
    assert backend and backend[0][3] == "yes"
    default = hal.__array_namespace_info__().default_device()
    assert f"Default device: {default}" in out
    smoke = {r[0]: r[1] for r in table_rows(out.split("Smoke test")[1])}
    assert smoke == {str(d): "ok" for d in hal.devices()}
    assert "hal works" in out


def test_doctor_verbose_shows_a_broken_plugins_traceback(broken_plugin_path):
    env = clean_env(PYTHONPATH=str(broken_plugin_path))
    quiet = run_hal("doctor", env=env)
    assert quiet.returncode == 0, quiet.stdout     # a broken plugin does not break hal
    assert "brokenplug" in quiet.stdout and "failed" in quiet.stdout
    assert "Traceback (most recent call last)" not in quiet.stdout
    assert "--verbose" in quiet.stdout

    verbose = run_hal("doctor", "--verbose", env=env)
    assert verbose.returncode == 0
    assert "Traceback of plugin brokenplug" in verbose.stdout
    assert "Traceback (most recent call last)" in verbose.stdout
    assert "ModuleNotFoundError: No module named 'hal_no_such_vendor_library'" \
        in verbose.stdout


def test_doctor_fails_on_an_unknown_default_device():
    proc = run_hal("doctor", env=clean_env(HAL_DEVICE="nosuchbackend:3"))
    assert proc.returncode == 1
    assert "hal is not working" in proc.stdout
    assert "HAL_DEVICE='nosuchbackend:3'" in proc.stdout


def test_doctor_fails_without_any_plugin():
    proc = run_hal("doctor", env=clean_env(HAL_DISABLE_PLUGIN_AUTOLOAD="1"))
    assert proc.returncode == 1
    assert "HAL_DISABLE_PLUGIN_AUTOLOAD=1" in proc.stdout
    assert "no usable device" in proc.stdout


# -- hal demo ----------------------------------------------------------------------

def _diff_and_tol(cell: str) -> tuple[float, float]:
    """'1.23e-07 (tol 0.0001)' -> (1.23e-07, 0.0001)."""
    value, _, tol = cell.partition("(tol")
    return float(value), float(tol.strip(" )"))


def test_demo_on_numpy_matches_numpy(capsys):
    rc, out = run_main(capsys, "demo", "--device", "numpy", "--repeats", "1")
    assert rc == 0, out
    out, _, jit_table = out.partition("hal.jit:")  # the hal.jit table follows
    assert "numpy" in jit_table and "eagerly" in jit_table
    rows = {r[0]: r for r in table_rows(out)}
    header = next(r for r in table_rows(out.replace("┃", "│")) if r[0] == "device")
    col = header.index("max |Δ| vs NumPy")
    assert rows["numpy (plain)"][-1] == "reference"
    numpy_row = rows["numpy"]
    diff, tol = _diff_and_tol(numpy_row[col])
    assert diff <= tol and tol == _demo.TOLERANCES["float64"]
    assert numpy_row[header.index("dtype")] == "float64"
    assert numpy_row[header.index("fallbacks")] == "0"
    assert numpy_row[header.index("status")] == "ok"
    assert "1/1 device(s) match NumPy" in out


def test_demo_json_every_device_and_every_unavailable_backend(capsys):
    rc, out = run_main(capsys, "demo", "--json", "--repeats", "1")
    report = json.loads(out)
    rows = report["rows"]
    by_device = {r["device"]: r for r in rows}
    assert by_device["numpy (plain)"]["status"] == "reference"
    for dev in hal.devices():
        row = by_device[str(dev)]
        assert row["available"]
        expected = hal.__array_namespace_info__().default_dtypes(device=dev)
        assert row["dtype"] == expected["real floating"].name
    numpy_row = by_device["numpy"]
    assert numpy_row["status"] == "ok"
    assert numpy_row["max_abs_diff"] <= numpy_row["tolerance"]
    assert numpy_row["fallback_count"] == 0 and numpy_row["fallbacks"] == []
    assert numpy_row["seconds"] > 0
    unavailable = [r for r in rows if not r["available"]]
    assert {u.name for u in hal.unavailable_plugins()} <= {r["device"] for r in unavailable}
    for r in unavailable:
        assert r["status"].startswith("unavailable: ") and r["fix"]
    for name, _, reason, _ in _demo.missing_backends():
        assert by_device[name]["status"] == f"unavailable: {reason}"
    assert report["ok"] == all(r["ok"] for r in rows if r["available"])
    assert rc == (0 if report["ok"] else 1)


def test_demo_script_runs_on_every_device(tmp_path):
    """The installed ``hal`` script in a clean process: a row per device, each within
    tolerance of NumPy, a row per unavailable plugin, exit 0."""
    listing = json.loads(run_hal("devices", "--json", cwd=tmp_path).stdout)
    proc = run_hal("demo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = {r[0]: r for r in table_rows(proc.stdout)}
    assert rows["numpy (plain)"][-1] == "reference"
    for dev in listing["devices"]:
        row = rows[dev["selector"]]
        diff, tol = _diff_and_tol(row[4])
        assert diff <= tol, row
        assert row[-1] == "ok", row
    for u in listing["unavailable"]:
        assert rows[u["name"]][-1].startswith("unavailable: "), rows[u["name"]]
    n = len(listing["devices"])
    assert f"{n}/{n} device(s) match NumPy" in proc.stdout


def test_demo_uses_float32_and_reports_fallbacks_on_a_device_without_float64(tmp_path):
    (tmp_path / "fake32.py").write_text(FAKE32_PLUGIN)
    code = """
        import hal, fake32
        hal.register_plugin(fake32, "fake32")
        from hal._cli import main
        rc = main(["demo", "--json", "--repeats", "1"])
        print("RC", rc)
    """
    # other plugins off: this test is about the fake device, whatever else is installed
    others = "opencl,cupy,oneapi"
    proc = run_python(code, clean_env(PYTHONPATH=str(tmp_path), HAL_DISABLE_PLUGINS=others),
                      tmp_path)
    assert proc.returncode == 0, proc.stderr
    body, _, tail = proc.stdout.rpartition("RC ")
    rows = {r["device"]: r for r in json.loads(body)["rows"]}
    fake = rows["fake32"]
    assert fake["dtype"] == "float32"
    assert fake["status"] == "ok", fake
    assert fake["max_abs_diff"] <= fake["tolerance"] == _demo.TOLERANCES["float32"]
    assert fake["fallback_count"] >= 1 and fake["fallbacks"][0].startswith("clip")
    assert rows["numpy"]["dtype"] == "float64" and rows["numpy"]["fallback_count"] == 0
    assert tail.strip() == "0"

    # HAL_FALLBACK=error: the host fallback is refused, the device fails, exit 1
    proc = run_python(code, clean_env(PYTHONPATH=str(tmp_path), HAL_FALLBACK="error",
                                      HAL_DISABLE_PLUGINS=others), tmp_path)
    body, _, tail = proc.stdout.rpartition("RC ")
    rows = {r["device"]: r for r in json.loads(body)["rows"]}
    assert rows["fake32"]["status"].startswith("error: ")
    assert "clip" in rows["fake32"]["status"]
    assert rows["numpy"]["status"] == "ok"
    assert tail.strip() == "1"


def test_demo_workload_is_written_against_the_standard_only():
    """The same workload function runs on array-api-strict with NumPy's results."""
    xp = pytest.importorskip("array_api_strict")
    data = _demo.make_data()
    device = xp.__array_namespace_info__().default_device()
    result = _demo.workload(xp, device, data, xp.float64)
    reference = _demo.workload(np, "cpu", data, np.float64)
    assert set(result) == set(reference)
    for key in reference:
        np.testing.assert_allclose(np.asarray(result[key]), np.asarray(reference[key]),
                                   rtol=1e-12, atol=1e-12, err_msg=key)
    # the workload is not trivial: the classifier learned, k-means found the blobs
    assert float(reference["accuracy"]) > 0.9
    assert sorted(np.bincount(np.asarray(reference["labels"]))) == [128] * 4
