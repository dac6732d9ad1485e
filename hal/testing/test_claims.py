"""What the device claims in its capabilities is true.

* every dtype it claims, it holds: values round-trip exactly, creation and a cast work,
  and the inspection API lists it;
* every dtype it does not claim is refused with the documented ``HalTypeError``
  (never downcast), by ``asarray``, creation, ``astype`` and ``to_device``;
* its default dtypes follow its profile;
* the ops it declares host ops (``capabilities.host_fallback_ops``) really run on the
  host, visibly: recorded as fallbacks by ``hal.trace()``, explained by
  ``hal.explain``, refused under ``HAL_FALLBACK=error``;
* the rest of the capabilities are consistent (features vs dtypes, tolerances, op
  names).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hal
from hal import _contract

from . import _cases, _compare, _state

DEVICE, ERROR = _state.device_or_error()
ALL = list(hal.all_dtypes())


def _claimed():
    return [pytest.param(d, id=d.name) for d in ALL if DEVICE is not None
            and d in DEVICE.dtypes]


def _unclaimed():
    return [pytest.param(d, id=d.name) for d in ALL if DEVICE is not None
            and d not in DEVICE.dtypes]


def _host_ops():
    return [pytest.param(op, id=op) for op in
            sorted(DEVICE.capabilities.host_fallback_ops if DEVICE is not None else ())]


def test_the_device_is_usable(hal_device):
    """The selector names an available device (else: hal's reason and fix)."""
    assert hal_device.runtime is not None


def test_every_claimed_dtype_round_trips_through_the_runtime(hal_device):
    """One tiny array per claimed dtype through the plugin's Runtime (what
    ``hal devices`` checks too)."""
    problems = _contract.dtype_problems(hal_device)
    assert not problems, "\n".join(str(p) for p in problems)


def _edge_values(dtype) -> np.ndarray:
    dt = np.dtype(dtype.name)
    if dtype.kind == "b":
        return np.array([True, False, True])
    if dtype.kind in "iu":
        info = np.iinfo(dt)
        return np.array([info.min, 0, 1, info.max], dtype=dt)
    info = np.finfo(dt)
    values = [0.0, -0.0, 1.5, -2.25, info.max, info.min, info.tiny, np.inf, -np.inf, np.nan]
    if dtype.kind == "c":
        return np.array([complex(v, -v) if v == v else complex(np.nan, 1) for v in values],
                        dtype=dt)
    return np.array(values, dtype=dt)


@pytest.mark.parametrize("dtype", _claimed())
def test_a_claimed_dtype_works(hal_device, dtype):
    host = _edge_values(dtype)
    x = hal.asarray(host, device=hal_device)
    assert x.dtype is dtype and x.device is hal_device
    back = hal.to_numpy(x)
    assert back.dtype == host.dtype, f"{dtype.name}: the device gave back {back.dtype}"
    np.testing.assert_array_equal(back, host, err_msg=f"{dtype.name} does not round-trip "
                                  f"exactly through {hal_device}")
    for make in (lambda: hal.zeros((2, 3), dtype=dtype, device=hal_device),
                 lambda: hal.ones((4,), dtype=dtype, device=hal_device),
                 lambda: hal.full((2,), True if dtype.kind == "b" else 1, dtype=dtype,
                                  device=hal_device),
                 lambda: hal.astype(x, dtype, copy=True),
                 lambda: x[1:]):
        y = make()
        assert y.dtype is dtype and y.device is hal_device
        assert hal.to_numpy(y).dtype == host.dtype
    assert dtype.name in hal.__array_namespace_info__().dtypes(device=hal_device) \
        or dtype is hal.float16      # the standard's inspection API lists no float16


@pytest.mark.parametrize("dtype", _unclaimed())
def test_an_unclaimed_dtype_is_refused(hal_device, hal_reference, dtype):
    """The documented error: ``HalTypeError`` (a ``TypeError``) naming the dtype and
    the device, never a silent downcast."""
    host = np.zeros(3, dtype=dtype.name)
    claimed = next(d for d in ALL if d in hal_device.dtypes and d.kind != "b") \
        if any(d.kind != "b" for d in hal_device.dtypes) else hal.bool
    attempts = {
        "asarray": lambda: hal.asarray(host, device=hal_device),
        "zeros": lambda: hal.zeros(3, dtype=dtype, device=hal_device),
        "full": lambda: hal.full(3, 0, dtype=dtype, device=hal_device),
        "to_device": lambda: hal.asarray(host, device=hal_reference).to_device(hal_device),
        "astype": lambda: hal.astype(hal.zeros(3, dtype=claimed, device=hal_device), dtype),
    }
    for what, attempt in attempts.items():
        with pytest.raises(TypeError) as info:
            attempt()
        assert isinstance(info.value, hal.HalTypeError), (what, info.value)
        message = str(info.value)
        assert dtype.name in message and str(hal_device) in message, (
            f"{what}: the error must name {dtype.name} and {hal_device}: {message}")
    assert dtype.name not in hal.__array_namespace_info__().dtypes(device=hal_device)


def test_default_dtypes_follow_the_profile(hal_device):
    defaults = hal.__array_namespace_info__().default_dtypes(device=hal_device)
    fp64 = hal.float64 in hal_device.dtypes
    assert defaults["real floating"] is (hal.float64 if fp64 else hal.float32)
    assert defaults["complex floating"] is (hal.complex128 if fp64 else hal.complex64)
    with hal.default_device(hal_device):
        for value, kind, dtype in ((1.5, "real floating", defaults["real floating"]),
                                   (7, "integral", defaults["integral"]),
                                   (1j, "complex floating", defaults["complex floating"])):
            if dtype in hal_device.dtypes:
                x = hal.asarray([value])
                assert x.dtype is dtype and x.device is hal_device, (kind, x.dtype)
            else:
                with pytest.raises(hal.HalTypeError):
                    hal.asarray([value])


def test_capabilities_are_consistent(hal_device):
    caps = hal_device.capabilities
    problems = []
    for feature, dtype in (("fp64", hal.float64), ("fp16", hal.float16)):
        if (feature in caps.features) != (dtype in hal_device.dtypes):
            problems.append(f"feature {feature!r} {'is' if feature in caps.features else 'is not'}"
                            f" claimed, dtype {dtype.name} "
                            f"{'is' if dtype in hal_device.dtypes else 'is not'}: claim both "
                            f"or neither")
    if hal.complex128 in hal_device.dtypes and hal.float64 not in hal_device.dtypes:
        problems.append("complex128 is claimed without float64 (its real part)")
    if hal.complex64 in hal_device.dtypes and hal.float32 not in hal_device.dtypes:
        problems.append("complex64 is claimed without float32 (its real part)")
    for name, tol in caps.tolerances.items():
        # (a tolerance for a dtype the device does not claim is unused, not false)
        if name in caps.dtypes and not 0 <= tol < 1e-2:
            problems.append(f"tolerances[{name!r}] = {tol}: expected 0 <= tol < 1e-2")
    unknown = sorted(set(caps.host_fallback_ops) - set(hal.op_names()))
    if unknown:
        problems.append(f"host_fallback_ops names ops hal does not have: {unknown} "
                        f"(see hal.op_names())")
    assert not problems, f"{hal_device}: " + "; ".join(problems)


@pytest.mark.parametrize("op", _host_ops())
@_state.hypothesis_settings(max_examples=3)
@given(data=st.data())
def test_a_declared_host_op_takes_the_host_path(op, data, hal_device, hal_reference):
    recipe = _cases.case_for(op)
    if recipe is None:
        pytest.skip(f"{op} is not an op of hal's op table")
    dtypes = recipe.dtypes(hal_device)
    if not dtypes:
        pytest.skip(f"{op}: no dtype of {hal_device} that the op takes")
    dtype = data.draw(st.sampled_from(dtypes), label="dtype")
    body = recipe.build(data.draw, dtype, hal_device)
    if not _compare.run_on(hal_reference, body, is_reference=True).ok:
        return  # inputs the op refuses: nothing runs anywhere
    with hal.trace() as t, _compare.quiet():
        _run_in(hal_device, body)
    events = [e for e in t.events if e.op == op and e.device == str(hal_device)]
    assert events, f"{op} ran no op called {op} on {hal_device}: {[e.op for e in t.events]}"
    assert all(e.fallback and e.how == "host fallback" for e in events), (
        f"{op} is declared a host op of {hal_device}, but ran as "
        f"{sorted({(e.how, e.kernel) for e in events})}")
    reasons = [r for r in t.resolutions if r.op == op]
    assert any("declares" in why and "host op" in why for r in reasons for why in r.reasons), \
        "hal.explain does not say the op is a declared host op:\n" + "\n".join(map(str, reasons))
    with hal.fallback_policy("error"):
        with pytest.raises(hal.HalNotImplementedError) as info:
            _run_in(hal_device, body)
    assert op in str(info.value)


def _run_in(device, body):
    with warnings.catch_warnings(), hal.default_device(device):
        warnings.simplefilter("ignore")
        return body(_compare.Namespace(device, False))
