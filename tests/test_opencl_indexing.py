"""OpenCL-specific checks of the indexing, manipulation, sorting and set kernels
(plugins/hal_opencl/_indexing.py; kernels/gather.c, sort.c, scan.c): views as
inputs, sort stability and size, last-write-wins scatters, errors detected on the
device, and that every op runs a native kernel (no host fallback).

Runs on the device under test when it is an OpenCL device
(``HAL_TEST_BACKEND=opencl:pocl`` / ``opencl:intel``); skipped otherwise.
"""

from __future__ import annotations

import numpy as np
import pytest

import _strategies as hs
import hal as xp

pytestmark = pytest.mark.skipif(hs.device().backend != "opencl",
                                reason="OpenCL kernels: run with HAL_TEST_BACKEND=opencl:...")

rng = np.random.default_rng(1234)


def d(a):
    return hs.to_device(np.asarray(a))


def same(got, want):
    got = hs.to_numpy(got)
    want = np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got, want)


def _index(a):
    return np.asarray(a).astype(hs.np_dtype(hs.device().default_index))


# -- every op of the family runs an OpenCL kernel ----------------------------------------

def _calls():
    x = d(rng.standard_normal((4, 6)).astype(np.float32))
    i = d(np.array([2, 0, 3]))
    m = d(np.array([True, False, True, True]))
    return [
        ("sort", lambda: xp.sort(x, axis=0)),
        ("argsort", lambda: xp.argsort(x, descending=True)),
        ("searchsorted", lambda: xp.searchsorted(xp.sort(x[0]), x[1])),
        ("isin", lambda: xp.isin(x, x[0])),
        ("unique_values", lambda: xp.unique_values(x)),
        ("unique_counts", lambda: xp.unique_counts(x)),
        ("unique_inverse", lambda: xp.unique_inverse(x)),
        ("unique_all", lambda: xp.unique_all(x)),
        ("nonzero", lambda: xp.nonzero(x > 0)),
        ("take", lambda: xp.take(x, i, axis=1)),
        ("take_along_axis", lambda: xp.take_along_axis(x, xp.argsort(x, axis=1), axis=1)),
        ("concat", lambda: xp.concat([x, x], axis=1)),
        ("stack", lambda: xp.stack([x, x])),
        ("tile", lambda: xp.tile(x, (2, 2))),
        ("repeat", lambda: xp.repeat(x, d(np.array([1, 0, 2, 1])), axis=0)),
        ("roll", lambda: xp.roll(x, 2, axis=1)),
        ("moveaxis", lambda: xp.moveaxis(x, 0, 1)),
        ("unstack", lambda: xp.unstack(x)),
        ("getitem_advanced", lambda: x[m]),
        ("getitem_advanced", lambda: x[i, 1:]),
    ]


@pytest.mark.parametrize("op, call", _calls(), ids=[c[0] for c in _calls()])
def test_native_kernel_no_fallback(op, call):
    with xp.fallback_policy("error"):
        call()
    with xp.trace() as t:
        call()
    mine = [r for r in t.resolutions if r.op == op]
    if mine:  # resolved inside the trace (a first call, or the tracer records hits)
        assert all(r.how == "kernel" and r.kernel.startswith("opencl.") for r in mine), mine


def test_explain_shows_the_kernel():
    x = d(rng.standard_normal(50).astype(np.float32))
    e = xp.explain(xp.argsort, x)
    assert e.kernel == "opencl.argsort" and not e.fallback, str(e)
    e = xp.explain(xp.unique_all, x)
    assert e.kernel == "opencl.unique_all" and not e.fallback, str(e)


def test_setitem_advanced_native():
    x = d(np.zeros((5, 3), dtype=np.float32))
    with xp.fallback_policy("error"):
        x[d(np.array([4, 0])), 1] = 7.0
        x[x > 5] = d(np.array([1.0, 2.0], dtype=np.float32))
    same(x, np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 2, 0]], np.float32))


# -- views (non-contiguous, offset, negative strides) as inputs ---------------------------

