"""Recording a trace into a program of steps, and running that program on each call.

A traced call runs *while* it records: when a value is needed (an op that cuts the
graph, or the function's results) the pending nodes it depends on become steps
(``EwStep``: one kernel for every requested elementwise node of one shape;
``ReduceStep``: one map+reduce kernel), and each new step runs at once.  The program
(inputs, steps, outputs) is replayed on later calls with the same cache key; shapes are
recomputed from the actual inputs, so a new shape needs no new trace.

Steps run with a launcher (``_backends``) or, without one (NumPy, explain on a device
that cannot build), through eager hal node by node (``_graph.eager``).
"""

from __future__ import annotations

import time

from .. import _dtypes
from .._array import Array, Placement, new_array
from .._errors import HalValueError
from ._backends import (INDEX, INT, Index, Int32, broadcast_strides, compile_source,
                        ew_variant, reduce_variant, rows_args, strided_args)
from ._graph import REDUCTIONS, Node, eager
from ._trace import (HalTracingError, Tracer, _install_operators, ew_dtypes,
                     int_scalar_in_range, normalise_axes, reduce_node_dtype, user_line)


class Retrace(Exception):
    """A replay met shapes its program's fusion decisions do not fit."""


#: compiled programs, shared by every jitted function: (device, source, options) ->
#: {kernel name: kernel}
_COMPILED: dict = {}


def _broadcast(shapes):
    import hal
    return tuple(hal.broadcast_shapes(*shapes)) if shapes else ()


def _region(node: Node, env) -> tuple[list[Node], list[Node]]:
    """(leaves, fusible nodes in topological order) of ``node``'s pending region."""
    leaves, order, seen = [], [], set()

    def visit(n):
        if n.id in seen:
            return
        seen.add(n.id)
        if n in env or not n.fusible:
            leaves.append(n)
            return
        for a in n.operands():
            visit(a)
        order.append(n)
    visit(node)
    return leaves, order


def _merged_region(outs, env):
    """(leaves, nodes) of several outputs' regions, each once."""
    leaves, order, seen = [], [], set()
    for o in outs:
        lv, od = _region(o, env)
        for x in lv:
            if x.id not in seen:
                seen.add(x.id)
                leaves.append(x)
        for x in od:
            if x.id not in seen:
                seen.add(x.id)
                order.append(x)
    return leaves, order


class Step:
    kind = "step"
    where = ""

    def describe(self) -> list[str]:
        return []


class EagerStep(Step):
    """An op that cuts the graph: eager hal on the materialised values."""

    kind = "cut"

    def __init__(self, name, fn, args, kwargs, outs, rebuild, where):
        self.name, self.fn, self.args, self.kwargs = name, fn, args, kwargs
        self.outs, self.rebuild, self.where = outs, rebuild, where

    def run(self, env, ctx):
        sub = lambda v: env[v] if isinstance(v, Node) else v  # noqa: E731
        result = self.fn(*_map(self.args, sub), **_map(self.kwargs, sub))
        leaves, _ = _flatten(result)
        arrays = [x for x in leaves if isinstance(x, Array)]
        for node, value in zip(self.outs, arrays):
            env[node] = value
        return result

    def describe(self):
        return [f"cut: {self.name} runs eagerly ({self.where})"]


def _flatten(obj):
    """(leaves, rebuild) of nested tuples/lists/dicts."""
    if isinstance(obj, (tuple, list)):
        parts = [_flatten(x) for x in obj]
        leaves = [leaf for p in parts for leaf in p[0]]
        sizes = [len(p[0]) for p in parts]

        def rebuild(values):
            out, i = [], 0
            for (_, rb), n in zip(parts, sizes):
                out.append(rb(values[i:i + n]))
                i += n
            if isinstance(obj, list):
                return out
            return type(obj)(*out) if hasattr(obj, "_fields") else tuple(out)
        return leaves, rebuild
    if isinstance(obj, dict):
        keys = list(obj)
        leaves, rb = _flatten([obj[k] for k in keys])
        return leaves, lambda values: dict(zip(keys, rb(values)))
    return [obj], lambda values: values[0]


