"""User kernels (hal.ElementwiseKernel, hal.ReductionKernel, hal.RawKernel) against
NumPy on the device under test, for every real dtype it holds; on a device that builds
no portable kernels (NumPy) every form raises a hal error naming the devices that can."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import _strategies as S
import hal


def runs_kernels(device) -> bool:
    return device.backend == "cupy" or (
        device.backend in ("opencl", "oneapi")
        and "raw_kernels" in device.capabilities.features)


@pytest.fixture
def kernel_device(device):
    if not runs_kernels(device):
        pytest.skip(f"{device} builds no portable kernels (test_refused_clearly covers it)")
    return device


def _close(result, expected, dtype):
    got = hal.to_numpy(result)
    assert got.dtype == np.dtype(dtype.name)
    assert got.shape == expected.shape
    if dtype.kind == "f":
        tol = max(S.tolerance(dtype), S.ulps(dtype, 4))
        np.testing.assert_allclose(got, expected.astype(got.dtype), rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(got, expected.astype(got.dtype))


# -- ElementwiseKernel -----------------------------------------------------------------

AXPX = hal.ElementwiseKernel("T x, T y", "T z", "z = x * y + x", "axpx")
PICK = hal.ElementwiseKernel("T x, T y", "T z", "z = x > y ? x : y", "pick")


@pytest.mark.parametrize("dtype", S.dtype_params("iuf"))
def test_elementwise_broadcast_views_scalars(kernel_device, dtype):
    @given(S.finite_arrays(dtype, (3, 4), lo=-10, hi=10),
           S.finite_arrays(dtype, (4,), lo=-10, hi=10), st.integers(-5, 5))
    def check(a, b, c):
        x, y = S.to_device(a), S.to_device(b)
        _close(AXPX(x, y), a * b + a, dtype)                      # broadcast
        _close(AXPX(x[:, ::2], y[1::2]), a[:, ::2] * b[1::2] + a[:, ::2], dtype)  # views
        _close(AXPX(x.T, y[:3]), a.T * b[:3] + a.T, dtype)         # transposed
        if dtype.kind != "u" or c >= 0:
            cs = np.asarray(c, dtype=a.dtype)
            _close(AXPX(x, c), a * cs + a, dtype)                   # Python scalar
        _close(PICK(x, y), np.where(a > b, a, b), dtype)
    check()


def test_elementwise_bool(kernel_device):
    k = hal.ElementwiseKernel("T x, T y", "T z, bool w", "z = x && !y; w = x || y", "logic")
    a = np.array([[True, False], [True, True]])
    b = np.array([False, True])
    z, w = k(S.to_device(a), S.to_device(b))
    _close(z, a & ~b, hal.bool)
    _close(w, a | b, hal.bool)


def test_elementwise_promotes_and_converts_in_kernel(kernel_device):
    k = hal.ElementwiseKernel("T x, T y, int32 s", "T z, float32 f", "z = x - y; f = s",
                              "mixed")
    a = np.arange(-6, 6, dtype=np.int8)
    b = np.linspace(-1, 1, 12, dtype=np.float32)
    z, f = k(S.to_device(a), S.to_device(b), 7)
    _close(z, a.astype(np.float32) - b, hal.float32)                # T = result_type
    _close(f, np.full(12, 7.0, dtype=np.float32), hal.float32)


def test_elementwise_out_arrays_raw_and_size(kernel_device):
    rev = hal.ElementwiseKernel("raw T x", "T y", "y = x[n - 1 - i] + (T)i", "rev")
    a = np.arange(10, dtype=np.int32)
    out = S.to_device(np.zeros(10, dtype=np.int32))
    r = rev(S.to_device(a), out)
    assert r is out
    _close(out, a[::-1] + np.arange(10), hal.int32)
    _close(rev(S.to_device(a), size=10), a[::-1] + np.arange(10), hal.int32)


def test_elementwise_errors(kernel_device):
    with pytest.raises(hal.HalValueError, match="parameter"):
        hal.ElementwiseKernel("T", "T y", "y = 1", "bad")
    with pytest.raises(hal.HalValueError, match="used by the kernel"):
        hal.ElementwiseKernel("T in0", "T y", "y = in0", "bad")
    k = hal.ElementwiseKernel("T x", "U y", "y = x", "unbound")
    with pytest.raises(hal.HalTypeError, match="cannot tell the dtype of U"):
        k(S.to_device(np.ones(3, np.float32)))
    broken = hal.ElementwiseKernel("T x", "T y", "y = x +* ;", "broken")
    with pytest.raises(hal.KernelBuildError, match="broken"):
        broken(S.to_device(np.ones(3, np.float32)))
    with pytest.raises(hal.HalTypeError, match="complex"):
        AXPX(S.to_device(np.ones(3, np.complex64)), 1.0)
    with pytest.raises(hal.HalTypeError, match="unknown capability"):
        hal.ElementwiseKernel("T x", "T y", "y = x", "k", requires=("warp_votes",))
    lacking = sorted({"fp64", "fp16", "atomics", "subgroups", "bf16"}
                     - set(kernel_device.capabilities.features))
    if lacking:
        k = hal.ElementwiseKernel("T x", "T y", "y = x", "needs", requires=lacking)
        with pytest.raises(hal.HalDeviceError, match=lacking[0]):
            k(S.to_device(np.ones(3, np.float32)))


def test_elementwise_fuses_inside_jit(kernel_device):
    k = hal.ElementwiseKernel("T x, T y", "T z", "z = (x - y) * (x - y)", "sqdiff")

    def fn(a, b):
        return hal.sum(k(a * 2, b) + 1.0)
    a = S.to_device(np.arange(6, dtype=np.float32))
    b = S.to_device(np.ones(6, dtype=np.float32))
    expected = float(np.sum((np.arange(6) * 2 - 1.0) ** 2 + 1))
    f = hal.jit(fn)
    assert float(f(a, b)) == pytest.approx(expected)
    assert float(fn(a, b)) == pytest.approx(expected)
    text = f.explain(a, b)
    assert "1 kernel step(s), 0 cut(s)" in text and "ElementwiseKernel sqdiff" in text
    i8 = S.to_device(np.arange(6, dtype=np.int8))  # T bound by promotion, a literal 3
    g = hal.jit(lambda x, y: k(x, 3) * y)
    _close(g(a, i8), (np.arange(6.0) - 3) ** 2 * np.arange(6), hal.float32)


def test_multi_output_kernel_cuts_jit(kernel_device):
    k = hal.ElementwiseKernel("T x", "T s, T d", "s = x + x; d = x * x", "two")

    def fn(a):
        s, d = k(a + 1)
        return s - d
    a = S.to_device(np.arange(5, dtype=np.float32))
    f = hal.jit(fn)
    _close(f(a), 2 * (np.arange(5.0) + 1) - (np.arange(5.0) + 1) ** 2, hal.float32)
    assert "cut: two runs eagerly" in f.explain(a)


# -- ReductionKernel -------------------------------------------------------------------

SUM = hal.ReductionKernel("T x", "T y", "x", "a + b", "y = a", "0", "mysum")
WSUM = hal.ReductionKernel("T x, T w", "T y", "x * w", "a + b", "y = a", "0", "wsum")
MEAN = hal.ReductionKernel("T x", "T y", "x", "a + b",
                           "y = a / _in_ind.size() * _out_ind.size()", "0", "mymean")


@pytest.mark.parametrize("dtype", S.dtype_params("iuf"))
@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, True), (-1, False),
                                           ((0, 2), False), (1, True)])
def test_reduction_axes(kernel_device, dtype, axis, keepdims):
    @given(S.finite_arrays(dtype, (2, 3, 4), lo=0, hi=3))
    def check(a):
        x = S.to_device(a)
        expected = np.sum(a, axis=axis, keepdims=keepdims, dtype=a.dtype)
        _close(SUM(x, axis=axis, keepdims=keepdims), expected, dtype)
        xt = hal.permute_dims(x, (2, 0, 1))  # a strided input
        _close(SUM(xt, axis=axis, keepdims=keepdims),
               np.sum(a.transpose(2, 0, 1), axis=axis, keepdims=keepdims, dtype=a.dtype),
               dtype)
        w = np.asarray(2, dtype=a.dtype)
        _close(WSUM(x, 2, axis=axis, keepdims=keepdims),
               np.sum(a * w, axis=axis, keepdims=keepdims, dtype=a.dtype), dtype)
    check()


@pytest.mark.parametrize("dtype", S.dtype_params("f"))
def test_reduction_max_mean_large(kernel_device, dtype):
    mx = hal.ReductionKernel("T x", "T y", "x", "a > b ? a : b", "y = a", "-INFINITY",
                             "mymax")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 20003)).astype(dtype.name)  # partial+combine, a tail
    x = S.to_device(a)
    _close(mx(x, axis=1), a.max(axis=1), dtype)
    _close(mx(x), np.asarray(a.max()), dtype)
    m = hal.to_numpy(MEAN(S.to_device(a[0].astype(np.float32))))
    assert m == pytest.approx(float(a[0].astype(np.float64).mean()), abs=1e-3)


def test_reduction_expressions_not_valid_on_vectors(kernel_device):
    # float reductions build 8-lane vector code on OpenCL C targets; a map with a
    # scalar-only construct (a cast through int) builds the scalar kernel instead
    trunc = hal.ReductionKernel("T x", "T y", "(T)(int)x", "a + b", "y = a", "0", "tsum")
    a = np.linspace(-50, 50, 4099, dtype=np.float32)
    _close(trunc(S.to_device(a)), np.asarray(np.trunc(a).sum(dtype=np.float32)),
           hal.float32)


def test_reduction_bool_and_reduce_type(kernel_device):
    anyk = hal.ReductionKernel("T x", "bool y", "x", "a || b", "y = a", "0", "myany")
    a = np.array([[False, False], [False, True]])
    _close(anyk(S.to_device(a), axis=1), a.any(axis=1), hal.bool)
    count = hal.ReductionKernel("T x", "int64 y", "x > 0 ? 1 : 0", "a + b", "y = a", "0",
                                "count", reduce_type="int64")
    b = np.arange(-5, 300, dtype=np.int8)
    _close(count(S.to_device(b)), np.asarray((b > 0).sum()), hal.int64)


# -- RawKernel -------------------------------------------------------------------------

SCALE = hal.RawKernel(r"""
KERNEL void scale(GLOBAL_MEM const T *x, GLOBAL_MEM T *y, const S s, const index_t n)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) y[i] = (T)(x[i] * s);
}
""", "scale")
F32 = {"T": hal.float32, "S": hal.float32}


@pytest.mark.parametrize("dtype", S.dtype_params("iuf"))
def test_raw_kernel(kernel_device, dtype):
    @given(S.finite_arrays(dtype, st.integers(1, 700), lo=-10, hi=10))
    def check(a):
        n = a.shape[0]
        x = S.to_device(a)
        y = hal.empty((n,), dtype=dtype, device=kernel_device)
        s = np.asarray(3, dtype=a.dtype)
        # float16 is not passed by value on every target: the scale travels as float32
        sd = hal.float32 if dtype is hal.float16 else dtype
        SCALE(((n + 63) // 64,), (64,), (x, y, s.astype(sd.name)[()], np.int64(n)),
              types={"T": dtype, "S": sd})
        _close(y, (a * s).astype(a.dtype), dtype)
    check()


def test_raw_kernel_errors(kernel_device):
    x = S.to_device(np.arange(8, dtype=np.float32))
    with pytest.raises(hal.HalValueError, match="view"):
        SCALE((1,), (8,), (x[1:], x, np.float32(1), np.int64(7)), types=F32)
    with pytest.raises(hal.HalTypeError, match="NumPy scalars"):
        SCALE((1,), (8,), (x, x, "2", np.int64(8)), types=F32)
    with pytest.raises(hal.HalValueError, match="grid"):
        SCALE((0,), (8,), (x, x, np.float32(2), np.int64(8)), types=F32)


def test_raw_kernel_under_lazy(kernel_device):
    fill = hal.RawKernel(r"""
    KERNEL void fill7(GLOBAL_MEM T *y, const index_t n)
    { index_t i = GLOBAL_ID_0; if (i < n) y[i] = (T)7; }""", "fill7")
    out = S.to_device(np.zeros(4, np.float32))
    with hal.lazy():
        pending = out + 1          # reads out before the kernel writes it (eager order)
        fill((1,), (4,), (out, np.int64(4)), types={"T": hal.float32})
        assert hal.to_numpy(pending).tolist() == [1.0] * 4
    assert hal.to_numpy(out).tolist() == [7.0] * 4


# -- devices that build no kernels -----------------------------------------------------

def test_refused_clearly(device):
    if runs_kernels(device):
        pytest.skip(f"{device} builds portable kernels (the tests above run there)")
    x = S.to_device(np.ones(4, np.float32))
    calls = [lambda: AXPX(x, x), lambda: SUM(x),
             lambda: SCALE((1,), (4,), (x, x, np.float32(1), np.int64(4)),
                           types=F32)]
    for call in calls:
        with pytest.raises(hal.HalNotImplementedError) as info:
            call()
        msg = str(info.value)
        assert str(device) in msg and "fallback policy does not apply" in msg
        assert "Devices that can run it:" in msg
