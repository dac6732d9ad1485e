"""Lazy evaluation: elementwise results kept as expression trees, fused when needed.

Runs on devices whose plugin builds portable kernels (``hal.jit``'s launchers: OpenCL,
oneAPI with raw kernels), where a launch costs 5-100 us: a chain of ops on a large
array becomes one kernel and one pass over memory, not one per op.  On by default on
OpenCL (``DEFAULT_BACKENDS``); ``HAL_LAZY=1`` turns it on for every such device,
``HAL_LAZY=0`` off for the process, ``with hal.lazy():`` / ``hal.lazy(False)`` for a
block of one thread.  Results under ``MIN_SIZE`` elements run eagerly (their time is
the launch).  On the NumPy device, and any device that builds no fused kernel, it is
a no-op.

Laziness lives in the dispatcher: while lazy mode is *armed* (from the start unless
``HAL_LAZY=0``; else once a thread asks for it), ``_dispatch.resolve`` wraps every
kernel it chooses:

* an elementwise op (or ``astype``) whose fused form computes bit for bit what the
  eager kernel computes returns a :class:`Pending` node (op, loop dtype, inputs) in
  place of a native array; dtype checks, promotion, casts and Python-int range checks
  ran before, in eager's own resolution, so errors come at the op call as eagerly;
* every other kernel first materialises its Pending arguments (one fused kernel per
  tree, built with ``hal.jit``'s lowering through the plugin's ``hal_compile_kernel``);
  ``setitem`` first materialises *every* live node, since it writes into memory a
  pending tree may read.

The device's runtime is wrapped too (``_LazyRuntime``), so host transfers, host views,
DLPack, ``synchronize``, printing and pickling see materialised arrays, and the exports
(which let another library write the memory) first materialise every live node.  An
input whose memory is shared with the host (a live host view, DLPack) is never
deferred: the op runs eagerly.  Nodes are immutable; materialising caches the value.

With ``HAL_LAZY=0``, disarming (the last lazy context left, no node alive) clears the
dispatcher caches and restores the runtimes, so eager programs pay nothing for lazy
mode existing.  Armed by default, an op on a device where lazy mode is off (or a
small result) pays about 0.5 us for the wrappers.
"""

from __future__ import annotations

import itertools
import sys
import threading
import weakref

import numpy as np

from . import _dtypes, _env

__all__ = ["lazy", "Pending", "materialize", "enabled"]

#: a tree's inputs are materialised before it grows past this many nodes (kernel size,
#: compile time, recursion depth and the kernel's argument bytes stay bounded)
MAX_NODES = 48

#: elementwise results with fewer elements than this run eagerly even in lazy mode:
#: below it a kernel's time is its launch, and building and lowering a tree costs
#: more than the launches fusion saves (benchmarks/lazy_programs.py, README "Lazy
#: evaluation"); ``HAL_LAZY_MIN_SIZE`` overrides it
MIN_SIZE = int(_env.get("HAL_LAZY_MIN_SIZE", "65536"))

_TLS = threading.local()
#: ``HAL_LAZY``: unset ("auto"), lazy by default on the backends of DEFAULT_BACKENDS;
#: ``1`` on every device that builds fused kernels; ``0`` nowhere (``hal.lazy()``
#: still turns it on for a block)
_MODE = (_env.get("HAL_LAZY", "auto") or "auto").lower()
_DEFAULT = _MODE not in ("0", "false", "no", "off")
#: where lazy mode is on by default: OpenCL, where a fused tree beats its eager ops
#: 1.3-5x from 10^5 elements (benchmarks/lazy_programs.py).  Not oneAPI: a dpctl
#: launch costs twice PyOpenCL's and waits for dpnp's out-of-order queue first, and
#: lazy there ranged from 2.9x eager (a stencil) to 0.53x (conjugate gradient).
DEFAULT_BACKENDS = frozenset(("opencl",))
_LOCK = threading.RLock()
# on by default: armed from the start; each device's runtime is wrapped when the
# dispatcher first resolves an op for it (``wrap``), so importing hal loads nothing
ARMED = _DEFAULT
_ACTIVE = 0            # lazy(True) contexts open, every thread
_ALIVE = 0             # Pending nodes alive (disarming waits for none)
_LIVE: dict = {}       # seq -> weakref of every unmaterialised node
_seq = itertools.count()
_LAUNCHERS: dict = {}  # device -> launcher or None
_KERNELS: dict = {}    # (device, structure, variant) -> kernel
_SAVED_RUNTIMES: dict = {}
STATS = {"nodes": 0, "kernels": 0, "compiles": 0, "eager_inputs_shared": 0,
         "eager_trees": 0}

