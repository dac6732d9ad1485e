"""Lowering: a fused region of the graph as one kernel in hal's portable dialect.

The op bodies are elementwise_ops.h's ``op_<name>`` functions, included once per loop
dtype of the region with every ``op_<name>`` renamed ``hal_jit_<dtype>_<name>`` (the
header defines each op per dtype kind, so two float dtypes in one region would clash),
under the template defines ``_kernels.program_defines`` gives eager's programs.  The
text is prefixed by the target's prelude (kernels/prelude/<target>.h), so the same
source builds for OpenCL, CUDA and HIP.

Two variants per region: ``flat`` (every input C-contiguous with the output's shape:
``in[off + i]``) and ``strided`` (a meta buffer of shape and per-input strides, 0 where
an input broadcasts).  Reductions add the map's loop over the reduced extent
(``flat``: reduced axes trailing and inputs contiguous; ``strided`` otherwise).
"""

from __future__ import annotations

import re

import numpy as np

from .. import _dtypes, _kernels
from .._optable import BINARY, UNARY
from ._graph import Node

_OP_NAMES = tuple(s.name for s in UNARY + BINARY)
_HEADER_MACROS = ("HAL_NEG", "HAL_COMPARISONS", "HAL_UNARY_OPS", "HAL_BINARY_OPS")


def ctype(dtype) -> str:
    return f"hal_{dtype.name}"


def literal(value, dtype) -> str:
    """A Python scalar as an exact C constant of ``dtype`` (weak typing: the value is
    converted to the dtype, as eager's kernel argument would be)."""
    t = ctype(dtype)
    if dtype.kind == "b":
        return f"(({t}){1 if value else 0})"
    if dtype.kind in "iu":
        return f"(({t})(hal_uint64)0x{int(value) & (2**64 - 1):x})"
    v = float(dtype.numpy.type(value))
    if v != v:
        return f"(({t})NAN)"
    if v in (float("inf"), float("-inf")):
        return f"(({t})({'-' if v < 0 else ''}INFINITY))"
    text = v.hex()
    if dtype is _dtypes.float64:
        return f"(({t}){text})"
    return f"(({t}){text}f)"


def cast_expr(src, dst, expr: str) -> str:
    """``astype`` of one value, as kernels/cast.c converts: floating to integer
    saturates (NaN to 0), to bool tests non-zero, the rest is C's conversion."""
    t = ctype(dst)
    if dst.kind == "b":
        return f"(({t})(({expr}) != 0 ? 1 : 0))"
    if src.kind == "f" and dst.kind in "iu":
        bits = 8 * dst.itemsize
        if dst.kind == "i":
            lim = f"{float(2 ** (bits - 1))!r}f"
            hi, lo = literal(2 ** (bits - 1) - 1, dst), literal(-(2 ** (bits - 1)), dst)
            return (f"((({expr}) >= ({ctype(src)}){lim}) ? {hi} : "
                    f"(({expr}) >= -({ctype(src)}){lim}) ? ({t})({expr}) : "
                    f"(({expr}) != ({expr})) ? ({t})0 : {lo})")
        lim = f"{float(2 ** bits)!r}f"
        hi = literal(2 ** bits - 1, dst)
        return (f"((({expr}) >= ({ctype(src)}){lim}) ? {hi} : "
                f"(({expr}) > ({ctype(src)})(-1.0f)) ? ({t})({expr}) : ({t})0)")
    return f"(({t})({expr}))"


def _op_block(dtype, device_dtypes) -> str:
    defines = _kernels.program_defines(dtype, device_dtypes)
    defines.pop("HAL_FP64", None)
    defines.pop("HAL_FP16", None)
    lines = [f"/* ops of loop dtype {dtype.name} */"]
    lines += [f"#define {k} {v}" for k, v in defines.items()]
    lines += [f"#define op_{n} hal_jit_{dtype.name}_{n}" for n in _OP_NAMES]
    lines.append(_kernels._read("elementwise_ops.h"))
    lines += [f"#undef op_{n}" for n in _OP_NAMES]
    lines += [f"#undef {k}" for k in defines]
    lines += [f"#undef {m}" for m in _HEADER_MACROS]
    return "\n".join(lines)


