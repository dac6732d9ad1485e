/* Gathers, scatters and copies: advanced indexing, take, take_along_axis, concat,
 * stack, tile, repeat, roll.
 *
 * Moving elements never looks at their values, so the data kernels are built per
 * element *size*, not per dtype: T is hal_uint8, hal_uint16, hal_uint32, hal_uint64
 * (or hal_complex128 for 16-byte elements).  ``index_offsets`` is the exception: its
 * T is the dtype of an index array.  One program per (instance, T); the instances:
 *
 *   HAL_DEFINE_COPY()     copy_tiled, copy_outer   out[out strides] = a[a strides]
 *   HAL_DEFINE_GATHER()   gather         out[i] = src[off[c_p] + sum_{d != p} c_d s_d];
 *                         gather_tiled_r, gather_tiled_b
 *   HAL_DEFINE_SCATTER()  scatter, scatter_fill (and their _tiled_r/_b), mark_last
 *   HAL_DEFINE_ROLL()     roll           out[c] = a[(c - shift) mod shape] (the plugin
 *                                        rolls up to 3 axes with block copies instead)
 *   HAL_DEFINE_INDEX()    index_offsets  element offsets of an index array (bounds
 *                                        checked, negative indices wrap)
 *
 * Gathers and scatters see the indexed dimensions as ONE dimension at position
 * ``pos`` of the iteration shape: its coordinate ``b`` picks ``off[b]``, the element
 * offset that ``index_offsets`` computed from the (broadcast) index arrays.
 * Strides and offsets are in elements; ``ndim`` is a run-time argument.  The *_tiled
 * kernels are the common case without index arithmetic (see below).
 */

#include "strided.h"

/* The *_tiled kernels: a 3-D launch over (right, b, left) -- or (b, right, left) for
   the *_tiled_b variants, chosen when the right side is short -- with one stride each
   side: no index arithmetic.  Launch dimension 0 is padded to the work-group size. */
#define TILE_R index_t r = GLOBAL_ID_0, b = GLOBAL_ID_1, l = GLOBAL_ID_2; if (r >= nr) return;
#define TILE_B index_t b = GLOBAL_ID_0, r = GLOBAL_ID_1, l = GLOBAL_ID_2; if (b >= nb) return;

#define HAL_TILED_GATHER(SUFFIX, IDS) \
KERNEL void gather_tiled##SUFFIX(GLOBAL_MEM T *RESTRICT out, GLOBAL_MEM const T *RESTRICT src, \
                                 const index_t src_off, GLOBAL_MEM const index_t *RESTRICT off, \
                                 const index_t nl, const index_t nb, const index_t nr, \
                                 const index_t ls, const index_t rs) \
{ \
    IDS \
    out[(l * nb + b) * nr + r] = src[src_off + l * ls + off[b] + r * rs]; \
}

#define HAL_TILED_SCATTER(SUFFIX, IDS) \
KERNEL void scatter_tiled##SUFFIX(GLOBAL_MEM T *dst, const index_t dst_off, \
                                  GLOBAL_MEM const index_t *off, GLOBAL_MEM const hal_uint8 *keep, \
                                  const int dedup, GLOBAL_MEM const T *val, \
                                  const index_t val_off, const index_t nl, const index_t nb, \
                                  const index_t nr, const index_t ls, const index_t rs, \
                                  const index_t vls, const index_t vbs, const index_t vrs) \
{ \
    IDS \
    if (dedup && !keep[b]) return; \
    dst[dst_off + l * ls + off[b] + r * rs] = val[val_off + l * vls + b * vbs + r * vrs]; \
} \
KERNEL void scatter_fill_tiled##SUFFIX(GLOBAL_MEM T *dst, const index_t dst_off, \
                                       GLOBAL_MEM const index_t *off, const T value, \
                                       const index_t nl, const index_t nb, const index_t nr, \
                                       const index_t ls, const index_t rs) \
{ \
    IDS \
    dst[dst_off + l * ls + off[b] + r * rs] = value; \
}

/* Copies between views (same dtype; the source may be broadcast).  copy_tiled: up to
   three dimensions as a 3-D launch (n2, n1, n0).  copy_outer: more dimensions, the two
   innermost as launch dimensions 0 and 1, the outer ones folded into dimension 2
   (meta = outer shape, outer out strides, outer a strides). */