# ops whose eager kernel on oneAPI is dpnp's own function, not hal's portable source:
# only these give dpnp's results bit for bit when fused (exact IEEE operations and
# integer/bool logic); the others run eagerly there.  On OpenCL eager and fused code
# are the same elementwise_ops.h functions, so every real op fuses.
_ONEAPI_EXACT = frozenset((
    "add", "subtract", "multiply", "negative", "positive", "abs", "square",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_invert",
    "maximum", "minimum"))


def enabled() -> bool:
    return getattr(_TLS, "on", _DEFAULT)


def _default_for(device) -> bool:
    """Lazy mode on ``device`` where no ``hal.lazy`` context says otherwise."""
    if _MODE in ("1", "true", "yes", "on"):
        return True
    return _DEFAULT and device.backend in DEFAULT_BACKENDS


class lazy:
    """``with hal.lazy():`` runs this thread's elementwise ops lazily on devices that
    build fused kernels (``hal.lazy(False)`` turns it off inside).  Results are the
    eager results; only when kernels run changes.  ``HAL_LAZY=1`` turns it on for
    every thread."""

    def __init__(self, on: bool = True):
        self.on = bool(on)
        self._saved = []

    def __enter__(self):
        global _ACTIVE
        self._saved.append(getattr(_TLS, "on", None))
        _TLS.on = self.on
        if self.on:
            with _LOCK:
                _ACTIVE += 1
                _arm()
        return self

    def __exit__(self, *exc):
        global _ACTIVE
        prev = self._saved.pop()
        if prev is None:
            del _TLS.on
        else:
            _TLS.on = prev
        if self.on:
            with _LOCK:
                _ACTIVE -= 1
                if _ACTIVE == 0 and not _DEFAULT:
                    flush()
                    _maybe_disarm()
        return False


def _arm() -> None:
    global ARMED
    if ARMED:
        return
    from . import _dispatch
    from ._plugins import host
    for state in host.backends.values():
        for dev in state.devices:
            if _launcher(dev) is not None:
                _wrap_runtime(dev)
    ARMED = True
    _dispatch.clear_caches()


def _wrap_runtime(dev) -> None:
    """Code outside the dispatcher (host copies, views, DLPack) must see values, never
    Pending nodes: the device's runtime materialises what it is given.  Called at
    arming for the devices already in use, and by ``wrap`` for any device whose first
    op is resolved while armed (a backend activated later would otherwise hand its
    Pending nodes to its vendor library: dpnp.asnumpy made an object array of them)."""
    with _LOCK:
        if dev not in _SAVED_RUNTIMES and dev.runtime is not None:
            _SAVED_RUNTIMES[dev] = dev.runtime
            dev.runtime = _LazyRuntime(dev.runtime)


def _maybe_disarm() -> None:
    global ARMED
    if not ARMED or _ALIVE or _ACTIVE or _DEFAULT:
        return
    from . import _dispatch
    ARMED = False
    for dev, rt in _SAVED_RUNTIMES.items():
        dev.runtime = rt
    _SAVED_RUNTIMES.clear()
    _dispatch.clear_caches()


