"""hal.jit fusion, side by side in one run: jitted vs eager hal vs NumPy vs numexpr vs a
hand-written PyOpenCL kernel (the ceiling), on one OpenCL device.

    python benchmarks/jit_fusion.py                 # opencl:intel, 2**24 float32
    python benchmarks/jit_fusion.py --device opencl:0 --n 1048576 --rounds 5

Cases: ``a*b + c*d - e`` and ``sum((x - y) ** 2)``.  Each round times every variant
once (the order rotates per round); the table shows the median time and GB/s (bytes
the fused expression must move: inputs read once, output written once) and the ratios
of the medians.  Also: the first call of a new fused kernel (trace + compile) and the
same call when only the disk cache holds the binary (a fresh in-memory cache).
numexpr is optional (``pip install numexpr``); it uses as many threads as NumPy's
machine has cores, as hal's CPU OpenCL drivers do.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import hal

_FUSED_SRC = """
__kernel void fused(__global float *out, __global const float *a, __global const float *b,
                    __global const float *c, __global const float *d,
                    __global const float *e, const long n)
{ long i = get_global_id(0); if (i < n) out[i] = a[i] * b[i] + c[i] * d[i] - e[i]; }
"""
_REDUCE_SRC = """
__kernel void sqdiff(__global float *part, __global const float *x, __global const float *y,
                     const long n, const long p)
{ long t = get_global_id(0), chunk = (n + p - 1) / p, end = (t + 1) * chunk;
  float acc = 0;
  for (long i = t * chunk; i < end && i < n; ++i) { float d = x[i] - y[i]; acc += d * d; }
  part[t] = acc; }
"""


def _median_times(variants: dict, rounds: int) -> dict:
    times = {k: [] for k in variants}
    names = list(variants)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for k in order:
            t0 = time.perf_counter()
            variants[k]()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def run(device: str = "opencl:intel", n: int = 2 ** 24, rounds: int = 7) -> list[str]:
    import pyopencl as cl
    from hal_opencl._state import state_of
    dev = hal.get_device(device)
    state = state_of(dev)
    rng = np.random.default_rng(0)
    host = [rng.standard_normal(n).astype(np.float32) for _ in range(5)]
    arrs = [hal.asarray(h, device=dev) for h in host]
    bufs = [a._native.data for a in arrs]
    out_buf = cl.Buffer(state.context, cl.mem_flags.READ_WRITE, size=4 * n)
    prog = cl.Program(state.context, _FUSED_SRC).build()
    kern = cl.Kernel(prog, "fused")
    kern.set_scalar_arg_dtypes([None] * 6 + [np.int64])

    def hand():
        kern(state.queue, (n,), None, out_buf, *bufs, n)
        state.queue.finish()

    def expr(a, b, c, d, e):
        return a * b + c * d - e
    jitted = hal.jit(expr)

    def sync(x):
        hal.synchronize(dev)
        return x
    variants = {
        "hal.jit": lambda: sync(jitted(*arrs)),
        "hal eager": lambda: sync(expr(*arrs)),
        "NumPy": lambda: expr(*host),
        "hand-written OpenCL": hand,
    }
    try:
        import numexpr
        names = dict(zip("abcde", host))
        variants["numexpr"] = lambda: numexpr.evaluate("a*b + c*d - e", local_dict=names)
    except ImportError:
        pass
    t0 = time.perf_counter()
    jitted(*arrs)
    hal.synchronize(dev)
    first = time.perf_counter() - t0
    for v in variants.values():
        v()
    med = _median_times(variants, rounds)
    nbytes = 6 * 4 * n
    lines = [f"a*b + c*d - e, {n} float32 on {dev} ({rounds} rounds)"]
    for k, t in med.items():
        lines.append(f"  {k:<22} {t * 1e3:8.2f} ms  {nbytes / t / 1e9:6.1f} GB/s")
    lines.append(f"  hal.jit / hand-written: {med['hand-written OpenCL'] / med['hal.jit']:.2f}x "
                 f"speed;  vs eager: {med['hal eager'] / med['hal.jit']:.2f}x;  vs NumPy: "
                 f"{med['NumPy'] / med['hal.jit']:.2f}x" +
                 (f";  vs numexpr: {med['numexpr'] / med['hal.jit']:.2f}x"
                  if "numexpr" in med else ""))

    # sum((x - y) ** 2)
    x, y = arrs[0], arrs[1]
    # the hand-written map+reduce: P one-item work-groups each sum a contiguous chunk,
    # the host adds the P partials
    P = state.compute_units * 64
    red = cl.Program(state.context, _REDUCE_SRC).build()
    rk = cl.Kernel(red, "sqdiff")
    rk.set_scalar_arg_dtypes([None, None, None, np.int64, np.int64])
    part = np.empty(P, np.float32)
    part_buf = cl.Buffer(state.context, cl.mem_flags.READ_WRITE, size=4 * P)

    def hand_sum():
        rk(state.queue, (P,), (1,), part_buf, bufs[0], bufs[1], n, P)
        cl.enqueue_copy(state.queue, part, part_buf)
        return part.sum()

    def sq(x, y):
        return hal.sum((x - y) ** 2)
    jsq = hal.jit(sq)
    variants = {
        "hal.jit": lambda: hal.to_numpy(jsq(x, y)),
        "hal eager": lambda: hal.to_numpy(sq(x, y)),
        "NumPy": lambda: np.sum((host[0] - host[1]) ** 2),
        "hand-written OpenCL": hand_sum,
    }
    for v in variants.values():
        v()
    med = _median_times(variants, rounds)
    nbytes = 2 * 4 * n
    lines.append(f"sum((x - y) ** 2), {n} float32 on {dev}")
    for k, t in med.items():
        lines.append(f"  {k:<40} {t * 1e3:8.2f} ms  {nbytes / t / 1e9:6.1f} GB/s")
    hand_key = "hand-written OpenCL"
    lines.append(f"  hal.jit / hand-written: {med[hand_key] / med['hal.jit']:.2f}x speed;  "
                 f"vs eager: {med['hal eager'] / med['hal.jit']:.2f}x")

    # compile times: a kernel no cache holds (a fresh constant), then a disk-cache hit
    from hal._jit import _run
    const = float(time.time_ns() % 1000003) + 0.25
    small = hal.asarray(host[0][:1024], device=dev)
    f1 = hal.jit(lambda v: v * const + 1)
    t0 = time.perf_counter()
    hal.synchronize(dev) if f1(small) is not None else None
    cold = time.perf_counter() - t0
    _run._COMPILED.clear()
    f2 = hal.jit(lambda v: v * const + 1)
    t0 = time.perf_counter()
    hal.synchronize(dev) if f2(small) is not None else None
    warm = time.perf_counter() - t0
    lines.append(f"first call of a new fused kernel (trace + compile + run): "
                 f"{cold * 1e3:.1f} ms; same kernel from the disk cache (trace + load + "
                 f"run): {warm * 1e3:.1f} ms; first call of a*b+c*d-e at n={n}: "
                 f"{first * 1e3:.1f} ms")
    return lines


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="opencl:intel")
    p.add_argument("--n", type=int, default=2 ** 24)
    p.add_argument("--rounds", type=int, default=7)
    args = p.parse_args()
    print("\n".join(run(args.device, args.n, args.rounds)))


if __name__ == "__main__":
    main()
