"""Host views against queued work, many trials per device and per way of taking a view
(its DLPack consumer, ``np.from_dlpack(x, device="cpu")``, ``np.asarray(x)``;
tests/host_view_checks.py).

Run in a fresh interpreter per device, so the checks also cover a view taken on a
device's very first arrays.  Figures: trials and wrong observations (stale or
half-written reads, writes that raced a kernel), per device.
"""

from __future__ import annotations

import os

from _battery import last_json, run_python

TRIALS = 20  # per check and per way of taking a view
TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_host_views_never_race_queued_work(battery_device, figures):
    proc = run_python(f"""
        import json, sys
        sys.path.insert(0, {TESTS_DIR!r})
        import hal
        import host_view_checks as checks
        device = hal.get_device({battery_device!r})
        bad = {{f"{{path}}/{{name}}": check(checks.Views(hal, device, path), {TRIALS})
                for path in checks.paths_for(device)
                for name, check in checks.CHECKS.items()}}
        print(json.dumps(bad))
    """, timeout=600)
    bad = last_json(proc)
    paths = {key.split("/")[0] for key in bad}
    # per path: TRIALS per check, and the threads check's steps
    trials = len(paths) * (TRIALS * (len(bad) // len(paths) - 1) + TRIALS // 10 * 10)
    figures.record("view/queue races", battery_device, trials=trials,
                   wrong=sum(bad.values()), paths=len(paths))
    assert sum(bad.values()) == 0, f"{battery_device}: wrong observations per check: {bad}"