def _launcher(device):
    if device in _LAUNCHERS:
        return _LAUNCHERS[device]
    launcher = None
    if device.backend in ("opencl", "oneapi"):
        from ._jit._backends import launcher_for
        try:
            launcher = launcher_for(device)[0]
        except Exception:  # a device that cannot launch: eager, as before
            launcher = None
    _LAUNCHERS[device] = launcher
    return launcher


# -- nodes ------------------------------------------------------------------------------

class Pending:
    """An elementwise result not computed yet: op, loop dtype, inputs (natives, other
    nodes, Python scalars).  Stands where a native array stands; any attribute it does
    not have itself is the materialised native's."""

    __slots__ = ("op", "args", "hdtype", "loop", "shape", "device", "count", "_value",
                 "seq", "__weakref__")

    def __init__(self, op, args, hdtype, loop, shape, device, count):
        global _ALIVE
        self.op, self.args, self.hdtype, self.loop = op, args, hdtype, loop
        self.shape, self.device, self.count = shape, device, count
        self._value = None
        self.seq = seq = next(_seq)
        with _LOCK:
            _ALIVE += 1
        _LIVE[seq] = weakref.ref(self, lambda _r, s=seq: _LIVE.pop(s, None))
        STATS["nodes"] += 1

    def __del__(self):
        global _ALIVE
        with _LOCK:
            _ALIVE -= 1

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(materialize(self), name)

    def __repr__(self):
        state = "materialised" if self._value is not None else "pending"
        return f"<hal lazy {self.op} {self.hdtype.name}{list(self.shape)} {state}>"


def materialize(p):
    """The native array of ``p`` (a Pending node, or already a native)."""
    if p.__class__ is not Pending:
        return p
    v = p._value
    if v is None:
        with _LOCK:
            if p._value is None:
                _run(p)
            v = p._value
    return v


def _unwrap(a):
    """``a`` with every Pending (also inside tuples and lists) materialised."""
    c = a.__class__
    if c is Pending:
        return materialize(a)
    if c is tuple or c is list:
        return c(_unwrap(x) for x in a)
    return a


def _has_pending(args) -> bool:
    for a in args:
        c = a.__class__
        if c is Pending or ((c is tuple or c is list) and _has_pending(a)):
            return True
    return False


def flush() -> None:
    """Materialise every live node (newest first: a parent's kernel computes its
    children inside, which then die unless something else holds them)."""
    if not _LIVE:
        return
    with _LOCK:
        for seq in sorted(_LIVE, reverse=True):
            ref = _LIVE.get(seq)
            node = ref() if ref is not None else None
            if node is not None and node._value is None:
                _run(node)
            node = None


# -- wrapping the dispatcher's kernels ----------------------------------------------------

def wrap(o, device, dtypes, fn, res):
    """The kernel ``fn`` that ``resolve`` chose, as lazy mode runs it."""
    launcher = _launcher(device)
    if launcher is None:
        return fn
    _wrap_runtime(device)  # a device first used after arming: its runtime too
    name = o.name
    kind = o.spec.kind
    if kind in ("unary", "binary") and res.how == "kernel" and len(dtypes) == 1 and \
            _fusible(device, name, dtypes[0], res):
        from ._elementwise import _result_dtype
        return _elementwise(fn, name, dtypes[0], _result_dtype(o.spec, dtypes[0]), device,
                            launcher, kind == "unary")
    if name == "astype" and res.how == "kernel":
        return _astype(fn, device, launcher)
    mutates = name in ("setitem", "setitem_advanced")

    def run(*args, **kwargs):
        if mutates:
            flush()
        if _has_pending(args):
            args = _unwrap(args)
        if kwargs and _has_pending(kwargs.values()):
            kwargs = {k: _unwrap(v) for k, v in kwargs.items()}
        return fn(*args, **kwargs)
    return run


def _fusible(device, name, loop, res) -> bool:
    if loop.kind == "c" or loop is _dtypes.float16:
        return False
    if device.backend == "oneapi":
        return name in _ONEAPI_EXACT or res.kernel.startswith("hal.kernels")
    return device.backend == "opencl"


