"""hal.trace() exported in the Chrome trace event format (what Perfetto and
chrome://tracing open), with device times from profiling events where the device
has them (OpenCL), on the device under test; and ``hal demo --chrome-trace``."""

from __future__ import annotations

import json
import numbers
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import _strategies as S
import hal


def check_chrome_format(doc: dict) -> list[dict]:
    """The JSON-object form of the trace event format: ``traceEvents`` of complete
    ("X") and metadata ("M") events with the fields the viewers need; returns the X
    events."""
    assert isinstance(doc, dict) and isinstance(doc["traceEvents"], list)
    assert doc.get("displayTimeUnit") in ("ms", "ns")
    names = {}
    complete = []
    for e in doc["traceEvents"]:
        assert e["ph"] in ("X", "M"), e
        assert isinstance(e["name"], str) and e["name"]
        assert isinstance(e["pid"], int) and isinstance(e["tid"], int)
        if e["ph"] == "M":
            assert e["name"] in ("process_name", "thread_name", "thread_sort_index")
            if e["name"] == "thread_name":
                names[e["tid"]] = e["args"]["name"]
            continue
        for field in ("ts", "dur"):
            assert isinstance(e[field], numbers.Real) and e[field] >= 0, e
        assert isinstance(e.get("args", {}), dict)
        complete.append(e)
    assert all(e["tid"] in names for e in complete), "every lane is named"
    return complete


def _work(device):
    x = S.to_device(np.linspace(-1, 1, 4096, dtype=np.float32))
    y = x * 2 + 1
    return hal.sum(y * y), hal.sort(y)


def test_chrome_export_is_valid(tmp_path, device):
    with hal.trace() as t:
        _work(device)
    path = t.export_chrome(tmp_path / "trace.json")
    doc = json.loads(Path(path).read_text())
    events = check_chrome_format(doc)
    ops = [e["name"] for e in events]
    assert ops[:3] == ["multiply", "add", "multiply"] and "sum" in ops
    for e in events:
        assert e["args"]["device"] == str(device) and e["args"]["kernel"]
    starts = [e["ts"] for e in events]
    assert starts == sorted(starts)  # ops in the order they ran, on one clock
    assert all("device_us" not in e["args"] for e in events)


def test_device_times(tmp_path, device):
    with hal.trace(device_times=True) as t:
        _work(device)
    events = check_chrome_format(t.chrome())
    kernels = [e for e in events if e["cat"] == "device"]
    profiles = callable(getattr(device.runtime, "profile", None))
    if profiles:
        timed = [e for e in t.events if e.device_seconds is not None]
        assert {e.op for e in timed} >= {"add", "multiply", "sum"}
        assert kernels and all(e["dur"] > 0 for e in kernels)
        assert any("device_us" in e["args"] for e in events)
        assert "device µs" in t.summary()
    else:  # NumPy, oneAPI: nothing to measure, nothing pretended
        assert not kernels and all(e.device_seconds is None for e in t.events)
    with hal.trace() as plain:  # profiling ends with the trace
        _work(device)
    assert all(e.device_seconds is None for e in plain.events)


def test_demo_writes_a_chrome_trace(tmp_path, device):
    out = tmp_path / "demo.json"
    env = dict(os.environ, HAL_FALLBACK="allow")
    proc = subprocess.run([sys.executable, "-m", "hal._cli", "demo", "--device",
                           str(device), "--repeats", "1", "--json", "--chrome-trace",
                           str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "ui.perfetto.dev" in proc.stderr
    events = check_chrome_format(json.loads(out.read_text()))
    assert len(events) > 20 and {e["args"]["device"] for e in events} == {str(device)}
