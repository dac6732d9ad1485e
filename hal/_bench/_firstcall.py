"""First-call cost: what the first op of each kind costs in a fresh process, with a
cold and with a warm disk cache, apart from the steady state.

A first call builds (or loads) the device's kernels; hal keeps built binaries in its
disk cache (``HAL_CACHE_DIR``).  Each measurement runs in a fresh interpreter, so no
in-memory cache of this process can help it: *cold* with an empty ``HAL_CACHE_DIR``,
then *warm* with the directory the cold run filled.  The child is this module:
``python -m hal._bench._firstcall SELECTOR`` prints one JSON line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

__all__ = ["FIRST_OPS", "measure", "child"]

#: (label, statement): run in order in the child, each timed on its first call and
#: then steady; ``selector`` names the hal device, ``h`` and ``hm`` are host arrays
FIRST_OPS = (
    ("get_device (discovery)", "device = xp.get_device(selector)"),
    ("asarray (device start-up)",
     "a = xp.asarray(h, device=device); m = xp.asarray(hm, device=device)"),
    ("a + a", "r = a + a"),
    ("sum(a)", "r = xp.sum(a)"),
    ("a @ b  (64 × 64)", "r = m @ m"),
)

#: caches of vendor drivers that would make a "cold" start warm; switched off (or
#: pointed into the fresh directory) in both children, so that "warm" measures
#: hal's own disk cache only
_DRIVER_CACHES = {"POCL_KERNEL_CACHE": "0", "CUDA_CACHE_DISABLE": "1"}
_DRIVER_CACHE_DIRS = ("CUPY_CACHE_DIR",)

_STEADY_REPEATS = 5


def child(selector: str) -> dict:
    """Time FIRST_OPS on ``selector`` in this (fresh) process."""
    import numpy as np

    import hal

    ns = {"xp": hal, "selector": selector,
          "h": np.linspace(0.5, 1.5, 1024, dtype=np.float32),
          "hm": np.linspace(-1.0, 1.0, 64 * 64, dtype=np.float32).reshape(64, 64)}
    rows = []
    with hal.fallback_policy("error"):
        for label, stmt in FIRST_OPS:
            code = compile(stmt, label, "exec")
            start = time.perf_counter()
            exec(code, ns)
            hal.synchronize(ns["device"])
            first = time.perf_counter() - start
            steady = []
            for _ in range(_STEADY_REPEATS):
                start = time.perf_counter()
                exec(code, ns)
                hal.synchronize(ns["device"])
                steady.append(time.perf_counter() - start)
            rows.append({"op": label, "first_s": first, "steady_s": min(steady)})
    return {"device": selector, "ops": rows}


def _run_child(selector: str, cache_dir: str, timeout: float) -> dict:
    env = dict(os.environ)
    env["HAL_CACHE_DIR"] = cache_dir
    env.update(_DRIVER_CACHES)
    for name in _DRIVER_CACHE_DIRS:
        env[name] = os.path.join(cache_dir, name.lower())
    proc = subprocess.run([sys.executable, "-m", "hal._bench._firstcall", selector],
                          capture_output=True, text=True, env=env, timeout=timeout)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        raise RuntimeError(lines[-1] if lines else f"exit status {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(selector: str, timeout: float = 300.0, tick=None) -> list[dict]:
    """Cold then warm first calls of FIRST_OPS on ``selector``; one dict per op with
    ``cold_s``, ``warm_s`` and ``steady_s`` (the fastest later call, warm run).

    Raises ``RuntimeError`` with the child's last error line when it fails."""
    from .. import _env
    no_cache = _env.flag(_env.HAL_NO_CACHE)
    with tempfile.TemporaryDirectory(prefix="hal-bench-cache-") as cache_dir:
        cold = _run_child(selector, cache_dir, timeout)
        if tick is not None:
            tick()
        warm = _run_child(selector, cache_dir, timeout)
        if tick is not None:
            tick()
    rows = []
    for c, w in zip(cold["ops"], warm["ops"]):
        rows.append({"op": c["op"], "cold_s": c["first_s"], "warm_s": w["first_s"],
                     "steady_s": w["steady_s"],
                     "note": "HAL_NO_CACHE=1: no disk cache" if no_cache else ""})
    return rows


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1])))
