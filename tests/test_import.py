"""``import hal`` imports no vendor library and no control-plane machinery.

In a fresh interpreter (this test process has long imported everything):
``import hal`` must not import pyopencl, cupy, dpnp or dpctl, nor pluggy, pydantic or
importlib.metadata, nor any plugin; plugins are found on the first device use, and
even then a vendor library is imported only when a device of *its* backend is asked
for.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from _plugin_helpers import clean_env

VENDOR = ("pyopencl", "cupy", "dpnp", "dpctl", "cuda", "torch", "jax")
CONTROL_PLANE = ("pluggy", "pydantic", "importlib.metadata")
PLUGINS = ("hal_numpy", "hal_opencl")
CLI_ONLY = ("rich", "platformdirs")

CODE = """
    import json, sys
    WATCH = %r

    def loaded():
        return sorted(m for m in WATCH if m in sys.modules)

    out = {"before": loaded()}
    import hal
    import hal.linalg, hal.fft
    from hal import _plugins
    out["import hal"] = loaded()
    out["host loaded at import"] = _plugins.host.loaded
    # the dtype machinery and the namespace need no plugin
    hal.result_type(hal.float32, hal.int8), hal.finfo(hal.float32), hal.isdtype
    out["dtypes"] = loaded()
    out["host loaded after dtypes"] = _plugins.host.loaded
    dev = hal.get_device("numpy")
    out["get_device"] = loaded()
    out["host loaded after get_device"] = _plugins.host.loaded
    x = hal.asarray([1.0, 2.0], device=dev)
    out["result"] = hal.to_numpy(hal.exp(x) * 0 + x).tolist()
    out["numpy ops"] = loaded()
    print(json.dumps(out))
"""


def start(**env) -> subprocess.Popen:
    watch = VENDOR + CONTROL_PLANE + PLUGINS + CLI_ONLY
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(CODE % (watch,))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=clean_env(**env))


@pytest.fixture(scope="module")
def runs():
    procs = {"speedups": start(), "pure python": start(HAL_NO_SPEEDUPS="1")}
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"{name}: {err}"
        results[name] = json.loads(out.strip().splitlines()[-1])
    return results


@pytest.fixture(params=["speedups", "pure python"])
def run(request, runs):
    return runs[request.param]


def test_the_interpreter_starts_clean(run):
    assert run["before"] == []


def test_import_hal_imports_no_vendor_library(run):
    assert not set(run["import hal"]) & set(VENDOR)


def test_import_hal_imports_no_control_plane_machinery(run):
    assert not set(run["import hal"]) & set(CONTROL_PLANE)
    assert not set(run["import hal"]) & set(CLI_ONLY)
    assert not set(run["dtypes"]) & set(CONTROL_PLANE)


def test_plugins_load_on_first_device_use_not_at_import(run):
    assert run["host loaded at import"] is False
    assert run["host loaded after dtypes"] is False
    assert not set(run["import hal"]) & set(PLUGINS)
    assert run["host loaded after get_device"] is True
    assert {"pluggy", "pydantic", "hal_numpy"} <= set(run["get_device"])


def test_asking_for_one_backend_imports_no_other_backends_vendor_library(run):
    # the OpenCL plugin (if installed) is discovered, but pyopencl is imported only
    # when an OpenCL device is asked for
    assert not set(run["get_device"]) & set(VENDOR)
    assert not set(run["numpy ops"]) & set(VENDOR)
    assert run["result"] == [1.0, 2.0]