def _views():
    base = rng.standard_normal((6, 8)).astype(np.float32)
    base[2, 3] = np.nan
    return base, {
        "transposed": (lambda a: a.T, lambda a: xp.permute_dims(a, (1, 0))),
        "strided": (lambda a: a[1::2, ::3], lambda a: a[1::2, ::3]),
        "reversed": (lambda a: a[::-1, 2:], lambda a: a[::-1, 2:]),
        "broadcast": (lambda a: np.broadcast_to(a[:1], (4, 8)),
                      lambda a: xp.broadcast_to(a[:1], (4, 8))),
    }


@pytest.mark.parametrize("kind", ["transposed", "strided", "reversed", "broadcast"])
def test_views_as_inputs(kind):
    base, views = _views()
    npv, halv = views[kind]
    a, x = npv(base), halv(d(base))
    for axis in (0, 1):
        same(xp.sort(x, axis=axis), np.sort(a, axis=axis))
        same(xp.argsort(x, axis=axis, descending=True),
             _index(np.flip(a.shape[axis] - 1 - np.argsort(np.flip(a, axis=axis), axis=axis,
                                                           kind="stable"), axis=axis)))
        same(xp.take(x, d(np.array([0, -1, 1])), axis=axis), np.take(a, [0, -1, 1], axis=axis))
        same(xp.roll(x, (3, -1), axis=(axis, 1 - axis)), np.roll(a, (3, -1), axis=(axis, 1 - axis)))
        same(xp.repeat(x, 2, axis=axis), np.repeat(a, 2, axis=axis))
    same(x[x > 0], a[a > 0])
    same(x[d(np.array([1, 0])), 1:], a[[1, 0], 1:])
    same(xp.concat([x, x], axis=None), np.concatenate([a.ravel(), a.ravel()]))
    same(xp.stack([x, x], axis=2), np.stack([a, a], axis=2))
    same(xp.tile(x, (2, 1)), np.tile(a, (2, 1)))
    same(xp.roll(x, 5), np.roll(a, 5))
    same(xp.unique_values(x), np.unique(a))
    same(xp.isin(x, x[0]), np.isin(a, a[0]))
    same(xp.nonzero(x > 0)[1], _index(np.nonzero(a > 0)[1]))
    row = np.sort(a[1])
    x1 = xp.sort(x[1])[::-1][::-1]  # a view with strides
    same(xp.searchsorted(x1, x[2:4], side="right"), _index(np.searchsorted(row, a[2:4], side="right")))
    same(xp.searchsorted(x[1], x[2], sorter=xp.argsort(x[1])),
         _index(np.searchsorted(a[1], a[2], sorter=np.argsort(a[1], kind="stable"))))


def test_setitem_into_views():
    a = np.arange(48, dtype=np.int32).reshape(6, 8)
    x = d(a)
    view, want = x[::2, 1:], a[::2, 1:]
    view[d(np.array([2, 0])), 1] = 0            # scatters write through the view
    want[[2, 0], 1] = 0
    view[view > 40] = d(np.array(-1, dtype=np.int32))
    want[want > 40] = -1
    same(x, a)
    a[:, ::-1][[0, 3]] = a[:2, ::2].repeat(2, axis=1)  # a value of another layout
    x[:, ::-1][d(np.array([0, 3]))] = xp.repeat(x[:2, ::2], 2, axis=1)
    same(x, a)


def test_setitem_value_aliasing_the_target():
    a = np.arange(10.0)
    x = d(a)
    idx = np.array([0, 2, 4, 6, 8])
    x[d(idx)] = x[::-1][:5]
    a[idx] = a[::-1][:5].copy()
    same(x, a)


# -- sorting: stability, order of NaNs, size ----------------------------------------------

