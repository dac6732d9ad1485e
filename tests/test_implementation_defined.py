"""hal's table of behaviour the standard leaves to the implementation (README, "Behaviour
the standard leaves to the implementation"), checked row by row on the device under
test.

Each expected result is computed here with Python ints and floats (never with hal's
NumPy backend, which is itself under test): Python scalars beyond an integer dtype,
negative integer powers, integer division by zero, out-of-range and special-value
casts, integer overflow between arrays.
"""

from __future__ import annotations

import math
import operator
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import _strategies as hs
import hal as xp

INTEGER = hs.device_dtypes("iu")
SIGNED = hs.device_dtypes("i")
REAL_FLOATING = hs.device_dtypes("f")


def bounds(dtype) -> tuple[int, int]:
    bits = 8 * dtype.itemsize
    if dtype.kind == "i":
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def wrap(value: int, dtype) -> int:
    """``value`` modulo 2**bits, in ``dtype``'s range (two's complement)."""
    lo, _ = bounds(dtype)
    bits = 8 * dtype.itemsize
    return (value - lo) % (1 << bits) + lo


def host(x) -> list:
    """A hal array's values as Python scalars (flat)."""
    return np.asarray(xp.to_numpy(x)).ravel().tolist()


def int_arrays(dtype, min_size=1):
    lo, hi = bounds(dtype)
    return st.lists(st.integers(lo, hi), min_size=min_size, max_size=6)


def ints_around(dtype):
    """Python ints in and beyond ``dtype``'s range, the bounds and their neighbours."""
    lo, hi = bounds(dtype)
    edges = st.sampled_from([lo - 1, lo, hi, hi + 1, 2**63, -2**63 - 1, 2**64, -1, 0])
    return st.one_of(edges, st.integers(lo - 2**70, hi + 2**70), st.integers(lo, hi))


def on_device(values, dtype):
    return xp.asarray(np.array(values, dtype=hs.np_dtype(dtype)), device=hs.device())


