"""The OpenCL backend's matrix products and selection functions.

Kernels in ``kernels/matmul.c`` (matmul, vecdot, outer, cross; tensordot is views plus
matmul) and ``kernels/select.c`` (where, clip, tril, triu, eye); meshgrid returns
broadcast views.  Each (dtype, section of a source file) is its own program, built on
first use and cached on disk, so a first ``matmul`` compiles only what it runs.

Products take one of three kernels (``_product``):

* ``matmul_v8`` (floating and complex dtypes, at least 8 x 8 outputs and 32^3 flops/2):
  both operands packed into zero-padded panels, then register tiles in 8-lane vectors
  whose shape is chosen per driver (``_V8_CONFIGS``, measured with
  ``benchmarks/opencl_matmul.py --tiles``); complex products run as one real product
  of twice the size; float16 accumulates in float32;
* ``matmul_rows`` (real floating, no batch, fewer than 8 rows or columns: matrix-vector
  products): the left operand read in place, the right one by contiguous rows;
* ``matmul_direct`` (everything else: small products, integers, vecdot, outer): one
  work-item per output element, the operands read in place through their strides,
  batch dimensions broadcast.
"""

from __future__ import annotations

import numpy as np

import hal
from hal import toolkit

from ._array import CLArray, c_strides
from ._context import KernelBuildError
from ._kernels import _state_by_index, cast_into, copy_contiguous, fill_into
from ._state import state_of

_index = np.int64
_int = np.int32

NUMERIC = tuple(d for d in toolkit.ALL_DTYPES if d.kind in "iufc")
REAL = tuple(d for d in toolkit.ALL_DTYPES if d.kind in "biuf")


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _bstrides(shape, strides, target) -> tuple:
    """``strides`` of an array of ``shape`` seen through the broadcast shape ``target``."""
    pad = len(target) - len(shape)
    return (0,) * pad + tuple(0 if e == 1 else s for e, s in zip(shape, strides))


def _scalar(dtype, value):
    """A Python scalar as a kernel argument of ``dtype`` (out of range floats -> inf)."""
    if dtype.kind == "b":
        return np.uint8(bool(value))
    with np.errstate(over="ignore"):
        return dtype.numpy.type(value)


def _clamp(k: int, lo: int, hi: int) -> int:
    """A diagonal offset clamped so it fits an index_t (the result is the same)."""
    return max(lo, min(hi, int(k)))


# -- programs ---------------------------------------------------------------------------

def _kernel(state, file: str, dtype, section: str, name: str, extra: tuple = ()):
    """Kernel ``name`` of ``kernels/<file>``: one program per (dtype, section, extra
    defines), memoized on the device and cached on disk by the device state."""
    key = ("hal_opencl._linalg", file, dtype, section, extra, name)

    def make():
        pkey = ("hal_opencl._linalg", file, dtype, section, extra)

        def build():
            defines = state.defines_for(dtype)
            defines[section] = "1"
            defines.update(extra)
            return state.build_program(file, defines)
        try:
            kernel = state.cl.Kernel(state.cached(pkey, build), name)
        except state.cl.Error as exc:
            raise KernelBuildError(f"kernels/{file} built for {dtype} ({section}) on "
                                   f"{state.hal_device} has no kernel {name!r} "
                                   f"({exc})") from None
        # typed scalar arguments (from the manifest): PyOpenCL packs them fast
        kernel.set_scalar_arg_dtypes(state.scalar_arg_dtypes(file, name, dtype))
        return kernel
    return state.cached(key, make)


def _acc_defines(dtype) -> tuple:
    """The accumulator type of matmul.c for ``dtype`` (see the comment atop it)."""
    if dtype.kind in "iu":
        return (("ACC", "hal_uint64" if dtype.itemsize == 8 else "hal_uint32"),)
    if dtype is hal.float16:
        return (("ACC", "hal_float32"),)
    return ()


# -- register-blocked float products ---------------------------------------------------

