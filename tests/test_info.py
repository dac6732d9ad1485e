"""``__array_namespace_info__`` answered from each device's capabilities.

Checked against array-api-strict's answers: hal's NumPy device against strict's
default CPU device, and two restricted test devices against strict's fake devices
with the same capability profiles (``no_float64``: no float64/complex128; ``no_x64``:
no 64-bit types at all).
"""

from __future__ import annotations

import array_api_strict as strict
import pytest

import hal

from _plugin_helpers import RESTRICTED_DTYPES, RestrictedPlugin, registered

strict.set_array_api_strict_flags(api_version="2024.12")
SINFO = strict.__array_namespace_info__()
INFO = hal.__array_namespace_info__()

KINDS = ["bool", "signed integer", "unsigned integer", "integral", "real floating",
         "complex floating", "numeric", ("bool", "signed integer"),
         ("real floating", "complex floating"), ("unsigned integer", "bool", "numeric")]

NO_X64_DTYPES = tuple(d for d in RESTRICTED_DTYPES if d not in ("int64", "uint64"))


@pytest.fixture(scope="module")
def profiles():
    """hal device selector -> the strict device with the same capabilities."""
    with registered(RestrictedPlugin("info_no_float64"), "info_no_float64_plugin",
                    "info_no_float64"), \
         registered(RestrictedPlugin("info_no_x64", dtypes=NO_X64_DTYPES),
                    "info_no_x64_plugin", "info_no_x64"):
        yield {"numpy": SINFO.default_device(),
               "info_no_float64": _strict_device("no_float64"),
               "info_no_x64": _strict_device("no_x64")}


def _strict_device(name):
    (dev,) = [d for d in SINFO.devices() if repr(d) == f"array_api_strict.Device({name!r})"]
    return dev


def names(d: dict) -> dict:
    """A {name: dtype} answer with the dtypes replaced by their names (comparable)."""
    return {k: v.name if hasattr(v, "name") else str(v) for k, v in d.items()}


def strict_names(d: dict) -> dict:
    return {k: str(v).removeprefix("array_api_strict.") for k, v in d.items()}


SELECTORS = ["numpy", "info_no_float64", "info_no_x64"]


@pytest.mark.parametrize("selector", SELECTORS)
def test_dtypes_match_array_api_strict(profiles, selector):
    dev = hal.get_device(selector)
    sdev = profiles[selector]
    assert set(INFO.dtypes(device=dev)) == set(SINFO.dtypes(device=sdev))
    for kind in KINDS:
        ours = INFO.dtypes(device=dev, kind=kind)
        assert set(ours) == set(SINFO.dtypes(device=sdev, kind=kind)), kind
        # the values are hal's own dtype objects, under their names
        assert all(ours[name] is getattr(hal, name) for name in ours)


@pytest.mark.parametrize("selector", SELECTORS)
def test_default_dtypes_match_array_api_strict(profiles, selector):
    dev = hal.get_device(selector)
    ours = INFO.default_dtypes(device=dev)
    theirs = SINFO.default_dtypes(device=profiles[selector])
    assert set(ours) == set(theirs) == {"real floating", "complex floating", "integral",
                                        "indexing"}
    assert names(ours) == strict_names(theirs)
    # the selector string works as well as the Device
    assert INFO.default_dtypes(device=selector) == ours
    # and creation functions use them (arange runs on the host on the test devices)
    with hal.fallback_policy("allow"):
        assert hal.zeros(1, device=dev).dtype is ours["real floating"]
        assert hal.asarray([1], device=dev).dtype is ours["integral"]
        assert hal.asarray([1j], device=dev).dtype is ours["complex floating"]
        assert hal.arange(3, device=dev).dtype is ours["indexing"]


def test_capabilities_match_array_api_strict():
    with hal.default_device("numpy"):         # the suite's device may be another one
        ours = INFO.capabilities()
    theirs = SINFO.capabilities()
    assert ours == theirs == {"boolean indexing": True, "data-dependent shapes": True,
                              "max dimensions": 64}


def test_default_device_and_devices():
    devices = INFO.devices()
    # a tuple since 2025.12 (hal.devices(), hal's own, stays a list)
    assert isinstance(devices, tuple) and all(isinstance(d, hal.Device) for d in devices)
    assert list(devices) == hal.devices()
    assert hal.get_device("numpy") in devices
    assert INFO.default_device() in devices
    assert INFO.default_device() is hal.asarray([0]).device
    with hal.default_device("numpy"):
        assert INFO.default_device() is hal.get_device("numpy")
        # no device=: the default device's answers
        assert INFO.default_dtypes() == INFO.default_dtypes(device="numpy")
        assert INFO.dtypes() == INFO.dtypes(device="numpy")


def test_every_device_answers_from_its_own_capabilities(profiles):
    for dev in INFO.devices():
        answer = INFO.dtypes(device=dev)
        assert {getattr(hal, n) for n in answer} == {d for d in dev.dtypes
                                                   if d is not hal.float16}
        assert INFO.default_dtypes(device=dev)["real floating"] is dev.default_float


def test_float16_is_hals_extra_not_a_standard_dtype():
    # NumPy holds float16, but the standard's inspection API lists only its dtypes
    assert hal.float16 in hal.get_device("numpy").dtypes
    assert "float16" not in INFO.dtypes(device="numpy")
    assert "float16" not in INFO.dtypes(device="numpy", kind="real floating")


def test_bad_arguments_are_clear_errors():
    with pytest.raises(hal.HalValueError, match="unknown kind 'floating'"):
        INFO.dtypes(kind="floating")
    with pytest.raises(ValueError):
        SINFO.dtypes(kind="floating")            # strict agrees that this is an error
    with pytest.raises(hal.HalValueError, match="unknown kind 'reals'"):
        INFO.dtypes(kind=("bool", "reals"))
    with pytest.raises(hal.HalValueError, match="no backend 'nosuch'"):
        INFO.default_dtypes(device="nosuch")
    with pytest.raises(hal.HalValueError, match="dtypes: device must be"):
        INFO.dtypes(device=0)


def test_the_namespace_and_its_version():
    x = hal.asarray([1.0])
    assert hal.__array_api_version__ == "2025.12"
    assert x.__array_namespace__() is hal
    assert x.__array_namespace__(api_version="2025.12") is hal
    for older in ("2024.12", "2023.12"):   # views with list returns (test_api_2025_12)
        assert x.__array_namespace__(api_version=older).__array_api_version__ == older
    with pytest.raises(hal.HalValueError, match="2099.12"):
        x.__array_namespace__(api_version="2099.12")
    from array_api_compat import array_namespace
    assert array_namespace(x) is hal
