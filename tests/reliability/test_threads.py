"""Threads from a fresh process: 8 threads x mixed ops per device, results checked.

Each run is a new interpreter with a cold kernel cache, so the threads race on
everything that happens once: plugin loading, device and queue creation, dispatcher
resolution and kernel builds.  The figures: threads x ops, wrong results, errors and
deadlocks (the child's watchdog dumps every stack and exits; the parent's timeout
is a second guard).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from collections import Counter, defaultdict

import pytest

THREADS = 8
OPS_PER_THREAD = 250
HAMMER = os.path.join(os.path.dirname(__file__), "_hammer.py")
#: device -> ops, wrong results and errors summed over the runs
_TOTALS: dict[str, Counter] = defaultdict(Counter)


@pytest.mark.parametrize("run", [1, 2])
def test_threads_from_a_fresh_process(battery_device, figures, tmp_path, run):
    env = dict(os.environ, HAL_CACHE_DIR=str(tmp_path / "cache"))
    try:
        proc = subprocess.run([sys.executable, HAMMER, battery_device, str(THREADS),
                               str(OPS_PER_THREAD), "200"], env=env, capture_output=True,
                              text=True, timeout=300)
    except subprocess.TimeoutExpired:
        figures.record("threads", battery_device, deadlocks=1)
        pytest.fail(f"{battery_device}: {THREADS} threads did not finish in 300 s")
    deadlocked = "Timeout (" in proc.stderr
    assert proc.returncode == 0 and not deadlocked, (
        f"{battery_device}: the run {'deadlocked' if deadlocked else 'failed'} "
        f"(exit {proc.returncode}):\n{proc.stderr[-6000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    total = _TOTALS[battery_device]
    total.update(ops=result["ops"], wrong=result["wrong"], errors=result["n_errors"])
    figures.record("threads", battery_device, threads=THREADS,
                   ops=total["ops"], wrong=total["wrong"], errors=total["errors"],
                   deadlocks=0)
    assert result["n_errors"] == 0, result["errors"]
    assert result["wrong"] == 0
    assert result["ops"] == THREADS * OPS_PER_THREAD
