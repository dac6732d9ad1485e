"""The same four figures on every hal device, against NumPy, in one run and one table.

    python benchmarks/devices.py                       # every non-NumPy device
    python benchmarks/devices.py --device oneapi --device opencl:intel
    python benchmarks/devices.py --quick               # fewer rounds (noisier)
    python benchmarks/devices.py --json

or, from Python, ``run(...) -> list[dict]`` and ``render(rows)``.

Rows, per device (the issues' "Speed" figures):

* ``a + b`` on 8 float32, followed by ``hal.synchronize``: the latency of one op;
* ``a + b`` and ``sum(a)`` on 2^24 float32 (each followed by ``hal.synchronize``);
* ``x @ y`` with n = 1024 float32.

Each row times NumPy and hal in alternating rounds, the order flipping every round;
each round gives one paired ratio, NumPy time over hal time (higher is better: 1.0 is
NumPy's speed).  The table shows the per-call medians and the median ratio with its
25th-75th percentile spread.  The same silicon seen through two stacks (Intel's CPU
runtime as ``opencl:intel`` and as ``oneapi``) is the comparison this table is for.
On a shared machine single timings swing by 2x: only the paired ratios mean anything.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

__all__ = ["run", "render", "main"]


def _quantiles(values):
    if len(values) == 1:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], statistics.median(values), q[2]


def _time(fn, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def _pair(np_fn, hal_fn, rounds: int, repeat: int) -> dict:
    np_t, hal_t, ratios = [], [], []
    for r in range(rounds):
        if r % 2:
            h = _time(hal_fn, repeat)
            n = _time(np_fn, repeat)
        else:
            n = _time(np_fn, repeat)
            h = _time(hal_fn, repeat)
        np_t.append(n)
        hal_t.append(h)
        ratios.append(n / h)
    lo, med, hi = _quantiles(ratios)
    return {"numpy_s": statistics.median(np_t), "hal_s": statistics.median(hal_t),
            "ratio": med, "ratio_p25": lo, "ratio_p75": hi, "rounds": rounds}


def _cases(np, hal, dev, rng):
    """(name, numpy callable, hal callable, calls per timing) for one device."""
    small = rng.standard_normal(8).astype("float32")
    big = rng.standard_normal(1 << 24).astype("float32")
    big2 = rng.standard_normal(1 << 24).astype("float32")
    m1 = rng.standard_normal((1024, 1024)).astype("float32")
    m2 = rng.standard_normal((1024, 1024)).astype("float32")
    xs, xb, xb2 = (hal.asarray(a, device=dev) for a in (small, big, big2))
    xm1, xm2 = hal.asarray(m1, device=dev), hal.asarray(m2, device=dev)
    sync = hal.synchronize

    def synced(fn):
        def run():
            fn()
            sync(dev)
        return run

    return [
        ("a + b, 8 x float32 (latency)", lambda: small + small,
         synced(lambda: xs + xs), 200),
        ("a + b, 2^24 x float32", lambda: big + big2, synced(lambda: xb + xb2), 1),
        ("sum(a), 2^24 x float32", lambda: np.sum(big), synced(lambda: hal.sum(xb)), 1),
        ("matmul, n = 1024 float32", lambda: m1 @ m2, synced(lambda: xm1 @ xm2), 1),
    ]


def run(devices=None, quick: bool = False) -> list[dict]:
    import numpy as np

    import hal

    if devices:
        devices = [hal.get_device(d) for d in devices]
    else:
        devices = [d for d in hal.devices() if d.backend != "numpy"]
    rng = np.random.default_rng(0)
    rounds = 5 if quick else 15
    rows = []
    for dev in devices:
        for name, np_fn, hal_fn, repeat in _cases(np, hal, dev, rng):
            hal_fn()  # warm up: kernels resolved and built, memory pools filled
            hal_fn()
            np_fn()
            r = _pair(np_fn, hal_fn, rounds, repeat)
            rows.append({"device": str(dev), "device_name": dev.name,
                         "platform": dev.info.platform, "case": name, **r})
    return rows


def _fmt_time(s: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def render(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="hal devices against NumPy (ratio = NumPy time / hal time; "
                        "higher is better)")
    for col in ("device", "case", "NumPy", "hal", "ratio", "spread (p25-p75)"):
        table.add_column(col, justify="right" if col in ("NumPy", "hal", "ratio") else "left")
    for r in rows:
        table.add_row(f"{r['device']} ({r['platform']})", r["case"], _fmt_time(r["numpy_s"]),
                      _fmt_time(r["hal_s"]), f"{r['ratio']:.3g}x",
                      f"{r['ratio_p25']:.3g}-{r['ratio_p75']:.3g}")
    Console().print(table)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", action="append",
                        help="a hal device selector (repeatable); default: every "
                             "non-NumPy device")
    parser.add_argument("--quick", action="store_true", help="fewer rounds (noisier)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    rows = run(args.device, quick=args.quick)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        render(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
