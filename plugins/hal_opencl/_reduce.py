"""The OpenCL backend's reductions and scans, on the portable kernels of kernels/reduce.c.

sum, prod, mean, var, std, min, max, any, all, count_nonzero, argmin, argmax,
cumulative_sum, cumulative_prod, linalg.vector_norm, linalg.matrix_norm,
linalg.trace, and linalg.diagonal (a view, no kernel).

How a reduction runs
--------------------
The reduced and kept dimensions of the input are *collapsed* where their strides allow
(no copy): at most two kept dimensions (P1, P2) and one reduced dimension (R, rs)
remain (a sum's reduced axes may be reordered and walked forwards first).  A view
that does not collapse that far is copied once into (kept..., reduced...) order.
Then:

* ``rs == 1`` (rows): ``reduce_rows``, each work-item reduces a contiguous chunk of a
  row with ``unr`` independent lanes, which the CPU compilers turn into vector loads;
* any other ``rs`` (columns, diagonals, strided and broadcast views), or short rows:
  ``reduce_cols``, each work-item owns ``cols`` neighbouring outputs and walks down R.

Launch shapes suit CPU devices (``Config``): about ``compute_units * waves``
work-items in all, each with a long contiguous chunk (one-work-item groups while there
are few), so a full reduction of 2^24 elements on 2 compute units is 16 chunks of 2^20
elements and a second pass (``reduce_merge``) over 16 partials.  Sums are cascaded
inside a chunk (see reduce.c), so float32 sums round like pairwise sums, not like a
sequential loop.

var/std take two passes (the mean, then the squared deviations from it), as NumPy
does.  Scans along rows are chunked too: the chunk totals (reduce_rows) give each
chunk its carry-in.  matrix_norm's ord 2, -2 and 'nuc' need singular values:
``linalg.svdvals`` is a host op on OpenCL devices (declared in their capabilities), so
that step runs under the fallback policy (visible in ``hal.trace`` and counted by
``hal.fallback_counts``); the max/min/sum over them is native.

One program per (op, input dtype, result dtype), built from kernels/reduce.c with
defines (R_OP_<OP>, R_OUT, R_ACC, R_PARAM, R_UNR ...) and cached in memory and on disk
like the other portable kernels.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

import numpy as np

import hal
from hal import toolkit

from ._array import CLArray, c_strides
from ._kernels import copy_contiguous
from ._state import state_of


@dataclass(frozen=True)
class Config:
    """Launch shape of the reductions on one device (see the module docstring)."""

    #: lanes (independent accumulators) per work-item in reduce_rows (R_UNR)
    unr: int = 8
    #: work-items sharing a row chunk, interleaved element by element (R_STEP): > 1
    #: suits compilers that vectorise across work-items (and GPUs); both CPU drivers
    #: here vectorise a work-item's own lanes best, with 1
    step: int = 1
    #: outputs per work-item in reduce_cols/scan_cols (R_COLS)
    cols: int = 8
    #: float32/float64 sum, mean, max, min in explicit 8-lane vectors (R_V8) when
    #: ``step`` is 1: on Intel's runtime 1.2-2x faster than scalar lanes (its compiler
    #: does not vectorise a lone work-item's loops), on PoCL no slower
    vec: bool = True
    #: work-items per compute unit a reduction aims for (row chunks when rows are few)
    waves: int = 8
    #: the smallest chunk of a row a work-item gets when a row is split
    min_chunk: int = 16384
    #: column sums keep a whole line of partials per work-item up to this size
    panel_bytes: int = 65536
    #: up to this many work-items, one-unit work-groups; beyond, groups of ``local``
    small_launch: int = 256
    local: int = 16


_DEFAULT = Config()
#: per-vendor launch shapes (substring of the platform name -> Config); PoCL and
#: Intel's CPU runtime both did best with the defaults on a 2-core AVX2 VM
#: (benchmarks/opencl_reductions.py --sweep): one work-item per chunk, 8 lanes
_VENDOR_CONFIGS: dict[str, Config] = {}
#: the configuration in use, by hal device index (set_config changes it)
_OVERRIDES: dict[int, Config] = {}


def config(state) -> Config:
    """The launch configuration of ``state``'s device."""
    index = state.hal_device.index
    cfg = _OVERRIDES.get(index)
    if cfg is None:
        cfg = _OVERRIDES[index] = _vendor_config(state)
    return cfg


