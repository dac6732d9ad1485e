"""``Array.__getitem__``/``__setitem__`` against NumPy: basic indices (ints, slices
with negative steps, ``...``, ``None``), integer-array and boolean-array indices, and
values that are Python scalars or arrays; bad indices raise a ``HalIndexError``
naming the op and the device."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import _strategies as hs
import hal as xp

ALL = hs.dtype_params()


def _hal_key(key):
    """A NumPy index with its arrays put on the device under test."""
    if isinstance(key, tuple):
        return tuple(_hal_key(k) for k in key)
    return hs.to_device(key) if isinstance(key, np.ndarray) else key


def _basic_index(shape):
    return hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True)


def _shape_broadcasting_to(data, target):
    """A shape that broadcasts to ``target``: a suffix of it with some sides 1."""
    n = data.draw(st.integers(0, len(target)), label="value ndim")
    suffix = target[len(target) - n:]
    ones = data.draw(st.lists(st.booleans(), min_size=n, max_size=n), label="ones")
    return tuple(1 if one else side for side, one in zip(suffix, ones))


def _value_dtypes(dtype):
    """Dtypes whose values a ``dtype`` array can store (promotion gives ``dtype``)."""
    return [d for d in hs.device_dtypes() if hs.expected_promotion(d, dtype) is dtype]


def _scalar_types(dtype):
    """Python scalar types the standard lets one store into a ``dtype`` array."""
    return {"b": [bool], "i": [bool, int], "u": [bool, int], "f": [bool, int, float],
            "c": [bool, int, float, complex]}[dtype.kind]


# -- __getitem__ -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_getitem_basic(dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(max_side=5)), label="x")
    key = data.draw(_basic_index(a.shape), label="key")
    out = hs.to_device(a)[key]
    hs.assert_matches(out, np.asarray(a[key]), msg=f"x[{key!r}]")


@given(data=st.data())
def test_getitem_negative_steps(data, device):
    a = np.arange(24).reshape(2, 3, 4)
    step = data.draw(st.integers(-4, -1), label="step")
    start = data.draw(st.none() | st.integers(-6, 6), label="start")
    stop = data.draw(st.none() | st.integers(-6, 6), label="stop")
    key = (Ellipsis, slice(start, stop, step))
    hs.assert_matches(hs.to_device(a)[key], a[key])
    hs.assert_matches(hs.to_device(a)[::-1, None, 1], a[::-1, None, 1])


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_getitem_integer_arrays(dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_dims=1, min_side=1)), label="x")
    index_dtype = data.draw(st.sampled_from(hs.device_dtypes("iu")), label="index dtype")
    key = data.draw(hnp.integer_array_indices(a.shape, dtype=hs.np_dtype(index_dtype)),
                    label="key")
    if len(key) == 1 and data.draw(st.booleans(), label="bare array"):
        key = key[0]
    hs.assert_matches(hs.to_device(a)[_hal_key(key)], a[key])


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_getitem_boolean_array(dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_dims=0)), label="x")
    k = data.draw(st.integers(0, a.ndim), label="mask ndim")
    mask = data.draw(hs.arrays(xp.bool, a.shape[:k]), label="mask")
    hs.assert_matches(hs.to_device(a)[hs.to_device(mask)], a[mask])
    if a.ndim > k:  # the mask, then the remaining axes
        key = (hs.to_device(mask), Ellipsis)
        hs.assert_matches(hs.to_device(a)[key], a[mask, ...])


def test_getitem_other_keys(device):
    a = np.arange(12).reshape(3, 4)
    x = hs.to_device(a)
    hs.assert_matches(x[hs.to_device(np.array(2))], a[2])  # a 0-D integer array
    hs.assert_matches(x[[0, 2]], a[[0, 2]])  # a list
    hs.assert_matches(x[np.int64(1), np.int32(-1)], a[1, -1])  # NumPy integers
    hs.assert_matches(x[True], a[True])
    hs.assert_matches(x[...], a)
    hs.assert_matches(x[()], a)


@pytest.mark.parametrize("key", [3, -4, (0, 4), (slice(None), -5),
                                 np.array([0, 3]), (0, np.array([-5]))],
                         ids=["int", "negative", "second-axis", "neg-second", "array",
                              "array-second"])
def test_getitem_out_of_range(key, device):
    x = hs.to_device(np.zeros((3, 4)))
    with pytest.raises(IndexError) as info:
        x[_hal_key(key)]
    assert isinstance(info.value, xp.HalIndexError)
    message = str(info.value)
    assert "__getitem__" in message and str(device) in message, message


@pytest.mark.parametrize("key", [1.5, "a", (0, 0, 0), np.array([0.5]),
                                 np.array([True, False])],
                         ids=["float", "str", "too-many", "float-array", "short-mask"])
def test_getitem_malformed(key, device):
    x = hs.to_device(np.zeros((3, 4)))
    with pytest.raises(IndexError) as info:
        x[_hal_key(key)]
    assert isinstance(info.value, xp.HalError)
    assert "__getitem__" in str(info.value) and str(device) in str(info.value)


# -- __setitem__ -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_setitem_basic_scalar(dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(max_side=5)), label="x")
    key = data.draw(_basic_index(a.shape), label="key")
    kind = data.draw(st.sampled_from(_scalar_types(dtype)), label="scalar type")
    value = data.draw(hs.python_scalars(kind, dtype), label="value")
    x = hs.to_device(a)
    x[key] = value
    ref = a.copy()
    ref[key] = value
    hs.assert_matches(x, ref, msg=f"x[{key!r}] = {value!r}")


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_setitem_basic_array(dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(max_side=5)), label="x")
    key = data.draw(_basic_index(a.shape), label="key")
    target = a[key].shape
    value_dtype = data.draw(st.sampled_from(_value_dtypes(dtype)), label="value dtype")
    v = data.draw(hs.arrays(value_dtype, _shape_broadcasting_to(data, target)),
                  label="value")
    x = hs.to_device(a)
    x[key] = hs.to_device(v)
    ref = a.copy()
    ref[key] = v.astype(a.dtype)
    hs.assert_matches(x, ref, msg=f"x[{key!r}] = array{v.shape}")


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_setitem_boolean_mask(dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_dims=1)), label="x")
    mask = data.draw(hs.arrays(xp.bool, a.shape), label="mask")
    x = hs.to_device(a)
    if data.draw(st.booleans(), label="array value"):
        v = data.draw(hs.arrays(dtype, (int(mask.sum()),)), label="value")
        x[hs.to_device(mask)] = hs.to_device(v)
    else:
        v = data.draw(hs.python_scalars(_scalar_types(dtype)[-1], dtype), label="value")
        x[hs.to_device(mask)] = v
    ref = a.copy()
    ref[mask] = v
    hs.assert_matches(x, ref)


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_setitem_integer_array(dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_dims=1, min_side=1)), label="x")
    key = data.draw(hnp.integer_array_indices(a.shape, result_shape=hs.shapes(1, 1, 0, 3)),
                    label="key")
    # duplicate indices would make the winner unspecified: keep the first of each
    flat = np.ravel_multi_index(tuple(np.mod(k, s) for k, s in zip(key, a.shape)),
                                a.shape)
    _, first = np.unique(flat, return_index=True)
    key = tuple(k[np.sort(first)] for k in key)
    v = data.draw(hs.arrays(dtype, a[key].shape), label="value")
    x = hs.to_device(a)
    x[_hal_key(key)] = hs.to_device(v)
    ref = a.copy()
    ref[key] = v
    hs.assert_matches(x, ref)


def test_setitem_refuses_lossy_values(device):
    x = hs.to_device(np.zeros(3, dtype=np.int32))
    for value in (1.5, 1j, hs.to_device(np.ones(3)), hs.to_device(np.ones(3, np.int64))):
        with pytest.raises(TypeError) as info:
            x[0:3] = value
        assert isinstance(info.value, xp.HalError) and "__setitem__" in str(info.value)
    b = hs.to_device(np.zeros(3, dtype=bool))
    with pytest.raises(TypeError):
        b[0] = 2
    with pytest.raises(TypeError):
        x[0] = "1"
    np.testing.assert_array_equal(hs.to_numpy(x), np.zeros(3))


@pytest.mark.parametrize("key", [3, (0, 4), np.array([5])], ids=["int", "tuple", "array"])
def test_setitem_out_of_range(key, device):
    x = hs.to_device(np.zeros((3, 4)))
    with pytest.raises(IndexError) as info:
        x[_hal_key(key)] = 1.0
    assert isinstance(info.value, xp.HalIndexError)
    assert "__setitem__" in str(info.value) and str(device) in str(info.value)


def test_setitem_shape_mismatch(device):
    x = hs.to_device(np.zeros((3, 4)))
    with pytest.raises(ValueError) as info:
        x[0] = hs.to_device(np.ones(3))
    assert isinstance(info.value, xp.HalError)


def test_setitem_0d(device):
    x = hs.to_device(np.array(1.0))
    x[()] = 2.5
    assert float(x) == 2.5
    x[...] = hs.to_device(np.array(4.0))
    assert float(x) == 4.0
    y = hs.to_device(np.arange(3.0))[1]  # a 0-D result of indexing
    y[()] = 7.0
    assert float(y) == 7.0
