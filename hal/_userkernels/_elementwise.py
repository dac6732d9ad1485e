"""``hal.ElementwiseKernel``: CuPy's elementwise kernel, on every device that builds
hal's portable dialect.

    sqdiff = hal.ElementwiseKernel("T x, T y", "T z", "z = (x - y) * (x - y)", "sqdiff")
    z = sqdiff(a, b)          # a, b broadcast; Python scalars allowed; z allocated

The kernel is ``hal.jit``'s elementwise kernel (``_jit._lower.ew_kernel``: the flat
variant when every input is C-contiguous with the output's shape, else the strided one
with per-input strides, 0 where an input broadcasts), its body the user's operation in
a block where each parameter is a local variable of its bound dtype.  Inputs whose
dtype differs from their parameter's are converted as ``astype`` converts, in the
kernel.  Built once per (device, dtypes, variant); a call then is a dict lookup and a
launch.
"""

from __future__ import annotations

import time

from .._array import Array
from .._errors import HalTypeError, HalValueError
from .._jit._backends import Index, strided_args
from .._manipulation import broadcast_shapes
from . import _common, _params


class ElementwiseKernel:
    """A user-defined elementwise kernel (CuPy's signature).

    ``in_params``/``out_params``: ``"T x, float32 y, raw T w"``; ``operation``: C
    statements of hal's portable dialect assigning the outputs (``i`` is the output
    item's flat index, ``n`` the output's size); ``name``: the kernel's name.
    ``requires``: capabilities the code needs (``"float64"``, ``"float16"``,
    ``"atomics"``, ``"subgroups"`` ...); ``preamble``: helper functions placed before
    the kernel.
    """

    def __init__(self, in_params: str, out_params: str, operation: str,
                 name: str = "kernel", *, requires=(), preamble: str = "",
                 no_return: bool = False):
        self.name = name
        self._label = f"ElementwiseKernel {name!r}"
        self.in_params = _params.parse(self._label, "input", in_params)
        self.out_params = _params.parse(self._label, "output", out_params, allow_raw=False)
        _params.check_unique(self._label, self.in_params, self.out_params)
        if not self.out_params:
            raise HalValueError(f"{self._label}: at least one output parameter is needed")
        self.operation = operation.replace("_ind.size()", "n")
        self.preamble = preamble
        self.requires = _common.features(self._label, requires)
        self.no_return = no_return
        self._built: dict = {}

    @property
    def nin(self) -> int:
        return len(self.in_params)

    @property
    def nout(self) -> int:
        return len(self.out_params)

    def __repr__(self) -> str:
        return f"<hal.ElementwiseKernel {self.name}: {self.nin} in, {self.nout} out>"

    # -- calling
    def __call__(self, *args, size=None):
        if len(args) not in (self.nin, self.nin + self.nout):
            raise HalTypeError(f"{self._label}: takes {self.nin} inputs (and optionally "
                               f"{self.nout} output arrays), got {len(args)} arguments")
        if any(a.__class__ is not Array and isinstance(a, Array) for a in args):
            return self._traced(args, size)
        start = time.perf_counter()
        ins, outs_given = args[:self.nin], args[self.nin:]
        arrays = [a for a in args if isinstance(a, Array)]
        device = _common.device_of(self._label, arrays)
        bound = _common.bind(self._label, self.out_params, outs_given, {})
        bound = _common.bind(self._label, self.in_params, ins, bound)
        in_dtypes = [_common.resolve(self._label, p, bound) for p in self.in_params]
        out_dtypes = [_common.resolve(self._label, p, bound) for p in self.out_params]
        launch = _common.check_device(self._label, device, self.requires,
                                      set(in_dtypes + out_dtypes +
                                          [a.dtype for a in arrays]))
        shapes = [a.shape for p, a in zip(self.in_params, ins)
                  if isinstance(a, Array) and not p.raw]
        shapes += [a.shape for a in outs_given]
        shape = tuple(broadcast_shapes(*shapes)) if shapes else ()
        if size is not None:
            if shapes and int(size) != _prod(shape):
                raise HalValueError(f"{self._label}: size={size} but the arguments "
                                    f"broadcast to {shape}")
            shape = (int(size),)
        for o, a in zip(self.out_params, outs_given):
            if not isinstance(a, Array) or tuple(a.shape) != shape:
                raise HalValueError(f"{self._label}: output {o.name} must be a hal array "
                                    f"of shape {shape}")
        views, leaf_dtypes, raws, scalars = [], [], [], []
        for p, a, d in zip(self.in_params, ins, in_dtypes):
            if p.raw:
                if not isinstance(a, Array):
                    raise HalTypeError(f"{self._label}: raw parameter {p.name} takes an "
                                       f"array")
                native = a._native if launch.contiguous(a._native) else \
                    _contiguous_copy(a)
                raws.append(launch.view(native))
            elif isinstance(a, Array):
                views.append(launch.view(a._native))
                leaf_dtypes.append(a.dtype)
            else:
                scalars.append(_common.scalar_arg(self._label, p.name, a, d))
        flat = all(v[4] and tuple(v[2]) == shape for v in views)
        is_array = tuple(isinstance(a, Array) for a in ins)
        key = (device, flat, tuple(leaf_dtypes), tuple(in_dtypes), tuple(out_dtypes),
               is_array)
        k = self._built.get(key)
        if k is None:
            k = self._built[key] = self._build(launch, device, flat, is_array, in_dtypes,
                                               out_dtypes, leaf_dtypes, bound)
        n = _prod(shape)
        outs = [launch.empty(shape, d) for d in out_dtypes]
        kargs = [launch.buffer(o) for o in outs]
        for v in views:
            kargs += [v[0], Index(v[1])]
        for v in raws:
            kargs += [v[0], Index(v[1])]
        kargs += scalars
        kargs.append(Index(n))
        if not flat:
            kargs += strided_args(launch, views, shape)
        launch.launch(k, n, kargs)
        results = [launch.wrap(o, d) for o, d in zip(outs, out_dtypes)]
        for given, r in zip(outs_given, results):
            given[...] = r
        if outs_given:
            results = list(outs_given)
        _common.record(self.name, device, out_dtypes, f"ElementwiseKernel {self.name}", start)
        if self.no_return:
            return None
        return results[0] if self.nout == 1 else tuple(results)

    # -- source
    def source(self, target: str, device, flat: bool, is_array, in_dtypes, out_dtypes,
               leaf_dtypes, bound) -> tuple[str, tuple, list]:
        """(source, options, argument signature) of one instance of the kernel:
        ``is_array`` says per input whether an array (else a scalar) is passed;
        ``leaf_dtypes`` are those arrays' dtypes; ``bound`` placeholder -> dtype."""
        from .._jit import _lower
        from .._jit._backends import INDEX
        dtypes = set(in_dtypes) | set(out_dtypes) | set(leaf_dtypes)
        head, opts = _common.header(target, device, dtypes, self.requires, self.preamble)
        defs, undefs = _common.type_defines(bound)
        params = [f"GLOBAL_MEM {_lower.ctype(d)} *RESTRICT out{k}"
                  for k, d in enumerate(out_dtypes)]
        sig = ["buf"] * len(out_dtypes)
        leaves, raws, scalars = [], [], []
        for p, a, d in zip(self.in_params, is_array, in_dtypes):
            if p.raw:
                raws.append((p, d))
            elif a:
                leaves.append((p, d))
            else:
                scalars.append((p, d))
        for j in range(len(leaves)):
            params.append(f"GLOBAL_MEM const {_lower.ctype(leaf_dtypes[j])} *RESTRICT "
                          f"in{j}, const index_t in{j}_off")
            sig += ["buf", INDEX]
        for j, (_, d) in enumerate(raws):
            params.append(f"GLOBAL_MEM const {_lower.ctype(d)} *RESTRICT raw{j}, "
                          f"const index_t raw{j}_off")
            sig += ["buf", INDEX]
        for j, (_, d) in enumerate(scalars):
            params.append(f"const {_common.scalar_ctype(d)} s{j}")
            sig.append(_common._CARRIER.get(d.name, d).numpy.type)

        def reads(idx):
            lines = ["    {"]
            for j, (p, d) in enumerate(leaves):
                value = _lower.cast_expr(leaf_dtypes[j], d, f"in{j}[in{j}_off + {idx[j]}]") \
                    if leaf_dtypes[j] is not d else f"in{j}[in{j}_off + {idx[j]}]"
                lines.append(f"    {_lower.ctype(d)} {p.name} = {value};")
            for j, (p, d) in enumerate(raws):
                lines.append(f"    GLOBAL_MEM const {_lower.ctype(d)} *{p.name} = "
                             f"raw{j} + raw{j}_off;")
            for j, (p, d) in enumerate(scalars):
                lines.append(f"    {_lower.ctype(d)} {p.name} = ({_lower.ctype(d)})s{j};")
            lines += [f"    {_lower.ctype(d)} {p.name};"
                      for p, d in zip(self.out_params, out_dtypes)]
            return lines
        body = [f"    {{ {self.operation.strip().rstrip(';')}; }}"]
        stores = [f"    out{k}[i] = {p.name};" for k, p in enumerate(self.out_params)]
        stores.append("    }")
        sig += [INDEX] + ([] if flat else ["int", "buf"])
        lines = _lower.ew_kernel(self.name, params, len(leaves), reads, body, stores,
                                 not flat)
        src = "\n".join([head, *defs, *lines, *undefs]) + "\n"
        return src, opts, sig

    def _build(self, launch, device, flat, is_array, in_dtypes, out_dtypes, leaf_dtypes,
               bound):
        from .._jit._backends import INT
        src, opts, sig = self.source(launch.target, device, flat, is_array, in_dtypes,
                                     out_dtypes, leaf_dtypes, bound)
        sig = [INT if s == "int" else s for s in sig]
        ks = _common.build(launch, self._label, src, opts, [self.name], {self.name: sig})
        return ks[self.name]


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _contiguous_copy(a):
    """A C-contiguous copy of a view passed for a ``raw`` parameter."""
    import hal
    return hal.asarray(a, copy=True)._native


