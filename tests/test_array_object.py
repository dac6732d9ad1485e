"""The Array object: every operator (forward, reflected, in-place), conversions to
Python scalars, attributes, ``__repr__``, ``__array_namespace__``, DLPack,
``from_dlpack`` and ``to_device``."""

from __future__ import annotations

import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import _strategies as hs
import hal as xp
from hal._optable import BINARY, UNARY
from test_elementwise import (ACCEPTS, expected_promoted, loop_dtype, reference,
                              result_dtype, sanitize, tolerances)

ALL = hs.dtype_params()
BINARY_DUNDERS = [s for s in BINARY if s.dunder]


def _op(name):
    return getattr(operator, name, None) or getattr(operator, name + "_")


def _operator_cases(reflected_only=False):
    return [pytest.param(spec, d, id=f"{spec.dunder}-{d.name}")
            for spec in BINARY_DUNDERS if spec.reflected or not reflected_only
            for d in hs.device_dtypes(ACCEPTS[spec.accepts])]


# -- operators -------------------------------------------------------------------------

def test_every_table_operator_exists():
    for spec in BINARY_DUNDERS:
        assert hasattr(xp.Array, f"__{spec.dunder}__"), spec.dunder
        if spec.reflected:
            assert hasattr(xp.Array, f"__r{spec.dunder}__"), spec.dunder
            assert hasattr(xp.Array, f"__i{spec.dunder}__"), spec.dunder
    for spec in UNARY:
        if spec.dunder:
            assert hasattr(xp.Array, spec.dunder)
    for name in ("__matmul__", "__rmatmul__", "__imatmul__"):
        assert hasattr(xp.Array, name)


@pytest.mark.parametrize("spec,dtype", _operator_cases())
@given(data=st.data())
def test_operator_forward_and_reflected(spec, dtype, data):
    """``x op y`` and, with a Python scalar on the left, ``s op x`` (``__rop__``)."""
    a = data.draw(hs.arrays(dtype), label="x")
    b = data.draw(hs.arrays(dtype, a.shape), label="y")
    fn = _op(spec.dunder)
    loop = loop_dtype(spec, dtype)
    result = result_dtype(spec, loop)
    a, b = sanitize(spec.name, loop, a, b)
    out = fn(hs.to_device(a), hs.to_device(b))
    hs.assert_matches(out, reference(spec, loop, result, a, b), dtype=result,
                      msg=f"x.__{spec.dunder}__(y)", **tolerances(spec, loop))
    scalar_type = data.draw(st.sampled_from([bool, int, float, complex]), label="type")
    s = data.draw(hs.python_scalars(scalar_type, dtype), label="scalar")
    promoted = expected_promoted(spec, s, a)
    if promoted is None:
        with pytest.raises(TypeError):
            fn(s, hs.to_device(a))
        return
    loop = loop_dtype(spec, promoted)
    s, a = sanitize(spec.name, loop, s, a)
    out = fn(s, hs.to_device(a))
    hs.assert_matches(out, reference(spec, loop, result_dtype(spec, loop), s, a),
                      msg=f"{s!r} {spec.dunder} x", **tolerances(spec, loop))


def test_inplace_refuses_a_dtype_change_before_computing(device):
    """int8 **= int16 would promote x: that is the error, not the negative power the
    computation itself would hit first."""
    if not {xp.int8, xp.int16} <= set(hs.device_dtypes()):
        pytest.skip(f"{device} lacks int8 or int16")
    x = hs.to_device(np.array([1, 2], dtype=np.int8))
    with pytest.raises(TypeError) as info:
        x **= hs.to_device(np.array([-1, 2], dtype=np.int16))
    assert isinstance(info.value, xp.HalTypeError)
    assert "in-place" in str(info.value) and "int16" in str(info.value)
    hs.assert_matches(x, np.array([1, 2], dtype=np.int8))


