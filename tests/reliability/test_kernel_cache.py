"""Kernel disk cache under faults, and compile failures, on every device here.

* Cold cache, many processes at once: 8 fresh interpreters run the same ops on an
  empty ``HAL_CACHE_DIR`` together; every result is right and every entry verifies.
* Writers killed mid-write: processes that build kernels and store large entries
  in a loop are SIGKILLed at random moments; afterwards every entry verifies, nothing
  but entries and writers' temp files is left (no lock files), and a fresh process
  loads (does not rebuild) what the first phase stored.
* Damaged entries: the real entries are truncated, bit-flipped, emptied, given a
  wrong checksum or another key's entry ...; a fresh process rebuilds exactly those
  (``corrupt_loads``: damaged entries it loaded, must be 0) and computes right.
* Compile failures: a bad ``-D``, an unknown option and a source error each raise
  ``hal.KernelBuildError`` with the kernel, the device and the compiler's log; nothing
  is cached; the next build works.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from _battery import last_json, run_python

from hal import _diskcache

PROCESSES = 8
KILL_ROUNDS = 6
WRITERS_PER_ROUND = 3

# the ops each process runs, and the answers (computed by NumPy in the parent)
WORKLOAD = """
import json, hal
from hal_opencl._state import state_of
x = hal.asarray([1.0, 2.0, 3.0, 4.0], dtype=hal.float32, device={sel!r})
i = hal.asarray([3, -1, 4, -1], dtype=hal.int32, device={sel!r})
results = [hal.to_numpy(v).tolist() for v in
           (x + x, x * x, -x, hal.sqrt(x), i * i, hal.abs(i), hal.sum(i))]
print(json.dumps({{"stats": state_of(x.device).stats, "results": results}}))
"""
EXPECTED = [[2.0, 4.0, 6.0, 8.0], [1.0, 4.0, 9.0, 16.0], [-1.0, -2.0, -3.0, -4.0],
            [1.0, 2.0 ** 0.5, 3.0 ** 0.5, 2.0], [9, 1, 16, 1], [3, 1, 4, 1], 5]

# a writer that never stops: real OpenCL builds and large raw entries, shared keys
WRITER = """
import os, sys, hal
from hal import _diskcache
from hal_opencl._state import state_of
state = state_of(hal.get_device({sel!r}))
print("ready", flush=True)
i = 0
while True:
    state.build_source("__kernel void k(__global int *x) {{ x[0] = V; }}\\n"
                       "/* writer %d */\\n" % (i % 16), ["-DV=%d" % i], "writer kernel")
    _diskcache.store("kill-test", _diskcache.key("big", str(i % 4)), os.urandom(1 << 21))
    i += 1
"""


def _skip_unless_opencl(selector: str) -> None:
    if selector == "numpy":
        pytest.skip("numpy compiles no kernels: it has no kernel cache")
    if not selector.startswith("opencl"):
        pytest.skip(f"{selector} keeps no kernel binaries in hal's disk cache: its "
                    f"programs are built by dpctl, dpnp's kernels by SYCL's own JIT cache "
                    f"(which hal places only in a private directory it trusts)")


def _entries(root: str) -> list[tuple[str, str, str]]:
    """(namespace, digest, path) of every entry file under ``root``."""
    found = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith(".bin"):
                prefix = os.path.basename(dirpath)
                namespace = os.path.basename(os.path.dirname(dirpath))
                found.append((namespace, prefix + name[:-4], os.path.join(dirpath, name)))
    return found


def _unsound(root: str) -> list[str]:
    bad = []
    for namespace, digest, path in _entries(root):
        with open(path, "rb") as f:
            payload, why = _diskcache.decode(namespace, digest, f.read())
        if payload is None:
            bad.append(f"{path}: {why}")
    return bad


def _others(root: str) -> list[str]:
    """Files that are neither entries nor writers' temp files (a lock would be one)."""
    return [os.path.join(d, n) for d, _s, files in os.walk(root) for n in files
            if not n.endswith(".bin") and not n.startswith(_diskcache._TMP)
            and not n.endswith(".icd")]


def _run_workload(selector: str, env: dict) -> dict:
    out = last_json(run_python(WORKLOAD.format(sel=selector), env=env, timeout=240))
    _check(out["results"])
    return out["stats"]


