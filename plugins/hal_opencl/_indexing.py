"""The OpenCL backend's indexing, manipulation, sorting and set ops.

Kernels: ``kernels/gather.c`` (copies, gathers, scatters, roll, index offsets),
``kernels/sort.c`` (stable sorts: merge sort for short rows, LSD radix sort for long
ones; searchsorted, isin) and ``kernels/scan.c`` (prefix sums for nonzero, boolean
masks, repeat with an array, unique_*).

Data movement is built per element *size* (``_BITS``): a float32 gather is a uint32
gather, so the 13 dtypes need five programs per data kernel.  Advanced indexing
turns every index array (boolean masks through a native nonzero) into one array of
element offsets, ``off``, over the broadcast index shape; the gather or scatter then
sees the indexed dimensions as one dimension whose coordinate picks ``off[c]``.
Copies whose rows are contiguous on both sides are clEnqueueCopyBufferRect calls
(memcpy rows; ~10x a kernel on CPU devices).

Data-dependent sizes (nonzero, masks, unique_*, repeat with an array) read one count
from the device; out-of-bounds indices are detected on the device and read back as
one small error record before any gather touches memory.

Launch shapes are chosen for CPU devices: loops that walk a range sequentially
(scans, merges, radix passes) are serial kernels (one work-item per work-group, a few
thousand elements each); multi-dimensional launches get an explicit work-group size.
"""

from __future__ import annotations

import numpy as np

import hal

from ._array import CLArray, c_strides
from ._kernels import _view, broadcast_strides, cast_into

_index = np.int64
_int = np.int32
INDEX = hal.int64

_BITS = {1: hal.uint8, 2: hal.uint16, 4: hal.uint32, 8: hal.uint64, 16: hal.complex128}
_SORT_BLOCK = 32     # keys per insertion-sorted block
_MERGE_CHUNK = 4096  # outputs per merge-path search in a merge pass (a power of two)
_ZERO = np.int64(0)

COPY, GATHER, SCATTER, ROLL, INDEX_OFFSETS = (
    "HAL_DEFINE_COPY()", "HAL_DEFINE_GATHER()", "HAL_DEFINE_SCATTER()", "HAL_DEFINE_ROLL()",
    "HAL_DEFINE_INDEX()")
SORT, SEARCH = "HAL_DEFINE_SORT()", "HAL_DEFINE_SEARCH()"
NONZERO, REPEAT, UNIQUE = "HAL_DEFINE_NONZERO()", "HAL_DEFINE_REPEAT()", "HAL_DEFINE_UNIQUE()"


# -- helpers --------------------------------------------------------------------------

def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _collapse(shape, *strides):
    """Drop extent-1 dimensions and merge neighbours contiguous in every stride list."""
    dims = [(s, [st[d] for st in strides]) for d, s in enumerate(shape) if s != 1]
    out_shape: list[int] = []
    out_strides: list[list[int]] = [[] for _ in strides]
    for s, sts in dims:
        if out_shape and all(o[-1] == t * s for o, t in zip(out_strides, sts)):
            out_shape[-1] *= s
            for o, t in zip(out_strides, sts):
                o[-1] = t
        else:
            out_shape.append(s)
            for o, t in zip(out_strides, sts):
                o.append(t)
    return tuple(out_shape), tuple(tuple(o) for o in out_strides)


def _split(left, nb, right, *stride_pairs):
    """Collapse both sides of a gather/scatter iteration (left dims, the picked
    dimension of extent nb, right dims).  ``stride_pairs``: per array, (left strides,
    pick stride, right strides).  Returns (left shape, right shape, collapsed pairs)."""
    ls, lst = _collapse(left, *[p[0] for p in stride_pairs])
    rs, rst = _collapse(right, *[p[2] for p in stride_pairs])
    return ls, rs, [(a, p[1], b) for a, b, p in zip(lst, rst, stride_pairs)]


def _tiles(ls, nb, rs):
    """(nl, nr, kernel suffix, launch size) of a *_tiled launch, or None if a side has
    more than one dimension (then the strided kernels run)."""
    if len(ls) > 1 or len(rs) > 1:
        return None
    nl = ls[0] if ls else 1
    nr = rs[0] if rs else 1
    if nr < 16:  # launch dimension 0 (what CPU runtimes vectorize) walks b
        return nl, nr, "_b", (nb, nr, nl)
    return nl, nr, "_r", (nr, nb, nl)


