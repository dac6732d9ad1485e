"""Creation functions against NumPy (values, shape, dtype) and array-api-strict's
dtype inference, for every dtype of the device under test."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import _strategies as hs
import hal as xp

strict = hs.strict

ALL = hs.dtype_params()
REAL = hs.dtype_params("iuf")
small_ints = st.integers(-20, 20)


def _fill_value(dtype):
    """A Python scalar ``dtype`` holds exactly."""
    return {"b": st.booleans(), "i": st.integers(-100, 100), "u": st.integers(0, 200),
            "f": st.floats(-1000, 1000, width=16),
            "c": st.complex_numbers(max_magnitude=1000, width=64)}[dtype.kind]


# -- asarray ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_asarray_from_numpy(dtype, data, device):
    a = data.draw(hs.arrays(dtype), label="a")
    x = xp.asarray(a, device=device)
    hs.assert_matches(x, a)
    original = a.copy()
    copied = xp.asarray(a, device=device, copy=True)
    a[...] = np.ones((), a.dtype)  # copy=True never aliases the source
    hs.assert_matches(copied, original)


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_asarray_with_dtype(dtype, data, device):
    """Python data converted to a requested dtype, as NumPy converts it."""
    values = data.draw(st.lists(_fill_value(dtype), max_size=5), label="values")
    x = xp.asarray(values, dtype=dtype, device=device)
    hs.assert_matches(x, np.asarray(values, dtype=hs.np_dtype(dtype)))


@pytest.mark.parametrize("kind", [bool, int, float, complex])
@given(data=st.data())
def test_asarray_infers_default_dtypes(kind, data, device):
    """Python data gets the device's default dtypes, as strict gives them."""
    strategy = {bool: st.booleans(), int: small_ints, float: st.floats(-1e6, 1e6),
                complex: st.complex_numbers(max_magnitude=1e6)}[kind]
    shape = data.draw(st.sampled_from([(), (3,), (2, 2)]), label="shape")
    flat = data.draw(st.lists(strategy, min_size=int(np.prod(shape)),
                              max_size=int(np.prod(shape))), label="values")
    nested = np.asarray(flat, dtype=object).reshape(shape).tolist() if shape else flat[0]
    x = xp.asarray(nested, device=device)
    want = {bool: xp.bool, int: device.default_int, float: device.default_float,
            complex: device.default_complex}[kind]
    hs.assert_matches(x, np.asarray(nested, dtype=hs.np_dtype(want)))
    assert hs.strict_dtype_name(strict.asarray(nested).dtype) == want.name


def test_asarray_mixed_python_data(device):
    assert xp.asarray([1, 2.5], device=device).dtype is device.default_float
    assert xp.asarray([True, 2], device=device).dtype is device.default_int
    assert xp.asarray([1, 1j], device=device).dtype is device.default_complex
    hs.assert_matches(xp.asarray([[1, 2], [3, 4]], device=device),
                      np.array([[1, 2], [3, 4]], dtype=hs.np_dtype(device.default_int)))


@pytest.mark.parametrize("dtype", ALL)
def test_asarray_from_a_hal_array(dtype, device):
    a = np.arange(6).reshape(2, 3).astype(hs.np_dtype(dtype))
    x = hs.to_device(a)
    assert xp.asarray(x) is x or np.array_equal(hs.to_numpy(xp.asarray(x)), a)
    y = xp.asarray(x, copy=True)
    hs.assert_matches(y, a)
    y[0, 0] = xp.asarray(a[1, 1], device=device)
    np.testing.assert_array_equal(hs.to_numpy(x), a, err_msg="copy=True aliased x")
    for target in hs.device_dtypes():
        if xp.can_cast(dtype, target):
            hs.assert_matches(xp.asarray(x, dtype=target), a.astype(hs.np_dtype(target)))
    with pytest.raises(ValueError):
        other = next(d for d in hs.device_dtypes() if d is not dtype)
        xp.asarray(x, dtype=other, copy=False)


def test_asarray_copy_false(device):
    a = np.arange(4.0)
    if device.backend == "numpy":
        x = xp.asarray(a, device=device, copy=False)
        a[0] = 42.0
        assert float(x[0]) == 42.0, "copy=False must share host memory on numpy"
    else:
        with pytest.raises(ValueError):
            xp.asarray(a, device=device, copy=False)
    with pytest.raises(ValueError) as info:
        xp.asarray([1, 2], device=device, copy=False)
    assert isinstance(info.value, xp.HalError)


