"""The ``hal`` namespace as a traced function sees it.

Elementwise ops, ``astype``, ``where`` and the reductions record graph nodes; every
other function cuts the graph (runs eagerly on materialised values); dtypes,
constants and classes are hal's own.  Calls without any tracer argument run eagerly
as they are (their results become captured leaves when a tracer meets them).
"""

from __future__ import annotations

import types

from .._array import Array
from .._optable import BINARY, UNARY
from ._graph import MOMENTS, REDUCTIONS
from ._trace import (HalTracingError, Tracer, ew_dtypes, int_scalar_in_range,
                     normalise_axes, reduce_node_dtype, user_line)

_SPECS = {s.name: s for s in UNARY + BINARY}
#: functions that hand array values to the host: refused while tracing
_HOST = {"to_numpy"}


def _recorder(args):
    for a in args:
        if isinstance(a, Tracer):
            return a._rec
    return None


def _scalar(x):
    from .._elementwise import _scalar_type
    if isinstance(x, Array):
        return x
    t = _scalar_type(x)
    return t(x) if t is not None else x


def _elementwise(spec):
    import hal
    real = getattr(hal, spec.name)

    def traced(*args):
        rec = _recorder(args)
        if rec is None:
            return real(*args)
        args = [_scalar(rec.lift(a)) for a in args]
        loop, out = ew_dtypes(spec, args, rec.device)
        if loop.kind == "c" or out.kind == "c" or not int_scalar_in_range(spec, loop, args):
            # complex values and out-of-range int scalars: eager's kernels and checks
            return rec.cut(spec.name, real, tuple(args), {})
        shape = rec.broadcast([a._shape for a in args if isinstance(a, Tracer)])
        if spec.name == "pow" and loop.kind == "f" and isinstance(args[0], Tracer) and \
                not isinstance(args[1], Array) and args[1] == 2:
            # x ** 2 as x * x (NumPy's fast path too): a pow call per element would
            # cost more than the memory traffic of the whole fused kernel
            return rec.node("ew", "square", [args[0]._node], out, shape, loop=loop,
                            where=user_line())
        return rec.node("ew", spec.name, [a._node if isinstance(a, Tracer) else a
                                          for a in args], out, shape, loop=loop,
                        where=user_line())
    traced.__name__ = spec.name
    return traced


def _astype(x, dtype, /, *, copy=True, device=None):
    import hal
    rec = _recorder((x,))
    if rec is None or device is not None:
        if rec is not None:
            return rec.cut("astype", hal.astype, (x, dtype), {"copy": copy, "device": device})
        return hal.astype(x, dtype, copy=copy, device=device)
    from .. import _dtypes
    dtype = _dtypes.as_dtype(dtype, "astype")
    if dtype not in rec.device.dtypes or x.dtype.kind == "c" or dtype.kind == "c":
        return rec.cut("astype", hal.astype, (x, dtype), {"copy": copy})
    if dtype is x.dtype:
        return x
    return rec.node("cast", "astype", [x._node], dtype, x._shape, where=user_line())


def _where(condition, x1, x2, /):
    import hal
    args = (condition, x1, x2)
    rec = _recorder(args)
    if rec is None:
        return hal.where(*args)
    args = [_scalar(rec.lift(a)) for a in args]
    probe = [hal.zeros((1,), dtype=a.dtype, device=rec.device) if isinstance(a, Tracer)
             else a for a in args]
    dtype = hal.where(*probe).dtype  # eager's dtype rule and errors
    if dtype.kind == "c" or not isinstance(args[0], Tracer):
        return rec.cut("where", hal.where, tuple(args), {})
    shape = rec.broadcast([a._shape for a in args if isinstance(a, Tracer)])
    return rec.node("where", "where", [a._node if isinstance(a, Tracer) else a
                                       for a in args], dtype, shape, loop=dtype,
                    where=user_line())


def _acc(op, out):
    from .. import _dtypes
    if op in ("any", "all"):
        return _dtypes.bool
    if op in ("max", "min"):
        return out
    # as kernels/reduce.c accumulates (hal_opencl._reduce._sum_acc): integers wrap in
    # unsigned arithmetic of at least 32 bits, float16 adds in float32
    if out.kind in "iu":
        return _dtypes.uint64 if out.itemsize == 8 else _dtypes.uint32
    if out is _dtypes.float16:
        return _dtypes.float32
    return out


