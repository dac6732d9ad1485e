"""hal against NumPy, side by side in one process: per-op overhead, throughput, import.

    python benchmarks/overhead.py            # full run (about a minute)
    python benchmarks/overhead.py --quick    # a few seconds, noisier
    python benchmarks/overhead.py --json     # the rows as JSON
    python benchmarks/overhead.py --clock cpu  # CPU time: for a busy machine

or, from Python, ``run(quick=False) -> list[dict]``.

Every figure is a ratio measured in the same run: NumPy and hal are timed in
alternating rounds (the order flips every round), each round gives one paired ratio,
and the table shows the median and the spread (25th-75th percentile) of those ratios.
The goals are the ones in the issue (hal's design notes, "Speed"):

- per-op overhead on 8-element float32 arrays: hal/NumPy time <= 1.5x for ``a + b``,
  ``a + 1.0`` and ``exp(a)`` (``sum(a)`` and ``a[1:5]`` are reported, no goal);
- throughput on 2**24-element float32 arrays: hal >= 0.97x NumPy's for a+b, exp, sum;
- ``import hal`` <= ``import numpy`` + 100 ms, each in a fresh interpreter (the
  minimum of several runs; bytecode compiled once beforehand, as after pip install).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import timeit

# the alternating-rounds loop hal bench uses (hal/_bench/_timing.py)
from hal._bench._render import format_seconds
from hal._bench._timing import alternate, batch_timer, paired_ratios, quantiles

__all__ = ["run", "render", "main"]

OVERHEAD_GOAL = 1.5
THROUGHPUT_GOAL = 0.97
IMPORT_GOAL_S = 0.100

#: (label, statement, goal applies): ``xp`` is ``numpy`` or ``hal``
OVERHEAD_CASES = (
    ("a + b", "a + b", True),
    ("a + 1.0", "a + 1.0", True),
    ("exp(a)", "xp.exp(a)", True),
    ("sum(a)", "xp.sum(a)", False),
    ("a[1:5]", "a[1:5]", False),
)
THROUGHPUT_CASES = (
    ("a + b", "a + b"),
    ("exp(a)", "xp.exp(a)"),
    ("sum(a)", "xp.sum(a)"),
)


def _paired(np_timer, hal_timer, number: int, rounds: int) -> dict:
    """Time both in alternating rounds; per-call medians and the paired ratios."""
    times = alternate({"numpy": batch_timer(np_timer, number),
                       "hal": batch_timer(hal_timer, number)}, rounds)
    np_times, hal_times = times["numpy"], times["hal"]
    lo, med, hi = quantiles(paired_ratios(hal_times, np_times))   # hal time / NumPy's
    return {"numpy_s": statistics.median(np_times), "hal_s": statistics.median(hal_times),
            "time_ratio": med, "time_ratio_p25": lo, "time_ratio_p75": hi,
            "rounds": rounds, "number": number}


#: the clock of the in-process rows: wall time, or this thread's CPU time (user +
#: system), which leaves out the time other processes hold the CPU on a busy machine
CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}


def _overhead(quick: bool, clock: str = "wall") -> list[dict]:
    import numpy as np

    import hal

    dev = hal.get_device("numpy")
    a_np = np.linspace(0.5, 1.5, 8, dtype=np.float32)
    b_np = np.linspace(1.0, 2.0, 8, dtype=np.float32)
    a_hal = hal.asarray(a_np, device=dev)
    b_hal = hal.asarray(b_np, device=dev)
    # many short batches (well under a scheduler time slice): a paired ratio per
    # batch, and its median, stay stable even when other processes compete for the CPU
    rounds = 61 if quick else 201
    target = 0.0005 if quick else 0.001      # seconds per timed batch
    rows = []
    for label, stmt, has_goal in OVERHEAD_CASES:
        np_timer = timeit.Timer(stmt, CLOCKS[clock],
                                globals={"xp": np, "a": a_np, "b": b_np})
        hal_timer = timeit.Timer(stmt, CLOCKS[clock],
                                 globals={"xp": hal, "a": a_hal, "b": b_hal})
        hal_timer.timeit(100)                 # resolve and cache the kernel first
        number, _ = np_timer.autorange()
        per_call = np_timer.timeit(number) / number
        number = max(50, int(target / max(per_call, 1e-9)))
        r = _paired(np_timer, hal_timer, number, rounds)
        ratio = r["time_ratio"]
        rows.append({
            "kind": "overhead", "name": f"{label}  (8 × float32)", "op": label, **r,
            "ratio": ratio, "ratio_label": "time hal/NumPy",
            "goal": f"≤ {OVERHEAD_GOAL}×" if has_goal else "",
            "goal_met": (ratio <= OVERHEAD_GOAL) if has_goal else None,
        })
    return rows


def _throughput(quick: bool, clock: str = "wall") -> list[dict]:
    import numpy as np

    import hal

    n = 2 ** 24
    dev = hal.get_device("numpy")
    rng = np.random.default_rng(0)
    a_np = rng.random(n, dtype=np.float32)
    b_np = rng.random(n, dtype=np.float32)
    a_hal = hal.asarray(a_np, device=dev)
    b_hal = hal.asarray(b_np, device=dev)
    rounds = 9 if quick else 31
    rows = []
    for label, stmt in THROUGHPUT_CASES:
        np_timer = timeit.Timer(stmt, CLOCKS[clock],
                                globals={"xp": np, "a": a_np, "b": b_np})
        hal_timer = timeit.Timer(stmt, CLOCKS[clock],
                                 globals={"xp": hal, "a": a_hal, "b": b_hal})
        for _ in range(3):  # warm up: first touches of fresh 64 MiB results fault pages
            np_timer.timeit(1)
            hal_timer.timeit(1)
        hal.synchronize(dev)
        r = _paired(np_timer, hal_timer, 1, rounds)
        # throughput ratio = NumPy time / hal time (the reciprocal of the time ratio)
        ratio = 1.0 / r["time_ratio"]
        rows.append({
            "kind": "throughput", "name": f"{label}  (2^24 × float32)", "op": label, **r,
            "ratio": ratio, "ratio_p25": 1.0 / r["time_ratio_p75"],
            "ratio_p75": 1.0 / r["time_ratio_p25"], "ratio_label": "throughput hal/NumPy",
            "numpy_gbps": 4 * n / r["numpy_s"] / 1e9, "hal_gbps": 4 * n / r["hal_s"] / 1e9,
            "goal": f"≥ {THROUGHPUT_GOAL}×", "goal_met": ratio >= THROUGHPUT_GOAL,
        })
    return rows


_IMPORT_SNIPPET = ("import time; t = time.perf_counter(); import {mod}; "
                   "print(time.perf_counter() - t)")


def _import_time(module: str, env: dict) -> float:
    out = subprocess.run([sys.executable, "-c", _IMPORT_SNIPPET.format(mod=module)],
                         env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _imports(quick: bool) -> list[dict]:
    runs = 3 if quick else 9
    with tempfile.TemporaryDirectory(prefix="hal-bench-pycache-") as cache:
        env = dict(os.environ)
        # measure as after ``pip install`` (bytecode compiled), without writing
        # __pycache__ into the source tree: compile once into a private prefix
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
        for mod in ("numpy", "hal"):
            _import_time(mod, env)
        np_times, hal_times = [], []
        for i in range(runs):
            order = ("numpy", "hal") if i % 2 == 0 else ("hal", "numpy")
            for mod in order:
                (np_times if mod == "numpy" else hal_times).append(_import_time(mod, env))
    np_min, hal_min = min(np_times), min(hal_times)
    extra = hal_min - np_min
    return [{
        "kind": "import", "name": "import hal vs import numpy", "op": "import",
        "numpy_s": np_min, "hal_s": hal_min, "extra_s": extra,
        "numpy_median_s": statistics.median(np_times),
        "hal_median_s": statistics.median(hal_times), "rounds": runs,
        "ratio": hal_min / np_min, "ratio_label": "time hal/NumPy",
        "goal": f"≤ numpy + {IMPORT_GOAL_S * 1e3:.0f} ms",
        "goal_met": extra <= IMPORT_GOAL_S,
    }]


def run(quick: bool = False, clock: str = "wall") -> list[dict]:
    """Run every benchmark; one dict per row (see the module docstring).

    ``clock``: ``"wall"`` (default) or ``"cpu"`` (this thread's CPU time) for the
    in-process rows; the import row always uses wall time in a fresh interpreter.
    """
    if clock not in CLOCKS:
        raise ValueError(f"clock must be one of {sorted(CLOCKS)}, got {clock!r}")
    rows = _overhead(quick, clock) + _throughput(quick, clock) + _imports(quick)
    for row in rows:
        row["clock"] = "wall" if row["kind"] == "import" else clock
    return rows


def _time(s: float) -> str:
    return format_seconds(s, us_digits=2)


def render(rows: list[dict], console=None, quick: bool = False) -> None:
    """Print ``rows`` (from :func:`run`) as a table with the goal and PASS/MISS."""
    from rich.console import Console
    from rich.table import Table

    import numpy as np

    import hal

    if console is None:
        wide = not sys.stdout.isatty() and not os.environ.get("COLUMNS")
        console = Console(width=160 if wide else None, highlight=False)
    notes = [f"Python {sys.version.split()[0]}"]
    if quick:
        notes.append("--quick")
    if rows and rows[0].get("clock") == "cpu":
        notes.append("CPU-time clock")
    table = Table(title=f"hal {hal.__version__} vs NumPy {np.__version__} "
                        f"({', '.join(notes)})", title_justify="left")
    for col, kw in (("benchmark", {}), ("NumPy", {"justify": "right"}),
                    ("hal", {"justify": "right"}), ("ratio", {"justify": "right"}),
                    ("spread (p25–p75)", {"justify": "right"}), ("goal", {}),
                    ("result", {})):
        table.add_column(col, **kw)
    for r in rows:
        if r["kind"] == "overhead":
            ratio = f"{r['ratio']:.2f}× time"
            spread = f"{r['time_ratio_p25']:.2f}–{r['time_ratio_p75']:.2f}"
            np_cell, hal_cell = _time(r["numpy_s"]), _time(r["hal_s"])
        elif r["kind"] == "throughput":
            ratio = f"{r['ratio']:.3f}× thrpt"
            spread = f"{r['ratio_p25']:.3f}–{r['ratio_p75']:.3f}"
            np_cell = f"{_time(r['numpy_s'])} ({r['numpy_gbps']:.1f} GB/s)"
            hal_cell = f"{_time(r['hal_s'])} ({r['hal_gbps']:.1f} GB/s)"
        else:
            ratio = f"{r['extra_s'] * 1e3:+.1f} ms"
            spread = (f"medians {_time(r['numpy_median_s'])} / "
                      f"{_time(r['hal_median_s'])}")
            np_cell = f"{_time(r['numpy_s'])} (min)"
            hal_cell = f"{_time(r['hal_s'])} (min)"
        met = r["goal_met"]
        result = ("[dim]info[/dim]" if met is None else
                  "[green]PASS[/green]" if met else "[red]MISS[/red]")
        table.add_row(r["name"], np_cell, hal_cell, ratio, spread, r["goal"] or "—",
                      result)
    console.print(table)
    console.print("[dim]ratio: overhead rows hal time / NumPy time (lower is better); "
                  "throughput rows hal throughput / NumPy throughput (higher is better); "
                  "the median of paired alternating rounds.[/dim]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (noisier)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall time (default) or this thread's CPU time, which "
                             "leaves out time other processes hold the CPU")
    args = parser.parse_args(argv)
    rows = run(quick=args.quick, clock=args.clock)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        render(rows, quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
