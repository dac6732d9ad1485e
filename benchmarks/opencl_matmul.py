"""hal's OpenCL matmul against NumPy (OpenBLAS), side by side in one process.

    python benchmarks/opencl_matmul.py                    # every OpenCL device, float32
    python benchmarks/opencl_matmul.py --quick            # fewer rounds, n <= 1024
    python benchmarks/opencl_matmul.py --device opencl:pocl --sizes 1024 2048
    python benchmarks/opencl_matmul.py --dtype float64
    python benchmarks/opencl_matmul.py --tiles            # sweep register-tile shapes
    python benchmarks/opencl_matmul.py --json

or, from Python, ``run(...) -> list[dict]`` and ``render(rows)``.

Each row times ``x @ y`` on square n x n matrices (hal: the OpenCL device, followed by
``hal.synchronize``; NumPy: ``a @ b`` on the host) in alternating rounds, the order
flipping every round.  Each round gives one paired ratio, hal GFLOP/s over NumPy
GFLOP/s; the table shows its median and spread (25th-75th percentile) and the median
GFLOP/s of each side.  Goals (issue 3, "Speed"; float32): n = 1024 >= 0.5x NumPy,
n = 2048 >= 0.35x, on PoCL; the Intel device is held to the same figures.

``--tiles`` times ``matmul_v8`` with other register tiles (MR rows x 8*NV columns),
K blocks (kc), row panels per work-item (chunk) and work-group shapes, to choose
``_V8_CONFIGS`` in ``plugins/hal_opencl/_linalg.py`` per driver.

The machine this was written on is a shared 2-core AVX2 VM: other processes compete
for the cores and the memory bandwidth, so single timings swing by 2x; only the paired
ratios of many rounds mean anything, and a row whose spread straddles its goal is not
a result either way.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys

# the alternating-rounds loop hal bench uses (hal/_bench/_timing.py)
from hal._bench._timing import alternate, call_timer, paired_ratios, quantiles

__all__ = ["run", "render", "tile_sweep", "main"]

GOALS = {1024: 0.5, 2048: 0.35}


def _opencl_devices():
    import hal
    return [d for d in hal.devices() if d.backend == "opencl"]


def _rounds_for(n: int, quick: bool) -> int:
    base = 5 if quick else 11
    return base + (6 if n <= 512 else 0)


def _pair(np_fn, hal_fn, rounds: int, flops: float) -> dict:
    times = alternate({"numpy": call_timer(np_fn), "hal": call_timer(hal_fn)}, rounds)
    np_t, hal_t = times["numpy"], times["hal"]
    lo, med, hi = quantiles(paired_ratios(np_t, hal_t))   # hal GFLOP/s over NumPy's
    return {"numpy_s": statistics.median(np_t), "hal_s": statistics.median(hal_t),
            "numpy_gflops": flops / statistics.median(np_t) / 1e9,
            "hal_gflops": flops / statistics.median(hal_t) / 1e9,
            "ratio": med, "ratio_p25": lo, "ratio_p75": hi, "rounds": rounds}


def run(devices=None, sizes=None, dtype: str = "float32", quick: bool = False) -> list[dict]:
    """One row per (device, n): hal's ``x @ y`` against NumPy's ``a @ b``."""
    import numpy as np

    import hal

    devices = [hal.get_device(d) for d in devices] if devices else _opencl_devices()
    sizes = sizes or ([256, 512, 1024] if quick else [256, 512, 1024, 2048])
    rng = np.random.default_rng(0)
    rows = []
    for dev in devices:
        for n in sizes:
            a = rng.standard_normal((n, n)).astype(dtype)
            b = rng.standard_normal((n, n)).astype(dtype)
            x, y = hal.asarray(a, device=dev), hal.asarray(b, device=dev)

            # default arguments bind this iteration's arrays (called right away)
            def hal_fn(x=x, y=y, dev=dev):
                x @ y
                hal.synchronize(dev)

            def np_fn(a=a, b=b):
                a @ b

            got = hal.to_numpy(x @ y)       # warm up: kernels built, pool filled
            err = float(np.max(np.abs(got - a @ b)) / max(1.0, np.max(np.abs(a @ b))))
            np_fn()
            r = _pair(np_fn, hal_fn, _rounds_for(n, quick), 2.0 * n ** 3)
            goal = GOALS.get(n) if dtype == "float32" else None
            rows.append({"device": str(dev), "device_name": dev.name, "n": n,
                         "dtype": dtype, **r, "max_rel_error": err,
                         "kernel": hal.explain("matmul", x, y).kernel,
                         "goal": goal, "goal_met": None if goal is None else r["ratio"] >= goal})
    return rows


def tile_sweep(device: str, n: int = 1024, dtype: str = "float32", configs=None,
               rounds: int = 7) -> list[dict]:
    """Time ``matmul_v8`` with each (MR, NV, kc, chunk, local) of ``configs`` against
    NumPy, in alternating rounds (every config and NumPy once per round)."""
    import numpy as np

    import hal
    from hal_opencl import _linalg
    from hal_opencl._state import state_of

    dev = hal.get_device(device)
    state = state_of(dev)
    dt = hal._dtypes.BY_NAME[dtype]
    vt = hal.float64 if dt is hal.float64 else hal.float32
    if configs is None:
        configs = [(6, 2, 256, 16, (1, 1)), (4, 2, 256, 16, (1, 1)), (8, 1, 256, 16, (1, 1)),
                   (6, 2, 512, 8, (1, 1)), (6, 2, 128, 32, (1, 1)), (6, 2, 256, 16, None),
                   (6, 2, 256, 4, (1, 1)), (4, 1, 256, 16, (1, 1)), (6, 1, 256, 16, (1, 1)),
                   # AVX-512 (32 vector registers): wider tiles
                   (6, 4, 512, 8, (1, 1)), (8, 4, 512, 8, (1, 1)), (4, 4, 512, 8, (1, 1)),
                   (12, 2, 512, 8, (1, 1)), (8, 2, 512, 8, (1, 1))]
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    x, y = hal.asarray(a, device=dev)._native, hal.asarray(b, device=dev)._native
    plans = []
    for mr, nv, kc, chunk, local in configs:
        extra = _linalg._acc_defines(dt) + (("VT", f"hal_{vt.name}"), ("MR", str(mr)),
                                            ("NV", str(nv)))
        plan = (vt, mr, nv, kc, chunk, local, extra)
        out = state.to_host(_linalg._matmul(state, dt, plan, x, y))
        assert np.allclose(out, a @ b, rtol=1e-3, atol=1e-2 * np.sqrt(n)), (mr, nv)
        plans.append(plan)
    def run_plan(plan):
        _linalg._matmul(state, dt, plan, x, y)
        state.queue.finish()

    timers = {"numpy": call_timer(lambda: a @ b)}
    timers.update({i: call_timer(lambda plan=plan: run_plan(plan))
                   for i, plan in enumerate(plans)})
    times = alternate(timers, rounds)
    np_times = times["numpy"]
    flops = 2.0 * n ** 3
    rows = []
    for i, (mr, nv, kc, chunk, local) in enumerate(configs):
        lo, med, hi = quantiles(paired_ratios(np_times, times[i]))
        rows.append({"device": device, "n": n, "dtype": dtype, "MR": mr, "NR": 8 * nv,
                     "kc": kc, "chunk": chunk, "local": local,
                     "hal_gflops": flops / statistics.median(times[i]) / 1e9,
                     "numpy_gflops": flops / statistics.median(np_times) / 1e9,
                     "ratio": med, "ratio_p25": lo, "ratio_p75": hi})
    return rows


def render(rows: list[dict]) -> None:
    import numpy as np

    import hal
    print(f"hal {hal.__version__} OpenCL matmul vs NumPy {np.__version__} "
          f"(ratio = hal GFLOP/s / NumPy GFLOP/s, median of paired rounds)")
    if rows and "MR" in rows[0]:
        print(f"{'device':14} {'n':>5} {'tile':>6} {'kc':>4} {'chunk':>5} {'local':>7} "
              f"{'NumPy':>8} {'hal':>8} {'ratio':>6} {'p25-p75':>11}")
        for r in rows:
            print(f"{r['device']:14} {r['n']:5d} {r['MR']}x{r['NR']:<4d} {r['kc']:4d} "
                  f"{r['chunk']:5d} {str(r['local']):>7} {r['numpy_gflops']:8.1f} "
                  f"{r['hal_gflops']:8.1f} {r['ratio']:6.2f} "
                  f"{r['ratio_p25']:5.2f}-{r['ratio_p75']:<5.2f}")
        return
    print(f"{'device':14} {'name':24} {'dtype':8} {'n':>5} {'NumPy GF/s':>10} "
          f"{'hal GF/s':>9} {'ratio':>6} {'p25-p75':>11} {'goal':>6} result")
    for r in rows:
        goal = "" if r["goal"] is None else f">={r['goal']}"
        result = "info" if r["goal_met"] is None else ("PASS" if r["goal_met"] else "MISS")
        print(f"{r['device']:14} {r['device_name'][:24]:24} {r['dtype']:8} {r['n']:5d} "
              f"{r['numpy_gflops']:10.1f} {r['hal_gflops']:9.1f} {r['ratio']:6.2f} "
              f"{r['ratio_p25']:5.2f}-{r['ratio_p75']:<5.2f} {goal:>6} {result}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", action="append", help="a hal device selector "
                        "(repeatable); default: every OpenCL device")
    parser.add_argument("--sizes", type=int, nargs="+", help="matrix sizes n")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, n <= 1024")
    parser.add_argument("--tiles", action="store_true", help="sweep matmul_v8 tile shapes")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    if args.tiles:
        rows = []
        for device in args.device or [str(d) for d in _opencl_devices()]:
            for n in args.sizes or [1024]:
                rows += tile_sweep(device, n, args.dtype, rounds=5 if args.quick else 9)
    else:
        rows = run(args.device, args.sizes, args.dtype, args.quick)
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
    else:
        render(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
