"""Devices: interned handles, selectors, the default device, ``synchronize``.

The NumPy device is always there.  Selectors of multi-device backends (``backend:N``,
``backend:text``) are checked on a two-device test backend registered by hand
(``RestrictedPlugin`` with two devices), so they are tested on every machine.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys
import textwrap

import pytest

import hal

from _plugin_helpers import RestrictedPlugin, clean_env, registered

TWO = "twodev"
TWO_DEVICES = (("Alpha Accelerator 9000", "VendorA", "Alpha Platform", "cpu"),
               ("Beta Compute Unit", "VendorB", "Beta Platform 2.1", "cpu"))


@pytest.fixture(scope="module")
def two():
    with registered(RestrictedPlugin(TWO, TWO_DEVICES), "twodev_plugin", TWO) as plugin:
        yield plugin


@pytest.fixture
def restore_default():
    before = hal.__array_namespace_info__().default_device()
    yield before
    hal.set_default_device(before)


# -- identity ---------------------------------------------------------------------------

def test_devices_are_interned_and_compared_by_identity():
    dev = hal.get_device("numpy")
    assert hal.get_device("numpy") is dev
    assert hal.get_device("numpy:0") is dev
    assert hal.get_device(" NumPy ") is dev
    assert hal.get_device(dev) is dev
    assert [d for d in hal.devices() if d.backend == "numpy"] == [dev]
    assert hal.asarray([1.0], device="numpy").device is dev
    assert hal.asarray([1.0], device=dev).device is dev
    assert pickle.loads(pickle.dumps(dev)) is dev
    assert copy.copy(dev) is dev and copy.deepcopy(dev) is dev
    assert {dev: 1}[hal.get_device("numpy:0")] == 1


def test_devices_cannot_be_made_by_hand():
    with pytest.raises(TypeError, match="hal.get_device"):
        hal.Device()


def test_a_device_prints_as_its_selector():
    dev = hal.get_device("numpy")
    assert str(dev) == "numpy" == dev.selector
    assert repr(dev) == "Device('numpy')"
    assert (dev.backend, dev.index, dev.name) == ("numpy", 0, "CPU (NumPy)")
    assert dev.info.device_type == "cpu" and dev.info.vendor == "NumPy"
    assert hal.float64 in dev.dtypes and dev.capabilities is dev.info.capabilities
    # and the selector finds it again
    assert hal.get_device(str(dev)) is dev
    assert "device='numpy'" in repr(hal.asarray([1.0], device=dev))


def test_devices_of_a_backend_with_several_print_with_their_index(two):
    d0, d1 = hal.get_device(f"{TWO}:0"), hal.get_device(f"{TWO}:1")
    assert (str(d0), str(d1)) == ("twodev:0", "twodev:1")
    assert hal.get_device(TWO) is d0                       # the backend's first device
    assert [d for d in hal.devices() if d.backend == TWO] == [d0, d1]
    assert pickle.loads(pickle.dumps(d1)) is d1
    for d in (d0, d1):
        assert hal.get_device(str(d)) is d


# -- text selectors -------------------------------------------------------------------------

@pytest.mark.parametrize("selector", ["numpy:cpu", "numpy:CPU", "numpy:numpy",
                                      "numpy:(NumPy)"])
def test_numpy_text_selectors(selector):
    assert hal.get_device(selector) is hal.get_device("numpy")


@pytest.mark.parametrize("selector, index", [
    ("twodev:alpha", 0),                  # device name, case-insensitive
    ("twodev:BETA COMPUTE", 1),
    ("twodev:vendorb", 1),                # vendor
    ("twodev:platform 2.1", 1),           # platform
    ("twodev:Platform", 0),               # several match: the first
])
def test_text_selectors_match_vendor_platform_and_name(two, selector, index):
    assert hal.get_device(selector).index == index


# -- bad selectors ------------------------------------------------------------------------

def test_unknown_backend_lists_what_exists():
    with pytest.raises(hal.HalValueError) as info:
        hal.get_device("cuda:0")
    msg = str(info.value)
    assert isinstance(info.value, ValueError)
    assert "no backend 'cuda'" in msg and "known backends:" in msg
    assert "numpy" in msg.split("known backends:")[1]
    assert "devices:" in msg


def test_unknown_index_lists_the_backends_devices(two):
    with pytest.raises(hal.HalValueError, match=r"no device 'numpy:1': numpy has devices "
                                                r"numpy$"):
        hal.get_device("numpy:1")
    with pytest.raises(hal.HalValueError,
                       match=r"no device 'twodev:2': twodev has devices twodev:0, twodev:1"):
        hal.get_device("twodev:2")


def test_text_that_matches_nothing_lists_the_devices(two):
    with pytest.raises(hal.HalValueError) as info:
        hal.get_device("twodev:gamma")
    msg = str(info.value)
    assert "no twodev device matches 'gamma'" in msg
    assert "twodev:0 (Alpha Platform: Alpha Accelerator 9000)" in msg
    assert "twodev:1 (Beta Platform 2.1: Beta Compute Unit)" in msg


@pytest.mark.parametrize("bad", [42, None, 1.5, ["numpy"]])
def test_a_selector_must_be_a_string_or_a_device(bad):
    with pytest.raises(hal.HalValueError, match="selector string"):
        hal.get_device(bad)


@pytest.mark.parametrize("bad", [42, object(), b"numpy"])
def test_device_arguments_are_checked(bad):
    with pytest.raises(hal.HalValueError, match=r"asarray: device must be .*numpy"):
        hal.asarray([1.0], device=bad)
    with pytest.raises(hal.HalValueError, match=r"zeros: device must be"):
        hal.zeros(2, device=bad)


def test_unknown_selector_in_a_device_argument():
    with pytest.raises(hal.HalValueError, match="no backend 'nosuch'"):
        hal.zeros(2, device="nosuch")
    with pytest.raises(hal.HalValueError, match="no backend 'nosuch'"):
        hal.asarray([1.0]).to_device("nosuch")


# -- the default device -------------------------------------------------------------------

def test_set_default_device_and_nested_contexts(two, restore_default):
    info = hal.__array_namespace_info__()
    d0, d1, np_dev = (hal.get_device("twodev:0"), hal.get_device("twodev:1"),
                      hal.get_device("numpy"))
    hal.set_default_device("twodev:1")
    assert info.default_device() is d1
    assert hal.asarray([1.0]).device is d1
    assert hal.zeros(3).device is d1 and hal.zeros(3).dtype is hal.float32
    with hal.default_device("numpy") as entered:
        assert entered is np_dev
        assert hal.asarray([1.0]).device is np_dev
        assert hal.asarray([1.0]).dtype is hal.float64      # the device's defaults
        with hal.default_device(d0):
            assert info.default_device() is d0
            assert hal.zeros(2).device is d0
        assert info.default_device() is np_dev
        hal.set_default_device(d0)           # the context still wins inside the block
        assert info.default_device() is np_dev
    assert info.default_device() is d0
    # explicit device= always wins
    with hal.default_device(d1):
        assert hal.asarray([1.0], device="numpy").device is np_dev


def test_the_context_is_restored_when_the_block_raises(restore_default):
    before = hal.__array_namespace_info__().default_device()
    with pytest.raises(RuntimeError):
        with hal.default_device("numpy"):
            raise RuntimeError("boom")
    assert hal.__array_namespace_info__().default_device() is before


def test_bad_defaults_are_refused_and_change_nothing(restore_default):
    before = restore_default
    with pytest.raises(hal.HalValueError, match="no backend 'nosuch'"):
        hal.set_default_device("nosuch")
    with pytest.raises(hal.HalValueError, match="set_default_device: device must be"):
        hal.set_default_device(3)
    with pytest.raises(hal.HalValueError, match="default_device: device must be"):
        with hal.default_device(3.0):
            pass
    assert hal.__array_namespace_info__().default_device() is before


def test_set_default_device_none_picks_again(two, restore_default):
    hal.set_default_device("twodev:1")
    hal.set_default_device(None)
    # twodev's devices are CPU-class: they never win the default over NumPy
    picked = hal.__array_namespace_info__().default_device()
    assert picked.backend != TWO
    if not os.environ.get("HAL_DEVICE"):
        assert picked.info.device_type in ("gpu", "accelerator") or picked.backend == "numpy"


# -- HAL_DEVICE, in fresh interpreters ----------------------------------------------------

HAL_DEVICE_PROBE = """
    import json, sys
    import hal
    from _plugin_helpers import RestrictedPlugin
    # a two-device backend, registered before the default device is first needed
    hal.register_plugin(RestrictedPlugin("twodev", (
        ("Alpha Accelerator 9000", "VendorA", "Alpha Platform", "cpu"),
        ("Beta Compute Unit", "VendorB", "Beta Platform 2.1", "cpu"))), "twodev_plugin")
    out = {"explicit": str(hal.asarray([1.0], device="numpy").device)}
    try:
        out["default"] = str(hal.__array_namespace_info__().default_device())
        out["asarray"] = str(hal.asarray([1.0]).device)
    except hal.HalError as exc:
        out["error"] = [type(exc).__name__, str(exc)]
    print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def hal_device_runs():
    here = os.path.dirname(__file__)
    values = ["numpy:CPU", "twodev:beta", "nosuch", "numpy:7", "twodev:gamma"]
    procs = {v: subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(HAL_DEVICE_PROBE)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
        env=clean_env(HAL_DEVICE=v, PYTHONPATH=here, HAL_DISABLE_PLUGINS="opencl"))
        for v in values}
    results = {}
    for v, p in procs.items():
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, f"HAL_DEVICE={v}: {err}"
        results[v] = json.loads(out.strip().splitlines()[-1])
    return results