# rows shorter than 2048 sort by merging (insertion-sorted blocks of 32, then merge
# passes), longer ones by an LSD radix sort: both must be stable
@pytest.mark.parametrize("n", [700, 3000], ids=["merge", "radix"])
@pytest.mark.parametrize("dtype", ["int8", "float32", "uint16", "bool", "int64", "float16"])
def test_sort_stability_with_duplicates(dtype, n):
    dt = getattr(xp, dtype)
    if dt not in hs.device().dtypes:
        pytest.skip(f"{dtype} not on this device")
    a = rng.integers(-2, 2, (3, n)).astype(hs.np_dtype(dt))  # many ties, many passes
    x = d(a)
    for axis in (0, 1):
        same(xp.argsort(x, axis=axis), _index(np.argsort(a, axis=axis, kind="stable")))
        n = a.shape[axis]
        desc = np.flip(n - 1 - np.argsort(np.flip(a, axis=axis), axis=axis, kind="stable"),
                       axis=axis)
        same(xp.argsort(x, axis=axis, descending=True), _index(desc))
        same(xp.sort(x, axis=axis), np.sort(a, axis=axis))


def test_nans_sort_last_and_first():
    a = np.array([2.0, np.nan, -np.inf, 1.0, np.nan, np.inf, -0.0, 0.0, 1.0],
                 dtype=np.float32)
    x = d(a)
    same(xp.sort(x), np.sort(a))
    same(xp.argsort(x), _index(np.argsort(a, kind="stable")))
    same(xp.sort(x, descending=True), np.sort(a)[::-1])
    got = hs.to_numpy(xp.argsort(x, descending=True))
    assert got[:2].tolist() == [1, 4] and got[-1] == 2  # NaNs first, in order; -inf last
    same(xp.searchsorted(xp.sort(x), d(np.array([np.nan, 1.0], np.float32))),
         _index(np.searchsorted(np.sort(a), np.array([np.nan, 1.0], np.float32))))


@pytest.mark.parametrize("n", [40, 5000], ids=["merge", "radix"])
def test_signed_zeros_and_nans_tie_like_numpy(n):
    a = rng.choice(np.array([0.0, -0.0, np.nan, 1.5, -1.5, np.inf, -np.inf]), n)
    for dtype in (np.float32, np.float64):
        if hs.hal_dtype(np.dtype(dtype)) not in hs.device().dtypes:
            continue
        b = a.astype(dtype)
        x = d(b)
        same(xp.argsort(x), _index(np.argsort(b, kind="stable")))  # -0.0 == 0.0: ties
        desc = np.flip(n - 1 - np.argsort(np.flip(b), kind="stable"))
        same(xp.argsort(x, descending=True), _index(desc))
        values, counts = xp.unique_counts(x)
        want_v, want_c = np.unique(b, return_counts=True, equal_nan=False)
        same(counts, _index(want_c))
        np.testing.assert_array_equal(hs.to_numpy(values), want_v)


@pytest.mark.parametrize("n", [50, 6000], ids=["merge", "radix"])
def test_complex_unique_and_isin(n):
    if xp.complex64 not in hs.device().dtypes:
        pytest.skip("no complex64")
    a = (rng.integers(-3, 3, n) + 1j * rng.integers(-2, 2, n)).astype(np.complex64)
    x = d(a)
    got = xp.unique_all(x)
    want = np.unique(a, return_index=True, return_inverse=True, return_counts=True)
    same(got.values, want[0])
    for g, w in zip(got[1:], want[1:]):
        same(g, _index(w))
    same(xp.isin(x, d(a[:3])), np.isin(a, a[:3]))


def test_large_sort():
    a = rng.standard_normal(1 << 18).astype(np.float32)
    a[rng.integers(0, a.size, 100)] = np.nan
    a[:5000] = np.round(a[:5000])  # ties
    x = d(a)
    same(xp.sort(x), np.sort(a))
    same(xp.argsort(x), _index(np.argsort(a, kind="stable")))
    values, counts = xp.unique_counts(d(a[:20000]))
    want_v, want_c = np.unique(a[:20000], return_counts=True, equal_nan=False)  # NaNs distinct
    same(values, want_v)
    same(counts, _index(want_c))


