"""Tracing: ``Tracer`` objects stand in for hal Arrays while a jitted function runs.

Elementwise ops, ``astype``, ``where`` and the reductions add nodes to the graph
(``_graph``) with dtypes decided by eager hal's own rules (``_elementwise``'s helpers,
``_dtypes``' promotion; reductions and ``where`` ask eager hal on a one-element probe).
Every other function of the namespace *cuts* the graph: the recorder materialises the
tracers it is given, the real function runs eagerly, its arrays come back as new
leaves.  Data-dependent Python control flow (``bool()``, ``float()``, iteration ...)
raises :class:`HalTracingError` naming the user's line.

The traced function sees a namespace object in place of the ``hal`` module (its
globals are rebound, and ``Tracer.__array_namespace__`` returns it).
"""

from __future__ import annotations

import builtins
import os
import sys

from .. import _dtypes
from .._array import Array
from .._errors import HalDeviceError, HalTypeError
from ._graph import REDUCTIONS, Node

_HERE = os.path.dirname(os.path.abspath(__file__))


class HalTracingError(HalTypeError):
    """A jitted function did something that depends on array values while tracing."""


def user_line() -> str:
    """``file:line: code`` of the innermost frame outside hal's own package."""
    import linecache
    hal_root = os.path.dirname(_HERE)
    f = sys._getframe(1)
    while f is not None:
        path = os.path.abspath(f.f_code.co_filename)
        if not path.startswith(hal_root + os.sep):
            text = linecache.getline(f.f_code.co_filename, f.f_lineno).strip()
            return f"{f.f_code.co_filename}:{f.f_lineno}: {text}"
        f = f.f_back
    return "(unknown line)"


def _control_flow(what: str, instead: str):
    def refuse(self, *args):
        raise HalTracingError(
            f"hal.jit: {what} of a traced array depends on its values, which are not "
            f"known while tracing ({user_line()}). {instead}")
    return refuse


_USE_WHERE = ("Use hal.where(condition, x, y) to choose values elementwise, or compute "
              "it outside the jitted function.")
_OUTSIDE = "Compute it outside the jitted function (or return the array and convert it there)."


class Tracer(Array):
    """A hal Array inside a traced function: a graph node, with the shape it has in
    the call being traced."""

    # hal.Array cannot be instantiated from Python (the C base has no tp_new): a
    # tracer is an Array made by new_array whose class is then switched, holding
    # (node, shape, recorder) where an Array holds its native array
    __slots__ = ()

    @property
    def _node(self):
        return self._native[0]

    @property
    def _shape(self):
        return self._native[1]

    @property
    def _rec(self):
        return self._native[2]

    @property
    def dtype(self):
        return self._node.dtype

    @property
    def device(self):
        return self._rec.device

    @property
    def shape(self):
        self._rec.shape_read(self)
        return self._shape

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def size(self):
        self._rec.shape_read(self)
        n = 1
        for s in self._shape:
            n *= s
        return n

    def __len__(self):
        self._rec.shape_read(self)
        if not self._shape:
            raise HalTypeError("len() of a 0-D array")
        return self._shape[0]

    def __array_namespace__(self, *, api_version=None):
        return self._rec.namespace

    def __repr__(self):
        return f"<hal.jit tracer %{self._node.id} {self._node.dtype.name}{list(self._shape)}>"

    __bool__ = _control_flow("bool() (an `if`, `while`, `and`/`or` or `not`)", _USE_WHERE)
    __float__ = _control_flow("float()", _OUTSIDE)
    __int__ = _control_flow("int()", _OUTSIDE)
    __index__ = _control_flow("using it as an index or int", _OUTSIDE)
    __complex__ = _control_flow("complex()", _OUTSIDE)
    __iter__ = _control_flow("iterating over it", "Use vectorised ops over an axis "
                             "(hal.sum(x, axis=0) ...) instead of a Python loop, or loop "
                             "outside the jitted function.")
    __array__ = _control_flow("converting it to NumPy", _OUTSIDE)
    __dlpack__ = _control_flow("DLPack export", _OUTSIDE)
    to_device = _control_flow("to_device", _OUTSIDE)

    def __setitem__(self, key, value):
        raise HalTracingError(
            f"hal.jit: __setitem__ on a traced array ({user_line()}) would write into "
            f"an array the caller may hold; build the result with hal.where(...) or "
            f"write outside the jitted function")

    def __getitem__(self, key):
        return self._rec.cut("__getitem__", lambda x, k: x[k], (self, key), {})

    @property
    def T(self):
        return self._rec.cut("T", lambda x: x.T, (self,), {})

    @property
    def mT(self):
        return self._rec.cut("mT", lambda x: x.mT, (self,), {})

    def __matmul__(self, other):
        return self._rec.cut("matmul", lambda a, b: a @ b, (self, other), {})

    def __rmatmul__(self, other):
        return self._rec.cut("matmul", lambda a, b: a @ b, (other, self), {})