def _check(got: list) -> None:
    assert len(got) == len(EXPECTED)
    for g, e in zip(got, EXPECTED):
        assert g == pytest.approx(e, rel=1e-6), (got, EXPECTED)


def test_kernel_cache_under_faults(battery_device, tmp_path, figures):
    _skip_unless_opencl(battery_device)
    root = str(tmp_path / "cache")
    env = {"HAL_CACHE_DIR": root, "HAL_NO_CACHE": ""}

    # 1. cold cache, PROCESSES at once
    procs = [subprocess.Popen([sys.executable, "-c", WORKLOAD.format(sel=battery_device)],
                              env={**os.environ, **env}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for _ in range(PROCESSES)]
    built_cold = 0
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-3000:]
        data = json.loads(out.strip().splitlines()[-1])
        _check(data["results"])
        built_cold += data["stats"]["built"]
    assert _unsound(root) == [] and _others(root) == []
    first = sorted(e for e in _entries(root) if e[0] == "opencl")  # the workload's
    stored = len(first)

    # 2. writers killed mid-write at random moments
    rng = random.Random(11)
    kills = 0
    for _ in range(KILL_ROUNDS):
        writers = [subprocess.Popen([sys.executable, "-c", WRITER.format(sel=battery_device)],
                                    env={**os.environ, **env}, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
                   for _ in range(WRITERS_PER_ROUND)]
        for w in writers:
            assert w.stdout.readline().strip() == "ready", w.stderr.read()[-3000:]
        time.sleep(rng.uniform(0.05, 0.8))
        for w in writers:
            os.kill(w.pid, signal.SIGKILL)
        for w in writers:
            w.communicate(timeout=60)
            assert w.returncode == -signal.SIGKILL
            kills += 1
    torn = [os.path.join(d, n) for d, _s, files in os.walk(root) for n in files
            if n.startswith(_diskcache._TMP)]
    unsound = _unsound(root)
    assert unsound == [], unsound
    stale = _others(root)
    assert stale == []  # no lock files, nothing else half-made

    # 3. a fresh process loads (does not rebuild) what phase 1 stored
    warm = _run_workload(battery_device, env)
    assert warm["built"] == 0 and warm["loaded"] == stored, warm
    check = run_python(f"""
        from hal import _diskcache
        import json
        entries = {[(n, d) for n, d, _p in _entries(root)]!r}
        print(json.dumps(sum(_diskcache.load(n, d) is None for n, d in entries)))
        """, env=env, timeout=120)
    assert last_json(check) == 0  # every entry loads in a fresh process

    # 4. damaged entries are rebuilt, never loaded
    faults = ["truncated", "bit-flipped", "empty", "wrong checksum", "other key",
              "old version", "padded"]
    writers_entry = next(e[2] for e in _entries(root) if e[0] == "opencl" and e not in first)
    damaged = 0
    for k, (_ns, _digest, path) in enumerate(first[: len(faults)]):
        with open(path, "rb") as f:
            blob = f.read()
        kind = faults[k]
        head = len(_diskcache._MAGIC) + _diskcache._HEADER.size
        if kind == "truncated":
            blob = blob[: len(blob) * 2 // 3]
        elif kind == "bit-flipped":
            at = rng.randrange(head, len(blob))
            blob = blob[:at] + bytes([blob[at] ^ (1 << rng.randrange(8))]) + blob[at + 1:]
        elif kind == "empty":
            blob = b""
        elif kind == "wrong checksum":
            blob = blob[: head - 32] + bytes(32) + blob[head:]
        elif kind == "other key":  # a sound entry of another kernel in this one's place
            with open(writers_entry, "rb") as f:
                blob = f.read()
        elif kind == "old version":
            blob = blob[:6] + (1).to_bytes(2, "little") + blob[8:]
        else:
            blob = blob + b"\0" * 8
        with open(path, "wb") as f:
            f.write(blob)
        damaged += 1
    after = _run_workload(battery_device, env)
    corrupt_loads = max(0, damaged - after["built"])
    assert after["built"] == damaged and after["loaded"] == stored - damaged, after
    assert _unsound(root) == []  # the rebuilt entries were rewritten sound
    figures.record("kernel cache", battery_device, processes=PROCESSES,
                   cold_builds=built_cold, writers_killed=kills,
                   killed_mid_write=len(torn), fault_cases=damaged,
                   corrupt_loads=corrupt_loads, unsound_entries=len(unsound),
                   stale_locks=len(stale), warm_loaded=warm["loaded"], warm_built=warm["built"])


FAILURES = """
import json, hal
sel = {sel!r}
device = hal.get_device(sel)
good = "__kernel void hal_k(__global int *x) {{ x[0] = VALUE; }}\\n"
cases = [("bad -D", good, ["-DVALUE=no_such_name"], "no_such_name"),
         ("unknown option", good, ["-DVALUE=1", "-cl-no-such-option"], "no-such-option"),
         ("source error", good + "__kernel void broken( {{", ["-DVALUE=1"], "error")]
if device.backend == "opencl":
    from hal_opencl._state import state_of
    state = state_of(device)
    def build(source, options):
        return state.build_source(source, options, "battery kernel hal_k")
    def cached():
        return len(state._programs) + state.stats["built"] + state.stats["loaded"]
else:
    from hal_oneapi import _programs
    def build(source, options):
        return _programs.build(device.index, "battery kernel hal_k", source, options)
    def cached():
        return 0  # dpctl keeps no hal-side program cache
rows = []
for what, source, options, expect in cases:
    before = cached()
    try:
        build(source, options)
        rows.append([what, "built", ""])
        continue
    except hal.KernelBuildError as exc:
        text = str(exc)
        ok = ("battery kernel hal_k" in text and str(device) in text
              and expect in exc.log)
        rows.append([what, "hal error" if ok else "unclear error", text[:300]])
    except Exception as exc:
        rows.append([what, "vendor error " + type(exc).__name__, str(exc)[:300]])
    rows.append([what + ": cached", cached() - before, ""])
    build(good, ["-DVALUE=%d" % len(rows)])
    rows.append([what + ": next build", "ok", ""])
print(json.dumps(rows))
"""


def test_compile_failures(battery_device, tmp_path, figures):
    if battery_device == "numpy":
        pytest.skip("numpy compiles no kernels: no compile failure can happen there")
    root = str(tmp_path / "cache")
    rows = last_json(run_python(FAILURES.format(sel=battery_device),
                                env={"HAL_CACHE_DIR": root}, timeout=240))
    errors = [r for r in rows if not r[0].endswith(("cached", "next build"))]
    assert all(r[1] == "hal error" for r in errors), rows
    assert all(r[1] == 0 for r in rows if r[0].endswith("cached")), rows
    assert all(r[1] == "ok" for r in rows if r[0].endswith("next build")), rows
    # the only entries on disk are those of successful builds
    opencl_entries = [e for e in _entries(root) if e[0] == "opencl"]
    assert len(opencl_entries) == (len(errors) if battery_device.startswith("opencl")
                                   else 0)
    figures.record("compile failures", battery_device, cases=len(errors),
                   hal_errors=sum(r[1] == "hal error" for r in errors),
                   cached_after_failure=0, next_build_ok=len(errors))


@pytest.mark.parametrize("target", ["cuda", "hip"])
def test_offline_toolchain_missing_or_crashing(target, tmp_path, monkeypatch, figures):
    from hal import _kernelcheck, _toolchains
    import hal

    monkeypatch.setenv("HAL_CACHE_DIR", str(tmp_path / "cache"))
    _diskcache._forget()
    if target == "hip":
        monkeypatch.setenv("HIPCC", str(tmp_path / "hipcc-not-installed"))
    try:
        _toolchains.compiler_identity(target)
    except _toolchains.ToolchainMissing as exc:
        assert isinstance(exc, hal.KernelBuildError) and "install" in str(exc)
        with pytest.raises(_toolchains.ToolchainMissing):
            _kernelcheck.check_offline(target, files=["fill.c"])
        assert _entries(str(tmp_path / "cache")) == []
        figures.record("compile failures", f"offline:{target}", missing_toolchain=1,
                       hal_errors=1, install_hint=1)
    else:
        pytest.skip(f"the {target} toolchain is installed: it is not missing "
                    f"(tests/test_cupy_kernels.py compiles with it)")
    finally:
        _diskcache._forget()