#define HAL_DEFINE_COPY() \
KERNEL void copy_outer(GLOBAL_MEM T *out, const index_t out_off, GLOBAL_MEM const T *a, \
                       const index_t a_off, const index_t n1, const index_t n2, \
                       const index_t os1, const index_t os2, const index_t as1, \
                       const index_t as2, const int outer, GLOBAL_MEM const index_t *meta) \
{ \
    index_t i2 = GLOBAL_ID_0, i1 = GLOBAL_ID_1, g = GLOBAL_ID_2; \
    if (i2 >= n2) return; \
    out[out_off + strided_offset(g, outer, meta, meta + outer) + i1 * os1 + i2 * os2] = \
        a[a_off + strided_offset(g, outer, meta, meta + 2 * outer) + i1 * as1 + i2 * as2]; \
} \
KERNEL void copy_tiled(GLOBAL_MEM T *out, const index_t out_off, GLOBAL_MEM const T *a, \
                       const index_t a_off, const index_t n0, const index_t n1, \
                       const index_t n2, const index_t os0, const index_t os1, \
                       const index_t os2, const index_t as0, const index_t as1, \
                       const index_t as2) \
{ \
    index_t i2 = GLOBAL_ID_0, i1 = GLOBAL_ID_1, i0 = GLOBAL_ID_2; \
    if (i2 < n2) out[out_off + i0 * os0 + i1 * os1 + i2 * os2] = \
        a[a_off + i0 * as0 + i1 * as1 + i2 * as2]; \
}

/* One output element per work-item, out contiguous; meta = shape, src strides (the
   stride at ``pos`` is unused: that coordinate selects off[]). */
#define HAL_DEFINE_GATHER() \
KERNEL void gather(GLOBAL_MEM T *RESTRICT out, GLOBAL_MEM const T *RESTRICT src, \
                   const index_t src_off, GLOBAL_MEM const index_t *RESTRICT off, \
                   const index_t n, const int ndim, const int pos, \
                   GLOBAL_MEM const index_t *meta) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i >= n) return; \
    if (ndim == 1) { /* x[idx], x[mask], take_along_axis */ \
        out[i] = src[src_off + off[i]]; \
        return; \
    } \
    index_t rem = i, o = src_off; \
    for (int d = ndim - 1; d >= 0; --d) { \
        index_t extent = meta[d], c = rem % extent; \
        rem /= extent; \
        o += (d == pos) ? off[c] : c * meta[ndim + d]; \
    } \
    out[i] = src[o]; \
} \
HAL_TILED_GATHER(_r, TILE_R) \
HAL_TILED_GATHER(_b, TILE_B)

/* Scatters, NumPy's x[key] = v: meta = shape, dst strides, value strides (zeros for
   scatter_fill, whose value is a kernel argument).  With
   ``dedup``, only the last of the index positions that hit one element writes
   (keep[b], from mark_last over the stably sorted offsets): NumPy's "last wins". */
#define HAL_DEFINE_SCATTER() \
DEVICE_FN index_t scatter_target(index_t i, const int ndim, const int pos, \
                                 GLOBAL_MEM const index_t *off, \
                                 GLOBAL_MEM const index_t *meta, index_t *b, \
                                 index_t *v) \
{ \
    if (ndim == 1) { /* x[idx] = v, x[mask] = v */ \
        *b = i; \
        *v = i * meta[2]; \
        return off[i]; \
    } \
    index_t rem = i, o = 0, vo = 0; \
    for (int d = ndim - 1; d >= 0; --d) { \
        index_t extent = meta[d], c = rem % extent; \
        rem /= extent; \
        if (d == pos) { o += off[c]; *b = c; } else o += c * meta[ndim + d]; \
        vo += c * meta[2 * ndim + d]; \
    } \
    *v = vo; \
    return o; \
} \
KERNEL void scatter(GLOBAL_MEM T *dst, const index_t dst_off, \
                    GLOBAL_MEM const index_t *off, GLOBAL_MEM const hal_uint8 *keep, \
                    const int dedup, GLOBAL_MEM const T *val, const index_t val_off, \
                    const index_t n, const int ndim, const int pos, \
                    GLOBAL_MEM const index_t *meta) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i >= n) return; \
    index_t b = 0, v = 0; \
    index_t o = scatter_target(i, ndim, pos, off, meta, &b, &v); \
    if (dedup && !keep[b]) return; \
    dst[dst_off + o] = val[val_off + v]; \
} \
KERNEL void scatter_fill(GLOBAL_MEM T *dst, const index_t dst_off, \
                         GLOBAL_MEM const index_t *off, const T value, const index_t n, \
                         const int ndim, const int pos, GLOBAL_MEM const index_t *meta) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i >= n) return; \
    index_t b = 0, v = 0; \
    dst[dst_off + scatter_target(i, ndim, pos, off, meta, &b, &v)] = value; \
} \
HAL_TILED_SCATTER(_r, TILE_R) \
HAL_TILED_SCATTER(_b, TILE_B) \
KERNEL void mark_last(GLOBAL_MEM hal_uint8 *keep, GLOBAL_MEM const index_t *sorted_off, \
                      GLOBAL_MEM const index_t *order, const index_t nb) \
{ \
    index_t s = GLOBAL_ID_0; \
    if (s < nb) keep[order[s]] = (hal_uint8)(s + 1 == nb || \
                                             sorted_off[s + 1] != sorted_off[s]); \
}

