"""Memory leaks: long loops of mixed ops after warm-up (issue 11, item 7).

A fresh interpreter per device runs the same loop of mixed ops (elementwise,
reductions, basic and advanced indexing, a small matmul, creation, copies to the
host) once to warm up (kernels built, caches and the pool filled), then thousands of
ops more.  hal's OpenCL pool must not grow at all (no block stays active, no new
block is needed), and the process's resident memory may grow by no more than
``RSS_BOUND_MIB`` (the allocator's own noise).  Results are checked as the loop goes.
"""

from __future__ import annotations

import _battery

RSS_BOUND_MIB = 20
ROUNDS = 250  # x 16 ops per round

_CHILD = r'''
import gc, json, resource, sys
import numpy as np
import hal

dev = hal.get_device(SELECTOR)
PAGE = resource.getpagesize()
host_x = np.linspace(-1.0, 1.0, 1000).astype(np.float32)
host_m = np.arange(64, dtype=np.float32).reshape(8, 8) / 64


def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE


def pool():
    if dev.backend != "opencl":
        return None
    from hal_opencl._state import state_of
    p = state_of(dev).pool
    return {"active_blocks": p.active_blocks, "held_blocks": p.held_blocks,
            "managed_bytes": p.managed_bytes}


def one_round(i):
    x = hal.asarray(host_x, device=dev)                       # creation from host
    y = hal.sqrt(x * x + 1.0) - x                              # elementwise
    s = float(hal.sum(y))                                      # reduction + scalar
    assert abs(s - float(np.sum(np.sqrt(host_x * host_x + 1) - host_x))) < 1e-2
    m = hal.asarray(host_m, device=dev)
    p = hal.matmul(m, m)                                       # small matmul
    assert abs(float(p[3, 4]) - float((host_m @ host_m)[3, 4])) < 1e-4
    part = y[10:500:3]                                         # basic indexing
    picked = part[hal.asarray([0, 5, 7], device=dev)]          # advanced indexing
    mask = x > 0.5
    big = x[mask]                                              # boolean indexing
    assert big.shape[0] == int(np.sum(host_x > 0.5))
    a = hal.arange(i % 7 + 10, device=dev)                     # creation
    z = hal.zeros((32,), dtype=hal.float32, device=dev) + hal.max(x)
    h = hal.to_numpy(picked)                                   # to the host
    assert h.shape == (3,) and hal.to_numpy(a)[-1] == i % 7 + 9
    assert float(z[0]) == 1.0


for i in range(ROUNDS // 5):  # warm-up: kernels, caches, pool bins
    one_round(i)
gc.collect()
hal.synchronize(dev)
rss0, pool0 = rss(), pool()
for i in range(ROUNDS):
    one_round(i)
gc.collect()
hal.synchronize(dev)
rss1, pool1 = rss(), pool()
print(json.dumps({"ops": ROUNDS * 16, "rss_growth": rss1 - rss0,
                  "pool_before": pool0, "pool_after": pool1}))
'''


def test_no_leaks_in_long_op_loops(battery_device, figures):
    code = _CHILD.replace("SELECTOR", repr(battery_device)).replace("ROUNDS", str(ROUNDS))
    report = _battery.last_json(_battery.run_python(code, timeout=300))
    before, after = report["pool_before"], report["pool_after"]
    pool_growth = 0 if before is None else (
        after["managed_bytes"] - before["managed_bytes"]
        + after["active_blocks"] - before["active_blocks"])
    rss_mib = report["rss_growth"] / 2**20
    figures.record("leaks", battery_device, ops=report["ops"], pool_growth=pool_growth,
                   rss_growth_mib=round(rss_mib, 2))
    assert pool_growth == 0, (before, after)
    if before is not None:
        assert after["active_blocks"] == before["active_blocks"]
    assert rss_mib < RSS_BOUND_MIB, f"resident memory grew by {rss_mib:.1f} MiB"