def _inplace(name):
    def refuse(self, other):
        raise HalTracingError(
            f"hal.jit: in-place {name} on a traced array ({user_line()}) would modify an "
            f"array the caller may hold; write x = x {name[:-1]} y instead")
    return refuse


_OPERATORS = {"add": "+=", "sub": "-=", "mul": "*=", "truediv": "/=", "floordiv": "//=",
              "mod": "%=", "pow": "**=", "and": "&=", "or": "|=", "xor": "^=",
              "lshift": "<<=", "rshift": ">>="}


def _install_operators(namespace_ops):
    """Tracer's arithmetic and comparison operators from the op table."""
    from .._optable import BINARY, UNARY
    for spec in BINARY:
        if not spec.dunder:
            continue
        name = spec.name

        def fwd(self, other, _n=name):
            return namespace_ops[_n](self, other)

        def rev(self, other, _n=name):
            return namespace_ops[_n](other, self)
        setattr(Tracer, f"__{spec.dunder}__", fwd)
        if spec.reflected:
            setattr(Tracer, f"__r{spec.dunder}__", rev)
            setattr(Tracer, f"__i{spec.dunder}__", _inplace(_OPERATORS[spec.dunder]))
    for spec in UNARY:
        if spec.dunder:
            setattr(Tracer, spec.dunder, lambda self, _n=spec.name: namespace_ops[_n](self))


# -- dtype rules, from eager hal ------------------------------------------------------------

def _probe(rec, fn, *dtypes_and_scalars):
    """``fn`` run by eager hal on one-element arrays of these dtypes on the traced
    device: its result dtype, or eager's own error for these arguments."""
    import hal
    args = [hal.zeros((1,), dtype=d, device=rec.device) if isinstance(d, _dtypes.DType)
            else d for d in dtypes_and_scalars]
    return fn(*args).dtype


