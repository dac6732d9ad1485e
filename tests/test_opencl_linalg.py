"""OpenCL-specific checks of the matrix products and selection kernels
(``plugins/hal_opencl/_linalg.py``, ``kernels/matmul.c``, ``kernels/select.c``).

The differential suite (test_linalg.py ...) uses small random shapes, which run
``matmul_direct``; these tests reach the packed register-blocked kernel
(``matmul_v8``): sizes that are not multiples of its tiles, K longer than its K block,
transposed, sliced and reversed views, batch broadcasting, float16 through float32
accumulation.  Everything runs under ``HAL_FALLBACK=error`` semantics: a host
fallback would fail the test.  Skipped unless the device under test is OpenCL.
"""

from __future__ import annotations

import numpy as np
import pytest

import _strategies as hs
import hal

pytestmark = pytest.mark.skipif(hs.device().backend != "opencl",
                                reason="OpenCL kernels: run with HAL_TEST_BACKEND=opencl:...")

FLOATS = [d for d in (hal.float32, hal.float64, hal.float16) if d in hs.device().dtypes]
#: the dtypes matmul_v8 computes (complex ones as one real product of twice the size)
PACKED = FLOATS + hs.device_dtypes("c")
RNG = np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _no_fallback():
    with hal.fallback_policy("error"):
        yield


def _rand(shape, dtype, scale=1.0):
    np_dtype = hs.np_dtype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        return RNG.integers(max(info.min, -100), min(info.max, 100), shape,
                            endpoint=True).astype(np_dtype)
    a = RNG.standard_normal(shape) * scale
    if dtype.kind == "c":
        a = a + 1j * RNG.standard_normal(shape) * scale
    return a.astype(np_dtype)


def _dev(a):
    return hal.asarray(a, device=hs.device())


def _close(got, want, dtype, k=1):
    got = hal.to_numpy(got)
    assert got.shape == want.shape and got.dtype == want.dtype
    if dtype.kind in "iu":
        np.testing.assert_array_equal(got, want)
        return
    eps = float(np.finfo(hs.np_dtype(hs.real_of(dtype))).eps)
    scale = max(1.0, float(np.max(np.abs(want), initial=0)))
    np.testing.assert_allclose(got, want, rtol=8 * eps * np.sqrt(k) + eps,
                               atol=8 * eps * np.sqrt(k) * scale + 2 * eps * scale)


def _reference(a, b, dtype):
    """NumPy's product; float16 accumulates in float32 (as matmul_v8 does)."""
    if dtype is hal.float16:
        return np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(np.float16)
    return np.matmul(a, b)


# -- matmul_v8: tiles, views, batches ---------------------------------------------------

SIZES = [(37, 53, 29), (64, 64, 64), (97, 300, 41), (8, 600, 130), (130, 29, 9),
         (1, 300, 130), (5, 100, 100), (130, 300, 1), (100, 120, 3), (1, 20, 30), (3, 9, 4)]


@pytest.mark.parametrize("dtype", PACKED, ids=lambda d: d.name)
@pytest.mark.parametrize("m,k,n", SIZES)
def test_matmul_sizes(dtype, m, k, n):
    scale = 0.25 if dtype is hal.float16 else 1.0
    a, b = _rand((m, k), dtype, scale), _rand((k, n), dtype, scale)
    _close(_dev(a) @ _dev(b), _reference(a, b, dtype), dtype, k)


def test_the_sizes_reach_every_kernel():
    from hal_opencl import _linalg

    def path(m, k, n):
        if _linalg._use_v8(m, n, k):
            return "v8"
        return "rows" if m * n * k >= _linalg._SKINNY_MIN else "direct"
    paths = [path(*s) for s in SIZES]
    assert paths.count("v8") >= 4 and paths.count("rows") >= 4 and "direct" in paths


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.name)
def test_skinny_products_of_views(dtype):
    """matmul_rows reads b in place when its rows are contiguous, else packs it."""
    w, v = _rand((100, 200), dtype, 0.5), _rand((3, 200), dtype, 0.5)
    x, y = _dev(w), _dev(v)
    _close(y @ x.mT, _reference(v, w.T, dtype), dtype, 200)           # packed b
    _close(x[:, ::-1].mT @ x[:, 1], _reference(w[:, ::-1].T, w[:, 1], dtype), dtype, 100)
    _close(y[::2, 3:103] @ x[::-1], _reference(v[::2, 3:103], w[::-1], dtype), dtype, 100)
    _close(x[:, 7:] @ y[0, :193], _reference(w[:, 7:], v[0, :193], dtype), dtype, 193)


