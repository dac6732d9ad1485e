"""The Array API 2025.12 revision: signatures, tuple returns, the new and changed
functions, and the namespace views of older revisions, on the device under test."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import hal

#: every function and Array method of the 2025.12 standard -> its parameters: names,
#: ``/`` after the positional-only ones, ``*`` before the keyword-only ones, ``*args``
#: (from the specification's signatures, where eig and eigvals are missing from the
#: linalg module's ``__all__``; defaults are not part of the table)
SIGNATURES = {
    "Array.__abs__": "",
    "Array.__add__": "other, /",
    "Array.__and__": "other, /",
    "Array.__array_namespace__": "*, api_version",
    "Array.__bool__": "",
    "Array.__complex__": "",
    "Array.__dlpack__": "*, stream, max_version, dl_device, copy",
    "Array.__dlpack_device__": "",
    "Array.__eq__": "other, /",
    "Array.__float__": "",
    "Array.__floordiv__": "other, /",
    "Array.__ge__": "other, /",
    "Array.__getitem__": "key, /",
    "Array.__gt__": "other, /",
    "Array.__index__": "",
    "Array.__int__": "",
    "Array.__invert__": "",
    "Array.__le__": "other, /",
    "Array.__lshift__": "other, /",
    "Array.__lt__": "other, /",
    "Array.__matmul__": "other, /",
    "Array.__mod__": "other, /",
    "Array.__mul__": "other, /",
    "Array.__ne__": "other, /",
    "Array.__neg__": "",
    "Array.__or__": "other, /",
    "Array.__pos__": "",
    "Array.__pow__": "other, /",
    "Array.__rshift__": "other, /",
    "Array.__setitem__": "key, value, /",
    "Array.__sub__": "other, /",
    "Array.__truediv__": "other, /",
    "Array.__xor__": "other, /",
    "Array.to_device": "device, /, *, stream",
    "abs": "x, /",
    "acos": "x, /",
    "acosh": "x, /",
    "add": "x1, x2, /",
    "all": "x, /, *, axis, keepdims",
    "any": "x, /, *, axis, keepdims",
    "arange": "start, /, stop, step, *, dtype, device",
    "argmax": "x, /, *, axis, keepdims",
    "argmin": "x, /, *, axis, keepdims",
    "argsort": "x, /, *, axis, descending, stable",
    "asarray": "obj, /, *, dtype, device, copy",
    "asin": "x, /",
    "asinh": "x, /",
    "astype": "x, dtype, /, *, copy, device",
    "atan": "x, /",
    "atan2": "x1, x2, /",
    "atanh": "x, /",
    "bitwise_and": "x1, x2, /",
    "bitwise_invert": "x, /",
    "bitwise_left_shift": "x1, x2, /",
    "bitwise_or": "x1, x2, /",
    "bitwise_right_shift": "x1, x2, /",
    "bitwise_xor": "x1, x2, /",
    "broadcast_arrays": "*arrays",
    "broadcast_shapes": "*shapes",
    "broadcast_to": "x, /, shape",
    "can_cast": "from_, to, /",
    "ceil": "x, /",
    "clip": "x, /, min, max",
    "concat": "arrays, /, *, axis",
    "conj": "x, /",
    "copysign": "x1, x2, /",
    "cos": "x, /",
    "cosh": "x, /",
    "count_nonzero": "x, /, *, axis, keepdims",
    "cumulative_prod": "x, /, *, axis, dtype, include_initial",
    "cumulative_sum": "x, /, *, axis, dtype, include_initial",
    "diff": "x, /, *, axis, n, prepend, append",
    "divide": "x1, x2, /",
    "empty": "shape, *, dtype, device",
    "empty_like": "x, /, *, dtype, device",
    "equal": "x1, x2, /",
    "exp": "x, /",
    "expand_dims": "x, /, axis",
    "expm1": "x, /",
    "eye": "n_rows, n_cols, /, *, k, dtype, device",
    "fft.fft": "x, /, *, n, axis, norm",
    "fft.fftfreq": "n, /, *, d, dtype, device",
    "fft.fftn": "x, /, *, s, axes, norm",
    "fft.fftshift": "x, /, *, axes",
    "fft.hfft": "x, /, *, n, axis, norm",
    "fft.ifft": "x, /, *, n, axis, norm",
    "fft.ifftn": "x, /, *, s, axes, norm",
    "fft.ifftshift": "x, /, *, axes",
    "fft.ihfft": "x, /, *, n, axis, norm",
    "fft.irfft": "x, /, *, n, axis, norm",
    "fft.irfftn": "x, /, *, s, axes, norm",
    "fft.rfft": "x, /, *, n, axis, norm",
    "fft.rfftfreq": "n, /, *, d, dtype, device",
    "fft.rfftn": "x, /, *, s, axes, norm",
    "finfo": "type, /",
    "flip": "x, /, *, axis",
    "floor": "x, /",
    "floor_divide": "x1, x2, /",
    "from_dlpack": "x, /, *, device, copy",
    "full": "shape, fill_value, *, dtype, device",
    "full_like": "x, /, fill_value, *, dtype, device",
    "greater": "x1, x2, /",
    "greater_equal": "x1, x2, /",
    "hypot": "x1, x2, /",
    "iinfo": "type, /",
    "imag": "x, /",
    "info.__array_namespace_info__": "",
    "info.capabilities": "",
    "info.default_device": "",
    "info.default_dtypes": "*, device",
    "info.devices": "",
    "info.dtypes": "*, device, kind",
    "isdtype": "dtype, kind",
    "isfinite": "x, /",
    "isin": "x1, x2, /, *, invert",
    "isinf": "x, /",
    "isnan": "x, /",
    "less": "x1, x2, /",
    "less_equal": "x1, x2, /",
    "linalg.cholesky": "x, /, *, upper",
    "linalg.cross": "x1, x2, /, *, axis",
    "linalg.det": "x, /",
    "linalg.diagonal": "x, /, *, offset",
    "linalg.eig": "x, /",
    "linalg.eigh": "x, /",
    "linalg.eigvals": "x, /",
    "linalg.eigvalsh": "x, /",
    "linalg.inv": "x, /",
    "linalg.matmul": "x1, x2, /",
    "linalg.matrix_norm": "x, /, *, keepdims, ord",
    "linalg.matrix_power": "x, n, /",
    "linalg.matrix_rank": "x, /, *, rtol",
    "linalg.matrix_transpose": "x, /",
    "linalg.outer": "x1, x2, /",
    "linalg.pinv": "x, /, *, rtol",
    "linalg.qr": "x, /, *, mode",
    "linalg.slogdet": "x, /",
    "linalg.solve": "x1, x2, /",
    "linalg.svd": "x, /, *, full_matrices",
    "linalg.svdvals": "x, /",
    "linalg.tensordot": "x1, x2, /, *, axes",
    "linalg.trace": "x, /, *, offset, dtype",
    "linalg.vecdot": "x1, x2, /, *, axis",
    "linalg.vector_norm": "x, /, *, axis, keepdims, ord",
    "linspace": "start, stop, /, num, *, dtype, device, endpoint",
    "log": "x, /",
    "log10": "x, /",
    "log1p": "x, /",
    "log2": "x, /",
    "logaddexp": "x1, x2, /",
    "logical_and": "x1, x2, /",
    "logical_not": "x, /",
    "logical_or": "x1, x2, /",
    "logical_xor": "x1, x2, /",
    "matmul": "x1, x2, /",
    "matrix_transpose": "x, /",
    "max": "x, /, *, axis, keepdims",
    "maximum": "x1, x2, /",
    "mean": "x, /, *, axis, keepdims",
    "meshgrid": "*arrays, indexing",
    "min": "x, /, *, axis, keepdims",
    "minimum": "x1, x2, /",
    "moveaxis": "x, source, destination, /",
    "multiply": "x1, x2, /",
    "negative": "x, /",
    "nextafter": "x1, x2, /",
    "nonzero": "x, /",
    "not_equal": "x1, x2, /",
    "ones": "shape, *, dtype, device",
    "ones_like": "x, /, *, dtype, device",
    "permute_dims": "x, /, axes",
    "positive": "x, /",
    "pow": "x1, x2, /",
    "prod": "x, /, *, axis, dtype, keepdims",
    "real": "x, /",
    "reciprocal": "x, /",
    "remainder": "x1, x2, /",
    "repeat": "x, repeats, /, *, axis",
    "reshape": "x, /, shape, *, copy",
    "result_type": "*arrays_and_dtypes",
    "roll": "x, /, shift, *, axis",
    "round": "x, /",
    "searchsorted": "x1, x2, /, *, side, sorter",
    "sign": "x, /",
    "signbit": "x, /",
    "sin": "x, /",
    "sinh": "x, /",
    "sort": "x, /, *, axis, descending, stable",
    "sqrt": "x, /",
    "square": "x, /",
    "squeeze": "x, /, axis",
    "stack": "arrays, /, *, axis",
    "std": "x, /, *, axis, correction, keepdims",
    "subtract": "x1, x2, /",
    "sum": "x, /, *, axis, dtype, keepdims",
    "take": "x, indices, /, *, axis",
    "take_along_axis": "x, indices, /, *, axis",
    "tan": "x, /",
    "tanh": "x, /",
    "tensordot": "x1, x2, /, *, axes",
    "tile": "x, repetitions, /",
    "tril": "x, /, *, k",
    "triu": "x, /, *, k",
    "trunc": "x, /",
    "unique_all": "x, /",
    "unique_counts": "x, /",
    "unique_inverse": "x, /",
    "unique_values": "x, /",
    "unstack": "x, /, *, axis",
    "var": "x, /, *, axis, correction, keepdims",
    "vecdot": "x1, x2, /, *, axis",
    "where": "condition, x1, x2, /",
    "zeros": "shape, *, dtype, device",
    "zeros_like": "x, /, *, dtype, device",
}


def _resolve(name: str):
    if name.startswith("Array."):
        return getattr(hal.Array, name[len("Array."):])
    if name.startswith("info."):
        attr = name[len("info."):]
        if attr == "__array_namespace_info__":
            return hal.__array_namespace_info__
        return getattr(hal.__array_namespace_info__(), attr)
    obj = hal
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _spec_params(text: str):
    """(name, kind) per parameter of a SIGNATURES entry."""
    P = inspect.Parameter
    tokens = [t for t in text.split(", ") if t]
    params, kind = [], P.POSITIONAL_OR_KEYWORD
    if "/" in tokens:
        cut = tokens.index("/")
        params += [(t, P.POSITIONAL_ONLY) for t in tokens[:cut]]
        tokens = tokens[cut + 1:]
    for t in tokens:
        if t == "*":
            kind = P.KEYWORD_ONLY
        elif t.startswith("*"):
            params.append((t[1:], P.VAR_POSITIONAL))
            kind = P.KEYWORD_ONLY
        else:
            params.append((t, kind))
    return params


def _problems(name: str, spec: str) -> list[str]:
    P = inspect.Parameter
    fn = _resolve(name)
    params = list(inspect.signature(fn).parameters.values())
    if name.startswith("Array.") and params and params[0].name == "self":
        params = params[1:]
    by_name = {p.name: p for p in params}
    problems = []
    positional = [p for p in params if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)]
    used = set()
    for i, (pname, kind) in enumerate(_spec_params(spec)):
        if kind == P.POSITIONAL_ONLY:
            # a positional-only parameter's name is free; it must take position i
            if i >= len(positional):
                problems.append(f"{pname} (positional-only) has no positional slot")
            else:
                used.add(positional[i].name)
            continue
        p = by_name.get(pname)
        if kind == P.VAR_POSITIONAL:
            if not any(q.kind == P.VAR_POSITIONAL for q in params):
                problems.append(f"*{pname} is not variadic")
            used.update(q.name for q in params if q.kind == P.VAR_POSITIONAL)
            continue
        if p is None:
            problems.append(f"{pname} is missing")
            continue
        used.add(pname)
        if kind == P.POSITIONAL_OR_KEYWORD and p.kind != P.POSITIONAL_OR_KEYWORD:
            problems.append(f"{pname} is {p.kind.description}, should be positional or "
                            f"keyword")
        if kind == P.KEYWORD_ONLY and p.kind not in (P.KEYWORD_ONLY,
                                                     P.POSITIONAL_OR_KEYWORD):
            problems.append(f"{pname} is {p.kind.description}, should be keyword-only")
    for p in params:   # hal's own extra parameters must be optional
        if p.name not in used and p.default is P.empty and p.kind not in (
                P.VAR_POSITIONAL, P.VAR_KEYWORD):
            problems.append(f"{p.name} (not in the standard) has no default")
    return problems


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_signature(name):
    fn = _resolve(name)
    try:
        inspect.signature(fn)
    except ValueError:
        pytest.fail(f"{name} has no inspectable signature")
    assert _problems(name, SIGNATURES[name]) == [], name


def test_isdtype_takes_keywords():
    """2025.12's isdtype: dtype and kind are positional-or-keyword."""
    assert hal.isdtype(dtype=hal.float32, kind="real floating")
    assert not hal.isdtype(hal.int8, kind=("bool", hal.float64))