class UserOp:
    """A single-output elementwise user kernel as a node of ``hal.jit``'s graph: the
    statements computing it inside a fused kernel (its parameters as locals of their
    bound dtypes, converted as ``astype`` converts, its operation in a block)."""

    def __init__(self, kernel, bound, in_dtypes, out_dtype):
        self.kernel, self.bound = kernel, bound
        self.in_dtypes, self.out_dtype = in_dtypes, out_dtype

    def __str__(self) -> str:
        return f"ElementwiseKernel {self.kernel.name}"

    def c_lines(self, node) -> list[str]:
        from .._jit import _lower
        from .._jit._graph import Node
        defs, undefs = _common.type_defines(self.bound)
        (out,) = self.kernel.out_params
        lines = [f"{_lower.ctype(self.out_dtype)} v{node.id};", "{"]
        for p, a, d in zip(self.kernel.in_params, node.args, self.in_dtypes):
            if isinstance(a, Node):
                value = f"v{a.id}" if a.dtype is d else _lower.cast_expr(a.dtype, d,
                                                                         f"v{a.id}")
            else:
                value = _lower.literal(a, d)
            lines.append(f"    {_lower.ctype(d)} {p.name} = {value};")
        lines.append(f"    {_lower.ctype(self.out_dtype)} {out.name};")
        lines += defs
        lines.append(f"    {{ {self.kernel.operation.strip().rstrip(';')}; }}")
        lines += undefs
        lines += [f"    v{node.id} = {out.name};", "}"]
        return lines