def _map(obj, fn):
    leaves, rebuild = _flatten(obj)
    return rebuild([fn(x) for x in leaves])


def _step_kernels(step, ctx, variant, what: str, signatures):
    """``step``'s kernels for ``variant``: from the step's own table, else the process's
    (the same source and options, another step or function), else compiled now and
    counted in ``ctx.stats``; ``signatures()`` gives ``launcher.kernels``' kernel names
    and argument kinds."""
    ks = step.kernels.get(variant)
    if ks is None:
        launcher = ctx.launcher
        device = launcher.device
        source, options = step.source(launcher.target, variant, device.dtypes)
        key = (device, source, options)
        ks = _COMPILED.get(key)
        if ks is None:
            t0 = time.perf_counter()
            program = compile_source(device, f"hal.jit fused {what} kernel", source, options)
            ks = _COMPILED[key] = launcher.kernels(program, *signatures())
            ctx.stats["compiles"] += 1
            ctx.stats["compile_seconds"] += time.perf_counter() - t0
        step.kernels[variant] = ks
    return ks


class KernelStep(Step):
    """A fused region: shared by elementwise (several outputs) and map+reduce."""

    def __init__(self, leaves, nodes, outputs, red=None):
        self.leaves, self.nodes, self.outputs, self.red = leaves, nodes, outputs, red
        self.kind = "reduce" if red is not None else "fused"
        self.kernels = {}  # variant -> {name: kernel}
        self.sources = {}  # variant -> (source, options)

    # -- shapes, recomputed per call
    def shapes(self, env):
        shapes = {x.id: tuple(_shape_of(env[x])) for x in self.leaves}
        for n in self.nodes:
            shapes[n.id] = _broadcast([shapes[a.id] for a in n.operands()])
        return shapes

    def source(self, target, variant, device_dtypes):
        from . import _lower  # (imports the kernel manifest's pydantic: not at import hal)
        if self.red is None:
            return _lower.elementwise(target, self.leaves, self.nodes, self.outputs,
                                      variant[1:] if isinstance(variant, tuple) else
                                      variant == "strided", device_dtypes)
        return _lower.reduction(target, self.leaves, self.nodes, self.red, variant,
                                device_dtypes)

    def compiled(self, ctx, variant):
        return _step_kernels(self, ctx, variant, self.kind,
                             lambda: self._signatures(variant))

    def _signatures(self, variant):
        leaf = ["buf", INDEX] * len(self.leaves)
        if self.red is None:
            sig = ["buf"] * len(self.outputs) + leaf
            if isinstance(variant, tuple):  # ("rows", steps...): inner, n1, 2 per leaf
                sig += [INDEX, INDEX] + [INDEX, INDEX] * len(self.leaves)
            else:
                sig.append(INDEX)
                if variant == "strided":
                    sig += [INT, "buf"]
            return ["hal_jit_ew"], {"hal_jit_ew": sig}
        geo = [INDEX] + ([INT, INT, "buf"] if variant == "strided" else [])
        if isinstance(variant, tuple):  # ("grid", cols): C, then rs, s1, s2 per leaf
            geo = [INDEX, INDEX] + [INDEX] * (3 * len(self.leaves))
        return (["hal_jit_final", "hal_jit_partial", "hal_jit_combine"],
                {"hal_jit_final": ["buf"] + leaf + geo + [INDEX],
                 "hal_jit_partial": ["buf"] + leaf + geo + [INDEX, INDEX],
                 "hal_jit_combine": ["buf", "buf", INDEX, INDEX, INDEX]})

    def run(self, env, ctx):
        if ctx.launcher is None:
            for n in self.nodes + ([self.red] if self.red is not None else []):
                env[n] = eager(n, [env[a] for a in n.operands()])
            return
        if self.red is None:
            self._run_ew(env, ctx)
        else:
            self._run_reduce(env, ctx)
        if ctx.trace_events is not None:
            ctx.trace_events.append(self)

    def _run_ew(self, env, ctx):
        launcher = ctx.launcher
        shapes = self.shapes(env)
        shape = shapes[self.outputs[0].id]
        if any(shapes[o.id] != shape for o in self.outputs):
            raise Retrace("the outputs of a fused kernel no longer share one shape")
        views = [launcher.view(env[x]._native) for x in self.leaves]
        variant, layout = ew_variant(launcher, views, shape)
        (k,) = self.compiled(ctx, variant).values()
        n = 1
        for s in shape:
            n *= s
        outs = [launcher.empty(shape, o.dtype) for o in self.outputs]
        args = [launcher.buffer(o) for o in outs]
        for v in views:
            args += [v[0], Index(v[1])]
        if layout is not None:
            args += rows_args(layout)
            if n:
                launcher.launch_rows(k, layout[2], layout[1], layout[0], args)
        else:
            args.append(Index(n))
            if variant == "strided":
                args += strided_args(launcher, views, shape)
            launcher.launch(k, n, args)
        for o, native in zip(self.outputs, outs):
            env[o] = launcher.wrap(native, o.dtype)
        ctx.bytes_moved += sum(_nbytes(env[x]) for x in self.leaves) + \
            sum(_nbytes(env[o]) for o in self.outputs)

    def _run_reduce(self, env, ctx):
        import hal
        launcher = ctx.launcher
        red = self.red
        shapes = self.shapes(env)
        full = shapes[red.args[0].id] if self.nodes else tuple(_shape_of(env[red.args[0]]))
        axes = red.axes
        kept = [d for d in range(len(full)) if d not in axes]
        n_out = 1
        for d in kept:
            n_out *= full[d]
        R = 1
        for d in axes:
            R *= full[d]
        out_shape = tuple(1 if d in axes else full[d] for d in range(len(full))) \
            if red.keepdims else tuple(full[d] for d in kept)
        if R == 0 and red.op in ("max", "min"):
            # eager's own error (no identity for an empty max/min)
            getattr(hal, red.op)(hal.zeros(full, dtype=red.args[0].dtype,
                                           device=launcher.device), axis=axes)
        views = [launcher.view(env[x]._native) for x in self.leaves]
        variant = reduce_variant(views, full, axes)
        grid = _grid_layout(views, full, axes) if variant == "strided" else None
        if grid is not None:
            variant = ("grid", tuple("1" if s2 == 1 else "0" if s2 == 0 else "s"
                                     for _, _, s2 in grid[1]))
        ks = self.compiled(ctx, variant)
        out = launcher.empty(out_shape, red.dtype)
        args = []
        for v in views:
            args += [v[0], Index(v[1])]
        args.append(Index(R))
        if grid is not None:
            args.append(Index(grid[0]))
            for g in grid[1]:
                args += [Index(g[0]), Index(g[1]), Index(g[2])]
        elif variant == "strided":
            meta = [full[d] for d in kept] + [full[d] for d in axes]
            for v in views:
                b = broadcast_strides(v[2], v[3], full)
                meta += [b[d] for d in kept] + [b[d] for d in axes]
            args += [Int32(len(kept)), Int32(len(axes)), launcher.meta(meta)]
        G = ctx.groups(n_out, R)
        if n_out and (G == 1 or R == 0):
            launcher.launch(ks["hal_jit_final"], n_out, [launcher.buffer(out)] + args +
                            [Index(n_out)])
        elif n_out:
            part = launcher.empty((n_out * G,), red.acc)
            launcher.launch(ks["hal_jit_partial"], n_out * G,
                            [launcher.buffer(part)] + args + [Index(n_out), Index(G)],
                            serial=True)
            launcher.launch(ks["hal_jit_combine"], n_out,
                            [launcher.buffer(out), launcher.buffer(part), Index(n_out),
                             Index(G), Index(R)])
        env[red] = launcher.wrap(out, red.dtype)
        ctx.bytes_moved += sum(_nbytes(env[x]) for x in self.leaves) + _nbytes(env[red])

    def describe(self):
        what = (f"reduce kernel: {self.red.op} over axes {self.red.axes} of a fused map"
                if self.red is not None else
                f"fused elementwise kernel: {len(self.nodes)} ops, "
                f"{len(self.outputs)} output(s)")
        lines = [what, "  inputs: " + ", ".join(
            f"%{x.id} ({x.dtype.name})" for x in self.leaves)]
        lines += ["  " + n.describe() for n in self.nodes]
        if self.red is not None:
            lines.append("  " + self.red.describe())
        lines.append("  writes: " + ", ".join(f"%{o.id}" for o in
                                               (self.outputs or [self.red])))
        return lines