def _reduction(name):
    import hal
    real = getattr(hal, name)

    def traced(x, /, *, axis=None, keepdims=False, **kw):
        rec = _recorder((x,))
        if rec is None:
            return real(x, axis=axis, keepdims=keepdims, **kw)
        if kw.get("dtype") is not None or x.dtype.kind == "c" or \
                any(k != "dtype" for k in kw):
            return rec.cut(name, real, (x,), {"axis": axis, "keepdims": keepdims, **kw})
        axes = normalise_axes(name, axis, x.ndim)
        out = reduce_node_dtype(rec, name, x, axes, keepdims)
        shape = x._shape
        if keepdims:
            oshape = tuple(1 if d in axes else s for d, s in enumerate(shape))
        else:
            oshape = tuple(s for d, s in enumerate(shape) if d not in axes)
        if any(shape[d] == 0 for d in axes) and name in ("max", "min"):
            return rec.cut(name, real, (x,), {"axis": axis, "keepdims": keepdims})
        # the same reduction of the same value is one node (a layer norm's mean, and
        # the mean inside its var, are one kernel)
        memo = ("reduce", name, x._node.id, axes, keepdims)
        hit = rec.memo.get(memo)
        if hit is None:
            hit = rec.memo[memo] = rec.node("reduce", name, [x._node], out, oshape,
                                            axes=axes, keepdims=keepdims,
                                            acc=_acc(name, out), where=user_line())
        return hit
    traced.__name__ = name
    return traced


def _moment(name):
    """``var``/``std`` as eager hal's OpenCL kernels compute them, in two passes: the
    mean (a fused map+reduce), then the sum of squared deviations from it (the
    producer chain fused again, recomputed rather than stored) over the count less the
    correction.  Float16 (eager takes its mean in float16) and complex cut."""
    import hal
    real = getattr(hal, name)

    def traced(x, /, *, axis=None, correction=0.0, keepdims=False):
        rec = _recorder((x,))
        kwargs = {"axis": axis, "correction": correction, "keepdims": keepdims}
        if rec is None:
            return real(x, **kwargs)
        if x.dtype.kind not in "iuf" or x.dtype is hal.float16 or \
                not isinstance(correction, (int, float)) or isinstance(correction, bool):
            return rec.cut(name, real, (x,), kwargs)
        axes = normalise_axes(name, axis, x.ndim)
        out = reduce_node_dtype(rec, name, x, axes, keepdims)  # eager's dtype and errors
        if x.dtype is not out:  # integers: in the default floating dtype, as eager
            x = _astype(x, out)
        traced_fns = traced_functions()
        centre = traced_fns["mean"](x, axis=axes, keepdims=True)
        dev = traced_fns["subtract"](x, centre)
        sq = traced_fns["multiply"](dev, dev)
        shape = x._shape
        oshape = (tuple(1 if d in axes else s for d, s in enumerate(shape)) if keepdims
                  else tuple(s for d, s in enumerate(shape) if d not in axes))
        return rec.node("reduce", name, [sq._node], out, oshape, axes=axes,
                        keepdims=keepdims, acc=out, param=float(correction),
                        where=user_line())
    traced.__name__ = name
    return traced


def _cutting(name, fn):
    def traced(*args, **kwargs):
        rec = _recorder(list(args) + list(kwargs.values())) or _recorder(
            [a for v in list(args) + list(kwargs.values()) if isinstance(v, (list, tuple))
             for a in v])
        if name in _HOST and rec is not None:
            raise HalTracingError(f"hal.jit: {name} of a traced array needs its values "
                                  f"({user_line()}); call it outside the jitted function")
        if rec is None:
            return fn(*args, **kwargs)
        return rec.cut(name, fn, args, kwargs)
    traced.__name__ = name
    return traced


class _Sub:
    """``hal.linalg`` / ``hal.fft`` inside a trace: every function cuts."""

    def __init__(self, module, prefix):
        self._module, self._prefix = module, prefix

    def __getattr__(self, name):
        value = getattr(self._module, name)
        if callable(value) and not isinstance(value, type):
            value = _cutting(f"{self._prefix}.{name}", value)
        setattr(self, name, value)
        return value


_TRACED: dict = {}


def traced_functions() -> dict:
    if not _TRACED:
        for name, spec in _SPECS.items():
            _TRACED[name] = _elementwise(spec)
        for name in REDUCTIONS:
            _TRACED[name] = _reduction(name)
        for name in MOMENTS:
            _TRACED[name] = _moment(name)
        _TRACED["astype"] = _astype
        _TRACED["where"] = _where
    return _TRACED


class Namespace:
    """Looks like the ``hal`` module; built per trace, attributes made on first use."""

    def __init__(self, rec):
        self._rec = rec

    def __getattr__(self, name):
        import hal
        traced = traced_functions()
        if name in traced:
            value = traced[name]
        else:
            value = getattr(hal, name)
            if isinstance(value, types.ModuleType):
                value = _Sub(value, name)
            elif callable(value) and not isinstance(value, type) and \
                    not name.startswith("_") and type(value).__name__ != "DType":
                value = _cutting(name, value)
        object.__setattr__(self, name, value)
        return value