def _fusible(kernel) -> bool:
    return kernel.nout == 1 and not any(p.raw for p in kernel.in_params) and \
        "_ind" not in kernel.operation and not kernel.preamble and not kernel.no_return \
        and not _uses_index(kernel.operation)


def _uses_index(operation: str) -> bool:
    """Whether the operation reads ``i`` or ``n`` (the kernel's own item and size)."""
    import re
    return re.search(r"(?<![\w.])[in](?!\w)", operation) is not None


def _traced(self, args, size):
    """Inside ``hal.jit``: a single-output kernel (no raw inputs, no index, no
    preamble) becomes a node that fuses into the surrounding elementwise region;
    otherwise it runs on the values computed so far, cutting the region."""
    from .._jit._trace import Tracer
    rec = next(a._rec for a in args if isinstance(a, Tracer))
    if len(args) != self.nin or size is not None or not _fusible(self):
        return rec.cut(self.name, self, args, {})
    bound = _common.bind(self._label, self.in_params, args, {})
    in_dtypes = [_common.resolve(self._label, p, bound) for p in self.in_params]
    (out_dtype,) = [_common.resolve(self._label, p, bound) for p in self.out_params]
    _common.check_device(self._label, rec.device, self.requires,
                         set(in_dtypes + [out_dtype] + [a.dtype for a in args
                                                         if isinstance(a, Array)]))
    for p, a, d in zip(self.in_params, args, in_dtypes):
        if not isinstance(a, Array):
            _common.scalar_arg(self._label, p.name, a, d)  # its range and type checks
    tracers = [rec.lift(a) if isinstance(a, Array) else a for a in args]
    shape = rec.broadcast([t._shape for t in tracers if isinstance(t, Tracer)])
    node_args = [t._node if isinstance(t, Tracer) else t for t in tracers]
    return rec.node("user", UserOp(self, bound, in_dtypes, out_dtype), node_args,
                    out_dtype, shape)


ElementwiseKernel._traced = _traced
