"""``hal demo``'s hal.jit table: one row per device, eager and fused times of the same
expression, the result checked against NumPy; a device that cannot fuse says why."""

from __future__ import annotations

import io

from rich.console import Console

import hal
from hal import _demo


def test_jit_rows_match_numpy_and_say_how_they_ran(device):
    (row,) = _demo.run_jit([device], repeats=1, shape=(64, 48))
    assert row.ok, row.status
    assert row.max_abs_diff is not None and row.max_abs_diff <= row.tolerance
    assert row.eager_seconds > 0 and row.jit_seconds > 0
    fuses = device.backend == "opencl" or (
        device.backend == "oneapi" and "raw_kernels" in device.capabilities.features)
    if fuses:
        assert row.how == "2 fused kernel step(s)"  # a row kernel and a map+reduce
        assert row.speedup > 0
    else:
        assert row.how.startswith("eagerly: ") and "launcher" in row.how
        assert row.speedup is None  # both ran eagerly: no speed-up to show
    out = io.StringIO()
    _demo.render_jit([row], Console(file=out, width=200), shape=(64, 48))
    text = out.getvalue()
    assert "hal.jit: softmax" in text and str(device) in text and "ok" in text
    assert row.as_dict()["speedup"] == row.speedup


def test_cli_demo_json_has_the_jit_rows(capsys):
    import json

    from hal._cli import main
    rc = main(["demo", "--json", "--device", "numpy", "--repeats", "1"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0 and data["ok"]
    assert [r["device"] for r in data["jit"]] == [str(hal.get_device("numpy"))]
    assert data["jit"][0]["status"] == "ok"
