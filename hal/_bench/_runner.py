"""Running the benchmark set on NumPy and every hal device, side by side.

For each case of ``_cases``: the inputs go to every device, each device's result is
checked against NumPy's (a wrong result is reported and never timed), then NumPy and
every device are timed in alternating rounds (``_timing.alternate``).  A device whose
first op raises is marked failed with the reason and left out; the others carry on.
Only the public namespace is used (``hal.asarray(..., device=d)``, ops,
``hal.synchronize``), so a device of any plugin is benchmarked the same way.
"""

from __future__ import annotations

import datetime
import functools
import time
import timeit
from collections.abc import Callable
from dataclasses import asdict, dataclass

from . import _cases, _firstcall, _machine, _timing

__all__ = ["DeviceStatus", "run", "count_steps", "SCHEMA"]

#: identifies the layout of the JSON report; bump when a field changes meaning
SCHEMA = "hal-bench/1"

#: the reference's name among the contenders: NumPy called directly (not a selector:
#: hal's own NumPy device is called "numpy")
_REFERENCE = "NumPy (direct)"

_NO_TICK: Callable[[str], None] = lambda description: None  # noqa: E731


@dataclass
class DeviceStatus:
    """A benchmarked device, and whether it could run at all."""

    selector: str
    name: str
    backend: str
    vendor: str
    platform: str
    device_type: str
    compute_units: int | None
    driver_version: str
    status: str = "ok"            # ok | failed
    reason: str = ""


def one_line(exc: BaseException, limit: int = 240) -> str:
    """``Type: first line of the message``, short enough for a table note."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _status(dev) -> DeviceStatus:
    info = dev.info
    return DeviceStatus(str(dev), info.name, dev.backend, info.vendor or "",
                        info.platform or "", info.device_type, info.compute_units,
                        info.driver_version or "")


def _probe(dev) -> str | None:
    """Run one small op on ``dev``: ``None``, or why the device cannot be used."""
    import numpy as np

    import hal
    try:
        x = hal.asarray(np.arange(8, dtype=np.float32), device=dev)
        y = x + x
        hal.synchronize(dev)
        got = hal.to_numpy(y)
    except Exception as exc:    # a driver that cannot build kernels, a lost device ...
        return f"failed on its first op: {one_line(exc)}"
    if got.tolist() != [2.0 * i for i in range(8)]:
        return f"failed on its first op: arange(8) + arange(8) gave {got.tolist()}"
    return None


def _to_host(value):
    import numpy as np

    import hal
    return hal.to_numpy(value) if isinstance(value, hal.Array) else np.asarray(value)


def _error(got, ref) -> float:
    """max|got - ref| / max|ref| (inf when the shapes differ)."""
    import numpy as np
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if got.shape != ref.shape:
        return float("inf")
    if not got.size:
        return 0.0
    scale = max(float(np.max(np.abs(ref))), 1e-30)
    return float(np.max(np.abs(got - ref))) / scale


def _calibrate(timer: timeit.Timer, target_s: float) -> int:
    """Calls per batch for batches of about ``target_s`` (tens of ms to find out,
    where ``timeit.autorange`` would spend 0.2 s per contender)."""
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= target_s / 10 or number >= 10 ** 6:
            return max(1, int(target_s * number / max(elapsed, 1e-9)))
        number *= 10


class _Contender:
    """One side of a case: a namespace the statement runs in, and its timer."""

    def __init__(self, stmt: str, ns: dict):
        self.stmt = stmt
        self.ns = ns
        self.timer = timeit.Timer(stmt, globals=ns)
        self.number = 1

    def result(self):
        """Run the statement once (also the warm-up) and return ``r`` on the host."""
        scope = dict(self.ns)
        exec(self.stmt, scope)
        return _to_host(scope["r"])

    def measurement(self) -> _timing.Timer:
        return _timing.batch_timer(self.timer, self.number)


def _device_namespace(dev, host: dict, uploaded: dict) -> dict:
    """The statement's names on ``dev``: inputs uploaded once per input set.
    ``h`` stays a host array: it is the source of the host → device copy."""
    import hal
    if dev not in uploaded:
        uploaded[dev] = {k: (v if k == "h" else hal.asarray(v, device=dev))
                         for k, v in host.items()}
        hal.synchronize(dev)
    return {"xp": hal, "device": dev, "sync": functools.partial(hal.synchronize, dev),
            "fused": _cases.fused_functions(), **uploaded[dev]}


def _row(case: _cases.Case, device: str, **fields) -> dict:
    row = {"group": case.group, "label": case.label, "key": case.key, "unit": case.unit,
           "work": case.work, "device": device, "status": "ok", "reason": "", "note": "",
           "numpy_s": None, "device_s": None, "numpy_value": None, "value": None,
           "ratio": None, "ratio_p25": None, "ratio_p75": None, "rounds": 0,
           "number": None, "max_error": None, "tolerance": None, "view": False}
    row.update(fields)
    return row


def _value(case: _cases.Case, seconds: float) -> float:
    """The row's figure: seconds per call, or GB/s or GFLOP/s of ``case.work``."""
    return seconds if case.unit == "time" else case.work / seconds / 1e9