#: (MR, NV, kc, chunk, local) per (driver, vector element type): tiles of MR x 8*NV,
#: K blocks of kc, ``chunk`` row panels per work-item, the work-group shape.  Chosen
#: with ``benchmarks/opencl_matmul.py --tiles`` on this machine's 2-core AVX2 CPU
#: (16 ymm registers: 6 x 16 floats or 6 x 8 doubles is 12 accumulators).  Both
#: drivers agree: 4x8 / 6x8 float tiles lose 25-40%, 8x8 10-20%, kc 128..512 and
#: chunk 4..32 are within the noise; Intel's runtime picks a local size that runs 6x
#: slower when left to choose, so it is always (1, 1).
_V8_CONFIGS = {
    ("pocl", "float32"): (6, 2, 512, 8, (1, 1)),
    ("pocl", "float64"): (6, 1, 512, 8, (1, 1)),
    ("intel", "float32"): (6, 2, 512, 8, (1, 1)),
    ("intel", "float64"): (6, 1, 512, 8, (1, 1)),
    ("other", "float32"): (6, 2, 512, 8, (1, 1)),
    ("other", "float64"): (6, 1, 512, 8, (1, 1)),
}


def _driver(state) -> str:
    name = state.platform.name.lower()
    if "portable computing language" in name or "pocl" in name:
        return "pocl"
    if "intel" in name:
        return "intel"
    return "other"


def _native_float_width(state) -> int:
    try:
        return int(state.device.native_vector_width_float)
    except Exception:  # a driver that does not answer: assume narrow vectors
        return 0


def _v8_config(state, dtype):
    """The V8 plan of a real floating dtype on this device, or None (GPUs: the
    register-blocked CPU kernel does not suit them; they use matmul_direct)."""
    if dtype.kind not in "fc" or not state.is_cpu:
        return None
    vt = hal.float64 if dtype in (hal.float64, hal.complex128) else hal.float32
    mr, nv, kc, chunk, local = _V8_CONFIGS[(_driver(state), vt.name)]
    if vt is hal.float32 and _native_float_width(state) >= 16:
        # AVX-512 (32 registers of 16 floats): 6 x 32 tiles beat 6 x 16 by 5-10% at
        # n = 1024 and 2048 on Intel's runtime on a Zen 5 EPYC (--tiles sweep)
        nv = 4
    extra = _acc_defines(dtype) + (("VT", f"hal_{vt.name}"), ("MR", str(mr)),
                                   ("NV", str(nv)))
    return vt, mr, nv, kc, chunk, local, extra


#: values of k one work-item of matmul_pack_a/b packs (PACK_KB in matmul.c)
_PACK_KB = 16


def _use_v8(m: int, n: int, k: int) -> bool:
    """Packing costs two extra launches: worth it from moderate sizes on."""
    return m >= 8 and n >= 8 and m * n * k >= 32 * 32 * 32


#: a product with fewer than 8 rows or columns: matmul_rows from this many flops / 2 on
_SKINNY_MIN = 32 * 32 * 32


