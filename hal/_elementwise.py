"""Elementwise functions and the Array's operators, generated from the op table.

The generated function is the hot path: a cache lookup keyed by the operands'
placements (or a Python scalar's type), one kernel call, one new Array.  Everything
else — dtype checks, promotion, casts, kernel choice — happens in ``_resolve_*`` once
per key.
"""

from __future__ import annotations

import builtins
from typing import Callable

import functools
import inspect

from . import _casting, _dtypes
from ._array import Array, Placement, _speedups, new_array
from ._dispatch import Op, dtype_error, op, resolve
from ._errors import HalDeviceError, HalOverflowError, HalTypeError, HalValueError, translate
from ._optable import OPS as OPS_BY_NAME
from ._optable import (ANY, BINARY, BOOL, FLOATING, INTEGER, INTEGER_OR_BOOL, NUMERIC,
                       REAL, REAL_FLOATING, REAL_OR_BOOL, TO_BOOL, TO_REAL, UNARY, OpSpec)

__all__ = [s.name for s in UNARY + BINARY]

_PY_SCALARS = (builtins.bool, int, float, complex)

# which dtype kinds each input category accepts
_ACCEPTS: dict[str, str] = {
    NUMERIC: "iufc", REAL: "iuf", FLOATING: "iufc", REAL_FLOATING: "iuf",
    INTEGER: "iu", INTEGER_OR_BOOL: "biu", BOOL: "b", ANY: "biufc", REAL_OR_BOOL: "biuf",
}
_CATEGORY = {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}
_WHAT = {
    NUMERIC: "a numeric dtype", REAL: "a real numeric dtype",
    FLOATING: "a numeric dtype (integers compute in the default floating dtype)",
    REAL_FLOATING: "a real numeric dtype", INTEGER: "an integer dtype",
    INTEGER_OR_BOOL: "an integer or bool dtype", BOOL: "bool",
    REAL_OR_BOOL: "a real numeric or bool dtype", ANY: "any dtype",
}


def _check_kind(spec: OpSpec, dtype: _dtypes.DType, device) -> None:
    if dtype.kind not in _ACCEPTS[spec.accepts]:
        raise HalTypeError(f"{spec.name}: {dtype} input on {device} is not supported; "
                           f"{spec.name} needs {_WHAT[spec.accepts]}")


def _loop_dtype(spec: OpSpec, promoted: _dtypes.DType, device) -> _dtypes.DType:
    """Integers given to floating-only ops compute in the default floating dtype."""
    if spec.accepts in (FLOATING, REAL_FLOATING) and promoted.kind in "iu":
        return device.default_float
    return promoted


def _result_dtype(spec: OpSpec, loop: _dtypes.DType) -> _dtypes.DType:
    if spec.result == TO_BOOL:
        return _dtypes.bool
    if spec.result == TO_REAL:
        return _dtypes.real_of(loop)
    return loop


def _kernel_for(o: Op, device, loop: _dtypes.DType):
    fn, res = resolve(o, device, (loop,))
    return fn, res


def _caster(device, dtype: _dtypes.DType) -> Callable:
    """A callable casting a native array to ``dtype`` on ``device`` (``astype``)."""
    fn, _ = resolve(op("astype"), device, ())
    return lambda native: fn(native, dtype, copy=False)


def _resolve_unary(o: Op, x) -> tuple:
    spec = o.spec
    if x.__class__ is not Array:
        raise HalTypeError(f"{spec.name}: expected a hal Array, got {type(x).__name__}; "
                           f"convert with hal.asarray(...)")
    p = x._p
    device, dtype = p.device, p.dtype
    _check_kind(spec, dtype, device)
    loop = _loop_dtype(spec, dtype, device)
    kernel, res = _kernel_for(o, device, loop)
    if loop is not dtype:
        cast = _caster(device, loop)
        inner = kernel
        kernel = lambda a: inner(cast(a))  # noqa: E731
    out = Placement.of(device, _result_dtype(spec, loop))
    res.result_dtype = out.dtype
    entry = (kernel, out)
    o.cache[p] = entry
    o.resolutions[p] = res
    return entry