def _run_case(case: _cases.Case, devices: list, failed: dict[str, str], host: dict,
              uploaded: dict, quick: bool, tick: Callable[[str], None]) -> list[dict]:
    """One row per device of ``devices``; those in ``failed`` (selector -> reason)
    are not run and get a ``skipped`` row."""
    import numpy as np

    rounds = case.rounds[0 if quick else 1]
    reference = _Contender(case.numpy_stmt or case.stmt, {"xp": np, **host})
    expected = reference.result()
    contenders = {_REFERENCE: reference}
    rows = {}
    suffix = "; sync()" if case.sync else ""
    for dev in devices:
        name = str(dev)
        if name in failed:
            rows[name] = _row(case, name, status="skipped", reason=failed[name])
            continue
        tol = max(case.tolerance, dev.capabilities.tolerances.get("float32", 0.0))
        try:
            side = _Contender(case.stmt + suffix, _device_namespace(dev, host, uploaded))
            err = _error(side.result(), expected)
        except Exception as exc:
            rows[name] = _row(case, name, status="failed", reason=one_line(exc))
            continue
        if not err <= tol:
            # a wrong answer is never timed: its speed would mean nothing
            rows[name] = _row(case, name, status="wrong", max_error=err, tolerance=tol,
                              reason=f"result differs from NumPy's: max relative error "
                                     f"{err:.3g} > {tol:g}")
            continue
        view = False
        if case.view_probe is not None:
            scope = dict(side.ns)
            first, second = (eval(case.view_probe, scope) for _ in range(2))
            view = bool(np.shares_memory(first, second))
        contenders[name] = side
        rows[name] = _row(case, name, max_error=err, tolerance=tol, view=view,
                          note="no copy: the device hands out views of host memory"
                          if view else "")
    tick(f"{case.key}: checked against NumPy")

    for side in contenders.values():
        if case.batch_s is not None:
            side.number = _calibrate(side.timer, case.batch_s[0 if quick else 1])
        else:
            side.timer.timeit(1)        # once more: first touches of fresh result pages
    times = _timing.alternate({k: c.measurement() for k, c in contenders.items()},
                              rounds, tick=lambda: tick(case.key))
    np_s = _timing.spread(times[_REFERENCE]).median
    for name, side in contenders.items():
        if name == _REFERENCE:
            continue
        dev_s = _timing.spread(times[name]).median
        ratio = _timing.spread(_timing.paired_ratios(times[_REFERENCE], times[name]))
        rows[name].update(numpy_s=np_s, device_s=dev_s, numpy_value=_value(case, np_s),
                          value=_value(case, dev_s), ratio=ratio.median,
                          ratio_p25=ratio.p25, ratio_p75=ratio.p75, rounds=rounds,
                          number=side.number)
    return [rows[str(d)] for d in devices]


def _applies(case: _cases.Case, dev) -> bool:
    return case.backend is None or dev.backend == case.backend


def count_steps(cases: list[_cases.Case], devices: list, quick: bool,
                first_call: bool) -> int:
    """How many times :func:`run` calls ``tick`` (the length of a progress bar)."""
    steps = sum(1 + c.rounds[0 if quick else 1] for c in cases
                if any(_applies(c, d) for d in devices))
    return steps + (2 * len(devices) if first_call else 0)