@pytest.mark.parametrize("dtype", PACKED, ids=lambda d: d.name)
def test_matmul_of_views(dtype):
    """Transposed, strided, reversed and offset views are read in place."""
    a, b = _rand((90, 140), dtype, 0.5), _rand((150, 70), dtype, 0.5)
    x, y = _dev(a), _dev(b)
    bt = np.ascontiguousarray(b[:90].T)
    cases = [
        (x.mT, _dev(bt).mT, a.T, bt.T),                     # both transposed
        (x[::2, 5:], y[15:, ::-1], a[::2, 5:], b[15:, ::-1]),
        (x[::-1, ::3][:, :40], y[::-2][:40], a[::-1, ::3][:, :40], b[::-2][:40]),
        (x[3:50, 1:129], y[2:130, 7:69], a[3:50, 1:129], b[2:130, 7:69]),
    ]
    for p, q, pa, qb in cases:
        _close(p @ q, _reference(pa, qb, dtype), dtype, pa.shape[-1])


@pytest.mark.parametrize("dtype", PACKED, ids=lambda d: d.name)
def test_matmul_batch_broadcasting(dtype):
    a, b = _rand((3, 1, 40, 50), dtype, 0.5), _rand((4, 50, 33), dtype, 0.5)
    _close(_dev(a) @ _dev(b), _reference(a, b, dtype), dtype, 50)
    c = _rand((50, 33), dtype, 0.5)
    _close(_dev(a) @ _dev(c), _reference(a, c, dtype), dtype, 50)
    _close(_dev(c.T) @ _dev(a.swapaxes(-1, -2)),
           _reference(c.T, a.swapaxes(-1, -2), dtype), dtype, 33)
    # a batch of views with zero batch strides (broadcast_to) and a transposed batch
    x = hal.broadcast_to(_dev(a[0, 0]), (5, 40, 50))
    _close(x @ _dev(b[1]), _reference(np.broadcast_to(a[0, 0], (5, 40, 50)), b[1], dtype),
           dtype, 50)
    _close(hal.permute_dims(_dev(b), (0, 2, 1)) @ _dev(a[0, 0]).mT,
           _reference(b.transpose(0, 2, 1), a[0, 0].T, dtype), dtype, 50)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.name)
def test_matmul_vectors_and_empty(dtype):
    a, b = _rand((300,), dtype, 0.5), _rand((300, 70), dtype, 0.5)
    _close(_dev(a) @ _dev(b), _reference(a, b, dtype), dtype, 300)
    _close(_dev(b.T) @ _dev(a), _reference(b.T, a, dtype), dtype, 300)
    _close(_dev(a) @ _dev(a), _reference(a, a, dtype), dtype, 300)
    z = _dev(np.zeros((40, 0), hs.np_dtype(dtype))) @ _dev(np.zeros((0, 50), hs.np_dtype(dtype)))
    assert z.shape == (40, 50) and not np.any(hal.to_numpy(z))
    assert (_dev(np.zeros((0, 60), hs.np_dtype(dtype))) @ _dev(b[:60])).shape == (0, 70)


@pytest.mark.parametrize("dtype", [hal.int8, hal.uint16, hal.int64, hal.uint64],
                         ids=lambda d: d.name)
def test_integer_matmul_wraps_like_numpy(dtype):
    a, b = _rand((2, 33, 70), dtype), _rand((70, 21), dtype)
    with np.errstate(all="ignore"):
        want = np.matmul(a, b)
    _close(_dev(a) @ _dev(b), want, dtype)


