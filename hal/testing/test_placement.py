"""Compute follows data: results stay on the device of their inputs, and arrays on
different devices never meet silently (``HalDeviceError``, a ``ValueError``, naming
both devices)."""

from __future__ import annotations

import numpy as np
import pytest

import hal



def _dtype(device):
    for d in (hal.float32, hal.float64, hal.int32, hal.int64):
        if d in device.dtypes:
            return d
    return next(d for d in hal.all_dtypes() if d in device.dtypes and d.kind != "b")


@pytest.fixture(scope="module")
def pair(hal_device, hal_reference):
    """(an array on the device under test, one of the same dtype elsewhere)."""
    if hal_device.backend != hal_reference.backend:
        other = hal_reference
    else:
        from ._mirror import mirror_device
        other = mirror_device()
    dtype = _dtype(hal_device)
    host = np.array([1, 2, 3], dtype=dtype.name)
    return (hal.asarray(host, device=hal_device), hal.asarray(host, device=other))


MIXES = {
    "a + b": lambda a, b: a + b,
    "add(a, b)": lambda a, b: hal.add(a, b),
    "a < b": lambda a, b: a < b,
    "maximum(a, b)": lambda a, b: hal.maximum(a, b),
    "a @ b": lambda a, b: a @ b,
    "where(a > 0, a, b)": lambda a, b: hal.where(a > 0, a, b),
    "concat([a, b])": lambda a, b: hal.concat([a, b]),
    "stack([a, b])": lambda a, b: hal.stack([a, b]),
    "vecdot(a, b)": lambda a, b: hal.vecdot(a, b),
    "a[b > 1]": lambda a, b: a[b > 1],
    "a[...] = b": lambda a, b: a.__setitem__(Ellipsis, b),
}


@pytest.mark.parametrize("swap", [False, True], ids=["device-first", "device-second"])
@pytest.mark.parametrize("mix", list(MIXES))
def test_mixing_devices_raises(pair, mix, swap):
    a, b = pair
    if swap:
        a, b = b, a
    with pytest.raises(ValueError) as info:
        MIXES[mix](a, b)
    assert isinstance(info.value, hal.HalDeviceError), (
        f"{mix}: expected hal.HalDeviceError, got {type(info.value).__name__}: {info.value}")
    message = str(info.value)
    assert str(a.device) in message and str(b.device) in message, (
        f"{mix}: the error must name both devices: {message}")


def test_results_stay_on_the_device(pair, hal_device):
    a, _ = pair
    results = {
        "a + a": a + a, "a * 2": a * 2, "sum(a)": hal.sum(a), "a[1:]": a[1:],
        "zeros_like(a)": hal.zeros_like(a), "ones_like(a)": hal.ones_like(a),
        "full_like(a, 1)": hal.full_like(a, 1), "empty_like(a)": hal.empty_like(a),
        "asarray(a)": hal.asarray(a), "reshape(a, (3, 1))": hal.reshape(a, (3, 1)),
        "astype(a, bool)": hal.astype(a, hal.bool),
    }
    for what, r in results.items():
        assert r.device is hal_device, f"{what} is on {r.device}, not {hal_device}"
    with hal.default_device(hal_device):
        for what, r in {"asarray([1, 2])": hal.asarray([1, 2]),
                        "zeros(2)": hal.zeros(2, dtype=a.dtype),
                        "arange(3)": hal.arange(3)}.items():
            assert r.device is hal_device, f"{what} is on {r.device} inside " \
                                           f"hal.default_device({hal_device})"


def test_moving_is_explicit(pair, hal_device):
    a, b = pair
    moved = b.to_device(hal_device)
    assert moved.device is hal_device
    np.testing.assert_array_equal(hal.to_numpy(moved + a), hal.to_numpy(a) * 2)
    assert hal.asarray(a, device=b.device).device is b.device
    if "host_memory" in hal_device.info.capabilities.features:
        # the device's memory is the host's: NumPy reads it in place, nothing moves
        view = np.asarray(a)
        np.testing.assert_array_equal(view, hal.to_numpy(a))
        assert np.shares_memory(view, np.asarray(a))
    else:
        with pytest.raises(hal.HalDeviceError):
            np.asarray(a)   # no implicit copy from device memory to the host