def run(devices=None, *, quick: bool = False, groups=None,
        tick: Callable[[str], None] = _NO_TICK,
        total: Callable[[int], None] | None = None) -> dict:
    """Benchmark ``devices`` (default: ``hal.devices()``; devices or selectors)
    against NumPy.

    ``groups``: names from ``_cases.GROUPS`` (default: all).  For a progress bar,
    ``total(steps)`` is called once, then ``tick(description)`` that many times.
    Returns the report (see ``_report``): settings, machine, versions, devices with
    their status, and one row per (benchmark, device)."""
    import hal

    started = time.perf_counter()
    created = datetime.datetime.now(datetime.timezone.utc)
    devices, statuses = _resolve(hal.devices() if devices is None else devices)
    groups = tuple(groups) if groups else _cases.GROUPS
    cases = _cases.select(quick, groups)
    if total is not None:
        total(count_steps(cases, devices, quick, "first-call" in groups))
    with hal.fallback_policy("error"):   # a host fallback is not the device's speed
        for dev in devices:
            reason = _probe(dev)
            if reason is not None:
                statuses[str(dev)].status, statuses[str(dev)].reason = "failed", reason

        failed = {n: st.reason for n, st in statuses.items() if st.status == "failed"}
        rows: list[dict] = []
        host: dict = {}
        uploaded: dict = {}
        kind = None
        for case in cases:
            on = [d for d in devices if _applies(case, d)]
            if not on:
                continue
            if all(str(d) in failed for d in on):    # nothing to time: no NumPy either
                rows += [_row(case, str(d), status="skipped", reason=failed[str(d)])
                         for d in on]
                for _ in range(1 + case.rounds[0 if quick else 1]):
                    tick(case.key)
                continue
            if case.inputs != kind:       # one input set in memory at a time
                kind, uploaded = case.inputs, {}
                host = _cases.make_inputs(kind)
            rows += _run_case(case, on, failed, host, uploaded, quick, tick)
        host = uploaded = {}

    if "first-call" in groups:
        rows += _first_calls(devices, failed, tick)
    return {
        "schema": SCHEMA,
        "created": created.isoformat(timespec="seconds"),
        "duration_s": time.perf_counter() - started,
        "settings": {"quick": quick, "groups": list(groups),
                     "devices": [str(d) for d in devices], "fallback_policy": "error",
                     "clock": "time.perf_counter", "vector_elements": _cases.VECTOR_N,
                     "first_call_ops": [label for label, _ in _firstcall.FIRST_OPS]},
        "machine": _machine.machine(),
        "versions": _machine.versions(),
        "devices": [asdict(s) for s in statuses.values()],
        # devices hal found but lists as unusable (never in hal.devices())
        "unavailable": [{"name": u.name, "reason": u.reason, "fix": u.fix}
                        for u in hal.unavailable_plugins() if u.kind == "device"],
        "rows": rows,
    }


def _resolve(wanted) -> tuple[list, dict[str, DeviceStatus]]:
    """Devices (or selectors) -> (the devices, selector -> status).  A selector hal
    cannot give (a typo, a device hal lists as unusable) becomes a failed status
    with hal's reason, so that the other devices still run."""
    import hal
    devices, statuses = [], {}
    for item in wanted:
        try:
            dev = hal.get_device(item)
        except Exception as exc:
            statuses[str(item)] = DeviceStatus(str(item), "", "", "", "", "", None, "",
                                               status="failed", reason=one_line(exc))
            continue
        if str(dev) not in statuses:
            devices.append(dev)
            statuses[str(dev)] = _status(dev)
    return devices, statuses


def _first_calls(devices: list, failed: dict[str, str], tick) -> list[dict]:
    """First-call rows per device (cold and warm disk cache, each in a fresh process)."""
    rows = []
    for dev in devices:
        name = str(dev)
        base = {"group": "first-call", "unit": "time", "device": name, "status": "ok",
                "reason": "", "note": "", "cold_s": None, "warm_s": None,
                "steady_s": None, "ratio": None}
        done = [0]

        def step(name=name, done=done):
            done[0] += 1
            tick(f"first call on {name} ({'cold' if done[0] == 1 else 'warm'} cache)")

        try:
            if name in failed:
                raise _Skip(failed[name])
            ops = _firstcall.measure(name, tick=step)
        except Exception as exc:
            status, reason = (("skipped", str(exc)) if isinstance(exc, _Skip) else
                              ("failed", f"in a fresh process: {one_line(exc)}"))
            rows += [{**base, "label": label, "key": f"first-call: {label}",
                      "status": status, "reason": reason}
                     for label, _ in _firstcall.FIRST_OPS]
            while done[0] < 2:
                step()
            continue
        rows += [{**base, "label": op["op"], "key": f"first-call: {op['op']}",
                  "note": op["note"], "cold_s": op["cold_s"], "warm_s": op["warm_s"],
                  "steady_s": op["steady_s"]} for op in ops]
    return rows


class _Skip(Exception):
    """A device already known to fail: no fresh process is started for it."""