def test_the_table_covers_the_namespace():
    standard = {n for n in SIGNATURES if not n.startswith(("Array.", "info."))}
    for name in standard:
        assert callable(_resolve(name)), name
    assert {"broadcast_shapes", "isin", "linalg.eig", "linalg.eigvals"} <= standard


# -- version and the views of older revisions ----------------------------------------

def test_hal_implements_2025_12(xp, device):
    x = xp.ones(3, device=device)
    assert xp.__array_api_version__ == "2025.12"
    assert x.__array_namespace__() is xp
    assert x.__array_namespace__(api_version="2025.12") is xp


@pytest.mark.parametrize("version", ["2021.12", "2022.12", "2023.12", "2024.12"])
def test_older_revisions_get_list_returns(xp, device, version):
    x = xp.asarray([1.0, 2.0], device=device)
    ns = x.__array_namespace__(api_version=version)
    assert ns is x.__array_namespace__(api_version=version)   # one view per version
    assert ns.__array_api_version__ == version
    assert ns.add is xp.add and ns.linalg is xp.linalg and ns.float32 is xp.float32
    b = ns.broadcast_arrays(x, xp.ones((2, 1), device=device))
    m = ns.meshgrid(x, x, indexing="ij")
    assert isinstance(b, list) and [a.shape for a in b] == [(2, 2), (2, 2)]
    assert isinstance(m, list) and [a.shape for a in m] == [(2, 2), (2, 2)]
    devices = ns.__array_namespace_info__().devices()
    assert isinstance(devices, list) and device in devices
    assert ns.__array_namespace_info__().default_dtypes(device=device)["indexing"] \
        is device.default_index
    assert "broadcast_arrays" in dir(ns) and "2024.12 view" in repr(ns) or version != "2024.12"