#: reductions a row kernel computes (any/all too: their accumulators fold the same way)
ROW_OPS = ("sum", "prod", "max", "min", "mean", "any", "all", "var", "std")


#: elementwise ops a few instructions each: recomputing them costs less than a store
#: and a load; any other op (exp, log, pow, divide ...) is worth keeping
_CHEAP = {"add", "subtract", "multiply", "negative", "positive", "square", "abs",
          "maximum", "minimum", "equal", "not_equal", "less", "less_equal", "greater",
          "greater_equal", "logical_and", "logical_or", "logical_not", "logical_xor",
          "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_invert"}


def _cached_value(stages, final_nodes, outputs):
    """The value of the last stage's map a row kernel keeps in its first output for
    the output loop (see ``_lower.row``): the latest one the output loop reads, of the
    first output's dtype, whose chain holds a costly op; or ``None``."""
    if not outputs or not stages:
        return None
    _, last = stages[-1]
    final_ids = {n.id for n in final_nodes}
    needed = {a.id for n in final_nodes for a in n.operands()}
    chain = {n.id: n for n in last}

    def costly(n, seen):
        if n.id in seen or n.id not in chain:
            return False
        seen.add(n.id)
        if n.kind == "user" or (n.kind == "ew" and n.op not in _CHEAP):
            return True
        return any(costly(a, seen) for a in n.operands())
    for n in reversed(last):
        if n.id in needed and n.id in final_ids and n.dtype is outputs[0].dtype and \
                costly(n, set()) and all(o is not n for o in outputs):
            return n
    return None