def header(target: str, loops, device_dtypes) -> str:
    parts = [_kernels._read(f"prelude/{target}.h"), "/* ---- hal.jit fused kernel ---- */"]
    for d in sorted(loops, key=lambda d: d.code):
        parts.append(_op_block(d, device_dtypes))
    return "\n".join(parts)


def options(device_dtypes, dtypes) -> tuple[str, ...]:
    defines = {}
    if _dtypes.float64 in device_dtypes:
        defines["HAL_FP64"] = "1"
    if _dtypes.float16 in device_dtypes:
        defines["HAL_FP16"] = "1"
    return _kernels.options(defines)


def _operand(a, loop) -> str:
    if isinstance(a, Node):
        v = f"v{a.id}"
        return v if a.dtype is loop else f"(({ctype(loop)}){v})"
    return literal(a, loop)


def body(nodes, indent="    ") -> list[str]:
    """The statements computing ``nodes`` (topological order; leaves already read)."""
    out = []
    for n in nodes:
        t = ctype(n.dtype)
        if n.kind == "ew":
            args = ", ".join(_operand(a, n.loop) for a in n.args)
            out.append(f"{indent}{t} v{n.id} = hal_jit_{n.loop.name}_{n.op}({args});")
        elif n.kind == "cast":
            (a,) = n.args
            out.append(f"{indent}{t} v{n.id} = {cast_expr(a.dtype, n.dtype, f'v{a.id}')};")
        elif n.kind == "user":  # a hal.ElementwiseKernel's operation, in its own block
            out.extend(indent + line for line in n.op.c_lines(n))
        elif n.kind == "where":
            c, a, b = n.args
            cond = f"v{c.id}" if isinstance(c, Node) else ("1" if c else "0")
            out.append(f"{indent}{t} v{n.id} = {cond} ? {_operand(a, n.loop)} : "
                       f"{_operand(b, n.loop)};")
        else:
            raise AssertionError(n.kind)
        if n.dtype.kind in "iu" and (n.kind == "where" or n.op in _MAX_MIN):
            out.append(_barrier(n, t, indent))
    return out


#: ops whose integer results pass through ``_barrier``
_MAX_MIN = frozenset(("maximum", "minimum"))


def _barrier(n, t: str, indent: str) -> str:
    """An optimisation barrier after an integer max, min or select.  Intel's OpenCL
    CPU compiler (2024-2025 runtimes) miscompiles the bitwise NOT of an integer max
    or min (``~max(x, y)``, ``-1 - max(x, y)``, ``max(x, y) ^ -1``, of 32 and 64
    bits) in the scalar code it runs for work-groups that are not a multiple of the
    vector width: it returns ``max(x, y)`` itself, so ``bitwise_invert(maximum(a,
    b))`` fused into one kernel gave ``maximum(a, b)`` for arrays of 8 or 100
    elements.  A volatile copy keeps the compiler from seeing the pattern; it costs
    little and only fused integer max/min/where pay it."""
    return f"{indent}{{ volatile {t} hal_barrier = v{n.id}; v{n.id} = hal_barrier; }}"


def _leaf_params(leaves) -> list[str]:
    return [f"GLOBAL_MEM const {ctype(x.dtype)} *RESTRICT in{k}, const index_t in{k}_off"
            for k, x in enumerate(leaves)]


def strided_offsets(n_leaves: int, meta_row=lambda k: f"{k + 1} * ndim") -> list[str]:
    """Statements setting ``o<k>`` to leaf k's element offset of flat output index
    ``i``, from ``meta`` (shape, then each leaf's strides, 0 where it broadcasts)."""
    lines = [f"    index_t o{k} = 0;" for k in range(n_leaves)]
    lines += ["    index_t r = i;", "    for (int d = ndim - 1; d >= 0; --d) {",
              "        index_t e = meta[d], c = r % e;", "        r /= e;"]
    lines += [f"        o{k} += c * meta[{meta_row(k)} + d];" for k in range(n_leaves)]
    lines.append("    }")
    return lines