def _vendor_config(state) -> Config:
    name = state.platform.name.lower()
    return next((c for v, c in _VENDOR_CONFIGS.items() if v in name), _DEFAULT)


def set_config(device, cfg: Config | None = None, **changes) -> Config:
    """Set the launch configuration of an OpenCL ``device`` (benchmarks, tuning):
    ``cfg`` (default: the vendor's) with ``changes``; ``set_config(device)`` restores
    the vendor's.  Programs are keyed by the defines a configuration implies, so new
    ones build as needed."""
    state = state_of(device)
    cfg = replace(cfg or _vendor_config(state), **changes)
    _OVERRIDES[device.index] = cfg
    return cfg


_F32, _F64 = hal.float32, hal.float64
_V8_OPS = frozenset({"SUM", "MEAN", "MAX", "MIN"})


# -- programs ---------------------------------------------------------------------------

class _Program:
    """The kernels of one (op, input dtype, result dtype) instance of reduce.c."""

    __slots__ = ("rows", "cols", "panel", "merge", "scan_rows", "scan_cols", "find",
                 "find_merge", "acc_size", "param", "cfg")

    def __init__(self, program, cl, scans, finds, acc_size, param, cfg):
        self.param = param      # numpy scalar type of p_map / p_final
        self.rows = self._kernel(cl, program, "reduce_rows")
        self.cols = self._kernel(cl, program, "reduce_cols")
        self.panel = self._kernel(cl, program, "reduce_panel")
        self.merge = self._kernel(cl, program, "reduce_merge")
        self.scan_rows = self._kernel(cl, program, "scan_rows") if scans else None
        self.scan_cols = self._kernel(cl, program, "scan_cols") if scans else None
        self.find = self._kernel(cl, program, "find_rows") if finds else None
        self.find_merge = self._kernel(cl, program, "find_merge") if finds else None
        self.acc_size = acc_size
        self.cfg = cfg

    def _kernel(self, cl, program, name):
        # typed scalar arguments (from the manifest): PyOpenCL then packs Python
        # numbers itself, far faster than untyped numpy scalars
        k = cl.Kernel(program, name)
        spec = toolkit.manifest().find("reduce.c", name)
        types = {"index": np.int64, "int": np.int32, "PARAM": self.param}
        k.set_scalar_arg_dtypes([None if a.kind == "buffer" else types[a.type]
                                 for a in spec.args])
        return k


