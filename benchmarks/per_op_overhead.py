"""Per-op cost, side by side in one run (issue 12, items 3 and 4).

    python benchmarks/per_op_overhead.py              # NumPy device and OpenCL launch
    python benchmarks/per_op_overhead.py --numpy      # only hal-on-NumPy vs NumPy
    python benchmarks/per_op_overhead.py --opencl     # only hal vs bare PyOpenCL
    python benchmarks/per_op_overhead.py --quick      # fewer rounds, noisier
    python benchmarks/per_op_overhead.py --clock cpu  # thread CPU time (busy machine)

1. hal's NumPy device against plain NumPy: every op below on 8- and 1000-element
   float64 arrays.  Goal: hal time / NumPy time <= 1.2 at 8 elements.
2. OpenCL per-launch cost: ``a + b`` on 8 float32 elements plus ``hal.synchronize()``
   against a bare PyOpenCL launch-and-wait of the *same* kernel binary hal uses, on the
   same device and queue, with the arguments pre-set (the floor: what PyOpenCL
   costs), and with PyOpenCL's own ``kernel(queue, gsize, lsize, *args)`` call plus
   a fresh output buffer (what a hand-written PyOpenCL program pays per op).  Goal:
   hal / bare <= 1.2.

Each pair of contenders is timed in alternating rounds (the order flips every round,
hal/_bench/_timing.py) and the figure is the median of the round-by-round ratios
with its 25th-75th percentile spread.
"""

from __future__ import annotations

import argparse
import time
import timeit

from hal._bench._timing import alternate, batch_timer, paired_ratios, quantiles

GOAL = 1.2
CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}

#: (label, statement or (hal's, NumPy's)): ``xp`` is numpy or hal; x, y float64 of n elements, m an 8x8
#: matrix, lst a Python list of n floats, mask a bool array
NUMPY_CASES = (
    ("x + y", "x + y"),
    ("x * 2.0", "x * 2.0"),
    ("sum(x)", "xp.sum(x)"),
    ("mean(x)", "xp.mean(x)"),
    ("max(x)", "xp.max(x)"),
    ("x[1:5]", "x[1:5]"),
    ("x[::2]", "x[::2]"),
    ("x[2]", "x[2]"),
    ("reshape", "xp.reshape(x, (2, -1))"),
    ("where", "xp.where(mask, x, y)"),
    ("matmul 8x8", "m @ m"),
    # hal's sort is stable by default (the standard): NumPy's stable sort is the peer
    ("sort", ("xp.sort(x)", "xp.sort(x, kind='stable')")),
    ("astype f32", "xp.astype(x, xp.float32)"),
    ("asarray(list)", "xp.asarray(lst)"),
    ("zeros", "xp.zeros(n)"),
    ("concat", "xp.concat((x, y))"),
    ("x < y", "x < y"),
    ("x[mask]", "x[mask]"),
)


