"""``hal.ReductionKernel``: CuPy's reduction kernel on every device that builds hal's
portable dialect.

    l2 = hal.ReductionKernel("T x", "T y", "x * x", "a + b", "y = sqrt(a)", "0", "l2")
    l2(v, axis=1, keepdims=True)

``map_expr`` maps the inputs (broadcast together) to one value, ``reduce_expr``
combines two values ``a`` and ``b``, ``post_map_expr`` assigns the output from the
reduced value ``a`` (``_in_ind.size()`` and ``_out_ind.size()`` are the input's and
output's sizes, as in CuPy), ``identity`` starts every accumulation.  The kernels are
``hal.jit``'s map+reduce trio (``_jit._lower.reduce_kernels``: one work-item per output,
or contiguous chunks of the reduced extent and a combine when outputs are few); the
three expressions become device functions, so their names cannot clash with hal's.
"""

from __future__ import annotations

import time

from .._array import Array
from .._errors import HalError, HalTypeError, HalValueError
from .._jit._backends import Index, Int32
from .._jit._backends import broadcast_strides, reduce_variant
from .._jit._run import Context
from .._jit._trace import Tracer, normalise_axes
from .._manipulation import broadcast_shapes
from . import _common, _params


class ReductionKernel:
    """A user-defined reduction (CuPy's signature); call as ``k(*inputs, axis=None,
    keepdims=False)``.  ``reduce_type``: the accumulator's type (default: the output's);
    ``requires``, ``preamble``: as for :class:`hal.ElementwiseKernel`."""

    def __init__(self, in_params: str, out_params: str, map_expr: str, reduce_expr: str,
                 post_map_expr: str, identity, name: str = "reduce_kernel", *,
                 reduce_type: str | None = None, requires=(), preamble: str = ""):
        self.name = name
        self._label = f"ReductionKernel {name!r}"
        self.in_params = _params.parse(self._label, "input", in_params, allow_raw=False)
        self.out_params = _params.parse(self._label, "output", out_params, allow_raw=False)
        _params.check_unique(self._label, self.in_params, self.out_params)
        if len(self.out_params) != 1:
            raise HalValueError(f"{self._label}: exactly one output parameter, got "
                                f"{out_params!r}")
        if self.out_params[0].name in ("a", "b"):
            raise HalValueError(f"{self._label}: the output cannot be named 'a' or 'b' "
                                f"(the reduced values' names)")
        if identity is None or str(identity).strip() == "":
            raise HalValueError(f"{self._label}: an identity is needed (the value every "
                                f"partial reduction starts from, e.g. '0', '-INFINITY')")
        self.map_expr, self.reduce_expr = map_expr, reduce_expr
        self.post_map_expr = (post_map_expr.replace("_in_ind.size()", "_in_size")
                              .replace("_out_ind.size()", "_out_size"))
        self.identity = str(identity)
        self.reduce_type = None
        if reduce_type is not None:
            (self.reduce_type,) = _params.parse(self._label, "reduce_type",
                                                f"{reduce_type} a", allow_raw=False)
        self.preamble = preamble
        self.requires = _common.features(self._label, requires)
        self._built: dict = {}

    def __repr__(self) -> str:
        return f"<hal.ReductionKernel {self.name}: {len(self.in_params)} in>"

    def __call__(self, *args, axis=None, keepdims: bool = False):
        if len(args) != len(self.in_params):
            raise HalTypeError(f"{self._label}: takes {len(self.in_params)} inputs, got "
                               f"{len(args)}")
        if any(isinstance(a, Tracer) for a in args):
            rec = next(a._rec for a in args if isinstance(a, Tracer))
            return rec.cut(self.name, lambda *a: self(*a, axis=axis, keepdims=keepdims),
                           args, {})
        start = time.perf_counter()
        arrays = [a for a in args if isinstance(a, Array)]
        device = _common.device_of(self._label, arrays)
        bound = _common.bind(self._label, self.in_params, args, {})
        in_dtypes = [_common.resolve(self._label, p, bound) for p in self.in_params]
        out_dtype = _common.resolve(self._label, self.out_params[0], bound)
        acc = out_dtype if self.reduce_type is None else \
            _common.resolve(self._label, self.reduce_type, bound)
        launch = _common.check_device(self._label, device, self.requires,
                                      set(in_dtypes + [out_dtype, acc] +
                                          [a.dtype for a in arrays]))
        full = tuple(broadcast_shapes(*[a.shape for a in arrays]))
        axes = normalise_axes(self._label, axis, len(full))
        kept = [d for d in range(len(full)) if d not in axes]
        n_out = _prod(full[d] for d in kept)
        R = _prod(full[d] for d in axes)
        out_shape = tuple(1 if d in axes else full[d] for d in range(len(full))) \
            if keepdims else tuple(full[d] for d in kept)
        views = [launch.view(a._native) for a in arrays]
        scalars = [_common.scalar_arg(self._label, p.name, a, d)
                   for p, a, d in zip(self.in_params, args, in_dtypes)
                   if not isinstance(a, Array)]
        variant = reduce_variant(views, full, axes)
        leaf_dtypes = tuple(a.dtype for a in arrays)
        is_array = tuple(isinstance(a, Array) for a in args)
        key = (device, variant, leaf_dtypes, tuple(in_dtypes), out_dtype, acc, is_array)
        ks = self._built.get(key)
        if ks is None:
            ks = self._built[key] = self._build_best(launch, device, variant, is_array,
                                                     in_dtypes, leaf_dtypes, out_dtype,
                                                     acc, bound)
        out = launch.empty(out_shape, out_dtype)
        kargs = []
        for v in views:
            kargs += [v[0], Index(v[1])]
        kargs += scalars
        kargs.append(Index(R))
        if variant == "strided":
            meta = [full[d] for d in kept] + [full[d] for d in axes]
            for v in views:
                b = broadcast_strides(v[2], v[3], full)
                meta += [b[d] for d in kept] + [b[d] for d in axes]
            kargs += [Int32(len(kept)), Int32(len(axes)), launch.meta(meta)]
        G = Context(launch, {}).groups(n_out, R)
        if n_out and (G == 1 or R == 0):
            launch.launch(ks["hal_uk_final"], n_out, [launch.buffer(out)] + kargs +
                          [Index(n_out)])
        elif n_out:
            part = launch.empty((n_out * G,), acc)
            launch.launch(ks["hal_uk_partial"], n_out * G,
                          [launch.buffer(part)] + kargs + [Index(n_out), Index(G)],
                          serial=True)
            launch.launch(ks["hal_uk_combine"], n_out,
                          [launch.buffer(out), launch.buffer(part), Index(n_out),
                           Index(G), Index(R)])
        result = launch.wrap(out, out_dtype)
        _common.record(self.name, device, (out_dtype,), f"ReductionKernel {self.name}", start)
        return result

    def source(self, target, device, variant, is_array, in_dtypes, leaf_dtypes, out_dtype,
               acc, bound):
        """(source, options, {kernel name: argument signature}) of one instance:
        ``is_array`` per input (else a scalar), ``leaf_dtypes`` of those arrays."""
        from .._jit import _lower
        from .._jit._backends import INDEX, INT
        dtypes = set(in_dtypes) | set(leaf_dtypes) | {out_dtype, acc}
        head, opts = _common.header(target, device, dtypes, self.requires, self.preamble)
        defs, undefs = _common.type_defines(bound)
        a_t, out_t = _lower.ctype(acc), _lower.ctype(out_dtype)
        params, sig, reads_, call = [], [], [], []
        j = s = 0
        for a, d in zip(is_array, in_dtypes):
            if a:
                ld = leaf_dtypes[j]
                params.append(f"GLOBAL_MEM const {_lower.ctype(ld)} *RESTRICT in{j}, "
                              f"const index_t in{j}_off")
                sig += ["buf", INDEX]
                reads_.append((j, ld, d))
                call.append(f"hal_v{j}")
                j += 1
            else:
                params.append(f"const {_common.scalar_ctype(d)} s{s}")
                sig.append(_common._CARRIER.get(d.name, d).numpy.type)
                call.append(f"(({_lower.ctype(d)})s{s})")
                s += 1
        fn_params = ", ".join(f"{_lower.ctype(d)} {p.name}"
                              for p, d in zip(self.in_params, in_dtypes))
        y = self.out_params[0].name
        funcs = [
            f"DEVICE_FN {a_t} hal_uk_map({fn_params}) {{ return ({a_t})({self.map_expr}); }}",
            f"DEVICE_FN {a_t} hal_uk_reduce({a_t} a, {a_t} b) {{ return ({self.reduce_expr}); }}",
            f"DEVICE_FN {out_t} hal_uk_post({a_t} a, index_t _in_size, index_t _out_size) "
            f"{{ {out_t} {y}; {self.post_map_expr.strip().rstrip(';')}; return {y}; }}",
        ]

        def reads(idx):
            out = []
            for (k, ld, d), ix in zip(reads_, idx):
                value = f"in{k}[in{k}_off + {ix}]"
                if ld is not d:
                    value = _lower.cast_expr(ld, d, value)
                out.append(f"    {_lower.ctype(d)} hal_v{k} = {value};")
            return out
        chunk = None
        if variant == "vector":
            vdefs = [f"#define {k} hal_{v.name}_v8" for k, v in sorted(bound.items())]
            funcs += [*undefs, *vdefs, *_vector_funcs(self, in_dtypes, is_array, acc),
                      *undefs, *defs]
            chunk = _vector_chunk(self, is_array, in_dtypes, acc)
        lines = _lower.reduce_kernels(
            "hal_uk", params, j, reads, [], f"hal_uk_map({', '.join(call)})", a_t, out_t,
            f"(({a_t})({self.identity}))", "acc = hal_uk_reduce(acc, x);",
            lambda accv: [f"    out[o] = hal_uk_post({accv}, R * n_out_arg, n_out_arg);"],
            "flat" if variant == "vector" else variant, chunk)
        src = "\n".join([head, *defs, *funcs, *lines, *undefs]) + "\n"
        geo = [INDEX] + ([INT, INT, "buf"] if variant == "strided" else [])
        # (the vector variant launches as flat: same arguments)
        sigs = {"hal_uk_final": ["buf"] + sig + geo + [INDEX],
                "hal_uk_partial": ["buf"] + sig + geo + [INDEX, INDEX],
                "hal_uk_combine": ["buf", "buf", INDEX, INDEX, INDEX]}
        return src, opts, sigs

    def _build_best(self, launch, device, variant, is_array, in_dtypes, leaf_dtypes,
                    out_dtype, acc, bound):
        """The ``vector`` instance where it may apply and builds, else ``variant``'s."""
        if variant == "flat" and _vectorizable(launch.target, in_dtypes, leaf_dtypes, acc):
            try:
                return self._build(launch, device, "vector", is_array, in_dtypes,
                                   leaf_dtypes, out_dtype, acc, bound)
            except HalError:
                pass  # the expressions are not valid on vectors: the scalar kernel
        return self._build(launch, device, variant, is_array, in_dtypes, leaf_dtypes,
                           out_dtype, acc, bound)

    def _build(self, launch, device, variant, is_array, in_dtypes, leaf_dtypes, out_dtype,
               acc, bound):
        src, opts, sigs = self.source(launch.target, device, variant, is_array, in_dtypes,
                                      leaf_dtypes, out_dtype, acc, bound)
        return _common.build(launch, self._label, src, opts, list(sigs), sigs)


