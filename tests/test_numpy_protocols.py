"""NumPy's protocols on hal arrays (NEP 13, NEP 18, as CuPy implements them) and host
scalars (a 0-D array on the NumPy device beside arrays on another device).

NumPy calls on hal arrays run hal's ops on the arrays' device and give hal arrays;
what hal has no op for is NumPy's TypeError; NumPy arrays never meet hal arrays
silently."""

import numpy as np
import pytest

import hal


def _float(device):
    return np.float64 if hal.float64 in device.dtypes else np.float32


@pytest.fixture
def pair(device):
    host = np.arange(1, 13, dtype=_float(device)).reshape(3, 4) / 4
    return host, hal.asarray(host, device=device)


def test_np_dtype_of_hal_dtypes():
    for d in hal.all_dtypes():
        assert np.dtype(d) == d.numpy and np.dtype(d) == d and d == np.dtype(d)
        assert hash(d) == hash(np.dtype(d))
    assert np.zeros(2, dtype=hal.int8).dtype == np.int8
    assert hal.float32 != hal.float64 and hal.float32 != "float32"
    assert hal.float32.type is np.float32 and hal.float32.char == "f"


@pytest.mark.parametrize("call", [
    lambda m, x: m.exp(x),
    lambda m, x: m.arctan2(x, x + 1),
    lambda m, x: m.power(x, 2),
    lambda m, x: m.maximum(x, 1.0),
    lambda m, x: m.add.reduce(x, axis=1),
    lambda m, x: m.multiply.reduce(x, axis=0, keepdims=True),
    lambda m, x: m.add.accumulate(x, axis=1),
    lambda m, x: m.matmul(x, m.transpose(x)),
    lambda m, x: m.sum(x, axis=0),
    lambda m, x: m.mean(x),
    lambda m, x: m.std(x, axis=1, ddof=1),
    lambda m, x: m.concatenate([x, x], axis=1),
    lambda m, x: m.stack([x, x]),
    lambda m, x: m.reshape(x, (4, 3)),
    lambda m, x: m.tensordot(x, x, axes=([1], [1])),
    lambda m, x: m.where(x > 1, x, 0.0),
    lambda m, x: m.clip(x, 0.5, 2.0),
    lambda m, x: m.sort(-x, axis=1),
    lambda m, x: m.cumsum(x),
    lambda m, x: m.zeros_like(x),
    lambda m, x: m.full_like(x, 3.0, shape=(2,)),
    lambda m, x: x.sum(axis=1, keepdims=True),
    lambda m, x: x.astype("float32"),
])
def test_numpy_calls_run_on_the_device(pair, device, call):
    host, x = pair
    got = call(np, x)
    assert isinstance(got, hal.Array) and got.device == device
    want = call(np, host)
    np.testing.assert_allclose(hal.to_numpy(got), want, rtol=1e-6)


def test_metadata_functions(pair):
    _, x = pair
    assert np.shape(x) == (3, 4) and np.ndim(x) == 2 and np.size(x) == 12
    assert np.result_type(x, 1.0) == x.dtype.numpy


def test_what_hal_lacks_is_numpys_type_error(pair, device):
    _, x = pair
    with pytest.raises(TypeError, match="fmod"):
        np.fmod(x, 2.0)   # a ufunc hal has no op for
    with pytest.raises(TypeError):
        np.add(x, x, out=(x,))  # out= has no meaning for hal arrays
    if "host_memory" not in device.info.capabilities.features:
        # nothing moves to the host silently: no NumPy fallback off host memory
        with pytest.raises(TypeError, match="isclose"):
            np.isclose(x, x)
    else:
        # the device's memory is host memory (NumPy, CPU OpenCL and SYCL devices):
        # NumPy's own code reads it in place through zero-copy views
        result = np.isclose(x, x)
        assert isinstance(result, np.ndarray) and result.all()


def test_numpy_arrays_meeting_hal_arrays_are_refused(pair):
    host, x = pair
    for attempt in (lambda: host + x, lambda: np.add(host, x), lambda: x + host,
                    lambda: host == x):
        with pytest.raises(hal.HalTypeError, match="hal.asarray"):
            attempt()
    # NumPy scalars are scalars, as Python's are
    np.testing.assert_allclose(hal.to_numpy(np.float32(2) * x), 2 * host)


# -- host scalars ----------------------------------------------------------------------

def test_host_scalars_combine_with_any_device(device):
    x = hal.asarray(np.array([1.0, 2.0, 3.0], dtype=np.float32), device=device)
    two = hal.asarray(2.0, device="numpy")   # what xp.asarray(2.0) gives third-party code
    for got, want in ((x * two, [2, 4, 6]), (two - x, [1, 0, -1]), (x > two, [0, 0, 1]),
                      (hal.maximum(x, two), [2, 2, 3]), (hal.where(x > two, x, two),
                                                         [2, 2, 3]),
                      (hal.clip(x, two, hal.asarray(2.5, device="numpy")), [2, 2, 2.5])):
        assert got.device == device
        np.testing.assert_array_equal(hal.to_numpy(got), np.array(want, dtype=bool
                                      if got.dtype == hal.bool else np.float32))
    if device.backend != "numpy":
        # a Python float beside float32 keeps float32: so does a float64 host scalar
        # (on the NumPy device itself it is an array like any other: float64)
        assert (x * two).dtype == hal.float32
        y = hal.asarray([1, 2], dtype=hal.int16, device=device)
        assert (y + hal.asarray(3, device="numpy")).dtype == hal.int16
        with pytest.raises(hal.HalOverflowError):
            y + hal.asarray(2**20, device="numpy")
        x += two
        np.testing.assert_array_equal(hal.to_numpy(x), [3, 4, 5])


def test_other_cross_device_mixes_keep_raising(device):
    if device.backend == "numpy":
        pytest.skip("needs a second device: the device under test is the NumPy one")
    x = hal.asarray(np.ones(3, dtype=np.float32), device=device)
    vector = hal.asarray(np.ones(3, dtype=np.float32), device="numpy")
    for attempt in (lambda: x + vector, lambda: hal.where(x > 0, x, vector),
                    lambda: x + hal.asarray([2.0], device="numpy")):
        with pytest.raises(hal.HalDeviceError, match="different devices"):
            attempt()
    # a 0-D array on a device other than NumPy is not a host scalar
    other = hal.asarray(np.ones(3, dtype=np.float32), device="numpy")
    with pytest.raises(hal.HalDeviceError):
        other + hal.asarray(1.0, device=device)