def _pair(ref: timeit.Timer, hal: timeit.Timer, rounds: int, target: float) -> tuple:
    hal.timeit(50)                             # resolve and cache the kernels first
    ref.timeit(50)
    number, _ = ref.autorange()
    per_call = ref.timeit(number) / number
    number = max(20, int(target / max(per_call, 1e-9)))
    times = alternate({"ref": batch_timer(ref, number), "hal": batch_timer(hal, number)},
                      rounds)
    lo, med, hi = quantiles(paired_ratios(times["hal"], times["ref"]))
    return (sorted(times["ref"])[len(times["ref"]) // 2],
            sorted(times["hal"])[len(times["hal"]) // 2], med, lo, hi)


def numpy_rows(quick: bool, clock: str) -> list[tuple]:
    import numpy as np

    import hal

    dev = hal.get_device("numpy")
    rounds, target = (21, 0.0005) if quick else (61, 0.001)
    rows = []
    for n in (8, 1000):
        rng = np.random.default_rng(0)
        xn, yn = rng.random(n), rng.random(n)
        mn = rng.random((8, 8))
        env_np = {"xp": np, "x": xn, "y": yn, "m": mn, "mask": xn < yn,
                  "lst": xn.tolist(), "n": n}
        env_hal = {"xp": hal, "x": hal.asarray(xn, device=dev),
                   "y": hal.asarray(yn, device=dev), "m": hal.asarray(mn, device=dev),
                   "lst": xn.tolist(), "n": n}
        env_hal["mask"] = env_hal["x"] < env_hal["y"]
        with hal.default_device(dev) if hasattr(hal, "default_device") else _null():
            for label, stmt in NUMPY_CASES:
                hal_stmt, np_stmt = stmt if isinstance(stmt, tuple) else (stmt, stmt)
                ref = timeit.Timer(np_stmt, CLOCKS[clock], globals=env_np)
                mine = timeit.Timer(hal_stmt, CLOCKS[clock], globals=env_hal)
                rows.append((f"{label} [{n}]", *_pair(ref, mine, rounds, target)))
    return rows


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def opencl_rows(quick: bool, clock: str, device_name: str = "opencl:intel") -> list[tuple]:
    import numpy as np
    import pyopencl as cl

    import hal

    dev = hal.get_device(device_name)
    a = hal.asarray(np.arange(8, dtype=np.float32), device=dev)
    b = hal.asarray(np.ones(8, dtype=np.float32), device=dev)
    # the same kernel object hal launches, caught at the plugin's launch
    kernel, queue, args, gsize, lsize = _hal_add_kernel(dev, a, b)
    (a + b)
    hal.synchronize(dev)

    def bare():
        cl.enqueue_nd_range_kernel(queue, kernel, gsize, lsize).wait()

    kernel.set_args(*args)

    def pyopencl_call():
        out = cl.Buffer(queue.context, cl.mem_flags.READ_WRITE, 32)
        kernel(queue, gsize, lsize, *([out] + list(args[1:]))).wait()

    def hal_op():
        a + b
        hal.synchronize(dev)

    rounds, target = (21, 0.002) if quick else (61, 0.004)
    env = {"bare": bare, "call": pyopencl_call, "hal_op": hal_op}
    rows = []
    for label, ref in (("a+b & sync vs bare enqueue+wait", "bare()"),
                       ("a+b & sync vs kernel(queue,...)+new buffer", "call()")):
        r = timeit.Timer(ref, CLOCKS[clock], globals=env)
        h = timeit.Timer("hal_op()", CLOCKS[clock], globals=env)
        rows.append((f"{label} [{device_name}]", *_pair(r, h, rounds, target)))
    return rows


def _hal_add_kernel(dev, a, b):
    """The compiled kernel and arguments hal's ``a + b`` launches on ``dev``."""
    from hal_opencl import _context
    captured = []
    original = _context.DeviceState.launch

    def spy(self, kernel, n, *args):
        local = None if self.is_cpu else min(256, self.max_work_group_size)
        gsize = (n if local is None else -(-n // local) * local,)
        captured.append((kernel, self.queue, args, gsize, None if local is None
                         else (local,)))
        return original(self, kernel, n, *args)
    from hal._dispatch import clear_caches
    _context.DeviceState.launch = spy
    clear_caches()         # the kernel factories bind ``state.launch`` when resolving
    try:
        a + b
    finally:
        _context.DeviceState.launch = original
        clear_caches()
    return captured[-1]


def render(title: str, rows: list[tuple]) -> str:
    lines = [title, f"{'case':52s} {'ref':>10s} {'hal':>10s} {'hal/ref':>8s} "
             f"{'p25-p75':>13s}  goal<={GOAL}"]
    for name, ref, mine, med, lo, hi in rows:
        ok = "ok" if med <= GOAL else "MISS"
        lines.append(f"{name:52s} {ref * 1e6:8.2f}us {mine * 1e6:8.2f}us {med:8.2f} "
                     f"{lo:6.2f}-{hi:<6.2f}  {ok}")
    return "\n".join(lines)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--numpy", action="store_true")
    p.add_argument("--opencl", action="store_true")
    p.add_argument("--device", default="opencl:intel")
    p.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    p.add_argument("--only", default="", help="comma-separated labels (numpy part)")
    args = p.parse_args(argv)
    both = not (args.numpy or args.opencl)
    if args.numpy or both:
        global NUMPY_CASES
        if args.only:
            keep = set(args.only.split(","))
            NUMPY_CASES = tuple(c for c in NUMPY_CASES if c[0] in keep)
        print(render("hal on the NumPy device vs plain NumPy (float64)",
                     numpy_rows(args.quick, args.clock)), flush=True)
    if args.opencl or both:
        print(render("OpenCL per-launch cost (8 float32, with wait)",
                     opencl_rows(args.quick, args.clock, args.device)), flush=True)


if __name__ == "__main__":
    main()
