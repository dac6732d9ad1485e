"""scikit-learn's own Array API checks, all of them, on every device here (tox env
``sklearn``); the agreement counts per device close the run."""

from __future__ import annotations

import os
import sys

import pytest

# the shared case list lives next to the per-backend suite (tests/sklearn_cases.py)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

#: every device family the sweep knows; absent ones are skipped with hal's reason
SWEEP_DEVICES = ("numpy", "opencl:intel", "opencl:pocl", "oneapi")

#: device -> (cases agreeing with NumPy, cases run, failing case ids)
COUNTS: dict[str, tuple[int, int, list[str]]] = {}


@pytest.fixture(params=SWEEP_DEVICES)
def sweep_device(request):
    import hal
    try:
        return hal.get_device(request.param)
    except Exception as exc:  # noqa: BLE001 - the reason is the message
        pytest.skip(f"{request.param} is not usable here: {exc}".splitlines()[0])


@pytest.fixture(scope="session")
def sweep_counts() -> dict[str, tuple[int, int, list[str]]]:
    return COUNTS


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    tr = terminalreporter
    tr.section("scikit-learn Array API checks agreeing with NumPy")
    for device, (ok, total, failing) in sorted(COUNTS.items()):
        tr.write_line(f"  {device:14s} {ok}/{total}"
                      + (f"  (not: {', '.join(failing)})" if failing else ""))