def _shared(launcher, native) -> bool:
    """Whether ``native``'s memory is visible to another library (a live host view,
    DLPack): then a deferred read could see a later foreign write."""
    fn = getattr(launcher, "shared", None)
    return fn is not None and fn(native)


def _shape(shapes):
    first = shapes[0]
    for s in shapes[1:]:
        if s != first:
            import hal
            return tuple(hal.broadcast_shapes(*shapes))
    return first


_SCALARS = frozenset((bool, int, float))


def _elementwise(fn, name, loop, out_dtype, device, launcher, unary):
    scalar_kind = loop.kind
    default = _default_for(device)
    out_size = out_dtype.itemsize
    limit = _allocation_limit(device)

    def eager(args):
        return fn(*[materialize(a) for a in args])

    def run(*args):
        if not getattr(_TLS, "on", default):
            return eager(args)
        # fast path, no Pending operand and a small result (the common small op):
        # the eager kernel at once, for about 0.3 us more than eager mode
        a0 = args[0]
        c0 = a0.__class__
        if unary:
            if c0 is not Pending and a0.size < MIN_SIZE:
                return fn(a0)
        else:
            a1 = args[1]
            c1 = a1.__class__
            if c0 is not Pending and c1 is not Pending:
                if c1 in _SCALARS:
                    if a0.size < MIN_SIZE:
                        return fn(a0, a1)
                elif c0 in _SCALARS:
                    if a1.size < MIN_SIZE:
                        return fn(a0, a1)
                elif c0 is c1 and a0.size < MIN_SIZE and a0.shape == a1.shape:
                    return fn(a0, a1)
        inputs, shapes, count = [], [], 1
        for a in args:
            c = a.__class__
            if c is Pending:
                if a._value is not None:
                    a = a._value
                else:
                    if a.device is not device:
                        return eager(args)
                    count += a.count
                    inputs.append(a)
                    shapes.append(a.shape)
                    continue
            elif c is bool or c is int or c is float:
                if scalar_kind in "fc" and c is int:
                    float(a)  # eager's OverflowError for ints beyond float64
                inputs.append(a)
                continue
            if _shared(launcher, a):
                STATS["eager_inputs_shared"] += 1
                return eager(args)
            inputs.append(a)
            shapes.append(tuple(a.shape))
        if not shapes:
            return eager(args)
        try:
            shape = _shape(shapes)
        except Exception:
            return eager(args)  # eager's own error, at the op call
        size = 1
        for extent in shape:
            size *= extent
        if count == 1 and size < MIN_SIZE:
            return fn(*inputs)  # small: the launch is the cost (MIN_SIZE)
        if size * out_size > limit:
            return eager(args)  # too large to allocate: eager's HalMemoryError, now
        if count > MAX_NODES:
            inputs = [materialize(a) if a.__class__ is Pending else a for a in inputs]
            count = 1
        return Pending(name, tuple(inputs), out_dtype, loop, shape, device, count)
    return run


def _allocation_limit(device) -> int:
    info = getattr(device, "info", None)
    return getattr(info, "max_allocation_bytes", None) or sys.maxsize


def _astype(fn, device, launcher):
    limit = _allocation_limit(device)
    default = _default_for(device)

    def run(x, dtype, copy=True, **kw):
        if kw or not getattr(_TLS, "on", default) or dtype.kind == "c" or \
                dtype is _dtypes.float16:
            return fn(materialize(x), dtype, copy=copy, **kw)
        if x.__class__ is Pending:
            src, count = x.hdtype, x.count + 1
            if x._value is not None:
                x, count = x._value, 1
            elif x.device is not device:
                return fn(materialize(x), dtype, copy=copy)
        else:
            count = 1
            src = device.runtime.dtype_of(x)
            if _shared(launcher, x):
                return fn(x, dtype, copy=copy)
        if src.kind == "c" or src is _dtypes.float16:
            return fn(materialize(x), dtype, copy=copy)
        if src is dtype and not copy:
            return x  # eager hands back the same array
        size = x.size
        if (count == 1 and size < MIN_SIZE) or size * dtype.itemsize > limit:
            return fn(materialize(x), dtype, copy=copy)  # small, or eager's HalMemoryError now
        if count > MAX_NODES:
            x, count = materialize(x), 1
        return Pending("astype", (x,), dtype, None, tuple(x.shape), device, count)
    return run