def _pack(state, dtype, plan, name, x, count, K, s_row, s_k, width, batch):
    """Panels of ``x`` (matmul_pack_a or matmul_pack_b): ``count`` rows of A or columns
    of B (complex: of [re; im] / [re, im], twice as many) in panels of ``width``, one
    set per matrix of the batch dimensions ``batch`` (x's own, with its strides)."""
    vt, extra = plan[0], plan[-1]
    kernel = _kernel(state, "matmul.c", dtype, "HAL_MATMUL_V8", name, extra)
    real_count = 2 * count if dtype.kind == "c" else count
    panels = -(-real_count // width)
    nz = _prod(batch)
    buf = state.allocate(nz * panels * width * K * vt.itemsize)
    state.launch_nd(kernel, (-(-K // _PACK_KB), panels * nz), None, buf, x.data,
                    _index(x.offset), _index(count), _index(K), _index(s_row), _index(s_k),
                    _index(panels), _index(nz), _int(len(batch)),
                    state.meta(batch + x.strides[:len(batch)]))
    return buf, panels


def _product_rows(state, dtype, plan, a, b, M, N, K) -> CLArray:
    """A skinny 2-D product (M or N below 8): matmul_rows reads ``a`` in place and
    ``b`` by rows of NR contiguous columns (``b`` itself, or its panels)."""
    vt, mr, nv, kc, chunk, local, extra = plan
    nr = 8 * nv
    kern = _kernel(state, "matmul.c", dtype, "HAL_MATMUL_V8", "matmul_rows", extra)
    if vt is dtype and b.strides[-1] == 1 and N >= nr:
        bbuf, b_off, b_ks, b_ps, padded = b.data, b.offset, b.strides[-2], nr, 0
    else:
        bbuf = _pack(state, dtype, plan, "matmul_pack_b", b, N, K, b.strides[-1],
                     b.strides[-2], nr, ())[0]
        b_off, b_ks, b_ps, padded = 0, nr, K * nr, 1
    c = state.empty((M, N), vt)
    state.launch_nd(kern, (-(-N // nr), -(-M // mr)), (1, 1), c.data, _index(M), _index(N),
                    _index(K), a.data, _index(a.offset), _index(a.strides[-2]),
                    _index(a.strides[-1]), bbuf, _index(b_off), _index(b_ks), _index(b_ps),
                    _int(padded))
    if vt is dtype:
        return c
    out = state.empty((M, N), dtype)
    cast_into(out, c)
    return out


def _product_v8(state, dtype, plan, a, b, batch, M, N, K) -> CLArray:
    vt, mr, nv, kc, chunk, local, extra = plan
    nr = 8 * nv
    v8 = _kernel(state, "matmul.c", dtype, "HAL_MATMUL_V8", "matmul_v8", extra)
    ab, bb = a.shape[:-2], b.shape[:-2]
    # complex: the real product [re a; im a] [re b, im b] (pack_a/b read both parts)
    cplx = dtype.kind == "c"
    rows, cols = (2 * M, 2 * N) if cplx else (M, N)
    ap, pa = _pack(state, dtype, plan, "matmul_pack_a", a, M, K, a.strides[-2],
                   a.strides[-1], mr, ab)
    bp, pb = _pack(state, dtype, plan, "matmul_pack_b", b, N, K, b.strides[-1],
                   b.strides[-2], nr, bb)
    # panel sets (one per matrix of an operand's own batch), broadcast to the output's
    sa = _bstrides(ab, tuple(s * pa * mr * K for s in c_strides(ab)), batch)
    sb = _bstrides(bb, tuple(s * pb * nr * K for s in c_strides(bb)), batch)
    c = state.empty(batch + (rows, cols), vt)
    nchunks = -(-pa // chunk)
    ny = nchunks * _prod(batch)
    if local is None:
        gx, gy = pb, ny
    else:
        gx, gy = -(-pb // local[0]) * local[0], -(-ny // local[1]) * local[1]
    state.launch_nd(v8, (gx, gy), local, c.data, _index(rows), _index(cols), _index(K),
                    ap, bp, _index(kc), _index(chunk), _index(nchunks), _index(ny),
                    _int(len(batch)), state.meta(batch + sa + sb))
    if vt is dtype:
        return c
    out = state.empty(batch + (M, N), dtype)
    if cplx:
        combine = _kernel(state, "matmul.c", dtype, "HAL_MATMUL_V8", "matmul_combine",
                          extra)
        n = out.size
        state.launch(combine, n, out.data, c.data, _index(M), _index(N), _index(n))
    else:
        cast_into(out, c)
    return out


# -- products ----------------------------------------------------------------------------

#: sums longer than this, over few outputs, are split into slices summed in parallel
#: (partial sums, then their sum): parallel work for a dot product, and rounding error
#: growing with the slice length instead of K
_SPLIT_K = 4096


def _nsplit(n: int, k: int) -> int:
    """Slices of K per output for ``n`` outputs (1: no split)."""
    if k < _SPLIT_K or n >= 1024:
        return 1
    return max(1, min(-(-k // 1024), 4096 // n))


def _one(state, dtype) -> CLArray:
    one = state.empty((1,), dtype)
    fill_into(one, 1)
    return one


def _product(state, dtype, plan, a, b, batch, M, N, K, kernel="matmul_direct") -> CLArray:
    """``a @ b`` for (batch..., M, K) and (batch..., K, N) views whose batch dimensions
    broadcast to ``batch``: a new contiguous (batch..., M, N) array."""
    shape = batch + (M, N)
    n = _prod(shape)
    if n == 0:
        return state.empty(shape, dtype)
    if K == 0:
        out = state.empty(shape, dtype)
        fill_into(out, 0)
        return out
    if plan is not None:
        # the tiled kernels, unless they would leave cores idle on a long K
        mr, nr, chunk = plan[1], 8 * plan[2], plan[4]
        tiles = -(-N // nr) * -(-M // mr)
        busy = K < _SPLIT_K or tiles >= state.compute_units
        if _use_v8(M, N, K) and (busy or -(-N // nr) * -(-M // (mr * chunk)) * _prod(batch)
                                 >= state.compute_units):
            return _product_v8(state, dtype, plan, a, b, batch, M, N, K)
        if not batch and dtype.kind == "f" and M * N * K >= _SKINNY_MIN and busy:
            return _product_rows(state, dtype, plan, a, b, M, N, K)
    nsplit = _nsplit(n, K)
    if M == N == 1 and dtype in (hal.float32, hal.float64) and \
            a.strides[-1] == 1 and b.strides[-2] == 1:
        return _product_dot(state, dtype, a, b, batch, K, nsplit)
    k = _kernel(state, "matmul.c", dtype, "HAL_MATMUL_DIRECT", kernel, _acc_defines(dtype))
    meta = state.meta(batch + _bstrides(a.shape[:-2], a.strides[:-2], batch)
                      + _bstrides(b.shape[:-2], b.strides[:-2], batch))
    out = state.empty(shape + ((nsplit,) if nsplit > 1 else ()), dtype)
    state.launch(k, n * nsplit, out.data, a.data, _index(a.offset), b.data,
                 _index(b.offset), _index(n * nsplit), _index(M), _index(N), _index(K),
                 _index(a.strides[-2]), _index(a.strides[-1]), _index(b.strides[-2]),
                 _index(b.strides[-1]), _int(len(batch)), meta, _index(nsplit))
    return out if nsplit == 1 else _sum_partials(state, dtype, out, shape, nsplit)


def _product_dot(state, dtype, a, b, batch, K, nsplit) -> CLArray:
    """Dot products of real floats contiguous along K (M = N = 1): dot_v8."""
    k = _kernel(state, "matmul.c", dtype, "HAL_MATMUL_DIRECT", "dot_v8",
                (("VT", f"hal_{dtype.name}"),))
    n = _prod(batch)
    shape = batch + (1, 1)
    out = state.empty(shape + ((nsplit,) if nsplit > 1 else ()), dtype)
    meta = state.meta(batch + _bstrides(a.shape[:-2], a.strides[:-2], batch)
                      + _bstrides(b.shape[:-2], b.strides[:-2], batch))
    # one work-item per work-group: Intel's runtime would otherwise vectorise across
    # work-items (gathers) on top of the kernel's own vectors, 10x slower
    local = (1,) if state.is_cpu else None
    state.launch_nd(k, (n * nsplit,), local, out.data, a.data, _index(a.offset), b.data,
                    _index(b.offset), _index(n * nsplit), _index(K), _index(nsplit),
                    _int(len(batch)), meta)
    return out if nsplit == 1 else _sum_partials(state, dtype, out, shape, nsplit)


def _sum_partials(state, dtype, partials, shape, nsplit) -> CLArray:
    """``partials`` (shape + (nsplit,)) summed over its last axis: matmul_direct of
    (n, 1, nsplit) and a column of ones (one element, stride 0)."""
    n = _prod(shape)
    ones = state.cached(("hal_opencl._linalg.one", dtype), lambda: _one(state, dtype))
    total = state.empty(shape, dtype)
    k = _kernel(state, "matmul.c", dtype, "HAL_MATMUL_DIRECT", "matmul_direct",
                _acc_defines(dtype))
    state.launch(k, n, total.data, partials.data, _index(0), ones.data, _index(0),
                 _index(n), _index(1), _index(1), _index(nsplit), _index(0), _index(1),
                 _index(0), _index(0), _int(1), state.meta((n, nsplit, 0)), _index(1))
    return total


def _matmul(state, dtype, plan, a: CLArray, b: CLArray) -> CLArray:
    vec_a, vec_b = a.ndim == 1, b.ndim == 1
    if vec_a:
        a = a.view((1,) + a.shape, (0,) + a.strides, a.offset)
    if vec_b:
        b = b.view(b.shape + (1,), b.strides + (0,), b.offset)
    M, K = a.shape[-2:]
    N = b.shape[-1]
    batch = hal.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    out = _product(state, dtype, plan, a, b, batch, M, N, K)
    if vec_a or vec_b:
        shape = batch + (() if vec_a else (M,)) + (() if vec_b else (N,))
        out = out.view(shape, c_strides(shape), 0)
    return out


def _matmul_factory(device, dtypes):
    (dtype,) = dtypes
    state = state_of(device)
    plan = _v8_config(state, dtype)

    def matmul(x1, x2):
        return _matmul(state, dtype, plan, x1, x2)
    return matmul


def _as_matrix(x: CLArray, split: int) -> CLArray:
    """``x`` seen as a (prod(shape[:split]), prod(shape[split:])) matrix: a view when
    each group of dimensions merges into one stride, else a contiguous copy."""
    def merged(dims):
        stride = None
        expect = None
        for d in reversed(dims):
            extent, st = x.shape[d], x.strides[d]
            if extent == 1:
                continue
            if stride is None:
                stride = st
            elif st != expect:
                return None
            expect = st * extent
        return 1 if stride is None else stride
    rows, cols = _prod(x.shape[:split]), _prod(x.shape[split:])
    rs, cs = merged(range(split)), merged(range(split, x.ndim))
    if rs is None or cs is None:
        x = copy_contiguous(x)
        rs, cs = cols, 1
    return x.view((rows, cols), (rs, cs), x.offset)


def _tensordot_factory(device, dtypes):
    (dtype,) = dtypes
    state = state_of(device)
    plan = _v8_config(state, dtype)

    def tensordot(x1, x2, *, axes=2):
        if isinstance(axes, int):
            if axes > min(x1.ndim, x2.ndim):
                raise ValueError(f"tensordot: axes={axes} exceeds the dimensions of "
                                 f"{x1.shape} or {x2.shape}")
            a_axes = tuple(range(x1.ndim - axes, x1.ndim))
            b_axes = tuple(range(axes))
        else:
            a_axes = tuple(int(d) % x1.ndim if x1.ndim else int(d) for d in axes[0])
            b_axes = tuple(int(d) % x2.ndim if x2.ndim else int(d) for d in axes[1])
        if len(a_axes) != len(b_axes):
            raise ValueError(f"tensordot: {len(a_axes)} axes of x1 against "
                             f"{len(b_axes)} of x2")
        for da, db in zip(a_axes, b_axes):
            if x1.shape[da] != x2.shape[db]:
                raise ValueError(f"tensordot: x1 axis {da} has size {x1.shape[da]}, x2 "
                                 f"axis {db} has size {x2.shape[db]}")
        free_a = [d for d in range(x1.ndim) if d not in a_axes]
        free_b = [d for d in range(x2.ndim) if d not in b_axes]
        a = x1.view([x1.shape[d] for d in free_a + list(a_axes)],
                    [x1.strides[d] for d in free_a + list(a_axes)], x1.offset)
        b = x2.view([x2.shape[d] for d in list(b_axes) + free_b],
                    [x2.strides[d] for d in list(b_axes) + free_b], x2.offset)
        a = _as_matrix(a, len(free_a))
        b = _as_matrix(b, len(b_axes))
        out = _product(state, dtype, plan, a, b, (), a.shape[0], b.shape[1], a.shape[1])
        shape = tuple(x1.shape[d] for d in free_a) + tuple(x2.shape[d] for d in free_b)
        return out.view(shape, c_strides(shape), 0)
    return tensordot


def _last(x: CLArray, axis: int) -> CLArray:
    """The view of ``x`` with ``axis`` moved to the end."""
    order = [d for d in range(x.ndim) if d != axis] + [axis]
    return x.view([x.shape[d] for d in order], [x.strides[d] for d in order], x.offset)


def _vecdot_factory(device, dtypes):
    (dtype,) = dtypes
    state = state_of(device)

    def vecdot(x1, x2, *, axis=-1):
        # the standard's axes count from the end; a non-negative one (beyond the
        # standard) indexes each operand, as NumPy's does
        a = _last(x1, axis if axis >= 0 else x1.ndim + axis)
        b = _last(x2, axis if axis >= 0 else x2.ndim + axis)
        batch = hal.broadcast_shapes(a.shape[:-1], b.shape[:-1])
        K = a.shape[-1]
        a = a.view(a.shape[:-1] + (1, K), a.strides[:-1] + (0, a.strides[-1]), a.offset)
        b = b.view(b.shape[:-1] + (K, 1), b.strides[:-1] + (b.strides[-1], 0), b.offset)
        out = _product(state, dtype, None, a, b, batch, 1, 1, K, "vecdot_direct")
        return out.view(batch, c_strides(batch), 0)
    return vecdot


def _outer_factory(device, dtypes):
    (dtype,) = dtypes
    state = state_of(device)

    def outer(x1, x2):
        M, N = x1.shape[0], x2.shape[0]
        a = x1.view((M, 1), (x1.strides[0], 0), x1.offset)
        b = x2.view((1, N), (0, x2.strides[0]), x2.offset)
        return _product(state, dtype, None, a, b, (), M, N, 1)
    return outer


def _cross_factory(device, dtypes):
    (dtype,) = dtypes
    state = state_of(device)
    extra = _acc_defines(dtype)

    def cross(x1, x2, *, axis=-1):
        k = _kernel(state, "matmul.c", dtype, "HAL_MATMUL_CROSS", "cross3", extra)
        shape = hal.broadcast_shapes(x1.shape, x2.shape)
        ax = axis % len(shape)
        out = state.empty(shape, dtype)
        sa = _bstrides(x1.shape, x1.strides, shape)
        sb = _bstrides(x2.shape, x2.strides, shape)
        keep = [d for d in range(len(shape)) if d != ax]
        bshape = tuple(shape[d] for d in keep)
        n = _prod(bshape)
        if n:
            meta = state.meta(bshape + tuple(out.strides[d] for d in keep)
                              + tuple(sa[d] for d in keep) + tuple(sb[d] for d in keep))
            state.launch(k, n, out.data, x1.data, _index(x1.offset), x2.data,
                         _index(x2.offset), _index(n), _index(out.strides[ax]),
                         _index(sa[ax]), _index(sb[ax]), _int(len(bshape)), meta)
        return out
    return cross


# -- selection ---------------------------------------------------------------------------

def _where_factory(device, dtypes):
    (dtype,) = dtypes
    state = state_of(device)
    launch, empty, meta = state.launch, state.empty, state.meta

    def where(condition, x1, x2):
        c, x, y = condition, x1, x2
        shape = c.shape if c.shape == x.shape == y.shape else \
            hal.broadcast_shapes(c.shape, x.shape, y.shape)
        out = empty(shape, dtype)
        n = out.size
        if not n:
            return out
        if c.shape == x.shape == y.shape and c.contiguous and x.contiguous and y.contiguous:
            k = _kernel(state, "select.c", dtype, "HAL_SELECT_WHERE", "where_contig")
            launch(k, n, out.data, c.data, _index(c.offset), x.data, _index(x.offset),
                   y.data, _index(y.offset), _index(n))
        else:
            k = _kernel(state, "select.c", dtype, "HAL_SELECT_WHERE", "where_strided")
            launch(k, n, out.data, c.data, _index(c.offset), x.data, _index(x.offset),
                   y.data, _index(y.offset), _index(n), _int(len(shape)),
                   meta(shape + _bstrides(c.shape, c.strides, shape)
                        + _bstrides(x.shape, x.strides, shape)
                        + _bstrides(y.shape, y.strides, shape)))
        return out
    return where


def _clip_factory(device, dtypes):
    (dtype,) = dtypes
    state = state_of(device)
    zero = _scalar(dtype, 0)

    def clip(x, min=None, max=None):
        if min is None and max is None:
            return copy_contiguous(x)
        lo_arr, hi_arr = min.__class__ is CLArray, max.__class__ is CLArray
        mode = (1 if min is not None else 0) | (2 if max is not None else 0) | \
            (4 if lo_arr else 0) | (8 if hi_arr else 0)
        lo_v = zero if min is None or lo_arr else _scalar(dtype, min)
        hi_v = zero if max is None or hi_arr else _scalar(dtype, max)
        shapes = [x.shape] + [v.shape for v, is_arr in ((min, lo_arr), (max, hi_arr))
                              if is_arr]
        shape = hal.broadcast_shapes(*shapes)
        out = state.empty(shape, dtype)
        n = out.size
        if not n:
            return out
        if not (lo_arr or hi_arr) and x.contiguous:
            k = _kernel(state, "select.c", dtype, "HAL_SELECT_CLIP", "clip_contig")
            state.launch(k, n, out.data, x.data, _index(x.offset), lo_v, hi_v, _int(mode),
                         _index(n))
            return out
        k = _kernel(state, "select.c", dtype, "HAL_SELECT_CLIP", "clip_strided")
        lo = min if lo_arr else x
        hi = max if hi_arr else x
        state.launch(k, n, out.data, x.data, _index(x.offset), lo.data, _index(lo.offset),
                     hi.data, _index(hi.offset), lo_v, hi_v, _int(mode), _index(n),
                     _int(len(shape)),
                     state.meta(shape + _bstrides(x.shape, x.strides, shape)
                                + _bstrides(lo.shape, lo.strides, shape)
                                + _bstrides(hi.shape, hi.strides, shape)))
        return out
    return clip


def _tri_factory(lower: int):
    def factory(device, dtypes):
        (dtype,) = dtypes
        state = state_of(device)

        def tri(x, *, k=0):
            M, N = x.shape[-2:]
            out = state.empty(x.shape, dtype)
            n = out.size
            if not n:
                return out
            kk = _index(_clamp(k, -M - 1, N + 1))
            if x.contiguous:
                kern = _kernel(state, "select.c", dtype, "HAL_SELECT_TRI", "tri_contig")
                state.launch(kern, n, out.data, x.data, _index(x.offset), _index(n),
                             _index(M), _index(N), kk, _int(lower))
            else:
                kern = _kernel(state, "select.c", dtype, "HAL_SELECT_TRI", "tri_strided")
                state.launch(kern, n, out.data, x.data, _index(x.offset), _index(n),
                             _index(M), _index(N), kk, _int(lower), _int(x.ndim),
                             state.meta(x.shape + x.strides))
            return out
        tri.__name__ = "tril" if lower else "triu"
        return tri
    return factory


def eye(n_rows, n_cols, *, k=0, dtype, device):
    state = _state_by_index(device)
    out = state.empty((n_rows, n_cols), dtype)
    n = n_rows * n_cols
    if n:
        kern = _kernel(state, "select.c", dtype, "HAL_SELECT_EYE", "eye")
        state.launch(kern, n, out.data, _index(n), _index(n_cols),
                     _index(_clamp(k, -n_rows - 1, n_cols + 1)))
    return out


def meshgrid(*arrays, indexing="xy"):
    """Broadcast views of the 1-D inputs (no copies): with ``indexing="xy"`` the first
    two output dimensions are swapped, as in NumPy."""
    flat = []
    for a in arrays:
        if a.ndim != 1:
            a = a if a.contiguous else copy_contiguous(a)
            a = a.view((a.size,), (1,), a.offset)
        flat.append(a)
    n = len(flat)
    swap = indexing == "xy" and n > 1
    shape = [a.shape[0] for a in flat]
    if swap:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, a in enumerate(flat):
        d = (1 - i) if swap and i < 2 else i
        strides = [0] * n
        strides[d] = a.strides[0]
        out.append(a.view(tuple(shape), tuple(strides), a.offset))
    return tuple(out)


def register(registry) -> None:
    factories = {
        "matmul": (_matmul_factory, NUMERIC, "matmul_v8|matmul_rows|dot_v8|matmul_direct"),
        "linalg.matmul": (_matmul_factory, NUMERIC, "matmul_v8|matmul_rows|dot_v8|matmul_direct"),
        "tensordot": (_tensordot_factory, NUMERIC, "matmul_v8|matmul_rows|dot_v8|matmul_direct"),
        "linalg.tensordot": (_tensordot_factory, NUMERIC, "matmul_v8|matmul_rows|dot_v8|matmul_direct"),
        "vecdot": (_vecdot_factory, NUMERIC, "dot_v8|vecdot_direct"),
        "linalg.vecdot": (_vecdot_factory, NUMERIC, "dot_v8|vecdot_direct"),
        "linalg.outer": (_outer_factory, NUMERIC, "matmul_direct"),
        "linalg.cross": (_cross_factory, NUMERIC, "cross3"),
        "where": (_where_factory, None, "where_contig|where_strided"),
        "clip": (_clip_factory, REAL, "clip_contig|clip_strided"),
        "tril": (_tri_factory(1), None, "tri_contig|tri_strided"),
        "triu": (_tri_factory(0), None, "tri_contig|tri_strided"),
    }
    for op, (factory, dtypes, kernels) in factories.items():
        registry.register(op, factory, dtypes=dtypes, factory=True,
                          name=f"opencl.{op}[{kernels}]")
    registry.register("eye", eye, name="opencl.eye[eye]")
    registry.register("meshgrid", meshgrid, name="opencl.meshgrid[views]")