@pytest.mark.parametrize("bad", ["2026.12", "2024", 2024.12, ["2024.12"]])
def test_unknown_revisions_are_refused(xp, device, bad):
    x = xp.ones(1, device=device)
    with pytest.raises(xp.HalValueError, match="api_version"):
        x.__array_namespace__(api_version=bad)


# -- tuple returns -------------------------------------------------------------------

def test_tuple_returns(xp, device):
    x = xp.asarray([1, 2, 3], device=device)
    y = xp.asarray([[1], [2]], device=device)
    b = xp.broadcast_arrays(x, y)
    assert isinstance(b, tuple) and [a.shape for a in b] == [(2, 3), (2, 3)]
    assert all(a.device == device for a in b)
    m = xp.meshgrid(x, xp.asarray([4, 5], device=device))
    assert isinstance(m, tuple) and [a.shape for a in m] == [(2, 3), (2, 3)]
    assert xp.broadcast_arrays() == () and xp.meshgrid() == ()
    devices = xp.__array_namespace_info__().devices()
    assert isinstance(devices, tuple) and device in devices


def test_broadcast_shapes(xp):
    assert xp.broadcast_shapes((2, 1), (3,), ()) == (2, 3)
    assert xp.broadcast_shapes() == ()
    assert xp.broadcast_shapes((0, 1), (4,)) == (0, 4)
    with pytest.raises(xp.HalValueError):
        xp.broadcast_shapes((2,), (3,))


