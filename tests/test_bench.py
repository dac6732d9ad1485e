"""``hal bench``: what it reports, never how fast (tests never time things).

The end-to-end run (``--quick`` on the NumPy device) happens once per module and its
JSON report is checked by several tests.  Devices that fail are real hal plugins
(``_plugin_helpers.RestrictedPlugin`` with kernels that raise or compute the wrong
thing), registered for one test and removed afterwards.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import hal
from hal._bench import _cases, _timing
from hal._cli import main

from _plugin_helpers import RestrictedPlugin, clean_env, registered, run_python

ROW_FIELDS = {"group", "label", "key", "device", "status", "reason", "note"}
TIMED_FIELDS = {"unit", "work", "numpy_s", "device_s", "numpy_value", "value", "ratio",
                "ratio_p25", "ratio_p75", "rounds", "number", "max_error", "tolerance"}
FIRST_CALL_FIELDS = {"cold_s", "warm_s", "steady_s"}


def bench(capsys, tmp_path, *argv: str) -> tuple[int, str, dict]:
    """Run ``hal bench ARGV --json FILE``: exit status, printed text, the report."""
    path = tmp_path / "bench.json"
    rc = main(["bench", *argv, "--json", str(path)])
    out = capsys.readouterr().out
    return rc, out, json.loads(path.read_text())


@pytest.fixture(scope="module")
def quick_numpy(tmp_path_factory):
    """``hal bench --quick --devices numpy``, end to end, once for the module."""
    path = tmp_path_factory.mktemp("bench") / "quick.json"
    rc = main(["bench", "--quick", "--devices", "numpy", "--json", str(path)])
    return rc, json.loads(path.read_text())


# -- the quick run, end to end on the NumPy device ---------------------------------

def test_quick_runs_every_quick_case_on_numpy(quick_numpy):
    rc, report = quick_numpy
    assert rc == 0
    expected = {c.key for c in _cases.select(quick=True)}
    timed = {r["key"] for r in report["rows"] if r["group"] != "first-call"}
    assert timed == expected
    assert not any(c.full_only for c in _cases.select(quick=True))
    assert all(r["status"] == "ok" for r in report["rows"]), \
        [r for r in report["rows"] if r["status"] != "ok"]
    groups = [r["group"] for r in report["rows"]]
    assert set(groups) == set(_cases.GROUPS)
    assert groups == sorted(groups, key=_cases.GROUPS.index)   # table order


def test_json_schema_and_content(quick_numpy):
    _, report = quick_numpy
    assert report["schema"] == "hal-bench/1"
    assert report["created"].endswith("+00:00")
    assert report["settings"]["quick"] is True
    assert report["settings"]["devices"] == ["numpy"]
    assert report["settings"]["fallback_policy"] == "error"
    assert report["machine"]["logical_cpus"] >= 1 and report["machine"]["cpu"]
    assert report["versions"]["hal"] == hal.__version__
    assert report["versions"]["numpy"] == np.__version__
    (dev,) = report["devices"]
    assert dev["selector"] == "numpy" and dev["status"] == "ok" and dev["reason"] == ""
    assert dev["backend"] == "numpy" and dev["name"] == hal.get_device("numpy").name
    for row in report["rows"]:
        assert ROW_FIELDS <= set(row), row
        assert row["device"] == "numpy"
        if row["group"] == "first-call":
            assert FIRST_CALL_FIELDS <= set(row)
            assert all(row[f] > 0 for f in FIRST_CALL_FIELDS)
            continue
        assert TIMED_FIELDS <= set(row), row
        assert row["ratio_p25"] <= row["ratio"] <= row["ratio_p75"]
        assert row["max_error"] <= row["tolerance"]
        assert row["numpy_s"] > 0 and row["device_s"] > 0 and row["rounds"] > 0
        if row["unit"] == "time":
            assert row["value"] == row["device_s"]
        else:           # GB/s or GFLOP/s of the case's work
            assert row["value"] == pytest.approx(row["work"] / row["device_s"] / 1e9)
            assert row["numpy_value"] == pytest.approx(row["work"] / row["numpy_s"] / 1e9)
    labels = [r["label"] for r in report["rows"] if r["group"] == "first-call"]
    assert labels == report["settings"]["first_call_ops"]


def test_a_device_that_returns_host_views_is_not_counted_as_a_copy(quick_numpy):
    _, report = quick_numpy
    to_host = next(r for r in report["rows"] if r["key"].startswith("copy: device → host"))
    assert to_host["view"] is True and "no copy" in to_host["note"]
    to_device = next(r for r in report["rows"] if r["key"].startswith("copy: host → dev"))
    assert to_device["view"] is False


# -- choosing devices ---------------------------------------------------------------

def test_devices_option_filters_and_a_bad_selector_is_reported(capsys, tmp_path):
    rc, out, report = bench(capsys, tmp_path, "--quick", "--only", "latency",
                            "--devices", "numpy, nosuchbackend:3")
    assert rc == 0
    assert [d["selector"] for d in report["devices"]] == ["numpy", "nosuchbackend:3"]
    bad = report["devices"][1]
    assert bad["status"] == "failed" and "nosuchbackend" in bad["reason"]
    assert {r["device"] for r in report["rows"]} == {"numpy"}
    assert {r["group"] for r in report["rows"]} == {"latency"}
    assert "nosuchbackend:3" in out and "(failed)" in out


def test_every_device_hal_lists_is_benchmarked_by_default(tmp_path):
    """Without --devices, bench takes whatever hal.devices() returns: here NumPy's and
    a third-party plugin's device (in a fresh process, with hal's other plugins
    disabled so that the run stays short)."""
    code = f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        import hal
        from _plugin_helpers import RestrictedPlugin
        hal.register_plugin(RestrictedPlugin("benchdev"), "benchdev_plugin")
        from hal._cli import main
        sys.exit(main(["bench", "--quick", "--only", "dispatch,latency",
                       "--json", {str(tmp_path / "b.json")!r}]))
    """
    proc = run_python(code, env=clean_env(HAL_DISABLE_PLUGINS="opencl,oneapi,cupy"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "b.json").read_text())
    assert [d["selector"] for d in report["devices"]] == ["numpy", "benchdev"]
    rows = {(r["key"], r["device"]): r for r in report["rows"]}
    # the restricted device has add/exp/sum kernels; dispatch rows are NumPy-only
    assert rows[("latency: a + b  (8 × f32)", "benchdev")]["status"] == "ok"
    assert not any(r["device"] == "benchdev" and r["group"] == "dispatch"
                   for r in report["rows"])


