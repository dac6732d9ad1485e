"""hal's conformance kit (``hal.testing``), run the way a plugin author runs it.

In subprocesses, from a scratch directory (so no project configuration applies):

* ``pytest --pyargs hal.testing --hal-device numpy``: hal's own reference backend
  passes its own kit;
* the example plugin (``examples/hal-example-restricted``), installed with pip into a
  scratch ``--target`` directory (not into the shared venv, where its device would
  show up in every other test's ``hal.devices()``), passes the kit, and its own tests
  written with ``hal.testing``'s helpers pass;
* deliberately broken copies of the example (a hook with the wrong signature, kernels
  for an unknown op / with a malformed dtype signature, a claimed dtype the runtime
  cannot hold, ``hal_backend_available`` raising, a wrong kernel) fail the kit with a
  message naming the plugin, the hook or kernel, what was expected and what was
  found; ``hal devices`` reports the same at run time.

Every subprocess of the module starts at once (a module fixture), so the module costs
about its slowest run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _plugin_helpers import clean_env

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "hal-example-restricted"
PACKAGE = "hal_example_restricted"
TIMEOUT = 1800

#: variant -> (source patches {file: [(old, new)]}, kit -k expression,
#:             fragments the kit's output must contain,
#:             fragments `hal devices --json` must contain for the plugin)
VARIANTS = {
    "wrong_signature": (
        {"__init__.py": [("def hal_devices(backend):", "def hal_devices(backend, verbose):")]},
        "not test_ops",
        ["does not follow the hal plugin contract",
         "hook hal_devices: expected hal_devices(backend)",
         "found hal_devices(backend, verbose): 'verbose' is not an argument of the spec",
         "plugin 'example', hook hal_devices"],
        ["hal_devices(backend, verbose)", "HAL_DISABLE_PLUGINS=example"]),
    "unknown_op": (
        {"_kernels.py": [(
            '    registry.register("arange", arange, dtypes=REAL, name="example.arange")',
            '    registry.register("arange", arange, dtypes=REAL, name="example.arange")\n'
            '    registry.register("ad", binary(np.add), dtypes=REAL, name="example.ad")\n'
            '    registry.register("negative", unary(np.negative), dtypes=("float33",),\n'
            '                      name="example.negative_f33")')]},
        "not test_ops",
        ["plugin 'example', backend 'example': kernel 'example.ad' for unknown op 'ad'",
         "expected an op of hal's op table", "did you mean add",
         "kernel 'example.negative_f33' for 'negative' has a malformed dtype signature "
         "('float33',)", "found 'float33'"],
        ["unknown op 'ad'", "malformed dtype signature ('float33',)"]),
    "false_claim": (
        {"__init__.py": [("        dtypes=DTYPES,", '        dtypes=DTYPES + ("float64",),')]},
        "not test_ops",
        ["plugin 'example', device example (dtype float64): expected a native array "
         "holding float64",
         "found Runtime.from_host raised TypeError: the example device cannot hold float64"],
        ["device example (dtype float64)", "Runtime.from_host raised TypeError"]),
    "raising_available": (
        {"__init__.py": [("    try:\n        import numpy  # noqa: F401",
                          "    raise OSError('libexample.so: cannot open shared object "
                          "file')\n    try:\n        import numpy  # noqa: F401")]},
        "not test_ops",
        ["hook hal_backend_available raised OSError: libexample.so",
         "hook hal_backend_available(backend='example'): expected an Availability, found "
         "it raised OSError",
         "the device under test 'example' cannot be used"],
        ["hook hal_backend_available raised OSError: libexample.so"]),
    "wrong_add": (
        {"_kernels.py": [('"add": (np.add, REAL)', '"add": (np.subtract, REAL)')]},
        "test_ops and test_add",
        ["add on example (Example Restricted Device)",
         "values differ from the NumPy reference",
         "add(float32): example.add [kernel, plugin 'example']"],
        []),
}

KIT = [sys.executable, "-m", "pytest", "--pyargs", "hal.testing", "-p", "no:cacheprovider",
       "--hal-profile", "ci", "-q", "-rfE"]


def _fake_dist(site: Path) -> None:
    """The entry point pip would write, for a copy of the example on ``site``."""
    dist = site / f"{PACKAGE}-0.1.0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: hal-example-restricted\n"
                                   "Version: 0.1.0\n")
    (dist / "entry_points.txt").write_text(f"[hal.plugins]\nexample = {PACKAGE}\n")


def _variant(root: Path, name: str) -> Path:
    site = root / name
    shutil.copytree(EXAMPLE / "src" / PACKAGE, site / PACKAGE)
    for file, patches in VARIANTS[name][0].items():
        path = site / PACKAGE / file
        text = path.read_text()
        for old, new in patches:
            assert old in text, f"{name}: {old!r} is no longer in {file}; update the patch"
            text = text.replace(old, new)
        path.write_text(text)
    _fake_dist(site)
    return site


def _env(site: Path | None) -> dict:
    # The OpenCL plugin is not under test here; its driver start-up would only add time.
    extra = {"HAL_DISABLE_PLUGINS": "opencl", "PYTHONDONTWRITEBYTECODE": "1"}
    if site is not None:
        extra["PYTHONPATH"] = str(site)
    return clean_env(**extra)


def _start(args, cwd, site=None) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=cwd, env=_env(site), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every subprocess of this module, started together; name -> (rc, output)."""
    root = tmp_path_factory.mktemp("kit")
    work = root / "work"
    work.mkdir()
    site = root / "site"
    # a real installation of the example, from its pyproject.toml (built from a copy:
    # setuptools writes build/ and *.egg-info next to the sources)
    source = root / "hal-example-restricted"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                          "--target", str(site), str(source)],
                         capture_output=True, text=True, timeout=TIMEOUT, env=clean_env())
    installed = pip.returncode == 0
    if not installed:   # offline? the other checks still run on a copy of the source
        shutil.rmtree(site, ignore_errors=True)
        shutil.copytree(EXAMPLE / "src" / PACKAGE, site / PACKAGE)
        _fake_dist(site)
    procs = {
        "kit numpy": _start(KIT + ["--hal-device", "numpy"], work),
        "kit example": _start(KIT + ["--hal-device", "example"], work, site),
        "example's own tests": _start(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
             str(EXAMPLE / "tests"), "--hal-device", "example"], work, site),
        "hal devices example": _start(
            [sys.executable, "-m", "hal._cli", "devices", "--json"], work, site),
    }
    for name, spec in VARIANTS.items():
        vsite = _variant(root / "variants", name)
        procs[f"kit {name}"] = _start(KIT + ["--hal-device", "example", "-k", spec[1]],
                                      work, vsite)
        procs[f"hal devices {name}"] = _start(
            [sys.executable, "-m", "hal._cli", "devices", "--json"], work, vsite)
    out = {name: (p.communicate(timeout=TIMEOUT)[0], p.returncode)
           for name, p in procs.items()}
    out["pip"] = (pip.stdout + pip.stderr, pip.returncode)
    return out