# -- changed functions ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["int8", "uint8", "int64", "uint64"])
def test_isin_with_scalars(xp, device, dtype):
    if getattr(xp, dtype) not in device.dtypes:
        pytest.skip(f"{device} has no {dtype}")
    x = xp.asarray([[1, 2], [3, 4]], dtype=getattr(xp, dtype), device=device)
    r = xp.isin(2, x)                       # a scalar x1: a 0-D result
    assert r.shape == () and r.dtype == xp.bool and bool(r) and r.device == device
    assert not bool(xp.isin(7, x)) and bool(xp.isin(7, x, invert=True))
    r = xp.isin(x, 4)                       # a scalar x2: x1's shape
    assert r.shape == (2, 2) and r.device == device
    assert xp.to_numpy(r).tolist() == [[False, False], [False, True]]
    assert xp.to_numpy(xp.isin(x, 4, invert=True)).tolist() == [[True, True], [True, False]]
    # the scalar takes the array's dtype (weak): no promotion to int64 with uint64
    assert xp.to_numpy(xp.isin(x, xp.asarray([3, 9], dtype=x.dtype, device=device))
                       ).tolist() == [[False, False], [True, False]]
    with pytest.raises(xp.HalTypeError):
        xp.isin("2", x)


def test_expand_dims_tuples_and_range(xp, device):
    a = np.arange(6.0).reshape(2, 3)
    x = xp.asarray(a, device=device)
    for axis in (0, 1, 2, -1, -2, -3, (0, 1), (0, -1), (-1, 1), (3, 0, 1), (-4, 3)):
        want = np.expand_dims(a, axis)
        got = xp.expand_dims(x, axis=axis)
        assert got.shape == want.shape and got.device == device, axis
        np.testing.assert_array_equal(xp.to_numpy(got), want)
    for bad in (3, -4, (0, 4), (-5, 0, 0)):
        with pytest.raises((IndexError, ValueError)) as info:
            xp.expand_dims(x, axis=bad)
        assert isinstance(info.value, xp.HalError) and "expand_dims" in str(info.value)
    with pytest.raises(IndexError):      # an int out of range: the standard's IndexError
        xp.expand_dims(x, axis=3)