# -- materialising: one fused kernel per tree ---------------------------------------------

def _run(root: Pending) -> None:
    """Materialise ``root`` (and the inner nodes ``_kept_inner_nodes`` picks) with one
    kernel.  It runs later than the op that made ``root``, often inside another op,
    ``synchronize`` or a host copy: a failure (out of memory, above all) is turned
    into the hal error naming ``root``'s op and device, as eager would have raised
    it, and the nodes stay pending."""
    try:
        _run_tree(root)
    except Exception as exc:
        from ._errors import translate
        err = translate(exc, root.op, root.device)
        if err is exc:
            raise
        raise err from exc


def _run_tree(root: Pending) -> None:
    # (a module-level import would be circular: hal._jit._backends imports this one)
    from ._jit._backends import Index as _Index
    from ._jit._backends import ew_variant, rows_args, strided_args
    device = root.device
    launcher = _launcher(device)
    order: list = []       # nodes, topological
    index: dict = {}       # id(node) -> position in order
    leaves: list = []      # natives
    leaf_ix: dict = {}
    scalars: list = []     # (value, dtype)
    struct: list = []
    uses: list = []        # per node: how many operand slots of the tree hold it

    def ref(a, loop):
        c = a.__class__
        if c is Pending:
            if a._value is None:
                j = index.get(id(a))
                if j is None:
                    visit(a)
                    j = index[id(a)]
                uses[j] += 1
                return ("n", j)
            a = a._value
        elif c is bool or c is int or c is float:
            scalars.append((a, loop))
            return ("s", len(scalars) - 1)
        k = leaf_ix.get(id(a))
        if k is None:
            k = leaf_ix[id(a)] = len(leaves)
            leaves.append(a)
        return ("l", k)

    def visit(n):
        refs = tuple(ref(a, n.loop) for a in n.args)
        index[id(n)] = len(order)
        order.append(n)
        uses.append(0)
        struct.append((n.op, n.loop, n.hdtype, refs))

    visit(root)
    # ``ref`` and ``visit`` refer to each other: a reference cycle that would keep
    # ``order`` (every node of the tree) alive until the garbage collector runs, so
    # a ``flush`` would then compute each inner node again as a tree of its own
    ref = visit = None  # noqa: F811
    shape = root.shape
    outputs = _kept_inner_nodes(order, uses, shape) + [len(order) - 1]
    rt = _SAVED_RUNTIMES.get(device, device.runtime)
    leaf_dtypes = tuple(rt.dtype_of(x) for x in leaves)
    views = [launcher.view(x) for x in leaves]
    variant, layout = ew_variant(launcher, views, shape)
    key = (device, tuple(struct), leaf_dtypes, variant, tuple(outputs))
    kernel = _KERNELS.get(key)
    if kernel is None:
        from ._errors import KernelBuildError
        try:
            kernel = _compile(launcher, device, struct, leaf_dtypes,
                              [d for _, d in scalars], variant, outputs)
        except KernelBuildError:
            # fusion is an optimisation: a tree whose kernel the driver cannot build
            # (a compiler out of memory, a driver limit) runs op by op, as eager would
            STATS["eager_trees"] += 1
            kernel = _EAGER
        _KERNELS[key] = kernel
    if kernel is _EAGER:
        _run_eagerly(order, outputs, rt)
        order.clear()
        return
    n = 1
    for s in shape:
        n *= s
    outs = [launcher.empty(shape, order[j].hdtype) for j in outputs]
    if n:
        args = [launcher.buffer(o) for o in outs]
        for v in views:
            args += [v[0], _Index(v[1])]
        plain = getattr(launcher, "packs_python_scalars", False)
        for value, dtype in scalars:
            args.append(_scalar_arg(value, dtype, plain))
        if layout is not None:
            launcher.launch_rows(kernel, layout[2], layout[1], layout[0],
                                 args + rows_args(layout))
        else:
            args.append(_Index(n))
            if variant == "strided":
                args += strided_args(launcher, views, shape)
            launcher.launch_own(kernel, n, args)
        STATS["kernels"] += 1
    for j, out in zip(outputs, outs):
        node = order[j]
        node._value = out
        node.args = ()
        _LIVE.pop(node.seq, None)
    order.clear()


