"""hal's portable kernels on oneAPI devices (``plugins/hal_oneapi/_portable_ops.py``,
``_programs.py``): built from ``kernels/`` with dpctl's program API.

On a SYCL device of the OpenCL backend, the elementwise loops where dpnp's special
values differ from NumPy's run hal's own kernels.  These tests check that they do (by
``hal.explain``), that they match NumPy at infinities, NaNs and zeros on contiguous,
strided, broadcast and 0-D inputs with no host fallback allowed, and that
``hal_compile_kernel`` builds ``kernels/`` sources for the device.  Skipped where dpnp
or a oneAPI device of the OpenCL backend is missing.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import hal

pytestmark = pytest.mark.skipif(importlib.util.find_spec("dpnp") is None,
                                reason="dpnp is not installed (pip install -e \".[oneapi,intel]\")")


@pytest.fixture(scope="module")
def dev():
    try:
        device = hal.get_device("oneapi")
    except (hal.HalValueError, hal.HalDeviceError) as exc:
        pytest.skip(f"no oneAPI device: {exc}")
    if "raw_kernels" not in device.info.capabilities.features:
        pytest.skip(f"{device} ({device.info.driver_version}) does not build OpenCL C")
    return device


@pytest.fixture(autouse=True)
def _no_fallback():
    with hal.fallback_policy("error"):
        yield


INF, NAN = np.inf, np.nan
COMPLEX_SPECIALS = np.array([0j, -0j, 1 + 1j, 90 + 0j, 711 + 1j, INF * 1j, complex(INF, 0),
                             complex(-INF, 1), complex(0, -INF), complex(NAN, 0),
                             complex(INF, INF), 1e300 + 1e300j])


def _views(host):
    """``host`` as the layouts a kernel must handle: contiguous, strided, reversed, 0-D."""
    return {"contiguous": (host, lambda a: a), "strided": (host, lambda a: a[::2]),
            "reversed": (host, lambda a: a[::-1]), "0-D": (host[3:4], lambda a: a[0])}


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name", ["acosh", "cosh", "log10", "reciprocal", "sign"])
@pytest.mark.parametrize("layout", ["contiguous", "strided", "reversed", "0-D"])
def test_complex_unary_special_values_follow_numpy(dev, name, dtype, layout):
    host, view = _views(COMPLEX_SPECIALS.astype(dtype))[layout]
    x = view(hal.asarray(host, device=dev))
    assert hal.explain(getattr(hal, name), x).kernel == f"hal.kernels.unary[{name}]"
    with np.errstate(all="ignore"):
        want = getattr(np, {"acosh": "arccosh"}.get(name, name))(view(host))
    got = hal.to_numpy(getattr(hal, name)(x))
    _assert_complex_close(got, want, rtol=1e-5 if dtype == "complex64" else 1e-12)


def _assert_complex_close(got, want, rtol):
    """Real and imaginary parts apart: NumPy's assert_allclose compares a complex
    element holding an infinity exactly, last bit of its finite part included."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got.real, want.real, rtol=rtol, equal_nan=True)
    np.testing.assert_allclose(got.imag, want.imag, rtol=rtol, equal_nan=True)


