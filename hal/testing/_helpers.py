"""Public helpers in the spirit of ``cupy.testing``: one test body, two devices.

A body takes ``xp`` (hal's namespace bound to a device) and returns arrays; the
decorators run it once on the NumPy reference and once on the device under test
(``--hal-device``) and compare what came back::

    import hal.testing as ht

    @ht.for_each_dtype("f")
    @ht.numpy_hal_allclose(rtol=1e-5)
    def test_softmax(xp, dtype):
        x = xp.linspace(-3, 3, 7, dtype=dtype)
        e = xp.exp(x - xp.max(x))
        return e / xp.sum(e)
"""

from __future__ import annotations

import functools
import inspect

import hal

from . import _state
from ._compare import assert_same

__all__ = ["device_dtypes", "for_each_dtype", "for_dtypes", "numpy_hal_allclose",
           "numpy_hal_array_equal", "assert_same"]


def device_dtypes(kinds: str = "biufc", device=None) -> list:
    """The dtypes ``device`` (default: the device under test) claims, of ``kinds``
    (letters: b bool, i signed, u unsigned, f real floating, c complex floating)."""
    device = device if device is not None else _state.device_under_test()
    return [d for d in hal.all_dtypes() if d in device.dtypes and d.kind in kinds]


def _parametrize(name: str, dtypes: list, unclaimed: list = ()):
    import pytest
    params = [pytest.param(d, id=d.name) for d in dtypes]
    params += [pytest.param(d, id=d.name, marks=pytest.mark.skip(
        reason=f"{_state.selector()} does not claim {d.name}")) for d in unclaimed]
    return pytest.mark.parametrize(name, params)


def for_each_dtype(kinds: str = "biufc", *, name: str = "dtype", exclude=()):
    """Run the test once per dtype of ``kinds`` the device under test claims.

    ``exclude``: dtype names to leave out.  The dtype is passed as argument ``name``.
    """
    excluded = {getattr(d, "name", d) for d in exclude}
    dtypes = [d for d in device_dtypes(kinds) if d.name not in excluded]
    return _parametrize(name, dtypes)


def for_dtypes(*dtypes, name: str = "dtype"):
    """Run the test once per dtype listed (hal dtypes or names); those the device
    under test does not claim are reported as skipped, with the reason."""
    from hal._dtypes import BY_NAME
    wanted = [BY_NAME[getattr(x, "name", x)] for x in dtypes]
    device = _state.device_under_test()
    return _parametrize(name, [d for d in wanted if d in device.dtypes],
                        [d for d in wanted if d not in device.dtypes])


def _dual(tol, type_check: bool, accept_error: bool, name: str):
    def deco(fn):
        sig = inspect.signature(fn)
        if name not in sig.parameters:
            raise TypeError(f"{fn.__qualname__}: a body for hal.testing must take an "
                            f"argument named {name!r} (the namespace)")

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            def body(xp):
                return fn(*args, **{**kwargs, name: xp})
            assert_same(body, tol=tol, type_check=type_check, accept_error=accept_error,
                        what=fn.__name__)

        # pytest (and hypothesis) must not see ``xp``: it is not a fixture
        wrapper.__signature__ = sig.replace(
            parameters=[p for p in sig.parameters.values() if p.name != name])
        del wrapper.__wrapped__
        return wrapper
    return deco


def numpy_hal_allclose(rtol: float | None = None, atol: float | None = None, *,
                       type_check: bool = True, accept_error: bool = False,
                       name: str = "xp"):
    """Decorate a body ``f(xp, ...)``: run it on NumPy and on the device under test,
    compare the results with ``rtol``/``atol`` (default: 4 ulps of the result dtype,
    plus the tolerance the device declares).

    ``type_check``: the dtypes must agree (a reference ``float64`` that came from a
    default is expected as the device's default float).  ``accept_error``: when the
    reference raises, the device must raise the same kind of error.
    """
    tol = "ulp" if rtol is None and atol is None else (rtol or 0.0, atol or 0.0)
    return _dual(tol, type_check, accept_error, name)


def numpy_hal_array_equal(*, type_check: bool = True, accept_error: bool = False,
                          name: str = "xp"):
    """Like :func:`numpy_hal_allclose`, exact (NaNs in the same places are equal)."""
    return _dual("exact", type_check, accept_error, name)