def ew_kernel(kname: str, params: list[str], n_leaves: int, reads, body_lines,
              stores, strided: bool) -> list[str]:
    """An elementwise kernel over ``n`` flat output items (``hal.jit``'s fused regions
    and ``hal.ElementwiseKernel``): ``params`` (outputs, leaves, extra scalars), then
    ``n`` and, when ``strided``, the meta buffer; ``reads(idx)`` loads the leaves at
    per-leaf offsets ``idx``, ``body_lines`` compute, ``stores`` write ``out<k>[i]``."""
    params = params + ["const index_t n"]
    if strided:
        params += ["const int ndim", "GLOBAL_MEM const index_t *meta"]
    lines = [f"KERNEL void {kname}({', '.join(params)})", "{",
             "    index_t i = GLOBAL_ID_0;", "    if (i >= n) return;"]
    if strided:
        lines += strided_offsets(n_leaves)
        idx = [f"o{k}" for k in range(n_leaves)]
    else:
        idx = ["i"] * n_leaves
    lines += reads(idx)
    lines += body_lines
    lines += stores
    lines.append("}")
    return lines


def ew_rows_kernel(kname: str, params: list[str], steps, reads, body_lines,
                   stores) -> list[str]:
    """``ew_kernel`` for an iteration folded into rows (hal/_layout.py): an
    ``(inner, n1, n0)`` launch, leaf k read at ``r0 * s<k>_0 + r1 * s<k>_1`` plus ``j``
    when its step along rows (``steps[k]``, 1 or 0) is 1.  The steps are part of the
    source, so a CPU compiler vectorises the loads (kernels/strided.h says why)."""
    params = params + ["const index_t inner", "const index_t n1"]
    params += [f"const index_t s{k}_{d}" for k in range(len(steps)) for d in (0, 1)]
    lines = [f"KERNEL void {kname}({', '.join(params)})", "{",
             "    const index_t j = GLOBAL_ID_0, r1 = GLOBAL_ID_1, r0 = GLOBAL_ID_2;",
             "    if (j >= inner) return;",
             "    const index_t i = (r0 * n1 + r1) * inner + j;"]
    lines += [f"    const index_t o{k} = r0 * s{k}_0 + r1 * s{k}_1{' + j' if step else ''};"
              for k, step in enumerate(steps)]
    lines += reads([f"o{k}" for k in range(len(steps))])
    lines += body_lines
    lines += stores
    lines.append("}")
    return lines


_NODE_NAME = re.compile(r"\bv(\d+)\b")


def canonical_names(lines) -> str:
    """The generated lines as text, with the node variables (``v<id>``) renamed in order
    of first appearance.  Node ids come from one process-wide counter, so without this
    the same graph gave another source in every trace and every process: each new
    jitted function (or lazy tree, in a new process) compiled again instead of hitting
    the in-memory and disk caches.  The renaming is one-to-one, so it changes nothing
    else."""
    names: dict[str, str] = {}
    return _NODE_NAME.sub(lambda m: names.setdefault(m.group(0), f"v{len(names)}"),
                          "\n".join(lines))


def elementwise(target, leaves, nodes, outputs, strided, device_dtypes):
    """Source of kernel ``hal_jit_ew``: every output of one iteration space.
    ``strided``: False (flat), True (the meta buffer) or a tuple of the leaves' steps
    along rows (1 or 0: a row kernel, ``ew_rows_kernel``)."""
    loops = {n.loop for n in nodes if n.kind != "cast"} - {None}
    params = [f"GLOBAL_MEM {ctype(o.dtype)} *RESTRICT out{k}" for k, o in enumerate(outputs)]
    params += _leaf_params(leaves)

    def reads(idx):
        return [f"    {ctype(x.dtype)} v{x.id} = in{k}[in{k}_off + {idx[k]}];"
                for k, x in enumerate(leaves)]
    stores = [f"    out{k}[i] = v{o.id};" for k, o in enumerate(outputs)]
    if isinstance(strided, tuple):
        lines = ew_rows_kernel("hal_jit_ew", params, strided, reads, body(nodes), stores)
    else:
        lines = ew_kernel("hal_jit_ew", params, len(leaves), reads, body(nodes), stores,
                          strided)
    src = header(target, loops, device_dtypes) + "\n" + canonical_names(lines) + "\n"
    return src, options(device_dtypes, loops)