def _scalar_type(value) -> type | None:
    for t in _PY_SCALARS:
        if value.__class__ is t:
            return t
    if isinstance(value, builtins.bool):
        return builtins.bool
    if isinstance(value, _PY_SCALARS):  # NumPy scalars and other subclasses
        for t in (int, float, complex):
            if isinstance(value, t):
                return t
    return None


def _resolve_binary(o: Op, x1, x2) -> tuple:
    """Resolve ``o(x1, x2)``; either operand may be a Python scalar, not both."""
    spec = o.spec
    a1, a2 = x1.__class__ is Array, x2.__class__ is Array
    if not (a1 or a2):
        raise HalTypeError(f"{spec.name}: at least one argument must be a hal Array, got "
                           f"{type(x1).__name__} and {type(x2).__name__}")
    for x, is_arr in ((x1, a1), (x2, a2)):
        if not is_arr and _scalar_type(x) is None:
            raise HalTypeError(
                f"{spec.name}: {type(x).__name__} is neither a hal Array nor a Python "
                f"scalar; convert it with hal.asarray(..., device=x.device)")
    if a1 and a2:
        device = x1._p.device
        if x2._p.device is not device:
            entry = _host_scalar_entry(o, x1, x2)
            if entry is not None:
                return entry
            raise HalDeviceError(
                f"{spec.name}: operands are on different devices, {device} and "
                f"{x2._p.device}; hal never moves data silently. Move one explicitly, "
                f"e.g. x2 = x2.to_device(x1.device)")
        d1, d2 = x1._p.dtype, x2._p.dtype
        promoted = _dtypes.promote(d1, d2, spec.name)
        # The promoted dtype decides: bool + int8 is int8 arithmetic, bool + bool
        # is refused by arithmetic ops (use logical_or).
        _check_kind(spec, promoted, device)
    else:
        arr, scalar = (x1, x2) if a1 else (x2, x1)
        device, dtype = arr._p.device, arr._p.dtype
        promoted = _dtypes.scalar_result(dtype, _scalar_type(scalar), device.default_float,
                                         device.default_int)
        if promoted.kind not in _ACCEPTS[spec.accepts]:
            raise HalTypeError(f"{spec.name}: a Python {type(scalar).__name__} with a "
                               f"{dtype} array gives {promoted}, which {spec.name} does not "
                               f"take; it needs {_WHAT[spec.accepts]}")
        d1 = dtype if a1 else None
        d2 = dtype if a2 else None
    loop = _loop_dtype(spec, promoted, device)
    if loop not in device.dtypes:
        raise dtype_error(spec.name, device, loop)
    o_kernel, res = _kernel_for(o, device, loop)
    promotes = res.promotes

    def converter(x, is_array, dtype):
        """What must happen to one operand before the kernel sees it, if anything."""
        if is_array:
            # A kernel that promotes by itself handles int8 + int16; anything that
            # crosses kinds (int + float) is cast first so every backend agrees.
            if dtype is loop or (promotes and _CATEGORY[dtype.kind] == _CATEGORY[loop.kind]):
                return None
            return _caster(device, loop)
        scalar_type = _scalar_type(x)
        # NumPy scalars (np.float64 ...) are strongly typed in NumPy; hand the kernel
        # the weakly typed Python scalar the standard means.
        return None if x.__class__ is scalar_type else scalar_type

    f1, f2 = converter(x1, a1, d1), converter(x2, a2, d2)
    kernel = _with_converters(o_kernel, f1, f2)
    if not (a1 and a2) and loop.kind in "iu" and _scalar_type(x2 if a1 else x1) is int:
        kernel = _int_scalar_checked(kernel, spec.name, device, loop, scalar_first=a2)
    out = Placement.of(device, _result_dtype(spec, loop))
    res.result_dtype = out.dtype
    entry = (kernel, out)
    key = (x1._p if a1 else x1.__class__, x2._p if a2 else x2.__class__)
    o.cache[key] = entry
    o.resolutions[key] = res
    return entry


# -- 0-D arrays of the NumPy device with arrays elsewhere (README, "More than one device
# or machine") -------------------------------------------------------------------------

