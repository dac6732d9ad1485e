"""hal.jit of var and std (axis, keepdims, correction) with an elementwise producer:
the results against NumPy's, with the tolerance eager hal's own var/std has in
test_statistics, on the device under test; the producer chain is fused into the
kernels (no temporary of it), and a layer norm's mean is one kernel."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import _strategies as hs
import hal

BOUND = 100


def fuses(device) -> bool:
    return device.backend == "opencl" or (
        device.backend == "oneapi" and "raw_kernels" in device.capabilities.features)


def _axes(data, ndim):
    kind = data.draw(st.sampled_from(["none", "int", "tuple"]), label="axis kind")
    if kind == "none" or ndim == 0:
        return None
    if kind == "int":
        return data.draw(st.integers(-ndim, ndim - 1), label="axis")
    return tuple(data.draw(st.lists(st.integers(0, ndim - 1), unique=True), label="axes"))


def _tolerance(a, dtype):
    # test_statistics' bound for eager var/std: n bounded values summed (``a`` is the
    # producer's values); a variance is a square
    eps = float(np.finfo(hs.np_dtype(dtype)).eps)
    top = float(np.max(np.abs(a), initial=1.0))
    return {"rtol": 16 * eps, "atol": 16 * eps * top * max(a.size, 1) * top}


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("dtype", hs.dtype_params("iuf"))
@given(data=st.data())
def test_var_std_of_a_fused_producer(name, dtype, data, device):
    a = data.draw(hs.finite_arrays(dtype, lo=-BOUND, hi=BOUND), label="x")
    axis = _axes(data, a.ndim)
    keepdims = data.draw(st.booleans(), label="keepdims")
    correction = data.draw(st.sampled_from([0, 1, 0.5]), label="correction")
    if dtype.kind in "iu":
        want = device.default_float
    else:
        want = dtype

    def fn(x, y):
        return getattr(hal, name)(x * 2 - y, axis=axis, correction=correction,
                                  keepdims=keepdims)
    x = hs.to_device(a)
    y = hs.to_device(np.ones(a.shape[-1:] if a.ndim else (), dtype=a.dtype))
    f = hal.jit(fn)
    out = f(x, y)
    assert out.dtype == fn(x, y).dtype == want
    with np.errstate(all="ignore"):
        # the producer in the input dtype (integers wrap, as hal's do), then as eager
        host = (a * a.dtype.type(2) - a.dtype.type(1)).astype(hs.np_dtype(want))
        ref = getattr(np, name)(host, axis=axis, correction=correction,
                                keepdims=keepdims)
    got = hal.to_numpy(out)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, equal_nan=True, **_tolerance(host, want))


def test_layer_norm_is_three_kernels_with_no_temporaries(xp, device):
    """mean, var (sharing that mean) and the normalisation: three kernel steps, each
    reading the input; no step writes the producer's full-size values."""
    def layer_norm(x, g, b):
        h = x * 1.5
        m = hal.mean(h, axis=-1, keepdims=True)
        v = hal.var(h, axis=-1, keepdims=True)
        return (h - m) / hal.sqrt(v + 1e-5) * g + b
    rng = np.random.default_rng(5)
    a = rng.standard_normal((6, 33)).astype(np.float32)
    g, b = rng.standard_normal(33).astype(np.float32), rng.standard_normal(33).astype(
        np.float32)
    args = [xp.asarray(v, device=device) for v in (a, g, b)]
    f = hal.jit(layer_norm)
    h = a * 1.5
    want = (h - h.mean(-1, keepdims=True)) / np.sqrt(h.var(-1, keepdims=True) + 1e-5) * g + b
    np.testing.assert_allclose(hal.to_numpy(f(*args)), want, rtol=1e-4, atol=1e-4)
    if fuses(device):
        text = f.explain(*args)
        assert text.count("step ") == 3 and "cut:" not in text
        assert "mean over axes (1,)" in text and "var over axes (1,)" in text
        assert "correction=0.0" in text