# -- reductions -------------------------------------------------------------------------

def _acc_ops(red: Node):
    """(identity, combine(acc, v), merge(acc, partial), final(acc)) C snippets."""
    acc, out = red.acc, red.dtype
    a_t = ctype(acc)
    if red.op in ("sum", "mean", "var", "std"):
        ident, step = f"(({a_t})0)", "acc = acc + x;"
    elif red.op == "prod":
        ident, step = f"(({a_t})1)", "acc = acc * x;"
    elif red.op in ("max", "min"):
        cmp = ">" if red.op == "max" else "<"
        if acc.kind == "f":
            sign = "-" if red.op == "max" else ""
            ident = f"(({a_t})({sign}INFINITY))"
            step = f"acc = (x {cmp} acc || x != x) ? x : acc;"
        elif acc.kind == "b":
            ident = literal(0 if red.op == "max" else 1, acc)
            step = f"acc = (x {cmp} acc) ? x : acc;"
        else:
            info = np.iinfo(acc.numpy)
            ident = literal(info.min if red.op == "max" else info.max, acc)
            step = f"acc = (x {cmp} acc) ? x : acc;"
    elif red.op == "any":
        ident, step = f"(({a_t})0)", "acc = (acc || x) ? 1 : 0;"
    elif red.op == "all":
        ident, step = f"(({a_t})1)", "acc = (acc && x) ? 1 : 0;"
    else:
        raise AssertionError(red.op)
    if red.op == "mean":
        final = f"(({ctype(out)})(acc / ({a_t})R))"
    elif red.op in ("var", "std"):
        # over max(R - correction, 0), as eager's p_final (kernels/reduce.c R_OP_VAR)
        c = red.param
        if c == int(c):
            k = f"((index_t){int(c)})"
            count = f"(({a_t})(R > {k} ? R - {k} : 0))"
        else:
            cl = literal(c, acc)
            count = f"((({a_t})R > {cl}) ? ({a_t})R - {cl} : ({a_t})0)"
        q = f"(acc / {count})"
        final = f"(({ctype(out)})sqrt({q}))" if red.op == "std" else f"(({ctype(out)}){q})"
    else:
        final = f"(({ctype(out)})acc)"
    return ident, step, final


def _to_acc(red: Node, src: Node) -> str:
    v = f"v{src.id}"
    if red.op in ("any", "all"):
        return f"(({ctype(red.acc)})({v} != 0))"
    return f"(({ctype(red.acc)})(({ctype(red.dtype)}){v}))" if red.op not in (
        "mean", "var", "std") else f"(({ctype(red.acc)}){v})"


