"""Every elementwise op of the op table against NumPy, for every dtype it accepts.

The op list is ``hal._optable.UNARY`` / ``BINARY`` (never hand-written); the dtype
list is the device's.  For each (op, dtype): values against NumPy on hypothesis
inputs (with broadcasting and Python scalars for binary ops), the result dtype
against hal's documented rules and against array-api-strict where strict accepts
the inputs, and a clear ``TypeError`` for dtypes the op refuses.
"""

from __future__ import annotations

import functools
import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import _strategies as hs
import hal as xp
from hal._optable import (ANY, BINARY, BOOL, FLOATING, INTEGER, INTEGER_OR_BOOL, NUMERIC,
                          REAL, REAL_FLOATING, REAL_OR_BOOL, TO_BOOL, TO_REAL, UNARY)

# Which dtype kinds each input category of the op table takes.  "floating" ops also
# take integers (computed in the device's default floating dtype); bool is refused.
ACCEPTS = {
    NUMERIC: "iufc", REAL: "iuf", FLOATING: "iufc", REAL_FLOATING: "iuf",
    INTEGER: "iu", INTEGER_OR_BOOL: "biu", BOOL: "b", ANY: "biufc", REAL_OR_BOOL: "biuf",
}

# Ops computed by a libm-style approximation: a backend may differ from NumPy by a
# few ulps.  Everything else (arithmetic, rounding, comparisons) must match exactly
# unless the device declares a tolerance in its capabilities.
TRANSCENDENTAL = frozenset(
    "acos acosh asin asinh atan atanh cos cosh exp expm1 log log1p log2 log10 sin sinh "
    "tan tanh sqrt reciprocal divide pow atan2 hypot logaddexp sign".split())

# Complex products and quotients are not correctly rounded (NumPy itself gives
# results one ulp apart on its contiguous and broadcast loops).
COMPLEX_ROUNDED = frozenset("multiply square abs".split())

# ``1 < x`` runs ``x.__gt__(1)``: an error from it names the mirrored comparison
MIRRORED = {"less": "greater", "greater": "less", "less_equal": "greater_equal",
            "greater_equal": "less_equal"}

# NumPy's spelling where it differs from the standard's
NUMPY_NAME = {"bitwise_invert": "invert"}


def _accepted(spec) -> list:
    return hs.device_dtypes(ACCEPTS[spec.accepts])


def _refused(spec) -> list:
    return [d for d in hs.device_dtypes() if d.kind not in ACCEPTS[spec.accepts]]


def _cases(specs, dtypes_of) -> list:
    return [pytest.param(spec, d, id=f"{spec.name}-{d.name}")
            for spec in specs for d in dtypes_of(spec)]


# -- the expected dtypes and values -------------------------------------------------

def loop_dtype(spec, promoted):
    """The dtype the op computes in: integers given to floating ops use the default."""
    if spec.accepts in (FLOATING, REAL_FLOATING) and promoted.kind in "iu":
        return hs.default_float()
    return promoted


def result_dtype(spec, loop):
    if spec.result == TO_BOOL:
        return xp.bool
    if spec.result == TO_REAL:
        return hs.real_of(loop)
    return loop


#: ops whose special values NumPy gives differently from the standard, which hal
#: follows (README: "Where hal follows the standard, not NumPy"): their reference is
#: hal's NumPy device (tests/test_special_cases.py checks that one against the
#: standard's tables)
STANDARD_NOT_NUMPY = {"floor_divide", "expm1", "tanh", "tan", "nextafter"}


def reference(spec, loop, result, *args):
    """NumPy's answer: the op on the inputs cast to the loop dtype (scalars stay weak)."""
    cast = [a.astype(hs.np_dtype(loop)) if isinstance(a, np.ndarray) else a for a in args]
    if spec.name in STANDARD_NOT_NUMPY:
        host = xp.get_device("numpy")
        with np.errstate(all="ignore"):
            out = xp.to_numpy(getattr(xp, spec.name)(
                *[xp.asarray(a, device=host) if isinstance(a, np.ndarray) else a
                  for a in cast]))
        return out.astype(hs.np_dtype(result), copy=False)
    fn = hs.numpy_function(NUMPY_NAME.get(spec.name, spec.name))
    with np.errstate(all="ignore"):
        out = np.asarray(fn(*cast))
    return out.astype(hs.np_dtype(result), copy=False)


