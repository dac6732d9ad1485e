"""API fuzzing (issue 11 item 5): every public function and operator of hal, with
adversarial arguments from ``_fuzzing`` (wrong types, boundary/negative/huge shapes,
0-size arrays, extreme integers, NaN/Inf, out-of-range axes and indices, mixed devices
and dtypes), in a child process per device so a segfault, abort or hang is caught and
counted.  The only outcomes allowed are a result or a ``hal.HalError``.

The campaign is reproducible (a fixed seed per target) and bounded: ``EXAMPLES`` calls
per target, about 20-40 s per device.  A child that dies is restarted after the call
that killed it (the child logs each call before making it), so one crash does not hide
the rest.
"""

from __future__ import annotations

import json
import os
import sys

import _battery

#: calls per target (about 250 targets)
EXAMPLES = int(os.environ.get("HAL_FUZZ_EXAMPLES", "25"))
#: a call taking longer than this is a hang (the child dumps its stack and exits)
PER_CALL_TIMEOUT = 20.0
#: the other device of mixed-device calls
OTHER = {"numpy": "opencl:intel"}
MAX_RESTARTS = 20

HERE = os.path.dirname(os.path.abspath(__file__))


def _other_device(device: str) -> str | None:
    import hal
    other = OTHER.get(device, "numpy")
    try:
        hal.get_device(other)
    except hal.HalError:
        return None  # no second device here: no mixed-device calls
    return other


def _campaign(device: str, other: str | None, tmp_path) -> dict:
    """Run the campaign in children until every target is done; crashes are counted."""
    progress = str(tmp_path / "fuzz_progress.jsonl")
    totals = {"calls": 0, "results": 0, "errors": {}, "findings": {}, "crashes": [],
              "seconds": 0.0}
    start = 0
    for _ in range(MAX_RESTARTS):
        code = f"""
            import sys
            sys.path.insert(0, {HERE!r})
            import _fuzzing
            _fuzzing.main({device!r}, {other!r}, {EXAMPLES}, {start}, {progress!r},
                          {PER_CALL_TIMEOUT})
        """
        proc = _battery.run_python(code, timeout=600)
        lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
        if proc.returncode == 0 and lines:
            report = json.loads(lines[-1])
            _merge(totals, report)
            return totals
        # the child died: the progress log names the call in flight
        if not os.path.exists(progress):
            raise AssertionError(f"the fuzzing child for {device} died before its first "
                                 f"call (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        with open(progress) as fh:
            last = json.loads(fh.read().splitlines()[0])
        totals["crashes"].append({"target": last["target"], "repro": last["code"],
                                  "exit": proc.returncode,
                                  "stderr": proc.stderr[:1500]})  # the fault, top frames
        start = last["index"] + 1
    raise AssertionError(f"fuzzing {device}: more than {MAX_RESTARTS} crashes:\n"
                         + json.dumps(totals["crashes"], indent=1))


def _merge(totals: dict, report: dict) -> None:
    for key in ("calls", "results", "seconds"):
        totals[key] += report[key]
    for kind, n in report["errors"].items():
        totals["errors"][kind] = totals["errors"].get(kind, 0) + n
    totals["findings"].update(report["findings"])


def test_fuzz_public_api(battery_device, figures, tmp_path):
    import _fuzzing
    other = _other_device(battery_device)
    report = _campaign(battery_device, other, tmp_path)
    crashes = report["crashes"]
    findings = report["findings"]
    path = os.environ.get("HAL_FUZZ_REPORT")
    if path:
        with open(path.replace("{device}", battery_device.replace(":", "-")), "w") as fh:
            json.dump(report, fh, indent=1)
    figures.record("api fuzzing", battery_device, calls=report["calls"],
                   crashes=len(crashes), undocumented_errors=sum(
                       f["count"] for f in findings.values()))
    lines = []
    for key, f in sorted(findings.items()):
        lines.append(f"{key} (x{f['count']}): {f['message']}\n    {f['repro']}")
    for c in crashes:
        lines.append(f"CRASH in {c['target']} (exit {c['exit']}):\n    {c['repro']}\n"
                     f"{c['stderr']}")
    if lines:
        print(f"reproduce after: {_fuzzing.REPRO_PREAMBLE}", file=sys.stderr)
    assert not lines, (f"fuzzing {battery_device} ({report['calls']} calls): "
                       f"{len(findings)} undocumented errors, {len(crashes)} crashes; "
                       f"reproduce after `{_fuzzing.REPRO_PREAMBLE}`:\n" + "\n".join(lines))
    assert report["calls"] >= 100 * EXAMPLES  # the campaign really ran its targets
