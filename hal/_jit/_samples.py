"""A representative set of ``hal.jit`` kernels, for ``hal kernels check`` on targets
with no device here (CUDA through NVRTC, HIP through hipcc).

Each sample function is traced on the NumPy device (which runs it eagerly, as
``explain`` does: the steps and their nodes are recorded all the same), and every
kernel step's sources are generated for the target as for a GPU that holds every hal
dtype, in each variant a launch can pick: elementwise ``flat``/``strided``, map+reduce
``flat``/``cols``/``strided``/``grid``, row kernels with built-in unit strides and with strides
read from arguments, map+reduce ``grid`` with both.  Together they cover elementwise chains (mixed dtypes, weak
scalars, ``where``, ``astype``, float16 and float64), map+reduce of every reduction
(``var``/``std`` too), several outputs of one kernel, broadcasting, and row kernels
(softmax, layer norm).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Sample:
    name: str       # e.g. "jit:softmax[float32] step 0 row"
    label: str      # the dtype column
    source_for: object  # target -> (source, options)
    kernels: tuple  # kernel names the build must hold


def _functions():
    import numpy as np

    import hal

    def chain(a, b, c, d, e):
        return a * b + c * d - e

    def mixed(i8, f32, b):
        return (i8 + 3, f32 * 2.5, i8 + f32, (i8 > 2) | b, i8 / 2, hal.where(b, i8, 7),
                hal.astype(f32 * 300, hal.uint8), hal.astype(f32, hal.int16) << 1)

    def half_double(h, d):
        return hal.sqrt(h * h + 1), hal.exp(d) - hal.astype(h, hal.float64)

    def multi(x, y):
        z = x * y + x
        return z, z < y, hal.sqrt(hal.abs(z))

    def reductions(x, y, n):
        d = (x - y) * 0.5
        return (hal.sum(d ** 2), hal.mean(hal.exp(d), axis=0), hal.max(d, axis=1),
                hal.min(d, axis=(0, 2), keepdims=True), hal.any(d > 0, axis=2),
                hal.all(d < 3, axis=1), hal.prod(n * 3, axis=0), hal.sum(n, axis=1))

    def moments(x):
        return (hal.var(x * 2, axis=1, correction=1), hal.std(x, axis=None),
                hal.var(x, axis=0, correction=0.5))

    def softmax(x):
        e = hal.exp(x - hal.max(x, axis=-1, keepdims=True))
        return e / hal.sum(e, axis=-1, keepdims=True)

    def layer_norm(x, g, b):
        m = hal.mean(x, axis=-1, keepdims=True)
        v = hal.var(x, axis=-1, keepdims=True)
        return (x - m) / hal.sqrt(v + 1e-5) * g + b, m

    def arrays(*specs):
        dev = hal.get_device("numpy")
        rng = np.random.default_rng(0)
        return [hal.asarray((rng.standard_normal(shape) * 3).astype(dtype), device=dev)
                for shape, dtype in specs]

    f32 = np.float32
    return [
        ("elementwise chain", chain, arrays(*[((4, 5), f32)] * 4, ((5,), f32))),
        ("mixed dtypes", mixed, arrays(((3, 4), np.int8), ((4,), f32), ((4,), np.bool_))),
        ("float16 and float64", half_double, arrays(((6,), np.float16),
                                                    ((6,), np.float64))),
        ("multi-output", multi, arrays(((3, 4), f32), ((4,), f32))),
        ("map+reduce", reductions, arrays(((3, 4, 5), f32), ((4, 5), f32),
                                          ((3, 4), np.int32))),
        ("var and std", moments, arrays(((6, 7), np.float64))),
        ("row softmax", softmax, arrays(((8, 32), f32))),
        ("row layer norm", layer_norm, arrays(((8, 32), f32), ((32,), f32), ((32,), f32))),
    ]


def _program(fn, arrays):
    from . import JitFunction
    from ._run import Context
    jf = JitFunction(fn)
    device = arrays[0]._p.device
    key = jf._key(device, arrays, {})
    jf._trace(device, Context(None, jf.stats), key, arrays, {}, list(arrays))
    return jf._programs[key]


def samples() -> list[Sample]:
    """Every kernel source of the sample functions, one :class:`Sample` per step and
    variant."""
    from .. import _dtypes
    gpu = _dtypes.ALL  # CUDA and ROCm GPUs hold every hal dtype
    out = []
    for title, fn, arrays in _functions():
        program = _program(fn, arrays)
        label = ",".join(dict.fromkeys(a.dtype.name for a in arrays))
        first = set()  # the kinds whose every variant this sample has compiled
        for i, step in enumerate(program.steps):
            # every step flat; the other variants (the same op code, other indexing)
            # once per sample and kind
            if step.kind == "fused":
                rows = ("rows",) + tuple(k % 2 for k in range(len(step.leaves)))
                variants = ("flat",) if "fused" in first else ("flat", "strided", rows)
                names = ("hal_jit_ew",)
            elif step.kind == "reduce":
                n = len(step.leaves)
                grid = ("grid", tuple("10s"[k % 3] for k in range(n)))
                variants = ("flat",) if "reduce" in first else ("flat", "cols", "strided",
                                                                  grid)
                names = ("hal_jit_final", "hal_jit_partial", "hal_jit_combine")
            elif step.kind == "row":
                n = len(step.leaves)
                variants = ((256, ("1",) * n), (256, ("s",) * n))
                names = ("hal_jit_row",)
            else:
                continue
            first.add(step.kind)
            for v in variants:
                vname = v if isinstance(v, str) else \
                    f"rows, steps {''.join(map(str, v[1:]))}" if v[0] == "rows" else \
                    f"{v[0] if v[0] == 'grid' else 'row'}, strides {''.join(v[1])}"
                out.append(Sample(
                    f"jit {title}: step {i} {step.kind} ({vname})", label,
                    lambda target, s=step, v=v: s.source(target, v, gpu), names))
    return out