def tolerances(spec, dtype) -> dict:
    approximate = spec.name in TRANSCENDENTAL or (
        dtype.kind == "c" and spec.name in COMPLEX_ROUNDED)
    if dtype.kind in "fc" and approximate:
        slack = hs.ulps(dtype, 4)
        return {"rtol": slack, "atol": slack}
    return {}


def _where(value, cond, replacement):
    """``value`` with ``replacement`` where ``cond`` holds (arrays keep their dtype)."""
    if isinstance(value, np.ndarray):
        return np.where(cond, replacement, value).astype(value.dtype)
    return type(value)(replacement) if cond else value


def _mod(value, n):
    if isinstance(value, np.ndarray):
        # keep the dtype (bool % 8 is int64) and the array-ness of 0-D inputs
        return np.asarray(value % n).astype(value.dtype)
    return type(value)(value % n)


def sanitize(name, loop, x1, x2):
    """Keep integer inputs where the standard (and every backend) defines the result:
    no division by zero or ``INT_MIN // -1``, no negative integer powers, no shift
    by a negative amount or by the bit width or more.  Complex ``pow``: no exponent
    whose phase ``Im(b) ln|a| + Re(b) arg(a)`` is beyond the dtype's precision (a
    phase of 1e8 radians in float32 has no significant bits: the direction of the
    result, and the signs of an overflowed one, are noise in NumPy's answer too)."""
    if loop.kind == "c" and name == "pow":
        return x1, _resolvable_exponent(loop, x1, x2)
    if loop.kind not in "iu":
        return x1, x2
    bits = 8 * loop.itemsize
    if name in ("floor_divide", "remainder"):
        x2 = _where(x2, x2 == 0, 1)
        if loop.kind == "i":
            low = int(np.iinfo(hs.np_dtype(loop)).min)
            x1 = _where(x1, x1 == low, low + 1)
    elif name == "pow":
        x2 = _where(x2, x2 < 0, 0)
        x2 = _mod(x2, 8)
    elif name in ("bitwise_left_shift", "bitwise_right_shift"):
        x2 = _mod(x2, bits)
    return x1, x2


def _resolvable_exponent(loop, x1, x2):
    """``x2``, or 2 (an exact, well-conditioned power) in its place when the phase of
    some ``x1 ** x2`` has fewer than ~16 significant bits in ``loop``."""
    limit = 2.0 ** (np.finfo(hs.np_dtype(loop)).nmant - 16)
    with np.errstate(all="ignore"):
        a = np.asarray(x1, dtype=np.complex128)
        b = np.asarray(x2, dtype=np.complex128)
        phase = np.abs(b.imag * np.log(np.abs(a))) + np.abs(b.real * np.angle(a))
    # NaN phases (0 ** b, inf ** b, NaN inputs) are special values, kept
    unresolvable = ~(phase < limit) & np.isfinite(phase)
    if not unresolvable.any():
        return x2
    if isinstance(x2, np.ndarray):
        return np.full_like(x2, 2)
    return type(x2)(2)


def _kind_of(item):
    """A hal dtype for arrays, the Python type for scalars."""
    return hs.hal_dtype(item.dtype) if isinstance(item, np.ndarray) else type(item)


