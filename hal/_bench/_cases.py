"""The benchmark set of ``hal bench``: what is timed, on what data, and how it counts.

Each :class:`Case` is one statement run twice: with ``xp`` bound to ``numpy`` on host
arrays (the reference) and with ``xp`` bound to ``hal`` on the same values placed on a
hal device, followed by ``sync()`` (``hal.synchronize(device)``: an op may only be
queued when it returns).  Writing both as the same source text keeps them honest: the
statement cannot quietly do less work on one side.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Case", "CASES", "GROUPS", "select", "make_inputs", "fused_functions",
           "VECTOR_N"]

#: elements of the throughput arrays: 64 MiB of float32, far beyond any CPU cache
VECTOR_N = 2 ** 24
#: elements of the per-op latency arrays: small enough that only overhead counts
TINY_N = 8


@dataclass(frozen=True)
class Case:
    """One benchmark row."""

    group: str
    label: str
    #: statement over ``xp`` and the inputs (``a``, ``b`` ...); leaves its result in ``r``
    stmt: str
    #: which input set of :func:`make_inputs` the statement reads
    inputs: str
    #: how a row reads: ``"time"`` (seconds per call), ``"GB/s"`` or ``"GFLOP/s"``
    unit: str
    #: bytes (GB/s) or floating point operations (GFLOP/s) of one call
    work: float = 0.0
    #: largest accepted max|result - NumPy's| / max|NumPy's| (float32)
    tolerance: float = 1e-5
    #: rounds in --quick and in a full run
    rounds: tuple[int, int] = (7, 21)
    #: seconds per timed batch of many calls (tiny ops); ``None``: one call per round
    batch_s: tuple[float, float] | None = None
    #: NumPy's statement, when it cannot be the same text (copies)
    numpy_stmt: str | None = None
    #: only devices of this backend (the dispatch rows are about the NumPy backend)
    backend: str | None = None
    #: ``False``: the statement without ``sync()`` (pure dispatch cost)
    sync: bool = True
    #: left out of --quick
    full_only: bool = False
    #: an expression giving a host array; when two evaluations share memory, the
    #: device hands out views of host memory and the row is not a copy at all
    view_probe: str | None = None

    @property
    def key(self) -> str:
        return f"{self.group}: {self.label}"


_F32 = 4
_V = VECTOR_N
_LATENCY = dict(inputs="tiny", unit="time", rounds=(21, 101), batch_s=(0.001, 0.002))


def _matmul(n: int, rounds: tuple[int, int], full_only: bool = False,
            batch_s: tuple[float, float] | None = None) -> Case:
    # float32 sums of n products: the error grows like sqrt(n) ulps of the largest
    # entry, far below this tolerance; a wrong kernel is off by O(1)
    return Case("matmul", f"a @ b  n={n}", "r = a @ b", f"matrix{n}", "GFLOP/s",
                work=2.0 * n ** 3, tolerance=1e-4, rounds=rounds, full_only=full_only,
                batch_s=batch_s)


CASES: tuple[Case, ...] = (
    # per-op latency on tiny arrays, including hal.synchronize(device)
    Case("latency", "a + b  (8 × f32)", "r = a + b", **_LATENCY),
    Case("latency", "exp(a)  (8 × f32)", "r = xp.exp(a)", **_LATENCY),
    Case("latency", "sum(a)  (8 × f32)", "r = xp.sum(a)", tolerance=1e-6, **_LATENCY),
    # hal's own per-op cost on the NumPy backend: no synchronize, nothing but dispatch
    Case("dispatch", "a + b  (8 × f32)", "r = a + b", backend="numpy", sync=False,
         **_LATENCY),
    Case("dispatch", "a + 1.0  (8 × f32)", "r = a + 1.0", backend="numpy", sync=False,
         **_LATENCY),
    Case("dispatch", "exp(a)  (8 × f32)", "r = xp.exp(a)", backend="numpy", sync=False,
         **_LATENCY),
    # elementwise throughput, 2^24 float32; bytes = inputs read + output written
    Case("elementwise", "a + b  (2^24 f32)", "r = a + b", "vector", "GB/s",
         work=3 * _F32 * _V, rounds=(5, 21)),
    Case("elementwise", "a * b + c", "r = a * b + c", "vector", "GB/s",
         work=4 * _F32 * _V, rounds=(5, 21)),
    Case("elementwise", "(a + b) * c - d / e", "r = (a + b) * c - d / e", "vector",
         "GB/s", work=6 * _F32 * _V, rounds=(5, 21)),
    # reductions, 2^24 float32; bytes = input read
    Case("reduction", "sum(a)  (2^24 f32)", "r = xp.sum(a)", "vector", "GB/s",
         work=_F32 * _V, tolerance=1e-4),
    Case("reduction", "max(a)", "r = xp.max(a)", "vector", "GB/s", work=_F32 * _V,
         tolerance=0.0),
    # hal.jit: the same expressions fused into one kernel each (on the NumPy device
    # through hal, a jitted function runs eagerly); NumPy runs them op by op
    Case("fusion", "jit: a * b + c * d - e", "r = fused['axpy'](a, b, c, d, e)", "vector",
         "GB/s", work=6 * _F32 * _V, rounds=(5, 21),
         numpy_stmt="r = a * b + c * d - e"),
    Case("fusion", "jit: sum((a - b) ** 2)", "r = fused['sqdist'](a, b)", "vector",
         "GB/s", work=2 * _F32 * _V, tolerance=1e-4,
         numpy_stmt="r = xp.sum((a - b) ** 2)"),
    # host <-> device copies of 2^24 float32 (NumPy: a host memcpy of the same bytes)
    Case("copy", "host → device  (64 MiB)", "r = xp.asarray(h, device=device, copy=True)",
         "vector", "GB/s", work=_F32 * _V, tolerance=0.0,
         numpy_stmt="r = xp.asarray(h, copy=True)"),
    Case("copy", "device → host  (64 MiB)", "r = xp.to_numpy(a)", "vector", "GB/s",
         work=_F32 * _V, tolerance=0.0, numpy_stmt="r = xp.array(a, copy=True)",
         view_probe="xp.to_numpy(a)"),
    # matmul, float32, GFLOP/s = 2 n^3 / time
    # n=512 takes about a millisecond: timed in batches, or one preempted call
    # would swing the round
    _matmul(512, (7, 21), batch_s=(0.02, 0.05)),
    _matmul(1024, (5, 15)),
    _matmul(2048, (3, 9), full_only=True),
)

#: every group, in table order (``first-call`` is measured by ``_firstcall``)
GROUPS = ("latency", "dispatch", "elementwise", "reduction", "fusion", "copy", "matmul",
          "first-call")


_FUSED: dict = {}


def fused_functions() -> dict:
    """The jitted functions of the ``fusion`` rows, made once per process (a jitted
    function traces once per cache key: later rounds time the fused kernel alone)."""
    if not _FUSED:
        import hal

        @hal.jit
        def axpy(a, b, c, d, e):
            return a * b + c * d - e

        @hal.jit
        def sqdist(a, b):
            return hal.sum((a - b) ** 2)
        _FUSED.update(axpy=axpy, sqdist=sqdist)
    return _FUSED


def select(quick: bool, groups=None) -> list[Case]:
    """The cases of a run: ``groups`` (default: all), without full-only ones if quick."""
    return [c for c in CASES if (groups is None or c.group in groups)
            and not (quick and c.full_only)]


def make_inputs(kind: str) -> dict:
    """The host (NumPy) arrays of input set ``kind``: the same values every run."""
    import numpy as np

    rng = np.random.default_rng(0)
    if kind == "tiny":
        # away from 0 so that a / e and log-like ops stay well conditioned
        return {n: rng.uniform(0.5, 1.5, TINY_N).astype(np.float32) for n in "abc"}
    if kind == "vector":
        arrays = {n: rng.random(VECTOR_N, dtype=np.float32) + np.float32(0.5)
                  for n in "abcde"}
        arrays["h"] = arrays["a"]          # the host source of the copy rows
        return arrays
    if kind.startswith("matrix"):
        n = int(kind[len("matrix"):])
        return {k: rng.standard_normal((n, n), dtype=np.float32) for k in "ab"}
    raise ValueError(f"unknown input set {kind!r}")