# -- devices that fail ----------------------------------------------------------------

class BrokenCompilerPlugin(RestrictedPlugin):
    """A device whose driver cannot build any kernel, like PyPI's PoCL 3.0 on a Zen 5
    CPU: data moves, but the first op raises."""

    @hal.hookimpl
    def hal_register_kernels(self, backend, registry):
        if backend != self.backend:
            return

        def build_fails(*args, **kwargs):
            raise RuntimeError("clBuildProgram failed: BUILD_PROGRAM_FAILURE\n"
                               "error: unknown target CPU 'generic'")
        for op in ("add", "multiply", "exp", "sum", "max", "matmul"):
            registry.register(op, build_fails, dtypes=("float32",))


class WrongExpPlugin(RestrictedPlugin):
    """A device whose ``exp`` computes ``exp(x) - 1``: close, and wrong."""

    @hal.hookimpl
    def hal_register_kernels(self, backend, registry):
        super().hal_register_kernels(backend, registry)
        if backend == self.backend:
            from _plugin_helpers import _unary
            registry.register("exp", _unary(np.expm1), dtypes=("float32",),
                              priority=100)


def test_a_failing_device_is_reported_and_the_others_carry_on(capsys, tmp_path):
    with registered(BrokenCompilerPlugin("brokencc"), "brokencc_plugin", "brokencc"):
        rc, out, report = bench(capsys, tmp_path, "--quick", "--only",
                                "latency,first-call", "--devices", "brokencc,numpy")
    assert rc == 0                          # the NumPy device ran and was right
    broken, ok = report["devices"]
    assert broken["selector"] == "brokencc" and broken["status"] == "failed"
    # a vendor error reaches the user as a hal error naming op and device
    assert broken["reason"].startswith("failed on its first op: HalRuntimeError: add on "
                                       "brokencc: clBuildProgram failed")
    assert "\n" not in broken["reason"]     # one line, for a table note
    assert ok["status"] == "ok"
    rows = report["rows"]
    assert {r["status"] for r in rows if r["device"] == "brokencc"} == {"skipped"}
    assert all(r["reason"] == broken["reason"] for r in rows if r["device"] == "brokencc")
    assert {r["status"] for r in rows if r["device"] == "numpy"} == {"ok"}
    assert {r["group"] for r in rows if r["device"] == "brokencc"} == {"latency",
                                                                        "first-call"}
    assert "brokencc" in out and "clBuildProgram failed" in out