def expected_promoted(spec, a, b):
    """The promoted dtype of ``op(a, b)`` (arrays and/or scalars), None if refused.

    The promoted dtype decides whether the op takes its operands: ``bool + int8`` is
    int8 arithmetic, ``bool_array + 1`` default-int arithmetic, ``bool + bool`` is
    refused by arithmetic ops.
    """
    ka, kb = _kind_of(a), _kind_of(b)
    accepts = ACCEPTS[spec.accepts]
    arrays = [k for k in (ka, kb) if not isinstance(k, type)]
    if len(arrays) == 2:
        promoted = hs.expected_promotion(ka, kb)
    else:
        scalar = kb if isinstance(kb, type) else ka
        promoted = hs.expected_scalar(arrays[0], scalar)
    if promoted is None or promoted.kind not in accepts:
        return None
    return promoted


def _hal_args(*items):
    return [hs.to_device(a) if isinstance(a, np.ndarray) else a for a in items]


def _operator(spec):
    return getattr(operator, spec.dunder, None) or getattr(operator, spec.dunder + "_")


def check_binary(spec, a, b, *, form="function"):
    """Run ``spec`` on ``a`` and ``b`` (NumPy arrays or Python scalars) and check it."""
    fn = getattr(xp, spec.name) if form == "function" else _operator(spec)
    where = f"{spec.name}({_kind_of(a)}, {_kind_of(b)}) [{form}]"
    promoted = expected_promoted(spec, a, b)
    if promoted is None:
        with pytest.raises(TypeError) as info:
            fn(*_hal_args(a, b))
        assert isinstance(info.value, xp.HalError), where
        names = {spec.name, MIRRORED.get(spec.name)} if form == "operator" else {spec.name}
        assert any(n in str(info.value) for n in names if n), \
            f"{where}: message does not name the op: {info.value}"
        return
    loop = loop_dtype(spec, promoted)
    result = result_dtype(spec, loop)
    a, b = sanitize(spec.name, loop, a, b)
    out = fn(*_hal_args(a, b))
    expected = reference(spec, loop, result, a, b)
    try:
        hs.assert_matches(out, expected, dtype=result, msg=where, **tolerances(spec, loop))
    except AssertionError:
        if not (spec.name == "pow" and loop is xp.complex64):
            raise
        # NumPy's complex64 pow with a large exponent goes through glibc's cpowf, whose
        # float argument loses up to ~1e-5 of the phase (e.g. (-0.25+1j)**100: 1.5e-5
        # from the exact value, hal's kernel 5e-7): the more accurate answer, computed
        # in complex128 and rounded, is accepted too
        accurate = reference(spec, xp.complex128, result, a, b)
        hs.assert_matches(out, accurate, dtype=result, msg=where + " (complex128 reference)",
                          **tolerances(spec, loop))
    hs.check_against_strict(out.dtype, spec.name, _kind_of(a), _kind_of(b))


@functools.lru_cache(maxsize=None)
def _two_shapes():
    return hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                             max_side=4).map(lambda r: r.input_shapes)


# -- unary ---------------------------------------------------------------------------

def test_op_table_drives_the_namespace():
    for spec in UNARY + BINARY:
        assert callable(getattr(xp, spec.name)), spec.name
        assert spec.accepts in ACCEPTS, spec
    assert len(UNARY) >= 38 and len(BINARY) >= 28


@pytest.mark.parametrize("spec,dtype", _cases(UNARY, _accepted))
@given(data=st.data())
def test_unary(spec, dtype, data):
    x = data.draw(hs.arrays(dtype), label="x")
    loop = loop_dtype(spec, dtype)
    result = result_dtype(spec, loop)
    out = getattr(xp, spec.name)(hs.to_device(x))
    hs.assert_matches(out, reference(spec, loop, result, x), dtype=result,
                      msg=f"{spec.name}({dtype})", **tolerances(spec, loop))
    hs.check_against_strict(out.dtype, spec.name, dtype)


@pytest.mark.parametrize("spec,dtype", _cases(UNARY, _refused))
def test_unary_refuses_dtype(spec, dtype, device):
    x = hs.to_device(np.zeros(3, dtype=hs.np_dtype(dtype)))
    with pytest.raises(TypeError) as info:
        getattr(xp, spec.name)(x)
    assert isinstance(info.value, xp.HalTypeError)
    message = str(info.value)
    assert spec.name in message and str(device) in message, message


