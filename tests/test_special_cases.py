"""The standard's special cases of every elementwise function, on the device under test.

The cases are data (``tests/_special_cases.py``, from the 2025.12 specification).  For
each case, every operand (pair) from a pool of special and ordinary values that meets
the condition is computed in one array call, for each floating dtype of the device,
through the function and, where the standard has one, its operator and in-place
operator; each element is checked against the case's result.
"""

from __future__ import annotations

import itertools
import math
import operator
import re

import numpy as np
import pytest
from _special_cases import CASES
from _strategies import device_dtypes

import hal

INF, NAN = math.inf, math.nan

#: real operands: the special values and ordinary ones on both sides of 0, +-1, +-0.5
POOL = [NAN, -NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 0.25, -0.25, 1.5, -1.5,
        2.0, -2.0, 2.5, -2.5, 3.0, -3.0, 3.5, 5.0, -7.0, 0.75]
#: complex parts (fewer: the pool is squared)
PARTS = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0]

#: binary functions -> operator and in-place operator (the standard's dunders)
OPERATORS = {
    "add": (operator.add, operator.iadd), "subtract": (operator.sub, operator.isub),
    "multiply": (operator.mul, operator.imul), "divide": (operator.truediv, operator.itruediv),
    "floor_divide": (operator.floordiv, operator.ifloordiv),
    "remainder": (operator.mod, operator.imod), "pow": (operator.pow, operator.ipow),
}

_ENV = {
    "isnan": math.isnan, "isfinite": math.isfinite, "inf": INF, "copysign": math.copysign,
    "modf": math.modf, "abs": abs,
    "pos0": lambda v: v == 0 and math.copysign(1, v) > 0,
    "neg0": lambda v: v == 0 and math.copysign(1, v) < 0,
    "signbit": lambda v: math.copysign(1, v) < 0,
    "is_integer": lambda v: float(v).is_integer(),
}


def _is_complex_case(cond: str) -> bool:
    return re.search(r"\b[ab]\b", cond) is not None


def _id(case) -> str:
    return f"{case[0]}({case[1]}) -> {case[2]}"



def _dtypes(complex_case: bool):
    kinds = "c" if complex_case else "f"
    return [d for d in device_dtypes() if d.kind == kinds]


def _operands(cond: str, names: tuple[str, ...], pool) -> list[tuple]:
    chosen = []
    for values in itertools.product(pool, repeat=len(names)):
        env = dict(_ENV, **dict(zip(names, values)))
        if eval(cond, env):  # noqa: S307 (the table's own expressions)
            chosen.append(values)
    return chosen


def _same(r: float, v: float) -> bool:
    """``r`` is ``v`` exactly: NaN is NaN, and zeros have the same sign."""
    if math.isnan(v):
        return math.isnan(r)
    return r == v and math.copysign(1, r) == math.copysign(1, v)


_PI = {"pi": math.pi, "pi/2": math.pi / 2, "pi/4": math.pi / 4, "3pi/4": 3 * math.pi / 4}


def _part_ok(r: float, spec: str) -> bool:
    """``r`` meets one real result token of the table."""
    unsigned = spec.startswith("~")
    spec = spec.lstrip("~")
    if spec == "NaN":
        return math.isnan(r)
    if spec in ("0", "infinity") or unsigned:
        v = abs(r)
        return (v == 0) if spec.lstrip("+-") == "0" else (
            v == INF if spec.lstrip("+-") == "infinity" else
            math.isclose(v, _value(spec.lstrip("+-")), rel_tol=1e-3))
    if spec in ("+0", "-0"):
        return _same(r, float(spec))
    if spec.lstrip("+-") == "infinity":
        return r == (-INF if spec[0] == "-" else INF)
    return math.isclose(r, _value(spec), rel_tol=1e-3)


def _value(spec: str) -> float:
    sign = -1.0 if spec.startswith("-") else 1.0
    spec = spec.lstrip("+-")
    return sign * (_PI[spec] if spec in _PI else float(spec))


def _check_real(result, case, values) -> bool:
    spec = case[2]
    env = dict(zip(("x1", "x2") if len(values) == 2 else ("x",), values))
    if spec in ("True", "False"):
        return bool(result) is (spec == "True")
    if spec in env:
        return _same(result, env[spec])
    if spec == "round_half_even":
        return _same(result, float(round(values[0])))
    if spec == "floor":
        x1, x2 = values
        return _same(result, math.copysign(float(math.floor(x1 / x2)), x1 / x2))
    if spec.startswith("sign "):   # "... unless the result is NaN" (multiply, divide)
        return math.isnan(result) or (math.copysign(1, result) < 0) == (spec[-1] == "-")
    if spec.startswith("approx "):
        return math.isclose(result, _value(spec[7:]), rel_tol=1e-3)
    return _part_ok(result, spec)