@pytest.mark.parametrize("value, expected", [
    ("numpy:CPU", "numpy"), ("twodev:beta", "twodev:1"),
])
def test_HAL_DEVICE_picks_the_default(hal_device_runs, value, expected):
    out = hal_device_runs[value]
    assert "error" not in out, out
    assert out["default"] == out["asarray"] == expected
    assert out["explicit"] == "numpy"


@pytest.mark.parametrize("value, fragments", [
    ("nosuch", ["no backend 'nosuch'", "known backends:", "numpy", "twodev"]),
    ("numpy:7", ["no device 'numpy:7'", "numpy has devices numpy"]),
    ("twodev:gamma", ["no twodev device matches 'gamma'", "twodev:0 (Alpha Platform"]),
])
def test_a_bad_HAL_DEVICE_is_a_clear_error_on_first_use(hal_device_runs, value, fragments):
    out = hal_device_runs[value]
    # import hal and explicit devices are unaffected; the default is what fails
    assert out["explicit"] == "numpy"
    kind, message = out["error"]
    assert kind == "HalValueError"
    assert message.startswith(f"HAL_DEVICE={value!r} names no usable device: ")
    for fragment in fragments:
        assert fragment in message, message


# -- synchronize ------------------------------------------------------------------------

def test_synchronize_waits_on_one_device_or_all(two):
    runtime = two.runtime
    runtime.synchronized_indices.clear()
    assert hal.synchronize("twodev:1") is None
    assert runtime.synchronized_indices == [1]
    hal.synchronize(hal.get_device("twodev:0"))
    assert runtime.synchronized_indices == [1, 0]
    runtime.synchronized_indices.clear()
    hal.synchronize()
    assert sorted(runtime.synchronized_indices) == [0, 1]
    assert hal.synchronize("numpy") is None
    with pytest.raises(hal.HalValueError, match="no backend 'nosuch'"):
        hal.synchronize("nosuch")
    with pytest.raises(hal.HalValueError, match="synchronize: device must be"):
        hal.synchronize(1)