@pytest.mark.parametrize("spec", [pytest.param(s, id=s.name) for s in UNARY if s.dunder])
@pytest.mark.parametrize("dtype", hs.dtype_params())
def test_unary_operator(spec, dtype):
    """``-x``, ``+x``, ``~x``, ``abs(x)`` are the table's functions."""
    x_np = np.arange(-3, 3).astype(hs.np_dtype(dtype)) if dtype.kind != "b" \
        else np.array([True, False])
    x = hs.to_device(x_np)
    op = {"__neg__": operator.neg, "__pos__": operator.pos, "__invert__": operator.invert,
          "__abs__": abs}[spec.dunder]
    if dtype.kind not in ACCEPTS[spec.accepts]:
        with pytest.raises(TypeError):
            op(x)
        return
    hs.assert_matches(op(x), hs.to_numpy(getattr(xp, spec.name)(x)), msg=spec.dunder)


# -- binary ---------------------------------------------------------------------------

@pytest.mark.parametrize("spec,dtype", _cases(BINARY, _accepted))
@given(data=st.data())
def test_binary(spec, dtype, data):
    """Two arrays of shapes that broadcast together: half the time both of ``dtype``,
    else ``dtype`` with any other dtype of the device (promoted, or a TypeError)."""
    others = hs.device_dtypes()
    other = data.draw(st.sampled_from([dtype] * len(others) + others), label="other dtype")
    s1, s2 = data.draw(_two_shapes(), label="shapes")
    x1 = data.draw(hs.arrays(dtype, s1), label="x1")
    x2 = data.draw(hs.arrays(other, s2), label="x2")
    if data.draw(st.booleans(), label="swap"):
        x1, x2 = x2, x1
    check_binary(spec, x1, x2)


@pytest.mark.parametrize("spec,dtype", _cases(BINARY, _accepted))
@given(data=st.data())
def test_binary_python_scalar(spec, dtype, data):
    """``op(x, 2)``, ``op(1.5, x)``, ``x + 1.0``, ``2 * x`` ... with the standard's weak
    scalars and hal's documented mixed-kind rules."""
    scalar_type = data.draw(st.sampled_from([bool, int, float, complex]), label="type")
    x = data.draw(hs.arrays(dtype), label="x")
    s = data.draw(hs.python_scalars(scalar_type, dtype), label="scalar")
    forms = ["function"] + (["operator"] if spec.dunder else [])
    form = data.draw(st.sampled_from(forms), label="form")
    if data.draw(st.booleans(), label="scalar first"):
        check_binary(spec, s, x, form=form)
    else:
        check_binary(spec, x, s, form=form)


@pytest.mark.parametrize("spec,dtype", _cases(BINARY, _refused))
def test_binary_refuses_dtype(spec, dtype, device):
    x = hs.to_device(np.zeros(3, dtype=hs.np_dtype(dtype)))
    with pytest.raises(TypeError) as info:
        getattr(xp, spec.name)(x, x)
    assert isinstance(info.value, xp.HalTypeError)
    message = str(info.value)
    assert spec.name in message and str(device) in message, message


@pytest.mark.parametrize("spec", [pytest.param(s, id=s.name) for s in BINARY])
def test_binary_needs_an_array(spec):
    with pytest.raises(TypeError) as info:
        getattr(xp, spec.name)(1, 2)
    assert isinstance(info.value, xp.HalError)
    with pytest.raises(TypeError):
        getattr(xp, spec.name)(hs.to_device(np.ones(2)), "2")


@pytest.mark.parametrize("spec", [pytest.param(s, id=s.name) for s in BINARY])
def test_binary_shapes_that_do_not_broadcast(spec, device):
    dtype = _accepted(spec)[0]
    x1 = hs.to_device(np.ones((2, 3), dtype=hs.np_dtype(dtype)))
    x2 = hs.to_device(np.ones((4,), dtype=hs.np_dtype(dtype)))
    with pytest.raises(ValueError) as info:
        getattr(xp, spec.name)(x1, x2)
    assert isinstance(info.value, xp.HalError)
    assert spec.name in str(info.value) and str(device) in str(info.value)