def _launch_tiled(state, kernel, size, *args) -> None:
    """A 3-D launch with work-groups along dimension 0 (padded; kernels guard it).
    An explicit work-group size matters: Intel's CPU runtime picks poor ones itself
    for multi-dimensional launches (10-100x slower)."""
    d0 = size[0]
    l0 = min(64, 1 << max(0, (d0 - 1).bit_length()))
    state.launch_nd(kernel, (-(-d0 // l0) * l0, size[1], size[2]), (l0, 1, 1), *args)


def _one(strides) -> int:
    return strides[0] if strides else 0


def _copy_into(out: CLArray, a: CLArray) -> None:
    """``out[...] = a`` for one dtype, ``a`` broadcast to ``out``'s shape."""
    n = out.size
    if n == 0:
        return
    state = out.state
    size = out.dtype.itemsize
    if out.contiguous and a.contiguous and a.shape == out.shape:
        state.cl.enqueue_copy(state.queue, out.data, a.data, byte_count=n * size,
                              src_offset=a.offset * size, dst_offset=out.offset * size)
        state.finish_if_viewed((out.data, a.data))
        return
    shape, (os_, as_) = _collapse(out.shape, out.strides, broadcast_strides(a, out.shape))
    if _copy_rect(state, out, a, shape, os_, as_, size):
        return
    bits = _BITS[size]
    if len(shape) <= 3:
        dims = [(1, 0, 0)] * (3 - len(shape)) + list(zip(shape, os_, as_))
        if dims[2][0] < 16:  # a short innermost dimension: vectorize the longest one
            dims.append(dims.pop(max(range(3), key=lambda i: dims[i][0])))
        sh, os_, as_ = zip(*dims)
        k = state.kernel("gather.c", bits, "copy_tiled", COPY)
        _launch_tiled(state, k, (sh[2], sh[1], sh[0]), out.data, _index(out.offset),
                      a.data, _index(a.offset), *[_index(v) for v in sh + os_ + as_])
        return
    outer = shape[:-3]
    if _prod(outer) <= 64:  # a few 3-D copies
        for index in np.ndindex(*outer):
            o = out.offset + sum(i * st for i, st in zip(index, os_))
            s = a.offset + sum(i * st for i, st in zip(index, as_))
            _copy_into(out.view(shape[-3:], os_[-3:], o), a.view(shape[-3:], as_[-3:], s))
        return
    # many: the two innermost dimensions as launch dimensions 0 and 1, the outer ones
    # folded into dimension 2
    outer = shape[:-2]
    k = state.kernel("gather.c", bits, "copy_outer", COPY)
    _launch_tiled(state, k, (shape[-1], shape[-2], _prod(outer)), out.data,
                  _index(out.offset), a.data, _index(a.offset), _index(shape[-2]),
                  _index(shape[-1]), _index(os_[-2]), _index(os_[-1]), _index(as_[-2]),
                  _index(as_[-1]), _int(len(outer)),
                  state.meta(outer + os_[:-2] + as_[:-2]))


def _copy_rect(state, out, a, shape, os_, as_, size) -> bool:
    """The copy as one clEnqueueCopyBufferRect (memcpy of rows: ~10x a kernel on CPU
    devices) when rows are contiguous on both sides and strides increase."""
    if len(shape) > 3 or os_[-1] != 1 or as_[-1] != 1 or out.data is a.data:
        return False
    shape, os_, as_ = (1,) * (3 - len(shape)) + shape, (0,) * (3 - len(os_)) + os_, \
        (0,) * (3 - len(as_)) + as_
    region = (shape[2] * size, shape[1], shape[0])
    pitches = []
    for strides in (os_, as_):
        if (shape[0] > 1 and strides[0] <= 0) or (shape[1] > 1 and strides[1] <= 0):
            return False  # broadcast or reversed rows
        row = (strides[1] or shape[2]) * size
        slab = (strides[0] or shape[1] * strides[1] or shape[1] * shape[2]) * size
        if row < region[0] or slab < region[1] * row:
            return False
        pitches.append((row, slab))

    def origin(offset, row, slab):
        z, rem = divmod(offset * size, slab)
        y, x = divmod(rem, row)
        return (x, y, z)
    state.cl.enqueue_copy(state.queue, out.data, a.data,
                          src_origin=origin(a.offset, *pitches[1]),
                          dst_origin=origin(out.offset, *pitches[0]), region=region,
                          src_pitches=pitches[1], dst_pitches=pitches[0])
    state.finish_if_viewed((out.data, a.data))
    return True


def _gather(out: CLArray, src: CLArray, off: CLArray, left_strides, right_strides):
    """out = src gathered: out's shape is (left dims, off.size, right dims); the
    picked coordinate b reads ``src[src.offset + off[b] + left/right strides]``."""
    n = out.size
    if n == 0:
        return
    state = out.state
    nb = off.size
    left = out.shape[:len(left_strides)]
    right = out.shape[out.ndim - len(right_strides):]
    ls, rs, [(lst, _, rst)] = _split(left, nb, right, (left_strides, 0, right_strides))
    bits = _BITS[out.dtype.itemsize]
    if not ls and not rs:  # out[i] = src[off[i]]: a plain launch
        k = state.kernel("gather.c", bits, "gather", GATHER)
        state.launch(k, n, out.data, src.data, _index(src.offset), off.data, _index(n),
                     _int(1), _int(0), state.meta((n, 0)))
        return
    tiles = _tiles(ls, nb, rs)
    if tiles:
        nl, nr, side, size = tiles
        k = state.kernel("gather.c", bits, "gather_tiled" + side, GATHER)
        _launch_tiled(state, k, size, out.data, src.data, _index(src.offset), off.data,
                      _index(nl), _index(nb), _index(nr), _index(_one(lst)),
                      _index(_one(rst)))
        return
    shape = ls + (nb,) + rs
    k = state.kernel("gather.c", bits, "gather", GATHER)
    state.launch(k, n, out.data, src.data, _index(src.offset), off.data, _index(n),
                 _int(len(shape)), _int(len(ls)), state.meta(shape + lst + (0,) + rst))


def _fresh(a: CLArray) -> CLArray:
    """A new C-contiguous copy of ``a`` at offset 0 (sorts work in place)."""
    out = a.state.empty(a.shape, a.dtype)
    _copy_into(out, a)
    return out


def _contiguous(a: CLArray) -> CLArray:
    return a if a.contiguous else _fresh(a)


def _flat(a: CLArray) -> CLArray:
    a = _contiguous(a)
    return a.view((a.size,), (1,), a.offset)


def _error_buffer(state):
    """A fresh error record [code, value] for one op: zero until a kernel reports a bad
    index (or a negative repeat ...); ``_take_error`` reads it."""
    buf = state.allocate(16)
    state.cl.enqueue_fill_buffer(state.queue, buf, _ZERO, 0, 16)
    return buf


def _take_error(state, buf) -> tuple[int, int]:
    code, value = _read(state, buf)
    return int(code), int(value)


def _read(state, buf, count: int = 2, offset: int = 0) -> np.ndarray:
    host = np.empty(count, dtype=np.int64)
    state.cl.enqueue_copy(state.queue, host, buf, src_offset=8 * offset, is_blocking=True)
    return host


def _chunks(state, n: int) -> tuple[int, int]:
    """(chunk, chunks) of a scan over n elements: a few chunks per compute unit."""
    chunk = max(4096, -(-n // (16 * state.compute_units)))
    return chunk, max(1, -(-n // chunk))


def _serial(state, kernel, items: int, *args) -> None:
    """Launch a KERNEL_SERIAL kernel: ``items`` work-groups of one work-item."""
    if items > 0:
        state.launch_nd(kernel, (items,), (1,), *args)


def _broadcast_shape(shapes) -> tuple:
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for s in shapes:
        for i, e in enumerate(s, ndim - len(s)):
            if e != 1:
                if out[i] not in (1, e):
                    raise IndexError(
                        "shape mismatch: indexing arrays could not be broadcast together "
                        "with shapes " + " ".join(str(tuple(x)) for x in shapes))
                out[i] = e
    return tuple(out)


def _scalar_bits(dtype, value):
    """A Python scalar as the kernel argument of ``dtype`` relabelled to its bits."""
    bits = _BITS[dtype.itemsize]
    return np.asarray(value, dtype=dtype.numpy).view(bits.numpy)[()]


# -- scans: nonzero, boolean masks ----------------------------------------------------

def _nonzero_type(dtype):
    # integers and bool test != 0 bitwise: run them as the unsigned type of their size
    return _BITS[dtype.itemsize] if dtype.kind in "biu" else dtype


def _count_nonzero(a: CLArray):
    """Chunk prefix sums of ``a``'s nonzero elements (``a`` contiguous): (kernel dtype,
    partial buffer, chunk, chunks, count)."""
    state = a.state
    t = _nonzero_type(a.dtype)
    n = a.size
    chunk, nch = _chunks(state, n)
    partial = state.allocate(8 * (nch + 1))
    if n == 0:
        return t, partial, chunk, nch, 0
    k = state.kernel("scan.c", t, "count_nonzero_chunks", NONZERO)
    _serial(state, k, nch, partial, a.data, _index(a.offset), _index(n), _index(chunk))
    scan = state.kernel("scan.c", t, "scan_partials", NONZERO)
    _serial(state, scan, 1, partial, _index(nch))
    return t, partial, chunk, nch, int(_read(state, partial, 1, nch)[0])


def _nonzero_coords(x: CLArray) -> CLArray:
    """NumPy's nonzero as one (ndim, count) int64 array."""
    state = x.state
    a = _contiguous(x)
    t, partial, chunk, nch, count = _count_nonzero(a)
    out = state.empty((x.ndim, count), INDEX)
    if count:
        k = state.kernel("scan.c", t, "nonzero_coords", NONZERO)
        _serial(state, k, nch, out.data, _index(count), partial, a.data, _index(a.offset),
                _index(a.size), _index(chunk), _int(x.ndim), state.meta(x.shape))
    return out


def _mask_offsets(mask: CLArray, strides) -> CLArray:
    """Element offsets (through ``strides``) of ``mask``'s true elements, in order."""
    state = mask.state
    a = _contiguous(mask)
    t, partial, chunk, nch, count = _count_nonzero(a)
    out = state.empty((count,), INDEX)
    if count:
        k = state.kernel("scan.c", t, "nonzero_offsets", NONZERO)
        _serial(state, k, nch, out.data, partial, a.data, _index(a.offset), _index(a.size),
                _index(chunk), _int(a.ndim), state.meta(a.shape + tuple(strides)))
    return out


def nonzero(x):
    coords = _nonzero_coords(x)
    count = coords.shape[1]
    return tuple(coords.view((count,), (1,), d * count) for d in range(x.ndim))


# -- advanced indexing ----------------------------------------------------------------

class _Plan:
    """``x[key]`` for an advanced key: the basic view, the offsets of the indexed
    dimensions, and where the broadcast index dimensions go in the result."""

    __slots__ = ("view", "off", "b_shape", "rest", "pos", "unique")

    @property
    def shape(self) -> tuple:
        v, p = self.view, self.pos
        rest_shape = tuple(v.shape[d] for d in self.rest)
        return rest_shape[:p] + self.b_shape + rest_shape[p:]

    def sides(self):
        """(left shape, left strides, right shape, right strides) of the view's
        dimensions around the picked one."""
        v, p = self.view, self.pos
        shape = tuple(v.shape[d] for d in self.rest)
        strides = tuple(v.strides[d] for d in self.rest)
        return shape[:p], strides[:p], shape[p:], strides[p:]


def _plan(x: CLArray, key) -> _Plan:
    state = x.state
    parts = key if isinstance(key, tuple) else (key,)
    consumed = 0
    ellipses = 0
    for k in parts:
        if k is Ellipsis:
            ellipses += 1
        elif k is None or k is True or k is False:
            pass
        elif k.__class__ is CLArray:
            consumed += k.ndim if k.dtype is hal.bool else 1
        else:
            consumed += 1
    if ellipses > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > x.ndim:
        raise IndexError(f"too many indices for array: array is {x.ndim}-dimensional, "
                         f"but {consumed} were indexed")
    # entries over the view; seq marks each as advanced 'a', basic 'b' (one result
    # dimension) or the ellipsis 'e' (which separates advanced indices even when it
    # stands for no dimension, as in NumPy)
    view_key, seq, adv = [], [], []
    vdim = xaxis = 0
    trailing = [slice(None)] * (x.ndim - consumed)
    for k in (parts if ellipses else parts + (Ellipsis,)):
        if k is Ellipsis:
            seq.append("e")
            for s in trailing:
                view_key.append(s)
                seq.append("b")
            vdim += len(trailing)
            xaxis += len(trailing)
        elif k is None:
            view_key.append(None)
            seq.append("b")
            vdim += 1
        elif k.__class__ is slice:
            view_key.append(k)
            seq.append("b")
            vdim += 1
            xaxis += 1
        elif k is True or k is False:
            view_key.append(None)
            adv.append((vdim, "bool", k, None))
            seq.append("a")
            vdim += 1
        elif k.__class__ is CLArray:
            if k.dtype is hal.bool and k.ndim == 0:
                view_key.append(None)
                adv.append((vdim, "mask0", k, None))
                vdim += 1
            elif k.dtype is hal.bool:
                view_key.extend([slice(None)] * k.ndim)
                adv.append((vdim, "mask", k, xaxis))
                vdim += k.ndim
                xaxis += k.ndim
            else:
                view_key.append(slice(None))
                adv.append((vdim, "int", k, xaxis))
                vdim += 1
                xaxis += 1
            seq.append("a")
        else:  # an integer: part of the basic view, but an advanced index for placement
            view_key.append(k)
            seq.append("a")
            xaxis += 1
    if not ellipses:
        seq.pop(seq.index("e"))  # the implicit trailing slices separate nothing
    view = _view(x, tuple(view_key))

    plan = _Plan()
    plan.view = view
    picked = set()
    for vd, kind, obj, xa in adv:
        width = obj.ndim if kind == "mask" else 1
        picked.update(range(vd, vd + width))
        if kind == "mask" and obj.shape != view.shape[vd:vd + width]:
            bad = next(i for i in range(width) if obj.shape[i] != view.shape[vd + i])
            raise IndexError(f"boolean index did not match indexed array along axis "
                             f"{xa + bad}; size of axis is {view.shape[vd + bad]} but size "
                             f"of corresponding boolean axis is {obj.shape[bad]}")
    plan.rest = [d for d in range(view.ndim) if d not in picked]

    if len(adv) == 1 and adv[0][1] == "mask":
        # the common x[mask]: the mask's true elements become offsets directly
        vd, _, mask, _ = adv[0]
        plan.off = _mask_offsets(mask, view.strides[vd:vd + mask.ndim])
        plan.b_shape = plan.off.shape
        plan.unique = True
    else:
        arrays = []  # (int index array, view dim, x axis)
        for vd, kind, obj, xa in adv:
            if kind == "int":
                arrays.append((obj, vd, xa))
            elif kind == "mask":
                coords = _nonzero_coords(obj)
                c = coords.shape[1]
                arrays.extend((coords.view((c,), (1,), j * c), vd + j, xa + j)
                              for j in range(obj.ndim))
            elif kind == "mask0":
                coords = _nonzero_coords(obj.view((1,), (0,), obj.offset))
                arrays.append((coords.view((coords.shape[1],), (1,), 0), vd, None))
            else:
                arrays.append((state.from_host(np.zeros(int(obj), dtype=np.int64)), vd,
                               None))
        b_shape = _broadcast_shape([a.shape for a, _, _ in arrays])
        nb = _prod(b_shape)
        off = state.empty((nb,), INDEX)
        if nb:
            err = _error_buffer(state)
            extents = {}
            for j, (idx, vd, xa) in enumerate(arrays):
                tag = (xa if xa is not None else 0) + 1
                extents[tag] = view.shape[vd]
                k = state.kernel("gather.c", idx.dtype, "index_offsets", INDEX_OFFSETS)
                state.launch(k, nb, off.data, _int(j > 0), idx.data, _index(idx.offset),
                             _index(view.shape[vd]), _index(view.strides[vd]), _index(nb),
                             _int(len(b_shape)),
                             state.meta(b_shape + broadcast_strides(idx, b_shape)
                                        + (0,) * len(b_shape)),
                             err, _index(tag))
            tag, value = _take_error(state, err)
            if tag:
                raise IndexError(f"index {value} is out of bounds for axis {tag - 1} with "
                                 f"size {extents[tag]}")
        plan.off = off
        plan.b_shape = b_shape
        plan.unique = nb <= 1
    first = seq.index("a")
    last = len(seq) - 1 - seq[::-1].index("a")
    adjacent = all(s == "a" for s in seq[first:last + 1])
    plan.pos = seq[:first].count("b") if adjacent else 0
    return plan


def getitem_advanced(x, key):
    plan = _plan(x, key)
    out = x.state.empty(plan.shape, x.dtype)
    if out.size:
        # the gather's out shape: (left, b flattened, right)
        _, lst, rsh, rst = plan.sides()
        flat = out.view(out.shape[:plan.pos] + (plan.off.size,) + rsh,
                        c_strides(out.shape[:plan.pos] + (plan.off.size,) + rsh), 0)
        _gather(flat, plan.view, plan.off, lst, rst)
    return out


def _pick_stride(shape, strides):
    """One stride walking ``shape`` in C order through ``strides``, or None."""
    dims = [(s, t) for s, t in zip(shape, strides) if s != 1]
    for (_, t0), (s1, t1) in zip(dims, dims[1:]):
        if t0 != t1 * s1:
            return None
    return dims[-1][1] if dims else 0


def setitem_advanced(x, key, value):
    plan = _plan(x, key)
    state = x.state
    view = plan.view
    final = plan.shape
    n = _prod(final)
    if value.__class__ is CLArray:
        while value.ndim > len(final) and value.shape[0] == 1:
            value = value.view(value.shape[1:], value.strides[1:], value.offset)
        if value.ndim > len(final) or any(
                s not in (1, d) for s, d in zip(value.shape[::-1], final[::-1])):
            raise ValueError(f"shape mismatch: value array of shape {value.shape} could "
                             f"not be broadcast to indexing result of shape {final}")
        if value.dtype is not x.dtype:
            converted = state.empty(value.shape, x.dtype)
            cast_into(converted, value)
            value = converted
        elif value.data is x.data:  # x[idx] = x[::-1]: read everything before writing
            value = _fresh(value)
    if n == 0:
        return x
    bits = _BITS[x.dtype.itemsize]
    p, nbd = plan.pos, len(plan.b_shape)
    nb = plan.off.size
    lsh, lst, rsh, rst = plan.sides()
    view = plan.view
    if value.__class__ is not CLArray:
        ls, rs, [(l_, _, r_)] = _split(lsh, nb, rsh, (lst, 0, rst))
        tiles = _tiles(ls, nb, rs) if ls or rs else None  # (flat: a plain launch)
        scalar = _scalar_bits(x.dtype, value)
        if tiles:
            nl, nr, side, size = tiles
            k = state.kernel("gather.c", bits, "scatter_fill_tiled" + side, SCATTER)
            _launch_tiled(state, k, size, x.data, _index(view.offset), plan.off.data,
                          scalar, _index(nl), _index(nb), _index(nr), _index(_one(l_)),
                          _index(_one(r_)))
            return x
        shape = ls + (nb,) + rs
        k = state.kernel("gather.c", bits, "scatter_fill", SCATTER)
        state.launch(k, n, x.data, _index(view.offset), plan.off.data, scalar, _index(n),
                     _int(len(shape)), _int(len(ls)),
                     state.meta(shape + l_ + (0,) + r_ + (0,) * len(shape)))
        return x
    vstr = broadcast_strides(value, final)
    pick = _pick_stride(plan.b_shape, vstr[p:p + nbd])
    if pick is None:  # the value's index dimensions do not flatten: materialize it
        full = state.empty(final, x.dtype)
        _copy_into(full, value)
        value, vstr = full, full.strides
        pick = _pick_stride(plan.b_shape, vstr[p:p + nbd])
    ls, rs, [(l_, _, r_), (vl, vb, vr)] = _split(
        lsh, nb, rsh, (lst, 0, rst), (vstr[:p], pick, vstr[p + nbd:]))
    keep, dedup = state.meta(()), 0
    if not plan.unique and nb > 1:
        # NumPy's "last write wins" for repeated indices: only the last position
        # hitting each element writes (found by a stable sort of the offsets)
        sorted_off, order = _sort_rows(_fresh(plan.off), nb, 1, 0, True)
        keep = state.allocate(nb)
        mark = state.kernel("gather.c", bits, "mark_last", SCATTER)
        state.launch(mark, nb, keep, sorted_off.data, order.data, _index(nb))
        dedup = 1
    tiles = _tiles(ls, nb, rs) if ls or rs else None  # (flat: a plain launch)
    if tiles:
        nl, nr, side, size = tiles
        k = state.kernel("gather.c", bits, "scatter_tiled" + side, SCATTER)
        _launch_tiled(state, k, size, x.data, _index(view.offset), plan.off.data, keep,
                      _int(dedup), value.data, _index(value.offset), _index(nl),
                      _index(nb), _index(nr), _index(_one(l_)), _index(_one(r_)),
                      _index(_one(vl)), _index(vb), _index(_one(vr)))
        return x
    shape = ls + (nb,) + rs
    k = state.kernel("gather.c", bits, "scatter", SCATTER)
    state.launch(k, n, x.data, _index(view.offset), plan.off.data, keep, _int(dedup),
                 value.data, _index(value.offset), _index(n), _int(len(shape)),
                 _int(len(ls)), state.meta(shape + l_ + (0,) + r_ + vl + (vb,) + vr))
    return x


def take(x, indices, *, axis):
    return getitem_advanced(x, (slice(None),) * axis + (indices,))


def take_along_axis(x, indices, *, axis):
    state = x.state
    axis = axis % x.ndim
    base_shape = x.shape[:axis] + (1,) + x.shape[axis + 1:]
    try:
        shape = _broadcast_shape([base_shape, indices.shape])
    except IndexError:
        raise ValueError(f"take_along_axis: indices of shape {indices.shape} do not "
                         f"broadcast with x of shape {x.shape} outside axis {axis}") from None
    out = state.empty(shape, x.dtype)
    n = out.size
    if n == 0:
        return out
    base = x.view(base_shape, x.strides[:axis] + (0,) + x.strides[axis + 1:], x.offset)
    off = state.empty((n,), INDEX)
    err = _error_buffer(state)
    k = state.kernel("gather.c", indices.dtype, "index_offsets", INDEX_OFFSETS)
    state.launch(k, n, off.data, _int(0), indices.data, _index(indices.offset),
                 _index(x.shape[axis]), _index(x.strides[axis]), _index(n), _int(len(shape)),
                 state.meta(shape + broadcast_strides(indices, shape)
                            + broadcast_strides(base, shape)), err, _index(axis + 1))
    tag, value = _take_error(state, err)
    if tag:
        raise IndexError(f"index {value} is out of bounds for axis {axis} with size "
                         f"{x.shape[axis]}")
    _gather(out.view((n,), (1,), 0), x, off, (), ())
    return out


# -- manipulation ---------------------------------------------------------------------

def concat(arrays, *, axis):
    first = arrays[0]
    state, dtype = first.state, first.dtype
    if axis is None:
        out = state.empty((sum(a.size for a in arrays),), dtype)
        start = 0
        for a in arrays:
            _copy_into(out.view(a.shape, c_strides(a.shape), start), a)
            start += a.size
        return out
    axis = axis % first.ndim
    shape = list(first.shape)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    out = state.empty(tuple(shape), dtype)
    start = 0
    for a in arrays:
        _copy_into(out.view(a.shape, out.strides, start * out.strides[axis]), a)
        start += a.shape[axis]
    return out


def stack(arrays, *, axis):
    first = arrays[0]
    shape = list(first.shape)
    shape.insert(axis, len(arrays))
    out = first.state.empty(tuple(shape), first.dtype)
    strides = out.strides[:axis] + out.strides[axis + 1:]
    for i, a in enumerate(arrays):
        _copy_into(out.view(a.shape, strides, i * out.strides[axis]), a)
    return out


def tile(x, repetitions):
    reps = tuple(int(r) for r in repetitions)
    d = max(len(reps), x.ndim)
    reps = (1,) * (d - len(reps)) + reps
    xs = (1,) * (d - x.ndim) + x.shape
    xst = (0,) * (d - x.ndim) + x.strides
    out = x.state.empty(tuple(r * s for r, s in zip(reps, xs)), x.dtype)
    if out.size and _prod(reps) <= 16:  # one copy per block (row copies, when they can)
        padded = x.view(xs, xst, x.offset)
        for block in np.ndindex(*reps):
            offset = sum(b * s * o for b, s, o in zip(block, xs, out.strides))
            _copy_into(out.view(xs, out.strides, offset), padded)
    elif out.size:
        shape, ostr, sstr = [], [], []
        for r, s, st, o in zip(reps, xs, xst, out.strides):
            shape += [r, s]
            ostr += [s * o, o]
            sstr += [0, st]
        _copy_into(out.view(shape, ostr, 0), x.view(shape, sstr, x.offset))
    return out


def repeat(x, repeats, *, axis):
    state = x.state
    if axis is None:
        x = _flat(x)
        axis = 0
    n = x.shape[axis]
    if repeats.__class__ is CLArray:
        if repeats.ndim > 1 or (repeats.size != n and repeats.size != 1):
            raise ValueError(f"repeat: repeats of shape {repeats.shape} do not broadcast "
                             f"to the {n} elements along axis {axis}")
        if repeats.size == 1 and n != 1:
            r = state.to_host(repeats).reshape(())  # one count to the host
            if r < 0:
                raise ValueError("repeat: repeats may not contain negative values")
            repeats = int(r)
        else:
            return _repeat_array(x, repeats, axis)
    r = repeats
    shape = list(x.shape)
    shape[axis] *= r
    out = state.empty(tuple(shape), x.dtype)
    if out.size:
        vshape = x.shape[:axis] + (n, r) + x.shape[axis + 1:]
        s = out.strides
        ostr = s[:axis] + (r * s[axis], s[axis]) + s[axis + 1:]
        xstr = x.strides[:axis] + (x.strides[axis], 0) + x.strides[axis + 1:]
        _copy_into(out.view(vshape, ostr, 0), x.view(vshape, xstr, x.offset))
    return out


def _repeat_array(x, repeats, axis):
    """repeat with one count per element: a scan of the counts, then a gather."""
    state = x.state
    n = repeats.size
    if n == 0:   # nothing to count (the scan's partials would be read uninitialised)
        return state.empty(x.shape[:axis] + (0,) + x.shape[axis + 1:], x.dtype)
    t = repeats.dtype
    step = repeats.strides[0] if repeats.ndim else 0
    chunk, nch = _chunks(state, n)
    partial = state.allocate(8 * (nch + 1))
    err = _error_buffer(state)
    k = state.kernel("scan.c", t, "repeat_sum_chunks", REPEAT)
    _serial(state, k, nch, partial, repeats.data, _index(repeats.offset), _index(step),
                 _index(n), _index(chunk), err)
    scan = state.kernel("scan.c", t, "scan_partials", REPEAT)
    _serial(state, scan, 1, partial, _index(nch))
    if _take_error(state, err)[0]:
        raise ValueError("repeat: repeats may not contain negative values")
    total = int(_read(state, partial, 1, nch)[0])
    shape = x.shape[:axis] + (total,) + x.shape[axis + 1:]
    out = state.empty(shape, x.dtype)
    if out.size == 0:
        return out
    cum = state.empty((n,), INDEX)
    k = state.kernel("scan.c", t, "repeat_cumsum", REPEAT)
    _serial(state, k, nch, cum.data, partial, repeats.data, _index(repeats.offset),
                 _index(step), _index(n), _index(chunk))
    off = state.empty((total,), INDEX)
    k = state.kernel("scan.c", t, "repeat_offsets", REPEAT)
    state.launch(k, total, off.data, cum.data, _index(n), _index(x.strides[axis]),
                 _index(total))
    _gather(out, x, off, x.strides[:axis], x.strides[axis + 1:])
    return out


def roll(x, shift, *, axis):
    if axis is None:
        flat = _flat(x)
        out = _roll(flat, (int(shift) if not isinstance(shift, tuple) else sum(shift),))
        return out.view(x.shape, c_strides(x.shape), 0)
    shifts = shift if isinstance(shift, tuple) else (shift,)
    axes = axis if isinstance(axis, tuple) else (axis,)
    if len(shifts) == 1:
        shifts = shifts * len(axes)
    if len(axes) == 1:
        axes = axes * len(shifts)
    if len(shifts) != len(axes):
        raise ValueError(f"roll: shift {shift} and axis {axis} must have the same length")
    total = [0] * x.ndim
    for a, s in zip(axes, shifts):
        total[a % x.ndim] += int(s)
    return _roll(x, tuple(total))


def _roll(x, shifts):
    state = x.state
    out = state.empty(x.shape, x.dtype)
    n = out.size
    if n == 0:
        return out
    shifts = tuple(s % e for s, e in zip(shifts, x.shape))
    if not any(shifts):
        _copy_into(out, x)
        return out
    rolled = [d for d, s in enumerate(shifts) if s]
    if len(rolled) <= 3:  # two block copies per rolled axis
        for halves in np.ndindex(*(2,) * len(rolled)):
            src, dst = [slice(None)] * x.ndim, [slice(None)] * x.ndim
            for d, h in zip(rolled, halves):
                e, s = x.shape[d], shifts[d]
                src[d], dst[d] = (slice(0, e - s), slice(s, e)) if h == 0 else \
                    (slice(e - s, e), slice(0, s))
            _copy_into(_view(out, tuple(dst)), _view(x, tuple(src)))
        return out
    k = state.kernel("gather.c", _BITS[x.dtype.itemsize], "roll", ROLL)
    state.launch(k, n, out.data, x.data, _index(x.offset), _index(n), _int(x.ndim),
                 state.meta(x.shape + x.strides + shifts))
    return out


def moveaxis(x, source, destination):
    order = [d for d in range(x.ndim) if d not in source]
    for dst, src in sorted(zip(destination, source)):
        order.insert(dst, src)
    return x.view(tuple(x.shape[d] for d in order), tuple(x.strides[d] for d in order),
                  x.offset)


def unstack(x, *, axis):
    shape = x.shape[:axis] + x.shape[axis + 1:]
    strides = x.strides[:axis] + x.strides[axis + 1:]
    return tuple(x.view(shape, strides, x.offset + i * x.strides[axis])
                 for i in range(x.shape[axis]))


# -- sorting and searching ------------------------------------------------------------

def _per(state, units: int, unit_size: int) -> int:
    """Units per work-item of a serial kernel: enough work-items for every compute
    unit, each with a few thousand elements (a work-group costs about a microsecond)."""
    return max(1, min(-(-units // (4 * state.compute_units)), -(-4096 // max(unit_size, 1))))


# radix sort images per dtype: (unsigned key type, image macro, bytes per part, parts)
_RADIX = {"bool": ("hal_uint8", "RADIX_UNSIGNED", 1, 1)}
for _b in (8, 16, 32, 64):
    _RADIX[f"uint{_b}"] = (f"hal_uint{_b}", "RADIX_UNSIGNED", _b // 8, 1)
    _RADIX[f"int{_b}"] = (f"hal_uint{_b}", "RADIX_SIGNED", _b // 8, 1)
for _b in (16, 32, 64):
    _RADIX[f"float{_b}"] = (f"hal_uint{_b}", f"RADIX_FLOAT{_b}", _b // 8, 1)
_RADIX["complex64"] = ("hal_uint32", "RADIX_COMPLEX64", 4, 2)
_RADIX["complex128"] = ("hal_uint64", "RADIX_COMPLEX128", 8, 2)
_RADIX_MIN = 2048  # rows at least this long sort by radix, shorter ones by merging


def _sort_rows(keys: CLArray, n: int, rows: int, desc: int, with_pos: bool):
    """Stable sort of ``rows`` rows of ``n`` keys in place (``keys`` C-contiguous at
    offset 0, consumed): (sorted keys, int64 positions or None)."""
    state = keys.state
    dtype = keys.dtype
    if n >= _RADIX_MIN:
        return _radix_sort(keys, n, rows, desc, with_pos)
    pos = state.empty(keys.shape, INDEX) if with_pos else None
    if n == 0 or rows == 0:
        return keys, pos
    dummy = state.meta(())
    blocks = state.kernel("sort.c", dtype, "sort_blocks_kv" if with_pos else "sort_blocks",
                          SORT)
    units = rows * -(-n // _SORT_BLOCK)
    per = _per(state, units, min(n, _SORT_BLOCK))
    _serial(state, blocks, -(-units // per), keys.data, pos.data if with_pos else dummy,
            _index(n), _index(rows), _index(_SORT_BLOCK), _index(per), _int(desc))
    width = _SORT_BLOCK
    if width >= n:
        return keys, pos
    merge = state.kernel("sort.c", dtype, "merge_runs_kv" if with_pos else "merge_runs", SORT)
    other = state.empty(keys.shape, dtype)
    other_pos = state.empty(keys.shape, INDEX) if with_pos else None
    while width < n:
        chunk = min(2 * width, _MERGE_CHUNK)
        units = rows * -(-n // chunk)
        per = _per(state, units, chunk)
        _serial(state, merge, -(-units // per), keys.data, other.data,
                pos.data if with_pos else dummy, other_pos.data if with_pos else dummy,
                _index(n), _index(rows), _index(width), _index(chunk), _index(per),
                _int(desc))
        keys, other = other, keys
        pos, other_pos = other_pos, pos
        width *= 2
    return keys, pos


def _radix_sort(keys: CLArray, n: int, rows: int, desc: int, with_pos: bool):
    """LSD radix sort, one byte per pass (see sort.c); stable, so positions carried
    along give a stable argsort."""
    state = keys.state
    dtype = keys.dtype
    ku, image, nbytes, parts = _RADIX[dtype.name]
    instance = f"HAL_DEFINE_RADIX({ku}, {image})"
    hist_k = state.kernel("sort.c", dtype, "radix_hist", instance)
    scan_k = state.kernel("sort.c", dtype, "radix_scan", instance)
    scatter_k = state.kernel("sort.c", dtype, "radix_scatter", instance)
    # chunks per row: enough work-items for the device, a few thousand keys each
    nch = max(1, min(-(-n // 4096), -(-4 * state.compute_units // rows)))
    chunk = -(-n // nch)
    nch = -(-n // chunk)
    units = rows * nch
    hist = state.allocate(8 * 256 * units)
    dummy = state.meta(())
    other = state.empty(keys.shape, dtype)
    pos = other_pos = None
    if with_pos:
        pos = state.empty(keys.shape, INDEX)
        other_pos = state.empty(keys.shape, INDEX)
    geometry = (_index(n), _index(rows), _index(nch), _index(chunk))
    first = 1
    for part in ((1, 0) if parts == 2 else (0,)):  # complex: imaginary part first
        for byte in range(nbytes):
            common = (_int(8 * byte), _int(part), _int(desc))
            _serial(state, hist_k, units, keys.data, hist, *geometry, *common)
            _serial(state, scan_k, 1, hist, _index(256 * units))
            _serial(state, scatter_k, units, keys.data, other.data,
                    pos.data if with_pos and not first else dummy,
                    other_pos.data if with_pos else dummy, _int(with_pos), _int(first),
                    hist, *geometry, *common)
            keys, other = other, keys
            if with_pos:
                pos, other_pos = other_pos, pos
            first = 0
    return keys, pos


def _sorted_along(x, axis, desc, with_pos):
    """Sort ``x`` along ``axis``: (keys, positions) in x's axis order (views)."""
    n = x.shape[axis]
    order = [d for d in range(x.ndim) if d != axis] + [axis]
    moved = x.view(tuple(x.shape[d] for d in order), tuple(x.strides[d] for d in order),
                   x.offset)
    keys, pos = _sort_rows(_fresh(moved), n, x.size // n if n else 0, desc, with_pos)
    back = list(range(x.ndim - 1))
    back.insert(axis, x.ndim - 1)

    def restore(a):
        return a.view(tuple(a.shape[d] for d in back), tuple(a.strides[d] for d in back),
                      a.offset)
    return restore(keys), (restore(pos) if with_pos else None)


def sort(x, *, axis, descending, stable):
    axis = axis % x.ndim
    keys, _ = _sorted_along(x, axis, 0, False)
    if descending:  # NumPy's flip of the ascending sort (NaNs first)
        s = list(keys.strides)
        offset = keys.offset + (keys.shape[axis] - 1) * s[axis] if keys.shape[axis] else 0
        s[axis] = -s[axis]
        keys = keys.view(keys.shape, s, offset)
    return keys


def argsort(x, *, axis, descending, stable):
    # descending: one stable pass in descending order (ties keep their order)
    return _sorted_along(x, axis % x.ndim, int(bool(descending)), True)[1]


def searchsorted(x1, x2, *, side, sorter):
    state = x1.state
    out = state.empty(x2.shape, INDEX)
    n = out.size
    if n == 0:
        return out
    dummy = state.meta(())
    err = dummy
    if sorter is not None:
        if sorter.shape != x1.shape:
            raise ValueError(f"searchsorted: sorter of shape {sorter.shape} does not match "
                             f"x1 of shape {x1.shape}")
        if sorter.dtype is not INDEX or not sorter.contiguous or sorter.offset:
            s = state.empty(sorter.shape, INDEX)
            cast_into(s, sorter)
            sorter = s
        err = _error_buffer(state)
    shape, (strides,) = _collapse(x2.shape, x2.strides)
    k = state.kernel("sort.c", x1.dtype, "searchsorted", SEARCH)
    state.launch(k, n, out.data, x1.data, _index(x1.offset), _index(x1.strides[0]),
                 _index(x1.shape[0]), dummy if sorter is None else sorter.data,
                 _int(sorter is not None), x2.data, _index(x2.offset), _index(n),
                 _int(len(shape)), state.meta(shape + strides), _int(side == "right"), err)
    if sorter is not None and _take_error(state, err)[0]:
        raise ValueError("searchsorted: sorter index out of range")
    return out


def isin(x1, x2, *, invert):
    state = x1.state
    out = state.empty(x1.shape, hal.bool)
    n = out.size
    if n == 0:
        return out
    m = x2.size
    keys, _ = _sort_rows(_fresh(x2).view((m,), (1,), 0), m, 1, 0, False)
    shape, (strides,) = _collapse(x1.shape, x1.strides)
    k = state.kernel("sort.c", x1.dtype, "isin", SEARCH)
    state.launch(k, n, out.data, x1.data, _index(x1.offset), keys.data, _index(m),
                 _int(bool(invert)), _index(n), _int(len(shape)), state.meta(shape + strides))
    return out


# -- unique_* -------------------------------------------------------------------------

def _unique(x, counts: bool, indices: bool, inverse: bool):
    state = x.state
    dtype = x.dtype
    n = x.size
    with_pos = indices or inverse
    sv, pos = _sort_rows(_fresh(x).view((n,), (1,), 0), n, 1, 0, with_pos)
    chunk, nch = _chunks(state, n)
    partial = state.allocate(8 * (nch + 1))
    u = 0
    if n:
        k = state.kernel("scan.c", dtype, "unique_chunks", UNIQUE)
        _serial(state, k, nch, partial, sv.data, _index(n), _index(chunk))
        scan = state.kernel("scan.c", dtype, "scan_partials", UNIQUE)
        _serial(state, scan, 1, partial, _index(nch))
        u = int(_read(state, partial, 1, nch)[0])
    values = state.empty((u,), dtype)
    starts = state.empty((u,), INDEX) if counts else None
    first = state.empty((u,), INDEX) if indices else None
    inv = state.empty(x.shape, INDEX) if inverse else None
    if n:
        dummy = state.meta(())
        what = 1 | (2 if counts else 0) | (4 if indices else 0) | (8 if inverse else 0)
        k = state.kernel("scan.c", dtype, "unique_write", UNIQUE)
        _serial(state, k, nch, partial, sv.data, pos.data if with_pos else dummy, _index(n),
                     _index(chunk), _int(what), values.data,
                     starts.data if counts else dummy, first.data if indices else dummy,
                     inv.data if inverse else dummy)
    cnt = None
    if counts:
        cnt = state.empty((u,), INDEX)
        if u:
            k = state.kernel("scan.c", dtype, "unique_counts", UNIQUE)
            state.launch(k, u, cnt.data, starts.data, _index(u), _index(n))
    return values, first, inv, cnt


def unique_values(x):
    return _unique(x, False, False, False)[0]


def unique_counts(x):
    values, _, _, counts = _unique(x, True, False, False)
    return values, counts


def unique_inverse(x):
    values, _, inv, _ = _unique(x, False, False, True)
    return values, inv


def unique_all(x):
    values, first, inv, counts = _unique(x, True, True, True)
    return values, first, inv, counts


def register(registry) -> None:
    ops = {
        "getitem_advanced": getitem_advanced, "setitem_advanced": setitem_advanced,
        "take": take, "take_along_axis": take_along_axis, "nonzero": nonzero,
        "concat": concat, "stack": stack, "tile": tile, "repeat": repeat, "roll": roll,
        "moveaxis": moveaxis, "unstack": unstack,
        "sort": sort, "argsort": argsort, "searchsorted": searchsorted, "isin": isin,
        "unique_values": unique_values, "unique_counts": unique_counts,
        "unique_inverse": unique_inverse, "unique_all": unique_all,
    }
    for op, fn in ops.items():
        registry.register(op, fn, name=f"opencl.{fn.__name__}")
