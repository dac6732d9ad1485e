"""Every op of hal's op table on the device under test against hal's NumPy backend.

One test per (op, dtype the device claims that the op's recipe draws), each on
hypothesis inputs (see ``_cases``).  The same body runs on both devices; results are
compared by ``_compare.compare`` (device, dtype mapped onto the device's profile,
shape, values within the op's tolerance plus the device's declared tolerance; errors
of the same kind).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from . import _cases, _compare, _state

DEVICE, ERROR = _state.device_or_error()


def _params() -> list:
    if DEVICE is None:
        return []
    return [pytest.param(recipe, dtype, id=f"{op}-{dtype.name}")
            for op, recipe in sorted(_cases.CASES.items()) for dtype in recipe.dtypes(DEVICE)]


def test_every_op_has_a_recipe():
    """The kit covers hal's whole op table (a new op needs a recipe in _cases)."""
    assert not _cases.missing_ops(), f"ops without a recipe: {_cases.missing_ops()}"
    assert not _cases.extra_recipes(), f"recipes for no op: {_cases.extra_recipes()}"


def _normalized(recipe, outcome, body):
    if recipe.normalize is None or not outcome.ok:
        return outcome
    try:
        return _compare.Outcome(outcome.device, recipe.normalize(outcome.result, body))
    except Exception as exc:  # a malformed result (wrong arity, shapes ...)
        return _compare.Outcome(outcome.device, error=exc,
                                tb=f"the result {outcome.result!r} is malformed: {exc}")


@pytest.mark.parametrize("recipe, dtype", _params())
@_state.hypothesis_settings()
@given(data=st.data())
def test_op(recipe, dtype, data, hal_device, hal_reference):
    body = recipe.build(data.draw, dtype, hal_device)
    ref = _normalized(recipe, _compare.run_on(hal_reference, body, is_reference=True), body)
    got = _normalized(recipe, _compare.run_on(hal_device, body, is_reference=False), body)
    tol = _cases.resolve_tol(recipe, dtype, hal_device)
    problem = _compare.compare(ref, got, tol=tol, what=f"{body!r} [{dtype.name}]")
    if problem:
        how = _compare.explain_run(hal_device, body)
        inputs = body.describe_inputs()
        pytest.fail(f"{recipe.op} on {hal_device} ({hal_device.name}): {problem}"
                    + (f"\n  inputs:\n    " + inputs.replace("\n", "\n    ") if inputs else "")
                    + (f"\n  resolved on {hal_device} as:\n{how}" if how else ""),
                    pytrace=False)
