"""NumPy-style methods on ``hal.Array`` (``x.sum(axis=0)``, ``x.astype(d)``,
``x.squeeze()`` ...): what code written for ndarray-like chunks calls (Dask's
reductions and ``tensordot`` call them on every chunk, as they do on CuPy's arrays).

Each method is the NumPy function of the same name through hal's
``__array_function__`` adapters (hal/_numpy_protocols.py): hal's op on the array's
device, never a trip to the host.  An argument hal has no meaning for raises a
``HalTypeError`` naming the method.  The standard's functions (``hal.sum(x)``) stay
the portable spelling; these exist for NumPy-API code.
"""

from __future__ import annotations

__all__ = ["install_numpy_methods"]


def _method(np_name: str):
    def method(self, *args, **kwargs):
        import numpy as np

        from ._errors import HalTypeError
        from ._numpy_protocols import _FUNCTIONS
        result = _FUNCTIONS[getattr(np, np_name)](self, *args, **kwargs)
        if result is NotImplemented:
            raise HalTypeError(f"Array.{np_name}: hal has no op for these arguments "
                               f"({args}, {kwargs}) on {self.device}; use "
                               f"hal.{np_name} or the standard's functions")
        return result
    method.__name__ = method.__qualname__ = np_name
    method.__doc__ = f"``np.{np_name}(x, ...)`` on x's device (NumPy-style method)."
    return method


class NumPyMethods:
    """The methods ``install_numpy_methods`` copies onto ``hal.Array`` (copied, not
    inherited: Array's bases stay its C base alone)."""

    #: NumPy's operator priority (Dask's tensordot picks the chunk type by it)
    __array_priority__ = 0.0

    sum = _method("sum")
    prod = _method("prod")
    max = _method("max")
    min = _method("min")
    mean = _method("mean")
    var = _method("var")
    std = _method("std")
    any = _method("any")
    all = _method("all")
    argmax = _method("argmax")
    argmin = _method("argmin")
    cumsum = _method("cumsum")
    cumprod = _method("cumprod")
    squeeze = _method("squeeze")
    ravel = _method("ravel")
    transpose = _method("transpose")
    copy = _method("copy")
    astype = _method("astype")

    def reshape(self, *shape, order="C"):
        """``x.reshape(2, 3)`` or ``x.reshape((2, 3))``, on x's device."""
        from ._manipulation import reshape
        if order != "C":
            from ._errors import HalTypeError
            raise HalTypeError(f"Array.reshape: order={order!r} is not supported; hal "
                               f"arrays reshape in C order")
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = tuple(shape[0])
        return reshape(self, shape)

    def flatten(self):
        """A 1-D copy, on x's device."""
        from ._creation import asarray
        from ._manipulation import reshape
        return reshape(asarray(self, copy=True), (-1,))

    def dot(self, other):
        """``x.dot(y)`` (1-D or 2-D): ``x @ y`` on x's device."""
        return self @ other

    def conj(self):
        from ._elementwise import conj
        return conj(self)

    def item(self):
        """The one element as a Python scalar (copied to the host, as ``float(x)``)."""
        if self.size != 1:
            from ._errors import HalValueError
            raise HalValueError(f"Array.item: only arrays of one element convert, this "
                                f"one has shape {self.shape}")
        return self._p.device.runtime.to_host(self._native).item()


def install_numpy_methods(cls) -> None:
    for name, value in vars(NumPyMethods).items():
        if not name.startswith("__") or name == "__array_priority__":
            setattr(cls, name, value)