def test_permute_dims_negative_axes(xp, device):
    a = np.arange(24).reshape(2, 3, 4)
    x = xp.asarray(a, device=device)
    for axes in ((-1, 0, 1), (2, -3, -2), (-1, -2, -3)):
        got = xp.permute_dims(x, axes)
        np.testing.assert_array_equal(xp.to_numpy(got), np.permute_dims(a, axes))
    with pytest.raises(xp.HalValueError):
        xp.permute_dims(x, (0, -3, 1))   # -3 is axis 0 again
    with pytest.raises(xp.HalValueError):
        xp.permute_dims(x, (0, 1, -4))


def test_searchsorted_scalar(xp, device):
    x = xp.asarray([1.0, 2.0, 2.0, 5.0], device=device)
    r = xp.searchsorted(x, 2.0)
    assert r.shape == () and r.dtype == device.default_index and int(r) == 1
    assert int(xp.searchsorted(x, 2, side="right")) == 3
    assert int(xp.searchsorted(xp.asarray([1, 3, 5], device=device), 4)) == 2


def test_repeat_with_no_counts(xp, device):
    """An empty counts array along an empty axis (OpenCL read its scan's partials
    uninitialised)."""
    for dtype in (xp.float32, xp.int32):
        x = xp.ones((0, 3), dtype=dtype, device=device)
        r = xp.repeat(x, xp.asarray([], dtype=xp.int32, device=device), axis=0)
        assert r.shape == (0, 3) and r.dtype == dtype