@pytest.mark.parametrize("name", ["multiply", "divide", "pow"])
def test_complex_binary_special_values_broadcast_and_scalars(dev, name):
    a = COMPLEX_SPECIALS.astype("complex128")
    b = COMPLEX_SPECIALS[::-1].astype("complex128")
    fn, ref = getattr(hal, name), getattr(np, {"pow": "power"}.get(name, name))
    x, y = hal.asarray(a, device=dev), hal.asarray(b, device=dev)
    cases = [  # (hal inputs, NumPy inputs): same shapes, broadcast, Python scalars
        ((x, y), (a, b)),
        ((x[:, None], y[None, ::3]), (a[:, None], b[None, ::3])),
        ((x, 0j), (a, 0j)),
        ((2 + 0j, x), (2 + 0j, a)),
    ]
    for (h1, h2), (n1, n2) in cases:
        assert hal.explain(fn, h1, h2).kernel == f"hal.kernels.binary[{name}]"
        with np.errstate(all="ignore"):
            want = ref(n1, n2)
        _assert_complex_close(hal.to_numpy(fn(h1, h2)), want, rtol=1e-12)
    # 0 ** 0j is 1 (dpnp's own pow gives nan+nanj)
    assert hal.to_numpy(hal.pow(hal.asarray(0j, device=dev), 0j)) == 1


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_floor_divide_by_and_of_infinity_follows_the_standard(dev, dtype):
    """inf // 1 is +inf and 1 // -inf is -0 (the standard; NumPy gives NaN and -1):
    hal's kernel, as on every backend (README: "Where hal follows the standard")."""
    if hal._dtypes.BY_NAME[dtype] not in dev.dtypes:
        pytest.skip(f"{dev} has no {dtype}")
    a = np.array([1.0, -1.0, INF, -INF, 0.0, 7.5, NAN, 7.5], dtype=dtype)
    b = np.array([-INF, INF, 1.0, 2.0, -3.0, 0.0, 1.0, -2.0], dtype=dtype)
    want = np.array([-0.0, -0.0, INF, -INF, -0.0, INF, NAN, -4.0], dtype=dtype)
    x, y = hal.asarray(a, device=dev), hal.asarray(b, device=dev)
    got = hal.to_numpy(hal.floor_divide(x, y))
    np.testing.assert_array_equal(got, want)
    assert list(np.signbit(got[:5])) == [True, True, False, True, True]
    np.testing.assert_array_equal(hal.to_numpy(x // -INF),
                                  hal.to_numpy(hal.asarray(a) // -INF))


def test_other_loops_keep_dpnp(dev):
    x = hal.asarray([1.0, 2.0], dtype=hal.float32, device=dev)
    assert hal.explain(hal.cosh, x).kernel == "dpnp.cosh"
    assert hal.explain(hal.sqrt, x).kernel == "dpnp.sqrt"
    h = hal.asarray([1.0, 2.0], dtype=hal.float16, device=dev)
    assert hal.explain(hal.multiply, h, h).kernel == "dpnp.multiply"


# -- hot loops: hal's kernels where they give dpnp's bits (_portable_ops.HOT) -----------------

def _hot_data(dtype: str, shift: int) -> np.ndarray:
    """Specials first (zeros of both signs, infinities, NaN, subnormals, the integer
    bounds), then random values over many magnitudes: 67 of them, so a launch ends in
    a partial work-group (Intel's compiler runs those through scalar code)."""
    rng = np.random.default_rng(shift)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, 67).astype(bool)
    if dt.kind == "f":
        special = np.array([0.0, -0.0, INF, -INF, NAN, 1.0, -1.0, 0.5, 1e-40, -3e38, 3e38],
                           dtype=dt)
        x = (rng.standard_normal(67) * 10.0 ** rng.integers(-4, 5, 67)).astype(dt)
    else:
        info = np.iinfo(dt)
        special = np.array([0, 1, info.max, info.min, info.max - 1, 7], dtype=dt)
        x = rng.integers(info.min, info.max, 67, dtype=dt, endpoint=True)
    x[:len(special)] = np.roll(special, shift)
    return x


def _bits(a) -> np.ndarray:
    a = np.asarray(a)
    return a.view(f"u{a.itemsize}") if a.dtype.kind != "b" else a


def test_hot_loops_give_dpnps_bits_in_every_layout(dev):
    """Each HOT loop, run by dpnp for its first calls and by hal's kernel from then on,
    gives the same bits either way: arrays, strided and reversed views, broadcasting,
    0-D arrays and Python scalars on either side."""
    import dpnp
    from hal_oneapi import _portable_ops
    from hal.toolkit import OPS
    warm = _portable_ops.HOT_AFTER + 1
    for name, dtypes in _portable_ops.HOT.items():
        fn, unary = getattr(hal, name), OPS[name].kind == "unary"
        # each dtype costs a ~150 ms build: one of each width and kind, int8 for its
        # unsigned scalar argument
        for dtype in set(dtypes) & {"float32", "float64", "int8", "int32", "uint64", "bool"}:
            if hal._dtypes.BY_NAME[dtype] not in dev.dtypes:
                continue
            a = hal.asarray(_hot_data(dtype, 0), device=dev)
            # views of >= 4096 elements run as row kernels (_launch.ROWS_FROM)
            big = hal.reshape(hal.asarray(np.resize(_hot_data(dtype, 1), 72 * 72),
                                          device=dev), (72, 72))
            for _ in range(warm):
                fn(a) if unary else fn(a, a)
            explained = hal.explain(fn, *([a] if unary else [a, a])).kernel
            assert explained.startswith(f"hal.kernels.{OPS[name].kind}[{name}]"), explained
            if unary:
                cases = {"contiguous": (a,), "strided": (a[::3],), "reversed": (a[::-1],),
                         "0-D": (a[5],), "2-D transposed": (hal.reshape(a[:64], (8, 8)).mT,),
                         "rows": (big[:, 1:-1],)}
            else:
                b = hal.asarray(_hot_data(dtype, 3), device=dev)
                s = _hot_data(dtype, 5)[2].item()
                m = hal.reshape(a[:64], (8, 8))
                cases = {"contiguous": (a, b), "views": (a[1:], b[:-1]),
                         "strided": (a[:-1:2], b[1::2]), "broadcast": (m, b[:8]),
                         "column": (m, hal.reshape(b[:8], (8, 1))), "0-D": (a[2], b[3]),
                         "scalar right": (a, s), "scalar left": (s, a),
                         "strided scalar": (a[::-2], s), "rows": (big[:, 1:-1], big[:, 2:]),
                         "rows broadcast": (big[1:, 1:-1], big[0, 2:]),
                         "rows scalar": (s, big[:, 1:-1])}
            for layout, args in cases.items():
                natives = [x._native if isinstance(x, hal.Array) else x for x in args]
                with np.errstate(all="ignore"):
                    want = dpnp.asnumpy(getattr(dpnp, name)(*natives))
                got = hal.to_numpy(fn(*args))
                assert got.dtype == want.dtype and got.shape == want.shape, (name, layout)
                np.testing.assert_array_equal(_bits(got), _bits(want),
                                              err_msg=f"{name} {dtype} {layout}")


@pytest.mark.parametrize("file", ["elementwise.c", "cast.c"])
def test_kernels_check_builds_portable_sources(dev, file):
    """``hal kernels check``'s engine, through the plugin's ``hal_compile_kernel``."""
    from hal import _kernelcheck
    wanted = [d for d in (hal.float32, hal.float64) if d in dev.dtypes]
    results = _kernelcheck.check("opencl", dev, files=[file], dtypes=wanted)
    assert results, f"no program of {file} for {dev}"
    for r in results:
        assert r.ok, f"{r.file} [{r.dtype}]: {r.error or r.missing}"


def test_a_build_error_carries_the_compiler_log(dev):
    from hal_oneapi._programs import build
    with pytest.raises(hal.HalError) as info:
        build(dev.index, "broken.cl", "__kernel void k(__global float *x) { x[0] = y; }", ())
    assert "broken.cl" in str(info.value) and str(dev) in str(info.value)


def test_hot_copies_give_dpnps_bits(dev):
    """astype between real and integer dtypes, concat and __setitem__ through hal's
    cast/fill kernels once hot (_copies), against dpnp's own results."""
    import dpnp
    from hal_oneapi import _launch
    warm = _launch.HOT_AFTER + 1
    names = [d for d in ("bool", "int8", "uint16", "int64", "uint64", "float32", "float64")
             if hal._dtypes.BY_NAME[d] in dev.dtypes]
    for src in names:
        a = hal.asarray(_hot_data(src, 0), device=dev)
        for dst in names:
            if src.startswith("float") and not dst.startswith("float") and dst != "bool":
                continue  # hal's saturating casts: test_implementation_defined
            target = hal._dtypes.BY_NAME[dst]
            for _ in range(warm):
                hal.astype(a, target)
            for view in (a, a[::-3], hal.reshape(a[:64], (8, 8)).mT):
                want = dpnp.asnumpy(dpnp.astype(view._native, target.numpy))
                got = hal.to_numpy(hal.astype(view, target))
                np.testing.assert_array_equal(_bits(got), _bits(want), err_msg=f"{src}->{dst}")
        assert hal.explain(hal.astype, a, hal.float32).kernel.startswith("hal.kernels.cast")
        m = hal.reshape(a[:64], (8, 8))
        for _ in range(warm):
            hal.concat([a, a])
            a[1:3] = a[5:7]
        big = hal.reshape(hal.asarray(np.resize(_hot_data(src, 1), 72 * 72), device=dev),
                          (72, 72))
        cases = [([a[:1], a[1:], a[::-2]], 0), ([m, m[:3]], 0), ([m[:, 1:], m.mT], 1),
                 ([m, a[:5]], None), ([big[:, 1:], big[:, :9]], 1), ([big, big[::-1]], 0)]
        for arrays, axis in cases:
            natives = [x._native for x in arrays]
            want = dpnp.asnumpy(dpnp.concat([dpnp.ravel(x) for x in natives]) if axis is None
                                else dpnp.concat(natives, axis=axis))
            np.testing.assert_array_equal(_bits(hal.to_numpy(hal.concat(arrays, axis=axis))),
                                          _bits(want), err_msg=f"concat {src} {axis}")
        scalar = _hot_data(src, 7)[3].item()
        q = m._native.sycl_queue
        for key, value in [((slice(1, -1), slice(1, -1)), m[2:8, :6]),
                           ((slice(None), 0), m[:, 7]), (2, m[5]), ((slice(None, None, -2),), m[0]),
                           ((slice(0, 3), slice(None)), scalar), ((slice(None), 1), m[:, 2])]:
            host = dpnp.asnumpy(m._native)
            got, expected = hal.asarray(host, device=dev), dpnp.asarray(host, sycl_queue=q)
            v = value._native if isinstance(value, hal.Array) else value
            expected[key] = v
            got[key] = value
            expected[1:] = expected[:-1]  # the value overlaps the array: copied first
            got[1:] = got[:-1]
        for key, value in [((slice(1, -1), slice(1, -1)), big[2:, :-2]), ((slice(1, None), slice(1, None)), scalar),
                           ((slice(None, None, 2),), big[0])]:
            host = dpnp.asnumpy(big._native)
            got, expected = hal.asarray(host, device=dev), dpnp.asarray(host, sycl_queue=q)
            expected[key] = value._native if isinstance(value, hal.Array) else value
            got[key] = value
            np.testing.assert_array_equal(_bits(hal.to_numpy(got)), _bits(dpnp.asnumpy(expected)),
                                          err_msg=f"setitem rows {src} {key}")
            np.testing.assert_array_equal(_bits(hal.to_numpy(got)), _bits(dpnp.asnumpy(expected)),
                                          err_msg=f"setitem {src} {key}")
        assert hal.explain(hal.concat, [a, a]).kernel.startswith("hal.kernels.cast")


def test_mean_gives_dpnps_bits(dev):
    """mean as dpnp's sum and hal's division (_statistics) once hot: dpnp.mean's bits,
    over every axis, kept or not, empty axes (NaN) included."""
    import dpnp
    from hal_oneapi import _launch
    for dtype in ("float32", "float64"):
        if hal._dtypes.BY_NAME[dtype] not in dev.dtypes:
            continue
        host = (np.random.default_rng(1).standard_normal((7, 13, 5)) * 1e3).astype(dtype)
        x = hal.asarray(host, device=dev)
        for _ in range(_launch.HOT_AFTER + 1):
            hal.mean(x)
        assert "divide" in hal.explain(hal.mean, x).kernel
        for view, axis, keepdims in [(x, None, False), (x, (0,), True), (x, (1, 2), False),
                                     (x[:, ::2], (1,), False), (x[:, :0], (1,), True),
                                     (x[3, 4], None, False)]:
            with np.errstate(all="ignore"):
                want = dpnp.asnumpy(dpnp.mean(view._native, axis=axis, keepdims=keepdims))
            got = hal.to_numpy(hal.mean(view, axis=axis, keepdims=keepdims))
            assert got.shape == want.shape
            np.testing.assert_array_equal(_bits(got), _bits(want), err_msg=f"{dtype} {axis}")