@pytest.mark.parametrize("spec,dtype", _operator_cases(reflected_only=True))
@given(data=st.data())
def test_operator_inplace(spec, dtype, data):
    """``x op= y`` writes into x when the result keeps x's dtype and shape, and
    raises (leaving x as it was) when it would change the dtype."""
    a = data.draw(hs.arrays(dtype), label="x")
    other = data.draw(st.sampled_from([dtype] * 3 + hs.device_dtypes()), label="y dtype")
    if data.draw(st.booleans(), label="scalar y"):
        kind = data.draw(st.sampled_from([bool, int, float, complex]), label="type")
        b = data.draw(hs.python_scalars(kind, dtype), label="y")
    else:
        b = data.draw(hs.arrays(other, _suffix(data, a.shape)), label="y")
    promoted = expected_promoted(spec, a, b)
    fn = getattr(operator, f"i{spec.dunder}")
    if promoted is not None:
        a, b = sanitize(spec.name, loop_dtype(spec, promoted), a, b)
    x = hs.to_device(a)
    hal_b = hs.to_device(b) if isinstance(b, np.ndarray) else b
    if promoted is None or result_dtype(spec, loop_dtype(spec, promoted)) is not dtype:
        with pytest.raises(TypeError) as info:
            fn(x, hal_b)
        assert isinstance(info.value, xp.HalError)
        hs.assert_matches(x, a, msg="a refused in-place op must leave x unchanged")
        return
    loop = loop_dtype(spec, promoted)
    alias = x
    x = fn(x, hal_b)
    assert x is alias, "in-place ops return the same Array object"
    expected = reference(spec, loop, dtype, a, b)
    hs.assert_matches(x, expected, dtype=dtype, msg=f"x __i{spec.dunder}__ y",
                      **tolerances(spec, loop))


def _suffix(data, shape):
    """A shape broadcasting to ``shape`` (in-place ops cannot grow x)."""
    n = data.draw(st.integers(0, len(shape)), label="y ndim")
    return shape[len(shape) - n:]


def test_inplace_cannot_broadcast_x(device):
    x = hs.to_device(np.zeros(3))
    with pytest.raises((TypeError, ValueError)) as info:
        x += hs.to_device(np.ones((2, 3)))
    assert isinstance(info.value, xp.HalError)
    np.testing.assert_array_equal(hs.to_numpy(x), np.zeros(3))


def test_inplace_dtype_change_raises(device):
    x = hs.to_device(np.arange(3, dtype=np.int32))
    for y in (1.5, hs.to_device(np.ones(3, np.int64)), hs.to_device(np.ones(3))):
        with pytest.raises(TypeError) as info:
            x += y
        assert isinstance(info.value, xp.HalTypeError)
    f = hs.to_device(np.ones(3, dtype=np.float32))
    with pytest.raises(TypeError):
        f *= hs.to_device(np.ones(3, dtype=np.float64))
    with pytest.raises(TypeError):
        f /= 1j
    np.testing.assert_array_equal(hs.to_numpy(x), [0, 1, 2])


@pytest.mark.parametrize("dtype", hs.dtype_params("iufc"))
def test_matmul_operators(dtype, device):
    a = (np.arange(6).reshape(2, 3) % 3).astype(hs.np_dtype(dtype))
    b = (np.arange(6).reshape(3, 2) % 2).astype(hs.np_dtype(dtype))
    x, y = hs.to_device(a), hs.to_device(b)
    hs.assert_matches(x @ y, a @ b)
    hs.assert_matches(y.__rmatmul__(x), a @ b)
    sq = hs.to_device(np.ones((2, 2), dtype=hs.np_dtype(dtype)))
    alias = sq
    sq @= hs.to_device(np.eye(2, dtype=hs.np_dtype(dtype)))
    assert sq is alias
    hs.assert_matches(sq, np.ones((2, 2), dtype=hs.np_dtype(dtype)))
    with pytest.raises((TypeError, ValueError)):
        x @= y  # (2, 3) @ (3, 2) changes x's shape


@pytest.mark.parametrize("spec", [pytest.param(s, id=s.dunder) for s in UNARY if s.dunder])
@pytest.mark.parametrize("dtype", ALL)
def test_unary_operators(spec, dtype):
    a = np.array([0, 1, 3], dtype=hs.np_dtype(dtype)) if dtype.kind != "b" \
        else np.array([True, False])
    x = hs.to_device(a)
    fn = {"__neg__": operator.neg, "__pos__": operator.pos, "__abs__": abs,
          "__invert__": operator.invert}[spec.dunder]
    if dtype.kind not in ACCEPTS[spec.accepts]:
        with pytest.raises(TypeError):
            fn(x)
        return
    with np.errstate(all="ignore"):
        ref = {"__neg__": np.negative, "__pos__": np.positive, "__abs__": np.abs,
               "__invert__": np.invert}[spec.dunder](a)
    hs.assert_matches(fn(x), ref)