@pytest.mark.parametrize("dtype", hs.device_dtypes("c"), ids=lambda d: d.name)
def test_complex_products(dtype):
    a, b = _rand((2, 30, 45), dtype), _rand((45, 17), dtype)
    _close(_dev(a) @ _dev(b), np.matmul(a, b), dtype, 45)
    _close(hal.vecdot(_dev(a), _dev(a[:1])), np.vecdot(a, a[:1]), dtype, 45)
    _close(hal.linalg.outer(_dev(a[0, 0]), _dev(b[:, 0])), np.outer(a[0, 0], b[:, 0]), dtype)
    u, v = _rand((4, 3), dtype), _rand((3, 4), dtype)
    _close(hal.linalg.cross(_dev(u), _dev(v.T)), np.cross(u, v.T), dtype)


# -- tensordot, vecdot, cross ------------------------------------------------------------

def test_tensordot_views_and_copies():
    a = _rand((6, 5, 7, 4), hal.float32)
    b = _rand((7, 4, 3, 5), hal.float32)
    x, y = _dev(a), _dev(b)
    # contracted dims contiguous in both (views), then interleaved (a copy)
    _close(hal.tensordot(x, y, axes=([2, 3], [0, 1])),
           np.tensordot(a, b, axes=([2, 3], [0, 1])), hal.float32, 28)
    _close(hal.tensordot(x, y, axes=([1, 3], [3, 1])),
           np.tensordot(a, b, axes=([1, 3], [3, 1])), hal.float32, 20)
    _close(hal.linalg.tensordot(x.mT, y, axes=0), np.tensordot(a.swapaxes(-1, -2), b, axes=0),
           hal.float32)
    with pytest.raises(ValueError):
        hal.tensordot(x, y, axes=([0], [0]))


def test_vecdot_axes_and_broadcasting():
    a, b = _rand((3, 1, 50, 4), hal.float32), _rand((5, 50, 1), hal.float32)
    _close(hal.vecdot(_dev(a), _dev(b), axis=-2), np.vecdot(a, b, axis=-2), hal.float32, 50)
    _close(hal.linalg.vecdot(_dev(a[0, 0]), _dev(b[0, :, 0]), axis=0),
           np.vecdot(a[0, 0], b[0, :, 0], axis=0), hal.float32, 50)


@pytest.mark.parametrize("dtype", [hal.float32, hal.int32, hal.complex64],
                         ids=lambda d: d.name)
def test_long_sums_split(dtype):
    """Few outputs over a long K: slices summed in parallel, then their sums (dot_v8 for
    real floats contiguous along K, vecdot_direct / matmul_direct otherwise)."""
    a, b = _rand((3, 9000), dtype, 0.1), _rand((9000,), dtype, 0.1)
    with np.errstate(all="ignore"):
        _close(hal.vecdot(_dev(a), _dev(b)), np.vecdot(a, b), dtype, 9000)
        _close(_dev(a) @ _dev(b), np.matmul(a, b), dtype, 9000)
        _close(_dev(a[:, ::2]) @ _dev(b[::2]), np.matmul(a[:, ::2], b[::2]), dtype, 4500)
        _close(_dev(b) @ _dev(b), np.matmul(b, b), dtype, 9000)
    if dtype is hal.float32:
        # the sum of 2^20 float32 products stays near the float64 answer
        x = RNG.random(1 << 20).astype(np.float32)
        got = float(hal.to_numpy(_dev(x) @ _dev(x)))
        exact = float(x.astype(np.float64) @ x.astype(np.float64))
        assert abs(got - exact) <= 1e-5 * exact


def test_cross_other_axis():
    a, b = _rand((3, 5, 2), hal.float32), _rand((3, 1, 2), hal.float32)
    _close(hal.linalg.cross(_dev(a), _dev(b), axis=0), np.cross(a, b, axis=0), hal.float32)
    i = _rand((2, 3), hal.int16)
    _close(hal.linalg.cross(_dev(i), _dev(i[::-1])), np.cross(i, i[::-1]), hal.int16)


# -- selection ---------------------------------------------------------------------------