def host_scalar(x):
    """The Python scalar a 0-D array on the NumPy device stands for, else None.

    Such an array combines with an array on any device as a Python scalar would
    (PyTorch's rule for 0-D CPU tensors): third-party code makes its constants with
    ``xp.asarray(c)``, which lands on the default (NumPy) device.  Every other mix of
    devices keeps raising.
    """
    p = x._p
    if p.device.backend != "numpy" or x._native.ndim != 0:
        return None
    return x._native.item()


def host_scalar_beside(v, device):
    """``v``, or the Python scalar it stands for when it is a host scalar (see
    ``host_scalar``) beside arrays on another ``device`` (``where``, ``clip``)."""
    if v.__class__ is Array and v._p.device is not device:
        s = host_scalar(v)
        if s is not None:
            return s
    return v


def _host_scalar_entry(o: Op, x1, x2):
    """The cache entry for ``x1 OP x2`` when one of them is a host scalar (see
    ``host_scalar``), else None.  Not cached under the arrays' placements (a 0-D and an
    n-D array share one), so each such call re-enters here; the scalar's own entry is."""
    s2 = host_scalar(x2)
    if s2 is not None:
        kernel, out = o.cache.get((x1._p, s2.__class__)) or _resolve_binary(o, x1, s2)
        return (lambda a, b: kernel(a, b.item())), out
    s1 = host_scalar(x1)
    if s1 is not None:
        kernel, out = o.cache.get((s1.__class__, x2._p)) or _resolve_binary(o, s1, x2)
        return (lambda a, b: kernel(a.item(), b)), out
    return None


# -- Python int scalars with integer arrays (README: "Behaviour the standard leaves to
# the implementation") ------------------------------------------------------------------

#: the Python ints each integer dtype holds, so the per-op check is two comparisons
_INT_BOUNDS = _casting.INT_BOUNDS

#: comparisons with an int beyond the dtype's range are exact, as in NumPy 2: the
#: answer for (array OP int above the range), then for an int below it
_BEYOND = {"less": (True, False), "less_equal": (True, False), "not_equal": (True, True),
           "greater": (False, True), "greater_equal": (False, True),
           "equal": (False, False)}
_MIRROR = {"less": "greater", "less_equal": "greater_equal", "greater": "less",
           "greater_equal": "less_equal", "equal": "equal", "not_equal": "not_equal"}


def _int_scalar_checked(kernel, name: str, device, dtype, *, scalar_first: bool):
    """``kernel`` behind a range check of its Python int operand.

    A kernel would wrap (OpenCL), refuse (NumPy) or fail in its binding (PyOpenCL's
    ``std::bad_cast``) on an int its dtype cannot hold; checking here, before any
    device sees the value, gives one answer everywhere.  In range, the cost is two
    comparisons and a call; the error message is built only when raising.
    """
    lo, hi = _INT_BOUNDS[dtype]
    if name == "pow" and not scalar_first:
        lo = 0  # x ** -n: refused on every device, as NumPy and PyTorch do

    def out_of_range(value, native):
        if name in _BEYOND:
            return _compare_beyond(name, native, value, device, dtype, scalar_first)
        if name == "pow" and not scalar_first and value < 0:
            raise HalValueError(
                f"pow on {device}: integers to negative integer powers are not allowed "
                f"({dtype.name} array ** {value}); use a floating array, e.g. "
                f"hal.astype(x, {_float_for(device)}) ** {value}")
        raise _overflow(name, device, dtype, value)

    if scalar_first:
        def checked(a, b):
            if lo <= a <= hi:
                return kernel(a, b)
            return out_of_range(a, b)
    else:
        def checked(a, b):
            if lo <= b <= hi:
                return kernel(a, b)
            return out_of_range(b, a)
    return checked


def _compare_beyond(name, native, value, device, dtype, scalar_first: bool):
    """``native OP value`` for an int beyond ``dtype``: every element has one answer."""
    if scalar_first:  # value OP x is x MIRROR(OP) value
        name = _MIRROR[name]
    answer = _BEYOND[name][0 if value > 0 else 1]
    x = new_array(native, Placement.of(device, dtype))
    lo = _INT_BOUNDS[dtype][0]
    # x >= lo holds for every element, x < lo for none: in-range kernels, any shape
    result = greater_equal(x, lo) if answer else less(x, lo)  # noqa: F821 (generated)
    return result._native


