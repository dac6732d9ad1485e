"""Many threads, many mixed ops, from a fresh process: run as a script by test_threads.

``python _hammer.py DEVICE THREADS OPS`` starts THREADS threads that wait at a barrier
and then run OPS ops each on DEVICE, all at once from the very first op, so plugin
loading, device set-up, dispatcher resolution and kernel builds (with a cold
``HAL_CACHE_DIR``) race each other.  Every result is checked against NumPy in the
thread that made it.  Prints one JSON line: ops, wrong results, errors (by text).
A watchdog (faulthandler) ends a deadlocked run with every thread's stack.
"""

from __future__ import annotations

import faulthandler
import json
import sys
import threading

import numpy as np

faulthandler.dump_traceback_later(float(sys.argv[4]) if len(sys.argv) > 4 else 240,
                                  exit=True)

import hal  # noqa: E402  (after the watchdog: hal's first use is part of the test)

DEVICE, THREADS, OPS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def _cases(rng, xp, dev):
    """(hal result, NumPy expectation, tolerance) of one random op."""
    n = int(rng.integers(1, 257))
    a = rng.standard_normal(n).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    i = rng.integers(-50, 50, n).astype(np.int32)
    x, y, k = (xp.asarray(v, device=dev) for v in (a, b, i))
    m = rng.standard_normal((8, 8)).astype(np.float32)
    choice = int(rng.integers(0, 14))
    if choice == 0:
        return x + y, a + b
    if choice == 1:
        return x * 2.5 - y, a * np.float32(2.5) - b
    if choice == 2:
        return xp.sum(x), np.sum(a, dtype=np.float64)
    if choice == 3:
        return xp.exp(x) / (1 + xp.abs(y)), np.exp(a) / (1 + np.abs(b))
    if choice == 4:
        return xp.max(x * y), np.max(a * b)
    if choice == 5:
        return x[::2] + 1, a[::2] + 1
    if choice == 6:
        return k * 3 - 7, i * 3 - 7
    if choice == 7:
        return xp.where(x > y, x, y), np.where(a > b, a, b)
    if choice == 8:
        return xp.sort(x), np.sort(a)
    if choice == 9:
        xm = xp.asarray(m, device=dev)
        return xm @ xm, m @ m
    if choice == 10:
        z = xp.zeros((n,), dtype=xp.float32, device=dev)
        z[1:] = x[:-1]
        expected = np.zeros(n, np.float32)
        expected[1:] = a[:-1]
        return z, expected
    if choice == 11:
        return xp.cumulative_sum(k), np.cumsum(i, dtype=np.int32)
    if choice == 12:
        return xp.astype(k, xp.float32) * x, i.astype(np.float32) * a
    return xp.mean(xp.reshape(x[: n // 4 * 4], (-1, 4)), axis=1), \
        a[: n // 4 * 4].reshape(-1, 4).mean(axis=1)


def main() -> None:
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    totals = {"ops": 0, "wrong": 0, "errors": []}

    def worker(seed: int) -> None:
        rng = np.random.default_rng(seed)
        ops = wrong = 0
        errors = []
        barrier.wait()  # every thread makes its first hal call at the same moment
        dev = hal.get_device(DEVICE)
        for _ in range(OPS):
            try:
                got, expected = _cases(rng, hal, dev)
                host = hal.to_numpy(got)
                ops += 1
                if not np.allclose(host, expected, rtol=1e-4, atol=1e-4):
                    wrong += 1
            except Exception as exc:  # counted and reported, never hidden
                errors.append(f"{type(exc).__module__}.{type(exc).__name__}: {exc}"[:300])
        with lock:
            totals["ops"] += ops
            totals["wrong"] += wrong
            totals["errors"] += errors

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    totals["n_errors"] = len(totals["errors"])
    totals["errors"] = sorted(set(totals["errors"]))[:10]
    print(json.dumps(totals))


if __name__ == "__main__":
    main()