def _run(runs, name):
    output, rc = runs[name]
    return rc, output


def test_the_example_installs_with_pip(runs):
    rc, output = _run(runs, "pip")
    assert rc == 0, f"pip install examples/hal-example-restricted failed:\n{output}"


def test_the_kit_passes_on_numpy(runs):
    rc, output = _run(runs, "kit numpy")
    assert rc == 0, output[-6000:]
    assert "verdict: PASSED" in output
    assert "device under test: numpy (CPU (NumPy))" in output
    assert "ops vs the NumPy backend" in output and "plugin contract" in output


def test_the_kit_passes_on_the_example_plugin(runs):
    rc, output = _run(runs, "kit example")
    assert rc == 0, output[-6000:]
    assert "verdict: PASSED" in output
    assert "device under test: example (Example Restricted Device)" in output
    assert "plugin: 'example' (hal-example-restricted 0.1.0)" in output
    # negotiation is visible: declared host ops, and ops left to the fallback policy
    assert "declared host ops (capabilities.host_fallback_ops): argsort, sort" in output
    assert "ran on the host by the fallback policy" in output


def test_the_examples_own_tests_pass(runs):
    rc, output = _run(runs, "example's own tests")
    assert rc == 0, output[-4000:]
    assert " passed" in output and "1 skipped" in output   # float64: not claimed