def _float_for(device) -> str:
    return f"hal.{device.default_float.name}"


def _overflow(name: str, device, dtype, value) -> HalOverflowError:
    lo, hi = _INT_BOUNDS[dtype]
    return HalOverflowError(f"{name} on {device}: the Python int {value} is out of range "
                            f"for {dtype.name} ({lo} to {hi}); cast the array to a dtype "
                            f"that holds it first, e.g. hal.astype(x, "
                            f"{_casting.holding(value, dtype, device)})")


def _with_converters(kernel, f1, f2):
    """``kernel`` with its operands converted first (casts, scalar types)."""
    if f1 and f2:
        return lambda a, b: kernel(f1(a), f2(b))
    if f1:
        return lambda a, b: kernel(f1(a), b)
    if f2:
        return lambda a, b: kernel(a, f2(b))
    return kernel


# -- generated functions ------------------------------------------------------------

_new = object.__new__


def _make_unary(spec: OpSpec):
    o = op(spec.name)
    cache = o.cache
    name = spec.name

    def unary(x, /):
        entry = cache.get(x._p) if x.__class__ is Array else None
        if entry is None:
            entry = _resolve_unary(o, x)
        kernel, p = entry
        try:
            native = kernel(x._native)
        except Exception as exc:
            raise translate(exc, name, p.device) from exc
        r = _new(Array)
        r._native = native
        r._p = p
        return r

    unary.__name__ = unary.__qualname__ = name
    unary.__doc__ = f"Elementwise ``{name}`` (Array API standard)."
    return unary


def _make_binary(spec: OpSpec):
    o = op(spec.name)
    cache = o.cache
    name = spec.name

    def binary(x1, x2, /):
        c1, c2 = x1.__class__, x2.__class__
        entry = cache.get((x1._p if c1 is Array else c1, x2._p if c2 is Array else c2)) \
            if (c1 is Array or c2 is Array) else None
        if entry is None:
            entry = _resolve_binary(o, x1, x2)
        kernel, p = entry
        try:
            native = kernel(x1._native if c1 is Array else x1,
                            x2._native if c2 is Array else x2)
        except Exception as exc:
            raise translate(exc, name, p.device) from exc
        r = _new(Array)
        r._native = native
        r._p = p
        return r

    binary.__name__ = binary.__qualname__ = name
    binary.__doc__ = f"Elementwise ``{name}`` (Array API standard); scalars allowed."
    return binary


def _make_dunder(spec: OpSpec):
    """``x.__add__(y)``: the binary function with ``self`` known to be an Array."""
    o = op(spec.name)
    cache = o.cache
    name = spec.name

    def forward(self, other, /):
        c = other.__class__
        if c is Array:
            entry = cache.get((self._p, other._p))
            other_native = other._native
        else:
            entry = cache.get((self._p, c))
            other_native = other
        if entry is None:
            entry = _resolve_binary(o, self, other)
        kernel, p = entry
        try:
            native = kernel(self._native, other_native)
        except Exception as exc:
            raise translate(exc, name, p.device) from exc
        r = _new(Array)
        r._native = native
        r._p = p
        return r

    def reflected(self, other, /):
        c = other.__class__
        entry = cache.get((c, self._p))
        if entry is None:
            entry = _resolve_binary(o, other, self)
        kernel, p = entry
        try:
            native = kernel(other, self._native)
        except Exception as exc:
            raise translate(exc, name, p.device) from exc
        r = _new(Array)
        r._native = native
        r._p = p
        return r

    return forward, reflected


def _make_inplace(name: str, function: Callable):
    """``x += y``: compute ``function(x, y)``, then write it into ``x`` (views see it)."""
    def inplace(self, other, /):
        if other.__class__ is Array and other._p.dtype is not self._p.dtype \
                and other._p.device is self._p.device:  # (else a host scalar, or refused)
            # refuse a dtype change before computing: the op itself could fail first
            # with an unrelated error (int8 ** a negative int16, say)
            _check_inplace_dtype(self, other, name)
        _assign_inplace(self, function(self, other), name)
        return self
    return inplace


