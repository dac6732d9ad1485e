"""hal.jit: jitted results equal eager hal's (dtypes exactly, values as eager's kernels
give them), on the device under test; cuts, errors, retraces, explain."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import _strategies as S
import hal

def fuses(device) -> bool:
    return device.backend in ("opencl",) or (
        device.backend == "oneapi" and "raw_kernels" in device.capabilities.features)


def _same(jitted, eager, dtype=None):
    assert jitted.dtype == eager.dtype
    assert jitted.shape == eager.shape
    a, b = hal.to_numpy(jitted), hal.to_numpy(eager)
    if a.dtype.kind in "fc":
        tol = S.tolerance(jitted.dtype) * 8
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol, equal_nan=True)
    else:
        np.testing.assert_array_equal(a, b)


def _chain(x, y):
    z = x * y + x
    w = hal.maximum(z, y) - 1
    return w * w, z < y


@pytest.mark.parametrize("dtype", S.dtype_params("iuf"))
def test_elementwise_chain_matches_eager(xp, device, dtype):
    f = hal.jit(_chain)

    @given(S.finite_arrays(dtype, (3, 4), lo=-10, hi=10),
           S.finite_arrays(dtype, (4,), lo=-10, hi=10))
    def check(a, b):
        x, y = S.to_device(a), S.to_device(b)
        for j, e in zip(f(x, y), _chain(x, y)):
            _same(j, e)
    check()
    assert f.stats["traces"] == (1 if fuses(device) else 0)


def test_python_scalars_weak_and_mixed_promotion(xp, device):
    def fn(i8, f32, b):
        return i8 + 3, f32 * 2.5, i8 + f32, b & True, (i8 > 2) | b, i8 / 2, \
            hal.where(b, i8, 7), hal.astype(f32 * 300, hal.uint8)
    f = hal.jit(fn)
    i8 = xp.asarray(np.arange(-6, 6, dtype=np.int8).reshape(3, 4), device=device)
    f32 = xp.asarray(np.linspace(-3, 3, 4, dtype=np.float32), device=device)
    b = xp.asarray(np.array([True, False, True, True]), device=device)
    for j, e in zip(f(i8, f32, b), fn(i8, f32, b)):
        _same(j, e)


def test_out_of_range_int_scalar_runs_eagerly(xp, device):
    def fn(x):
        return x < 1000, x + 1
    x = xp.asarray(np.arange(5, dtype=np.int8), device=device)
    for j, e in zip(hal.jit(fn)(x), fn(x)):
        _same(j, e)
    with pytest.raises(OverflowError):
        hal.jit(lambda x: x + 1000)(x)


@pytest.mark.parametrize("op", ["sum", "prod", "max", "min", "mean", "any", "all"])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, False), (1, True),
                                           ((0, 2), False), (-1, False)])
def test_fused_reductions(xp, device, op, axis, keepdims):
    def fn(x, y):
        d = (x - y) * 0.5
        if op in ("any", "all"):
            d = d > 0
        return getattr(hal, op)(d, axis=axis, keepdims=keepdims)
    rng = np.random.default_rng(1)
    x = xp.asarray(rng.standard_normal((5, 6, 7)).astype(np.float32), device=device)
    y = xp.asarray(rng.standard_normal((6, 7)).astype(np.float32), device=device)
    _same(hal.jit(fn)(x, y), fn(x, y))


def test_integer_sum_and_big_full_reduction(xp, device):
    def fn(a, x, y):
        return hal.sum(a * 3), hal.sum((x - y) ** 2), hal.max(x + y)
    a = xp.asarray(np.arange(-50, 50, dtype=np.int16), device=device)
    rng = np.random.default_rng(2)
    x = xp.asarray(rng.standard_normal(100_003).astype(np.float32), device=device)
    y = xp.asarray(rng.standard_normal(100_003).astype(np.float32), device=device)
    j, e = hal.jit(fn)(a, x, y), fn(a, x, y)
    _same(j[0], e[0])
    np.testing.assert_allclose(hal.to_numpy(j[1]), hal.to_numpy(e[1]), rtol=1e-4)
    _same(j[2], e[2])


def test_multi_output_and_reduction_then_elementwise(xp, device):
    def fn(x):
        m = hal.mean(x, axis=1, keepdims=True)
        c = x - m
        return c, c * c, hal.sum(c * c, axis=1)
    x = xp.asarray(np.random.default_rng(3).standard_normal((8, 9)).astype(np.float32),
                   device=device)
    for j, e in zip(hal.jit(fn)(x), fn(x)):
        _same(j, e)


def test_cuts_at_matmul_and_sort(xp, device):
    def fn(a, b):
        c = hal.matmul(a * 2, b) + 1
        return hal.sort(c, axis=1) - a[0, 0], c.T
    f = hal.jit(fn)
    rng = np.random.default_rng(4)
    a = xp.asarray(rng.standard_normal((4, 4)).astype(np.float32), device=device)
    b = xp.asarray(rng.standard_normal((4, 4)).astype(np.float32), device=device)
    for j, e in zip(f(a, b), fn(a, b)):
        _same(j, e)
    if fuses(device):
        text = f.explain(a, b)
        assert "cut: matmul runs eagerly" in text and "cut: sort runs eagerly" in text


def test_control_flow_is_a_clear_error(xp, device):
    def fn(x):
        if hal.sum(x) > 0:
            return x
        return -x
    x = xp.asarray(np.ones(3, dtype=np.float32), device=device)
    if not fuses(device):
        # the function runs eagerly there: Python control flow works as it does eagerly
        _same(hal.jit(fn)(x), fn(x))
        return
    with pytest.raises(hal.HalTracingError, match=r"test_jit.py:\d+: if hal.sum\(x\) > 0"
                       r".*hal.where"):
        hal.jit(fn)(x)
    with pytest.raises(TypeError, match="float"):
        hal.jit(lambda x: float(x[0]))(x)
    with pytest.raises(hal.HalTracingError, match="in-place"):
        def inplace(x):
            x += 1
            return x
        hal.jit(inplace)(x)


def test_no_retrace_when_only_shapes_change(xp, device):
    f = hal.jit(lambda x, y: hal.sum(hal.exp(x) * y, axis=-1) + 1)
    for n in (3, 17, 1000):
        x = xp.asarray(np.ones((2, n), dtype=np.float32), device=device)
        y = xp.asarray(np.ones((n,), dtype=np.float32), device=device)
        np.testing.assert_allclose(hal.to_numpy(f(x, y)), np.e * n + 1, rtol=1e-5)
    if fuses(device):
        assert f.stats["traces"] == 1 and f.stats["retraces"] == []
        assert f.stats["cache_hits"] == 2
        f(xp.asarray(np.ones((2, 3), dtype=np.int32), device=device), y[:3])
        assert f.stats["traces"] == 2
        assert "argument 0 changed from array(float32" in f.stats["retraces"][0]
    else:
        assert f.stats["eager_calls"] == 3


def test_eager_device_records_reason(xp, device):
    f = hal.jit(lambda x: x + 1)
    x = xp.asarray(np.ones(3, dtype=np.float32), device=device)
    with hal.trace() as t:
        f(x)
    jit_events = [e for e in t.events if e.op.startswith("jit(")]
    assert len(jit_events) == 1
    assert jit_events[0].how == ("jit fused" if fuses(device) else "jit eager")
    if not fuses(device):
        assert "runs eagerly" in jit_events[0].kernel


@pytest.mark.parametrize("target", ["opencl", "cuda", "hip"])
def test_explain(xp, device, target):
    f = hal.jit(lambda a, b: hal.sum((a - b) ** 2))
    a = xp.asarray(np.ones(10, dtype=np.float32), device=device)
    text = f.explain(a, a, target=target)
    assert "cache key:" in text and "reduce kernel: sum" in text
    assert "hal_jit_partial" in text and "bytes moved" in text
    assert "subtract" in text and "square" in text  # x ** 2 lowers to x * x


@given(st.sampled_from(["float32", "int32", "uint8", "bool"]), st.integers(0, 3))
def test_hypothesis_where_astype_chain(dtype_name, ndim):
    dtype = getattr(hal, dtype_name)
    if dtype not in S.device().dtypes:
        return
    shape = (3,) * ndim

    def fn(x):
        y = hal.astype(x, hal.float32) * 2 - 1
        return hal.where(y > 0, y, -y), hal.astype(y, dtype)
    x = S.to_device(np.arange(int(np.prod(shape))).reshape(shape).astype(dtype.numpy))
    for j, e in zip(hal.jit(fn)(x), fn(x)):
        _same(j, e)


def test_the_same_graph_compiles_once_per_process(xp, device):
    """Two separately decorated functions with one graph share one compiled kernel:
    the generated source names its variables canonically, not by the process-wide node
    counter (each new jitted function used to compile again, ~50-150 ms)."""
    def make():
        return hal.jit(lambda x, y: hal.sum((x - y) * (x + 2.5)))
    x = xp.asarray(np.arange(8, dtype=np.float32), device=device)
    first, second = make(), make()
    expected = float(np.sum((np.arange(8) - 1.0) * (np.arange(8) + 2.5)))
    assert float(first(x, x * 0 + 1)) == pytest.approx(expected)
    assert float(second(x, x * 0 + 1)) == pytest.approx(expected)
    if fuses(device):
        assert second.stats["traces"] == 1 and second.stats["compiles"] == 0
        assert second.explain(x, x).split("kernel source")[1] == \
            first.explain(x, x).split("kernel source")[1]


@pytest.mark.parametrize("op", ["sum", "prod", "max", "min", "mean", "any", "all", "var",
                                "std"])
def test_reduction_dtypes_decided_on_the_host_match_eager(xp, device, op):
    """hal.jit decides a reduction's dtype by eager's rules without running anything
    on the device (a fresh process's first call stays short): the same dtype as eager
    for every dtype the device holds, and eager's error where eager refuses."""
    f = hal.jit(lambda x: getattr(hal, op)(x * 1, axis=0))
    for dtype in S.device_dtypes("biuf"):
        x = xp.asarray(np.ones((2, 3), dtype=dtype.numpy), device=device)
        try:
            want = getattr(hal, op)(x * 1, axis=0).dtype
        except TypeError as exc:
            with pytest.raises(type(exc)):
                f(x)
            continue
        assert f(x).dtype == want, dtype


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2), (1, 2)])
def test_reductions_of_broadcast_and_transposed_operands(xp, device, axis):
    """The map+reduce grid variant (a leaf walked as rows and one stride per row, the
    last reduced axis at a built-in stride 0, 1 or another): broadcast rows, a
    transposed view, against NumPy."""
    rng = np.random.default_rng(7)
    a = rng.standard_normal((4, 6, 5)).astype(np.float32)
    t = rng.standard_normal((5, 6)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    x = xp.asarray(a, device=device)
    tt = xp.asarray(t, device=device).T  # (6, 5), strided
    bb = xp.asarray(b, device=device)
    f = hal.jit(lambda x, tt, bb: hal.sum((x - bb) ** 2 * tt, axis=axis))
    want = np.sum((a - b) ** 2 * t.T, axis=axis)
    np.testing.assert_allclose(hal.to_numpy(f(x, tt, bb)), want, rtol=1e-5, atol=1e-4)