def reduce_kernels(prefix: str, params: list[str], n_leaves: int, reads, map_lines,
                   x_expr: str, a_t: str, out_t: str, ident: str, step: str, store,
                   variant: str, chunk=None) -> list[str]:
    """``<prefix>_final`` (one work-item per output), ``<prefix>_partial`` (G
    work-items per output, each a contiguous chunk of the reduced extent: CPU drivers
    read a work-item's own chunk with vector loads, as kernels/reduce.c does) and
    ``<prefix>_combine`` (partials to outputs), shared by ``hal.jit``'s fused
    reductions and ``hal.ReductionKernel``.

    ``params``: the leaves' (and extra scalars') parameters; ``reads(idx)`` loads the
    leaves at offsets ``idx``, ``map_lines`` compute, ``x_expr`` is the mapped value in
    the accumulator type ``a_t``; ``step`` folds ``x`` into ``acc``; ``store(acc)``
    writes output ``o`` (``out[o] = ...``).  Variants: ``flat`` (reduced axes trailing,
    inputs contiguous), ``cols`` (reduced axes leading), ``strided`` (meta buffer).
    ``chunk(sig, names)``: the lines of ``<prefix>_chunk`` to use instead of these
    (hal.ReductionKernel's vector variant)."""
    grid = isinstance(variant, tuple) and variant[0] == "grid"
    geo = ["const index_t R"]
    if variant == "strided":
        geo += ["const int nk", "const int nr", "GLOBAL_MEM const index_t *meta"]
    elif grid:
        geo += ["const index_t C"] + [f"const index_t g{k}_rs, const index_t g{k}_s1, "
                                      f"const index_t g{k}_s2" for k in range(n_leaves)]
    sig = ", ".join(params + geo)
    names = [q.rsplit(" ", 1)[1].lstrip("*") for p in params for q in p.split(", ")]
    geo_names = [q.rsplit(" ", 1)[1].lstrip("*") for g in geo for q in g.split(", ")]
    if chunk is not None:
        lines = chunk(sig, names)
    elif grid:
        lines = _grid_chunk(prefix, sig, names + geo_names, n_leaves, reads, map_lines,
                            x_expr, a_t, ident, step, variant[1])
    elif variant != "strided":
        lines = _unrolled_chunk(prefix, sig, names, n_leaves, reads, map_lines, x_expr,
                                a_t, ident, step, variant)
    else:
        lines = [f"DEVICE_FN {a_t} {prefix}_chunk({sig}, const index_t n_out_arg, "
                 f"const index_t o, const index_t r0, const index_t r1)", "{",
                 f"    {a_t} acc = {ident};"]
    if variant == "strided" and chunk is None:
        lines += [f"    index_t k{k} = 0;" for k in range(n_leaves)]
        lines += ["    { index_t q = o;", "      for (int d = nk - 1; d >= 0; --d) {",
                  "        index_t e = meta[d], c = q % e;", "        q /= e;"]
        lines += [f"        k{k} += c * meta[nk + nr + {k} * (nk + nr) + d];"
                  for k in range(n_leaves)]
        lines += ["      } }"]
        lines.append("    for (index_t r = r0; r < r1; ++r) {")
        lines += [f"        index_t o{k} = k{k};" for k in range(n_leaves)]
        lines += ["        { index_t q = r;", "          for (int d = nr - 1; d >= 0; --d) {",
                  "            index_t e = meta[nk + d], c = q % e;", "            q /= e;"]
        lines += [f"            o{k} += c * meta[nk + nr + {k} * (nk + nr) + nk + d];"
                  for k in range(n_leaves)]
        lines += ["          } }"]
        idx = [f"o{k}" for k in range(n_leaves)]
        lines += ["    " + line for line in reads(idx)]
        lines += ["    " + line for line in map_lines]
        lines.append(f"        {a_t} x = {x_expr};")
        lines += [f"        {step}", "    }", "    return acc;", "}"]
    call_args = ", ".join(names + geo_names + ["n_out_arg"])
    lines += [
        f"KERNEL void {prefix}_final(GLOBAL_MEM {out_t} *RESTRICT out, {sig}, "
        f"const index_t n_out_arg)", "{", "    index_t o = GLOBAL_ID_0;",
        "    if (o >= n_out_arg) return;",
        f"    {a_t} acc = {prefix}_chunk({call_args}, o, 0, R);",
        *store("acc"), "}",
        f"KERNEL void {prefix}_partial(GLOBAL_MEM {a_t} *RESTRICT part, {sig}, "
        f"const index_t n_out_arg, const index_t G)", "{", "    index_t t = GLOBAL_ID_0;",
        "    if (t >= n_out_arg * G) return;",
        "    index_t g = t % G, chunk = (R + G - 1) / G, r0 = g * chunk;",
        "    index_t r1 = r0 + chunk < R ? r0 + chunk : R;",
        f"    part[t] = {prefix}_chunk({call_args}, t / G, r0 < R ? r0 : R, r1);", "}",
        f"KERNEL void {prefix}_combine(GLOBAL_MEM {out_t} *RESTRICT out, "
        f"GLOBAL_MEM const {a_t} *RESTRICT part, const index_t n_out_arg, const index_t G, "
        f"const index_t R)", "{", "    index_t o = GLOBAL_ID_0;",
        "    if (o >= n_out_arg) return;", f"    {a_t} acc = {ident};",
        "    for (index_t g = 0; g < G; ++g) {", f"        {a_t} x = part[o * G + g];",
        f"        {step}", "    }", *store("acc"), "}"]
    return lines


