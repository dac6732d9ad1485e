"""Searching, sorting, set and indexing functions against NumPy, for every dtype of
the device (index dtypes and ``where``'s promotion also against array-api-strict)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import _strategies as hs
import hal as xp


ALL = hs.dtype_params()
REAL = hs.dtype_params("biuf")


def _axis_or_none(data, ndim):
    if ndim == 0 or data.draw(st.booleans(), label="axis=None"):
        return None
    return data.draw(st.integers(-ndim, ndim - 1), label="axis")


def _index_dtype():
    return hs.device().default_index


# -- argmax / argmin / count_nonzero / nonzero -----------------------------------------

@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("dtype", REAL)
@given(data=st.data())
def test_argmax_argmin(name, dtype, data):
    # NaN's position is unspecified by the standard: finite values only
    a = data.draw(hs.finite_arrays(dtype, hs.shapes(min_side=1)), label="x")
    axis = _axis_or_none(data, a.ndim)
    keepdims = data.draw(st.booleans(), label="keepdims")
    out = getattr(xp, name)(hs.to_device(a), axis=axis, keepdims=keepdims)
    ref = getattr(np, name)(a, axis=axis, keepdims=keepdims)
    hs.assert_matches(out, np.asarray(ref).astype(hs.np_dtype(_index_dtype())))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_refuse(name, device):
    with pytest.raises(ValueError) as info:
        getattr(xp, name)(hs.to_device(np.ones((0, 3))))
    assert isinstance(info.value, xp.HalError)
    with pytest.raises(TypeError) as info:
        getattr(xp, name)(hs.to_device(np.ones(3, dtype=complex)))
    assert isinstance(info.value, xp.HalError) and name in str(info.value)


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_count_nonzero(dtype, data):
    a = data.draw(hs.arrays(dtype), label="x")
    choice = data.draw(st.sampled_from(["none", "int", "tuple"]), label="axis kind")
    if choice == "none" or a.ndim == 0:
        axis = None
    elif choice == "int":
        axis = data.draw(st.integers(-a.ndim, a.ndim - 1), label="axis")
    else:
        axis = tuple(data.draw(st.lists(st.integers(0, a.ndim - 1), unique=True),
                               label="axes"))
    keepdims = data.draw(st.booleans(), label="keepdims")
    out = xp.count_nonzero(hs.to_device(a), axis=axis, keepdims=keepdims)
    ref = np.count_nonzero(a, axis=axis, keepdims=keepdims)
    hs.assert_matches(out, np.asarray(ref).astype(hs.np_dtype(hs.default_int())))


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_nonzero(dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_dims=1)), label="x")
    out = xp.nonzero(hs.to_device(a))
    ref = np.nonzero(a)
    assert isinstance(out, tuple) and len(out) == a.ndim
    for got, want in zip(out, ref):
        hs.assert_matches(got, want.astype(hs.np_dtype(_index_dtype())))


def test_nonzero_refuses_0d(device):
    with pytest.raises(ValueError) as info:
        xp.nonzero(hs.to_device(np.array(1)))
    assert isinstance(info.value, xp.HalError)


# -- where -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_where(dtype, data):
    from hypothesis.extra import numpy as hnp
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3,
                                                         max_side=3), label="shapes")
    sc, s1, s2 = shapes.input_shapes
    cond = data.draw(hs.arrays(xp.bool, sc), label="condition")
    other = data.draw(st.sampled_from([dtype] * 4 + hs.device_dtypes()), label="other")
    x1 = data.draw(hs.arrays(dtype, s1), label="x1")
    x2 = data.draw(hs.arrays(other, s2), label="x2")
    expected = hs.expected_promotion(dtype, other)
    args = (hs.to_device(cond), hs.to_device(x1), hs.to_device(x2))
    if expected is None:
        with pytest.raises(TypeError):
            xp.where(*args)
        return
    out = xp.where(*args)
    ref = np.where(cond, x1.astype(hs.np_dtype(expected)), x2.astype(hs.np_dtype(expected)))
    hs.assert_matches(out, ref, dtype=expected)
    hs.check_against_strict(out.dtype, "where", xp.bool, dtype, other)


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_where_python_scalars(dtype, data):
    """2024.12: either branch may be a Python scalar, with the standard's weak typing."""
    cond = data.draw(hs.arrays(xp.bool), label="condition")
    x = data.draw(hs.arrays(dtype, cond.shape), label="x")
    scalar_type = data.draw(st.sampled_from([bool, int, float, complex]), label="type")
    s = data.draw(hs.python_scalars(scalar_type, dtype), label="scalar")
    expected = hs.expected_scalar(dtype, scalar_type)
    first = data.draw(st.booleans(), label="scalar first")
    hal_args = (s, hs.to_device(x)) if first else (hs.to_device(x), s)
    out = xp.where(hs.to_device(cond), *hal_args)
    cast = x.astype(hs.np_dtype(expected))
    with np.errstate(all="ignore"):
        filler = np.full(cond.shape, s, dtype=hs.np_dtype(expected))
    ref = np.where(cond, filler, cast) if first else np.where(cond, cast, filler)
    hs.assert_matches(out, ref, dtype=expected)
    hs.check_against_strict(out.dtype, "where", xp.bool,
                            *((scalar_type, dtype) if first else (dtype, scalar_type)))


