"""Unchanged small programs, eager hal vs lazy hal (``hal.lazy()``) vs NumPy, side by
side in one run (issue 12 item 2's goal: lazy at least 3x eager hal, and no slower than
NumPy on opencl:intel).

    python benchmarks/lazy_programs.py [device ...] [--sizes 10000,100000,1000000]

Each program is written once against an array namespace ``xp`` (hal or NumPy) and run
unchanged; a round ends with the result on the host, so queued work is counted.  The
three contenders run in alternating rounds; times are medians, ratios medians of the
round-by-round ratios.  Lazy mode is on by default on OpenCL and oneAPI devices:
"eager" runs under ``hal.lazy(False)``.
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np

import hal
from hal._bench._timing import alternate, call_timer, paired_ratios


def jacobi(xp, n, steps=20):
    """Jacobi iterations for a diagonally dominant tridiagonal system, residual norm."""
    b = xp.ones((n,), dtype=xp.float32)
    x = xp.zeros((n,), dtype=xp.float32)
    for _ in range(steps):
        left = xp.concat([x[:1] * 0, x[:-1]])
        right = xp.concat([x[1:], x[:1] * 0])
        x = (b + left + right) * 0.25
    r = b - 4 * x + left + right
    return float(xp.sqrt(xp.sum(r * r)))


def stencil(xp, n, steps=10):
    """A 2-D heat equation step with boundary kept (slices and setitem)."""
    side = int(n ** 0.5)
    u = xp.zeros((side, side), dtype=xp.float32)
    u[0, :] = 1.0
    for _ in range(steps):
        lap = u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:] - 4 * u[1:-1, 1:-1]
        u[1:-1, 1:-1] = u[1:-1, 1:-1] + 0.1 * lap
    return float(xp.sum(u))


def logistic(xp, n, steps=10, features=4):
    """Logistic regression by gradient steps, features as separate columns."""
    cols = [xp.asarray(np.random.default_rng(k).standard_normal(n).astype(np.float32))
            if xp is np else xp.asarray(np.random.default_rng(k).standard_normal(n)
                                        .astype(np.float32), device=_DEVICE)
            for k in range(features)]
    y = cols[0] * 0.5 - cols[1] > 0
    yf = xp.astype(y, xp.float32)
    w = [0.0] * features
    lr = 0.5
    for _ in range(steps):
        z = cols[0] * w[0]
        for k in range(1, features):
            z = z + cols[k] * w[k]
        p = 1 / (1 + xp.exp(-z))
        err = p - yf
        w = [w[k] - lr * float(xp.mean(err * cols[k])) for k in range(features)]
    return w[0]


PROGRAMS = {"jacobi": jacobi, "stencil": stencil, "logistic": logistic}
_DEVICE = None


def run(device_name, sizes, rounds):
    global _DEVICE
    _DEVICE = dev = hal.get_device(device_name)
    hal.set_default_device(dev)
    rows = []
    for name, prog in PROGRAMS.items():
        for n in sizes:
            def numpy_(prog=prog, n=n):
                return prog(np, n)

            def eager(prog=prog, n=n):
                with hal.lazy(False):
                    return prog(hal, n)

            def lazy(prog=prog, n=n):
                with hal.lazy():
                    return prog(hal, n)
            ref, got = eager(), lazy()
            assert ref == got, (name, n, ref, got)   # lazy gives the eager result exactly
            numpy_()
            # alternating rounds (hal/_bench/_timing.py): the three contenders see the
            # same machine load; the figures are medians of round-by-round ratios
            times = alternate({"numpy": call_timer(numpy_), "eager": call_timer(eager),
                               "lazy": call_timer(lazy)}, rounds)
            speedup = statistics.median(paired_ratios(times["eager"], times["lazy"]))
            vs_numpy = statistics.median(paired_ratios(times["numpy"], times["lazy"]))
            t_np, t_e, t_l = (statistics.median(times[k]) for k in ("numpy", "eager", "lazy"))
            rows.append((name, n, t_np, t_e, t_l, speedup, vs_numpy))
            print(f"{device_name:13s} {name:9s} n={n:>8d}  numpy {t_np * 1e3:8.2f} ms  "
                  f"eager {t_e * 1e3:8.2f} ms  lazy {t_l * 1e3:8.2f} ms  "
                  f"lazy/eager speed-up {speedup:5.2f}x  lazy vs numpy {vs_numpy:5.2f}x",
                  flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("devices", nargs="*", default=["opencl:intel", "oneapi"])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    # a conjugate-gradient solver and k-means (clustering), from the NumPy-device
    # program benchmark, unchanged
    import numpy_programs
    PROGRAMS.update(cg=numpy_programs.cg, kmeans=numpy_programs.kmeans)
    for d in args.devices:
        run(d, sizes, args.rounds)


if __name__ == "__main__":
    main()
