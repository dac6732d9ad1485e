"""Decompositions written once in the core, in terms of other hal ops.

A device without a native kernel for one of these ops runs the decomposition (each of
its steps dispatched to the device's own kernels) before the fallback policy is
consulted.  Each takes and returns ``hal.Array`` objects with the op's kernel
signature (see ``_registry``).
"""

from __future__ import annotations

from ._registry import decomposition


@decomposition("logaddexp")
def logaddexp(x1, x2):
    import math

    import hal
    big = hal.maximum(x1, x2)
    # equal arguments (equal infinities included, where x1 - x2 is NaN): big + log 2
    return hal.where(x1 == x2, big + math.log(2.0),
                     big + hal.log1p(hal.exp(-hal.abs(x1 - x2))))


@decomposition("hypot")
def hypot(x1, x2):
    import math

    import hal

    # an elementwise kernel may be given one Python scalar in place of an array
    def magnitude(v):
        return hal.abs(v) if isinstance(v, hal.Array) else abs(v)

    def infinite(v):
        return hal.isinf(v) if isinstance(v, hal.Array) else math.isinf(v)

    a, b = magnitude(x1), magnitude(x2)
    big, small = hal.maximum(a, b), hal.minimum(a, b)
    # scaled, so that neither x1 * x1 nor x2 * x2 overflows or underflows
    ratio = hal.where(big == 0, 0.0, small / big)
    result = big * hal.sqrt(1.0 + ratio * ratio)
    # an infinite argument gives +inf even when the other one is NaN
    return hal.where(infinite(a) | infinite(b), float("inf"), result)


@decomposition("square")
def square(x):
    return x * x


@decomposition("reciprocal")
def reciprocal(x):
    return 1.0 / x


@decomposition("vecdot")
def vecdot(x1, x2, *, axis=-1):
    import hal
    product = (hal.conj(x1) if x1.dtype.kind == "c" else x1) * x2
    # the product's dtype, not sum's default accumulation dtype (int8 stays int8)
    return hal.sum(product, axis=axis, dtype=product.dtype)


@decomposition("linalg.vecdot")
def linalg_vecdot(x1, x2, *, axis=-1):
    return vecdot(x1, x2, axis=axis)


@decomposition("linalg.outer")
def outer(x1, x2):
    import hal
    return hal.reshape(x1, (-1, 1)) * hal.reshape(x2, (1, -1))


@decomposition("linalg.trace")
def trace(x, *, offset=0, dtype=None):
    import hal
    return hal.sum(hal.linalg.diagonal(x, offset=offset), axis=-1, dtype=dtype)


@decomposition("mean")
def mean(x, *, axis=None, keepdims=False):
    import hal
    total = hal.sum(x, axis=axis, keepdims=keepdims)
    count = x.size // max(total.size, 1) if x.size else 0
    return total / count if count else total * float("nan")


@decomposition("linalg.vector_norm")
def vector_norm(x, *, axis=None, keepdims=False, ord=2):
    import hal
    a = hal.abs(x)
    if ord == 2:
        return hal.sqrt(hal.sum(a * a, axis=axis, keepdims=keepdims))
    if ord == 1:
        return hal.sum(a, axis=axis, keepdims=keepdims)
    if ord == float("inf"):
        return hal.max(a, axis=axis, keepdims=keepdims)
    if ord == -float("inf"):
        return hal.min(a, axis=axis, keepdims=keepdims)
    if ord == 0:
        return hal.sum(hal.astype(a != 0, a.dtype), axis=axis, keepdims=keepdims)
    return hal.sum(a ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


@decomposition("matrix_transpose")
def matrix_transpose(x):
    import hal
    axes = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return hal.permute_dims(x, axes)


@decomposition("linalg.matrix_transpose")
def linalg_matrix_transpose(x):
    return matrix_transpose(x)


@decomposition("count_nonzero")
def count_nonzero(x, *, axis=None, keepdims=False):
    import hal
    return hal.sum(hal.astype(x != 0, x.device.default_int), axis=axis, keepdims=keepdims)
