"""User kernels vs hal's built-in ops, side by side in one run (issue 15: within 10%).

    python benchmarks/user_kernels.py                        # opencl:intel and oneapi
    python benchmarks/user_kernels.py --devices opencl:0 --n 1048576 --rounds 9

On 2^24 float32 by default, each pair does the same work two ways:

* elementwise: ``hal.ElementwiseKernel("T x, T y", "T z", "z = x + y")`` vs ``x + y``;
  and a kernel the standard needs two ops for, ``z = (x - y) * (x - y)``, vs eager
  ``(x - y) * (x - y)`` and ``hal.jit`` of it;
* reduction: ``hal.ReductionKernel("T x", "T y", "x", "a + b", "y = a", "0")`` vs
  ``hal.sum(x)``; and ``x * x`` summed, vs eager ``hal.sum(x * x)`` and ``hal.jit`` of it.

Each round times every variant once (the order rotates per round), each followed by
``hal.synchronize``; the table shows median times, GB/s (inputs read once, output
written once) and, per pair, the median of the per-round ratios user / built-in (below
1.0: the user kernel is faster) with its 25th-75th percentile spread.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import hal

ADD = hal.ElementwiseKernel("T x, T y", "T z", "z = x + y", "user_add")
SQDIFF = hal.ElementwiseKernel("T x, T y", "T z", "z = (x - y) * (x - y)", "user_sqdiff")
SUM = hal.ReductionKernel("T x", "T y", "x", "a + b", "y = a", "0", "user_sum")
SUMSQ = hal.ReductionKernel("T x", "T y", "x * x", "a + b", "y = a", "0", "user_sumsq")


def _rounds(variants: dict, rounds: int) -> dict:
    times = {k: [] for k in variants}
    names = list(variants)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        if r % 2:
            order.reverse()
        for k in order:
            t0 = time.perf_counter()
            variants[k]()
            times[k].append(time.perf_counter() - t0)
    return times


def _pair(times, user, builtin) -> str:
    ratios = sorted(u / b for u, b in zip(times[user], times[builtin]))
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    return f"{statistics.median(ratios):.2f} ({q[0]:.2f}-{q[2]:.2f})"


def run(device: str, n: int = 2 ** 24, rounds: int = 9) -> list[str]:
    dev = hal.get_device(device)
    rng = np.random.default_rng(0)
    hx, hy = (rng.standard_normal(n).astype(np.float32) for _ in range(2))
    x, y = hal.asarray(hx, device=dev), hal.asarray(hy, device=dev)

    def sync(v):
        hal.synchronize(dev)
        return v

    def sqdiff(a, b):
        return (a - b) * (a - b)

    def sumsq(a):
        return hal.sum(a * a)
    jsq, jsumsq = hal.jit(sqdiff), hal.jit(sumsq)
    checks = [(ADD(x, y), hx + hy), (SQDIFF(x, y), (hx - hy) ** 2),
              (SUM(x), np.sum(hx, dtype=np.float64)),
              (SUMSQ(x), np.sum(hx.astype(np.float64) ** 2))]
    for got, want in checks:  # checked before timed
        np.testing.assert_allclose(hal.to_numpy(got), want, rtol=1e-3, atol=1e-2)
    variants = {
        "user add": lambda: sync(ADD(x, y)),
        "hal x + y": lambda: sync(x + y),
        "user sqdiff": lambda: sync(SQDIFF(x, y)),
        "hal eager (x-y)*(x-y)": lambda: sync(sqdiff(x, y)),
        "hal.jit (x-y)*(x-y)": lambda: sync(jsq(x, y)),
        "user sum": lambda: sync(SUM(x)),
        "hal.sum(x)": lambda: sync(hal.sum(x)),
        "user sum of x*x": lambda: sync(SUMSQ(x)),
        "hal eager sum(x*x)": lambda: sync(sumsq(x)),
        "hal.jit sum(x*x)": lambda: sync(jsumsq(x)),
    }
    for v in variants.values():  # warm: kernels built, pools filled
        v()
    times = _rounds(variants, rounds)
    moved = {"user add": 12, "hal x + y": 12, "user sqdiff": 12,
             "hal eager (x-y)*(x-y)": 12, "hal.jit (x-y)*(x-y)": 12}
    lines = [f"user kernels vs built-in ops, {n} float32 on {dev} ({dev.name}), "
             f"{rounds} rounds"]
    for k, ts in times.items():
        t = statistics.median(ts)
        gbs = moved.get(k, 4) * n / t / 1e9
        lines.append(f"  {k:<24} {t * 1e3:8.2f} ms  {gbs:6.1f} GB/s")
    lines.append("  user / built-in time (median per-round ratio, 25th-75th pct):")
    for user, builtin in (("user add", "hal x + y"),
                          ("user sqdiff", "hal.jit (x-y)*(x-y)"),
                          ("user sqdiff", "hal eager (x-y)*(x-y)"),
                          ("user sum", "hal.sum(x)"),
                          ("user sum of x*x", "hal.jit sum(x*x)"),
                          ("user sum of x*x", "hal eager sum(x*x)")):
        lines.append(f"    {user:<16} / {builtin:<24} {_pair(times, user, builtin)}")
    return lines


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--devices", default="opencl:intel,oneapi",
                   help="comma-separated selectors (devices that build portable kernels)")
    p.add_argument("--n", type=int, default=2 ** 24)
    p.add_argument("--rounds", type=int, default=9)
    args = p.parse_args()
    for sel in args.devices.split(","):
        print("\n".join(run(sel.strip(), args.n, args.rounds)))


if __name__ == "__main__":
    main()