def _prod(values) -> int:
    n = 1
    for v in values:
        n *= v
    return n


#: reductions of 32/64-bit floats run 8-lane vectors per work-item on OpenCL C targets
#: (CPU drivers vectorize across work-items, and a one-item work-group folding a long
#: chunk gets none: scalar folds ran at ~1 element per cycle, 2^24 float32 in 2.8 ms
#: where kernels/reduce.c's vectors take 1.9 ms).  The user's expressions are compiled
#: on vectors (OpenCL C's operators and math functions take them lane by lane); if
#: they do not build so, the scalar kernel runs.
_VECTOR_DTYPES = ("float32", "float64")


def _vectorizable(target, in_dtypes, leaf_dtypes, acc) -> bool:
    return target == "opencl" and acc.name in _VECTOR_DTYPES and \
        all(d is acc for d in in_dtypes) and all(d is acc for d in leaf_dtypes)


def _vector_funcs(self, in_dtypes, is_array, acc) -> list[str]:
    """``hal_uk_vmap`` and ``hal_uk_vreduce``: the user's map and reduce on vectors."""
    from .._jit import _lower
    v_t = f"hal_{acc.name}_v8"
    params = ", ".join(f"{v_t if a else _lower.ctype(d)} {p.name}"
                       for p, a, d in zip(self.in_params, is_array, in_dtypes))
    return [f"DEVICE_FN {v_t} hal_uk_vmap({params}) {{ return ({v_t})({self.map_expr}); }}",
            f"DEVICE_FN {v_t} hal_uk_vreduce({v_t} a, {v_t} b) "
            f"{{ return ({self.reduce_expr}); }}"]