# -- linalg.eig and linalg.eigvals ---------------------------------------------------

def _float_dtypes(device):
    return [d for d in (hal.float32, hal.float64, hal.complex64, hal.complex128)
            if d in device.dtypes]


def test_eig(xp, device):
    rng = np.random.default_rng(0)
    for dtype in _float_dtypes(device):
        a = rng.standard_normal((2, 4, 4))
        if dtype.kind == "c":
            a = a + 1j * rng.standard_normal((2, 4, 4))
        a = a.astype(dtype.name)
        x = xp.asarray(a, device=device)
        w, v = xp.linalg.eig(x)
        complex_of = {"float32": "complex64", "float64": "complex128"}.get(dtype.name,
                                                                           dtype.name)
        assert w.dtype.name == complex_of and v.dtype.name == complex_of
        assert w.shape == (2, 4) and v.shape == (2, 4, 4)
        assert w.device == device and v.device == device
        res = xp.linalg.eig(x)
        assert res.eigenvalues.shape == (2, 4) and res.eigenvectors.shape == (2, 4, 4)
        wn, vn = xp.to_numpy(w), xp.to_numpy(v)
        tol = 1e-3 if dtype in (hal.float32, hal.complex64) else 1e-9
        # A v = v diag(w), per matrix of the stack
        np.testing.assert_allclose(a @ vn, vn * wn[..., None, :], atol=tol * 10, rtol=tol)
        ev = xp.linalg.eigvals(x)
        assert ev.dtype.name == complex_of and ev.shape == (2, 4) and ev.device == device
        np.testing.assert_allclose(np.sort_complex(xp.to_numpy(ev)[0]),
                                   np.sort_complex(np.linalg.eigvals(a[0])),
                                   atol=tol * 10, rtol=tol)


def test_eig_real_eigenvalues_are_still_complex(xp, device):
    """NumPy answers real when every eigenvalue is real; the standard, always complex."""
    x = xp.asarray([[2.0, 0.0], [0.0, 3.0]], device=device)
    w = xp.linalg.eigvals(x)
    assert w.dtype.kind == "c"
    assert sorted(xp.to_numpy(w).real.tolist()) == [2.0, 3.0]
    i = xp.asarray([[0, 1], [1, 0]], device=device)        # integers: default float
    assert xp.linalg.eig(i).eigenvalues.dtype.kind == "c"
    with pytest.raises(xp.HalValueError):
        xp.linalg.eig(xp.ones((2, 3), device=device))


def test_eig_is_declared_where_it_runs_on_the_host(xp, device):
    """Where the vendor library has no eig (OpenCL; oneAPI, whose dpnp calls NumPy),
    it is a declared host op, visible in hal.explain."""
    if device.backend == "numpy":
        pytest.skip("the NumPy device runs eig natively")
    if device.backend in ("opencl", "oneapi"):
        assert {"linalg.eig", "linalg.eigvals"} <= device.capabilities.host_fallback_ops
        x = xp.asarray([[1.0, 2.0], [3.0, 4.0]], device=device)
        with xp.fallback_policy("allow"):
            assert xp.linalg.eig(x).eigenvalues.device == device
