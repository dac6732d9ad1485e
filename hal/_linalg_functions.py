"""Linear algebra: the main namespace's four functions and the ``linalg`` extension."""

from __future__ import annotations

from typing import NamedTuple

from . import _dtypes
from ._array import Array, call_placed
from ._dispatch import call, common_device, op
from ._errors import HalValueError
from ._helpers import as_array, as_axis, as_int, as_ints, dtype_arg, require_kind
from ._manipulation import astype

__all__ = ["matmul", "matrix_transpose", "tensordot", "vecdot",
           "EigResult", "EighResult", "QRResult", "SlogdetResult", "SVDResult"]


class EigResult(NamedTuple):
    eigenvalues: Array
    eigenvectors: Array


class EighResult(NamedTuple):
    eigenvalues: Array
    eigenvectors: Array


class QRResult(NamedTuple):
    Q: Array
    R: Array


class SlogdetResult(NamedTuple):
    sign: Array
    logabsdet: Array


class SVDResult(NamedTuple):
    U: Array
    S: Array
    Vh: Array


_MATMUL, _VECDOT = op("matmul"), op("vecdot")


def _pair(op, x1, x2, kinds="iufc"):
    if x1.__class__ is Array and x2.__class__ is Array:
        p = x1._p
        if x2._p is p and p.dtype.kind in kinds:  # one dtype, one device: nothing to do
            return x1, x2, p.device, p.dtype
    x1, x2 = as_array(x1, op), as_array(x2, op)
    device = common_device(op, [x1, x2])
    require_kind(x1, kinds, op, "a numeric dtype")
    require_kind(x2, kinds, op, "a numeric dtype")
    dtype = _dtypes.promote(x1._p.dtype, x2._p.dtype, op)
    return astype(x1, dtype, copy=False), astype(x2, dtype, copy=False), device, dtype


def matmul(x1, x2, /) -> Array:
    if x1.__class__ is Array and x2.__class__ is Array:
        # the common case in a few comparisons: one placement, shapes that align;
        # anything else takes _matmul's checks (and its errors)
        p = x1._p
        if x2._p is p and p.dtype.kind in "iufc":
            s1, s2 = x1._native.shape, x2._native.shape
            if len(s1) and len(s2) and s1[-1] == (s2[0] if len(s2) == 1 else s2[-2]):
                return call_placed(_MATMUL, p, x1._native, x2._native)
    return _matmul("matmul", x1, x2)


