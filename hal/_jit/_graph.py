"""The device-independent graph ``hal.jit`` records: nodes, and how eager hal runs one.

A node is one op of the standard with its result dtype decided at trace time, exactly
as eager hal decides it (``_trace`` computes dtypes with eager's own helpers).  Kinds:

* ``input``: the i-th array argument of the jitted function;
* ``value``: an array known at trace time that is no argument (a captured closure
  array, or the result of an op that cut the graph: ``_run`` fills it on every call);
* ``ew``: an elementwise op of the op table (``op``), operands nodes or Python scalars,
  computed in ``loop`` dtype;
* ``cast``: ``astype``;  ``where``: ``where(c, a, b)`` in dtype ``loop``;
* ``reduce``: sum, prod, max, min, mean, any, all over ``axes`` (normalised), with the
  accumulator dtype ``acc``; also ``var`` and ``std``, whose operand is the squared
  deviation from a ``mean`` node (``_namespace._moment``: two kernels, the producer
  chain fused into both) and whose ``param`` is the correction;
* ``user``: a single-output ``hal.ElementwiseKernel`` (``op`` its ``UserOp``: the
  statements it adds to a fused kernel, see ``_userkernels._elementwise``).
"""

from __future__ import annotations

import itertools

REDUCTIONS = ("sum", "prod", "max", "min", "mean", "any", "all")
#: reduce nodes over squared deviations (see ``_namespace._moment``)
MOMENTS = ("var", "std")
_ids = itertools.count()


class Node:
    __slots__ = ("kind", "op", "args", "dtype", "loop", "axes", "keepdims", "acc", "id",
                 "where", "ndim", "param")

    def __init__(self, kind, op, args, dtype, ndim, *, loop=None, axes=(), keepdims=False,
                 acc=None, where="", param=None):
        self.kind = kind
        self.op = op
        self.args = tuple(args)
        self.dtype = dtype
        self.ndim = ndim
        self.loop = loop
        self.axes = axes
        self.keepdims = keepdims
        self.acc = acc
        self.id = next(_ids)
        #: the user's source line that made this node (explain, errors)
        self.where = where
        #: var/std: the correction (degrees of freedom subtracted from the count)
        self.param = param

    @property
    def fusible(self) -> bool:
        return self.kind in ("ew", "cast", "where", "user")

    def operands(self):
        return [a for a in self.args if isinstance(a, Node)]

    def describe(self) -> str:
        args = ", ".join(f"%{a.id}" if isinstance(a, Node) else repr(a) for a in self.args)
        extra = ""
        if self.kind == "reduce":
            extra = f", axes={self.axes}, keepdims={self.keepdims}"
            if self.op in MOMENTS:
                extra += f", correction={self.param}"
        elif self.kind == "cast":
            extra = f" -> {self.dtype.name}"
        elif self.kind == "input":
            args = f"arg {self.op}"
        return f"%{self.id} = {self.op if self.kind != 'input' else 'input'}({args}{extra})" \
               f" : {self.dtype.name}"


def eager(node: Node, values: list):
    """Run ``node`` with eager hal on ``values`` (its operands, real Arrays)."""
    import hal
    it = iter(values)
    args = [next(it) if isinstance(a, Node) else a for a in node.args]
    if node.kind == "ew":
        return getattr(hal, node.op)(*args)
    if node.kind == "cast":
        return hal.astype(args[0], node.dtype)
    if node.kind == "where":
        return hal.where(*args)
    if node.kind == "reduce" and node.op in MOMENTS:
        # the operand is already the squared deviation: its sum over the count
        x = args[0]
        n = 1
        for d in node.axes:
            n *= x.shape[d]
        out = hal.sum(x, axis=node.axes, keepdims=node.keepdims) / max(n - node.param, 0.0)
        return hal.sqrt(out) if node.op == "std" else out
    if node.kind == "reduce":
        return getattr(hal, node.op)(args[0], axis=node.axes, keepdims=node.keepdims)
    if node.kind == "user":
        return node.op.kernel(*args)
    raise AssertionError(node.kind)