def test_numpy_operands_are_refused(device):
    x = hs.to_device(np.ones(3))
    with pytest.raises(TypeError):
        np.ones(3) + x  # hal's __array_ufunc__ refuses a NumPy array (README)
    with pytest.raises(TypeError):
        x + np.ones(3)
    with pytest.raises(TypeError):
        x + "1"


# -- conversions -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_python_scalar_conversions(dtype, data):
    a = data.draw(hs.arrays(dtype, (), elements_=hs.elements(dtype, allow_nan=False,
                                                            allow_infinity=False)),
                  label="x")
    x = hs.to_device(a)
    value = a.item()
    assert bool(x) is bool(value)
    assert complex(x) == complex(value)
    if dtype.kind == "c":
        for conv in (int, float):
            with pytest.raises(TypeError):
                conv(x)
    else:
        assert float(x) == float(value) and type(float(x)) is float
        assert int(x) == int(value) and type(int(x)) is int
    if dtype.kind in "iu":
        assert operator.index(x) == value and type(operator.index(x)) is int
        assert [0, 1, 2][x % 3] == int(value) % 3  # usable as a list index
    else:
        with pytest.raises(TypeError):
            operator.index(x)


@pytest.mark.parametrize("conv", [bool, int, float, complex, operator.index])
def test_conversions_need_0d(conv, device):
    x = hs.to_device(np.ones(2, dtype=np.int64))
    with pytest.raises(TypeError) as info:
        conv(x)
    assert isinstance(info.value, xp.HalError)


# -- attributes, repr, namespace -------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL)
@given(data=st.data())
def test_attributes(dtype, data, device):
    a = data.draw(hs.arrays(dtype), label="x")
    x = hs.to_device(a)
    assert x.shape == a.shape and type(x.shape) is tuple
    assert all(type(s) is int for s in x.shape)
    assert x.ndim == a.ndim and x.size == a.size
    assert x.dtype is dtype and x.device == device
    hs.assert_matches(x.mT if a.ndim >= 2 else x, np.matrix_transpose(a) if a.ndim >= 2
                      else a)
    if a.ndim == 2:
        hs.assert_matches(x.T, a.T)
    else:
        with pytest.raises(ValueError):
            x.T  # noqa: B018 (the property access is what raises)
    if a.ndim < 2:
        with pytest.raises(ValueError):
            x.mT  # noqa: B018 (the property access is what raises)


@pytest.mark.parametrize("dtype", ALL)
def test_repr_shows_device_and_dtype(dtype, device):
    x = hs.to_device(np.zeros((2, 2), dtype=hs.np_dtype(dtype)))
    text = repr(x)
    assert str(device) in text and dtype.name in text and text.startswith("Array(")
    assert str(x)  # str works too


def test_array_namespace(device):
    x = hs.to_device(np.ones(2))
    assert x.__array_namespace__() is xp
    assert x.__array_namespace__(api_version="2025.12") is xp
    for version in ("2021.12", "2022.12", "2023.12", "2024.12"):
        # older revisions: a view of hal with their list returns (test_api_2025_12.py)
        ns = x.__array_namespace__(api_version=version)
        assert ns.__array_api_version__ == version and ns.add is xp.add
    with pytest.raises(ValueError) as info:
        x.__array_namespace__(api_version="2099.12")
    assert isinstance(info.value, xp.HalError)
    assert xp.__array_api_version__ == "2025.12"


def test_array_is_not_constructible_or_hashable(device):
    with pytest.raises(TypeError):
        xp.Array(np.ones(2))
    with pytest.raises(TypeError):
        hash(hs.to_device(np.ones(2)))


def test_len_and_iteration(device):
    a = np.arange(6).reshape(3, 2)
    x = hs.to_device(a)
    assert len(x) == 3
    rows = list(x)
    assert len(rows) == 3
    for got, want in zip(rows, a):
        hs.assert_matches(got, want)