def test_where_views_and_broadcasting():
    c = RNG.random((4, 1, 6)) > 0.5
    a, b = _rand((5, 12), hal.float32), _rand((6,), hal.float32)
    got = hal.where(_dev(c), _dev(a)[:, ::2], _dev(b)[::-1])
    _close(got, np.where(c, a[:, ::2], b[::-1]), hal.float32)
    got = hal.where(_dev(c)[0], 1.5, _dev(a)[:1, :6])
    _close(got, np.where(c[0], np.float32(1.5), a[:1, :6]), hal.float32)


def test_clip_bounds():
    a = _rand((7, 9), hal.float32)
    a[0, 0] = np.nan
    lo, hi = _rand((9,), hal.float32) - 1, _rand((7, 1), hal.float32) + 1
    x = _dev(a)
    _close(hal.clip(x.mT, -0.5, 0.5), np.clip(a.T, -0.5, 0.5), hal.float32)
    _close(hal.clip(x, _dev(lo), None), np.maximum(a, lo), hal.float32)
    _close(hal.clip(x[:, ::-1], None, _dev(hi)), np.minimum(a[:, ::-1], hi), hal.float32)
    _close(hal.clip(x, _dev(lo), _dev(hi)), np.clip(a, lo, hi), hal.float32)
    _close(hal.clip(x, _dev(lo[:1]), 0.25), np.clip(a, lo[:1], 0.25), hal.float32)
    u = np.array([0, 7, 200, 255], np.uint8)
    _close(hal.clip(_dev(u), 5, 1000), np.clip(u, 5, 255), hal.uint8)


def test_tril_triu_eye():
    a = _rand((3, 5, 6), hal.int32)
    x = _dev(a)
    for k in (-7, -1, 0, 2, 10**20, -10**20):
        kk = max(-10, min(10, k))
        _close(hal.tril(x, k=k), np.tril(a, kk), hal.int32)
        _close(hal.triu(x.mT, k=k), np.triu(a.swapaxes(-1, -2), kk), hal.int32)
    for dtype in (hal.bool, hal.uint8, hal.float32, hal.complex64):   # all: test_creation
        e = hal.eye(4, 7, k=2, dtype=dtype, device=hs.device())
        np.testing.assert_array_equal(hal.to_numpy(e), np.eye(4, 7, 2, dtype=hs.np_dtype(dtype)))
    assert hal.eye(3, k=10**30, device=hs.device()).shape == (3, 3)


def test_meshgrid_returns_views():
    a, b, c = _rand((3,), hal.float32), _rand((4,), hal.float32), _rand((2,), hal.float32)
    x, y, z = _dev(a), _dev(b), _dev(c)
    for indexing in ("xy", "ij"):
        got = hal.meshgrid(x, y[::-1], z, indexing=indexing)
        want = np.meshgrid(a, b[::-1], c, indexing=indexing)
        for g, w in zip(got, want):
            _close(g, w, hal.float32)
        assert got[0]._native.data is x._native.data      # no copy
        assert 0 in got[0]._native.strides


# -- explain names the kernels ---------------------------------------------------------

def test_explain_names_the_opencl_kernels():
    a = _dev(_rand((40, 40), hal.float32))
    v = _dev(_rand((40,), hal.float32))
    cases = [("matmul", (a, a), {}, "matmul_v8"), ("linalg.matmul", (a, a), {}, "matmul_v8"),
             ("tensordot", (a, a), {"axes": 1}, "matmul_v8"),
             ("vecdot", (a, a), {}, "vecdot_direct"),
             ("linalg.outer", (v, v), {}, "matmul_direct"),
             ("linalg.cross", (a[:, :3], a[:, 3:6]), {}, "cross3"),
             ("where", (a > 0, a, v), {}, "where_strided"),
             ("clip", (a, 0.0, 1.0), {}, "clip_contig"),
             ("tril", (a,), {}, "tri_contig"), ("triu", (a,), {}, "tri_contig"),
             ("meshgrid", (v, v), {}, "views")]
    for op, args, kwargs, kernel in cases:
        e = hal.explain(op, *args, **kwargs)
        assert e.how == "kernel" and not e.fallback, str(e)
        assert e.kernel.startswith(f"opencl.{op}[") and kernel in e.kernel, str(e)
    e = hal.explain("eye", 3, dtype=hal.float32, device=hs.device())
    assert e.kernel == "opencl.eye[eye]" and not e.fallback