#: independent accumulators a contiguous chunk is folded into: the fold is a chain of
#: dependent steps, and one accumulator runs at the step's latency (a one-item
#: work-group on a CPU gets no vectorization across work-items); 8 chains give the
#: core's throughput (2^24 float32 sums: ~3x).  The reduction must be associative and
#: commutative, as CuPy's ReductionKernel and hal's own sums assume.
LANES = 8


def _unrolled_chunk(prefix, sig, names, n_leaves, reads, map_lines, x_expr, a_t, ident,
                    step, variant) -> list[str]:
    """``<prefix>_chunk`` for contiguous chunks (flat, cols): ``<prefix>_item`` folds
    element ``r`` of output ``o`` into an accumulator; LANES of them run interleaved."""
    idx = "r * n_out_arg + o" if variant == "cols" else "o * R + r"
    item_args = ", ".join(names + ["R", "n_out_arg", "o"])
    lines = [f"DEVICE_FN {a_t} {prefix}_merge({a_t} acc, {a_t} x) {{ {step} return acc; }}",
             f"DEVICE_FN {a_t} {prefix}_item({sig}, const index_t n_out_arg, "
             f"const index_t o, const index_t r, {a_t} acc)", "{"]
    lines += reads([idx] * n_leaves)
    lines += map_lines
    lines += [f"    return {prefix}_merge(acc, {x_expr});", "}",
              f"DEVICE_FN {a_t} {prefix}_chunk({sig}, const index_t n_out_arg, "
              f"const index_t o, const index_t r0, const index_t r1)", "{",
              "    " + " ".join(f"{a_t} acc{j} = {ident};" for j in range(LANES)),
              "    index_t r = r0;",
              f"    for (; r + {LANES} <= r1; r += {LANES}) {{"]
    lines += [f"        acc{j} = {prefix}_item({item_args}, r + {j}, acc{j});"
              for j in range(LANES)]
    lines += ["    }", f"    for (; r < r1; ++r) acc0 = {prefix}_item({item_args}, r, acc0);"]
    lines += [f"    acc0 = {prefix}_merge(acc0, acc{j});" for j in range(1, LANES)]
    lines += ["    return acc0;", "}"]
    return lines


