"""Strided views folded into rows (hal/_layout.py, kernels/strided.h's row kernels):
the folding itself, and every row kernel against NumPy on the device under test
(slices, broadcasts, setitem into views), including the layouts that must fall back
to the general strided kernels."""

from __future__ import annotations

import numpy as np
import pytest

from hal.toolkit import rows_layout
from _strategies import to_numpy


def test_folds_contiguous_dimensions_and_drops_unit_extents():
    # a 2-D slice of a 1000-wide array: rows of 998 with stride 1, 998 of them
    assert rows_layout((998, 998), [(1000, 1), (1000, 1)]) == \
        (1, 998, 998, ((0, 1000, 1), (0, 1000, 1)))
    # the first two axes merge for both operands (b broadcast along them), not the last
    assert rows_layout((4, 5, 6), [(30, 6, 1), (0, 0, 1)]) == \
        (1, 20, 6, ((0, 6, 1), (0, 0, 1)))
    # a column broadcast along rows: step 0
    assert rows_layout((4, 5), [(5, 1), (1, 0)]) == (1, 4, 5, ((0, 5, 1), (0, 1, 0)))
    # unit extents are dropped; a single element is one row of one
    assert rows_layout((1, 3, 1), [(3, 1, 1)]) == (1, 1, 3, ((0, 0, 1),))
    assert rows_layout((1, 1), [(0, 0)]) == (1, 1, 1, ((0, 0, 1),))


def test_refuses_what_the_row_kernels_cannot_run():
    assert rows_layout((2, 3, 4, 5), [(120, 40, 10, 2)]) is None   # step 2 along rows
    assert rows_layout((7,), [(-1,)]) is None                      # reversed
    # four dimensions that do not merge
    assert rows_layout((2, 3, 4, 5), [(200, 60, 12, 1)]) is None


# (array shape, key, other operand's shape): every row variant (steps 11, 10, 01, a
# 3-D fold) and fallbacks (step 2, reversed, four dimensions)
CASES = [
    ((7, 9), (slice(1, None), slice(None, -2)), (6, 7)),
    ((4, 5, 6), (slice(None), slice(1, 4), slice(None)), (1, 3, 6)),
    ((5, 6), (slice(1, None), slice(None)), (4, 1)),
    ((6, 5), (slice(None), slice(None, 1)), (6, 5)),
    ((3, 4, 5, 6), (Ellipsis, slice(None, None, 2)), (3,)),
    ((8, 8), (slice(None, None, -1),), (8,)),
    ((2, 3, 4, 6), (slice(None), slice(None), slice(1, 3), slice(None, 5)), (5,)),
]


@pytest.mark.parametrize("shape, key, other", CASES)
def test_row_kernels_match_numpy(xp, device, shape, key, other):
    rng = np.random.default_rng(len(shape))
    a_np = rng.standard_normal(shape).astype(np.float32)
    b_np = rng.standard_normal(other).astype(np.float32)
    a = xp.asarray(a_np, device=device)[key]
    b = xp.asarray(b_np, device=device)
    view = a_np[key]
    np.testing.assert_array_equal(to_numpy(a + b), view + b_np)
    np.testing.assert_array_equal(to_numpy(b - a), b_np - view)
    np.testing.assert_array_equal(to_numpy(-a), -view)
    np.testing.assert_array_equal(to_numpy(xp.astype(a, xp.int32)), view.astype(np.int32))
    np.testing.assert_array_equal(to_numpy(a * 2.0), view * np.float32(2.0))


@pytest.mark.parametrize("shape, key, other", CASES)
def test_setitem_into_views_matches_numpy(xp, device, shape, key, other):
    target_np = np.zeros(shape, np.float32)
    target = xp.zeros(shape, dtype=xp.float32, device=device)
    value_np = np.arange(np.prod(other), dtype=np.float32).reshape(other)
    value = xp.asarray(value_np, device=device)
    if np.broadcast_shapes(target_np[key].shape, other) == target_np[key].shape:
        target[key] = value
        target_np[key] = value_np
    target[key] = target[key] * 3  # a view copied from a view of the same shape
    target_np[key] = target_np[key] * 3
    np.testing.assert_array_equal(to_numpy(target), target_np)
    target[key] = 1.5
    target_np[key] = 1.5
    np.testing.assert_array_equal(to_numpy(target), target_np)


def test_stencil_step_matches_numpy(xp, device):
    u_np = np.random.default_rng(3).standard_normal((33, 47)).astype(np.float32)
    u = xp.asarray(u_np, device=device)
    for arr, mod in ((u, xp), (u_np, np)):
        lap = (arr[:-2, 1:-1] + arr[2:, 1:-1] + arr[1:-1, :-2] + arr[1:-1, 2:]
               - 4 * arr[1:-1, 1:-1])
        arr[1:-1, 1:-1] = arr[1:-1, 1:-1] + mod.asarray(0.1, dtype=mod.float32) * lap
    np.testing.assert_array_equal(to_numpy(u), u_np)


def test_fused_stencils_over_views_match_numpy(xp, device):
    """The same row layouts inside fused kernels: hal.jit, and lazy mode (every size
    deferred here), against NumPy bit for bit."""
    import hal
    import hal._lazy as lazy_mod
    u_np = np.random.default_rng(4).standard_normal((40, 37)).astype(np.float32)
    col_np = u_np[:, :1].copy()
    want = (u_np[:-2, 1:-1] + u_np[2:, 1:-1] + u_np[1:-1, :-2] + u_np[1:-1, 2:]
            - np.float32(4) * u_np[1:-1, 1:-1])

    def lap(u):
        return u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:] - 4 * u[1:-1, 1:-1]

    def scaled(u, col):
        return u * col + 1
    u = xp.asarray(u_np, device=device)
    col = xp.asarray(col_np, device=device)
    saved, lazy_mod.MIN_SIZE = lazy_mod.MIN_SIZE, 0
    try:
        with hal.lazy():
            lazy = (to_numpy(lap(u)), to_numpy(scaled(u, col)))
    finally:
        lazy_mod.MIN_SIZE = saved
    jitted = (to_numpy(hal.jit(lap)(u)), to_numpy(hal.jit(scaled)(u, col)))
    for got in (lazy, jitted):
        np.testing.assert_array_equal(got[0], want)
        np.testing.assert_array_equal(got[1], u_np * col_np + np.float32(1))