def test_hal_devices_lists_the_example(runs):
    rc, output = _run(runs, "hal devices example")
    assert rc == 0, output
    report = json.loads(output)
    (dev,) = [d for d in report["devices"] if d["selector"] == "example"]
    assert dev["name"] == "Example Restricted Device"
    assert "float64" not in dev["dtypes"] and "float32" in dev["dtypes"]
    assert report["default_device"] == "numpy"      # a CPU device is never the default
    assert report["problems"] == []
    assert not [u for u in report["unavailable"] if u["name"] == "example"]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_broken_plugin_fails_the_kit_clearly(runs, variant):
    rc, output = _run(runs, f"kit {variant}")
    assert rc == 1, output[-6000:]
    assert "verdict: FAILED" in output, output[-3000:]
    flat = " ".join(output.split())
    for fragment in VARIANTS[variant][2]:
        assert " ".join(fragment.split()) in flat, f"{fragment!r} not in:\n{output[-6000:]}"


@pytest.mark.parametrize("variant", [v for v in VARIANTS if VARIANTS[v][3]])
def test_hal_devices_reports_the_broken_plugin(runs, variant):
    rc, output = _run(runs, f"hal devices {variant}")
    report = json.loads(output)
    assert "numpy" in [d["selector"] for d in report["devices"]]     # hal still works
    entries = [json.dumps(u) for u in report["unavailable"] + report["problems"]
               if "example" in (u.get("name"), u.get("plugin"))]
    text = " ".join(entries)
    assert entries, report
    for fragment in VARIANTS[variant][3]:
        assert fragment in text, f"{fragment!r} not in {entries}"


def test_hal_devices_prints_contract_problems(tmp_path):
    site = _variant(tmp_path, "false_claim")
    proc = subprocess.run([sys.executable, "-m", "hal._cli", "devices"], cwd=tmp_path,
                          env={**_env(site), "COLUMNS": "250"}, capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert "Plugin contract problems" in proc.stdout
    assert "Runtime.from_host raised TypeError" in " ".join(proc.stdout.split())
    quiet = subprocess.run([sys.executable, "-m", "hal._cli", "devices", "--json",
                            "--no-check"], cwd=tmp_path, env=_env(site),
                           capture_output=True, text=True, timeout=TIMEOUT)
    assert json.loads(quiet.stdout)["problems"] == []


@pytest.mark.parametrize("disable", [False, True], ids=["kit-loaded", "kit-disabled"])
def test_hals_own_suite_keeps_its_hal_device_option(disable, tmp_path):
    """tests/conftest.py and the kit's plugin add the same option without a clash."""
    args = [sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider",
            str(ROOT / "tests" / "test_import.py"), "--hal-device", "numpy"]
    if disable:
        args[3:3] = ["-p", "no:hal"]
    proc = subprocess.run(args, cwd=ROOT, env=_env(None), capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_kit_fails_clearly_without_the_device(tmp_path):
    proc = subprocess.run(KIT + ["--hal-device", "nosuchbackend", "-k",
                                 "usable or found or loading"],
                          cwd=tmp_path, env=_env(None), capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert proc.returncode == 1, proc.stdout
    flat = " ".join(proc.stdout.split())
    assert "the device under test 'nosuchbackend' cannot be used" in flat
    assert "no backend 'nosuchbackend'" in flat
    assert "no plugin provides the backend 'nosuchbackend'" in flat
    assert "verdict: FAILED" in flat


def test_the_kit_lists_its_options():
    proc = subprocess.run([sys.executable, "-m", "pytest", "--help"], cwd=ROOT,
                          env=_env(None), capture_output=True, text=True, timeout=TIMEOUT)
    for option in ("--hal-device", "--hal-profile", "--hal-plugin"):
        assert option in proc.stdout


def test_python_path_is_not_needed_for_hal_itself():
    """hal.testing is part of the installed hal package (pyproject's packages)."""
    proc = subprocess.run([sys.executable, "-c", "import hal.testing, hal.testing.plugin; "
                           "print(hal.testing.__file__)"], cwd="/", env=_env(None),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert os.path.dirname(proc.stdout.strip()).endswith(os.path.join("hal", "testing"))
