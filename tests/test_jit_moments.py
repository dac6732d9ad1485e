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


def _layer_norm(x, g, b):
    h = x * 1.5
    m = hal.mean(h, axis=-1, keepdims=True)
    v = hal.var(h, axis=-1, keepdims=True)
    return (h - m) / hal.sqrt(v + 1e-5) * g + b, m


def _np_layer_norm(a, g, b):
    h = a * np.float32(1.5)
    m = h.mean(-1, keepdims=True)
    return (h - m) / np.sqrt(h.var(-1, keepdims=True) + np.float32(1e-5)) * g + b, m


def _softmax(x):
    e = hal.exp(x - hal.max(x, axis=-1, keepdims=True))
    return e / hal.sum(e, axis=-1, keepdims=True)


def _np_softmax(a):
    e = np.exp(a - a.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _steps(f, *args):
    return [line for line in f.explain(*args).splitlines() if line.startswith("step ")]


@pytest.mark.parametrize("layout", ["contiguous", "3-D", "transposed", "few rows"])
def test_row_kernels_softmax_and_layer_norm(xp, device, layout):
    """A row reduction (trailing axes, keepdims) feeding an elementwise value of the
    full shape runs as one row kernel (the mean shared with var, the softmax's exp
    kept, the mean also returned); layouts it cannot walk as rows, and too few rows,
    run the separate kernels: the same results either way."""
    rng = np.random.default_rng(5)
    shape = {"contiguous": (40, 33), "3-D": (4, 10, 33), "transposed": (33, 40),
             "few rows": (2, 33)}[layout]
    a = rng.standard_normal(shape).astype(np.float32)
    x = xp.asarray(a, device=device)
    if layout == "transposed":
        x, a = x.T, np.ascontiguousarray(a.T)
    g, b = (rng.standard_normal(33).astype(np.float32) for _ in range(2))
    gd, bd = xp.asarray(g, device=device), xp.asarray(b, device=device)
    ln, sm = hal.jit(_layer_norm), hal.jit(_softmax)
    for _ in range(2):  # the trace, then the replay
        got, mean = ln(x, gd, bd)
        want, want_mean = _np_layer_norm(a, g, b)
        np.testing.assert_allclose(hal.to_numpy(got), want, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(hal.to_numpy(mean), want_mean, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(hal.to_numpy(sm(x)), _np_softmax(a), rtol=1e-5,
                                   atol=1e-7)
    if fuses(device):
        assert ln.stats["traces"] == 1 and ln.stats["cache_hits"] == 1
        for f, args in ((ln, (x, gd, bd)), (sm, (x,))):
            steps = _steps(f, *args)
            assert len(steps) == 1 and "row kernel" in steps[0], steps
        source = sm.explain(x)
        assert source.count("hal_jit_float32_exp(") == 1  # stored, not computed twice
        assert "correction=0.0" in ln.explain(x, gd, bd)


def test_row_reduction_not_feeding_the_full_shape_stays_separate(xp, device):
    """A reduction over a leading axis, or without keepdims, is no row kernel."""
    def fn(x):
        return x - hal.mean(x, axis=0, keepdims=True), hal.sum(x * 2, axis=1)
    a = np.random.default_rng(6).standard_normal((30, 20)).astype(np.float32)
    x = xp.asarray(a, device=device)
    got = hal.jit(fn)(x)
    np.testing.assert_allclose(hal.to_numpy(got[0]), a - a.mean(0, keepdims=True),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hal.to_numpy(got[1]), (a * 2).sum(1), rtol=1e-5, atol=1e-5)
    if fuses(device):
        assert not any("row kernel" in s for s in _steps(hal.jit(fn), x))