def _grid_chunk(prefix, sig, names, n_leaves, reads, map_lines, x_expr, a_t, ident, step,
                cols) -> list[str]:
    """``<prefix>_chunk`` of the ``grid`` variant: the reduced extent as Q rows of C
    (the last reduced axis), leaf k of output o at ``in<k>_off + o * g<k>_rs + q *
    g<k>_s1 + c * g<k>_s2``.  A chunk walks its row segments: one division per
    segment, then the flat variant's interleaved accumulators along the row, with
    ``cols[k]`` ("1", "0" or "s") as the element stride built into the source (vector
    loads where it is 1).  Broadcast operands of a full reduction (``sum((x - b) **
    2)`` with ``b`` a row) no longer take the strided variant's per-element index
    arithmetic."""
    bases = ", ".join(f"const index_t b{k}" for k in range(n_leaves))
    col = {"1": "c", "0": "0"}
    idx = [f"b{k} + {col[cols[k]]}" if cols[k] in col else f"b{k} + c * g{k}_s2"
           for k in range(n_leaves)]
    item_args = ", ".join(names + ["n_out_arg"] + [f"b{k}" for k in range(n_leaves)])
    lines = [f"DEVICE_FN {a_t} {prefix}_merge({a_t} acc, {a_t} x) {{ {step} return acc; }}",
             f"DEVICE_FN {a_t} {prefix}_item({sig}, const index_t n_out_arg"
             f"{', ' + bases if n_leaves else ''}, const index_t c, {a_t} acc)", "{"]
    lines += reads(idx)
    lines += map_lines
    lines += [f"    return {prefix}_merge(acc, {x_expr});", "}",
              f"DEVICE_FN {a_t} {prefix}_chunk({sig}, const index_t n_out_arg, "
              f"const index_t o, const index_t r0, const index_t r1)", "{",
              "    " + " ".join(f"{a_t} acc{j} = {ident};" for j in range(LANES)),
              "    index_t r = r0;", "    while (r < r1) {",
              "        index_t q = r / C, c = r - q * C;",
              "        index_t end = c + (r1 - r) < C ? c + (r1 - r) : C;",
              "        r += end - c;"]
    lines += [f"        index_t b{k} = o * g{k}_rs + q * g{k}_s1;" for k in range(n_leaves)]
    lines += [f"        for (; c + {LANES} <= end; c += {LANES}) {{"]
    lines += [f"            acc{j} = {prefix}_item({item_args}, c + {j}, acc{j});"
              for j in range(LANES)]
    lines += ["        }", f"        for (; c < end; ++c) acc0 = {prefix}_item({item_args}, "
              f"c, acc0);", "    }"]
    lines += [f"    acc0 = {prefix}_merge(acc0, acc{j});" for j in range(1, LANES)]
    lines += ["    return acc0;", "}"]
    return lines


def reduction(target, leaves, nodes, red: Node, variant, device_dtypes):
    """Source of ``hal_jit_final``, ``hal_jit_partial`` and ``hal_jit_combine`` (see
    ``reduce_kernels``) for ``red`` over its fused map."""
    loops = {n.loop for n in nodes if n.kind != "cast"} - {None}
    ident, step, final = _acc_ops(red)

    def reads(idx):
        return [f"    {ctype(x.dtype)} v{x.id} = in{k}[in{k}_off + {idx[k]}];"
                for k, x in enumerate(leaves)]
    lines = reduce_kernels("hal_jit", _leaf_params(leaves), len(leaves), reads,
                           body(nodes, "    "), _to_acc(red, red.args[0]), ctype(red.acc),
                           ctype(red.dtype), ident, step,
                           lambda acc: [f"    out[o] = {final};"], variant)
    src_text = header(target, loops, device_dtypes) + "\n" + canonical_names(lines) + "\n"
    return src_text, options(device_dtypes, loops)


# -- rows: reductions over trailing axes feeding elementwise values of the full shape -----

def _row_params(leaves) -> list[str]:
    return [f"GLOBAL_MEM const {ctype(x.dtype)} *RESTRICT in{k}, const index_t in{k}_off, "
            f"const index_t in{k}_rs, const index_t in{k}_cs" for k, x in enumerate(leaves)]