def _vector_chunk(self, is_array, in_dtypes, acc):
    """``hal_uk_chunk`` folding two 8-lane vectors per step, then the lanes and the
    tail with the scalar functions."""
    from .._jit import _lower
    a_t, s_t = _lower.ctype(acc), _lower.ctype(acc)
    v_t = f"hal_{acc.name}_v8"

    def lines(sig, names):
        vargs, sargs = [], []
        j = s = 0
        for a, d in zip(is_array, in_dtypes):
            if a:
                base = f"in{j} + in{j}_off + o * R + r"
                vargs.append(f"HAL_V8_LOAD({s_t}, {base}{{k}})")
                sargs.append(f"in{j}[in{j}_off + o * R + r]")
                j += 1
            else:
                arg = f"(({_lower.ctype(d)})s{s})"
                vargs.append(arg)
                sargs.append(arg)
                s += 1
        va = ", ".join(v.format(k="") for v in vargs)
        vb = ", ".join(v.format(k=" + 8") for v in vargs)
        out = [f"DEVICE_FN {a_t} hal_uk_chunk({sig}, const index_t n_out_arg, "
               f"const index_t o, const index_t r0, const index_t r1)", "{",
               f"    {v_t} va = ({v_t})({a_t})({self.identity}), vb = va;",
               "    index_t r = r0;",
               "    for (; r + 16 <= r1; r += 16) {",
               f"        va = hal_uk_vreduce(va, hal_uk_vmap({va}));",
               f"        vb = hal_uk_vreduce(vb, hal_uk_vmap({vb}));",
               "    }", "    va = hal_uk_vreduce(va, vb);",
               f"    {a_t} acc = va.s0;"]
        out += [f"    acc = hal_uk_reduce(acc, va.s{k});" for k in range(1, 8)]
        out += [f"    for (; r < r1; ++r) acc = hal_uk_reduce(acc, "
                f"hal_uk_map({', '.join(sargs)}));", "    return acc;", "}"]
        return out
    return lines

