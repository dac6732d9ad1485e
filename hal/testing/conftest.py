"""The conformance kit's session: the fallback policy, and the verdict at the end.

Loaded only when the kit itself is collected (``pytest --pyargs hal.testing``).
"""

from __future__ import annotations

import collections

import pytest

import hal

from . import _kit, _state

AREAS = {
    "test_ops": "ops vs the NumPy backend",
    "test_claims": "capability claims",
    "test_dlpack": "DLPack and to_device",
    "test_placement": "placement",
    "test_contract": "plugin contract",
}


@pytest.fixture(scope="session", autouse=True)
def _hal_kit_session():
    """Ops the device has no kernel for run on the host during the kit (policy
    ``allow``): their results are checked like any other, and the summary lists
    them.  Tests of the policy itself set it explicitly."""
    previous = hal.get_fallback_policy()
    hal.set_fallback_policy("allow")
    yield
    hal.set_fallback_policy(previous)


def _area(report) -> str:
    module = report.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
    return AREAS.get(module, module)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = terminalreporter.stats
    reports = [r for key in ("passed", "failed", "error") for r in stats.get(key, [])
               if getattr(r, "when", "call") in ("call", "setup")]
    if not any(_area(r) in AREAS.values() for r in reports):
        return
    write = terminalreporter.write_line
    terminalreporter.section("hal conformance kit")
    device, error = _state.device_or_error()
    plugins = sorted(_kit.plugin_names())
    who = ", ".join(f"{p!r}" + (f" ({_kit.distribution_of(p)})" if _kit.distribution_of(p)
                                else "") for p in plugins) or "(unknown)"
    write(f"device under test: {device if device is not None else _state.selector()}"
          + (f" ({device.name})" if device is not None else f" — unusable: {error}"))
    write(f"plugin: {who}")
    failed = collections.Counter()
    total = collections.Counter()
    failures = collections.defaultdict(list)
    for r in reports:
        area = _area(r)
        if r.when == "setup" and r.passed:
            continue
        total[area] += 1
        if r.failed:
            failed[area] += 1
            failures[area].append(r.nodeid.split("::", 1)[-1])
    for area in AREAS.values():
        if total[area]:
            status = "ok" if not failed[area] else f"{failed[area]} FAILED"
            write(f"  {area:<26} {total[area] - failed[area]:>5} passed  {status}")
            for name in failures[area][:12]:
                write(f"      - {name}")
            if len(failures[area]) > 12:
                write(f"      ... and {len(failures[area]) - 12} more")
    if device is not None:
        declared = device.capabilities.host_fallback_ops
        ran = sorted({key[0] for key in hal.fallback_counts() if key[1] == str(device)})
        undeclared = [op for op in ran if op not in declared]
        if declared:
            write(f"declared host ops (capabilities.host_fallback_ops): "
                  f"{', '.join(sorted(declared))}")
        if undeclared:
            write(f"ops without a kernel on {device} for some dtype (ran on the host by "
                  f"the fallback policy; {len(undeclared)}): {', '.join(undeclared)}")
    verdict = "PASSED" if not sum(failed.values()) and device is not None else "FAILED"
    write(f"verdict: {verdict}" + ("" if verdict == "PASSED" else
                                   f" ({sum(failed.values())} failing checks)"),
          bold=True, green=verdict == "PASSED", red=verdict == "FAILED")