#: ``_KERNELS`` entry of a tree whose fused kernel failed to build: it runs eagerly
_EAGER = object()


def _run_eagerly(order, outputs, rt) -> None:
    """Every node of a tree (``order``, topological) by hal's eager ops, lazy mode off
    for this thread: the same kernels, promotions and results as if it had never been
    deferred; the nodes at ``outputs`` keep their values."""
    import hal
    from ._array import Placement, new_array
    values: dict = {}

    def arg(a):
        c = a.__class__
        if c is Pending:
            if a._value is None:
                return values[id(a)]
            a = a._value
        elif c is bool or c is int or c is float:
            return a
        return new_array(a, Placement.of(device, rt.dtype_of(a)))
    device = order[-1].device
    with lazy(False):
        for node in order:
            args = [arg(a) for a in node.args]
            if node.op == "astype":
                values[id(node)] = hal.astype(args[0], node.hdtype)
            else:
                values[id(node)] = getattr(hal, node.op)(*args)
    for j in outputs:
        node = order[j]
        node._value = values[id(node)]._native
        node.args = ()
        _LIVE.pop(node.seq, None)


#: references to an inner node that ``_kept_inner_nodes`` itself holds: the ``order``
#: list, its local variable and ``sys.getrefcount``'s argument
_OWN_REFS = 3


def _kept_inner_nodes(order, uses, shape) -> list:
    """Positions of the inner nodes of a tree that something outside the tree still
    holds (a variable, another pending tree): the kernel writes them too, as extra
    outputs, so they are not computed again later (``err = p - y`` read by four
    ``mean(err * col)`` trees was four times the whole tree of ``err``).  Counting
    references can only err towards writing a node nobody reads again, or towards
    computing one again: neither changes a value.  Only nodes of the tree's shape
    share its iteration space."""
    kept = []
    getrefcount = sys.getrefcount
    for j in range(len(order) - 1):
        node = order[j]
        if node.shape == shape and getrefcount(node) - uses[j] > _OWN_REFS:
            kept.append(j)
        node = None
    return kept