def _check_complex(result: complex, case, value: complex) -> bool:
    spec = case[2]
    if spec.startswith("expr: "):
        a, b = value.real, value.imag
        cis = complex(math.cos(b), math.sin(b))
        want = eval(spec[6:], {"cis": lambda _: cis, "inf": INF, "a": a, "b": b})  # noqa: S307
        # inf * cis(b): each part is an infinity of the sign of cos(b), sin(b)
        if math.isinf(want.real) or math.isinf(want.imag) or a == INF:
            want = complex(math.copysign(INF, cis.real) - 1, math.copysign(INF, cis.imag))
        return all(math.isclose(r, w, rel_tol=1e-5, abs_tol=1e-6) or r == w
                   for r, w in ((result.real, want.real), (result.imag, want.imag)))
    m = re.fullmatch(r"(\S+) ([+\-~]) (\S+)j", spec)
    assert m, spec
    re_spec, op, im_spec = m.groups()
    if not _part_ok(result.real, re_spec):
        return False
    if op == "~":
        return _part_ok(result.imag, "~" + im_spec)
    return _part_ok(result.imag, ("-" if op == "-" else "+") + im_spec
                    if im_spec[0] not in "+-" else im_spec) or (
        # an unsigned NaN imaginary part ("NaN j") has no sign to check
        im_spec == "NaN" and math.isnan(result.imag))


def _call(fn, name, operands):
    if name == "clip":
        return fn(operands[0], min=-1.0, max=1.0)
    return fn(*operands)


def _forms(name: str):
    """(label, callable) for the function and its operator forms."""
    yield name, getattr(hal, name)
    if name in OPERATORS:
        op, iop = OPERATORS[name]
        yield f"operator {op.__name__}", op

        def inplace(x1, x2, iop=iop):
            x1 = hal.asarray(x1, copy=True)
            return iop(x1, x2)
        yield f"in-place {iop.__name__}", inplace
    if name == "abs":
        yield "abs()", abs


@pytest.mark.parametrize("case", [pytest.param(c, id=_id(c)) for c in CASES])
def test_special_case(case, device):
    name, cond, _ = case
    complex_case = _is_complex_case(cond)
    dtypes = _dtypes(complex_case)
    if not dtypes:
        pytest.skip(f"{device} has no {'complex' if complex_case else 'real floating'} "
                    f"dtype")
    if complex_case:
        samples = [complex(a, b) for a, b in _operands(cond, ("a", "b"), PARTS)]
        names = ("x",)
    else:
        names = ("x1", "x2") if "x1" in cond or "x2" in cond else ("x",)
        samples = _operands(cond, names, POOL)
    assert samples, f"no operand in the pool meets {cond!r}: widen POOL"
    failures = []
    for dtype in dtypes:
        kept = samples   # (every pool value is exact in float16 too)
        columns = [np.array([s[i] if not complex_case else s for s in kept],
                            dtype=dtype.name) for i in range(len(names))]
        arrays = [hal.asarray(c, device=device) for c in columns]
        for label, fn in _forms(name):
            out = hal.to_numpy(_call(fn, name, arrays))
            for i, values in enumerate(kept):
                r = out[i]
                if complex_case:
                    ok = _check_complex(complex(r), case, values)
                else:
                    ok = _check_real(r.item() if hasattr(r, "item") else r, case,
                                     tuple(float(v) for v in values))
                if not ok:
                    failures.append(f"{label}{values} as {dtype.name} gave {r!r}")
    assert not failures, f"{_id(case)} on {device}:\n" + "\n".join(failures[:10])


def test_every_case_has_operands():
    """The pool meets every condition of the table (else a case would test nothing)."""
    empty = []
    for case in CASES:
        cond = case[1]
        if _is_complex_case(cond):
            found = _operands(cond, ("a", "b"), PARTS)
        else:
            found = _operands(cond, ("x1", "x2") if "x1" in cond or "x2" in cond
                              else ("x",), POOL)
        if not found:
            empty.append(_id(case))
    assert empty == []


def test_the_table_covers_every_elementwise_function_with_special_cases():
    """Every function the standard gives special cases for is in the table."""
    named = {c[0] for c in CASES}
    expected = {
        "abs", "acos", "acosh", "add", "asin", "asinh", "atan", "atan2", "atanh", "ceil",
        "clip", "copysign", "cos", "cosh", "divide", "exp", "expm1", "floor",
        "floor_divide", "isfinite", "isinf", "isnan", "log", "log10", "log1p", "log2",
        "logaddexp", "maximum", "minimum", "multiply", "nextafter", "pow", "remainder",
        "round", "sign", "signbit", "sin", "sinh", "sqrt", "tan", "tanh", "trunc"}
    assert expected <= named, sorted(expected - named)
    assert all(callable(getattr(hal, n)) for n in named)