def _matmul(op, x1, x2):
    x1, x2, device, dtype = _pair(op, x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        raise HalValueError(f"{op}: 0-D arrays are not allowed; use multiply")
    k1 = x1.shape[-1]
    k2 = x2.shape[0] if x2.ndim == 1 else x2.shape[-2]
    if k1 != k2:
        raise HalValueError(f"{op}: shapes {x1.shape} and {x2.shape} are not aligned "
                            f"({k1} != {k2})")
    if op == "matmul":  # (linalg.matmul is an op of its own)
        return call_placed(_MATMUL, x1._p, x1._native, x2._native)
    return call(op, device, (dtype,), x1._native, x2._native)




def _matmul_method(self, other, /):
    # a method of its own, not ``matmul`` itself: the standard's signature is
    # ``__matmul__(self, other, /)`` (test_api_2025_12 checks every method's)
    return matmul(self, other)


Array.__matmul__ = _matmul_method
Array.__rmatmul__ = lambda self, other: matmul(other, self)


def _imatmul(self, other):
    from ._elementwise import _assign_inplace
    _assign_inplace(self, matmul(self, other), "matmul")
    return self


Array.__imatmul__ = _imatmul


def matrix_transpose(x, /) -> Array:
    return _matrix_transpose("matrix_transpose", x)


def _matrix_transpose(op, x):
    x = as_array(x, op)
    if x.ndim < 2:
        raise HalValueError(f"{op}: needs at least 2 dimensions, got {x.ndim}")
    return call(op, x._p.device, (x._p.dtype,), x._native)


def tensordot(x1, x2, /, *, axes=2) -> Array:
    return _tensordot("tensordot", x1, x2, axes)


def _tensordot(op, x1, x2, axes):
    x1, x2, device, dtype = _pair(op, x1, x2)
    if not isinstance(axes, (tuple, list)):
        axes = as_int(axes, op, "axes (an int or a pair of sequences of axes)")
        if axes < 0:
            raise HalValueError(f"{op}: axes must be non-negative, got {axes}")
    else:
        if len(axes) != 2:
            raise HalValueError(f"{op}: axes must be an int or a pair of sequences of "
                                f"axes, got {axes!r}")
        axes = (as_ints(axes[0], op, "axes[0]"), as_ints(axes[1], op, "axes[1]"))
        if len(axes[0]) != len(axes[1]):
            raise HalValueError(f"{op}: axes {axes} pair {len(axes[0])} axes of x1 with "
                                f"{len(axes[1])} of x2")
        axes = (tuple(as_axis(a, x1.ndim, op) for a in axes[0]),
                tuple(as_axis(a, x2.ndim, op) for a in axes[1]))
    return call(op, device, (dtype,), x1._native, x2._native, axes=axes)


def vecdot(x1, x2, /, *, axis=-1) -> Array:
    if axis.__class__ is int and axis == -1 and x1.__class__ is Array and \
            x2.__class__ is Array:
        # the common case, as in matmul: one placement, last axes of one length
        p = x1._p
        if x2._p is p and p.dtype.kind in "iufc":
            s1, s2 = x1._native.shape, x2._native.shape
            if len(s1) and len(s2) and s1[-1] == s2[-1]:
                return call_placed(_VECDOT, p, x1._native, x2._native, axis=-1)
    return _vecdot("vecdot", x1, x2, axis)


def _vecdot(op, x1, x2, axis):
    x1, x2, device, dtype = _pair(op, x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        raise HalValueError(f"{op}: 0-D arrays are not allowed")
    if x1.shape[as_axis(axis, x1.ndim, op)] != x2.shape[as_axis(axis, x2.ndim, op)]:
        raise HalValueError(f"{op}: x1 {x1.shape} and x2 {x2.shape} differ along axis "
                            f"{axis}")
    if op == "vecdot":  # (linalg.vecdot is an op of its own)
        return call_placed(_VECDOT, x1._p, x1._native, x2._native, axis=axis)
    return call(op, device, (dtype,), x1._native, x2._native, axis=axis)


# -- the linalg extension ---------------------------------------------------------------

def _float_matrix(op, x, min_ndim=2, square=True):
    x = as_array(x, op)
    require_kind(x, "iufc", op, "a floating dtype")
    if x._p.dtype.kind in "iu":
        x = astype(x, x._p.device.default_float)
    if x.ndim < min_ndim:
        raise HalValueError(f"linalg.{op}: needs at least {min_ndim} dimensions, got "
                            f"{x.ndim}")
    if square and min_ndim >= 2 and x.shape[-1] != x.shape[-2]:
        raise HalValueError(f"linalg.{op}: needs square matrices, got shape {x.shape}")
    return x


def _one(op, x, **kwargs):
    return call(f"linalg.{op}", x._p.device, (x._p.dtype,), x._native, **kwargs)


def cholesky(x, /, *, upper=False) -> Array:
    return _one("cholesky", _float_matrix("cholesky", x), upper=upper)


def cross(x1, x2, /, *, axis=-1) -> Array:
    x1, x2, device, dtype = _pair("linalg.cross", x1, x2)
    # The standard (since 2022.12) broadcasts the non-compute axes, so the ranks may
    # differ: (4, 3) x (3,) is four cross products.
    if x1.shape[as_axis(axis, x1.ndim, "linalg.cross")] != 3 or \
            x2.shape[as_axis(axis, x2.ndim, "linalg.cross")] != 3:
        raise HalValueError(f"linalg.cross: axis {axis} must have size 3 in both inputs")
    return call("linalg.cross", device, (dtype,), x1._native, x2._native, axis=axis)


def det(x, /) -> Array:
    return _one("det", _float_matrix("det", x))


def diagonal(x, /, *, offset=0) -> Array:
    x = as_array(x, "linalg.diagonal")
    if x.ndim < 2:
        raise HalValueError(f"linalg.diagonal: needs at least 2 dimensions, got {x.ndim}")
    return _one("diagonal", x, offset=offset)


def _general_matrix(op, x):
    # eig/eigvals (2025.12) always answer in the complex dtype of x's precision; there
    # is no complex32, so float16 computes in float32 (complex64), like integers in
    # the device's default float
    x = _float_matrix(op, x)
    if x._p.dtype is _dtypes.float16:
        x = astype(x, _dtypes.float32)
    return x


def eig(x, /) -> EigResult:
    """Eigenvalues and right eigenvectors of general square matrices (complex results)."""
    return EigResult(*_one("eig", _general_matrix("eig", x)))


def eigvals(x, /) -> Array:
    """Eigenvalues of general square matrices (complex results)."""
    return _one("eigvals", _general_matrix("eigvals", x))


def eigh(x, /) -> EighResult:
    return EighResult(*_one("eigh", _float_matrix("eigh", x)))


def eigvalsh(x, /) -> Array:
    return _one("eigvalsh", _float_matrix("eigvalsh", x))


def inv(x, /) -> Array:
    return _one("inv", _float_matrix("inv", x))


def linalg_matmul(x1, x2, /) -> Array:
    return _matmul("linalg.matmul", x1, x2)


def matrix_norm(x, /, *, keepdims=False, ord="fro") -> Array:
    x = _float_matrix("matrix_norm", x, square=False)
    return _one("matrix_norm", x, keepdims=keepdims, ord=ord)


def matrix_power(x, n, /) -> Array:
    x = as_array(x, "linalg.matrix_power")
    n = as_int(n, "linalg.matrix_power", "n")
    if n < 0:
        x = _float_matrix("matrix_power", x)
    elif x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise HalValueError(f"linalg.matrix_power: needs square matrices, got {x.shape}")
    return _one("matrix_power", x, n=n)


def matrix_rank(x, /, *, rtol=None) -> Array:
    x = _float_matrix("matrix_rank", x, square=False)
    if rtol.__class__ is Array:
        rtol = rtol._native
    return _one("matrix_rank", x, rtol=rtol)


def linalg_matrix_transpose(x, /) -> Array:
    return _matrix_transpose("linalg.matrix_transpose", x)


def outer(x1, x2, /) -> Array:
    x1, x2, device, dtype = _pair("linalg.outer", x1, x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise HalValueError(f"linalg.outer: needs 1-D arrays, got {x1.ndim}-D and "
                            f"{x2.ndim}-D")
    return call("linalg.outer", device, (dtype,), x1._native, x2._native)


def pinv(x, /, *, rtol=None) -> Array:
    x = _float_matrix("pinv", x, square=False)
    if rtol.__class__ is Array:
        rtol = rtol._native
    return _one("pinv", x, rtol=rtol)


def qr(x, /, *, mode="reduced") -> QRResult:
    if not isinstance(mode, str) or mode not in ("reduced", "complete"):
        raise HalValueError(f"linalg.qr: mode must be 'reduced' or 'complete', got {mode!r}")
    return QRResult(*_one("qr", _float_matrix("qr", x, square=False), mode=mode))


def slogdet(x, /) -> SlogdetResult:
    return SlogdetResult(*_one("slogdet", _float_matrix("slogdet", x)))


def solve(x1, x2, /) -> Array:
    x1 = _float_matrix("solve", x1)
    x2 = as_array(x2, "linalg.solve")
    x1, x2, device, dtype = _pair("linalg.solve", x1, x2)
    return call("linalg.solve", device, (dtype,), x1._native, x2._native)


def svd(x, /, *, full_matrices=True) -> SVDResult:
    return SVDResult(*_one("svd", _float_matrix("svd", x, square=False),
                           full_matrices=full_matrices))


def svdvals(x, /) -> Array:
    return _one("svdvals", _float_matrix("svdvals", x, square=False))


def linalg_tensordot(x1, x2, /, *, axes=2) -> Array:
    return _tensordot("linalg.tensordot", x1, x2, axes)


def trace(x, /, *, offset=0, dtype=None) -> Array:
    x = as_array(x, "linalg.trace")
    require_kind(x, "iufc", "linalg.trace", "a numeric dtype")
    if x.ndim < 2:
        raise HalValueError(f"linalg.trace: needs at least 2 dimensions, got {x.ndim}")
    if dtype is None:
        from ._statistics import _accumulation_dtype
        dtype = _accumulation_dtype(x, None, "linalg.trace")
    return _one("trace", x, offset=offset, dtype=dtype_arg(dtype, "linalg.trace"))


def linalg_vecdot(x1, x2, /, *, axis=-1) -> Array:
    return _vecdot("linalg.vecdot", x1, x2, axis)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2) -> Array:
    x = _float_matrix("vector_norm", x, min_ndim=0, square=False)
    if isinstance(axis, list):
        axis = tuple(axis)
    return _one("vector_norm", x, axis=axis, keepdims=keepdims, ord=ord)
