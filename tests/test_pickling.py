"""Pickling and copying hal arrays and devices (README, "More than one device or
machine"): pickle, copy, deepcopy, joblib and a spawn Queue round-trip bit-exactly on
the device under test; an array whose device the loading process lacks lands on the
default device with a warning, or raises under HAL_UNPICKLE=strict."""

import copy
import multiprocessing as mp
import os
import pickle
import warnings

# scikit-learn's Array API mode needs SciPy's, which is read when SciPy is imported
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import hal  # noqa: E402
from hal import _pickle  # noqa: E402


def _values(device):
    """Special values included: the round trip must keep every bit."""
    dtype = np.float64 if hal.float64 in device.dtypes else np.float32
    a = np.array([[0.0, -0.0, np.inf, -np.inf], [np.nan, 1e-30, -2.5, 3.0]], dtype=dtype)
    # a NaN with a payload: only a byte-for-byte copy keeps it
    a.view(np.uint32 if dtype == np.float32 else np.uint64)[1, 0] |= 0x5
    return a


def _bits(x):
    return hal.to_numpy(x).tobytes()


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_pickle_round_trip_is_bit_exact_on_the_same_device(device, protocol):
    host = _values(device)
    x = hal.asarray(host, device=device)
    y = pickle.loads(pickle.dumps(x, protocol=protocol))
    assert y.device == device and y.dtype == x.dtype and y.shape == x.shape
    assert _bits(y) == host.tobytes()
    y[0, 0] = 7.0  # the loaded array owns writable memory
    assert float(x[0, 0]) == 0.0 and float(y[0, 0]) == 7.0


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint16", "int32", "float32",
                                   "complex64"])
def test_pickle_keeps_dtype_views_and_0d(device, dtype):
    d = getattr(hal, dtype)
    x = hal.reshape(hal.astype(hal.arange(12, device=device), d), (3, 4))
    for v in (x, x.T, x[1:, ::2], x[1, 2]):
        y = pickle.loads(pickle.dumps(v))
        assert y.dtype is d and y.shape == v.shape and y.device == device
        np.testing.assert_array_equal(hal.to_numpy(y), hal.to_numpy(v))


def test_copy_and_deepcopy_stay_on_the_device_and_own_memory(device):
    x = hal.asarray(_values(device), device=device)
    for y in (copy.copy(x), copy.deepcopy(x), copy.deepcopy({"a": [x]})["a"][0]):
        assert y is not x and y.device == device
        assert _bits(y) == _bits(x)
        y[0, 0] = 9.0
        assert float(x[0, 0]) == 0.0


def test_devices_and_dtypes_pickle_by_name(device):
    assert pickle.loads(pickle.dumps(device)) is device
    assert pickle.loads(pickle.dumps(hal.float32)) is hal.float32


def test_joblib_dump_and_load(device, tmp_path):
    joblib = pytest.importorskip("joblib", reason="joblib comes with scikit-learn")
    x = hal.asarray(_values(device), device=device)
    joblib.dump({"x": x, "dev": device}, tmp_path / "x.joblib")
    back = joblib.load(tmp_path / "x.joblib")
    assert back["dev"] is device and back["x"].device == device
    assert _bits(back["x"]) == _bits(x)


def test_a_fitted_model_on_hal_arrays_pickles(device):
    sklearn = pytest.importorskip("sklearn", reason="scikit-learn is in the test extra")
    from sklearn.preprocessing import StandardScaler
    host = np.random.default_rng(0).standard_normal((20, 3)).astype(
        np.float64 if hal.float64 in device.dtypes else np.float32)
    x = hal.asarray(host, device=device)
    with sklearn.config_context(array_api_dispatch=True):
        model = StandardScaler().fit(x)
        again = pickle.loads(pickle.dumps(model))
        assert again.mean_.device == device
        assert _bits(again.transform(x)) == _bits(model.transform(x))


def _echo(inbox, outbox):
    x = inbox.get(timeout=120)
    outbox.put((x, hal.sum(x)))


def test_spawn_queue_round_trip(device):
    """A hal array crosses a spawn Queue both ways (the child imports hal afresh)."""
    ctx = mp.get_context("spawn")
    inbox, outbox = ctx.Queue(), ctx.Queue()
    child = ctx.Process(target=_echo, args=(inbox, outbox))
    child.start()
    try:
        x = hal.asarray(_values(device)[1:, 1:], device=device)
        inbox.put(x)
        y, total = outbox.get(timeout=120)
    finally:
        child.join(timeout=60)
        if child.is_alive():
            child.kill()
    assert y.device == device and _bits(y) == _bits(x)
    assert float(total) == float(hal.sum(x))


class _Pickled:
    """What another process wrote: an array on a device this process lacks."""

    def __init__(self, selector, host):
        self.selector, self.host = selector, host

    def __reduce__(self):
        return (_pickle.rebuild, (self.selector, "float32", self.host))


def test_a_missing_device_loads_on_the_default_device_with_a_warning(monkeypatch):
    monkeypatch.delenv("HAL_UNPICKLE", raising=False)
    monkeypatch.setattr(_pickle, "_WARNED", set())
    data = pickle.dumps(_Pickled("nosuchbackend:3", np.arange(4, dtype=np.float32)))
    with pytest.warns(hal.HalDeviceWarning, match="nosuchbackend:3.*default device"):
        y = pickle.loads(data)
    assert y.device == hal.__array_namespace_info__().default_device()
    np.testing.assert_array_equal(hal.to_numpy(y), np.arange(4, dtype=np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per missing selector, not per array
        pickle.loads(data)


def test_a_missing_device_is_an_error_under_strict(monkeypatch):
    monkeypatch.setenv("HAL_UNPICKLE", "strict")
    data = pickle.dumps(_Pickled("nosuchbackend:3", np.arange(4, dtype=np.float32)))
    with pytest.raises(hal.HalDeviceError, match="HAL_UNPICKLE=strict.*Devices here"):
        pickle.loads(data)
    monkeypatch.setenv("HAL_UNPICKLE", "sometimes")
    with pytest.raises(hal.HalValueError, match="'warn' or 'strict'"):
        pickle.loads(data)


def test_load_onto_places_every_loaded_array(device):
    x = hal.asarray(_values(device), device=device)
    numpy_device = hal.get_device("numpy")
    data = pickle.dumps(x)
    _pickle.load_onto(numpy_device)
    try:
        y = pickle.loads(data)
    finally:
        _pickle.load_onto(None)
    assert y.device == numpy_device and _bits(y) == _bits(x)
    assert pickle.loads(data).device == device