def no_warnings(fn):
    """``fn()``, failing on a numeric RuntimeWarning (NumPy's "divide by zero",
    "invalid value encountered in cast" ...); a first-use kernel build may warn on
    its own, which is not this table's business."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
        values = host(result)
    numeric = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not numeric, numeric
    return values


# -- row 1: Python int scalars with integer arrays ------------------------------------------

ARITHMETIC = {
    "add": (operator.add, lambda a, b: a + b),
    "subtract": (operator.sub, lambda a, b: a - b),
    "multiply": (operator.mul, lambda a, b: a * b),
    "bitwise_and": (operator.and_, lambda a, b: a & b),
    "bitwise_or": (operator.or_, lambda a, b: a | b),
    "bitwise_xor": (operator.xor, lambda a, b: a ^ b),
    "maximum": (None, max),
    "minimum": (None, min),
}


@pytest.mark.parametrize("dtype", INTEGER, ids=lambda d: d.name)
@given(data=st.data())
def test_python_int_beyond_the_dtype_is_an_overflow_error(dtype, data, device):
    """In range: the exact (wrapped) result; beyond: HalOverflowError naming the op,
    the device, the value and a dtype that holds it, in every form of the call."""
    name = data.draw(st.sampled_from(sorted(ARITHMETIC)), label="op")
    dunder, exact = ARITHMETIC[name]
    values = data.draw(int_arrays(dtype), label="x")
    s = data.draw(ints_around(dtype), label="scalar")
    form = data.draw(st.sampled_from(["function", "reflected function", "operator",
                                      "reflected operator", "in-place"]), label="form")
    if dunder is None:
        form = form.replace("operator", "function").replace("in-place", "function")
    x = on_device(values, dtype)
    call = {
        "function": lambda: getattr(xp, name)(x, s),
        "reflected function": lambda: getattr(xp, name)(s, x),
        "operator": lambda: dunder(x, s),
        "reflected operator": lambda: dunder(s, x),
        "in-place": lambda: _inplace(dunder, x, s),
    }[form]
    lo, hi = bounds(dtype)
    if lo <= s <= hi:
        expected = [wrap(exact(v, s) if "reflected" not in form else exact(s, v), dtype)
                    for v in values]
        assert no_warnings(call) == expected
        return
    with pytest.raises(xp.HalOverflowError) as info:
        call()
    err = info.value
    assert isinstance(err, OverflowError) and isinstance(err, xp.HalValueError)
    text = str(err)
    assert name in text and str(device) in text and str(s) in text and dtype.name in text
    assert "hal.astype" in text, text
    if form == "in-place":
        assert host(x) == values, "a refused in-place op must leave x as it was"


def _inplace(dunder, x, s):
    op = {operator.add: operator.iadd, operator.sub: operator.isub,
          operator.mul: operator.imul, operator.and_: operator.iand,
          operator.or_: operator.ior, operator.xor: operator.ixor}[dunder]
    return op(x, s)


COMPARISONS = {"less": operator.lt, "less_equal": operator.le, "greater": operator.gt,
               "greater_equal": operator.ge, "equal": operator.eq, "not_equal": operator.ne}


@pytest.mark.parametrize("dtype", INTEGER, ids=lambda d: d.name)
@given(data=st.data())
def test_comparison_with_any_python_int_is_exact(dtype, data):
    """``int8_array < 1000`` is all True, as in NumPy 2: comparisons never wrap or raise."""
    name = data.draw(st.sampled_from(sorted(COMPARISONS)), label="op")
    compare = COMPARISONS[name]
    values = data.draw(int_arrays(dtype), label="x")
    s = data.draw(ints_around(dtype), label="scalar")
    x = on_device(values, dtype)
    assert no_warnings(lambda: compare(x, s)) == [compare(v, s) for v in values]
    assert no_warnings(lambda: compare(s, x)) == [compare(s, v) for v in values]
    assert no_warnings(lambda: getattr(xp, name)(x, s)) == [compare(v, s) for v in values]


# -- row 2: asarray of Python ints -------------------------------------------------------------

@pytest.mark.parametrize("dtype", INTEGER, ids=lambda d: d.name)
@given(data=st.data())
def test_asarray_of_python_ints_beyond_the_dtype_is_an_overflow_error(dtype, data, device):
    lo, hi = bounds(dtype)
    values = data.draw(st.lists(ints_around(dtype), min_size=1, max_size=4), label="values")
    obj = data.draw(st.sampled_from(["scalar", "list", "nested"]), label="form")
    obj = {"scalar": values[0], "list": values, "nested": [values, values]}[obj]
    flat = [values[0]] if not isinstance(obj, list) else (values if obj is values
                                                          else values + values)
    if all(lo <= v <= hi for v in flat):
        assert host(xp.asarray(obj, dtype=dtype, device=device)) == flat
        return
    with pytest.raises(xp.HalOverflowError) as info:
        xp.asarray(obj, dtype=dtype, device=device)
    assert isinstance(info.value, OverflowError)
    assert "asarray" in str(info.value) and str(device) in str(info.value)


# -- row 3: integer powers -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", SIGNED, ids=lambda d: d.name)
@given(data=st.data())
def test_negative_python_int_power_is_a_value_error(dtype, data, device):
    values = data.draw(int_arrays(dtype), label="x")
    e = data.draw(st.integers(bounds(dtype)[0], -1), label="exponent")
    x = on_device(values, dtype)
    for call in (lambda: x ** e, lambda: xp.pow(x, e)):
        with pytest.raises(xp.HalValueError) as info:
            call()
        assert not isinstance(info.value, OverflowError)
        assert "negative integer powers" in str(info.value)
        assert str(device) in str(info.value)


def expected_pow(x: int, e: int, dtype) -> int:
    if e < 0:
        return 1 if x == 1 else ((-1) ** e if x == -1 else 0)
    return wrap(pow(x, e, 1 << (8 * dtype.itemsize)), dtype)


@pytest.mark.parametrize("dtype", INTEGER, ids=lambda d: d.name)
@given(data=st.data())
def test_integer_power_with_an_array_exponent(dtype, data):
    """Negative exponents in an array: 1 ** -n == 1, (-1) ** -n == (-1) ** n, anything
    else 0 (0 ** -n too), as PyTorch gives; no error, no warning."""
    lo, hi = bounds(dtype)
    values = data.draw(st.lists(st.one_of(st.sampled_from([0, 1, -1, 2, -2]),
                                          st.integers(lo, hi)).filter(lambda v: lo <= v <= hi),
                                min_size=1, max_size=6), label="x")
    exps = data.draw(st.lists(st.one_of(st.integers(max(lo, -70), min(hi, 70)),
                                        st.integers(lo, hi)),
                              min_size=len(values), max_size=len(values)), label="e")
    x, e = on_device(values, dtype), on_device(exps, dtype)
    expected = [expected_pow(v, n, dtype) for v, n in zip(values, exps)]
    assert no_warnings(lambda: x ** e) == expected
    assert no_warnings(lambda: xp.pow(x, e)) == expected
    # a Python int base with an array exponent: the same table
    base = data.draw(st.sampled_from([v for v in (0, 1, -1, 2, 3) if lo <= v <= hi]),
                     label="base")
    assert no_warnings(lambda: base ** e) == [expected_pow(base, n, dtype) for n in exps]


# -- row 4: integer division and remainder -----------------------------------------------------

def expected_floor_divide(a: int, b: int, dtype) -> int:
    return 0 if b == 0 else wrap(a // b, dtype)


def expected_remainder(a: int, b: int, dtype) -> int:
    return 0 if b == 0 else wrap(a % b, dtype)


@pytest.mark.parametrize("dtype", INTEGER, ids=lambda d: d.name)
@given(data=st.data())
def test_integer_division_by_zero_is_zero_without_warning(dtype, data):
    """x // 0 == x % 0 == 0; INT_MIN // -1 wraps to INT_MIN and INT_MIN % -1 == 0."""
    lo, hi = bounds(dtype)
    special = [0, lo, hi] + ([-1] if dtype.kind == "i" else [])
    values = data.draw(st.lists(st.one_of(st.sampled_from(special), st.integers(lo, hi)),
                                min_size=1, max_size=6), label="x")
    divisors = data.draw(st.lists(st.one_of(st.sampled_from(special), st.integers(lo, hi)),
                                  min_size=len(values), max_size=len(values)), label="y")
    x, y = on_device(values, dtype), on_device(divisors, dtype)
    fd = [expected_floor_divide(a, b, dtype) for a, b in zip(values, divisors)]
    rem = [expected_remainder(a, b, dtype) for a, b in zip(values, divisors)]
    assert no_warnings(lambda: x // y) == fd
    assert no_warnings(lambda: xp.floor_divide(x, y)) == fd
    assert no_warnings(lambda: x % y) == rem
    assert no_warnings(lambda: xp.remainder(x, y)) == rem
    s = data.draw(st.sampled_from(special), label="scalar divisor")
    assert no_warnings(lambda: x // s) == [expected_floor_divide(a, s, dtype) for a in values]
    assert no_warnings(lambda: x % s) == [expected_remainder(a, s, dtype) for a in values]
    assert no_warnings(lambda: s // x) == [expected_floor_divide(s, a, dtype) for a in values]
    assert no_warnings(lambda: s % x) == [expected_remainder(s, a, dtype) for a in values]


# -- row 5: casts and integer overflow between arrays ----------------------------------------------

def saturated(v: float, dtype) -> int:
    lo, hi = bounds(dtype)
    if math.isnan(v):
        return 0
    if math.isinf(v):
        return hi if v > 0 else lo
    return min(max(math.trunc(v), lo), hi)


def float_values(dtype):
    big = float(np.finfo(hs.np_dtype(dtype)).max)
    specials = [math.nan, math.inf, -math.inf, -0.0, 0.5, -0.5, -0.99, 127.5, 128.0,
                -128.5, 255.9, 256.0, 32768.0, 65535.5, 2.0**31, -2.0**31 - 4096,
                2.0**32, 2.0**63, -2.0**63, 2.0**64, -2.0**64, 1e300, -1e300]
    return st.one_of(st.sampled_from(specials),
                     st.floats(-big, big, allow_nan=False, width=8 * dtype.itemsize),
                     st.floats(-300.0, 300.0, width=8 * dtype.itemsize))


@pytest.mark.parametrize("source", REAL_FLOATING, ids=lambda d: d.name)
@given(data=st.data())
def test_float_to_integer_casts_saturate(source, data):
    """NaN -> 0, +inf and too large -> max, -inf and too small -> min (0 unsigned),
    the rest truncates toward zero; float -> bool is ``!= 0`` (NaN is True)."""
    target = data.draw(st.sampled_from(INTEGER + [xp.bool]), label="target")
    raw = data.draw(st.lists(float_values(source), min_size=1, max_size=8), label="values")
    stored = np.array(raw, dtype=np.float64).astype(hs.np_dtype(source)).tolist()
    x = xp.asarray(np.array(stored, dtype=hs.np_dtype(source)), device=hs.device())
    if target is xp.bool:
        expected = [v != 0 for v in stored]  # NaN != 0
    else:
        expected = [saturated(v, target) for v in stored]
    assert no_warnings(lambda: xp.astype(x, target)) == expected
    # a strided view takes the same conversion
    assert no_warnings(lambda: xp.astype(x[::-1], target)) == expected[::-1]
    # asarray of a host array with an integer dtype is the same array cast
    host_array = np.array(stored, dtype=hs.np_dtype(source))
    assert no_warnings(lambda: xp.asarray(host_array, dtype=target,
                                          device=hs.device())) == expected


@given(data=st.data())
def test_integer_to_narrower_integer_casts_wrap(data):
    source = data.draw(st.sampled_from(INTEGER), label="source")
    target = data.draw(st.sampled_from(INTEGER), label="target")
    values = data.draw(int_arrays(source), label="values")
    x = on_device(values, source)
    assert no_warnings(lambda: xp.astype(x, target)) == [wrap(v, target) for v in values]


@pytest.mark.parametrize("dtype", INTEGER, ids=lambda d: d.name)
@given(data=st.data())
def test_integer_overflow_between_arrays_wraps(dtype, data):
    name = data.draw(st.sampled_from(["add", "subtract", "multiply"]), label="op")
    values = data.draw(int_arrays(dtype), label="x")
    others = data.draw(st.lists(st.integers(*bounds(dtype)), min_size=len(values),
                                max_size=len(values)), label="y")
    x, y = on_device(values, dtype), on_device(others, dtype)
    exact = ARITHMETIC[name][1]
    assert no_warnings(lambda: getattr(xp, name)(x, y)) == \
        [wrap(exact(a, b), dtype) for a, b in zip(values, others)]
    if dtype.kind == "i":
        assert no_warnings(lambda: -x) == [wrap(-a, dtype) for a in values]


@pytest.mark.parametrize("dtype", INTEGER, ids=lambda d: d.name)
@given(data=st.data())
def test_full_and_setitem_with_python_ints_beyond_the_dtype(dtype, data, device):
    """``full`` and ``x[i] = v`` take Python ints as ``asarray`` does: exact in range,
    HalOverflowError beyond (no wrap on one device and an error on another)."""
    lo, hi = bounds(dtype)
    s = data.draw(ints_around(dtype), label="value")
    x = on_device([lo, hi], dtype)
    if lo <= s <= hi:
        assert host(xp.full((2,), s, dtype=dtype, device=device)) == [s, s]
        x[0] = s
        assert host(x) == [s, hi]
        return
    with pytest.raises(xp.HalOverflowError, match="full"):
        xp.full((2,), s, dtype=dtype, device=device)
    with pytest.raises(xp.HalOverflowError, match="__setitem__"):
        x[0] = s
    assert host(x) == [lo, hi]


FLOATING = hs.device_dtypes("fc")


@pytest.mark.parametrize("dtype", FLOATING, ids=lambda d: d.name)
@pytest.mark.parametrize("op", [operator.add, operator.mul, operator.truediv],
                         ids=lambda f: f.__name__)
def test_python_int_beyond_float64_with_a_floating_array_is_an_overflow_error(dtype, op,
                                                                              device):
    """No float holds 10**400: every device refuses it as Python's float() does (the
    OpenCL binding used to fail with pybind's std::bad_cast)."""
    x = xp.ones((3,), dtype=dtype, device=device)
    for value in (10**400, -(10**400)):
        with pytest.raises(xp.HalOverflowError, match="too large to convert to float"):
            op(x, value)
        with pytest.raises(xp.HalOverflowError):
            op(value, x)