def test_where_needs_a_bool_condition(device):
    with pytest.raises(TypeError) as info:
        xp.where(hs.to_device(np.ones(3)), hs.to_device(np.ones(3)), 0.0)
    assert isinstance(info.value, xp.HalError)


# -- sort / argsort / searchsorted -----------------------------------------------------

@pytest.mark.parametrize("name", ["sort", "argsort"])
@pytest.mark.parametrize("dtype", REAL)
@given(data=st.data())
def test_sort_argsort(name, dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_dims=1)), label="x")
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1), label="axis")
    descending = data.draw(st.booleans(), label="descending")
    out = getattr(xp, name)(hs.to_device(a), axis=axis, descending=descending, stable=True)
    if name == "sort":
        ref = np.sort(a, axis=axis, kind="stable")
        hs.assert_matches(out, np.flip(ref, axis=axis) if descending else ref)
        return
    # A stable descending argsort keeps equal elements in their original order (the
    # standard's definition); NaNs sort last ascending, first descending, as NumPy.
    n = a.shape[axis]
    if descending:
        ref = np.flip(n - 1 - np.argsort(np.flip(a, axis=axis), axis=axis, kind="stable"),
                      axis=axis)
    else:
        ref = np.argsort(a, axis=axis, kind="stable")
    hs.assert_matches(out, ref.astype(hs.np_dtype(_index_dtype())))
    # and the indices really sort the array
    taken = np.take_along_axis(a, hs.to_numpy(out), axis=axis)
    want = np.sort(a, axis=axis, kind="stable")
    np.testing.assert_array_equal(taken, np.flip(want, axis=axis) if descending else want)


def test_stable_descending_argsort_keeps_ties_in_order(device):
    a = np.array([3, 1, 3, 2, 1, 3])
    out = hs.to_numpy(xp.argsort(hs.to_device(a), descending=True))
    np.testing.assert_array_equal(out, [0, 2, 5, 3, 1, 4])


@pytest.mark.parametrize("dtype", REAL)
@given(data=st.data())
def test_searchsorted(dtype, data):
    x1 = np.sort(data.draw(hs.finite_arrays(dtype, hs.shapes(1, 1)), label="x1"))
    x2 = data.draw(hs.finite_arrays(dtype), label="x2")
    side = data.draw(st.sampled_from(["left", "right"]), label="side")
    use_sorter = data.draw(st.booleans(), label="sorter")
    if use_sorter:  # x1 unsorted plus the permutation that sorts it
        perm = np.asarray(data.draw(st.permutations(range(x1.size)), label="perm"),
                          dtype=np.int64)
        unsorted = np.empty_like(x1)
        unsorted[perm] = x1
        out = xp.searchsorted(hs.to_device(unsorted), hs.to_device(x2), side=side,
                              sorter=hs.to_device(perm))
    else:
        out = xp.searchsorted(hs.to_device(x1), hs.to_device(x2), side=side)
    ref = np.searchsorted(x1, x2, side=side)
    hs.assert_matches(out, ref.astype(hs.np_dtype(_index_dtype())))


@pytest.mark.parametrize("dtype", hs.dtype_params("iuf"))
@given(data=st.data())
def test_searchsorted_python_scalar(dtype, data):
    """A Python scalar x2 is weak: 1.5 searched in integers lands between 1 and 2."""
    x1 = np.sort(data.draw(hs.finite_arrays(dtype, hs.shapes(1, 1)), label="x1"))
    scalar_type = data.draw(st.sampled_from([int, float]), label="type")
    s = data.draw(hs.python_scalars(scalar_type, dtype).filter(
        lambda v: v == v and abs(v) != float("inf")), label="x2")
    side = data.draw(st.sampled_from(["left", "right"]), label="side")
    out = xp.searchsorted(hs.to_device(x1), s, side=side)
    compute = hs.np_dtype(hs.expected_scalar(dtype, scalar_type))
    ref = np.searchsorted(x1.astype(compute), np.asarray(s, dtype=compute), side=side)
    hs.assert_matches(out, np.asarray(ref).astype(hs.np_dtype(_index_dtype())))


# -- unique_* --------------------------------------------------------------------------

