"""``hal.trace()``: record every op that runs, with its kernel and time.

While a trace is open the dispatcher's caches hold recording wrappers; when the last
trace closes the caches are cleared, so a program that never traces pays nothing.

``hal.trace(device_times=True)`` also asks each device whose runtime can profile
(OpenCL: ``Runtime.profile``/``profiled``, profiling events on a profiling queue that
replaces the plain one only while such a trace is open) for the device time of every
kernel an op launched; the op then waits for its kernels, so host times include them.
``Trace.export_chrome(path)`` writes the Chrome trace event format (Perfetto,
chrome://tracing): one lane of host time per device, one of kernel device time.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

__all__ = ["TraceEvent", "Trace", "trace"]

ACTIVE: list[Trace] = []
#: open traces that asked for device times (profiling is on while this is non-zero)
_TIMING = [0]


@dataclass(frozen=True)
class TraceEvent:
    op: str
    device: str
    dtypes: tuple[str, ...]
    kernel: str
    how: str            # "kernel", "decomposition", "host fallback", "user kernel", ...
    fallback: bool
    seconds: float
    #: ``time.perf_counter()`` when the op started (0.0: not recorded)
    start: float = 0.0
    #: (kernel name, seconds on the device) of each kernel the op launched, when a
    #: trace asked for device times and the device profiles (else empty)
    device_kernels: tuple[tuple[str, float], ...] = ()

    @property
    def device_seconds(self) -> float | None:
        """The op's kernels' total time on the device, or ``None`` if not measured."""
        if not self.device_kernels:
            return None
        return sum(s for _, s in self.device_kernels)


class Trace:
    """The events recorded inside one ``with hal.trace() as t:`` block."""

    def __init__(self, device_times: bool = False) -> None:
        self.events: list[TraceEvent] = []
        #: how each op met in the block was resolved (``hal._dispatch.Resolution``)
        self.resolutions: list = []
        self.device_times = bool(device_times)
        self.started = 0.0

    def __enter__(self) -> Trace:
        from ._dispatch import clear_caches
        if self.device_times:
            _TIMING[0] += 1
            if _TIMING[0] == 1:
                _set_profiling(True)
        self.started = time.perf_counter()
        ACTIVE.append(self)
        clear_caches()
        return self

    def __exit__(self, *exc) -> None:
        from ._dispatch import clear_caches
        ACTIVE.remove(self)
        if self.device_times:
            _TIMING[0] -= 1
            if _TIMING[0] == 0:
                _set_profiling(False)
        clear_caches()

    @property
    def fallbacks(self) -> list[TraceEvent]:
        return [e for e in self.events if e.fallback]

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def summary(self) -> str:
        lines = [f"{'op':<24} {'device':<12} {'dtypes':<22} {'how':<14} {'kernel':<28} µs"
                 + ("  device µs" if self.device_times else "")]
        for e in self.events:
            dev = e.device_seconds
            lines.append(f"{e.op:<24} {e.device:<12} {','.join(e.dtypes):<22} "
                         f"{e.how:<14} {e.kernel:<28} {e.seconds * 1e6:.1f}"
                         + (f"  {dev * 1e6:.1f}" if dev is not None else ""))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<hal.Trace: {len(self.events)} events, {len(self.fallbacks)} fallbacks>"

    # -- Chrome trace event format ---------------------------------------------------
    def chrome(self) -> dict:
        """The events in the Chrome trace event format (a JSON object): per device a
        lane of host time (each op: device, dtypes, kernel, how, fallback and, where
        measured, its kernels' device time) and a lane of device time per kernel
        (placed at the op's host start: device clocks are not the host's)."""
        pid = os.getpid()
        lanes: dict = {}
        out = [{"name": "process_name", "ph": "M", "pid": pid, "tid": 0,
                "args": {"name": "hal"}}]

        def lane(name: str) -> int:
            tid = lanes.get(name)
            if tid is None:
                tid = lanes[name] = len(lanes) + 1
                out.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid,
                            "args": {"name": name}})
                out.append({"name": "thread_sort_index", "ph": "M", "pid": pid,
                            "tid": tid, "args": {"sort_index": tid}})
            return tid
        t0 = self.started
        for e in self.events:
            ts = max(0.0, (e.start - t0) * 1e6) if e.start else 0.0
            args = {"device": e.device, "dtypes": list(e.dtypes), "kernel": e.kernel,
                    "how": e.how, "fallback": e.fallback}
            if e.device_kernels:
                args["device_us"] = round(e.device_seconds * 1e6, 3)
            out.append({"name": e.op, "cat": e.how, "ph": "X", "ts": round(ts, 3),
                        "dur": round(e.seconds * 1e6, 3), "pid": pid,
                        "tid": lane(f"{e.device} (host)"), "args": args})
            at = ts
            for name, seconds in e.device_kernels:
                out.append({"name": name, "cat": "device", "ph": "X", "ts": round(at, 3),
                            "dur": round(seconds * 1e6, 3), "pid": pid,
                            "tid": lane(f"{e.device} kernels (device time)"),
                            "args": {"op": e.op, "device": e.device}})
                at += seconds * 1e6
        return {"traceEvents": out, "displayTimeUnit": "ms",
                "otherData": {"producer": "hal.trace", "device_times": self.device_times}}

    def export_chrome(self, path) -> str:
        """Write :meth:`chrome` to ``path`` (open it in https://ui.perfetto.dev or
        chrome://tracing); returns the path."""
        path = os.fspath(path)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            json.dump(self.chrome(), f)
        os.replace(tmp, path)
        return path


def trace(*, device_times: bool = False) -> Trace:
    """``with hal.trace() as t:`` records (op, device, kernel, fallback, time) per op;
    ``device_times=True`` adds each kernel's time on devices that profile (OpenCL)."""
    return Trace(device_times)


def _profilers():
    """(device, runtime) of every device whose runtime profiles kernels."""
    from ._devices import devices
    out = []
    for d in devices():
        rt = d.runtime
        if rt is not None and callable(getattr(rt, "profile", None)):
            out.append((d, rt))
    return out


def _set_profiling(on: bool) -> None:
    for d, rt in _profilers():
        rt.profile(d.index, on)


def device_kernels(device) -> tuple[tuple[str, float], ...]:
    """The kernels ``device`` (a ``hal.Device``) ran since the last call, with their
    device times, while a device-time trace is open; ``()`` otherwise."""
    if not _TIMING[0]:
        return ()
    take = getattr(device.runtime, "profiled", None)
    return tuple(take(device.index)) if take is not None else ()


def recording(fn, op: str, device: str, dtypes: tuple[str, ...], kernel: str, how: str):
    """Wrap a resolved callable so that each call is appended to the open traces."""
    fallback = how == "host fallback"
    perf_counter = time.perf_counter
    take = None
    if _TIMING[0]:
        from ._devices import get_device
        dev = get_device(device)
        profiled = getattr(dev.runtime, "profiled", None)
        if profiled is not None:
            def take():
                return tuple(profiled(dev.index))

    def recorded(*args, **kwargs):
        start = perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            kernels = take() if take is not None and _TIMING[0] else ()
            event = TraceEvent(op, device, dtypes, kernel, how, fallback,
                               perf_counter() - start, start, kernels)
            for t in ACTIVE:
                t.events.append(event)
    return recorded
