"""The oneAPI plugin (``plugins/hal_oneapi``): availability, devices, data, DLPack.

The differential suite runs on a oneAPI device with ``HAL_TEST_BACKEND=oneapi:0``;
this module checks what is particular to the plugin, whatever the device under test:

* without dpnp, or without a SYCL device, the backend is unavailable with the reason
  and the fix, and hal keeps working (fresh interpreters, so the real plugin is
  loaded exactly as a user's ``import hal`` loads it);
* devices carry their SYCL filter strings and capabilities from SYCL aspects;
* arrays are dpnp arrays on the device's queue; DLPack exchange is zero-copy with
  other SYCL libraries; ``hal.synchronize`` waits on the queue.

Tests that need dpnp and a SYCL device skip with the reason when there is none.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import hal

from _plugin_helpers import clean_env, last_json, run_python

HAS_DPNP = importlib.util.find_spec("dpnp") is not None


def _plugin_installed() -> bool:
    import importlib.metadata
    return any(ep.name == "oneapi"
               for ep in importlib.metadata.entry_points(group="hal.plugins"))


pytestmark = pytest.mark.skipif(
    not _plugin_installed(),
    reason="hal is installed without its oneapi entry point: pip install -e .")


def _oneapi_device():
    if not HAS_DPNP:
        pytest.skip("dpnp is not installed (pip install -e \".[oneapi,intel]\")")
    try:
        return hal.get_device("oneapi")
    except (hal.HalValueError, hal.HalDeviceError) as exc:
        pytest.skip(f"no oneAPI device: {exc}")


# -- unavailable, and hal keeps working --------------------------------------------------

_STATUS = """
    import json, sys
    {prelude}
    import hal
    x = hal.asarray([1.0, 2.0], device="numpy")
    entry = [u for u in hal.unavailable_plugins() if u.name == "oneapi"]
    try:
        hal.get_device("oneapi")
        error = ""
    except hal.HalError as exc:
        error = str(exc)
    print(json.dumps({{"numpy": hal.to_numpy(x + x).tolist(),
                      "backends": sorted(d.backend for d in hal.devices()),
                      "reason": entry[0].reason if entry else None,
                      "fix": entry[0].fix if entry else None, "error": error,
                      "dpnp imported": "dpnp" in sys.modules}}))