def test_asarray_python_ints_beyond_the_default_int(device):
    """NumPy reads 2**63 as uint64: it must not wrap silently into the default int."""
    info = np.iinfo(hs.np_dtype(device.default_int))
    for value in (info.max + 1, [0, info.max + 1], info.min - 1):
        with pytest.raises((ValueError, TypeError, OverflowError)) as exc:
            xp.asarray(value, device=device)
        assert isinstance(exc.value, xp.HalError), value
    hs.assert_matches(xp.asarray([info.max], device=device),
                      np.array([info.max], dtype=hs.np_dtype(device.default_int)))
    if xp.uint64 in device.dtypes:
        hs.assert_matches(xp.asarray([2**63], dtype=xp.uint64, device=device),
                          np.array([2**63], dtype=np.uint64))


def test_asarray_bad_input(device):
    with pytest.raises(TypeError) as info:
        xp.asarray(np.array(["a", "b"]), device=device)
    assert isinstance(info.value, xp.HalError)
    with pytest.raises(TypeError):
        xp.asarray([1], dtype="not a dtype", device=device)


# -- empty / zeros / ones / full -------------------------------------------------------

@pytest.mark.parametrize("name", ["empty", "zeros", "ones"])
@pytest.mark.parametrize("dtype", ALL)
@given(shape=hs.shapes())
def test_empty_zeros_ones(name, dtype, shape, device):
    x = getattr(xp, name)(shape, dtype=dtype, device=device)
    if name == "empty":
        assert x.shape == shape and x.dtype is dtype and x.device == device
        return
    hs.assert_matches(x, getattr(np, name)(shape, dtype=hs.np_dtype(dtype)))


@pytest.mark.parametrize("name", ["empty", "zeros", "ones"])
def test_empty_zeros_ones_defaults(name, device):
    x = getattr(xp, name)(3, device=device)
    assert x.shape == (3,) and x.dtype is device.default_float and x.device == device
    assert getattr(xp, name)((), device=device).shape == ()
    assert getattr(strict, name)(3).dtype == strict.float64  # the same default as strict
    with pytest.raises(ValueError) as info:
        getattr(xp, name)((2, -1), device=device)
    assert isinstance(info.value, xp.HalError)


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_full(dtype, data, device):
    shape = data.draw(hs.shapes(), label="shape")
    value = data.draw(_fill_value(dtype), label="fill_value")
    x = xp.full(shape, value, dtype=dtype, device=device)
    hs.assert_matches(x, np.full(shape, value, dtype=hs.np_dtype(dtype)))


@pytest.mark.parametrize("value", [True, 7, 2.5, 1 + 2j], ids=["bool", "int", "float",
                                                              "complex"])
def test_full_infers_dtype_from_the_fill_value(value, device):
    x = xp.full((2, 3), value, device=device)
    want = {bool: xp.bool, int: device.default_int, float: device.default_float,
            complex: device.default_complex}[type(value)]
    hs.assert_matches(x, np.full((2, 3), value, dtype=hs.np_dtype(want)))
    assert hs.strict_dtype_name(strict.full((2, 3), value).dtype) == want.name


@pytest.mark.parametrize("name", ["empty_like", "zeros_like", "ones_like", "full_like"])
@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_like(name, dtype, data, device):
    a = data.draw(hs.arrays(dtype), label="a")
    x = hs.to_device(a)
    target = data.draw(st.sampled_from([None] + hs.device_dtypes()), label="dtype")
    want = dtype if target is None else target
    args = (x, data.draw(_fill_value(want), label="fill")) if name == "full_like" else (x,)
    out = getattr(xp, name)(*args, dtype=target)
    if name == "empty_like":
        assert out.shape == a.shape and out.dtype is want and out.device == device
        return
    ref = getattr(np, name)(*( (a,) + args[1:]), dtype=hs.np_dtype(want))
    hs.assert_matches(out, ref)


# -- arange / linspace / eye -----------------------------------------------------------

@given(start=small_ints, stop=st.none() | small_ints,
       step=st.integers(-5, 5).filter(bool))