def _region_below(outputs, stop, nodes):
    """``nodes`` (topological) that ``outputs`` need when ``stop`` is known."""
    allowed = {n.id for n in nodes}
    keep = set()

    def visit(n):
        if n.id in keep or n is stop or n.id not in allowed:
            return
        keep.add(n.id)
        for a in n.operands():
            visit(a)
    for o in outputs:
        visit(o)
    return [n for n in nodes if n.id in keep]


def _collapse(strides, sizes):
    """The one stride ``s`` with ``strides[i] == s * prod(sizes[i+1:])`` wherever
    ``sizes[i] > 1`` (the axes walked as one flat index), or ``None``."""
    if 0 in sizes:
        return 0  # nothing to walk
    found = None
    inner = 1
    for st, n in zip(reversed(strides), reversed(sizes)):
        if n > 1:
            if st % inner:
                return None
            cand = st // inner
            if found is None:
                found = cand
            elif cand != found:
                return None
        inner *= n
    return 0 if found is None else found


def _grid_layout(views, full, axes):
    """(C, [(row stride, stride of the leading reduced axes, stride along the last)] per
    leaf) for the map+reduce ``grid`` variant (``_lower._grid_chunk``), or ``None``
    when a leaf's kept axes or leading reduced axes do not walk as one stride."""
    if not axes:
        return None
    nd = len(full)
    kept = [d for d in range(nd) if d not in axes]
    kept_sizes = [full[d] for d in kept]
    lead = list(axes[:-1])
    lead_sizes = [full[d] for d in lead]
    last = axes[-1]
    out = []
    for v in views:
        if len(v[2]) > nd:
            return None
        b = broadcast_strides(v[2], v[3], full)
        rs = _collapse([b[d] for d in kept], kept_sizes)
        s1 = _collapse([b[d] for d in lead], lead_sizes)
        if rs is None or s1 is None:
            return None
        out.append((rs, s1, b[last]))
    return full[last], out