"""


def _status(prelude: str = "", **env) -> dict:
    code = _STATUS.format(prelude=prelude)
    return last_json(run_python(code, env=clean_env(**env)))


def test_without_dpnp_the_backend_is_unavailable_and_hal_works():
    # sys.modules[name] = None is how Python spells "this module cannot be imported"
    run = _status('sys.modules["dpnp"] = None; sys.modules["dpctl"] = None')
    assert run["numpy"] == [2.0, 4.0]
    assert "oneapi" not in run["backends"] and "numpy" in run["backends"]
    assert "not installed" in run["reason"], run
    assert ".[oneapi" in run["fix"], run
    assert "oneapi" in run["error"] and "unavailable" in run["error"], run


def test_a_device_selector_that_selects_nothing_makes_the_backend_unavailable():
    if not HAS_DPNP:
        pytest.skip("dpnp is not installed (pip install -e \".[oneapi,intel]\")")
    run = _status(ONEAPI_DEVICE_SELECTOR="level_zero:gpu")
    assert run["numpy"] == [2.0, 4.0]
    assert "oneapi" not in run["backends"]
    assert "ONEAPI_DEVICE_SELECTOR='level_zero:gpu' selects no device" in run["reason"], run
    assert "ONEAPI_DEVICE_SELECTOR" in run["fix"], run


def test_without_an_opencl_runtime_the_backend_says_so(tmp_path):
    """An empty ICD directory: the SYCL runtime sees no OpenCL platform at all."""
    if not HAS_DPNP:
        pytest.skip("dpnp is not installed (pip install -e \".[oneapi,intel]\")")
    run = _status(OCL_ICD_VENDORS=str(tmp_path), ONEAPI_DEVICE_SELECTOR="opencl:*")
    assert run["numpy"] == [2.0, 4.0]
    assert "oneapi" not in run["backends"]
    assert "found no SYCL device" in run["reason"], run


def test_the_oneapi_device_is_found_without_any_environment_set_up():
    """No OCL_ICD_VENDORS, no LD_LIBRARY_PATH: hal registers Intel's runtime itself,
    and looking at the NumPy device never imports dpnp."""
    if not HAS_DPNP:
        pytest.skip("dpnp is not installed (pip install -e \".[oneapi,intel]\")")
    env = {k: v for k, v in clean_env().items()
           if k not in ("OCL_ICD_VENDORS", "LD_LIBRARY_PATH", "ONEAPI_DEVICE_SELECTOR")}
    run = last_json(run_python("""
        import json, sys
        import hal
        hal.get_device("numpy")
        before = "dpnp" in sys.modules or "dpctl" in sys.modules
        try:
            dev = hal.get_device("oneapi")
            found = [str(dev), dev.info.platform]
        except hal.HalError as exc:
            found = [None, str(exc)]
        print(json.dumps({"before": before, "found": found}))
    """, env=env))
    assert run["before"] is False
    if run["found"][0] is None:
        pytest.skip(f"no SYCL device on this machine: {run['found'][1]}")
    assert run["found"][0] == "oneapi"


# -- devices and capabilities ----------------------------------------------------------------

def test_devices_carry_their_sycl_filter_string_and_aspects():
    dev = _oneapi_device()
    from hal_oneapi._devices import sycl_devices
    sycl = sycl_devices()[dev.index]
    assert f"[{sycl.filter_string}]" in dev.info.platform
    assert hal.get_device(f"oneapi:{sycl.filter_string}") is dev
    caps = dev.info.capabilities
    assert (hal.float64 in dev.dtypes) == sycl.has_aspect_fp64 == ("fp64" in caps.features)
    assert (hal.float16 in dev.dtypes) == sycl.has_aspect_fp16 == ("fp16" in caps.features)
    assert ("atomics64" in caps.features) == sycl.has_aspect_atomic64
    assert dev.info.compute_units == sycl.max_compute_units
    assert dev.info.memory_bytes == sycl.global_mem_size
    assert ("raw_kernels" in caps.features) == (sycl.backend.name == "opencl")


def test_a_cpu_seen_through_sycl_is_never_the_default_device():
    dev = _oneapi_device()
    if dev.info.device_type != "cpu":
        pytest.skip(f"{dev} is a {dev.info.device_type}")
    run = last_json(run_python("""
        import json, hal
        print(json.dumps(str(hal.__array_namespace_info__().default_device())))
    """))
    assert run == "numpy"


# -- arrays, queues, synchronisation -------------------------------------------------------

def test_arrays_are_dpnp_arrays_on_the_devices_queue():
    dev = _oneapi_device()
    import dpnp
    from hal_oneapi._queues import queue
    x = hal.arange(6, dtype=hal.float32, device=dev)
    y = hal.reshape(x * 2.0, (2, 3))
    for a in (x, y, hal.sum(y, axis=0), hal.asarray([1, 2], device=dev)):
        assert isinstance(a._native, dpnp.ndarray)
        assert a._native.sycl_queue == queue(dev.index)
    np.testing.assert_array_equal(hal.to_numpy(y), np.arange(6).reshape(2, 3) * 2.0)


def test_synchronize_waits_for_work_submitted_to_the_queue():
    dev = _oneapi_device()
    if "raw_kernels" not in dev.info.capabilities.features:
        pytest.skip(f"{dev} builds no portable kernels")
    import ctypes

    import dpctl
    from hal_oneapi._portable_ops import _program
    from hal_oneapi._queues import queue
    from hal._optable import OPS
    program = _program(dev, OPS["cosh"], hal.float32, "UNARY")
    n = 1 << 22
    a = hal.ones(n, dtype=hal.float32, device=dev)
    out = hal.zeros(n, dtype=hal.float32, device=dev)
    hal.synchronize(dev)  # the fills above are dpnp's work: done before ours starts
    args = [out._native.get_array().usm_data, a._native.get_array().usm_data,
            ctypes.c_int64(0), ctypes.c_int64(n)]
    event = queue(dev.index).submit_async(program.kernel("unary_cosh"), args, [n])
    hal.synchronize(dev)
    assert event.execution_status == dpctl.event_status_type.complete
    np.testing.assert_allclose(hal.to_numpy(out)[:4], np.cosh(np.float32(1)), rtol=1e-6)


# -- DLPack ------------------------------------------------------------------------------------

def test_dlpack_shares_memory_with_dpnp():
    dev = _oneapi_device()
    import dpnp
    x = hal.asarray([1.0, 2.0, 3.0], dtype=hal.float32, device=dev)
    assert x.__dlpack_device__() == (14, dev.index)  # kDLOneAPI
    view = dpnp.from_dlpack(x)
    x[0] = 10.0                       # a write through hal ...
    assert float(view[0]) == 10.0     # ... is seen through dpnp: one allocation


def test_from_dlpack_imports_a_dpnp_array_onto_the_devices_queue():
    dev = _oneapi_device()
    import dpctl
    import dpnp
    from hal_oneapi._queues import queue
    other_queue = dpctl.SyclQueue(queue(dev.index).sycl_device)
    theirs = dpnp.arange(4, dtype="int32", sycl_queue=other_queue)
    x = hal.from_dlpack(theirs, device=dev)
    assert x.device is dev and x.dtype is hal.int32
    assert x._native.sycl_queue == queue(dev.index)   # re-homed: hal ops accept it
    np.testing.assert_array_equal(hal.to_numpy(x + 1), [1, 2, 3, 4])
    # NumPy data comes in through the host
    y = hal.from_dlpack(np.array([1.5, 2.5]), device=dev)
    np.testing.assert_array_equal(hal.to_numpy(y), [1.5, 2.5])


def test_numpy_takes_a_host_copy_through_dlpack():
    dev = _oneapi_device()
    x = hal.asarray([[1, 2], [3, 4]], dtype=hal.int64, device=dev)
    # NumPy asks for dl_device=(kDLCPU, 0) with copy=True: dpnp copies to the host
    host = np.from_dlpack(x, device="cpu", copy=True)
    np.testing.assert_array_equal(host, [[1, 2], [3, 4]])