def _scalar_arg(value, dtype, plain: bool):
    """A Python scalar as the kernel argument of loop dtype ``dtype``.  ``plain``: the
    launcher packs Python numbers into the kernel's typed scalar arguments itself
    (PyOpenCL, rounding as NumPy's conversion rounds; eager checked the range), which
    is several times cheaper than making a NumPy scalar first."""
    if dtype.kind == "b":
        return (1 if value else 0) if plain else np.uint8(1 if value else 0)
    if plain:
        if dtype.kind != "f":
            return value
        value = float(value)
        # PyOpenCL refuses a float that rounds to infinity in float32 (NumPy gives inf)
        if dtype.itemsize == 8 or abs(value) <= _FLOAT32_MAX:
            return value
    return dtype.numpy.type(value)


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _compile(launcher, device, struct, leaf_dtypes, scalar_dtypes, variant, outputs):
    from ._jit import _lower
    from ._jit._backends import INDEX, INT, compile_source
    from ._jit._graph import Node
    leaf_nodes = [Node("input", k, (), d, 0) for k, d in enumerate(leaf_dtypes)]
    scalar_nodes = [Node("input", f"s{k}", (), d, 0) for k, d in enumerate(scalar_dtypes)]
    nodes: list = []
    for op, loop, dtype, refs in struct:
        args = [leaf_nodes[i] if t == "l" else scalar_nodes[i] if t == "s" else nodes[i]
                for t, i in refs]
        if op == "astype":
            nodes.append(Node("cast", "astype", args, dtype, 0))
        else:
            nodes.append(Node("ew", op, args, dtype, 0, loop=loop))
    # ``visit`` appended each node after its operands: already topological
    body_nodes = nodes
    params = [f"GLOBAL_MEM {_lower.ctype(nodes[j].dtype)} *RESTRICT out{k}"
              for k, j in enumerate(outputs)]
    params += _lower._leaf_params(leaf_nodes)
    params += [f"const {_lower.ctype(s.dtype)} v{s.id}" for s in scalar_nodes]

    def reads(idx):
        return [f"    {_lower.ctype(x.dtype)} v{x.id} = in{k}[in{k}_off + {idx[k]}];"
                for k, x in enumerate(leaf_nodes)]
    stores = [f"    out{k}[i] = v{nodes[j].id};" for k, j in enumerate(outputs)]
    if variant[0] == "rows":
        lines = _lower.ew_rows_kernel("hal_jit_ew", params, variant[1:], reads,
                                      _lower.body(body_nodes), stores)
    else:
        lines = _lower.ew_kernel("hal_jit_ew", params, len(leaf_nodes), reads,
                                 _lower.body(body_nodes), stores, variant == "strided")
    loops = {n.loop for n in nodes if n.kind != "cast"} - {None}
    source = _lower.header(launcher.target, loops, device.dtypes) + "\n" + \
        _lower.canonical_names(lines) + "\n"
    options = _lower.options(device.dtypes, loops)
    program = compile_source(device, "hal lazy fused kernel", source, options)
    sig = ["buf"] * len(outputs) + ["buf", INDEX] * len(leaf_nodes)
    sig += [np.uint8 if d.kind == "b" else d.numpy.type for d in scalar_dtypes]
    if variant[0] == "rows":
        sig += [INDEX, INDEX] + [INDEX, INDEX] * len(leaf_nodes)
    else:
        sig.append(INDEX)
        if variant == "strided":
            sig += [INT, "buf"]
    STATS["compiles"] += 1
    (kernel,) = launcher.kernels(program, ["hal_jit_ew"], {"hal_jit_ew": sig}).values()
    return kernel


# -- the runtime, as code outside the dispatcher sees it -----------------------------------

class _LazyRuntime:
    """A device's runtime while lazy mode is armed: every native it is given is
    materialised first; exports that let another library see (and write) device
    memory first materialise every live node."""

    def __init__(self, rt):
        self._rt = rt

    @property
    def plugin_runtime(self):
        """The plugin's own runtime, wrapped (hal.testing checks the plugin's)."""
        return self._rt

    def __getattr__(self, name):
        value = getattr(self._rt, name)
        if callable(value):
            def call(*args, **kwargs):
                args = _unwrap(args)
                if kwargs:
                    kwargs = {k: _unwrap(v) for k, v in kwargs.items()}
                return value(*args, **kwargs)
            # kept: the next lookup is an attribute hit, not another closure
            self.__dict__[name] = call
            return call
        return value

    # the data plane's methods, explicitly (cheap and documented)
    def is_native(self, obj) -> bool:
        return obj.__class__ is Pending or self._rt.is_native(obj)

    def dtype_of(self, native):
        if native.__class__ is Pending:
            return native.hdtype
        return self._rt.dtype_of(native)

    def to_host(self, native):
        return self._rt.to_host(materialize(native))

    def host_view(self, native):
        flush()
        return self._rt.host_view(materialize(native))

    def dlpack(self, native, **kwargs):
        flush()
        return self._rt.dlpack(materialize(native), **kwargs)

    def dlpack_device(self, native):
        return self._rt.dlpack_device(materialize(native))

    def synchronize(self, device_index):
        flush()
        return self._rt.synchronize(device_index)

    def __repr__(self):
        return f"<lazy {self._rt!r}>"
