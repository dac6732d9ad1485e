"""hal's OpenCL reductions against NumPy, side by side in one process.

    python benchmarks/opencl_reductions.py                  # every OpenCL device
    python benchmarks/opencl_reductions.py --quick          # fewer rounds
    python benchmarks/opencl_reductions.py --device opencl:pocl --ops sum max
    python benchmarks/opencl_reductions.py --sweep          # launch shapes (tuning)
    python benchmarks/opencl_reductions.py --json

or, from Python, ``run(...) -> list[dict]`` and ``render(rows)``.

Each row times one reduction (hal: on the OpenCL device, followed by
``hal.synchronize``; NumPy: the same call on the host) in alternating rounds, the order
flipping every round.  Each round gives one paired ratio, hal throughput over NumPy
throughput (NumPy time / hal time); the table shows its median and spread (25th-75th
percentile) and each side's median throughput in GB/s of input read.  Goals (issue 3,
"Speed"; float32, 2^24 elements): ``sum`` and ``max`` >= 1.5x NumPy on PoCL; the
other rows and the Intel device are reported against the same figure, without a goal.

``--sweep`` times ``sum`` and ``max`` with other launch shapes (``Config`` in
``plugins/hal_opencl/_reduce.py``: explicit vectors or scalar lanes, lanes per
work-item, waves of work-items per compute unit, interleaved work-items per chunk) to
choose ``_VENDOR_CONFIGS`` per driver.

The machine this was written on is a shared 2-core AVX2 VM: other processes compete
for the cores and the memory bandwidth, so single timings swing by 2x; only the paired
ratios of many rounds mean anything, and a row whose spread straddles its goal is not
a result either way.  NumPy's reductions run on one core; hal's use every core the
OpenCL driver sees, which is where the goal's 1.5x comes from.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys

# the alternating-rounds loop hal bench uses (hal/_bench/_timing.py)
from hal._bench._timing import alternate, call_timer, paired_ratios, quantiles

__all__ = ["run", "render", "sweep", "main"]

GOAL = 1.5
GOAL_OPS = {"sum", "max"}
N = 2 ** 24

#: name -> (description, input kind, hal call, numpy call); ``a`` is the input
CASES = {
    "sum": ("sum(a)", "f32", lambda xp, a: xp.sum(a)),
    "max": ("max(a)", "f32", lambda xp, a: xp.max(a)),
    "min": ("min(a)", "f32", lambda xp, a: xp.min(a)),
    "mean": ("mean(a)", "f32", lambda xp, a: xp.mean(a)),
    "var": ("var(a)", "f32", lambda xp, a: xp.var(a)),
    "argmax": ("argmax(a)", "f32", lambda xp, a: xp.argmax(a)),
    "any": ("any(a) (bool)", "bool", lambda xp, a: xp.any(a)),
    "count_nonzero": ("count_nonzero(a) (bool)", "bool", lambda xp, a: xp.count_nonzero(a)),
    "sum_i32": ("sum(a) (int32 -> int64)", "i32", lambda xp, a: xp.sum(a)),
    "sum_axis0": ("sum(a, axis=0), 4096 x 4096", "f32_2d", lambda xp, a: xp.sum(a, axis=0)),
    "sum_axis1": ("sum(a, axis=1), 4096 x 4096", "f32_2d", lambda xp, a: xp.sum(a, axis=1)),
    "vector_norm": ("linalg.vector_norm(a)", "f32", None),
    "cumulative_sum": ("cumulative_sum(a)", "f32", lambda xp, a: xp.cumulative_sum(a)),
}


def _opencl_devices():
    import hal
    return [d for d in hal.devices() if d.backend == "opencl"]


def _inputs():
    import numpy as np
    rng = np.random.default_rng(0)
    return {
        "f32": rng.random(N, dtype=np.float32),
        "f32_2d": rng.random(N, dtype=np.float32).reshape(4096, 4096),
        "bool": rng.random(N, dtype=np.float32) < 0.5,
        "i32": rng.integers(-1000, 1000, N, dtype=np.int32),
    }


def _calls(name):
    import numpy as np

    import hal
    if name == "vector_norm":
        return (lambda a: hal.linalg.vector_norm(a)), (lambda a: np.linalg.vector_norm(a))
    fn = CASES[name][2]
    return (lambda a: fn(hal, a)), (lambda a: fn(np, a))


def _pair(np_fn, hal_fn, sync, rounds: int) -> dict:
    """Alternating rounds; per-call medians and the paired throughput ratios."""
    def hal_synced():
        hal_fn()
        sync()

    for _ in range(2):  # warm up: builds, page faults of fresh results
        np_fn()
        hal_synced()
    times = alternate({"numpy": call_timer(np_fn), "hal": call_timer(hal_synced)}, rounds)
    np_t, hal_t = times["numpy"], times["hal"]
    lo, med, hi = quantiles(paired_ratios(np_t, hal_t))   # NumPy time / hal time
    return {"numpy_s": statistics.median(np_t), "hal_s": statistics.median(hal_t),
            "ratio": med, "ratio_p25": lo, "ratio_p75": hi, "rounds": rounds,
            "numpy_best_s": min(np_t), "hal_best_s": min(hal_t),
            "best_ratio": min(np_t) / min(hal_t)}


def run(devices=None, ops=None, quick: bool = False) -> list[dict]:
    """Time every op of ``ops`` (default: all of ``CASES``) on every device."""
    import hal
    devices = [hal.get_device(d) if isinstance(d, str) else d
               for d in (devices or _opencl_devices())]
    ops = list(ops or CASES)
    inputs = _inputs()
    rounds = 7 if quick else 21
    rows = []
    for dev in devices:
        on_dev = {k: hal.asarray(v, device=dev) for k, v in inputs.items()}
        vendor = "pocl" if "portable" in dev.info.platform.lower() else dev.name
        for name in ops:
            desc, kind, _ = CASES[name]
            hal_call, np_call = _calls(name)
            a_np, a_hal = inputs[kind], on_dev[kind]
            r = _pair(functools.partial(np_call, a_np), functools.partial(hal_call, a_hal),
                      functools.partial(hal.synchronize, dev), rounds)
            nbytes = a_np.nbytes
            is_pocl = "portable" in dev.info.platform.lower()
            has_goal = name in GOAL_OPS and is_pocl
            rows.append({
                "device": str(dev), "vendor": vendor, "op": name, "name": desc, **r,
                "numpy_gbps": nbytes / r["numpy_s"] / 1e9,
                "hal_gbps": nbytes / r["hal_s"] / 1e9,
                "goal": f">= {GOAL}x" if has_goal else "",
                "goal_met": (r["ratio"] >= GOAL) if has_goal else None,
            })
    return rows


def sweep(device, quick: bool = False) -> list[dict]:
    """Time sum and max of 2^24 float32 with other launch shapes on ``device``."""
    import hal
    from hal_opencl import _reduce

    dev = hal.get_device(device) if isinstance(device, str) else device
    base = _reduce.config(_reduce.state_of(dev))
    rows = []
    shapes = [dict(vec=v, unr=u, waves=w) for v in (True, False) for u in (8, 16)
              for w in (2, 4, 8)] + [dict(step=8), dict(step=16)]
    try:
        for shape in shapes:
            _reduce.set_config(dev, base, **shape)
            for row in run([dev], ["sum", "max"], quick=quick):
                row["config"] = shape
                rows.append(row)
    finally:
        _reduce.set_config(dev)    # back to the vendor default
    return rows


def render(rows: list[dict], console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    import numpy as np

    import hal

    if console is None:
        console = Console(width=160 if not sys.stdout.isatty() else None, highlight=False)
    table = Table(title=f"hal {hal.__version__} OpenCL reductions vs NumPy {np.__version__} "
                        f"(2^24 elements; median of paired rounds)", title_justify="left")
    for col, kw in (("device", {}), ("benchmark", {}), ("config", {}),
                    ("NumPy", {"justify": "right"}), ("hal", {"justify": "right"}),
                    ("ratio", {"justify": "right"}), ("spread (p25-p75)", {"justify": "right"}),
                    ("best/best", {"justify": "right"}), ("goal", {}), ("result", {})):
        table.add_column(col, **kw)
    for r in rows:
        cfg = r.get("config")
        cfg_cell = " ".join(f"{k}={v}" for k, v in cfg.items()) if cfg else ""
        met = r["goal_met"]
        result = ("[dim]info[/dim]" if met is None else
                  "[green]PASS[/green]" if met else "[red]MISS[/red]")
        table.add_row(r["device"], r["name"], cfg_cell,
                      f"{r['numpy_s'] * 1e3:.2f} ms ({r['numpy_gbps']:.1f} GB/s)",
                      f"{r['hal_s'] * 1e3:.2f} ms ({r['hal_gbps']:.1f} GB/s)",
                      f"{r['ratio']:.2f}x", f"{r['ratio_p25']:.2f}-{r['ratio_p75']:.2f}",
                      f"{r['best_ratio']:.2f}x", r["goal"] or "-", result)
    console.print(table)
    console.print("[dim]ratio: hal throughput / NumPy throughput (higher is better), the "
                  "median of paired alternating rounds; best/best: the ratio of each side's "
                  "fastest round (what a quiet machine approaches); hal includes "
                  "hal.synchronize().[/dim]")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", action="append", help="an OpenCL device selector "
                        "(repeatable); default: every OpenCL device")
    parser.add_argument("--ops", nargs="+", choices=sorted(CASES), help="rows to run")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (noisier)")
    parser.add_argument("--sweep", action="store_true", help="time sum/max over launch "
                        "shapes instead (tuning)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    if args.sweep:
        rows = []
        for dev in args.device or [str(d) for d in _opencl_devices()]:
            rows.extend(sweep(dev, quick=args.quick))
    else:
        rows = run(args.device, args.ops, quick=args.quick)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        render(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
