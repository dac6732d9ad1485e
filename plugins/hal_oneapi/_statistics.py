"""``mean`` on oneAPI devices: dpnp's sum, then hal's division kernel.

dpnp 0.20's ``mean`` is its ``_sum_over_axis`` followed by an in-place
``_divide_by_scalar`` by the element count, with the order manager's bookkeeping
around both: 80-130 us on 10^4 float32 where ``dpnp.sum`` takes ~22 us.  The same sum
and hal's ``divide`` by the count (~12 us) give its bits: the sum is the same kernel
on the same data, and a quotient by an integer is rounded once whether it is computed
in the dtype or in double and then rounded (double rounding through a format of at
least 2p+2 bits is innocuous for division), provided the count is exact in the dtype
(at most 2^24 in float32).  ``tests/test_oneapi_kernels.py`` compares the bits.
"""

from __future__ import annotations

from hal.toolkit import OPS

from . import _setup
from ._launch import HOT_AFTER, Tiered
from ._portable_ops import binary_loop

dpnp = _setup.dpnp()

#: the largest element count exact in each dtype
_EXACT_COUNT = {"float32": 1 << 24, "float64": 1 << 53}


def _mean_kernel(device, dtype):
    divide = binary_loop(device, OPS["divide"], dtype)
    limit = _EXACT_COUNT[dtype.name]

    def run(x, *, axis=None, keepdims=False):
        total = dpnp.sum(x, axis=axis, keepdims=keepdims)
        if not total.size:
            return total
        count = x.size // total.size
        if count > limit:
            return dpnp.mean(x, axis=axis, keepdims=keepdims)
        return divide(total, float(count))
    return run


def mean_factory(device, dtypes):
    (dtype,) = dtypes
    if dtype.name not in _EXACT_COUNT:
        return dpnp.mean
    return Tiered((device.index, "mean", dtype), lambda: _mean_kernel(device, dtype),
                  dpnp.mean, HOT_AFTER)


def register(registry) -> None:
    registry.register("mean", mean_factory, factory=True, priority=10,
                      dtypes=tuple(_EXACT_COUNT), requires={"raw_kernels"},
                      name="dpnp.sum, then hal.kernels.binary[divide] (mean)")