# -- DLPack and devices ----------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL)
def test_dlpack_export(dtype, device):
    a = np.arange(6).reshape(2, 3).astype(hs.np_dtype(dtype))
    x = hs.to_device(a)
    dev_type, dev_id = x.__dlpack_device__()
    assert isinstance(dev_type, int) and isinstance(dev_id, int)
    if dev_type != 1 and "dlpack" not in device.capabilities.features:
        # not host memory, no DLPack of its own: only an explicit copy to the host
        with pytest.raises(BufferError):
            x.__dlpack__()
        host = x.__dlpack__(dl_device=(1, 0), copy=True)
        assert type(host).__name__ == "PyCapsule"
        hs.assert_matches(xp.from_dlpack(x), a)
        return
    capsule = x.__dlpack__()
    assert type(capsule).__name__ == "PyCapsule"
    assert type(x.__dlpack__(max_version=(1, 0))).__name__ == "PyCapsule"
    if dev_type == 1:  # kDLCPU: NumPy can import it
        np.testing.assert_array_equal(np.from_dlpack(x), a)
        copied = np.from_dlpack(x, copy=True)
        np.testing.assert_array_equal(copied, a)
        assert type(x.__dlpack__(dl_device=(1, 0), copy=True)).__name__ == "PyCapsule"
    else:  # the device's own DLPack type (kDLOneAPI ...): NumPy asks for a host copy
        np.testing.assert_array_equal(np.from_dlpack(x, device="cpu", copy=True), a)
    hs.assert_matches(xp.from_dlpack(x), a)


def test_dlpack_copy_false_shares_memory_on_the_host(device):
    a = np.arange(4.0)
    x = hs.to_device(a)
    if "host_memory" not in device.capabilities.features:
        with pytest.raises(BufferError):
            x.__dlpack__(dl_device=(1, 0), copy=False)
        return
    # memory the host addresses is shared, whatever DLPack type the device reports
    shared = np.from_dlpack(x, device="cpu", copy=False)
    x[0] = 42.0
    xp.synchronize()  # device writes are asynchronous, as on any accelerator
    assert shared[0] == 42.0
    shared[1] = -1.0  # and the host's writes are the device's data
    assert float(x[1]) == -1.0


@pytest.mark.parametrize("dtype", ALL)
def test_from_dlpack(dtype, device):
    a = np.arange(6).astype(hs.np_dtype(dtype))
    hs.assert_matches(xp.from_dlpack(a, device=device), a)
    copied = xp.from_dlpack(a, device=device, copy=True)
    a[0] = a[1]
    assert hs.to_numpy(copied)[0] == np.arange(6).astype(hs.np_dtype(dtype))[0], \
        "copy=True must not alias the source"
    x = hs.to_device(np.arange(3).astype(hs.np_dtype(dtype)))
    hs.assert_matches(xp.from_dlpack(x), np.arange(3).astype(hs.np_dtype(dtype)))
    y = xp.from_dlpack(x, copy=True)
    y[0] = y[1]
    assert hs.to_numpy(x)[0] == 0, "from_dlpack(copy=True) of a hal array copies"


def test_from_dlpack_copy_false(device):
    a = np.arange(4.0)
    if device.backend == "numpy":
        x = xp.from_dlpack(a, device=device, copy=False)
        a[0] = 9.0
        assert float(x[0]) == 9.0
    with pytest.raises(TypeError) as info:
        xp.from_dlpack([1, 2, 3])
    assert isinstance(info.value, xp.HalError)


def test_to_device(device):
    a = np.arange(5.0)
    x = hs.to_device(a)
    assert x.to_device(device) is x
    assert x.to_device(str(device)) is x
    for target in xp.devices():
        if x.dtype in target.dtypes:
            y = x.to_device(target)
            assert y.device == target
            np.testing.assert_array_equal(hs.to_numpy(y), a)
            back = y.to_device(device)
            hs.assert_matches(back, a)
    with pytest.raises(ValueError) as info:
        x.to_device("no-such-backend")
    assert isinstance(info.value, xp.HalError)
