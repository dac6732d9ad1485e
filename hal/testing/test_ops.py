"""Every op of hal's op table on the device under test against hal's NumPy backend.

One test function per op (``test_add``, ``test_linalg_svd`` ...), run once per dtype
the device claims that the op's recipe draws (``test_add[float32]``), each on
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


def check(recipe, dtype, draw, device, reference):
    """Draw inputs, run the op on both devices, fail with the whole story if they
    disagree."""
    body = recipe.build(draw, dtype, device)
    ref = _normalized(recipe, _compare.run_on(reference, body, is_reference=True), body)
    got = _normalized(recipe, _compare.run_on(device, body, is_reference=False), body)
    tol = _cases.resolve_tol(recipe, dtype, device)
    problem = _compare.compare(ref, got, tol=tol, what=f"{body!r} [{dtype.name}]")
    if problem:
        how = _compare.explain_run(device, body)
        inputs = body.describe_inputs()
        pytest.fail(f"{recipe.op} on {device} ({device.name}): {problem}"
                    + ("\n  inputs:\n    " + inputs.replace("\n", "\n    ") if inputs else "")
                    + (f"\n  resolved on {device} as:\n{how}" if how else ""),
                    pytrace=False)


def _make_test(recipe):
    # One function per op keeps each function's parametrization small (hypothesis'
    # pytest plugin wraps a parametrized function's settings once per item).
    dtypes = recipe.dtypes(DEVICE) if DEVICE is not None else []

    @pytest.mark.parametrize("dtype", [pytest.param(d, id=d.name) for d in dtypes])
    @_state.hypothesis_settings()
    @given(data=st.data())
    def test(dtype, data, hal_device, hal_reference):
        check(recipe, dtype, data.draw, hal_device, hal_reference)

    name = "test_" + recipe.op.replace(".", "_")
    test.__name__ = test.__qualname__ = name
    test.__doc__ = f"hal.{recipe.op} against the NumPy backend."
    return name, test


for _recipe in _cases.CASES.values():
    _name, _test = _make_test(_recipe)
    globals()[_name] = _test
del _recipe, _name, _test