def test_empty_and_tiny():
    for shape in [(0,), (1,), (3, 0), (0, 4)]:
        a = np.zeros(shape, np.float32)
        x = d(a)
        same(xp.sort(x, axis=-1), np.sort(a, axis=-1))
        same(xp.argsort(x, axis=0), _index(np.argsort(a, axis=0)))
        same(xp.unique_values(x), np.unique(a))
        same(x[x > 0], a[a > 0])
        same(xp.concat([x, x], axis=0), np.concatenate([a, a]))
        same(xp.nonzero(x)[0], _index(np.nonzero(a)[0]))


# -- scatters and errors ----------------------------------------------------------------

def test_scatter_last_write_wins():
    a = np.zeros(5, dtype=np.int64)
    idx = np.array([1, 3, 1, 1, 3, 0])
    vals = np.arange(6, dtype=np.int64)
    x = d(a)
    x[d(idx)] = d(vals)
    a[idx] = vals
    same(x, a)  # [5, 3, 0, 4, 0]
    b = np.zeros((3, 4), dtype=np.float32)
    rows, cols = np.array([[0], [2], [0]]), np.array([1, 1, 3])
    y = d(b)
    y[d(rows), d(cols)] = d(np.arange(9, dtype=np.float32).reshape(3, 3))
    b[rows, cols] = np.arange(9, dtype=np.float32).reshape(3, 3)
    same(y, b)


def test_index_errors_are_detected_on_the_device():
    x = d(np.arange(12.0).reshape(3, 4))
    for bad in (lambda: x[d(np.array([0, 3]))], lambda: x[:, d(np.array([-5]))],
                lambda: xp.take(x, d(np.array([4], dtype=np.uint8)), axis=1),
                lambda: xp.take_along_axis(x, d(np.array([[9]])), axis=0)):
        with pytest.raises(IndexError) as info:
            bad()
        assert "out of bounds" in str(info.value)
    with pytest.raises(IndexError):
        x[d(np.array([True, False]))]  # mask shape mismatch
    with pytest.raises(IndexError):
        x[d(np.array([0, 1])), d(np.array([0, 1, 2]))]  # index arrays do not broadcast
    with pytest.raises(IndexError):
        x[d(np.array([7]))] = 1.0
    with pytest.raises(ValueError):
        xp.repeat(x, d(np.array([1, -1, 2])), axis=0)
    with pytest.raises(ValueError):
        xp.searchsorted(x[0], x[1], sorter=d(np.array([0, 1, 2, 9])))
    # and the device still works
    same(x[d(np.array([2]))], np.arange(12.0).reshape(3, 4)[[2]])


def test_numpy_placement_rules():
    a = np.arange(4 * 5 * 6 * 7).reshape(4, 5, 6, 7)
    x = d(a)
    i, j = np.array([[0], [2]]), np.array([1, 3, 4])
    cases = [
        (lambda v, I, J: v[:, I, J], lambda: a[:, i, j]),            # adjacent: in place
        (lambda v, I, J: v[I, :, J], lambda: a[i, :, j]),            # separated: first
        (lambda v, I, J: v[:, I, ..., J], lambda: a[:, i, ..., j]),  # ellipsis separates
        (lambda v, I, J: v[1, I], lambda: a[1, i]),                  # int joins the group
        (lambda v, I, J: v[I, 1:3, 2], lambda: a[i, 1:3, 2]),        # int separated
        (lambda v, I, J: v[None, ..., J, None], lambda: a[None, ..., j, None]),
        (lambda v, I, J: v[True, I], lambda: a[True, i]),
        (lambda v, I, J: v[:, False], lambda: a[:, False]),
    ]
    for got, want in cases:
        same(got(x, d(i), d(j)), want())
    mask = a[:, :, 0, 0] % 3 == 0
    same(x[d(mask), 2], a[mask, 2])
    row_mask = a[0, :, 0, 0] % 2 == 0
    same(x[1:, d(row_mask), ...], a[1:, row_mask, ...])
    same(x[d(np.array(True))], a[np.array(True)])
