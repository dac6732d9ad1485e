"""``hal.trace()``: record every op that runs, with its kernel and time.

While a trace is open the dispatcher's caches hold recording wrappers; when the last
trace closes the caches are cleared, so a program that never traces pays nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

__all__ = ["TraceEvent", "Trace", "trace"]

ACTIVE: list[Trace] = []


@dataclass(frozen=True)
class TraceEvent:
    op: str
    device: str
    dtypes: tuple[str, ...]
    kernel: str
    how: str            # "kernel", "decomposition", "host fallback"
    fallback: bool
    seconds: float


class Trace:
    """The events recorded inside one ``with hal.trace() as t:`` block."""

    def __init__(self) -> None:
        self.events: list[TraceEvent] = []
        #: how each op met in the block was resolved (``hal._dispatch.Resolution``)
        self.resolutions: list = []

    def __enter__(self) -> Trace:
        from ._dispatch import clear_caches
        ACTIVE.append(self)
        clear_caches()
        return self

    def __exit__(self, *exc) -> None:
        from ._dispatch import clear_caches
        ACTIVE.remove(self)
        clear_caches()

    @property
    def fallbacks(self) -> list[TraceEvent]:
        return [e for e in self.events if e.fallback]

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def summary(self) -> str:
        lines = [f"{'op':<24} {'device':<12} {'dtypes':<22} {'how':<14} {'kernel':<28} µs"]
        for e in self.events:
            lines.append(f"{e.op:<24} {e.device:<12} {','.join(e.dtypes):<22} "
                         f"{e.how:<14} {e.kernel:<28} {e.seconds * 1e6:.1f}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<hal.Trace: {len(self.events)} events, {len(self.fallbacks)} fallbacks>"


def trace() -> Trace:
    """``with hal.trace() as t:`` records (op, device, kernel, fallback, time) per op."""
    return Trace()


def recording(fn, op: str, device: str, dtypes: tuple[str, ...], kernel: str, how: str):
    """Wrap a resolved callable so that each call is appended to the open traces."""
    fallback = how == "host fallback"
    perf_counter = time.perf_counter

    def recorded(*args, **kwargs):
        start = perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            event = TraceEvent(op, device, dtypes, kernel, how, fallback,
                               perf_counter() - start)
            for t in ACTIVE:
                t.events.append(event)
    return recorded
