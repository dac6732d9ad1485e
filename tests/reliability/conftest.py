"""The reliability battery: faults, races, fuzzing and leaks, on every device here.

Unlike the rest of ``tests/`` (one device per run, chosen by ``HAL_TEST_BACKEND``),
the battery runs each check on every device of ``BATTERY_DEVICES`` that this machine
can open, in one run (tox env ``reliability``), and reports its figures per device in
one table at the end of the run (``figures`` fixture).  A device that is absent or
unusable here is skipped with hal's own reason, never counted as passed.

Many checks start fresh Python processes (``_battery.run_python``): races on first use, fork,
crashing plugins and fuzzed calls that might kill the interpreter must not take the
test process with them.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict

import pytest

#: every device family the battery knows; absent ones are skipped with the reason
BATTERY_DEVICES = ("numpy", "opencl:intel", "opencl:pocl", "oneapi")

_FIGURES: dict[str, dict[str, dict[str, object]]] = defaultdict(lambda: defaultdict(dict))


def _device_problem(selector: str) -> str | None:
    """Why ``selector`` cannot be tested here, or None when it can."""
    import hal
    try:
        hal.get_device(selector)
    except Exception as exc:  # noqa: BLE001 - the reason is the message
        return f"{selector} is not usable here: {exc}".splitlines()[0]
    return None


@pytest.fixture(params=BATTERY_DEVICES)
def battery_device(request) -> str:
    """A device selector of the battery, skipped (with hal's reason) when absent."""
    selector = request.param
    problem = _device_problem(selector)
    if problem:
        pytest.skip(problem)
    return selector


class Figures:
    """Rows of the closing table: ``figures.record("threads", "opencl:intel", ops=...)``."""

    def record(self, check: str, device: str, **values) -> None:
        _FIGURES[check][device].update(values)


@pytest.fixture(scope="session")
def figures() -> Figures:
    return Figures()


def pytest_terminal_summary(terminalreporter):
    if not _FIGURES:
        return
    tr = terminalreporter
    tr.section("hal reliability figures")
    for check in sorted(_FIGURES):
        tr.write_line(f"{check}:")
        for device, values in sorted(_FIGURES[check].items()):
            cells = ", ".join(f"{k}={v}" for k, v in values.items())
            tr.write_line(f"  {device:14s} {cells}")
    path = os.environ.get("HAL_RELIABILITY_JSON")
    if path:
        with open(path, "w") as fh:
            json.dump({c: dict(d) for c, d in _FIGURES.items()}, fh, indent=2)
