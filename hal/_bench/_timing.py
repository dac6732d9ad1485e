"""Timing in alternating rounds: the one measuring loop every hal benchmark uses.

A machine shared with other processes drifts (CPU frequency, other load, memory
bandwidth), so a figure from one contender's block of runs, then the other's, is
biased by whatever changed in between.  Here every round times each contender once,
in an order that rotates from round to round, and each round gives one *paired*
ratio per contender against the reference; the median of those ratios and their
25th-75th percentile spread are the result.

``hal bench`` (``hal._bench``) and the scripts in ``benchmarks/`` share this module.
"""

from __future__ import annotations

import statistics
import time
import timeit
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["quantiles", "Spread", "spread", "calibrate", "batch_timer", "call_timer",
           "alternate", "paired_ratios"]

#: a measurement: called once per round, returns seconds per call
Timer = Callable[[], float]


def quantiles(values: list[float]) -> tuple[float, float, float]:
    """(25th percentile, median, 75th percentile) of ``values``."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], statistics.median(values), q[2]


@dataclass(frozen=True)
class Spread:
    """A median with its 25th-75th percentile range."""

    median: float
    p25: float
    p75: float


def spread(values: list[float]) -> Spread:
    lo, med, hi = quantiles(values)
    return Spread(med, lo, hi)


def calibrate(timer: timeit.Timer, target_s: float, minimum: int = 1) -> int:
    """Calls per batch so that one batch of ``timer`` lasts about ``target_s``.

    Batches shorter than a scheduler time slice (a few ms) keep paired ratios stable
    on a busy machine: a batch is rarely cut in two by another process."""
    number, _ = timer.autorange()          # at least 0.2 s: also a warm-up
    per_call = timer.timeit(number) / number
    return max(minimum, int(target_s / max(per_call, 1e-9)))


def batch_timer(timer: timeit.Timer, number: int) -> Timer:
    """A measurement of ``number`` calls of a ``timeit.Timer``: seconds per call."""
    return lambda: timer.timeit(number) / number


def call_timer(fn: Callable[[], object], clock: Callable[[], float] = time.perf_counter
               ) -> Timer:
    """A measurement of one call of ``fn`` (slow calls: ms and more)."""
    def measure() -> float:
        start = clock()
        fn()
        return clock() - start
    return measure


def alternate(timers: Mapping[str, Timer], rounds: int,
              tick: Callable[[], None] | None = None) -> dict[str, list[float]]:
    """Run every timer once per round, in an order that changes every round: rounds
    come in pairs, the second of a pair the first reversed, and each pair rotated one
    further (``abc cba bca acb cab bac``; two contenders: ``ab ba ba ab``), so every
    contender runs first, last, before and after each other equally often.

    Returns contender -> its ``rounds`` seconds-per-call, round by round (index i of
    every list is the same round).  ``tick`` is called after each round (progress).
    """
    names = list(timers)
    times: dict[str, list[float]] = {name: [] for name in names}
    for i in range(rounds):
        k = (i // 2) % len(names)
        order = names[k:] + names[:k]
        if i % 2:
            order.reverse()
        for name in order:
            times[name].append(timers[name]())
        if tick is not None:
            tick()
    return times


def paired_ratios(reference: list[float], other: list[float]) -> list[float]:
    """Round-by-round ``reference time / other time``: above 1, ``other`` is faster."""
    return [r / o for r, o in zip(reference, other)]
