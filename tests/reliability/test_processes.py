"""Processes: fork after a device was used gives a clear hal error, spawn works.

An OpenCL context or SYCL queue does not survive ``fork()`` (dpctl hangs in the child,
OpenCL leaves it undefined).  On every device here, in a fresh interpreter with a
watchdog:

* fork *before* the device was used (only enumerated): the child computes correctly;
* fork after the parent computed on the device, through ``multiprocessing``'s
  ``fork`` context and through ``os.fork``: NumPy's device keeps working in the child;
  any other device raises ``HalRuntimeError`` naming the device and the 'spawn' /
  'forkserver' start methods, on the first op and on creating an array, never hangs;
  the parent keeps computing;
* ``spawn``: a child that imports hal and uses the device computes correctly.
"""

from __future__ import annotations

import json

from _battery import last_json, run_python

SCRIPT = r'''
import json, multiprocessing as mp, os, sys
import hal

DEV = sys.argv[1]


def compute():
    x = hal.asarray([1.0, 2.0, 3.0], device=DEV)
    return hal.to_numpy(x * 2 + 1).tolist()


def attempt(_=None):
    """What a child sees: the result, or the hal error (type and message)."""
    try:
        return {"result": compute()}
    except hal.HalError as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    except Exception as exc:
        return {"vendor": f"{type(exc).__module__}.{type(exc).__name__}: {exc}"}


def make_array(_=None):
    try:
        hal.asarray([1.0], device=DEV)
        return {"result": "made"}
    except hal.HalError as exc:
        return {"error": type(exc).__name__, "message": str(exc)}


def in_fork(fn):
    with mp.get_context("fork").Pool(1) as pool:
        return pool.apply_async(fn).get(timeout=60)


def in_os_fork(fn):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.write(w, json.dumps(fn()).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        out = json.loads(fh.read())
    os.waitpid(pid, 0)
    return out


if __name__ == "__main__":
    hal.devices()                       # enumerated, not used
    out = {"before": in_fork(attempt)}
    out["parent"] = compute()           # the device is initialised from here on
    out["fork"] = in_fork(attempt)
    out["fork_create"] = in_fork(make_array)
    out["os_fork"] = in_os_fork(attempt)
    out["parent_after"] = compute()
    with mp.get_context("spawn").Pool(1) as pool:
        out["spawn"] = pool.apply_async(attempt).get(timeout=120)
    print(json.dumps(out))
'''

WANT = [3.0, 5.0, 7.0]


def test_fork_gives_a_clear_error_and_spawn_works(battery_device, figures, tmp_path):
    script = tmp_path / "processes.py"
    script.write_text(SCRIPT)
    proc = run_python(f"import runpy, sys; sys.argv = [{str(script)!r}, "
                      f"{battery_device!r}]; runpy.run_path(sys.argv[0], run_name='__main__')",
                      timeout=240)
    out = last_json(proc)
    assert out["before"] == {"result": WANT}, out["before"]
    assert out["parent"] == WANT and out["parent_after"] == WANT
    forked = [out["fork"], out["fork_create"], out["os_fork"]]
    if battery_device == "numpy":
        assert out["fork"] == out["os_fork"] == {"result": WANT}, forked
        assert out["fork_create"] == {"result": "made"}
        clear = None
    else:
        for child in forked:
            assert child.get("error") == "HalRuntimeError", json.dumps(child)
            assert "was forked after" in child["message"]
            assert "'spawn' or 'forkserver'" in child["message"]
        clear = True
    assert out["spawn"] == {"result": WANT}, out["spawn"]
    figures.record("processes", battery_device,
                   fork_before_use_ok=True, fork_clear_error=clear if clear else "n/a (works)",
                   spawn_ok=True)