# -- a device the plugin found but cannot use ------------------------------------------

class _HalfBrokenPlugin(RestrictedPlugin):
    """Two devices; the second one's 'compiler' is broken (``DeviceInfo.problem``)."""

    @hal.hookimpl
    def hal_devices(self, backend):
        infos = super().hal_devices(backend)
        if infos is None:
            return None
        broken = infos[1].model_copy(update={
            "problem": "its compiler cannot build any kernel: unknown target CPU",
            "problem_fix": "install a driver built for this CPU"})
        return [infos[0], broken]


def test_an_unusable_device_is_listed_with_its_reason_but_never_handed_out():
    plugin = _HalfBrokenPlugin("halfbroken", (
        ("Good Unit", "VendorA", "Alpha Platform", "cpu"),
        ("Bad Unit", "VendorB", "Beta Platform", "cpu")))
    with registered(plugin, "halfbroken_plugin", "halfbroken"):
        found = [d for d in hal.devices() if d.backend == "halfbroken"]
        # the usable one keeps its index-based selector: indices stay stable
        assert [str(d) for d in found] == ["halfbroken:0"]
        assert str(hal.get_device("halfbroken:alpha")) == "halfbroken:0"
        for selector in ("halfbroken:1", "halfbroken:beta", "halfbroken:bad"):
            with pytest.raises(hal.HalDeviceError) as info:
                hal.get_device(selector)
            message = str(info.value)
            assert "cannot be used" in message and "unknown target CPU" in message
            assert "install a driver built for this CPU" in message
        listed = [u for u in hal.unavailable_plugins() if u.name == "halfbroken:1"]
        assert len(listed) == 1 and listed[0].kind == "device"
        assert "Bad Unit" in listed[0].reason and listed[0].fix
