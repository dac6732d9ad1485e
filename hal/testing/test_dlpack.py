"""DLPack and ``to_device``: data leaves and enters the device only when asked.

A device with the ``dlpack`` feature exchanges arrays through DLPack (and, when its
memory is the host's, with NumPy directly); a device without it refuses with
``BufferError``, and ``to_device`` / ``from_dlpack(..., device=)`` copy instead.
"""

from __future__ import annotations

import numpy as np
import pytest

import hal

from . import _state

DEVICE, ERROR = _state.device_or_error()
KDLCPU = 1


def _claimed():
    return [pytest.param(d, id=d.name) for d in hal.all_dtypes()
            if DEVICE is not None and d in DEVICE.dtypes]


def _values(dtype) -> np.ndarray:
    if dtype.kind == "b":
        return np.array([[True, False, True], [False, False, True]])
    return (np.arange(6).reshape(2, 3) - (2 if dtype.kind != "u" else 0)).astype(dtype.name)


def _same(x, host, device, dtype):
    assert x.device is device and x.dtype is dtype, (x.device, x.dtype)
    got = hal.to_numpy(x)
    assert got.dtype == host.dtype
    np.testing.assert_array_equal(got, host)


@pytest.mark.parametrize("dtype", _claimed())
def test_dlpack(hal_device, dtype):
    host = _values(dtype)
    x = hal.asarray(host, device=hal_device)
    if "dlpack" in hal_device.capabilities.features:
        kind, index = x.__dlpack_device__()
        assert isinstance(kind, int) and isinstance(index, int), (kind, index)
        _same(hal.from_dlpack(x, device=hal_device), host, hal_device, dtype)
        _same(hal.from_dlpack(host, device=hal_device), host, hal_device, dtype)
        if kind == KDLCPU:
            np.testing.assert_array_equal(np.from_dlpack(x), host)
    else:
        with pytest.raises(BufferError):
            x.__dlpack__()
        with pytest.raises((BufferError, TypeError, RuntimeError, ValueError)):
            np.from_dlpack(x)
        # importing still works: a copy through the host
        _same(hal.from_dlpack(host, device=hal_device), host, hal_device, dtype)


@pytest.mark.parametrize("dtype", _claimed())
def test_to_device_round_trip(hal_device, hal_reference, dtype):
    host = _values(dtype)
    x = hal.asarray(host, device=hal_device)
    assert x.to_device(hal_device) is x
    on_ref = x.to_device(hal_reference)
    _same(on_ref, host, hal_reference, dtype)
    back = on_ref.to_device(hal_device)
    _same(back, host, hal_device, dtype)
    # a copy: changing one side leaves the other as it was
    if hal_device is not hal_reference:
        on_ref[...] = on_ref[0:1, 0:1] if dtype.kind == "b" else 0
        _same(back, host, hal_device, dtype)
        _same(x, host, hal_device, dtype)


def test_the_dlpack_feature_is_honest(hal_device):
    """``dlpack`` claimed means export works; not claimed means BufferError."""
    dtype = next(d for d in (hal.float32, hal.int32, hal.bool) if d in hal_device.dtypes)
    x = hal.asarray(_values(dtype), device=hal_device)
    claimed = "dlpack" in hal_device.capabilities.features
    try:
        capsule = x.__dlpack__()
    except BufferError as exc:
        assert not claimed, f"{hal_device} claims 'dlpack' but __dlpack__ raised: {exc}"
    else:
        assert claimed, (f"{hal_device} exports DLPack ({type(capsule).__name__}) but does "
                         f"not claim the 'dlpack' feature")