def _program(state, op: str, x_dtype, out_dtype, acc, *flags: str) -> _Program:
    """The compiled kernels of ``op`` for input ``x_dtype`` -> ``out_dtype``.

    ``acc``: the accumulator dtype, or ``"arg"`` for argmin/argmax's (value, index);
    ``flags``: extra switches (``"R_SQRT"``, ``"R_MEAN_IN_T"``, see reduce.c).
    """
    cfg = config(state)
    key = ("reduce.c", op, x_dtype, out_dtype, acc, flags, cfg)

    def make():
        for d in (out_dtype, acc):
            if d != "arg" and d not in state.hal_device.dtypes:
                from hal.toolkit import dtype_error
                raise dtype_error(op.lower(), state.hal_device, d)
        defines = dict(state.defines_for(x_dtype))
        defines[f"R_OP_{op}"] = "1"
        defines["R_OUT"] = f"hal_{out_dtype.name}"
        if acc == "arg":
            defines["R_ACC"] = "hal_argacc"
            defines["R_ACC_KIND_S"] = "1"
            acc_size = 16  # struct { T v; index_t i; } with T at most 8 bytes
            wide = x_dtype is _F64
        else:
            defines["R_ACC"] = f"hal_{acc.name}"
            defines[f"R_ACC_KIND_{acc.kind.upper()}"] = "1"
            acc_size = acc.itemsize
            wide = toolkit.real_of(acc) is _F64 if acc.kind in "fc" else False
        param = _F64 if wide else _F32
        defines["R_PARAM"] = f"hal_{param.name}"
        # lanes: about one vector of the input per iteration (more for narrow types)
        defines["R_UNR"] = str(cfg.unr * max(1, 4 // x_dtype.itemsize))
        if op == "COUNT":
            # a lane counts at most R_BLOCK (128) elements per block: bytes suffice
            defines["R_LANE_T"] = "hal_uint8" if x_dtype.itemsize == 1 else "hal_uint32"
        defines["R_STEP"] = str(cfg.step)
        defines["R_COLS"] = str(cfg.cols)
        for flag in flags:
            defines[flag] = "1"
        if cfg.vec and cfg.step == 1 and op in _V8_OPS and x_dtype in (_F32, _F64) and \
                acc is x_dtype:
            defines["R_V8"] = "1"
        source = toolkit.source("opencl", "reduce.c")
        what = f"kernels/reduce.c [{op} {x_dtype.name} -> {out_dtype.name}]"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", state.cl.CompilerWarning)
            program = state.build_source(source, list(toolkit.options(defines)), what)
        return _Program(program, state.cl, op in ("SUM", "PROD", "ANY", "ALL"),
                        op in ("MAX", "MIN") and x_dtype.kind != "c", acc_size,
                        param.numpy.type, cfg)
    return state.cached(key, make)


def _sum_acc(out):
    """The accumulator of a sum/product/mean whose result is ``out``: integers wrap in
    unsigned arithmetic of (at least 32 bits of) their width, float16 adds in float32."""
    if out.kind in "iu":
        return hal.uint64 if out.itemsize == 8 else hal.uint32
    if out is hal.float16:
        return _F32
    return out


def _real_acc(dtype):
    """The real floating accumulator of norms and variances of ``dtype``."""
    real = toolkit.real_of(dtype)
    return _F32 if real is hal.float16 else real


# -- geometry ---------------------------------------------------------------------------

def _collapse(dims):
    """Merge neighbouring (extent, stride) pairs that address memory as one dimension."""
    out = []
    for e, s in dims:
        if out and out[-1][1] == s * e:
            out[-1] = (out[-1][0] * e, s)
        else:
            out.append((e, s))
    return out


class _Plan:
    """An input seen as kept (P1, P2) x reduced (R, rs), strides in elements."""

    __slots__ = ("arr", "off", "P1", "P2", "xs1", "xs2", "R", "rs", "kept_shape", "n")

    def __init__(self, x: CLArray, axes, order_free: bool):
        ndim = x.ndim
        red = set(range(ndim)) if axes is None else {a for a in axes if a < max(ndim, 1)}
        kept = [(x.shape[d], x.strides[d]) for d in range(ndim) if d not in red]
        rdims = [(x.shape[d], x.strides[d]) for d in range(ndim) if d in red]
        self.kept_shape = tuple(e for e, _ in kept)
        P = math.prod(self.kept_shape)
        R = math.prod(e for e, _ in rdims)
        self.n = R
        self.arr, self.off = x, x.offset
        if P == 0 or R == 0:
            self.P1, self.P2, self.xs1, self.xs2, self.R, self.rs = 1, P, 0, 0, R, 1
            return
        off = x.offset
        rd = []
        for e, s in rdims:
            if e == 1:
                continue
            if order_free and s < 0:  # the order of a sum's terms is free: walk forwards
                off += (e - 1) * s
                s = -s
            rd.append((e, s))
        if order_free:
            rd.sort(key=lambda t: -abs(t[1]))
        rd = _collapse(rd)
        kd = _collapse([(e, s) for e, s in kept if e != 1])
        if len(kd) <= 2 and len(rd) <= 1:
            kd = [(1, 0)] * (2 - len(kd)) + kd
            (self.P1, self.xs1), (self.P2, self.xs2) = kd
            self.R, self.rs = rd[0] if rd else (1, 1)
            self.off = off
            return
        # a view that does not collapse: one copy in (kept..., reduced...) order
        order = [d for d in range(ndim) if d not in red] + [d for d in range(ndim) if d in red]
        view = x.view(tuple(x.shape[d] for d in order), tuple(x.strides[d] for d in order),
                      x.offset)
        self.arr = copy_contiguous(view)
        self.off = self.arr.offset
        self.P1, self.xs1, self.P2, self.xs2, self.R, self.rs = 1, 0, P, R, R, 1

    @property
    def P(self) -> int:
        return self.P1 * self.P2


def _launch(state, cfg: Config, kernel, n_items: int, args, unit: int = 1) -> None:
    """Run ``kernel`` over ``n_items`` work-items in groups of whole ``unit``s: few
    items run as one-unit groups (spread over the cores), many in groups of ~local."""
    if n_items <= cfg.small_launch:
        local = unit
    else:
        local = max(unit, cfg.local // unit * unit)
    state.launch_nd(kernel, (-(-n_items // local) * local,), (local,), *args)


def _chunks(state, cfg: Config, outputs: int, R: int, align: int,
            width: int = 1) -> tuple[int, int]:
    """(C, chunk): split R in C chunks (of a multiple of ``align``) when there are
    fewer ``outputs`` (work-items) than wanted; a work-item reads ``width`` elements
    per step of R, and a chunk holds at least ``min_chunk`` elements."""
    want = state.compute_units * cfg.waves
    if outputs >= want or R * width <= cfg.min_chunk:
        return 1, max(R, 0)
    C = min(-(-want // outputs), -(-R * width // cfg.min_chunk), 256)
    chunk = -(-R // C)
    chunk = -(-chunk // align) * align
    return -(-R // chunk), chunk


def _dummy(state):
    return state.meta((0,))


def _rows(plan: _Plan, cfg: Config) -> bool:
    """Whether ``plan`` runs as contiguous rows (reduce_rows) or strided (reduce_cols)."""
    return plan.R <= 1 or plan.rs == 1 and (plan.R >= 2 * cfg.unr * cfg.step or plan.P == 1)


def _run(state, prog: _Program, plan: _Plan, out_dtype, *, centre=None, p_map=0.0,
         p_final=0.0) -> CLArray:
    """Reduce ``plan`` with ``prog`` into a new contiguous array of the kept shape."""
    out = state.empty(plan.kept_shape, out_dtype)
    P, R = plan.P, plan.R
    if P == 0:
        return out
    cfg = prog.cfg
    cbuf = _dummy(state) if centre is None else centre.data
    x = plan.arr.data
    if _rows(plan, cfg):
        # contiguous rows: `step` work-items per chunk, `parts` partials per output
        step = cfg.step
        C, chunk = _chunks(state, cfg, P, R, cfg.unr * step)
        units, parts = P * C, C * step
        part = state.allocate(units * step * prog.acc_size) if parts > 1 else out.data
        _launch(state, cfg, prog.rows, units * step,
                (out.data, part, x, plan.off, plan.P2, plan.xs1, plan.xs2, R, chunk, C,
                 units, cbuf, p_map, p_final), step)
    elif plan.xs2 == 1 and plan.P2 >= cfg.cols and plan.P2 * prog.acc_size <= cfg.panel_bytes:
        # contiguous outputs (a column sum): whole lines per work-item, P2 partials each
        W = plan.P2
        parts, chunk = _chunks(state, cfg, plan.P1, R, 1, W)
        n_items = plan.P1 * parts
        part = state.allocate(n_items * W * prog.acc_size)
        block = state.allocate(n_items * W * prog.acc_size)
        _launch(state, cfg, prog.panel, n_items,
                (part, block, x, plan.off, W, plan.xs1, R, plan.rs, chunk, parts, n_items,
                 cbuf, p_map))
        _launch(state, cfg, prog.merge, P, (out.data, part, parts, W, P, p_final))
        return out
    else:
        # strided (or short) rows: `cols` outputs per work-item, R split in `parts`
        groups = plan.P1 * -(-plan.P2 // cfg.cols)
        parts, chunk = _chunks(state, cfg, groups, R, 1, min(cfg.cols, plan.P2))
        n_items = groups * parts
        part = state.allocate(P * parts * prog.acc_size) if parts > 1 else out.data
        _launch(state, cfg, prog.cols, n_items,
                (out.data, part, x, plan.off, plan.P2, plan.xs1, plan.xs2, R, plan.rs,
                 chunk, parts, n_items, cbuf, p_map, p_final))
    if parts > 1:
        _launch(state, cfg, prog.merge, P, (out.data, part, parts, 1, P, p_final))
    return out


def _shaped(out: CLArray, x: CLArray, axes, keepdims: bool) -> CLArray:
    if not keepdims:
        return out
    red = set(range(x.ndim)) if axes is None else set(axes)
    shape = tuple(1 if d in red else x.shape[d] for d in range(x.ndim))
    return out.view(shape, c_strides(shape), out.offset)


def _reduce(state, op, x, axes, keepdims, out_dtype, acc, *, order_free=True,
            p_map=0.0, p_final=None):
    prog = _program(state, op, x.dtype, out_dtype, acc)
    plan = _Plan(x, axes, order_free)
    out = _run(state, prog, plan, out_dtype, p_map=p_map,
               p_final=float(plan.n) if p_final is None else p_final)
    return _shaped(out, x, axes, keepdims)


# -- the ops ------------------------------------------------------------------------------

def _sum_like(sum_op, bool_op):
    def factory(device, dtypes):
        state = state_of(device)

        def run(x, *, axis, dtype, keepdims):
            if dtype is hal.bool:
                return _reduce(state, bool_op, x, axis, keepdims, dtype, hal.uint8)
            return _reduce(state, sum_op, x, axis, keepdims, dtype, _sum_acc(dtype))
        return run
    return factory


def _extreme(op):
    def factory(device, dtypes):
        (dtype,) = dtypes
        state = state_of(device)
        acc = _F32 if dtype is hal.float16 else dtype

        def run(x, *, axis, keepdims):
            return _reduce(state, op, x, axis, keepdims, dtype, acc)
        return run
    return factory


def _truth(op):
    def factory(device, dtypes):
        state = state_of(device)

        def run(x, *, axis, keepdims):
            return _reduce(state, op, x, axis, keepdims, hal.bool, hal.uint8)
        return run
    return factory


def _count_nonzero(device, dtypes):
    state = state_of(device)
    out_dtype = device.default_int

    def count_nonzero(x, *, axis, keepdims):
        return _reduce(state, "COUNT", x, axis, keepdims, out_dtype, hal.uint64)
    return count_nonzero


def _mean(device, dtypes):
    (dtype,) = dtypes
    state = state_of(device)
    acc = _sum_acc(dtype)

    def mean(x, *, axis, keepdims):
        return _reduce(state, "MEAN", x, axis, keepdims, dtype, acc)
    return mean


def _moment(sqrt: bool):
    def factory(device, dtypes):
        (dtype,) = dtypes
        state = state_of(device)
        acc = _real_acc(dtype)
        centre_flags = ("R_MEAN_IN_T",) if dtype is hal.float16 else ()
        var_flags = ("R_SQRT",) if sqrt else ()

        def run(x, *, axis, correction, keepdims):
            # float16: NumPy's var takes the mean in float16 (float32 elsewhere in hal)
            mean_prog = _program(state, "MEAN", dtype, acc, acc, *centre_flags)
            var_prog = _program(state, "VAR", dtype, dtype, acc, *var_flags)
            plan = _Plan(x, axis, True)
            n = plan.n
            centre = _run(state, mean_prog, plan, acc, p_final=float(n))
            out = _run(state, var_prog, plan, dtype, centre=centre,
                       p_final=max(n - correction, 0.0))
            return _shaped(out, x, axis, keepdims)
        return run
    return factory


def _arg(op):
    extreme = {"ARGMAX": "MAX", "ARGMIN": "MIN"}[op]

    def factory(device, dtypes):
        (dtype,) = dtypes
        state = state_of(device)
        out_dtype = device.default_int
        acc = _F32 if dtype is hal.float16 else dtype

        def run(x, *, axis, keepdims):
            if axis is None:
                flat = x if x.contiguous else copy_contiguous(x)
                plan = _Plan(flat.view((flat.size,), (1,), flat.offset), None, False)
            else:
                plan = _Plan(x, (axis,), False)
            ext = _program(state, extreme, dtype, dtype, acc)
            if plan.P and plan.R > 1 and _rows(plan, ext.cfg):
                out = _find(state, ext, plan, _run(state, ext, plan, dtype), out_dtype)
            else:
                out = _run(state, _program(state, op, dtype, out_dtype, "arg"), plan,
                           out_dtype)
            if axis is None:
                shape = (1,) * x.ndim if keepdims else ()
                return out.view(shape, c_strides(shape), out.offset)
            return _shaped(out, x, (axis,), keepdims)
        return run
    return factory


def _find(state, prog: _Program, plan: _Plan, target: CLArray, out_dtype) -> CLArray:
    """argmin/argmax along rows, second pass: the first position of ``target[p]`` in
    row p (the first pass found the extreme values at full vector speed; this one
    stops at the first match, so it reads half the data on average)."""
    cfg = prog.cfg
    P, R = plan.P, plan.R
    out = state.empty(plan.kept_shape, out_dtype)
    C, chunk = _chunks(state, cfg, P, R, cfg.unr)
    units = P * C
    part = state.allocate(units * 8) if C > 1 else out.data
    _launch(state, cfg, prog.find, units,
            (out.data, part, plan.arr.data, plan.off, plan.P2, plan.xs1, plan.xs2, R, chunk,
             C, units, target.data))
    if C > 1:
        _launch(state, cfg, prog.find_merge, P, (out.data, part, C, P))
    return out


def _cumulative(sum_op, bool_op):
    def factory(device, dtypes):
        state = state_of(device)

        def run(x, *, axis, dtype, include_initial):
            if dtype is hal.bool:
                prog = _program(state, bool_op, x.dtype, dtype, hal.uint8)
            else:
                prog = _program(state, sum_op, x.dtype, dtype, _sum_acc(dtype))
            return _scan(state, prog, x, axis, dtype, include_initial)
        return run
    return factory


def _scan(state, prog, x, axis, out_dtype, include_initial):
    """cumulative_* along ``axis`` of ``x`` seen as (K1, R, K2), into a new array."""
    x = x if x.contiguous else copy_contiguous(x)
    cfg = prog.cfg
    shape = x.shape
    K1, R, K2 = math.prod(shape[:axis]), shape[axis], math.prod(shape[axis + 1:])
    R_out = R + (1 if include_initial else 0)
    out = state.empty(shape[:axis] + (R_out,) + shape[axis + 1:], out_dtype)
    if out.size == 0:
        return out
    initial = 1 if include_initial else 0
    if K2 == 1:
        # rows, chunked: reduce_rows gives every chunk's total, scan_rows carries them in
        step = cfg.step
        C, chunk = _chunks(state, cfg, K1, R, cfg.unr * step)
        n_items = K1 * C
        part = out.data
        if C > 1:
            part = state.allocate(n_items * step * prog.acc_size)
            _launch(state, cfg, prog.rows, n_items * step,
                    (out.data, part, x.data, x.offset, K1, 0, R, R, chunk, C, n_items,
                     _dummy(state), 0, 0), step)
        _launch(state, cfg, prog.scan_rows, n_items,
                (out.data, part, x.data, x.offset, K1, 0, R, R, chunk, C, n_items, R_out,
                 initial))
        return out
    # an inner axis: `cols` neighbouring lines per work-item, sequential along R
    n_items = K1 * -(-K2 // cfg.cols)
    _launch(state, cfg, prog.scan_cols, n_items,
            (out.data, x.data, x.offset, K2, R * K2, 1, R, K2, n_items, R_out * K2, K2,
             initial))
    return out


# -- linear algebra -----------------------------------------------------------------------

_INF = float("inf")


def _vector_norm(device, dtypes):
    (dtype,) = dtypes
    state = state_of(device)
    out_dtype = toolkit.real_of(dtype)
    acc = _real_acc(dtype)

    def vector_norm(x, *, axis, keepdims, ord):
        from hal.toolkit import as_axes
        axes = as_axes(axis, x.ndim, "linalg.vector_norm")
        return _norm(state, x, axes, keepdims, ord, out_dtype, acc)
    return vector_norm


def _norm(state, x, axes, keepdims, ord, out_dtype, acc):
    if ord == 2:
        return _reduce(state, "NRM2", x, axes, keepdims, out_dtype, acc)
    if ord == 1:
        return _reduce(state, "NRM1", x, axes, keepdims, out_dtype, acc)
    if ord == 0:
        return _reduce(state, "NRM0", x, axes, keepdims, out_dtype, acc)
    if ord == _INF:  # max |x|, 0 for an empty reduction (as NumPy)
        return _reduce(state, "MAXABS", x, axes, keepdims, out_dtype, acc)
    if ord == -_INF:
        red = range(x.ndim) if axes is None else axes
        if math.prod(x.shape[a] for a in red) == 0:  # even with no output (as NumPy)
            raise hal.HalValueError("linalg.vector_norm: ord=-inf of an empty reduction "
                                    "has no identity (min of nothing)")
        return _reduce(state, "MINABS", x, axes, keepdims, out_dtype, acc)
    try:
        p = float(ord)
    except (TypeError, ValueError):
        raise hal.HalValueError(f"linalg.vector_norm: invalid ord {ord!r}") from None
    return _reduce(state, "NRMP", x, axes, keepdims, out_dtype, acc, p_map=p,
                   p_final=1.0 / p)


def _matrix_norm(device, dtypes):
    (dtype,) = dtypes
    state = state_of(device)
    out_dtype = toolkit.real_of(dtype)
    acc = _real_acc(dtype)

    def matrix_norm(x, *, keepdims, ord):
        nd = x.ndim
        rows, cols = nd - 2, nd - 1
        if ord == "fro":
            out = _reduce(state, "NRM2", x, (rows, cols), False, out_dtype, acc)
        elif ord in (1, -1, _INF, -_INF):
            # |x| summed down the columns (ord 1) or along the rows (inf), then max/min
            inner = rows if ord in (1, -1) else cols
            sums = _reduce(state, "NRM1", x, (inner,), False, out_dtype, acc)
            out = _reduce(state, "MAX" if ord > 0 else "MIN", sums, (sums.ndim - 1,),
                          False, out_dtype, _real_acc(out_dtype))
        elif ord in (2, -2, "nuc"):
            # singular values: linalg.svdvals, a host op on this device (declared in its
            # capabilities), so it runs under the fallback policy and shows in
            # hal.trace/fallback_counts; the final max/min/sum is ours
            from hal.toolkit import call_op as call
            s = call("linalg.svdvals", device, (dtype,), x)._native
            op = {2: "MAX", -2: "MIN", "nuc": "SUM"}[ord]
            out = _reduce(state, op, s, (s.ndim - 1,), False, out_dtype,
                          _real_acc(out_dtype))
        else:
            raise hal.HalValueError(f"linalg.matrix_norm: invalid ord {ord!r}; use 'fro', "
                                    f"'nuc', 1, -1, 2, -2, inf or -inf")
        if keepdims:
            shape = out.shape + (1, 1)
            out = out.view(shape, c_strides(shape), out.offset)
        return out
    return matrix_norm


def diagonal(x, *, offset=0):
    """``linalg.diagonal``: a strided view of the last two axes, no copy."""
    M, N = x.shape[-2], x.shape[-1]
    sm, sn = x.strides[-2], x.strides[-1]
    if offset >= 0:
        k = max(0, min(M, N - offset))
        start = offset * sn
    else:
        k = max(0, min(M + offset, N))
        start = -offset * sm
    return x.view(x.shape[:-2] + (k,), x.strides[:-2] + (sm + sn,),
                  x.offset + (start if k else 0))


def _trace(device, dtypes):
    state = state_of(device)

    def trace(x, *, offset, dtype):
        d = diagonal(x, offset=offset)
        axes = (d.ndim - 1,)
        if dtype is hal.bool:
            return _reduce(state, "ANY", d, axes, False, dtype, hal.uint8)
        return _reduce(state, "SUM", d, axes, False, dtype, _sum_acc(dtype))
    return trace


# -- registration -------------------------------------------------------------------------

def _kinds(kinds: str):
    return [d for d in toolkit.ALL_DTYPES if d.kind in kinds]


def register(registry) -> None:
    factories = {
        "sum": (_sum_like("SUM", "ANY"), "biufc"),
        "prod": (_sum_like("PROD", "ALL"), "biufc"),
        "max": (_extreme("MAX"), "biuf"),
        "min": (_extreme("MIN"), "biuf"),
        "mean": (_mean, "fc"),
        "var": (_moment(False), "f"),
        "std": (_moment(True), "f"),
        "any": (_truth("ANY"), "biufc"),
        "all": (_truth("ALL"), "biufc"),
        "count_nonzero": (_count_nonzero, "biufc"),
        "argmax": (_arg("ARGMAX"), "biuf"),
        "argmin": (_arg("ARGMIN"), "biuf"),
        "cumulative_sum": (_cumulative("SUM", "ANY"), "biufc"),
        "cumulative_prod": (_cumulative("PROD", "ALL"), "biufc"),
        "linalg.vector_norm": (_vector_norm, "fc"),
        "linalg.matrix_norm": (_matrix_norm, "fc"),
        "linalg.trace": (_trace, "biufc"),
    }
    for op, (factory, kinds) in factories.items():
        registry.register(op, factory, factory=True, dtypes=_kinds(kinds),
                          name=f"opencl.reduce[{op}]")
    registry.register("linalg.diagonal", diagonal, name="opencl.diagonal (view)")
