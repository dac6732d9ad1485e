"""Wrong-typed and out-of-range arguments give hal errors naming the op (regressions of
the API fuzzer, tests/reliability/test_fuzz.py), on the device under test."""

from __future__ import annotations

import numpy as np
import pytest

import hal


@pytest.fixture
def x(xp, device):
    return xp.ones((2, 3), dtype=xp.float32, device=device)


@pytest.mark.parametrize("call, error, words", [
    (lambda xp, x: xp.concat(0), hal.HalTypeError, "concat: expected a list or tuple"),
    (lambda xp, x: xp.stack(x), hal.HalTypeError, "stack: expected a list or tuple"),
    (lambda xp, x: xp.permute_dims(x, 3), hal.HalTypeError, "permute_dims: axes"),
    (lambda xp, x: xp.repeat(x, [1, "a"]), hal.HalTypeError, "repeat: repeats"),
    (lambda xp, x: xp.reshape(x, (2.0,)), hal.HalTypeError, "reshape: shape"),
    (lambda xp, x: xp.squeeze(x[0, 0], 0), hal.HalValueError, "squeeze: axis 0"),
    (lambda xp, x: xp.tile(x, 2), hal.HalTypeError, "tile: repetitions"),
    (lambda xp, x: xp.fft.fftn(xp.astype(x, xp.complex64), s=0), hal.HalTypeError,
     "fft.fftn: s"),
    (lambda xp, x: xp.fft.ifftn(xp.astype(x, xp.complex64), axes=1.5), hal.HalTypeError,
     "fft.ifftn: axes"),
    (lambda xp, x: xp.linalg.matrix_power(x[:2, :2], [1, "a"]), hal.HalTypeError,
     "linalg.matrix_power: n"),
    (lambda xp, x: xp.explain(None), hal.HalTypeError, "explain: op"),
    (lambda xp, x: xp.explain("nope"), hal.HalValueError, "no function 'nope'"),
    (lambda xp, x: xp.explain("add"), hal.HalTypeError, "hal.add cannot take"),
    (lambda xp, x: xp.diff(x, n={}), hal.HalTypeError, "diff: n must be an int"),
    (lambda xp, x: xp.clip(x, max=1j), hal.HalTypeError, "clip: max must be a real"),
    (lambda xp, x: xp.tensordot(x, x, axes=()), hal.HalValueError, "tensordot: axes"),
    (lambda xp, x: xp.tensordot(x, x, axes=((0,), (0, 1))), hal.HalValueError,
     "tensordot: axes"),
    (lambda xp, x: xp.tensordot(x, x, axes="a"), hal.HalTypeError, "tensordot: axes"),
    # a NumPy array compared with the allowed strings is elementwise, not a bool
    (lambda xp, x: xp.fft.fft(x, norm=np.zeros(3)), hal.HalValueError, "fft.fft: norm"),
    (lambda xp, x: xp.searchsorted(x[0], x[0], side=np.zeros(2)), hal.HalValueError,
     "searchsorted: side"),
    (lambda xp, x: xp.linalg.qr(x, mode=np.zeros(2)), hal.HalValueError, "linalg.qr: mode"),
    (lambda xp, x: xp.meshgrid(x[0], indexing=np.zeros(2)), hal.HalValueError,
     "meshgrid: indexing"),
    (lambda xp, x: xp.set_fallback_policy(np.zeros(2)), hal.HalValueError,
     "set_fallback_policy"),
])
def test_bad_arguments_give_hal_errors(xp, x, call, error, words):
    with pytest.raises(error, match=words):
        call(xp, x)


def test_validated_arguments_still_work(xp, x):
    assert xp.concat((x, x)).shape == (4, 3)
    assert xp.permute_dims(x, [1, 0]).shape == (3, 2)
    assert xp.reshape(x, [3, 2]).shape == (3, 2)
    assert xp.tile(x, [2, 1]).shape == (4, 3)
    assert xp.explain("add", x, 1).kernel
    assert xp.tensordot(x, x, axes=([-1], [1])).shape == (2, 2)
    with xp.fallback_policy("allow"):  # some devices run these on the host
        assert xp.linalg.matrix_power(x[:2, :2], 2).shape == (2, 2)
        assert xp.fft.fftn(xp.astype(x, xp.complex64), s=[2, 2]).shape == (2, 2)


def test_diff_with_a_huge_n_is_empty_at_once(xp, device):
    # NumPy loops n times: n=2**62 hung
    x = xp.asarray([1.0, 2.0, 4.0], device=device)
    with xp.fallback_policy("allow"):  # some devices run diff on the host
        assert xp.diff(x, n=2**62).shape == (0,)
        assert xp.diff(x, n=5, prepend=x).shape == (1,)