def test_arange_ints(start, stop, step, device):
    if stop is None:  # arange(n)
        x, ref, sx = xp.arange(start, device=device), np.arange(start), strict.arange(start)
    else:
        x = xp.arange(start, stop, step, device=device)
        ref, sx = np.arange(start, stop, step), strict.arange(start, stop, step)
    hs.assert_matches(x, ref.astype(hs.np_dtype(device.default_int)))
    assert hs.strict_dtype_name(sx.dtype) == device.default_int.name


@given(start=st.floats(-100, 100), stop=st.floats(-100, 100),
       step=st.floats(0.25, 10) | st.floats(-10, -0.25))
def test_arange_floats(start, stop, step, device):
    x = xp.arange(start, stop, step, device=device)
    ref = np.arange(start, stop, step, dtype=hs.np_dtype(device.default_float))
    hs.assert_close(x, ref)


@pytest.mark.parametrize("dtype", REAL)
@given(n=st.integers(0, 50))
def test_arange_dtype(dtype, n, device):
    hs.assert_matches(xp.arange(n, dtype=dtype, device=device),
                      np.arange(n, dtype=hs.np_dtype(dtype)))


def test_arange_step_zero(device):
    with pytest.raises(ValueError) as info:
        xp.arange(0, 5, 0, device=device)
    assert isinstance(info.value, xp.HalError)


@pytest.mark.parametrize("dtype", hs.dtype_params("fc"))
@given(start=st.floats(-1e3, 1e3), stop=st.floats(-1e3, 1e3), num=st.integers(0, 20),
       endpoint=st.booleans())
def test_linspace(dtype, start, stop, num, endpoint, device):
    x = xp.linspace(start, stop, num, dtype=dtype, device=device, endpoint=endpoint)
    ref = np.linspace(start, stop, num, endpoint=endpoint).astype(hs.np_dtype(dtype))
    hs.assert_close(x, ref, atol=1e-3 if dtype is xp.float16 else None)


def test_linspace_default_dtypes(device):
    assert xp.linspace(0, 1, 5, device=device).dtype is device.default_float
    z = xp.linspace(0, 1j, 3, device=device)
    hs.assert_close(z, np.linspace(0, 1j, 3).astype(hs.np_dtype(device.default_complex)))


@pytest.mark.parametrize("dtype", ALL)
@given(n_rows=st.integers(0, 6), n_cols=st.none() | st.integers(0, 6),
       k=st.integers(-7, 7))
def test_eye(dtype, n_rows, n_cols, k, device):
    x = xp.eye(n_rows, n_cols, k=k, dtype=dtype, device=device)
    hs.assert_matches(x, np.eye(n_rows, n_cols, k=k, dtype=hs.np_dtype(dtype)))


# -- tril / triu / meshgrid ------------------------------------------------------------

@pytest.mark.parametrize("name", ["tril", "triu"])
@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_tril_triu(name, dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_dims=2, max_dims=4)), label="a")
    k = data.draw(st.integers(-5, 5), label="k")
    hs.assert_matches(getattr(xp, name)(hs.to_device(a), k=k),
                      getattr(np, name)(a, k=k))


@pytest.mark.parametrize("name", ["tril", "triu"])
def test_tril_triu_need_a_matrix(name, device):
    with pytest.raises(ValueError) as info:
        getattr(xp, name)(hs.to_device(np.ones(3)))
    assert isinstance(info.value, xp.HalError)


@pytest.mark.parametrize("dtype", hs.dtype_params("iufc"))
@given(data=st.data())
def test_meshgrid(dtype, data):
    n = data.draw(st.integers(0, 3), label="n")
    vectors = [data.draw(hs.arrays(dtype, hs.shapes(1, 1, 1, 4)), label=f"x{i}")
               for i in range(n)]
    indexing = data.draw(st.sampled_from(["xy", "ij"]), label="indexing")
    out = xp.meshgrid(*[hs.to_device(v) for v in vectors], indexing=indexing)
    ref = np.meshgrid(*vectors, indexing=indexing)
    assert isinstance(out, tuple) and len(out) == len(ref)   # a tuple since 2025.12
    for got, want in zip(out, ref):
        hs.assert_matches(got, want)


def test_meshgrid_bad_input(device):
    a = hs.to_device(np.arange(3, dtype=np.int32))
    b = hs.to_device(np.arange(3, dtype=np.int64))
    with pytest.raises(TypeError):
        xp.meshgrid(a, b)
    with pytest.raises(ValueError):
        xp.meshgrid(a, a, indexing="yx")
