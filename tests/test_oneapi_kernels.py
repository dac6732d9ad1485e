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


def test_other_dtypes_keep_dpnp(dev):
    x = hal.asarray([1.0, 2.0], dtype=hal.float32, device=dev)
    assert hal.explain(hal.multiply, x, x).kernel == "dpnp.multiply"
    assert hal.explain(hal.cosh, x).kernel == "dpnp.cosh"


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