def _check_inplace_dtype(self: Array, other: Array, name: str) -> None:
    try:
        promoted = _dtypes.result_type(self._p.dtype, other._p.dtype)
    except TypeError:
        return  # no promotion at all: the op raises its own, clearer error
    if promoted is not self._p.dtype:
        raise HalTypeError(f"in-place {name}: x is {self._p.dtype} and y is "
                           f"{other._p.dtype}, which promote to {promoted}; in-place ops "
                           f"cannot change x's dtype. Use x = {name}(x, y) instead")


def _assign_inplace(self: Array, result: Array, name: str) -> None:
    if result._p is not self._p:
        raise HalTypeError(f"in-place {name}: the result would be {result._p.dtype}, but "
                           f"x is {self._p.dtype}; in-place ops cannot change the dtype. "
                           f"Use x = {name}(x, y) instead")
    if tuple(result._native.shape) != tuple(self._native.shape):
        raise HalTypeError(f"in-place {name}: the result has shape "
                           f"{tuple(result._native.shape)}, x has {self.shape}; in-place "
                           f"ops cannot broadcast x")
    self[...] = result


def _resolver(o: Op, resolve_fn):
    return functools.partial(resolve_fn, o)


def _fast_function(spec: OpSpec, python_fn: Callable) -> Callable:
    """The C version of a generated function, with the Python one's metadata."""
    o = op(spec.name)
    arity = 1 if spec.kind == "unary" else 2
    fast = _speedups.make_function(
        arity, (o.cache, _resolver(o, _resolve_unary if arity == 1 else _resolve_binary),
                spec.name))
    fast.__name__ = fast.__qualname__ = spec.name
    fast.__doc__ = python_fn.__doc__
    fast.__module__ = "hal"
    fast.__signature__ = inspect.signature(python_fn)
    return fast


def _configure_speedups() -> None:
    """Hand the op caches and resolvers of every operator to the C base class."""
    by_dunder = {s.dunder: s for s in BINARY if s.dunder}
    binary = tuple(by_dunder[d] for d in ("add", "sub", "mul", "truediv", "floordiv",
                                           "mod", "pow", "and", "or", "xor", "lshift",
                                           "rshift"))
    compare = tuple(by_dunder[d] for d in ("lt", "le", "eq", "ne", "gt", "ge"))
    by_unary = {s.dunder: s for s in UNARY if s.dunder}
    unary = tuple(by_unary[d] for d in ("__neg__", "__pos__", "__abs__", "__invert__"))

    def slot(spec, resolve_fn):
        o = op(spec.name)
        return (o.cache, _resolver(o, resolve_fn), spec.name)

    getitem, setitem = op("getitem"), op("setitem")
    _speedups.configure(
        Array,
        tuple(slot(s, _resolve_binary) for s in binary),
        tuple(slot(s, _resolve_binary) for s in compare),
        tuple(slot(s, _resolve_unary) for s in unary),
        (getitem.cache, Array._getitem, "__getitem__"),
        Array._getitem,
        _raise_translated,
        (setitem.cache, Array._setitem, "__setitem__"),
        Array._setitem,
    )


def _raise_translated(exc: BaseException, name: str, placement: Placement):
    raise translate(exc, name, placement.device) from exc


_functions: dict[str, Callable] = {}
for _spec in UNARY:
    _functions[_spec.name] = _make_unary(_spec)
    if _speedups is None and _spec.dunder:
        setattr(Array, _spec.dunder, _functions[_spec.name])
for _spec in BINARY:
    _functions[_spec.name] = _make_binary(_spec)
    if _spec.dunder:
        if _speedups is None:
            fwd, rev = _make_dunder(_spec)
            setattr(Array, f"__{_spec.dunder}__", fwd)
            if _spec.reflected:
                setattr(Array, f"__r{_spec.dunder}__", rev)

if _speedups is not None:
    _configure_speedups()
    _functions = {name: _fast_function(OPS_BY_NAME[name], fn)
                  for name, fn in _functions.items()}

for _spec in BINARY:
    if _spec.dunder and _spec.reflected:
        setattr(Array, f"__i{_spec.dunder}__",
                _make_inplace(_spec.name, _functions[_spec.name]))

globals().update(_functions)
