"""The example plugin's own tests, written with hal.testing's helpers.

Each body takes ``xp``; the decorators run it on hal's NumPy backend and on the
device under test and compare the results (``cupy.testing``'s model)::

    pytest examples/hal-example-restricted/tests --hal-device example
"""

from __future__ import annotations

import pytest

import hal
import hal.testing as ht


@ht.for_each_dtype("iuf")
@ht.numpy_hal_array_equal()
def test_arithmetic(xp, dtype):
    x = xp.arange(0, 10, 1, dtype=dtype)
    return (x + x) * 3 - x, xp.maximum(x, 4)


@ht.for_each_dtype("f")
@ht.numpy_hal_allclose(rtol=1e-6)
def test_softmax(xp, dtype):
    x = xp.linspace(-3, 3, 7, dtype=dtype)
    e = xp.exp(x - xp.max(x))
    return e / xp.sum(e)


@ht.numpy_hal_allclose()
def test_default_dtypes_follow_the_profile(xp):
    # float64 on NumPy, float32 on the example device: hal.testing maps the
    # reference's defaults onto the device's profile before comparing
    return xp.asarray([0.5, 1.5, 2.5]) * 2


@ht.for_dtypes("float32", "float64")
@ht.numpy_hal_allclose(rtol=1e-6)
def test_float64_is_skipped_where_unclaimed(xp, dtype):
    return xp.sqrt(xp.ones((3,), dtype=dtype) * 4)


@ht.numpy_hal_array_equal(accept_error=True)
def test_errors_match(xp):
    return xp.reshape(xp.arange(6), (4, 2))     # a ValueError on every device


def test_the_example_device_refuses_float64():
    device = ht.device_under_test()
    if hal.float64 in device.dtypes:
        pytest.skip(f"{device} holds float64")
    with pytest.raises(hal.HalTypeError, match="float64"):
        hal.zeros(3, dtype=hal.float64, device=device)
