"""The ``fft`` extension against ``numpy.fft``, for every dtype of the device each
function takes (hal computes integers in the default floating dtype and gives
``fft``/``ifft`` real input the complex dtype of its precision)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import _strategies as hs
import hal as xp

BOUND = 100
COMPLEX_IN = ["fft", "ifft", "irfft", "hfft"]            # one axis, complex input
REAL_IN = ["rfft", "ihfft"]                               # one axis, real input
N_COMPLEX_IN = ["fftn", "ifftn", "irfftn"]
N_REAL_IN = ["rfftn"]
REAL_OUT = {"irfft", "hfft", "irfftn"}
NORMS = ["backward", "ortho", "forward"]


def _input_dtype(name, dtype):
    """The dtype hal hands the kernel: integers -> default float; complex for
    complex-input functions; a real input for real-input ones."""
    d = hs.default_float() if dtype.kind in "iu" else dtype
    if name in COMPLEX_IN + N_COMPLEX_IN and d.kind == "f":
        return xp.complex128 if d is xp.float64 else xp.complex64
    return d


def _params(names, kinds):
    return [pytest.param(n, d, id=f"{n}-{d.name}") for n in names
            for d in hs.device_dtypes(kinds)]


def _tol(dtype, a):
    eps = float(np.finfo(hs.np_dtype(hs.real_of(dtype))).eps)
    if dtype is xp.float16:
        eps = float(np.finfo(np.float32).eps)  # computed in float32 at least
    scale = float(np.max(np.abs(a), initial=1.0)) * max(a.size, 1)
    return {"rtol": 64 * eps, "atol": 64 * eps * scale}


def _expected(name, out_np, in_dtype):
    """NumPy's answer, in the dtype the standard asks for (precision of the input)."""
    real = hs.real_of(in_dtype)
    if real is xp.float16:
        real = xp.float32  # hal's float16 extension: transforms give float32 precision
    if name in REAL_OUT:
        return out_np.astype(hs.np_dtype(real))
    return out_np.astype(hs.np_dtype(xp.complex128 if real is xp.float64
                                     else xp.complex64))


@pytest.mark.parametrize("name,dtype", _params(COMPLEX_IN, "iufc") + _params(REAL_IN, "iuf"))
@given(data=st.data())
def test_one_axis(name, dtype, data):
    a = data.draw(hs.finite_arrays(dtype, hs.shapes(1, 3, 1, 5), lo=-BOUND, hi=BOUND),
                  label="x")
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1), label="axis")
    n = data.draw(st.none() | st.integers(1, 6), label="n")
    if name in ("irfft", "hfft") and n is None and a.shape[axis] < 2:
        n = 2  # the default output length 2*(m-1) must be positive
    norm = data.draw(st.sampled_from(NORMS), label="norm")
    in_dtype = _input_dtype(name, dtype)
    out = getattr(xp.fft, name)(hs.to_device(a), n=n, axis=axis, norm=norm)
    ref = getattr(np.fft, name)(a.astype(hs.np_dtype(in_dtype)), n=n, axis=axis, norm=norm)
    expected = _expected(name, ref, in_dtype)
    hs.assert_matches(out, expected, **_tol(in_dtype, a))


@pytest.mark.parametrize("name,dtype", _params(N_COMPLEX_IN, "iufc") + _params(N_REAL_IN,
                                                                               "iuf"))
@given(data=st.data())
def test_n_axes(name, dtype, data):
    a = data.draw(hs.finite_arrays(dtype, hs.shapes(1, 3, 2, 4), lo=-BOUND, hi=BOUND),
                  label="x")
    use_axes = data.draw(st.booleans(), label="axes given")
    axes = tuple(data.draw(st.lists(st.integers(0, a.ndim - 1), unique=True, min_size=1),
                           label="axes")) if use_axes else None
    s = None
    if data.draw(st.booleans(), label="s given"):
        # without axes, s covers the last len(s) axes (the standard's rule)
        count = len(axes) if axes is not None else \
            data.draw(st.integers(1, a.ndim), label="len(s)")
        s = tuple(data.draw(st.lists(st.integers(2, 5), min_size=count, max_size=count),
                            label="s"))
    norm = data.draw(st.sampled_from(NORMS), label="norm")
    in_dtype = _input_dtype(name, dtype)
    out = getattr(xp.fft, name)(hs.to_device(a), s=s, axes=axes, norm=norm)
    ref_axes = tuple(range(-len(s), 0)) if axes is None and s is not None else axes
    ref = getattr(np.fft, name)(a.astype(hs.np_dtype(in_dtype)), s=s, axes=ref_axes,
                                norm=norm)
    hs.assert_matches(out, _expected(name, ref, in_dtype), **_tol(in_dtype, a))


@pytest.mark.parametrize("name", ["rfft", "rfftn", "ihfft"])
def test_real_input_functions_refuse_complex(name, device):
    with pytest.raises(TypeError) as info:
        getattr(xp.fft, name)(hs.to_device(np.ones(4, dtype=complex)))
    assert isinstance(info.value, xp.HalError) and f"fft.{name}" in str(info.value)


@pytest.mark.parametrize("name", COMPLEX_IN + REAL_IN)
def test_bad_norm(name, device):
    with pytest.raises(ValueError) as info:
        getattr(xp.fft, name)(hs.to_device(np.ones(4)), norm="sideways")
    assert isinstance(info.value, xp.HalError)


def test_bool_is_refused(device):
    with pytest.raises(TypeError) as info:
        xp.fft.fft(hs.to_device(np.ones(4, dtype=bool)))
    assert isinstance(info.value, xp.HalError)


@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
@pytest.mark.parametrize("dtype", [None] + hs.device_dtypes("f"),
                         ids=lambda d: "default" if d is None else d.name)
@given(n=st.integers(1, 20), d=st.floats(0.01, 100))
def test_freq(name, dtype, n, d, device):
    out = getattr(xp.fft, name)(n, d=d, dtype=dtype, device=device)
    want = device.default_float if dtype is None else dtype
    ref = getattr(np.fft, name)(n, d=d).astype(hs.np_dtype(want))
    hs.assert_close(out, ref, dtype=want)


@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
def test_freq_refuses(name, device):
    for bad in (0, -3):
        with pytest.raises(ValueError) as info:
            getattr(xp.fft, name)(bad, device=device)
        assert isinstance(info.value, xp.HalError)
    with pytest.raises(TypeError) as info:
        getattr(xp.fft, name)(4, dtype=xp.int32, device=device)
    assert isinstance(info.value, xp.HalError)


@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
@pytest.mark.parametrize("dtype", hs.dtype_params("iufc"))
@given(data=st.data())
def test_shift(name, dtype, data):
    a = data.draw(hs.arrays(dtype, hs.shapes(min_dims=1)), label="x")
    axes = None
    if data.draw(st.booleans(), label="axes given"):
        axes = tuple(data.draw(st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=1,
                                        max_size=a.ndim, unique_by=lambda i: i % a.ndim),
                               label="axes"))
        if len(axes) == 1 and data.draw(st.booleans(), label="int axis"):
            axes = axes[0]
    out = getattr(xp.fft, name)(hs.to_device(a), axes=axes)
    hs.assert_matches(out, getattr(np.fft, name)(a, axes=axes))