# -- complex special values ---------------------------------------------------------

def _special_grid(dtype):
    """Every complex number whose components are taken from a set of special and
    extreme values: signed zeros, +-1, huge magnitudes whose products overflow, the
    largest values of the dtype, infinities and NaN."""
    real = hs.np_dtype(hs.real_of(dtype))
    huge = float(np.finfo(real).max) * 0.95            # 1.7e38 / 1.7e308
    big = 1e30 if real == np.float32 else 1e300
    values = np.array([0.0, -0.0, 1.0, -1.0, big, -big, huge, np.inf, -np.inf, np.nan],
                      dtype=real)
    re, im = np.meshgrid(values, values, indexing="ij")
    return (re + 1j * im).ravel().astype(hs.np_dtype(dtype))


def _assert_components(out, expected, *, dtype, msg, **tol):
    """``out`` matches ``expected`` as a complex array, and part by part (so a NaN or
    an infinity of the wrong sign in one component is not hidden by the other)."""
    real = hs.real_of(dtype)
    hs.assert_matches(out, expected, dtype=dtype, msg=msg, **tol)
    hs.assert_matches(xp.real(out), expected.real, dtype=real, msg=f"{msg} real", **tol)
    hs.assert_matches(xp.imag(out), expected.imag, dtype=real, msg=f"{msg} imag", **tol)


_COMPLEX_UNARY = [s for s in UNARY if "c" in ACCEPTS[s.accepts] and s.result != TO_BOOL]


@pytest.mark.parametrize("dtype", hs.device_dtypes("c"), ids=lambda d: d.name)
@pytest.mark.parametrize("spec", [pytest.param(s, id=s.name) for s in _COMPLEX_UNARY])
def test_unary_complex_special_values(spec, dtype):
    """C99 Annex G special values and overflow-prone magnitudes, as NumPy gives them."""
    z = _special_grid(dtype)
    result = result_dtype(spec, dtype)
    out = getattr(xp, spec.name)(hs.to_device(z))
    expected = reference(spec, dtype, result, z)
    msg = f"{spec.name}({dtype}) on the special-value grid"
    if result.kind == "c":
        _assert_components(out, expected, dtype=result, msg=msg, **tolerances(spec, dtype))
    else:
        hs.assert_matches(out, expected, dtype=result, msg=msg, **tolerances(spec, dtype))


@pytest.mark.parametrize("dtype", hs.device_dtypes("c"), ids=lambda d: d.name)
def test_pow_complex_special_values(dtype):
    """``a ** b`` for every pair of the special-value grid.

    Left out: pairs whose result has a finite phase Im(b log a) beyond 1/eps radians.
    There the phase is not determined to within 2 pi by the inputs (one ulp of arg(a)
    or log|a| moves it by more), so the quadrant of the result (its signs) is arbitrary.
    """
    spec = next(s for s in BINARY if s.name == "pow")
    z = _special_grid(dtype)
    a, b = np.repeat(z, z.size), np.tile(z, z.size)
    with np.errstate(all="ignore"):
        phase = np.abs((b.astype(np.complex128) * np.log(a.astype(np.complex128))).imag)
    eps = float(np.finfo(hs.np_dtype(hs.real_of(dtype))).eps)
    keep = ~(np.isfinite(phase) & (phase > 1 / eps))
    assert keep.sum() > 0.8 * keep.size
    a, b = a[keep], b[keep]
    out = xp.pow(hs.to_device(a), hs.to_device(b))
    expected = reference(spec, dtype, dtype, a, b)
    _assert_components(out, expected, dtype=dtype, msg=f"pow({dtype}) on the special-value grid",
                       **tolerances(spec, dtype))
