"""Whole programs on hal's NumPy device against plain NumPy (issue 12 item 4).

    python benchmarks/numpy_programs.py                    # every program, 1e2 1e4 1e6
    python benchmarks/numpy_programs.py --sizes 100,10000  # fewer sizes
    python benchmarks/numpy_programs.py --only cg,kmeans   # fewer programs
    python benchmarks/numpy_programs.py --profile cg --sizes 100   # cProfile one

Each program is written once against an array namespace ``xp`` and run unchanged with
``xp`` bound to ``numpy`` and to ``hal`` (default device: the NumPy device).  The
figure is hal time / NumPy time per program and size, the median of round-by-round
ratios in alternating rounds (hal/_bench/_timing.py), with its 25th-75th percentile
spread.  Goal: at most 1.2.  Results are compared before timing (a program that
gives hal a different answer is reported WRONG, not timed).

The programs: Jacobi and the 2-D stencil of benchmarks/lazy_programs.py (imported,
unchanged), a conjugate-gradient solver of a 1-D Poisson system, a sort-and-count
program (sort, unique_counts, cumulative_sum, searchsorted), logistic regression
trained with matmul, and k-means (distances by broadcasting, argmin, mean by mask).
"""

from __future__ import annotations

import argparse
import math
import sys
import timeit
from pathlib import Path

import numpy as np

import hal
from hal._bench._timing import alternate, batch_timer, calibrate, paired_ratios, quantiles

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lazy_programs  # noqa: E402  (the lead's programs, used unchanged)

GOAL = 1.2


def _data(xp, host):
    """``host`` (a NumPy array) in ``xp``: the program's input, made the way a user would."""
    return xp.asarray(host)


def cg(xp, n, steps=25):
    """Conjugate gradient for the 1-D Poisson matrix tridiag(-1, 2, -1): matvec by
    slices and concat, dot products by vecdot, Python floats for the step sizes."""
    b = _data(xp, np.random.default_rng(1).random(n))
    zero = xp.zeros((1,), dtype=b.dtype)

    def matvec(v):
        return 2 * v - xp.concat([zero, v[:-1]]) - xp.concat([v[1:], zero])

    x = xp.zeros_like(b)
    r = b - matvec(x)
    p = r
    rr = float(xp.vecdot(r, r))
    for _ in range(steps):
        ap = matvec(p)
        alpha = rr / float(xp.vecdot(p, ap))
        x = x + alpha * p
        r = r - alpha * ap
        rr_new = float(xp.vecdot(r, r))
        p = r + (rr_new / rr) * p
        rr = rr_new
    return math.sqrt(rr)


