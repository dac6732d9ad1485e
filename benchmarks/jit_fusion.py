"""hal.jit fusion, side by side in one run: jitted vs eager hal vs NumPy vs numexpr vs a
hand-written PyOpenCL kernel (the ceiling), on one OpenCL device.

    python benchmarks/jit_fusion.py                 # opencl:intel, 2**24 float32
    python benchmarks/jit_fusion.py --device opencl:0 --n 1048576 --rounds 5

Cases: ``a*b + c*d - e``, ``sum((x - y) ** 2)``, and row softmax and layer norm of a
``--rows`` x ``--cols`` float32 matrix (``--only rows`` for just those two).  Each round times every variant
once (the order rotates per round); the table shows the median time and GB/s (bytes
the fused expression must move: inputs read once, output written once) and the ratios
of the medians.  Also: the first call of a new fused kernel (trace + compile), the
same call when only the disk cache holds the binary (a fresh in-memory cache), and
the first call of an already compiled function in a new process (``--only cache``).
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


# one work-group of ROW_L work-items per row: each reduction strides over the row,
# then a tree in local memory; the row is read again from cache, not memory
ROW_L = 16
_ROWS_SRC = """
#define L %(L)d
__kernel __attribute__((reqd_work_group_size(L, 1, 1)))
void softmax(__global float *out, __global const float *x, const long R)
{
    __local float s[L];
    long row = get_group_id(0), lid = get_local_id(0);
    __global const float *xr = x + row * R;
    float m = -INFINITY;
    for (long r = lid; r < R; r += L) m = fmax(m, xr[r]);
    s[lid] = m; barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = L / 2; h > 0; h >>= 1) {
        if (lid < h) s[lid] = fmax(s[lid], s[lid + h]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    m = s[0]; barrier(CLK_LOCAL_MEM_FENCE);
    float t = 0;
    for (long r = lid; r < R; r += L) t += exp(xr[r] - m);
    s[lid] = t; barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = L / 2; h > 0; h >>= 1) {
        if (lid < h) s[lid] += s[lid + h];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    t = s[0];
    for (long r = lid; r < R; r += L) out[row * R + r] = exp(xr[r] - m) / t;
}
__kernel __attribute__((reqd_work_group_size(L, 1, 1)))
void layer_norm(__global float *out, __global const float *x, __global const float *g,
                __global const float *b, const long R)
{
    __local float s[L];
    long row = get_group_id(0), lid = get_local_id(0);
    __global const float *xr = x + row * R;
    float t = 0;
    for (long r = lid; r < R; r += L) t += xr[r];
    s[lid] = t; barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = L / 2; h > 0; h >>= 1) {
        if (lid < h) s[lid] += s[lid + h];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float m = s[0] / R; barrier(CLK_LOCAL_MEM_FENCE);
    t = 0;
    for (long r = lid; r < R; r += L) { float d = xr[r] - m; t += d * d; }
    s[lid] = t; barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = L / 2; h > 0; h >>= 1) {
        if (lid < h) s[lid] += s[lid + h];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float inv = 1.0f / sqrt(s[0] / R + 1e-5f);
    for (long r = lid; r < R; r += L) out[row * R + r] = (xr[r] - m) * inv * g[r] + b[r];
}
"""


def softmax(x):
    """Row softmax, as a user writes it with the standard's ops."""
    xp = x.__array_namespace__()
    e = xp.exp(x - xp.max(x, axis=-1, keepdims=True))
    return e / xp.sum(e, axis=-1, keepdims=True)


def layer_norm(x, g, b):
    xp = x.__array_namespace__()
    m = xp.mean(x, axis=-1, keepdims=True)
    v = xp.var(x, axis=-1, keepdims=True)
    return (x - m) / xp.sqrt(v + 1e-5) * g + b


def _np_softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def _np_layer_norm(x, g, b):
    m = np.mean(x, axis=-1, keepdims=True)
    return (x - m) / np.sqrt(np.var(x, axis=-1, keepdims=True) + np.float32(1e-5)) * g + b


def run_rows(device: str = "opencl:intel", rows: int = 4096, cols: int = 4096,
             rounds: int = 7) -> list[str]:
    """Row softmax and layer norm: hal.jit, hal eager, NumPy, a hand-written kernel.
    GB/s counts one read and one write of the matrix (the vectors of layer norm are
    negligible): what a kernel that keeps each row in cache moves."""
    import pyopencl as cl
    from hal_opencl._state import state_of
    dev = hal.get_device(device)
    state = state_of(dev)
    rng = np.random.default_rng(0)
    host = rng.standard_normal((rows, cols)).astype(np.float32)
    gh, bh = (rng.standard_normal(cols).astype(np.float32) for _ in range(2))
    x, g, b = (hal.asarray(h, device=dev) for h in (host, gh, bh))
    out_buf = cl.Buffer(state.context, cl.mem_flags.READ_WRITE, size=host.nbytes)
    prog = cl.Program(state.context, _ROWS_SRC % {"L": ROW_L}).build()
    ks = cl.Kernel(prog, "softmax")
    ks.set_scalar_arg_dtypes([None, None, np.int64])
    kl = cl.Kernel(prog, "layer_norm")
    kl.set_scalar_arg_dtypes([None, None, None, None, np.int64])
    out_np = np.empty_like(host)

    def hand(kernel, *bufs):
        def go():
            kernel(state.queue, (rows * ROW_L,), (ROW_L,), out_buf, *bufs, cols)
            state.queue.finish()
        return go

    def sync(v):
        hal.synchronize(dev)
        return v
    lines = []
    nbytes = 2 * host.nbytes
    for name, fn, np_fn, args, hargs, kern in (
            ("row softmax", softmax, _np_softmax, (x,), (host,), ks),
            ("layer norm", layer_norm, _np_layer_norm, (x, g, b), (host, gh, bh), kl)):
        jitted = hal.jit(fn)
        want = np_fn(*hargs)
        bufs = [a._native.data for a in args]
        hand(kern, *bufs)()
        cl.enqueue_copy(state.queue, out_np, out_buf)
        checks = {"hal.jit": hal.to_numpy(jitted(*args)), "hal eager": hal.to_numpy(fn(*args)),
                  "hand-written OpenCL": out_np}
        for k, got in checks.items():
            np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4, err_msg=f"{name} {k}")
        variants = {"hal.jit": lambda f=jitted, a=args: sync(f(*a)),
                    "hal eager": lambda f=fn, a=args: sync(f(*a)),
                    "NumPy": lambda f=np_fn, a=hargs: f(*a),
                    "hand-written OpenCL": hand(kern, *bufs)}
        med = _median_times(variants, rounds)
        lines.append(f"{name}, {rows} x {cols} float32 on {dev} ({rounds} rounds; GB/s "
                     f"as one read and one write per element)")
        for k, t in med.items():
            lines.append(f"  {k:<22} {t * 1e3:8.2f} ms  {nbytes / t / 1e9:6.1f} GB/s")
        lines.append(f"  hal.jit / hand-written: {med['hand-written OpenCL'] / med['hal.jit']:.2f}x"
                     f" speed;  vs eager: {med['hal eager'] / med['hal.jit']:.2f}x;  vs NumPy: "
                     f"{med['NumPy'] / med['hal.jit']:.2f}x;  jit kernel steps: "
                     f"{_steps(jitted, args)}")
    return lines


