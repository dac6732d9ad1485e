"""Too-large allocations and vendor errors become hal errors (issue 11, item 4).

Every allocation a device cannot make gives ``hal.HalMemoryError`` (a ``MemoryError``)
naming the op, the device, the size asked and what the device has, whatever the
vendor library would have raised (PyOpenCL's INVALID_BUFFER_SIZE, pybind's TypeError
past 2**64, dpctl's USMAllocationError, NumPy's "array is too big").  Sizes here are
far beyond any device, so nothing is ever really allocated: huge operands are
broadcast views of one element.  Real out-of-memory and recovery are in
``tests/reliability/test_out_of_memory.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import hal
from hal._errors import translate

TIB = 2**40


def _check(err: hal.HalMemoryError, op: str, device, nbytes: int | None) -> None:
    message = str(err)
    assert isinstance(err, MemoryError) and isinstance(err, hal.HalError)
    assert message.startswith(f"{op} on {device}"), message
    assert "cannot allocate" in message and "of memory" in message, message
    if nbytes is not None:
        assert err.nbytes == nbytes, message
        assert f"({nbytes} bytes)" in message, message
    if device.info.max_allocation_bytes:
        assert "in one allocation" in message, message


CREATIONS = {
    "empty": (lambda xp, d: xp.empty((TIB,), dtype=xp.int8, device=d), TIB),
    "zeros": (lambda xp, d: xp.zeros((TIB, 2), dtype=xp.int8, device=d), 2 * TIB),
    "ones": (lambda xp, d: xp.ones((2**40,), dtype=xp.int8, device=d), TIB),
    # the product of the shape is past int64 (2**62 elements of 8 bytes, 2**80):
    # vendors wrap it to a small size or fail in pybind
    "full": (lambda xp, d: xp.full((2**40, 2**40), 1, dtype=xp.int8, device=d), 2**80),
    "arange": (lambda xp, d: xp.arange(0, 2**62, dtype=xp.int8, device=d), 2**62),
    # (NumPy computes linspace in float64 before the cast: it asks for more)
    "linspace": (lambda xp, d: xp.linspace(0, 1, TIB, dtype=xp.float32, device=d), None),
    "eye": (lambda xp, d: xp.eye(2**20, dtype=xp.int8, device=d), TIB),
}


@pytest.mark.parametrize("op", sorted(CREATIONS))
def test_creation_too_large(xp, device, op):
    make, nbytes = CREATIONS[op]
    with pytest.raises(hal.HalMemoryError) as info:
        make(xp, device)
    _check(info.value, op, device, nbytes)


def test_pybind_and_overflowing_sizes(xp, device):
    """2**62 float64 elements (2**65 bytes) overflowed PyOpenCL's size_t argument."""
    for shape in [(2**62,), (2**32, 2**32), (2**21,) * 3]:
        with pytest.raises(hal.HalMemoryError) as info:
            xp.ones(shape, dtype=xp.float64 if xp.float64 in device.dtypes else xp.int64,
                    device=device)
        _check(info.value, "ones", device, 8 * int(np.prod(shape, dtype=object)))


def test_views_of_huge_shapes_do_not_allocate(xp, device):
    x = xp.ones((1,), dtype=xp.int8, device=device)
    big = xp.broadcast_to(x, (2**20, 2**20))
    assert big.shape == (2**20, 2**20)
    assert xp.reshape(x, (1, 1, 1)).shape == (1, 1, 1)
    col = xp.broadcast_to(xp.reshape(x, (1, 1)), (2**40, 1))
    assert col.shape == (2**40, 1)


def test_huge_results_of_ops(xp, device):
    v = xp.broadcast_to(xp.ones((1,), dtype=xp.int8, device=device), (2**20,))
    with pytest.raises(hal.HalMemoryError) as info:
        v[:, None] * v[None, :]  # an outer product of 2**40 elements
    _check(info.value, "multiply", device, None)
    big = xp.broadcast_to(v[:1], (2**38,))
    with pytest.raises(hal.HalMemoryError) as info:
        xp.astype(big, xp.int64)
    _check(info.value, "astype", device, None)


def test_asarray_and_to_device_of_huge_host_data(xp, device):
    host = np.broadcast_to(np.ones(1, dtype=np.int8), (2**40,))
    with pytest.raises(hal.HalMemoryError) as info:
        xp.asarray(host, device=device, copy=True)
    _check(info.value, "asarray", device, None)
    if device.backend != "numpy":
        view = xp.asarray(host, device="numpy")  # shares the broadcast view
        with pytest.raises(hal.HalMemoryError) as info:
            view.to_device(device)
        _check(info.value, "to_device", device, None)


def test_device_keeps_working_after_memory_errors(xp, device):
    for _ in range(3):
        with pytest.raises(hal.HalMemoryError):
            xp.ones((TIB, TIB), device=device)
        with pytest.raises(hal.HalMemoryError):
            xp.zeros((2**62,), dtype=xp.int8, device=device)
    x = xp.arange(1000, dtype=xp.int64, device=device)
    assert int(xp.sum(x * 2)) == 999 * 1000
    np.testing.assert_array_equal(hal.to_numpy(x[::-1][:3]), [999, 998, 997])


class VendorFailure(Exception):
    """An exception type hal knows nothing about, as a vendor library may raise."""


def test_unknown_vendor_exception_becomes_hal_runtime_error(device):
    cause = VendorFailure("clEnqueueSomething failed: DEVICE_LOST")
    err = translate(cause, "matmul", device)
    assert isinstance(err, hal.HalRuntimeError) and isinstance(err, RuntimeError)
    message = str(err)
    assert message.startswith(f"matmul on {device}: ") and "DEVICE_LOST" in message
    assert "VendorFailure" in message


def test_builtin_memory_error_names_op_and_device(device):
    err = translate(MemoryError(), "sort", device)
    assert isinstance(err, hal.HalMemoryError)
    _check(err, "sort", device, None)


def test_hal_memory_error_from_a_plugin_gets_the_op(device):
    """A plugin's allocator does not know the op: translate adds it, keeps nbytes."""
    raised = hal.HalMemoryError.allocation(device, 12345)
    err = translate(raised, "concat", device)
    assert isinstance(err, hal.HalMemoryError)
    _check(err, "concat", device, 12345)
