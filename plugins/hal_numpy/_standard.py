"""Where NumPy's special values differ from the Array API standard: hal follows the
standard (README: "Where hal follows the standard, not NumPy").

Each function runs NumPy's ufunc and repairs only the elements the standard answers
differently, after one cheap check that finds none in ordinary data.
"""

from __future__ import annotations

import numpy as np

_isfinite = np.isfinite
_isinf = np.isinf


def floor_divide(x1, x2):
    """Real floating ``x1 // x2``.  With an infinite operand the standard's answer is
    ``x1 / x2``'s (``inf // 1`` is +inf, ``1 // -inf`` is -0, ``inf // inf`` NaN),
    where NumPy pairs ``//`` with ``%`` (NaN, -1)."""
    q = np.floor_divide(x1, x2)
    infinite = _isinf(x1) | _isinf(x2)
    if not infinite.any():
        return q
    with np.errstate(all="ignore"):   # NumPy's own call above warned already
        out = np.where(infinite, np.true_divide(x1, x2), q)
    return out.astype(q.dtype, copy=False) if out.ndim else out[()].astype(q.dtype)


def expm1(z):
    """Complex ``expm1``: the standard's special cases at infinities and NaNs (those of
    ``cexp(z) - 1``) and no ``inf * 0`` when exp overflows on the real axis."""
    with np.errstate(all="ignore"):   # (NumPy's warnings are about its own answers)
        r = np.expm1(z)
        a, b = np.real(z), np.imag(z)
        fin_a, fin_b = _isfinite(a), _isfinite(b)
        bad = ~(fin_a & fin_b) | ~_isfinite(r) | ((a == 0) & (b == 0))
        if not bad.any():
            return r
        re, im = np.real(r).copy(), np.imag(r).copy()
        nan = np.nan
        on_axis = fin_a & (b == 0)            # expm1(a) + b j, exactly (+0 for a = -0:
        re = np.where(on_axis, np.expm1(a) + 0.0, re)   # cexp(-0 + 0j) - 1 is 1 - 1)
        im = np.where(on_axis, b, im)
        ninf = a == -np.inf                   # +0 cis(b) - 1; -1 + 0j for b inf/NaN
        re = np.where(ninf, np.where(fin_b, 0 * np.cos(b) - 1, -1), re)
        im = np.where(ninf, np.where(fin_b, 0 * np.sin(b), 0), im)
        pinf = a == np.inf                    # +inf + 0j; +inf cis(b) - 1; inf + NaN j
        re = np.where(pinf, np.where(fin_b & (b != 0), a * np.cos(b) - 1, a), re)
        im = np.where(pinf, np.where(b == 0, b, np.where(fin_b, a * np.sin(b), nan)), im)
        nan_a = np.isnan(a)                   # NaN + 0j for b == 0, else NaN + NaN j
        re = np.where(nan_a, nan, re)
        im = np.where(nan_a, np.where(b == 0, b, nan), im)
        lost = fin_a & ~fin_b                 # finite a, b infinite or NaN: NaN + NaN j
        re = np.where(lost, nan, re)
        im = np.where(lost, nan, im)
    out = np.empty(np.shape(r), dtype=r.dtype)
    out.real = re
    out.imag = im
    return out if out.ndim else out[()]


def tanh(z):
    """Complex ``tanh``: at ``a = +-infinity`` and finite ``b`` the standard gives
    ``+-1 + 0j`` with the sign of ``b`` (``tanh(conj(z)) == conj(tanh(z))``); NumPy
    gives the sign of ``sin(2b)``."""
    with np.errstate(invalid="ignore"):
        r = np.tanh(z)
    a, b = np.real(z), np.imag(z)
    fix = _isinf(a) & _isfinite(b)
    if not fix.any():
        return r
    out = np.array(r, copy=True)
    out.imag = np.where(fix, np.copysign(0, b), np.imag(r))
    return out if out.ndim else out[()]


def tan(z):
    """Complex ``tan``, which the standard defines as ``-1j * tanh(1j * z)``."""
    iz = np.empty(np.shape(z), dtype=np.result_type(z))   # 1j * z, without inf * 0
    iz.real = -np.imag(z)
    iz.imag = np.real(z)
    with np.errstate(invalid="ignore"):   # (NumPy's warnings are about its own answers)
        t = tanh(iz)
    out = np.empty(np.shape(t), dtype=np.result_type(t))
    out.real = np.imag(t)
    out.imag = -np.real(t)
    return out if out.ndim else out[()]


def nextafter(x1, x2):
    """float16 ``nextafter``: for equal operands the standard gives ``x2`` (so
    ``nextafter(-0, +0)`` is +0), as NumPy does for float32 and float64 but not for
    its own float16 loop."""
    r = np.nextafter(x1, x2)
    equal = np.equal(x1, x2)
    if not np.any(equal):
        return r
    out = np.where(equal, x2, r).astype(r.dtype, copy=False)
    return out if out.ndim else out[()]
