"""Statistical and utility functions against NumPy, for every dtype of the device
(accumulation dtypes also against array-api-strict)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import _strategies as hs
import hal as xp


ALL = hs.dtype_params()
NUMERIC = hs.dtype_params("iufc")
REAL = hs.dtype_params("biuf")
BOUND = 1000  # bounded float inputs, so float sums are compared with a fair tolerance


def _axes(data, ndim, allow_tuple=True):
    """None, an int (maybe negative) or a tuple of distinct axes."""
    kinds = ["none", "int", "tuple"] if allow_tuple else ["none", "int"]
    choice = data.draw(st.sampled_from(kinds), label="axis kind")
    if choice == "none" or ndim == 0:
        return None
    if choice == "int":
        return data.draw(st.integers(-ndim, ndim - 1), label="axis")
    return tuple(data.draw(st.lists(st.integers(0, ndim - 1), unique=True), label="axes"))


def _float_tolerance(a, dtype):
    """Sums of n bounded values: the rounding error grows with n and their magnitude."""
    if dtype.kind not in "fc":
        return {}
    eps = float(np.finfo(hs.np_dtype(hs.real_of(dtype))).eps)
    scale = float(np.max(np.abs(a.astype(complex)), initial=1.0)) * max(a.size, 1)
    return {"rtol": 16 * eps, "atol": 16 * eps * scale}


# -- sum / prod / cumulative -----------------------------------------------------------

@pytest.mark.parametrize("name", ["sum", "prod"])
@pytest.mark.parametrize("dtype", NUMERIC + hs.dtype_params("b"))
@given(data=st.data())
def test_sum_prod(name, dtype, data):
    a = data.draw(hs.finite_arrays(dtype, lo=-4, hi=4) if name == "prod"
                  else hs.finite_arrays(dtype, lo=-BOUND, hi=BOUND), label="x")
    axis = _axes(data, a.ndim)
    keepdims = data.draw(st.booleans(), label="keepdims")
    out_dtype = data.draw(st.sampled_from([None, hs.accumulation_dtype(dtype)]
                                          + ([dtype] if dtype.kind != "b" else [])),
                          label="dtype")
    want = hs.accumulation_dtype(dtype) if out_dtype is None else out_dtype
    out = getattr(xp, name)(hs.to_device(a), axis=axis, dtype=out_dtype, keepdims=keepdims)
    with np.errstate(all="ignore"):
        ref = getattr(np, name)(a, axis=axis, dtype=hs.np_dtype(want), keepdims=keepdims)
    hs.assert_matches(out, ref, dtype=want, **_float_tolerance(a, want))
    if out_dtype is None:
        hs.check_against_strict(out.dtype, name, dtype)


@pytest.mark.parametrize("name", ["cumulative_sum", "cumulative_prod"])
@pytest.mark.parametrize("dtype", NUMERIC + hs.dtype_params("b"))
@given(data=st.data())
def test_cumulative(name, dtype, data):
    lo, hi = (-4, 4) if name == "cumulative_prod" else (-BOUND, BOUND)
    a = data.draw(hs.finite_arrays(dtype, hs.shapes(min_dims=1), lo=lo, hi=hi), label="x")
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1), label="axis") \
        if a.ndim > 1 or data.draw(st.booleans(), label="axis given") else None
    include_initial = data.draw(st.booleans(), label="include_initial")
    want = hs.accumulation_dtype(dtype)
    out = getattr(xp, name)(hs.to_device(a), axis=axis, include_initial=include_initial)
    with np.errstate(all="ignore"):
        ref = getattr(np, name)(a, axis=0 if axis is None else axis,
                                dtype=hs.np_dtype(want), include_initial=include_initial)
    hs.assert_matches(out, ref, dtype=want, **_float_tolerance(a, want))
    hs.check_against_strict(out.dtype, name, dtype)


def test_cumulative_needs_an_axis_for_nd(device):
    with pytest.raises(ValueError) as info:
        xp.cumulative_sum(hs.to_device(np.ones((2, 2))))
    assert isinstance(info.value, xp.HalError)


# -- max / min -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dtype", REAL)
@given(data=st.data())
def test_max_min(name, dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_side=1)), label="x")  # NaN propagates
    axis = _axes(data, a.ndim)
    keepdims = data.draw(st.booleans(), label="keepdims")
    out = getattr(xp, name)(hs.to_device(a), axis=axis, keepdims=keepdims)
    hs.assert_matches(out, getattr(np, name)(a, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_refuse(name, device):
    with pytest.raises(ValueError) as info:
        getattr(xp, name)(hs.to_device(np.ones((2, 0))), axis=1)
    assert isinstance(info.value, xp.HalError)
    hs.assert_matches(getattr(xp, name)(hs.to_device(np.ones((2, 0))), axis=0),
                      np.ones(0))
    with pytest.raises(TypeError) as info:
        getattr(xp, name)(hs.to_device(np.ones(2, dtype=complex)))
    assert isinstance(info.value, xp.HalError)


# -- mean / var / std ------------------------------------------------------------------

def _floating_dtype(dtype):
    """hal computes integer statistics in the default floating dtype."""
    return hs.default_float() if dtype.kind in "iu" else dtype


@pytest.mark.parametrize("dtype", NUMERIC)
@given(data=st.data())
def test_mean(dtype, data):
    a = data.draw(hs.finite_arrays(dtype, lo=-BOUND, hi=BOUND), label="x")
    axis = _axes(data, a.ndim)
    keepdims = data.draw(st.booleans(), label="keepdims")
    want = _floating_dtype(dtype)
    out = xp.mean(hs.to_device(a), axis=axis, keepdims=keepdims)
    with np.errstate(all="ignore"):
        ref = np.mean(a.astype(hs.np_dtype(want)), axis=axis, keepdims=keepdims)
    hs.assert_matches(out, ref, dtype=want, **_float_tolerance(a, want))
    hs.check_against_strict(out.dtype, "mean", dtype)


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("dtype", hs.dtype_params("iuf"))
@given(data=st.data())
def test_var_std(name, dtype, data):
    a = data.draw(hs.finite_arrays(dtype, lo=-BOUND, hi=BOUND), label="x")
    axis = _axes(data, a.ndim)
    keepdims = data.draw(st.booleans(), label="keepdims")
    correction = data.draw(st.sampled_from([0, 1, 0.5]), label="correction")
    want = _floating_dtype(dtype)
    out = getattr(xp, name)(hs.to_device(a), axis=axis, correction=correction,
                            keepdims=keepdims)
    with np.errstate(all="ignore"):
        ref = getattr(np, name)(a.astype(hs.np_dtype(want)), axis=axis,
                                correction=correction, keepdims=keepdims)
    tol = _float_tolerance(a, want)
    if name == "var" and tol:
        tol["atol"] *= BOUND  # a variance is a square
    hs.assert_matches(out, ref, dtype=want, **tol)
    hs.check_against_strict(out.dtype, name, dtype)


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_refuse_complex_and_bool(name, device):
    for dtype in (complex, bool):
        with pytest.raises(TypeError) as info:
            getattr(xp, name)(hs.to_device(np.ones(3, dtype=dtype)))
        assert isinstance(info.value, xp.HalError) and name in str(info.value)


# -- all / any -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["all", "any"])
@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_all_any(name, dtype, data):
    a = data.draw(hs.arrays(dtype), label="x")
    axis = _axes(data, a.ndim)
    keepdims = data.draw(st.booleans(), label="keepdims")
    out = getattr(xp, name)(hs.to_device(a), axis=axis, keepdims=keepdims)
    hs.assert_matches(out, getattr(np, name)(a, axis=axis, keepdims=keepdims))


# -- diff / clip -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", NUMERIC)
@given(data=st.data())
def test_diff(dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_dims=1)), label="x")
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1), label="axis")
    n = data.draw(st.integers(0, 3), label="n")
    kwargs = {}
    for where in ("prepend", "append"):
        if data.draw(st.booleans(), label=where):
            shape = list(a.shape)
            shape[axis] = data.draw(st.integers(0, 2), label=f"{where} side")
            kwargs[where] = data.draw(hs.arrays(dtype, tuple(shape)), label=where)
    out = xp.diff(hs.to_device(a), axis=axis, n=n,
                  **{k: hs.to_device(v) for k, v in kwargs.items()})
    with np.errstate(all="ignore"):
        ref = np.diff(a, axis=axis, n=n, **kwargs)
    hs.assert_matches(out, ref)


def test_diff_refuses(device):
    with pytest.raises(TypeError) as info:
        xp.diff(hs.to_device(np.array([True, False])))
    assert isinstance(info.value, xp.HalError)
    with pytest.raises(ValueError):
        xp.diff(hs.to_device(np.array(1.0)))
    with pytest.raises(ValueError):
        xp.diff(hs.to_device(np.ones(3)), n=-1)


def _bound_values(dtype):
    if dtype.kind == "b":
        return st.booleans()
    if dtype.kind in "iu":
        return hs.python_scalars(int, dtype)
    return hs.elements(dtype, allow_nan=False).map(float)


@pytest.mark.parametrize("dtype", hs.dtype_params("iuf"))
@given(data=st.data())
def test_clip(dtype, data):
    a = data.draw(hs.arrays(dtype), label="x")
    bounds = {}
    for name in ("min", "max"):
        kind = data.draw(st.sampled_from(["none", "scalar", "array"]), label=name)
        if kind == "scalar":
            bounds[name] = data.draw(_bound_values(dtype), label=f"{name} value")
        elif kind == "array":
            bounds[name] = data.draw(hs.finite_arrays(dtype, a.shape), label=f"{name} array")
    lo, hi = bounds.get("min"), bounds.get("max")
    if lo is not None and hi is not None and np.any(np.asarray(lo) > np.asarray(hi)):
        lo, hi = hi, lo  # min > max is unspecified by the standard
        bounds = {"min": lo, "max": hi}
    out = xp.clip(hs.to_device(a), **{k: hs.to_device(v) if isinstance(v, np.ndarray)
                                       else v for k, v in bounds.items()})
    ref = a if lo is None and hi is None else np.clip(a, lo, hi)
    hs.assert_matches(out, np.asarray(ref).astype(a.dtype), dtype=dtype)


def test_clip_int_array_with_out_of_range_python_bounds(device):
    """Python ints beyond the dtype's range clamp (the result keeps x's dtype)."""
    a = np.array([0, 100, 255], dtype=np.uint8)
    out = xp.clip(hs.to_device(a), -5, 300)
    hs.assert_matches(out, a)
    with pytest.raises(TypeError):
        xp.clip(hs.to_device(a), 0.5, None)
    with pytest.raises(TypeError):
        xp.clip(hs.to_device(np.ones(2, dtype=complex)), 0, 1)