def _steps(jitted, args) -> str:
    text = jitted.explain(*args)
    return "; ".join(line.split(": ", 1)[1].split(" of ")[0].split(":")[0]
                     for line in text.splitlines() if line.startswith("step "))


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


_FRESH = """
import sys, time
import numpy as np
import hal
dev = hal.get_device(sys.argv[1])
x = hal.asarray(np.arange(1024, dtype=np.float32), device=dev)
y = hal.asarray(np.ones(1024, dtype=np.float32), device=dev)
(x + y); hal.sum(x); hal.synchronize(dev)  # the device and eager programs warm
f = hal.jit(lambda a, b: (hal.sum((a - b) * (a + 2.5)), a * b + 1))
t0 = time.perf_counter(); f(x, y); hal.synchronize(dev)
print((time.perf_counter() - t0) * 1e3)
"""


def fresh_process_first_call(device: str = "opencl:intel", runs: int = 7) -> str:
    """The first call of an already compiled fused function (a map+reduce and an
    elementwise kernel) in a new process: trace, lower, disk-cache load, kernel
    creation, launch.  Median of ``runs`` processes, after one that fills the cache."""
    import subprocess
    import sys
    times = []
    for i in range(runs + 1):
        out = subprocess.run([sys.executable, "-c", _FRESH, device], check=True,
                             capture_output=True, text=True).stdout
        if i:
            times.append(float(out.split()[-1]))
    return (f"first call of an already compiled fused function in a new process on "
            f"{device}: median {statistics.median(times):.1f} ms "
            f"(min {min(times):.1f}, max {max(times):.1f}; {runs} processes)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="opencl:intel")
    p.add_argument("--n", type=int, default=2 ** 24)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--rows", type=int, default=4096)
    p.add_argument("--cols", type=int, default=4096)
    p.add_argument("--only", choices=("flat", "rows", "cache"), help="only the 1-D "
                   "cases, only softmax and layer norm, or only the disk-cache hit")
    args = p.parse_args()
    # "hal eager" means op by op: lazy evaluation (on by default on OpenCL) would fuse
    # the eager contenders too (benchmarks/lazy_programs.py measures it)
    with hal.lazy(False):
        lines = [] if args.only in ("rows", "cache") else run(args.device, args.n,
                                                               args.rounds)
        if args.only in (None, "rows"):
            lines += run_rows(args.device, args.rows, args.cols, args.rounds)
    if args.only in (None, "cache"):
        lines.append(fresh_process_first_call(args.device))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
