"""``hal.jit``: trace a function of the standard's ops, run it as few kernels as possible.

    @hal.jit
    def f(a, b, c, d, e):
        return a * b + c * d - e        # one fused kernel, no temporaries

The first call with a new cache key traces ``fn`` with tracers in place of its array
arguments (see ``_trace``), running as it records (``_run``); later calls replay the
recorded program.  The key holds each array's dtype, ndim and contiguity, the device,
and Python scalar and static arguments by value: never the exact shapes, unless the
function reads ``.shape`` (then shapes join the key, and ``f.stats`` says so).

Fused regions are compiled through the device's plugin (``hal_compile_kernel``: OpenCL,
oneAPI); on other devices (NumPy) the function simply runs eagerly, and ``hal.trace()``
records that with the reason.  ``f.explain(*args)`` shows the graph, the cuts, each
kernel's source, the bytes moved and the cache key.
"""

from __future__ import annotations

import functools
import time
import types

from .._array import Array
from .._errors import HalTypeError
from ._backends import launcher_for
from ._run import Context, Retrace, _flatten, finish, new_recorder
from ._trace import HalTracingError, Tracer

__all__ = ["jit", "JitFunction", "HalTracingError"]

_PY_SCALARS = (bool, int, float, complex)


def jit(fn=None, /, *, static_argnames=()):
    """Decorate ``fn`` to run fused: ``@hal.jit`` or ``@hal.jit(static_argnames=...)``."""
    if fn is None:
        return lambda f: JitFunction(f, static_argnames)
    return JitFunction(fn, static_argnames)


def _hal_functions():
    import hal
    return {id(v): n for n in dir(hal) if not n.startswith("_")
            for v in (getattr(hal, n),) if callable(v) and not isinstance(v, type)}


def _rebind(fn, ns):
    """``fn`` (and the functions of its module it calls by name) with the hal module,
    and hal functions imported by name, replaced by the tracing namespace ``ns``."""
    import hal
    names = _hal_functions()

    def swap(v):
        if v is hal:
            return ns
        if isinstance(v, types.ModuleType) and v in (hal.linalg, hal.fft):
            return getattr(ns, v.__name__.rsplit(".", 1)[1])
        n = names.get(id(v))
        if n is not None:
            return getattr(ns, n)
        return v

    g = fn.__globals__
    new_g = dict(g)
    for k, v in g.items():
        new_g[k] = swap(v)

    def copy(f):
        closure = None
        if f.__closure__:
            closure = tuple(types.CellType(swap(c.cell_contents)) if _filled(c) else c
                            for c in f.__closure__)
        new = types.FunctionType(f.__code__, new_g, f.__name__, f.__defaults__, closure)
        new.__kwdefaults__ = f.__kwdefaults__
        return new
    for k, v in g.items():
        if isinstance(v, types.FunctionType) and v.__globals__ is g and v is not fn:
            new_g[k] = copy(v)
    return copy(fn)


def _filled(cell) -> bool:
    try:
        return cell.cell_contents is not None or True
    except ValueError:  # an empty cell (a name not bound yet)
        return False


def _arg_key(v):
    if isinstance(v, Tracer):
        raise HalTracingError("hal.jit: a jitted function was called with a tracer; "
                              "call jitted functions from outside other jitted functions, "
                              "or undecorate the inner one")
    if v.__class__ is Array:
        native = v._native
        contiguous = getattr(native, "contiguous", None)
        if contiguous is None:
            flags = getattr(native, "flags", None)
            contiguous = bool(flags.c_contiguous) if flags is not None else True
        return ("array", v._p.dtype.name, len(native.shape), contiguous)
    if isinstance(v, _PY_SCALARS):
        return ("scalar", type(v).__name__, v)
    try:
        hash(v)
        return ("static", v)
    except TypeError:
        return ("static", repr(v))


