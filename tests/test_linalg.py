"""Linear algebra: ``matmul``/``matrix_transpose``/``tensordot``/``vecdot`` and the
``linalg`` extension against NumPy, for every dtype of the device each accepts.

Factorizations that are unique only up to signs or phases (eigh, qr, svd) are checked
by their defining properties (reconstruction, orthonormality) and by their unique
parts (eigenvalues, singular values) against NumPy.  hal computes integer inputs to
floating-only functions in the device's default floating dtype.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import _strategies as hs
import hal as xp


NUMERIC = hs.dtype_params("iufc")
# LAPACK-backed functions: float16 is covered by test_float16_decompositions
FLOATING = [p for p in hs.dtype_params("iufc") if p.values[0] is not xp.float16]
BOUND = 10


def _compute_dtype(dtype):
    return hs.default_float() if dtype.kind in "iu" else dtype


def _tol(dtype, factor=1000):
    eps = float(np.finfo(hs.np_dtype(hs.real_of(_compute_dtype(dtype)))).eps)
    return {"rtol": factor * eps, "atol": factor * eps * BOUND}


def _values(dtype, shape):
    return hs.finite_arrays(dtype, shape, lo=-BOUND, hi=BOUND)


def _matrix_shape(data, *, square=False, min_side=1, max_batch=2):
    batch = data.draw(hs.shapes(0, max_batch, 1, 3), label="batch")
    m = data.draw(st.integers(min_side, 4), label="rows")
    n = m if square else data.draw(st.integers(min_side, 4), label="cols")
    return batch + (m, n)


def _well_conditioned(data, dtype, *, hermitian_pd=False):
    """A batch of square matrices far from singular: diagonally dominant, or
    Hermitian positive definite (B B^H + n I) for cholesky and eigh."""
    shape = _matrix_shape(data, square=True)
    n = shape[-1]
    compute = _compute_dtype(dtype)
    if dtype.kind in "iu":
        # integer inputs: a diagonally dominant integer matrix
        a = data.draw(hs.finite_arrays(dtype, shape, lo=0, hi=3), label="a")
        eye = np.eye(n, dtype=a.dtype) * (3 * n + 1)
        return (a + eye).astype(a.dtype) if not hermitian_pd else \
            (a + np.swapaxes(a, -1, -2) + eye).astype(a.dtype)
    b = data.draw(hs.finite_arrays(dtype, shape, lo=-1, hi=1), label="b")
    if hermitian_pd:
        a = b @ np.conj(np.swapaxes(b, -1, -2)) + n * np.eye(n)
    else:
        a = b + (n + 1) * np.eye(n)
    return a.astype(hs.np_dtype(compute))


# -- the main namespace ----------------------------------------------------------------

@pytest.mark.parametrize("dtype", NUMERIC)
@given(data=st.data())
def test_matmul(dtype, data):
    k = data.draw(st.integers(1, 4), label="k")
    case = data.draw(st.sampled_from(["matrix", "vector-left", "vector-right", "both"]),
                     label="case")
    batch = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2,
                                                        max_side=3), label="batches")
    b1, b2 = batch.input_shapes
    s1 = (k,) if case in ("vector-left", "both") else b1 + (data.draw(st.integers(1, 4)), k)
    s2 = (k,) if case in ("vector-right", "both") else b2 + (k, data.draw(st.integers(1, 4)))
    a = data.draw(_values(dtype, s1), label="x1")
    b = data.draw(_values(dtype, s2), label="x2")
    with np.errstate(all="ignore"):
        ref = np.matmul(a, b)
    hs.assert_matches(xp.matmul(hs.to_device(a), hs.to_device(b)), ref, **_tol(dtype))
    hs.assert_matches(hs.to_device(a) @ hs.to_device(b), ref, **_tol(dtype))


def test_matmul_refuses(device):
    a, b = hs.to_device(np.ones((2, 3))), hs.to_device(np.ones((2, 3)))
    with pytest.raises(ValueError) as info:
        xp.matmul(a, b)
    assert isinstance(info.value, xp.HalError) and "matmul" in str(info.value)
    with pytest.raises(ValueError):
        xp.matmul(hs.to_device(np.ones(())), a)
    with pytest.raises(TypeError):
        xp.matmul(hs.to_device(np.ones((2, 2), bool)), hs.to_device(np.ones((2, 2), bool)))


@pytest.mark.parametrize("dtype", NUMERIC)
@given(data=st.data())
def test_matmul_mixed_dtypes(dtype, data):
    other = data.draw(st.sampled_from(hs.device_dtypes("iufc")), label="other")
    a = data.draw(_values(dtype, (2, 3)), label="x1")
    b = data.draw(_values(other, (3, 2)), label="x2")
    expected = hs.expected_promotion(dtype, other)
    if expected is None:
        with pytest.raises(TypeError):
            xp.matmul(hs.to_device(a), hs.to_device(b))
        return
    cast = hs.np_dtype(expected)
    with np.errstate(all="ignore"):
        ref = np.matmul(a.astype(cast), b.astype(cast))
    out = xp.matmul(hs.to_device(a), hs.to_device(b))
    hs.assert_matches(out, ref, dtype=expected, **_tol(expected))
    hs.check_against_strict(out.dtype, "matmul", dtype, other)


@pytest.mark.parametrize("name", ["matrix_transpose", "linalg.matrix_transpose"])
@pytest.mark.parametrize("dtype", hs.dtype_params())
@given(data=st.data())
def test_matrix_transpose(name, dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_dims=2)), label="x")
    fn = xp.linalg.matrix_transpose if name.startswith("linalg") else xp.matrix_transpose
    hs.assert_matches(fn(hs.to_device(a)), np.matrix_transpose(a))


@pytest.mark.parametrize("name", ["tensordot", "linalg.tensordot"])
@pytest.mark.parametrize("dtype", NUMERIC)
@given(data=st.data())
def test_tensordot(name, dtype, data):
    shared = data.draw(hs.shapes(0, 2, 1, 3), label="shared")
    left = data.draw(hs.shapes(0, 2, 1, 3), label="left")
    right = data.draw(hs.shapes(0, 2, 1, 3), label="right")
    a = data.draw(_values(dtype, left + shared), label="x1")
    b = data.draw(_values(dtype, shared + right), label="x2")
    if data.draw(st.booleans(), label="int axes"):
        axes = len(shared)
    else:
        axes = (list(range(len(left), len(left) + len(shared))), list(range(len(shared))))
    fn = xp.linalg.tensordot if name.startswith("linalg") else xp.tensordot
    with np.errstate(all="ignore"):
        ref = np.tensordot(a, b, axes=axes)
    hs.assert_matches(fn(hs.to_device(a), hs.to_device(b), axes=axes), ref, **_tol(dtype))


@pytest.mark.parametrize("name", ["vecdot", "linalg.vecdot"])
@pytest.mark.parametrize("dtype", NUMERIC)
@given(data=st.data())
def test_vecdot(name, dtype, data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1,
                                                         max_dims=3, min_side=1,
                                                         max_side=3), label="shapes")
    s1, s2 = shapes.input_shapes
    n = min(len(s1), len(s2))
    axis = data.draw(st.integers(-n, -1), label="axis")
    size = data.draw(st.integers(1, 4), label="size")
    s1 = s1[:len(s1) + axis] + (size,) + (s1[len(s1) + axis + 1:])
    s2 = s2[:len(s2) + axis] + (size,) + (s2[len(s2) + axis + 1:])
    a = data.draw(_values(dtype, s1), label="x1")
    b = data.draw(_values(dtype, s2), label="x2")
    fn = xp.linalg.vecdot if name.startswith("linalg") else xp.vecdot
    with np.errstate(all="ignore"):
        ref = np.vecdot(a, b, axis=axis)
    hs.assert_matches(fn(hs.to_device(a), hs.to_device(b), axis=axis), ref, **_tol(dtype))


# -- linalg: elementary ----------------------------------------------------------------

@pytest.mark.parametrize("dtype", hs.dtype_params())
@given(data=st.data())
def test_diagonal(dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_dims=2)), label="x")
    offset = data.draw(st.integers(-4, 4), label="offset")
    hs.assert_matches(xp.linalg.diagonal(hs.to_device(a), offset=offset),
                      np.linalg.diagonal(a, offset=offset))


@pytest.mark.parametrize("dtype", NUMERIC)
@given(data=st.data())
def test_trace(dtype, data):
    a = data.draw(_values(dtype, _matrix_shape(data, min_side=0)), label="x")
    offset = data.draw(st.integers(-3, 3), label="offset")
    want = hs.accumulation_dtype(dtype)
    out = xp.linalg.trace(hs.to_device(a), offset=offset)
    ref = np.linalg.trace(a, offset=offset, dtype=hs.np_dtype(want))
    hs.assert_matches(out, ref, dtype=want, **_tol(dtype))


@pytest.mark.parametrize("dtype", NUMERIC)
@given(data=st.data())
def test_outer(dtype, data):
    a = data.draw(_values(dtype, hs.shapes(1, 1)), label="x1")
    b = data.draw(_values(dtype, hs.shapes(1, 1)), label="x2")
    with np.errstate(all="ignore"):
        ref = np.linalg.outer(a, b)
    hs.assert_matches(xp.linalg.outer(hs.to_device(a), hs.to_device(b)), ref, **_tol(dtype))


@pytest.mark.parametrize("dtype", NUMERIC)
@given(data=st.data())
def test_cross(dtype, data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2,
                                                         max_side=3), label="batches")
    s1, s2 = (s + (3,) for s in shapes.input_shapes)
    a = data.draw(_values(dtype, s1), label="x1")
    b = data.draw(_values(dtype, s2), label="x2")
    with np.errstate(all="ignore"):
        ref = np.linalg.cross(a, b)
    hs.assert_matches(xp.linalg.cross(hs.to_device(a), hs.to_device(b)), ref, **_tol(dtype))


def test_cross_axis_must_have_size_3(device):
    with pytest.raises(ValueError) as info:
        xp.linalg.cross(hs.to_device(np.ones(2)), hs.to_device(np.ones(2)))
    assert isinstance(info.value, xp.HalError)


@pytest.mark.parametrize("dtype", FLOATING)
@given(data=st.data())
def test_matrix_power(dtype, data):
    n = data.draw(st.integers(-2, 4), label="n")
    if n < 0:
        a = _well_conditioned(data, dtype)
    else:
        a = data.draw(hs.finite_arrays(dtype, _matrix_shape(data, square=True), lo=-2, hi=2),
                      label="x")
    compute = a.dtype if n >= 0 else hs.np_dtype(_compute_dtype(dtype))
    with np.errstate(all="ignore"):
        ref = np.linalg.matrix_power(a.astype(compute), n)
    hs.assert_matches(xp.linalg.matrix_power(hs.to_device(a), n), ref,
                      **_tol(hs.hal_dtype(compute), 10_000))


# -- linalg: factorizations and solvers ------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATING)
@given(data=st.data())
def test_inv_det_slogdet_solve(dtype, data):
    a = _well_conditioned(data, dtype)
    x = hs.to_device(a)
    tol = _tol(dtype, 10_000)
    compute = a.astype(hs.np_dtype(_compute_dtype(dtype)))
    hs.assert_matches(xp.linalg.inv(x), np.linalg.inv(compute), **tol)
    det = np.linalg.det(compute)
    hs.assert_matches(xp.linalg.det(x), det, rtol=tol["rtol"],
                      atol=tol["rtol"] * float(np.max(np.abs(det), initial=1)))
    sign, logabs = xp.linalg.slogdet(x)
    ref = np.linalg.slogdet(compute)
    hs.assert_matches(sign, ref.sign, **tol)
    hs.assert_matches(logabs, ref.logabsdet, **tol)
    # solve: a matrix right-hand side, and a vector one when x is a single matrix
    rhs = data.draw(_values(dtype, a.shape[:-1] + (2,)), label="b")
    hs.assert_matches(xp.linalg.solve(x, hs.to_device(rhs)), np.linalg.solve(
        compute, rhs.astype(compute.dtype)), **tol)
    if a.ndim == 2:
        vec = data.draw(_values(dtype, a.shape[-1:]), label="vector b")
        hs.assert_matches(xp.linalg.solve(x, hs.to_device(vec)), np.linalg.solve(
            compute, vec.astype(compute.dtype)), **tol)


@pytest.mark.parametrize("dtype", FLOATING)
@given(data=st.data())
def test_cholesky(dtype, data):
    a = _well_conditioned(data, dtype, hermitian_pd=True)
    upper = data.draw(st.booleans(), label="upper")
    compute = a.astype(hs.np_dtype(_compute_dtype(dtype)))
    hs.assert_matches(xp.linalg.cholesky(hs.to_device(a), upper=upper),
                      np.linalg.cholesky(compute, upper=upper), **_tol(dtype, 10_000))


def _check_orthonormal_columns(q, tol):
    qh_q = np.conj(np.swapaxes(q, -1, -2)) @ q
    np.testing.assert_allclose(qh_q, np.broadcast_to(np.eye(q.shape[-1]), qh_q.shape),
                               **tol)


@pytest.mark.parametrize("dtype", FLOATING)
@given(data=st.data())
def test_eigh_eigvalsh(dtype, data):
    a = _well_conditioned(data, dtype, hermitian_pd=True)
    x = hs.to_device(a)
    compute = a.astype(hs.np_dtype(_compute_dtype(dtype)))
    tol = _tol(dtype, 10_000)
    values = np.linalg.eigvalsh(compute)
    hs.assert_matches(xp.linalg.eigvalsh(x), values, **tol)
    w, v = xp.linalg.eigh(x)
    hs.assert_matches(w, values, **tol)
    assert v.dtype is hs.hal_dtype(compute.dtype) and v.shape == a.shape
    vn, wn = hs.to_numpy(v), hs.to_numpy(w)
    np.testing.assert_allclose(compute @ vn, vn * wn[..., None, :], **_scaled(tol, a))
    _check_orthonormal_columns(vn, tol)


def _scaled(tol, a):
    return {"rtol": tol["rtol"], "atol": tol["rtol"] * float(np.max(np.abs(a), initial=1))
            * a.shape[-1]}


@pytest.mark.parametrize("dtype", FLOATING)
@given(data=st.data())
def test_qr(dtype, data):
    a = data.draw(_values(dtype, _matrix_shape(data)), label="x")
    mode = data.draw(st.sampled_from(["reduced", "complete"]), label="mode")
    compute = a.astype(hs.np_dtype(_compute_dtype(dtype)))
    q, r = xp.linalg.qr(hs.to_device(a), mode=mode)
    ref = np.linalg.qr(compute, mode=mode)
    assert q.shape == ref.Q.shape and r.shape == ref.R.shape
    assert q.dtype is r.dtype is hs.hal_dtype(compute.dtype)
    qn, rn = hs.to_numpy(q), hs.to_numpy(r)
    tol = _tol(dtype, 10_000)
    np.testing.assert_allclose(qn @ rn, compute, **_scaled(tol, a))
    np.testing.assert_array_equal(rn, np.triu(rn), err_msg="R is upper triangular")
    _check_orthonormal_columns(qn, tol)


@pytest.mark.parametrize("dtype", FLOATING)
@given(data=st.data())
def test_svd_svdvals(dtype, data):
    a = data.draw(_values(dtype, _matrix_shape(data)), label="x")
    full = data.draw(st.booleans(), label="full_matrices")
    compute = a.astype(hs.np_dtype(_compute_dtype(dtype)))
    tol = _tol(dtype, 10_000)
    s_ref = np.linalg.svdvals(compute)
    x = hs.to_device(a)
    hs.assert_matches(xp.linalg.svdvals(x), s_ref, **_scaled(tol, a))
    u, s, vh = xp.linalg.svd(x, full_matrices=full)
    ref = np.linalg.svd(compute, full_matrices=full)
    assert (u.shape, s.shape, vh.shape) == (ref.U.shape, ref.S.shape, ref.Vh.shape)
    hs.assert_matches(s, s_ref, **_scaled(tol, a))
    un, sn, vhn = hs.to_numpy(u), hs.to_numpy(s), hs.to_numpy(vh)
    k = sn.shape[-1]
    rebuilt = (un[..., :, :k] * sn[..., None, :]) @ vhn[..., :k, :]
    np.testing.assert_allclose(rebuilt, compute, **_scaled(tol, a))


@pytest.mark.parametrize("dtype", FLOATING)
@given(data=st.data())
def test_pinv_matrix_rank(dtype, data):
    a = data.draw(_values(dtype, _matrix_shape(data)), label="x")
    compute = a.astype(hs.np_dtype(_compute_dtype(dtype)))
    x = hs.to_device(a)
    hs.assert_matches(xp.linalg.matrix_rank(x), np.linalg.matrix_rank(compute))
    p = hs.to_numpy(xp.linalg.pinv(x))
    assert p.shape == compute.shape[:-2] + compute.shape[-1:] + compute.shape[-2:-1]
    # the Moore-Penrose conditions a p a = a (pinv itself is ill-conditioned near
    # rank-deficient matrices, so compare the product, not p)
    np.testing.assert_allclose(compute @ p @ compute, compute,
                               **_scaled(_tol(dtype, 100_000), a))


# -- linalg: norms ---------------------------------------------------------------------

@pytest.mark.parametrize("dtype", NUMERIC)
@given(data=st.data())
def test_vector_norm(dtype, data):
    a = data.draw(_values(dtype, hs.shapes()), label="x")
    ndim = a.ndim
    if ndim == 0 or data.draw(st.booleans(), label="axis=None"):
        axis = None
    else:
        axis = tuple(data.draw(st.lists(st.integers(0, ndim - 1), unique=True, min_size=1),
                               label="axes"))
    keepdims = data.draw(st.booleans(), label="keepdims")
    ord = data.draw(st.sampled_from([1, 2, 3, 0, float("inf"), -float("inf"), 0.5]),
                    label="ord")
    want = hs.real_of(_compute_dtype(dtype))
    x = hs.to_device(a)
    try:
        with np.errstate(all="ignore"):
            ref = np.linalg.vector_norm(a.astype(hs.np_dtype(_compute_dtype(dtype))),
                                        axis=axis, keepdims=keepdims, ord=ord)
    except ValueError:  # min/max norms of nothing: no identity
        with pytest.raises(ValueError) as info:
            xp.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)
        assert isinstance(info.value, xp.HalError)
        return
    out = xp.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)
    tol = _tol(dtype, 100) if dtype is not xp.float16 else {"rtol": 1e-2, "atol": 1e-1}
    hs.assert_matches(out, np.asarray(ref).astype(hs.np_dtype(want)), dtype=want, **tol)


@pytest.mark.parametrize("dtype", FLOATING)
@given(data=st.data())
def test_matrix_norm(dtype, data):
    a = data.draw(_values(dtype, _matrix_shape(data)), label="x")
    ord = data.draw(st.sampled_from(["fro", "nuc", 1, -1, 2, -2, float("inf"),
                                     -float("inf")]), label="ord")
    keepdims = data.draw(st.booleans(), label="keepdims")
    compute = a.astype(hs.np_dtype(_compute_dtype(dtype)))
    want = hs.real_of(hs.hal_dtype(compute.dtype))
    out = xp.linalg.matrix_norm(hs.to_device(a), keepdims=keepdims, ord=ord)
    ref = np.linalg.matrix_norm(compute, keepdims=keepdims, ord=ord)
    hs.assert_matches(out, ref, dtype=want, **_scaled(_tol(dtype, 10_000), a))


# -- float16 and bad input -------------------------------------------------------------

@pytest.mark.parametrize("name", ["inv", "det", "cholesky", "eigvalsh", "svdvals",
                                  "slogdet", "qr", "svd", "eigh", "pinv"]
                         if xp.float16 in hs.device().dtypes else [])
def test_float16_decompositions(name, device):
    """float16 is hal's extension: a device computes it, or says clearly it cannot."""
    a = np.eye(3, dtype=np.float16) * 2
    fn = getattr(xp.linalg, name)
    try:
        out = fn(hs.to_device(a))
    except TypeError as exc:
        assert isinstance(exc, xp.HalTypeError)
        assert f"linalg.{name}" in str(exc) and str(device) in str(exc), str(exc)
        return
    first = out[0] if isinstance(out, tuple) else out
    assert first.dtype is xp.float16