def sort_count(xp, n):
    """Histogram-like counting: sort, unique values and counts, their running total,
    and the rank of a few query values by searchsorted."""
    rng = np.random.default_rng(2)
    x = _data(xp, rng.integers(0, max(2, n // 10), n))
    queries = _data(xp, rng.integers(0, max(2, n // 10), 16))
    s = xp.sort(x)
    values, counts = xp.unique_counts(x)
    cum = xp.cumulative_sum(counts)
    where = xp.searchsorted(values, queries)
    where = xp.clip(where, 0, values.shape[0] - 1)
    below = xp.take(cum, where) - xp.take(counts, where)
    ranks = xp.searchsorted(s, queries, side="right")
    return int(xp.sum(below)) + int(xp.sum(ranks)) + int(cum[-1]) + int(xp.max(s))


def logistic_matmul(xp, n, steps=20, features=8):
    """Logistic regression by gradient steps on an (n / features) x features design
    matrix: matmul forward and backward, exp, mean."""
    rows = max(1, n // features)
    rng = np.random.default_rng(3)
    X = _data(xp, rng.standard_normal((rows, features)))
    truth = _data(xp, rng.standard_normal((features,)))
    y = xp.astype(X @ truth > 0, X.dtype)
    w = xp.zeros((features,), dtype=X.dtype)
    lr = 0.5
    for _ in range(steps):
        p = 1 / (1 + xp.exp(-(X @ w)))
        grad = (p - y) @ X / rows
        w = w - lr * grad
    loss = -xp.mean(y * xp.log(p + 1e-12) + (1 - y) * xp.log(1 - p + 1e-12))
    return float(loss)


def kmeans(xp, n, k=4, steps=8):
    """k-means on n / 2 points in 2-D: distances by broadcasting, argmin, each centroid
    the mean of its points (by a boolean mask), kept when its cluster is empty."""
    rows = max(k, n // 2)
    rng = np.random.default_rng(4)
    pts = _data(xp, rng.standard_normal((rows, 2)) + rng.integers(0, 3, (rows, 1)) * 3)
    centroids = pts[:k]
    for _ in range(steps):
        d = xp.sum((pts[:, None, :] - centroids[None, :, :]) ** 2, axis=-1)
        labels = xp.argmin(d, axis=1)
        new = []
        for j in range(k):
            mask = labels == j
            if bool(xp.any(mask)):
                new.append(xp.mean(pts[mask], axis=0))
            else:
                new.append(centroids[j])
        centroids = xp.stack(new)
    return float(xp.sum(centroids))


def jacobi(xp, n):
    return lazy_programs.jacobi(xp, n)


def stencil(xp, n):
    return lazy_programs.stencil(xp, n)


PROGRAMS = {"jacobi": jacobi, "cg": cg, "sort_count": sort_count, "stencil": stencil,
            "logistic": logistic_matmul, "kmeans": kmeans}


def _same(a, b) -> bool:
    return a == b or (isinstance(a, float) and math.isclose(a, b, rel_tol=1e-6,
                                                            abs_tol=1e-9))


def measure(programs, sizes, target_s: float, rounds: int):
    hal.set_default_device(hal.get_device("numpy"))
    lazy_programs._DEVICE = hal.get_device("numpy")
    rows = []
    for name in programs:
        prog = PROGRAMS[name]
        for n in sizes:
            want, got = prog(np, n), prog(hal, n)
            if not _same(want, got):
                rows.append((name, n, None, None, None, None, None))
                print(f"{name:11s} n={n:>8d}  WRONG: numpy {want!r}, hal {got!r}", flush=True)
                continue
            ref = timeit.Timer(lambda prog=prog, n=n: prog(np, n))
            mine = timeit.Timer(lambda prog=prog, n=n: prog(hal, n))
            number = calibrate(ref, target_s)
            r = rounds if number > 1 else max(5, rounds // 3)
            times = alternate({"numpy": batch_timer(ref, number),
                               "hal": batch_timer(mine, number)}, r)
            lo, med, hi = quantiles(paired_ratios(times["hal"], times["numpy"]))
            t_np = sorted(times["numpy"])[len(times["numpy"]) // 2]
            t_hal = sorted(times["hal"])[len(times["hal"]) // 2]
            rows.append((name, n, t_np, t_hal, med, lo, hi))
            print(f"{name:11s} n={n:>8d}  numpy {t_np * 1e3:9.3f} ms  hal {t_hal * 1e3:9.3f} "
                  f"ms  hal/numpy {med:5.2f} ({lo:4.2f}-{hi:4.2f})  "
                  f"{'ok' if med <= GOAL else 'MISS'}", flush=True)
    return rows


def profile(name: str, n: int, repeat: int) -> None:
    import cProfile
    import pstats
    hal.set_default_device(hal.get_device("numpy"))
    lazy_programs._DEVICE = hal.get_device("numpy")
    prog = PROGRAMS[name]
    prog(hal, n)
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(repeat):
        prog(hal, n)
    pr.disable()
    pstats.Stats(pr).sort_stats("tottime").print_stats(30)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,10000,1000000")
    ap.add_argument("--only", default="", help="comma-separated program names")
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--target", type=float, default=0.02,
                    help="seconds per batch of calls (short batches: fewer interruptions)")
    ap.add_argument("--profile", default="", help="cProfile this program instead")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    programs = args.only.split(",") if args.only else list(PROGRAMS)
    if args.profile:
        profile(args.profile, sizes[0], 200 if sizes[0] <= 10**4 else 3)
        return
    measure(programs, sizes, args.target, args.rounds)


if __name__ == "__main__":
    main()
