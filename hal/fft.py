"""The Array API standard's ``fft`` extension (``hal.fft``)."""

from __future__ import annotations

from . import _dtypes
from ._array import Array
from ._devices import as_device
from ._dispatch import call, dtype_error
from ._errors import HalTypeError, HalValueError
from ._helpers import as_array, as_ints, require_kind
from ._manipulation import astype

__all__ = ["fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft",
           "ihfft", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_NORMS = ("backward", "ortho", "forward")


def _prepared(op, x, want_complex):
    x = as_array(x, f"fft.{op}")
    require_kind(x, "iufc", f"fft.{op}", "a floating dtype")
    dtype = x._p.dtype
    if dtype.kind in "iu":
        dtype = x._p.device.default_float
    if want_complex and dtype.kind == "f":
        dtype = _dtypes.complex_of(dtype)
    elif not want_complex and dtype.kind == "c":
        # a wrong dtype is a TypeError (the HalError family's rule), not a bad value
        raise HalTypeError(f"fft.{op}: needs a real floating input, got {dtype}; take "
                           f"real(x) first")
    if dtype not in x._p.device.dtypes:
        raise dtype_error(f"fft.{op}", x._p.device, dtype)
    return astype(x, dtype, copy=False)


def _run(op, x, norm, **kwargs):
    if not isinstance(norm, str) or norm not in _NORMS:  # (an array's == is elementwise)
        raise HalValueError(f"fft.{op}: norm must be one of {_NORMS}, got {norm!r}")
    return call(f"fft.{op}", x._p.device, (x._p.dtype,), x._native, norm=norm, **kwargs)


def _nd_axes(op, s, axes):
    """``s`` and ``axes`` checked (tuples of ints), as keyword arguments of the kernel.

    The standard: with ``s`` and no ``axes``, transform the last ``len(s)`` axes.
    Spelled out, because NumPy 2 deprecates inferring them."""
    if s is not None:
        s = as_ints(s, f"fft.{op}", "s")
    if axes is not None:
        axes = as_ints(axes, f"fft.{op}", "axes")
    if s is not None and axes is None:
        axes = tuple(range(-len(s), 0))
    return {"s": s, "axes": axes}


def fft(x, /, *, n=None, axis=-1, norm="backward") -> Array:
    return _run("fft", _prepared("fft", x, True), norm, n=n, axis=axis)


def ifft(x, /, *, n=None, axis=-1, norm="backward") -> Array:
    return _run("ifft", _prepared("ifft", x, True), norm, n=n, axis=axis)


def fftn(x, /, *, s=None, axes=None, norm="backward") -> Array:
    return _run("fftn", _prepared("fftn", x, True), norm,
                **_nd_axes("fftn", s, axes))


def ifftn(x, /, *, s=None, axes=None, norm="backward") -> Array:
    return _run("ifftn", _prepared("ifftn", x, True), norm,
                **_nd_axes("ifftn", s, axes))


def rfft(x, /, *, n=None, axis=-1, norm="backward") -> Array:
    return _run("rfft", _prepared("rfft", x, False), norm, n=n, axis=axis)


def irfft(x, /, *, n=None, axis=-1, norm="backward") -> Array:
    return _run("irfft", _prepared("irfft", x, True), norm, n=n, axis=axis)


def rfftn(x, /, *, s=None, axes=None, norm="backward") -> Array:
    return _run("rfftn", _prepared("rfftn", x, False), norm,
                **_nd_axes("rfftn", s, axes))


def irfftn(x, /, *, s=None, axes=None, norm="backward") -> Array:
    return _run("irfftn", _prepared("irfftn", x, True), norm,
                **_nd_axes("irfftn", s, axes))


def hfft(x, /, *, n=None, axis=-1, norm="backward") -> Array:
    return _run("hfft", _prepared("hfft", x, True), norm, n=n, axis=axis)


def ihfft(x, /, *, n=None, axis=-1, norm="backward") -> Array:
    return _run("ihfft", _prepared("ihfft", x, False), norm, n=n, axis=axis)


def _freq(op, n, d, dtype, device):
    device = as_device(device, f"fft.{op}")
    dtype = device.default_float if dtype is None else _dtypes.as_dtype(dtype, op)
    if dtype.kind != "f":
        raise HalTypeError(f"fft.{op}: dtype must be real floating, got {dtype}")
    if not isinstance(n, int) or n <= 0:
        raise HalValueError(f"fft.{op}: n must be a positive int, got {n!r}")
    return call(f"fft.{op}", device, (dtype,), n, d=d, dtype=dtype, device=device.index)


def fftfreq(n, /, *, d=1.0, dtype=None, device=None) -> Array:
    return _freq("fftfreq", n, d, dtype, device)


def rfftfreq(n, /, *, d=1.0, dtype=None, device=None) -> Array:
    return _freq("rfftfreq", n, d, dtype, device)


def fftshift(x, /, *, axes=None) -> Array:
    x = as_array(x, "fft.fftshift")
    return call("fft.fftshift", x._p.device, (x._p.dtype,), x._native, axes=axes)


def ifftshift(x, /, *, axes=None) -> Array:
    x = as_array(x, "fft.ifftshift")
    return call("fft.ifftshift", x._p.device, (x._p.dtype,), x._native, axes=axes)