def ew_dtypes(spec, args, device):
    """(loop dtype, result dtype) of elementwise ``spec`` on tracer/scalar ``args``,
    by eager hal's rules; raises eager's errors."""
    from .. import _elementwise as ew
    if spec.kind == "unary":
        dtype = args[0].dtype
        ew._check_kind(spec, dtype, device)
        loop = ew._loop_dtype(spec, dtype, device)
    else:
        x1, x2 = args
        a1, a2 = isinstance(x1, Array), isinstance(x2, Array)
        if not (a1 or a2):
            raise HalTypeError(f"{spec.name}: at least one argument must be a hal Array")
        for x, is_arr in ((x1, a1), (x2, a2)):
            if not is_arr and ew._scalar_type(x) is None:
                raise HalTypeError(
                    f"{spec.name}: {type(x).__name__} is neither a hal Array nor a Python "
                    f"scalar; convert it with hal.asarray(..., device=x.device)")
        if a1 and a2:
            if x1.device is not x2.device:
                raise HalDeviceError(
                    f"{spec.name}: operands are on different devices, {x1.device} and "
                    f"{x2.device}; hal never moves data silently. Move one explicitly, "
                    f"e.g. x2 = x2.to_device(x1.device)")
            promoted = _dtypes.promote(x1.dtype, x2.dtype, spec.name)
            ew._check_kind(spec, promoted, device)
        else:
            arr, scalar = (x1, x2) if a1 else (x2, x1)
            promoted = _dtypes.scalar_result(arr.dtype, ew._scalar_type(scalar),
                                             device.default_float, device.default_int)
            if promoted.kind not in ew._ACCEPTS[spec.accepts]:
                raise HalTypeError(f"{spec.name}: a Python {type(scalar).__name__} with a "
                                   f"{arr.dtype} array gives {promoted}, which {spec.name} "
                                   f"does not take; it needs {ew._WHAT[spec.accepts]}")
        loop = ew._loop_dtype(spec, promoted, device)
    if loop not in device.dtypes:
        from .._dispatch import dtype_error
        raise dtype_error(spec.name, device, loop)
    return loop, ew._result_dtype(spec, loop)


def int_scalar_in_range(spec, loop, args) -> bool:
    """Whether eager's range check of a Python int operand would pass (else the op
    runs eagerly, which raises or compares exactly as eager does)."""
    from .. import _casting
    from .. import _elementwise as ew
    if loop.kind not in "iu":
        return True
    for pos, a in enumerate(args):
        if not isinstance(a, Array) and ew._scalar_type(a) is int:
            lo, hi = _casting.INT_BOUNDS[loop]
            if spec.name == "pow" and pos == 1:
                lo = 0
            if not lo <= int(a) <= hi:
                return False
    return True


#: the kinds each reduction takes, and what eager's error says it needs
_REDUCE_KINDS = {
    "sum": ("biufc", "a numeric dtype"), "prod": ("biufc", "a numeric dtype"),
    "max": ("biuf", "a real numeric dtype"), "min": ("biuf", "a real numeric dtype"),
    "mean": ("iufc", "a floating dtype (integers compute in the default floating dtype)"),
    "var": ("iuf", "a floating dtype (integers compute in the default floating dtype)"),
    "std": ("iuf", "a floating dtype (integers compute in the default floating dtype)"),
}


def reduce_node_dtype(rec, name, x, axes, keepdims):
    """The result dtype of reduction ``name`` of tracer ``x``, by eager's own rules
    and with its errors (``_statistics``): decided on the host, with no probe on the
    device (a probe ran a fill and a reduction there, a program build each in a
    fresh process: ~3 ms of a disk-cache hit's first call)."""
    from .. import _statistics
    from .._helpers import require_kind
    if name in ("any", "all"):
        return _dtypes.bool
    kinds, what = _REDUCE_KINDS[name]
    require_kind(x, kinds, name, what)
    if name in ("sum", "prod"):
        return _statistics._accumulation_dtype(x, None, name)
    if name in ("max", "min"):
        return x.dtype
    return rec.device.default_float if x.dtype.kind in "iu" else x.dtype


def normalise_axes(name, axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in axes:
        if not isinstance(a, int) or isinstance(a, builtins.bool):
            raise HalTypeError(f"{name}: axis must be an int or a tuple of ints, got {a!r}")
        if not -ndim <= a < max(ndim, 1):
            from .._errors import HalIndexError
            raise HalIndexError(f"{name}: axis {a} is out of range for a {ndim}-D array")
        out.append(a % ndim if ndim else 0)
    if len(set(out)) != len(out):
        from .._errors import HalValueError
        raise HalValueError(f"{name}: repeated axis in {axis!r}")
    return tuple(sorted(out))


__all__ = ["Tracer", "HalTracingError", "user_line", "ew_dtypes", "REDUCTIONS", "Node"]