def _describe_key_change(old, new) -> str:
    if old[0] != new[0]:
        return f"device changed from {old[0]} to {new[0]}"
    for (i, a), b in zip(enumerate(old[1]), new[1]):
        if a != b:
            return f"argument {i} changed from {_fmt(a)} to {_fmt(b)}"
    if len(old[1]) != len(new[1]):
        return f"{len(new[1])} arguments instead of {len(old[1])}"
    return "keyword arguments changed"


def _fmt(k):
    if k[0] == "array":
        return f"array({k[1]}, ndim={k[2]}, {'contiguous' if k[3] else 'strided'})"
    return f"{k[0]} {k[-1]!r}"


class JitFunction:
    """A function compiled by ``hal.jit``: call it like the original."""

    def __init__(self, fn, static_argnames=()):
        self.fn = fn
        self.static_argnames = frozenset((static_argnames,) if isinstance(
            static_argnames, str) else static_argnames)
        self._programs: dict = {}
        self._launchers: dict = {}
        self._last_key = None
        #: traces (first traces and retraces), why each retrace happened, kernels
        #: compiled, calls served by an existing trace, calls run eagerly
        self.stats = {"traces": 0, "retraces": [], "compiles": 0, "compile_seconds": 0.0,
                      "cache_hits": 0, "eager_calls": 0}
        functools.update_wrapper(self, fn)

    def cache_info(self) -> dict:
        return dict(self.stats, retraces=list(self.stats["retraces"]),
                    programs=len(self._programs))

    # -- calling
    def _split(self, args, kwargs):
        leaves, _ = _flatten((args, {k: v for k, v in kwargs.items()
                                     if k not in self.static_argnames}))
        arrays = [x for x in leaves if isinstance(x, Array)]
        return arrays

    def _launcher(self, device):
        entry = self._launchers.get(device)
        if entry is None:
            entry = self._launchers[device] = launcher_for(device)
        return entry

    def _key(self, device, args, kwargs):
        return (device, tuple(_arg_key(a) for a in args),
                tuple(sorted((k, _arg_key(v) if k not in self.static_argnames
                              else ("static", v)) for k, v in kwargs.items())))

    def __call__(self, *args, **kwargs):
        arrays = self._split(args, kwargs)
        if not arrays:
            return self.fn(*args, **kwargs)
        device = arrays[0]._p.device
        launcher, reason = self._launcher(device)
        if launcher is None:
            return self._eager(device, reason, args, kwargs)
        key = self._key(device, args, kwargs)
        program = self._programs.get(key)
        ctx = Context(launcher, self.stats)
        from .. import _trace
        if _trace.ACTIVE:
            ctx.trace_events = []
        start = time.perf_counter()
        if program is not None and program.shape_dependent:
            shapes = tuple(tuple(a.shape) for a in arrays)
            program = self._programs.get((key, shapes))
            if program is None:
                self.stats["retraces"].append(
                    f"input shapes changed to {shapes}; the function reads a shape "
                    f"({self._programs[key].shape_dependent})")
        if program is not None:
            try:
                result = program.run(arrays, ctx)
                self.stats["cache_hits"] += 1
                self._record(device, ctx, start, "fused")
                return result
            except Retrace as exc:
                self.stats["retraces"].append(str(exc))
        elif self._last_key is not None and key not in self._programs:
            self.stats["retraces"].append(_describe_key_change(self._last_key, key))
        result = self._trace(device, ctx, key, args, kwargs, arrays)
        self._record(device, ctx, start, "traced")
        return result

    def _trace(self, device, ctx, key, args, kwargs, arrays):
        from ._namespace import traced_functions
        from ._run import install_operators
        install_operators(traced_functions())
        rec = new_recorder(device, ctx, self.fn.__name__)
        inputs = []
        by_id = {}
        for k, a in enumerate(arrays):
            if id(a) not in by_id:
                t = rec.input(k, a)
                by_id[id(a)] = t
            inputs.append(by_id[id(a)]._node)

        def sub(v):
            return by_id[id(v)] if isinstance(v, Array) and id(v) in by_id else v
        leaves, rebuild = _flatten((args, kwargs))
        t_args, t_kwargs = rebuild([sub(v) for v in leaves])
        fn = _rebind(self.fn, rec.namespace)
        result = fn(*t_args, **t_kwargs)
        program, value = finish(rec, inputs, result)
        self.stats["traces"] += 1
        self._last_key = key
        if program.shape_dependent:
            self._programs[key] = program
            self._programs[(key, tuple(tuple(a.shape) for a in arrays))] = program
        else:
            self._programs[key] = program
        return value

    def _eager(self, device, reason, args, kwargs):
        from .. import _trace
        self.stats["eager_calls"] += 1
        start = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            if _trace.ACTIVE:
                event = _trace.TraceEvent(f"jit({self.fn.__name__})", str(device), (),
                                          reason, "jit eager", False,
                                          time.perf_counter() - start, start)
                for t in _trace.ACTIVE:
                    t.events.append(event)

    def _record(self, device, ctx, start, what):
        if ctx.trace_events is None:
            return
        from .. import _trace
        kernels = _trace.device_kernels(device)
        event = _trace.TraceEvent(
            f"jit({self.fn.__name__})", str(device), (),
            f"{len(ctx.trace_events)} fused kernel step(s), {what}", "jit fused", False,
            time.perf_counter() - start, start, kernels)
        for t in _trace.ACTIVE:
            t.events.append(event)

    # -- explaining
    def explain(self, *args, target: str = "opencl", **kwargs) -> str:
        """The graph of a call with these arguments: its steps (fused kernels, cuts
        and why), each kernel's source for ``target`` (opencl, cuda, hip), the bytes
        it moves and the cache key.  Traces (and runs) once."""
        from .. import _kernels
        if target not in _kernels.TARGETS:
            raise HalTypeError(f"explain: unknown target {target!r}; use one of "
                               f"{_kernels.TARGETS}")
        arrays = self._split(args, kwargs)
        if not arrays:
            return f"hal.jit({self.fn.__name__}): no array arguments, runs as plain Python"
        device = arrays[0]._p.device
        launcher, reason = self._launcher(device)
        key = self._key(device, args, kwargs)
        probe = JitFunction(self.fn, self.static_argnames)
        ctx = Context(launcher, probe.stats)
        probe._trace(device, ctx, key, args, kwargs, arrays)
        program = probe._programs[key]
        lines = [f"hal.jit({self.fn.__name__}) on {device}",
                 f"cache key: {key!r}",
                 "runs: " + ("fused kernels" if launcher is not None else
                             f"eagerly ({reason}); kernels shown as they would be built")]
        if program.shape_dependent:
            lines.append(f"shapes are part of the key: the function reads a shape "
                         f"({program.shape_dependent})")
        device_dtypes = device.dtypes
        kernels = 0
        for i, step in enumerate(program.steps):
            lines.append(f"step {i}: " + "\n  ".join(step.describe()))
            if step.kind in ("fused", "reduce", "row"):
                kernels += 1
                variants = {"fused": ("flat", "strided"), "reduce": ("flat",),
                            "row": ("row",)}[step.kind]
                for variant in variants:
                    src, opts = step.source(target, variant, device_dtypes)
                    body = src.split("/* ---- hal.jit fused kernel ---- */")[-1]
                    lines.append(f"  kernel source ({target}, {variant} variant; the "
                                 f"{len(src) - len(body)}-character prelude and op "
                                 f"definitions omitted), options {' '.join(opts)}:")
                    lines.append(_kernel_text(body))
        lines.append(f"{kernels} kernel step(s), "
                     f"{sum(s.kind == 'cut' for s in program.steps)} cut(s); "
                     f"bytes moved by the fused kernels in this call: {ctx.bytes_moved}")
        return "\n".join(lines)


def _kernel_text(body: str) -> str:
    keep = []
    skipping = False
    for line in body.splitlines():
        if line.startswith("/* ops of loop dtype"):
            keep.append("    " + line)
            skipping = True
            continue
        if skipping and (line.startswith("KERNEL") or line.startswith("DEVICE_FN")
                         and "hal_jit_chunk" in line):
            skipping = False
        if not skipping:
            keep.append("    " + line)
    return "\n".join(keep)
