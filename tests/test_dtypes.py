"""Data types: result_type, can_cast, isdtype, finfo, iinfo and the inspection API.

Every pair of hal's dtypes is checked against array-api-strict where strict defines
the answer, and against hal's documented extensions (``hal/_dtypes.py``) where it
does not: bool+numeric -> numeric, integer+floating -> the floating dtype,
int64-or-smaller signed + uint64 -> TypeError, float16 below float32.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import _strategies as hs
import hal as xp

strict = hs.strict

PAIRS = [pytest.param(a, b, id=f"{a.name}-{b.name}")
         for a, b in itertools.product(hs.ALL_DTYPES, repeat=2)]
KINDS = ("bool", "signed integer", "unsigned integer", "integral", "real floating",
         "complex floating", "numeric")


def _strict_or_none(fn, *args):
    """``fn(*args)`` in array-api-strict, or None where strict refuses (TypeError)."""
    try:
        return fn(*args)
    except TypeError:
        return None


# -- result_type ---------------------------------------------------------------------

@pytest.mark.parametrize("a,b", PAIRS)
def test_result_type_pair(a, b):
    expected = hs.expected_promotion(a, b)
    if expected is None:
        with pytest.raises(TypeError) as info:
            xp.result_type(a, b)
        assert isinstance(info.value, xp.HalTypeError)
        assert a.name in str(info.value) and b.name in str(info.value)
        return
    assert xp.result_type(a, b) is expected
    assert xp.result_type(b, a) is expected, "promotion must be symmetric"
    sa, sb = hs.strict_dtype(a), hs.strict_dtype(b)
    if sa is not None and sb is not None:
        got = _strict_or_none(strict.result_type, sa, sb)
        if got is not None:
            assert hs.strict_dtype_name(got) == expected.name


@pytest.mark.parametrize("dtype", hs.dtype_params())
def test_result_type_of_arrays_and_dtypes(dtype):
    x = hs.to_device(np.zeros(2, dtype=hs.np_dtype(dtype)))
    assert xp.result_type(x) is dtype
    assert xp.result_type(dtype) is dtype
    assert xp.result_type(x, x, dtype) is dtype
    assert xp.result_type(hs.np_dtype(dtype)) is dtype  # NumPy dtypes are accepted


@pytest.mark.parametrize("dtype", hs.dtype_params())
@pytest.mark.parametrize("scalar", [True, 1, 1.0, 1j], ids=["bool", "int", "float",
                                                           "complex"])
def test_result_type_with_python_scalar(dtype, scalar, device):
    x = hs.to_device(np.zeros(2, dtype=hs.np_dtype(dtype)))
    expected = hs.expected_scalar(dtype, type(scalar))
    assert xp.result_type(x, scalar) is expected
    assert xp.result_type(scalar, x) is expected, "scalars apply after the arrays"
    # what the operators give (int8_array + 1.0: the device's default float)
    assert xp.result_type(x, scalar) is xp.result_type(dtype, scalar, x)
    with xp.default_device(device):  # dtypes alone: the default device's defaults
        assert xp.result_type(dtype, scalar) is expected
    sd = hs.strict_dtype(dtype)
    if sd is not None:
        got = _strict_or_none(strict.result_type, sd, scalar)
        if got is not None:
            assert hs.strict_dtype_name(got) == expected.name


@given(st.lists(st.sampled_from(hs.ALL_DTYPES), min_size=1, max_size=5))
def test_result_type_of_many_folds_pairwise(dtypes):
    expected = dtypes[0]
    for d in dtypes[1:]:
        expected = hs.expected_promotion(expected, d) if expected is not None else None
    if expected is None:
        with pytest.raises(TypeError):
            xp.result_type(*dtypes)
    else:
        assert xp.result_type(*dtypes) is expected


def test_result_type_needs_an_array_or_dtype():
    with pytest.raises(ValueError) as info:
        xp.result_type(1, 2.0)
    assert isinstance(info.value, xp.HalError)
    with pytest.raises(ValueError):
        xp.result_type()
    with pytest.raises(TypeError) as info:
        xp.result_type("not a dtype")
    assert isinstance(info.value, xp.HalError)


def test_documented_extensions():
    """The rules hal adds where the standard is silent (README, hal/_dtypes.py)."""
    assert xp.result_type(xp.bool, xp.int8) is xp.int8
    assert xp.result_type(xp.bool, xp.complex64) is xp.complex64
    assert xp.result_type(xp.int64, xp.float32) is xp.float32  # NumPy says float64
    assert xp.result_type(xp.uint8, xp.float16) is xp.float16
    assert xp.result_type(xp.float16, xp.complex64) is xp.complex64
    assert xp.result_type(xp.float16, xp.float64) is xp.float64
    for signed in (xp.int8, xp.int16, xp.int32, xp.int64):
        with pytest.raises(TypeError):
            xp.result_type(signed, xp.uint64)


# -- can_cast --------------------------------------------------------------------------

_CATEGORY = {"b": "bool", "i": "int", "u": "int", "f": "float", "c": "float"}


def expected_can_cast(a, b) -> bool:
    """Within one category (bool / integers / floating), ``a`` casts to ``b`` when
    promotion of the two gives ``b`` (no value lost); never across categories."""
    if a is b:
        return True
    if _CATEGORY[a.kind] != _CATEGORY[b.kind]:
        return False
    return hs.expected_promotion(a, b) is b


@pytest.mark.parametrize("a,b", PAIRS)
def test_can_cast(a, b):
    expected = expected_can_cast(a, b)
    assert xp.can_cast(a, b) is expected
    sa, sb = hs.strict_dtype(a), hs.strict_dtype(b)
    if sa is not None and sb is not None:
        assert strict.can_cast(sa, sb) is expected


@pytest.mark.parametrize("dtype", hs.dtype_params())
def test_can_cast_from_an_array(dtype):
    x = hs.to_device(np.zeros(2, dtype=hs.np_dtype(dtype)))
    for target in hs.ALL_DTYPES:
        assert xp.can_cast(x, target) is expected_can_cast(dtype, target)


# -- isdtype ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [pytest.param(d, id=d.name) for d in hs.ALL_DTYPES])
@pytest.mark.parametrize("kind", KINDS)
def test_isdtype_kind_names(dtype, kind):
    got = xp.isdtype(dtype, kind)
    assert isinstance(got, bool)
    sd = hs.strict_dtype(dtype)
    if sd is not None:
        assert got is strict.isdtype(sd, kind)
    else:  # float16: hal's extension is a real floating dtype
        assert got is (kind in ("real floating", "numeric"))


@pytest.mark.parametrize("dtype", [pytest.param(d, id=d.name) for d in hs.ALL_DTYPES])
def test_isdtype_dtypes_and_tuples(dtype):
    for other in hs.ALL_DTYPES:
        assert xp.isdtype(dtype, other) is (dtype is other)
    assert xp.isdtype(dtype, (dtype,))
    assert xp.isdtype(dtype, ("bool", "numeric")), "every dtype is bool or numeric"
    assert xp.isdtype(dtype, ("integral", "real floating", "complex floating", "bool"))
    assert not xp.isdtype(dtype, ())


def test_isdtype_unknown_kind():
    with pytest.raises(ValueError) as info:
        xp.isdtype(xp.float32, "floating")
    assert isinstance(info.value, xp.HalError)
    assert "floating" in str(info.value)


# -- finfo / iinfo ---------------------------------------------------------------------

@pytest.mark.parametrize("dtype", hs.dtype_params("fc"))
def test_finfo(dtype):
    info = xp.finfo(dtype)
    ref = np.finfo(hs.np_dtype(dtype))
    assert info.bits == ref.bits
    assert info.eps == float(ref.eps)
    assert info.max == float(ref.max)
    assert info.min == float(ref.min)
    assert info.smallest_normal == float(ref.smallest_normal)
    assert info.dtype is hs.real_of(dtype)
    for attr in ("eps", "max", "min", "smallest_normal"):
        assert type(getattr(info, attr)) is float, attr
    sd = hs.strict_dtype(dtype)
    if sd is not None:
        s = strict.finfo(sd)
        assert (info.bits, info.eps, info.max, info.min, info.smallest_normal) == \
            (s.bits, s.eps, s.max, s.min, s.smallest_normal)
        assert info.dtype.name == hs.strict_dtype_name(s.dtype)
    x = hs.to_device(np.zeros(1, dtype=hs.np_dtype(dtype)))
    assert xp.finfo(x).eps == info.eps, "finfo takes an array too"


@pytest.mark.parametrize("dtype", hs.dtype_params("iu"))
def test_iinfo(dtype):
    info = xp.iinfo(dtype)
    ref = np.iinfo(hs.np_dtype(dtype))
    assert (info.bits, info.min, info.max) == (ref.bits, int(ref.min), int(ref.max))
    assert info.dtype is dtype
    assert type(info.max) is int and type(info.min) is int
    s = strict.iinfo(hs.strict_dtype(dtype))
    assert (info.bits, info.min, info.max) == (s.bits, s.min, s.max)
    x = hs.to_device(np.zeros(1, dtype=hs.np_dtype(dtype)))
    assert xp.iinfo(x).max == info.max, "iinfo takes an array too"


@pytest.mark.parametrize("dtype", hs.dtype_params())
def test_finfo_iinfo_refuse_the_other_kind(dtype):
    wrong = xp.iinfo if dtype.kind in "fcb" else xp.finfo
    with pytest.raises(TypeError) as info:
        wrong(dtype)
    assert isinstance(info.value, xp.HalError)


# -- dtype objects and the inspection API ----------------------------------------------

@pytest.mark.parametrize("dtype", [pytest.param(d, id=d.name) for d in hs.ALL_DTYPES])
def test_dtype_objects(dtype):
    import pickle
    assert getattr(xp, dtype.name) is dtype
    assert dtype == dtype and not (dtype != dtype)
    assert all(dtype != other for other in hs.ALL_DTYPES if other is not dtype)
    assert hash(dtype) == hash(getattr(xp, dtype.name))
    assert dtype.name in repr(dtype)
    assert pickle.loads(pickle.dumps(dtype)) is dtype


@functools.lru_cache(maxsize=None)
def _info():
    return xp.__array_namespace_info__()


def test_info_dtypes_match_the_device(device):
    info = _info()
    names = info.dtypes(device=device)
    assert set(names) == {d.name for d in hs.device_dtypes() if d is not xp.float16}
    assert all(names[n] is getattr(xp, n) for n in names)
    for kind in KINDS:
        got = info.dtypes(device=device, kind=kind)
        assert set(got) == {n for n, d in names.items() if xp.isdtype(d, kind)}, kind
    both = info.dtypes(device=device, kind=("bool", "unsigned integer"))
    assert set(both) == {n for n, d in names.items() if d.kind in "bu"}
    with pytest.raises(ValueError):
        info.dtypes(device=device, kind="floating")


def test_info_default_dtypes(device):
    defaults = _info().default_dtypes(device=device)
    assert set(defaults) == {"real floating", "complex floating", "integral", "indexing"}
    assert defaults["real floating"] is device.default_float
    assert defaults["integral"] is device.default_int
    assert defaults["complex floating"] is hs.expected_promotion(
        device.default_float, xp.complex64)
    assert all(d in device.dtypes for d in defaults.values())
    assert _info().default_device() is not None
    assert device in _info().devices()
    caps = _info().capabilities()
    assert {"boolean indexing", "data-dependent shapes"} <= set(caps)