class RowStep(Step):
    """Reductions over the trailing axes with ``keepdims`` and the elementwise values of
    the full shape that read them (a softmax, a layer norm): one kernel, one
    work-group per row (``_lower.row``).  Each row is read from memory once and its
    outputs written once; the reductions' results never leave the kernel.

    Where a call's layout does not fit (a leaf whose kept or reduced axes are not one
    flat stride each, shapes that no longer line up) or there are too few rows to fill
    the device, the same values run as the separate map+reduce and elementwise kernels
    (``fallback``)."""

    kind = "row"

    def __init__(self, stages, final_nodes, outputs, red_outputs, fallback):
        self.stages = stages            # [(reduce node, its map's nodes)]
        self.final_nodes = final_nodes
        self.outputs = outputs          # elementwise outputs of the full shape
        self.red_outputs = red_outputs  # reductions the program also needs
        self.fallback = fallback
        in_kernel = {red.id for red, _ in stages}
        leaves, seen = [], set()
        for red, nodes in stages:
            for n in nodes + [red]:
                for a in n.operands():
                    if a.id not in seen and a.id not in in_kernel and \
                            not any(a is m for m in nodes):
                        seen.add(a.id)
                        leaves.append(a)
        for n in final_nodes:
            for a in n.operands():
                if a.id not in seen and a.id not in in_kernel and \
                        not any(a is m for m in final_nodes):
                    seen.add(a.id)
                    leaves.append(a)
        self.leaves = leaves
        self.axes = stages[0][0].axes
        self.kernels = {}
        self.cached = _cached_value(stages, final_nodes, outputs)
        if self.cached is not None:
            self.final_nodes = _region_below(outputs, self.cached, final_nodes)

    def _signatures(self):
        n_args = len(self.outputs) + len(self.red_outputs)
        sig = ["buf"] * n_args + ["buf", INDEX, INDEX, INDEX] * len(self.leaves) + \
            [INDEX, INDEX]
        return ["hal_jit_row"], {"hal_jit_row": sig}

    def source(self, target, variant, device_dtypes, group=256):
        """``variant``: "row", or (group, per-leaf element stride "1", "0" or "s")."""
        from . import _lower
        cols = None
        if variant != "row":
            group, cols = variant
        return _lower.row(target, self.leaves, self.stages, self.final_nodes, self.outputs,
                          self.red_outputs, group, device_dtypes, cols, self.cached)

    def run(self, env, ctx):
        launcher = ctx.launcher
        plan = None if launcher is None else self._plan(env, launcher)
        if plan is None:
            for step in self.fallback:
                step.run(env, ctx)
            return
        full, n_rows, R, layout = plan
        group = launcher.row_group
        variant = (group, tuple("1" if cs == 1 else "0" if cs == 0 else "s"
                                for _, _, _, cs in layout))
        ks = _step_kernels(self, ctx, variant, "row", self._signatures)
        outs = [launcher.empty(full, o.dtype) for o in self.outputs]
        kept = tuple(1 if d in self.axes else s for d, s in enumerate(full))
        routs = [launcher.empty(kept, r.dtype) for r in self.red_outputs]
        args = [launcher.buffer(o) for o in outs + routs]
        for buf, off, rs, cs in layout:
            args += [buf, Index(off), Index(rs), Index(cs)]
        args += [Index(R), Index(n_rows)]
        launcher.launch(ks["hal_jit_row"], n_rows * group, args, group=group)
        for o, native in zip(self.outputs, outs):
            env[o] = launcher.wrap(native, o.dtype)
        for r, native in zip(self.red_outputs, routs):
            env[r] = launcher.wrap(native, r.dtype)
        ctx.bytes_moved += sum(_nbytes(env[x]) for x in self.leaves) + \
            sum(_nbytes(env[o]) for o in self.outputs + self.red_outputs)
        if ctx.trace_events is not None:
            ctx.trace_events.append(self)

    def _plan(self, env, launcher):
        """(full shape, rows, row length, per-leaf (buffer, offset, row stride, element
        stride)) for this call, or ``None`` to run the fallback kernels."""
        shapes = {x.id: tuple(_shape_of(env[x])) for x in self.leaves}
        for red, nodes in self.stages:
            for n in nodes:
                shapes[n.id] = _broadcast([shapes[a.id] for a in n.operands()])
            full = shapes[red.args[0].id]
            shapes[red.id] = tuple(1 if d in red.axes else s for d, s in enumerate(full))
        for n in self.final_nodes:
            shapes[n.id] = _broadcast([shapes[a.id] for a in n.operands()])
        full = shapes[self.stages[0][0].args[0].id]
        if any(shapes[red.args[0].id] != full for red, _ in self.stages) or \
                any(shapes[o.id] != full for o in self.outputs):
            return None
        nd = len(full)
        axes = self.axes
        kept_sizes = [full[d] for d in range(nd) if d not in axes]
        red_sizes = [full[d] for d in axes]
        n_rows = R = 1
        for v in kept_sizes:
            n_rows *= v
        for v in red_sizes:
            R *= v
        units = getattr(getattr(launcher, "state", None), "compute_units", 4) or 4
        if n_rows < 4 * units or R < 16:
            return None  # too few rows to fill the device, or rows too short to pay
        layout = []
        for x in self.leaves:
            v = launcher.view(env[x]._native)
            if len(v[2]) > nd:
                return None
            b = broadcast_strides(v[2], v[3], full)
            rs = _collapse([b[d] for d in range(nd) if d not in axes], kept_sizes)
            cs = _collapse([b[d] for d in axes], red_sizes)
            if rs is None or cs is None:
                return None
            layout.append((v[0], v[1], rs, cs))
        return full, n_rows, R, layout

    def describe(self):
        lines = [f"row kernel: {len(self.stages)} reduction(s) over axes {self.axes} and "
                 f"{len(self.outputs)} elementwise output(s), one work-group per row",
                 "  inputs: " + ", ".join(f"%{x.id} ({x.dtype.name})" for x in self.leaves)]
        for red, nodes in self.stages:
            lines += ["  " + n.describe() for n in nodes] + ["  " + red.describe()]
        lines += ["  " + n.describe() for n in self.final_nodes]
        lines.append("  writes: " + ", ".join(f"%{o.id}" for o in
                                               self.outputs + self.red_outputs))
        return lines