@pytest.mark.parametrize("name", ["inv", "det", "cholesky", "eigh", "eigvalsh",
                                  "slogdet"])
def test_square_matrices_required(name, device):
    with pytest.raises(ValueError) as info:
        getattr(xp.linalg, name)(hs.to_device(np.ones((2, 3))))
    assert isinstance(info.value, xp.HalError) and name in str(info.value)
    with pytest.raises(TypeError):
        getattr(xp.linalg, name)(hs.to_device(np.ones((2, 2), dtype=bool)))


def test_singular_matrix_error(device):
    with pytest.raises(ValueError) as info:
        xp.linalg.inv(hs.to_device(np.zeros((2, 2))))
    assert isinstance(info.value, xp.HalError)
    assert "linalg.inv" in str(info.value) and str(device) in str(info.value)


# -- dtypes and shapes against array-api-strict -----------------------------------------

def _strict_cases():
    """(name, args builder) for every linalg function strict can check cheaply."""
    sq = lambda d: np.eye(3, dtype=d) * 2 + 0.5  # noqa: E731  (well conditioned)
    rect = lambda d: np.arange(6).reshape(2, 3).astype(d) + 1  # noqa: E731
    vec = lambda d: np.arange(3).astype(d) + 1  # noqa: E731
    return {
        "linalg.cholesky": lambda d: (sq(d),), "linalg.det": lambda d: (sq(d),),
        "linalg.eigh": lambda d: (sq(d),), "linalg.eigvalsh": lambda d: (sq(d),),
        "linalg.inv": lambda d: (sq(d),), "linalg.slogdet": lambda d: (sq(d),),
        "linalg.qr": lambda d: (rect(d),), "linalg.svd": lambda d: (rect(d),),
        "linalg.svdvals": lambda d: (rect(d),), "linalg.pinv": lambda d: (rect(d),),
        "linalg.matrix_rank": lambda d: (rect(d),),
        "linalg.matrix_norm": lambda d: (rect(d),),
        "linalg.vector_norm": lambda d: (rect(d),),
        "linalg.diagonal": lambda d: (rect(d),), "linalg.trace": lambda d: (sq(d),),
        "linalg.outer": lambda d: (vec(d), vec(d)), "linalg.cross": lambda d: (vec(d),
                                                                               sq(d)),
        "linalg.solve": lambda d: (sq(d), sq(d)), "linalg.matmul": lambda d: (rect(d),
                                                                               sq(d)),
        "linalg.tensordot": lambda d: (sq(d), sq(d)), "linalg.vecdot": lambda d: (
            rect(d), vec(d)),
        "linalg.matrix_transpose": lambda d: (rect(d),),
        "matmul": lambda d: (vec(d), sq(d)), "vecdot": lambda d: (sq(d), vec(d)),
        "tensordot": lambda d: (sq(d), sq(d)), "matrix_transpose": lambda d: (rect(d),),
    }


@pytest.mark.parametrize("name", sorted(_strict_cases()))
@pytest.mark.parametrize("dtype", [p for p in hs.dtype_params("fc")
                                   if p.values[0] is not xp.float16])
def test_dtypes_and_shapes_match_strict(name, dtype):
    args = _strict_cases()[name](hs.np_dtype(dtype))
    fn_hal, fn_strict = xp, hs.strict
    for part in name.split("."):
        fn_hal, fn_strict = getattr(fn_hal, part), getattr(fn_strict, part)
    got = fn_hal(*[hs.to_device(a) for a in args])
    want = fn_strict(*[hs.strict.asarray(a) for a in args])
    got = got if isinstance(got, tuple) else (got,)
    want = want if isinstance(want, tuple) else (want,)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape, name
        assert g.dtype.name == hs.strict_dtype_name(w.dtype), name
        np.testing.assert_allclose(hs.to_numpy(g), np.asarray(w), **_tol(dtype, 10_000))