def test_a_missing_kernel_fails_its_row_only(capsys, tmp_path):
    """The restricted device has ``sum`` but no ``max``: bench runs no host fallback
    (policy ``error``), so the max row fails and the sum row is timed."""
    with registered(RestrictedPlugin("nomax"), "nomax_plugin", "nomax"):
        rc, _, report = bench(capsys, tmp_path, "--quick", "--only", "reduction",
                              "--devices", "nomax")
    assert rc == 0
    rows = {r["label"].split()[0]: r for r in report["rows"]}
    assert rows["sum(a)"]["status"] == "ok" and rows["sum(a)"]["ratio"] > 0
    assert rows["max(a)"]["status"] == "failed"
    assert "max" in rows["max(a)"]["reason"] and rows["max(a)"]["device_s"] is None


def test_a_wrong_result_is_not_timed_and_fails_the_run(capsys, tmp_path):
    with registered(WrongExpPlugin("wrongexp"), "wrongexp_plugin", "wrongexp"):
        rc, out, report = bench(capsys, tmp_path, "--quick", "--only", "latency",
                                "--devices", "wrongexp")
    assert rc == 1
    assert report["devices"][0]["status"] == "ok"      # its first op (add) is right
    rows = {r["label"]: r for r in report["rows"]}
    exp = rows["exp(a)  (8 × f32)"]
    assert exp["status"] == "wrong" and exp["device_s"] is None and exp["ratio"] is None
    assert exp["max_error"] > exp["tolerance"]
    assert rows["a + b  (8 × f32)"]["status"] == "ok"
    assert "WRONG" in out


# -- the chart --------------------------------------------------------------------------

def test_plot_file_is_written(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "bench.png"
    rc = main(["bench", "--quick", "--only", "dispatch", "--devices", "numpy",
               "--plot", str(png)])
    assert rc == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(png) in capsys.readouterr().out


def test_plot_without_matplotlib_says_how_to_get_it(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)    # import matplotlib fails
    rc = main(["bench", "--only", "dispatch", "--plot", str(tmp_path / "b.png")])
    out = capsys.readouterr().out
    assert rc == 1
    assert 'pip install -e ".[plot]"' in out
    assert not (tmp_path / "b.png").exists()


# -- the shared timing loop -------------------------------------------------------------

def test_alternate_rotates_the_order_every_round():
    calls: list[str] = []

    def timer(name):
        def measure():
            calls.append(name)
            return {"a": 1.0, "b": 2.0, "c": 4.0}[name]
        return measure

    times = _timing.alternate({n: timer(n) for n in "abc"}, rounds=6)
    rounds = ["".join(calls[i:i + 3]) for i in range(0, 18, 3)]
    assert rounds == ["abc", "cba", "bca", "acb", "cab", "bac"]
    assert times == {"a": [1.0] * 6, "b": [2.0] * 6, "c": [4.0] * 6}
    calls.clear()
    _timing.alternate({n: timer(n) for n in "ab"}, rounds=4)
    assert ["".join(calls[i:i + 2]) for i in range(0, 8, 2)] == ["ab", "ba", "ba", "ab"]
    assert _timing.paired_ratios(times["a"], times["c"]) == [0.25] * 6
    assert _timing.quantiles([1.0, 2.0, 3.0, 4.0, 5.0]) == (2.0, 3.0, 4.0)
