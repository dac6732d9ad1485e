"""Host views against queued work, many trials per device (tests/host_view_checks.py).

Run in a fresh interpreter per device, so the checks also cover a view taken on a
device's very first arrays.  Figures: trials and wrong observations (stale or
half-written reads, writes that raced a kernel), per device.
"""

from __future__ import annotations

import os

from _battery import last_json, run_python

TRIALS = 40
TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_host_views_never_race_queued_work(battery_device, figures):
    proc = run_python(f"""
        import json, sys
        sys.path.insert(0, {TESTS_DIR!r})
        import hal
        import host_view_checks as checks
        views = checks.Views(hal, hal.get_device({battery_device!r}))
        bad = {{name: check(views, {TRIALS}) for name, check in checks.CHECKS.items()}}
        print(json.dumps(bad))
    """, timeout=600)
    bad = last_json(proc)
    trials = TRIALS * (len(bad) - 1) + TRIALS // 10 * 10  # the threads check: steps
    figures.record("view/queue races", battery_device, trials=trials,
                   wrong=sum(bad.values()), **{k.replace(" ", "_"): v for k, v in bad.items()})
    assert sum(bad.values()) == 0, f"{battery_device}: wrong observations per check: {bad}"