/* out[c] = a[(c - shift) mod shape] per dimension (shifts in [0, shape));
   meta = shape, a strides, shifts */
#define HAL_DEFINE_ROLL() \
KERNEL void roll(GLOBAL_MEM T *RESTRICT out, GLOBAL_MEM const T *RESTRICT a, \
                 const index_t a_off, const index_t n, const int ndim, \
                 GLOBAL_MEM const index_t *meta) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i >= n) return; \
    if (ndim == 1) { \
        index_t c = i - meta[2]; \
        out[i] = a[a_off + (c < 0 ? c + n : c) * meta[1]]; \
        return; \
    } \
    index_t rem = i, o = a_off; \
    for (int d = ndim - 1; d >= 0; --d) { \
        index_t extent = meta[d], c = rem % extent; \
        rem /= extent; \
        c -= meta[2 * ndim + d]; \
        if (c < 0) c += extent; \
        o += c * meta[ndim + d]; \
    } \
    out[i] = a[o]; \
}

/* off[i] (+)= base(i) + wrap(idx[i]) * stride over the broadcast index shape;
   meta = shape, index strides, base strides.  An index outside [-extent, extent)
   sets err[0] = tag (the axis + 1) and err[1] = the index. */
#if defined(T_KIND_U)
#define INDEX_IN_RANGE(raw, extent) ((hal_uint64)(raw) < (hal_uint64)(extent))
#define INDEX_WRAP(raw, extent) ((index_t)(raw))
#else
#define INDEX_IN_RANGE(raw, extent) \
    ((index_t)(raw) >= -(extent) && (index_t)(raw) < (extent))
#define INDEX_WRAP(raw, extent) ((index_t)(raw) < 0 ? (index_t)(raw) + (extent) : (index_t)(raw))
#endif
#define HAL_DEFINE_INDEX() \
KERNEL void index_offsets(GLOBAL_MEM index_t *off, const int accumulate, \
                          GLOBAL_MEM const T *idx, const index_t idx_off, \
                          const index_t extent, const index_t stride, const index_t n, \
                          const int ndim, GLOBAL_MEM const index_t *meta, \
                          GLOBAL_MEM index_t *err, const index_t tag) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i >= n) return; \
    index_t io = idx_off, bo = 0; \
    if (ndim == 1) { \
        io += i * meta[1]; \
        bo = i * meta[2]; \
    } else { \
        index_t rem = i; \
        for (int d = ndim - 1; d >= 0; --d) { \
            index_t e = meta[d], c = rem % e; \
            rem /= e; \
            io += c * meta[ndim + d]; \
            bo += c * meta[2 * ndim + d]; \
        } \
    } \
    T raw = idx[io]; \
    if (!INDEX_IN_RANGE(raw, extent)) { \
        err[0] = tag; \
        err[1] = (index_t)raw; \
        return; \
    } \
    index_t o = bo + INDEX_WRAP(raw, extent) * stride; \
    off[i] = accumulate ? off[i] + o : o; \
}

#ifdef HAL_INSTANTIATE_ALL
HAL_DEFINE_COPY()
HAL_DEFINE_GATHER()
HAL_DEFINE_SCATTER()
HAL_DEFINE_ROLL()
#if defined(T_KIND_I) || defined(T_KIND_U)
HAL_DEFINE_INDEX()
#endif
#endif