def row(target, leaves, stages, final_nodes, outputs, red_outputs, group: int,
        device_dtypes, cols=None, cached=None):
    """Source of kernel ``hal_jit_row``: one work-group of ``group`` work-items per row
    (the flattened kept axes), for ``stages`` [(reduce node, its map's nodes)] in
    dependency order and then the elementwise ``outputs`` of ``final_nodes``.

    Each stage strides its work-items over the row (neighbouring work-items read
    neighbouring elements: one vector load on a CPU, coalesced on a GPU), folds into
    one accumulator each, then combines them in a tree in local memory; every
    work-item then holds the row's result as a scalar for the stages after it.  The
    producer chain is recomputed in each stage from the leaves: the row (R elements)
    is read from memory once and again from cache, and nothing of full size but the
    outputs is written.  Leaf ``k`` of row ``row``, element ``r`` is at
    ``in<k>_off + row * in<k>_rs + r * in<k>_cs`` (0 strides broadcast); ``cols[k]``
    "1" or "0" builds that element stride into the source (a compiler that knows the
    neighbouring work-items read neighbouring elements emits vector loads, not
    gathers), "s" reads it from the argument.  ``cached``: a costly value of the last
    stage's map that the outputs read: the stage stores it in ``out0`` and the output
    loop loads it back (the same work-item, the same elements, from cache) instead of
    computing it again (a softmax's exp)."""
    cols = cols or ("s",) * len(leaves)
    nodes_all = [n for _, ns in stages for n in ns] + list(final_nodes)
    loops = {n.loop for n in nodes_all if n.kind != "cast"} - {None}
    index = {x.id: k for k, x in enumerate(leaves)}
    params = [f"GLOBAL_MEM {ctype(o.dtype)} *RESTRICT out{k}" for k, o in enumerate(outputs)]
    params += [f"GLOBAL_MEM {ctype(o.dtype)} *RESTRICT rout{k}"
               for k, o in enumerate(red_outputs)]
    params += _row_params(leaves) + ["const index_t R", "const index_t n_rows"]
    lines = ["#ifdef __OPENCL_VERSION__",
             f"#define HAL_JIT_ROW_GROUP __attribute__((reqd_work_group_size({group}, 1, 1)))",
             "#else", "#define HAL_JIT_ROW_GROUP", "#endif",
             f"KERNEL HAL_JIT_ROW_GROUP void hal_jit_row({', '.join(params)})", "{",
             "    index_t row = GROUP_ID_0, lid = LOCAL_ID_0;",
             "    if (row >= n_rows) return;"]

    def reads(nodes, indent):
        used = []
        for n in nodes:
            for a in n.operands():
                if a.id in index and a not in used:
                    used.append(a)
        return [load(x, indent) for x in used]

    def load(x, indent):
        k = index[x.id]
        col = {"1": " + r", "0": ""}.get(cols[k], f" + r * in{k}_cs")
        return f"{indent}{ctype(x.dtype)} v{x.id} = in{k}[in{k}_off + row * in{k}_rs{col}];"

    for s, (red, nodes) in enumerate(stages):
        ident, step, final = _acc_ops(red)
        a_t = ctype(red.acc)
        src = red.args[0]
        if src.id in index and not nodes:  # the reduction of a leaf itself
            nodes_reads = [load(src, "        ")]
        else:
            nodes_reads = reads(nodes, "        ")
        lines += [f"    LOCAL_MEM {a_t} hal_s{s}[{group}];",
                  f"    {ctype(red.dtype)} v{red.id};",
                  "    {", f"    {a_t} acc = {ident};",
                  f"    for (index_t r = lid; r < R; r += {group}) {{"]
        lines += nodes_reads + body(nodes, "        ")
        if cached is not None and s == len(stages) - 1:
            lines.append(f"        out0[row * R + r] = v{cached.id};")
        lines += [f"        {a_t} x = {_to_acc(red, src)};", f"        {step}", "    }",
                  f"    hal_s{s}[lid] = acc;", "    LOCAL_BARRIER;",
                  f"    for (int h = {group // 2}; h > 0; h >>= 1) {{",
                  "        if (lid < h) {",
                  f"            {a_t} acc = hal_s{s}[lid], x = hal_s{s}[lid + h];",
                  f"            {step}", f"            hal_s{s}[lid] = acc;", "        }",
                  "        LOCAL_BARRIER;", "    }",
                  f"    acc = hal_s{s}[0];", f"    v{red.id} = {final};", "    }"]
    for k, red in enumerate(red_outputs):
        lines.append(f"    if (lid == 0) rout{k}[row] = v{red.id};")
    if outputs:
        lines.append(f"    for (index_t r = lid; r < R; r += {group}) {{")
        if cached is not None:
            lines.append(f"        {ctype(cached.dtype)} v{cached.id} = out0[row * R + r];")
        lines += reads(list(final_nodes) + [o for o in outputs if o.id in index],
                       "        ")
        lines += body(final_nodes, "        ")
        lines += [f"        out{k}[row * R + r] = v{o.id};" for k, o in enumerate(outputs)]
        lines.append("    }")
    lines.append("}")
    src_text = header(target, loops, device_dtypes) + "\n" + canonical_names(lines) + "\n"
    return src_text, options(device_dtypes, loops)