def _unique_arrays(dtype):
    """Arrays with repeated values (so unique has something to do)."""
    pool = hs.elements(dtype, allow_nan=False) if dtype.kind in "fc" else hs.elements(dtype)
    return st.lists(pool, max_size=4).flatmap(
        lambda values: hs.arrays(dtype, elements_=st.sampled_from(values))
        if values else hs.arrays(dtype, (0,)))


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_unique_values_and_counts(dtype, data):
    a = data.draw(_unique_arrays(dtype), label="x")
    x = hs.to_device(a)
    values, counts = np.unique(a, return_counts=True)
    hs.assert_matches(xp.unique_values(x), values)
    out = xp.unique_counts(x)
    assert out._fields == ("values", "counts")
    hs.assert_matches(out.values, values)
    hs.assert_matches(out.counts, counts.astype(hs.np_dtype(_index_dtype())))


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_unique_inverse_and_all(dtype, data):
    a = data.draw(_unique_arrays(dtype), label="x")
    x = hs.to_device(a)
    values, index, inverse, counts = np.unique(a, return_index=True, return_inverse=True,
                                               return_counts=True)
    idx = hs.np_dtype(_index_dtype())
    inv = xp.unique_inverse(x)
    assert inv._fields == ("values", "inverse_indices")
    hs.assert_matches(inv.values, values)
    # the standard: inverse_indices has x's shape and values[inverse] == x
    hs.assert_matches(inv.inverse_indices, inverse.reshape(a.shape).astype(idx))
    full = xp.unique_all(x)
    assert full._fields == ("values", "indices", "inverse_indices", "counts")
    hs.assert_matches(full.values, values)
    hs.assert_matches(full.indices, index.astype(idx))
    hs.assert_matches(full.inverse_indices, inverse.reshape(a.shape).astype(idx))
    hs.assert_matches(full.counts, counts.astype(idx))


def test_unique_keeps_nans_distinct(device):
    a = np.array([np.nan, 1.0, np.nan, 1.0])
    out = hs.to_numpy(xp.unique_values(hs.to_device(a)))
    assert out.shape == (3,) and np.isnan(out).sum() == 2
    counts = xp.unique_counts(hs.to_device(a))
    assert hs.to_numpy(counts.counts).tolist() == [2, 1, 1]


# -- isin ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_isin(dtype, data):
    a = data.draw(_unique_arrays(dtype), label="x1")
    other = data.draw(st.sampled_from([dtype] * 4 + hs.device_dtypes()), label="dtype2")
    b = data.draw(hs.arrays(other, hs.shapes(max_dims=2)), label="x2")
    invert = data.draw(st.booleans(), label="invert")
    expected = hs.expected_promotion(dtype, other)
    if expected is None:
        with pytest.raises(TypeError):
            xp.isin(hs.to_device(a), hs.to_device(b), invert=invert)
        return
    out = xp.isin(hs.to_device(a), hs.to_device(b), invert=invert)
    cast = hs.np_dtype(expected)
    hs.assert_matches(out, np.isin(a.astype(cast), b.astype(cast), invert=invert))


# -- take / take_along_axis ------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_take(dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_dims=1, min_side=1)), label="x")
    axis = None if a.ndim == 1 and data.draw(st.booleans(), label="no axis") \
        else data.draw(st.integers(-a.ndim, a.ndim - 1), label="axis")
    n = a.shape[0 if axis is None else axis]
    index_dtype = data.draw(st.sampled_from(hs.device_dtypes("iu")), label="index dtype")
    hi = min(n - 1, int(np.iinfo(hs.np_dtype(index_dtype)).max))
    lo = 0 if index_dtype.kind == "u" else max(-n, -128)
    idx = data.draw(hs.arrays(index_dtype, hs.shapes(1, 1), elements_=st.integers(lo, hi)),
                    label="indices")
    out = xp.take(hs.to_device(a), hs.to_device(idx), axis=axis)
    hs.assert_matches(out, np.take(a, idx, axis=0 if axis is None else axis))


@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_take_along_axis(dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_dims=1, min_side=1)), label="x")
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1), label="axis")
    shape = list(a.shape)
    shape[axis] = data.draw(st.integers(0, 4), label="count")
    n = a.shape[axis]
    idx = data.draw(hs.arrays(xp.int64, tuple(shape), elements_=st.integers(-n, n - 1)),
                    label="indices")
    out = xp.take_along_axis(hs.to_device(a), hs.to_device(idx), axis=axis)
    hs.assert_matches(out, np.take_along_axis(a, idx, axis=axis))


def test_take_errors(device):
    x = hs.to_device(np.arange(5.0))
    with pytest.raises(TypeError) as info:
        xp.take(x, hs.to_device(np.array([0.0])))
    assert isinstance(info.value, xp.HalError)
    with pytest.raises(IndexError) as info:
        xp.take(x, hs.to_device(np.array([7])))
    assert isinstance(info.value, xp.HalError)
    assert "take" in str(info.value) and str(device) in str(info.value)
    with pytest.raises(ValueError):
        xp.take(hs.to_device(np.ones((2, 2))), hs.to_device(np.array([0])))