def _shape_of(a):
    return a._native.shape if a.__class__ is Array else a.shape


def _nbytes(a) -> int:
    n = a.dtype.itemsize
    for s in _shape_of(a):
        n *= s
    return n




class Context:
    """What steps need while running: the launcher (or None), statistics."""

    def __init__(self, launcher, stats):
        self.launcher = launcher
        self.stats = stats
        self.bytes_moved = 0
        self.trace_events = None
        self._units = None

    def groups(self, n_out: int, R: int) -> int:
        """Work-items per output of a reduction: enough in all to fill the device
        (compute units x 64, interleaved, as kernels/reduce.c's launch aims for
        ``waves`` chunks per unit), one per output when there are that many outputs."""
        if self._units is None:
            state = getattr(self.launcher, "state", None)
            self._units = getattr(state, "compute_units", 4) or 4
        target = self._units * 64
        if n_out >= target or R < 4096:
            return 1
        return max(1, min(R // 1024, -(-target // n_out), 4096))


# -- recording --------------------------------------------------------------------------

class Recorder:
    """One trace: builds the graph and, as values are needed, the program's steps."""

    def __init__(self, device, ctx, fname):
        from ._namespace import Namespace
        self.device = device
        self.ctx = ctx
        self.fname = fname
        self.steps: list[Step] = []
        self.env: dict = {}
        self.captures: dict = {}
        self.shape_dependent = ""
        #: reductions already recorded, by (op, operand, axes, keepdims): one node each
        self.memo: dict = {}
        self.namespace = Namespace(self)

    def shape_read(self, tracer) -> None:
        if not self.shape_dependent:
            self.shape_dependent = user_line()

    def tracer(self, node: Node, shape) -> Tracer:
        t = new_array((node, tuple(shape), self), Placement.of(self.device, node.dtype))
        t.__class__ = Tracer
        return t

    def input(self, k, array) -> Tracer:
        node = Node("input", k, (), array.dtype, array.ndim)
        self.env[node] = array
        return self.tracer(node, array.shape)

    def lift(self, x):
        """A Tracer for ``x``: itself, or a real Array captured as a leaf."""
        if isinstance(x, Tracer):
            if x._rec is not self:
                raise HalTracingError("hal.jit: a tracer from another jitted call was used "
                                      f"here ({user_line()}); do not keep tracers")
            return x
        if isinstance(x, Array):
            node = Node("value", "captured", (), x.dtype, x.ndim, where=user_line())
            self.env[node] = self.captures[node] = x
            return self.tracer(node, x.shape)
        return x

    # -- values
    def materialize(self, nodes):
        """Run steps until every node of ``nodes`` has a value in ``env``."""
        pending = []
        for n in nodes:
            if n not in self.env and n not in pending:
                pending.append(n)
        if not pending:
            return
        pending = self._rows(pending)
        # reductions the pending regions read come first
        for n in pending:
            root = n.args[0] if n.kind == "reduce" else n
            leaves, _ = _region(root, self.env)
            inner = [x for x in leaves if x.kind == "reduce" and x not in self.env]
            self.materialize(inner)
        groups: dict = {}
        for n in pending:
            if n in self.env:  # computed meanwhile, as another's inner reduction
                continue
            if n.kind == "reduce":
                leaves, order = _region(n.args[0], self.env)
                self._add(KernelStep(leaves, order, [], red=n))
            else:
                groups.setdefault(self.shapes[n.id], []).append(n)
        for outs in groups.values():
            self._add(KernelStep(*_merged_region(outs, self.env), outs))

    def _shape(self, node):
        if node in self.env:
            return tuple(_shape_of(self.env[node]))
        return self._shapes[node.id]

    def _row_reductions(self, outs):
        """The pending reductions ``outs`` read (through fusible nodes and through
        those reductions' own maps), in dependency order, if every one is a row
        reduction of ``outs``' shape (trailing axes, keepdims) and there is one at
        least; else ``None``."""
        shape = self._shape(outs[0])
        found, seen = [], set()
        ok = [True]

        def visit(n):
            if n.id in seen or n in self.env:
                return
            seen.add(n.id)
            if n.kind == "reduce":
                nd = len(shape)
                if not (n.keepdims and n.op in ROW_OPS and n.axes and
                        n.axes == tuple(range(nd - len(n.axes), nd)) and
                        self._shape(n.args[0]) == shape and
                        (not found or found[0].axes == n.axes)):
                    ok[0] = False
                    return
                visit(n.args[0])
                found.append(n)
                return
            if not n.fusible:
                return
            for a in n.operands():
                visit(a)
        for o in outs:
            visit(o)
        return found if ok[0] and found else None

    def _rows(self, pending):
        """Row steps for the pending elementwise values that read row reductions
        (see ``RowStep``); returns the nodes still pending."""
        groups: dict = {}
        for n in pending:
            if n.kind != "reduce":
                groups.setdefault(self._shapes[n.id], []).append(n)
        done = set()
        for outs in groups.values():
            reds = self._row_reductions(outs)
            if reds is None:
                continue
            stages = [(red, _region(red.args[0], self.env)[1]) for red in reds]
            final, seen = [], set()
            for o in outs:
                for x in _region(o, self.env)[1]:
                    if x.id not in seen:
                        seen.add(x.id)
                        final.append(x)
            red_outs = [r for r in reds if any(r is p for p in pending)]
            fallback = [KernelStep(*_region(red.args[0], self.env), [], red=red)
                        for red in reds]
            fallback.append(KernelStep(*_merged_region(outs, self.env), outs))
            self._add(RowStep(stages, final, outs, red_outs, fallback))
            done.update(id(n) for n in outs + red_outs)
        return [n for n in pending if id(n) not in done]

    def _add(self, step):
        self.steps.append(step)
        step.run(self.env, self.ctx)

    @property
    def shapes(self):
        return self._shapes

    def broadcast(self, shapes):
        return _broadcast(shapes)

    def node(self, kind, op, args, dtype, shape, **kw) -> Tracer:
        node = Node(kind, op, args, dtype, len(shape), **kw)
        self._shapes[node.id] = tuple(shape)
        return self.tracer(node, shape)

    def cut(self, name, fn, args, kwargs):
        """Run ``fn`` eagerly on materialised values; its arrays become new leaves."""
        where = user_line()
        leaves, _ = _flatten((args, kwargs))
        tracers = [t for t in leaves if isinstance(t, Tracer)]
        self.materialize([t._node for t in tracers])
        t_args = _map(args, lambda v: v._node if isinstance(v, Tracer) else v)
        t_kwargs = _map(kwargs, lambda v: v._node if isinstance(v, Tracer) else v)
        step = EagerStep(name, fn, t_args, t_kwargs, [], None, where)
        result = step.run(self.env, self.ctx)
        res_leaves, rebuild = _flatten(result)
        wrapped = []
        for x in res_leaves:
            if isinstance(x, Array):
                node = Node("value", name, (), x.dtype, x.ndim, where=where)
                self.env[node] = x
                step.outs.append(node)
                wrapped.append(self.tracer(node, x.shape))
            else:
                wrapped.append(x)
        self.steps.append(step)
        return rebuild(wrapped)


Recorder._shapes = None


def new_recorder(device, ctx, fname):
    rec = Recorder(device, ctx, fname)
    rec._shapes = {}
    return rec


class Program:
    """A finished trace: inputs, steps and outputs, replayable."""

    def __init__(self, rec: Recorder, inputs, out_template, out_nodes):
        self.inputs = inputs
        self.steps = rec.steps
        self.captures = rec.captures
        self.out_template = out_template  # rebuild function of the outputs
        self.out_nodes = out_nodes        # Node or a constant per output leaf
        self.shape_dependent = rec.shape_dependent

    def run(self, arrays, ctx):
        env = dict(self.captures)
        env.update(zip(self.inputs, arrays))
        for step in self.steps:
            step.run(env, ctx)
        return self.out_template([env[n] if isinstance(n, Node) else n
                                  for n in self.out_nodes])


def finish(rec: Recorder, inputs, result) -> tuple[Program, object]:
    leaves, rebuild = _flatten(result)
    nodes = []
    for x in leaves:
        if isinstance(x, Tracer):
            nodes.append(rec.lift(x)._node)
        elif isinstance(x, Array):
            nodes.append(rec.lift(x)._node)
        else:
            nodes.append(x)
    rec.materialize([n for n in nodes if isinstance(n, Node)])
    program = Program(rec, inputs, rebuild, nodes)
    value = rebuild([rec.env[n] if isinstance(n, Node) else n for n in nodes])
    return program, value


def check_dtype(dtype):
    if not isinstance(dtype, _dtypes.DType):
        raise HalValueError(f"not a dtype: {dtype!r}")


_install_operators_done = False


def install_operators(namespace_ops):
    global _install_operators_done
    if not _install_operators_done:
        _install_operators(namespace_ops)
        _install_operators_done = True


__all__ = ["Recorder", "Program", "Context", "Retrace", "finish", "new_recorder",
           "REDUCTIONS", "ew_dtypes", "int_scalar_in_range", "normalise_axes",
           "reduce_node_dtype"]
