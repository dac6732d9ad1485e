"""OpenCL reductions (plugins/hal_opencl/_reduce.py, kernels/reduce.c) beyond the
differential suite: the launch paths (contiguous rows, strided columns, chunked rows
with a second pass, copies of views that do not collapse), accuracy of long float32
sums against float64, NaN and first-occurrence rules, integer wrap-around, and that
``hal.explain`` shows the native kernels, not a host fallback.

Runs on the device under test when it is an OpenCL device (``HAL_TEST_BACKEND=
opencl:pocl`` or ``opencl:intel``); skipped otherwise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import _strategies as hs
import hal as xp

pytestmark = pytest.mark.skipif(hs.device().backend != "opencl",
                                reason="OpenCL reductions: run with HAL_TEST_BACKEND="
                                       "opencl:pocl or opencl:intel")

RNG = np.random.default_rng(1234)


def _dev(a):
    return xp.asarray(a, device=hs.device())


def _close(out, ref, rtol=2e-6, atol=0.0):
    got = xp.to_numpy(out)
    ref = np.asarray(ref)
    assert got.shape == ref.shape, (got.shape, ref.shape)
    assert got.dtype == ref.dtype, (got.dtype, ref.dtype)
    np.testing.assert_allclose(got, ref, rtol=rtol, atol=atol, equal_nan=True)


def _exact(out, ref):
    got = xp.to_numpy(out)
    ref = np.asarray(ref)
    assert got.shape == ref.shape and got.dtype == ref.dtype, (got.shape, ref.shape,
                                                                got.dtype, ref.dtype)
    np.testing.assert_array_equal(got, ref)


# -- views and axes --------------------------------------------------------------------

BASE = RNG.standard_normal((6, 35, 20)).astype(np.float32)

#: name -> (hal view of BASE on the device, the same view in NumPy)
VIEWS = {
    "contiguous": (lambda a: a, lambda a: a),
    "transposed": (lambda a: xp.permute_dims(a, (2, 0, 1)), lambda a: a.transpose(2, 0, 1)),
    "strided": (lambda a: a[1:, ::3, ::-2], lambda a: a[1:, ::3, ::-2]),
    "broadcast": (lambda a: xp.broadcast_to(a[:, :1, :], (6, 9, 20)),
                  lambda a: np.broadcast_to(a[:, :1, :], (6, 9, 20))),
}
AXES = [None, 0, 1, 2, -1, (0, 1), (1, 2), (0, 2), (2, 0, 1)]


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_views_and_axes(view):
    make_hal, make_np = VIEWS[view]
    x = make_hal(_dev(BASE))
    a = make_np(BASE)
    for axis in AXES:
        for keepdims in (False, True):
            kw = {"axis": axis, "keepdims": keepdims}
            _close(xp.sum(x, **kw), a.sum(**kw), rtol=1e-5, atol=1e-5)
            _exact(xp.max(x, **kw), a.max(**kw))
            _exact(xp.min(x, **kw), a.min(**kw))
            _exact(xp.any(x > 1.5, **kw), (a > 1.5).any(**kw))
            _exact(xp.count_nonzero(x > 0, **kw), np.count_nonzero(a > 0, **kw))
        _close(xp.mean(x, axis=axis), a.mean(axis=axis), rtol=1e-5, atol=1e-6)
        _close(xp.var(x, axis=axis, correction=1), a.var(axis=axis, ddof=1), rtol=1e-5)
        _close(xp.linalg.vector_norm(x, axis=axis), np.linalg.vector_norm(a, axis=axis),
               rtol=1e-5)
    for axis in (None, 0, 1, 2):
        _exact(xp.argmax(x, axis=axis), np.argmax(a, axis=axis))
        _exact(xp.argmin(x, axis=axis, keepdims=True), np.argmin(a, axis=axis, keepdims=True))
    for axis in (0, 1, 2):
        _close(xp.cumulative_sum(x, axis=axis, include_initial=True),
               np.cumulative_sum(a, axis=axis, include_initial=True), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape, axis", [
    ((3, 300_001), 1),       # few long rows: chunks and a second pass
    ((300_001, 3), 0),       # few long columns: chunked columns, partial lane group
    ((1, 1_000_003), None),  # one long row with a tail
    ((5000, 13), 1),         # many short rows
    ((13, 5000), 0),         # many short columns (panels: whole lines per work-item)
    ((100_003, 20), 0),      # long columns: panels in chunks, then merged
    ((7, 40_000, 3), 1),     # a middle axis
])
def test_launch_paths(shape, axis):
    a = RNG.standard_normal(shape).astype(np.float32)
    x = _dev(a)
    ref = a.astype(np.float64).sum(axis=axis)
    _close(xp.sum(x, axis=axis), ref.astype(np.float32), rtol=1e-5, atol=1e-3)
    _exact(xp.max(x, axis=axis), a.max(axis=axis))
    if axis is not None:
        _exact(xp.argmax(x, axis=axis), a.argmax(axis=axis))
        _close(xp.cumulative_sum(x, axis=axis), np.cumulative_sum(a, axis=axis),
               rtol=1e-4, atol=1e-2)


# -- accuracy ---------------------------------------------------------------------------

def test_long_float32_sum_is_not_sequential():
    """2^24 + 2^20 ones: a sequential float32 sum sticks at 2^24; a pairwise one is exact."""
    n = 2 ** 24 + 2 ** 20
    ones = xp.ones((n,), dtype=xp.float32, device=hs.device())
    assert float(xp.to_numpy(xp.sum(ones))) == float(n)
    assert float(xp.to_numpy(xp.mean(ones))) == 1.0


def test_long_float32_sums_against_float64():
    a = RNG.random(2 ** 24, dtype=np.float32)
    x = _dev(a)
    ref = a.astype(np.float64)
    eps = np.finfo(np.float32).eps
    for got, want in ((xp.sum(x), ref.sum()), (xp.mean(x), ref.mean()),
                      (xp.linalg.vector_norm(x), np.sqrt((ref * ref).sum())),
                      (xp.sum(xp.reshape(x, (16, 2 ** 20)), axis=1),
                       ref.reshape(16, 2 ** 20).sum(axis=1))):
        err = np.max(np.abs(xp.to_numpy(got).astype(np.float64) - want) / np.abs(want))
        assert err < 8 * eps, err
    # variance around a large mean: two passes keep it accurate
    b = (1000 + RNG.standard_normal(2 ** 20)).astype(np.float32)
    want = b.astype(np.float64).var()
    assert abs(float(xp.to_numpy(xp.var(_dev(b)))) - want) / want < 1e-4


# -- rules ------------------------------------------------------------------------------

def test_nan_wins_and_first_occurrence():
    n = 200_003
    for pos in (0, 5, n // 2, n - 1):
        a = RNG.standard_normal(n)
        a[pos] = np.nan
        a[(pos + 7) % n] = np.nan
        x = _dev(a)
        for fn in ("max", "min", "argmax", "argmin"):
            _exact(getattr(xp, fn)(x), getattr(np, fn)(a))
    cols = RNG.standard_normal((3000, 40))
    cols[1234, 5] = cols[17, 39] = np.nan
    for fn in ("max", "min", "argmax", "argmin"):
        _exact(getattr(xp, fn)(_dev(cols), axis=0), getattr(np, fn)(cols, axis=0))
    ties = np.array([[1, 7, 7, 0, 7], [3, 3, 3, 3, 3], [0, -1, 5, -1, 5]], dtype=np.int16)
    for axis in (None, 0, 1):
        _exact(xp.argmax(_dev(ties), axis=axis), ties.argmax(axis=axis))
        _exact(xp.argmin(_dev(ties), axis=axis), ties.argmin(axis=axis))
    inf = np.full(100_000, -np.inf, dtype=np.float32)
    _exact(xp.argmax(_dev(inf)), np.argmax(inf))
    _exact(xp.max(_dev(inf)), np.max(inf))
    inf[77_777] = np.inf
    inf[:50] = 1.0
    for fn in ("max", "min", "argmax", "argmin"):
        _exact(getattr(xp, fn)(_dev(inf)), getattr(np, fn)(inf))


def test_integer_wraparound():
    a = RNG.integers(-128, 128, (4, 70_001), dtype=np.int8)
    x = _dev(a)
    for axis in (None, 1):
        _exact(xp.sum(x, axis=axis, dtype=xp.int8), a.sum(axis=axis, dtype=np.int8))
        _exact(xp.prod(x, axis=axis, dtype=xp.int16), a.prod(axis=axis, dtype=np.int16))
        _exact(xp.sum(x, axis=axis), a.sum(axis=axis, dtype=np.int64))
    big = np.full(1000, 2 ** 62, dtype=np.int64)
    with np.errstate(over="ignore"):
        _exact(xp.sum(_dev(big)), big.sum())
    u = RNG.integers(0, 2 ** 32, 50_000, dtype=np.uint32)
    _exact(xp.sum(_dev(u), dtype=xp.uint32), u.sum(dtype=np.uint32))
    _exact(xp.cumulative_sum(_dev(a), axis=1, dtype=xp.int8),
           np.cumulative_sum(a, axis=1, dtype=np.int8))


def test_complex_and_bool():
    c = (RNG.standard_normal((5, 3001)) + 1j * RNG.standard_normal((5, 3001))
         ).astype(np.complex64)
    x = _dev(c)
    for axis in (None, 0, 1):
        _close(xp.sum(x, axis=axis), c.sum(axis=axis), rtol=1e-4, atol=1e-3)
        _close(xp.mean(x, axis=axis), c.mean(axis=axis), rtol=1e-4, atol=1e-5)
        _close(xp.linalg.vector_norm(x, axis=axis, ord=1),
               np.linalg.vector_norm(c, axis=axis, ord=1), rtol=1e-5)
    _close(xp.prod(x[:, :8], axis=1), c[:, :8].prod(axis=1), rtol=1e-5)
    _close(xp.cumulative_prod(x[:, :8], axis=1), np.cumulative_prod(c[:, :8], axis=1),
           rtol=1e-5)
    b = RNG.random((33, 1001)) < 0.3
    y = _dev(b)
    for axis in (None, 0, 1):
        _exact(xp.sum(y, axis=axis), b.sum(axis=axis))
        _exact(xp.all(y, axis=axis), b.all(axis=axis))
        _exact(xp.argmax(y, axis=axis), b.argmax(axis=axis))


def test_empty_reductions():
    e = np.zeros((0, 4), dtype=np.float32)
    x = _dev(e)
    _exact(xp.sum(x, axis=0), e.sum(axis=0))
    _exact(xp.prod(x, axis=0), e.prod(axis=0))
    _exact(xp.sum(x, axis=1), e.sum(axis=1))
    _exact(xp.any(x, axis=0), e.any(axis=0))
    _exact(xp.all(x), e.all())
    assert np.isnan(xp.to_numpy(xp.mean(x, axis=0))).all()
    _exact(xp.cumulative_sum(x, axis=0, include_initial=True),
           np.cumulative_sum(e, axis=0, include_initial=True))
    _exact(xp.linalg.vector_norm(x, axis=0, ord=float("inf")), np.zeros(4, np.float32))


@pytest.mark.skipif(xp.float16 not in hs.device().dtypes, reason="no float16 here")
def test_float16():
    a = RNG.standard_normal((7, 3000)).astype(np.float16)
    x = _dev(a)
    for axis in (None, 1):
        _close(xp.sum(x, axis=axis), a.sum(axis=axis, dtype=np.float32).astype(np.float16),
               rtol=2e-3, atol=1e-2)
        _exact(xp.max(x, axis=axis), a.max(axis=axis))
        _exact(xp.argmin(x, axis=axis), a.argmin(axis=axis))
        _close(xp.mean(x, axis=axis), a.mean(axis=axis, dtype=np.float32).astype(np.float16),
               rtol=2e-3, atol=1e-3)


# -- linear algebra ----------------------------------------------------------------------

def test_norms_trace_diagonal():
    m = RNG.standard_normal((3, 7, 5))
    x = _dev(m)
    with warnings.catch_warnings():  # ord 2/-2/nuc: singular values on the host
        warnings.simplefilter("ignore", xp.HalFallbackWarning)
        for ord in ("fro", 1, -1, float("inf"), -float("inf"), 2, -2, "nuc"):
            for keepdims in (False, True):
                _close(xp.linalg.matrix_norm(x, ord=ord, keepdims=keepdims),
                       np.linalg.matrix_norm(m, ord=ord, keepdims=keepdims), rtol=1e-12)
    for ord in (2, 1, 0, 3, 0.5, -1.5, float("inf"), -float("inf")):
        _close(xp.linalg.vector_norm(x, axis=(0, 2), ord=ord),
               np.linalg.vector_norm(m, axis=(0, 2), ord=ord), rtol=1e-12)
    for offset in (-8, -3, 0, 2, 4, 6):
        d = xp.linalg.diagonal(x, offset=offset)
        _exact(d, np.linalg.diagonal(m, offset=offset))
        assert d._native.data is x._native.data   # a view: same buffer, no copy
        _close(xp.linalg.trace(x, offset=offset), np.linalg.trace(m, offset=offset),
               rtol=1e-12)
    t = xp.matrix_transpose(x)
    _close(xp.linalg.trace(t, offset=1), np.linalg.trace(m.transpose(0, 2, 1), offset=1),
           rtol=1e-12)


# -- explain: native kernels, no fallback --------------------------------------------------

#: op -> keyword arguments of one call on a 35 x 20 float32 matrix
CALLS = {
    "sum": {"axis": 1}, "prod": {}, "max": {"axis": 0}, "min": {}, "mean": {"axis": (0, 1)},
    "var": {"axis": 1}, "std": {"correction": 1}, "any": {}, "all": {"axis": 1},
    "argmax": {"axis": 1}, "argmin": {}, "count_nonzero": {},
    "cumulative_sum": {"axis": 1}, "cumulative_prod": {"axis": 0},
    "linalg.vector_norm": {"ord": 3}, "linalg.matrix_norm": {}, "linalg.trace": {},
    "linalg.diagonal": {"offset": 1},
}


@pytest.mark.parametrize("op", sorted(CALLS))
def test_explain_shows_the_native_kernel(op):
    e = xp.explain(op, _dev(BASE[0]), **CALLS[op])
    assert not e.fallback, str(e)
    assert e.how == "kernel" and e.kernel.startswith("opencl."), str(e)
