/* Sorting and searching: sort, argsort, searchsorted, isin (and the sorts behind
 * unique_* and the last-write-wins order of scatters).  One program per
 * (instance, dtype T):
 *
 *   HAL_DEFINE_SORT()    stable merge sort of ``rows`` independent rows of ``n`` keys
 *                        (contiguous, row-major), in place in global memory:
 *     sort_blocks[_kv]   insertion sort of blocks of ``block`` keys
 *     merge_runs[_kv]    one pass: runs of ``width`` merged pairwise into ``dst``,
 *                        in chunks of ``chunk`` outputs whose start is found with a
 *                        merge-path binary search
 *     Both are serial kernels (KERNEL_SERIAL, launched with work-groups of one): a
 *     work-item walks ``per`` consecutive blocks or chunks sequentially, which is
 *     what CPU devices run fastest (no local memory, no cross-lane divergence).
 *     The _kv kernels carry int64 positions along (argsort); sort_blocks_kv creates
 *     them (the position of each key in its row).
 *   HAL_DEFINE_RADIX(KU, IMAGE)  radix_hist, radix_scan, radix_scatter: LSD radix sort
 *                        for long rows (a merge sort mispredicts a branch per element)
 *   HAL_DEFINE_SEARCH()  searchsorted, isin (binary searches in a sorted 1-D array)
 *
 * Order: NumPy's, NaNs last (complex: lexicographic, values with a NaN part last);
 * ``desc`` reverses the order (NaNs first) and keeps ties in their original order,
 * so a stable descending argsort is one pass, not a flip of an ascending one.
 */

/* x != x: NaN (isnan is an out-of-line call on CPU OpenCL runtimes) */
#define SORT_NAN(x) ((x) != (x))
#if defined(T_KIND_F)
#define KEY_LESS(a, b) ((a) < (b) || (SORT_NAN(b) && !SORT_NAN(a)))
#define KEY_EQ(a, b) ((a) == (b))
#elif defined(T_KIND_C)
DEVICE_FN int key_less(const T a, const T b)
{
    int an = SORT_NAN(a.x) || SORT_NAN(a.y), bn = SORT_NAN(b.x) || SORT_NAN(b.y);
    if (an || bn) return !an && bn;
    return a.x < b.x || (a.x == b.x && a.y < b.y);
}
#define KEY_LESS(a, b) key_less((a), (b))
#define KEY_EQ(a, b) ((a).x == (b).x && (a).y == (b).y)
#else
#define KEY_LESS(a, b) ((a) < (b))
#define KEY_EQ(a, b) ((a) == (b))
#endif
#define ORDER_LESS(a, b) (desc ? KEY_LESS((b), (a)) : KEY_LESS((a), (b)))

/* sorting: blocks, then merge passes.  ``KV`` = 1 carries positions along.  A
   work-item handles ``per`` consecutive units (blocks or merge chunks, rows one after
   another), walking them sequentially: serial kernels, one work-item per group. */
#define HAL_SORT_BLOCKS(NAME, KV) \
KERNEL_SERIAL void NAME(GLOBAL_MEM T *keys, GLOBAL_MEM index_t *pos, const index_t n, \
                        const index_t rows, const index_t block, const index_t per, \
                        const int desc) \
{ \
    index_t nb = (n + block - 1) / block; \
    index_t u0 = GLOBAL_ID_0 * per, u1 = u0 + per < rows * nb ? u0 + per : rows * nb; \
    for (index_t u = u0; u < u1; ++u) { \
        index_t row = u / nb, first = (u - row * nb) * block; \
        index_t len = n - first < block ? n - first : block; \
        GLOBAL_MEM T *k = keys + row * n + first; \
        GLOBAL_MEM index_t *p = pos + row * n + first; \
        if (KV) for (index_t j = 0; j < len; ++j) p[j] = first + j; \
        for (index_t j = 1; j < len; ++j) { \
            T key = k[j]; \
            index_t at = KV ? p[j] : 0; \
            index_t q = j; \
            while (q > 0 && ORDER_LESS(key, k[q - 1])) { \
                k[q] = k[q - 1]; \
                if (KV) p[q] = p[q - 1]; \
                --q; \
            } \
            k[q] = key; \
            if (KV) p[q] = at; \
        } \
    } \
}

#define HAL_MERGE_RUNS(NAME, KV) \
KERNEL_SERIAL void NAME(GLOBAL_MEM const T *src, GLOBAL_MEM T *dst, \
                        GLOBAL_MEM const index_t *src_pos, GLOBAL_MEM index_t *dst_pos, \
                        const index_t n, const index_t rows, const index_t width, \
                        const index_t chunk, const index_t per, const int desc) \
{ \
    index_t nc = (n + chunk - 1) / chunk; \
    index_t u0 = GLOBAL_ID_0 * per, u1 = u0 + per < rows * nc ? u0 + per : rows * nc; \
    for (index_t u = u0; u < u1; ++u) { \
        index_t row = u / nc, p0 = (u - row * nc) * chunk; \
        index_t start = (p0 / (2 * width)) * (2 * width); \
        index_t mid_ = start + width < n ? start + width : n; \
        index_t end = start + 2 * width < n ? start + 2 * width : n; \
        GLOBAL_MEM const T *a = src + row * n + start; \
        GLOBAL_MEM const T *b = src + row * n + mid_; \
        index_t la = mid_ - start, lb = end - mid_, diag = p0 - start; \
        /* merge path: how many of the first ``diag`` outputs come from a */ \
        index_t lo = diag > lb ? diag - lb : 0, hi = diag < la ? diag : la; \
        while (lo < hi) { \
            index_t m = (lo + hi) / 2; \
            if (!ORDER_LESS(b[diag - 1 - m], a[m])) lo = m + 1; else hi = m; \
        } \
        index_t i = lo, j = diag - lo; \
        index_t count = end - p0 < chunk ? end - p0 : chunk; \
        GLOBAL_MEM T *out = dst + row * n + p0; \
        GLOBAL_MEM const index_t *pa = src_pos + row * n + start; \
        GLOBAL_MEM const index_t *pb = src_pos + row * n + mid_; \
        GLOBAL_MEM index_t *po = dst_pos + row * n + p0; \
        for (index_t k = 0; k < count; ++k) { \
            if (j < lb && (i >= la || ORDER_LESS(b[j], a[i]))) { \
                out[k] = b[j]; \
                if (KV) po[k] = pb[j]; \
                ++j; \
            } else { \
                out[k] = a[i]; \
                if (KV) po[k] = pa[i]; \
                ++i; \
            } \
        } \
    } \
}

#define HAL_DEFINE_SORT() \
HAL_SORT_BLOCKS(sort_blocks, 0) \
HAL_SORT_BLOCKS(sort_blocks_kv, 1) \
HAL_MERGE_RUNS(merge_runs, 0) \
HAL_MERGE_RUNS(merge_runs_kv, 1)

/* LSD radix sort (stable) of rows of keys, one byte per pass, for long rows.  Keys
   are sorted by an order-preserving unsigned image KU: integers with the sign bit
   flipped, floats with negatives reversed, -0.0 as +0.0 (NumPy compares them equal),
   every NaN as all ones (last; complex values with a NaN part too); ``desc``
   inverts the image (NaNs first, ties still in their original order).  Complex
   keys take two parts, the imaginary part's bytes first.  Per pass, over ``nch``
   chunks of each row (serial kernels):
     radix_hist     hist[(row * 256 + digit) * nch + chunk] = count
     radix_scan     one work-item: exclusive prefix sum over the whole hist, which
                    is then each (row, digit, chunk)'s first output position
     radix_scatter  each chunk writes its keys (and positions) in order: stable
   The instance names KU and the image: HAL_DEFINE_RADIX(hal_uint32, RADIX_FLOAT32). */
#define RADIX_SIGN(KU) ((KU)((KU)1 << (8 * sizeof(KU) - 1)))
#define RADIX_UNSIGNED(KU, v, part) ((KU)(v))
#define RADIX_SIGNED(KU, v, part) ((KU)((KU)(v) ^ RADIX_SIGN(KU)))
/* float images from the bits alone (isnan is an out-of-line call on CPU runtimes,
   10x the cost of a whole radix pass) */
#define RADIX_FLOAT_FN(NAME, KU, SIGN, EXP) \
DEVICE_FN KU NAME(KU u) \
{ \
    KU m = (KU)(u & (KU)~(KU)(SIGN)); \
    if (m > (KU)(EXP)) return (KU)~(KU)0; /* NaN: last */ \
    if (m == 0) u = 0;                    /* -0.0 == 0.0 */ \
    return (u & (KU)(SIGN)) ? (KU)~u : (KU)(u | (KU)(SIGN)); \
} \
DEVICE_FN KU NAME##_pair(KU re, KU im, int part) \
{ \
    KU nan_ = (KU)~(KU)0; \
    if (NAME(re) == nan_ || NAME(im) == nan_) return nan_; \
    return NAME(part ? im : re); \
}
RADIX_FLOAT_FN(radix_f16, hal_uint16, 0x8000u, 0x7c00u)
RADIX_FLOAT_FN(radix_f32, hal_uint32, 0x80000000u, 0x7f800000u)
RADIX_FLOAT_FN(radix_f64, hal_uint64, 0x8000000000000000, 0x7ff0000000000000)
#define RADIX_FLOAT16(KU, v, part) radix_f16(hal_bits_float16(v))
#define RADIX_FLOAT32(KU, v, part) radix_f32(hal_bits_float32(v))
#define RADIX_FLOAT64(KU, v, part) radix_f64(hal_bits_float64(v))
#define RADIX_COMPLEX64(KU, v, part) \
    radix_f32_pair(hal_bits_float32((v).x), hal_bits_float32((v).y), part)
#define RADIX_COMPLEX128(KU, v, part) \
    radix_f64_pair(hal_bits_float64((v).x), hal_bits_float64((v).y), part)

#define RADIX_CHUNK() \
    index_t u = GLOBAL_ID_0; \
    if (u >= rows * nch) return; \
    index_t row = u / nch, c = u - row * nch; \
    index_t lo = c * chunk, hi = lo + chunk < n ? lo + chunk : n; \
    GLOBAL_MEM const T *k = keys + row * n;
#define RADIX_DIGIT(KU, IMAGE, v) \
    ((int)(((KU)(desc ? (KU)~IMAGE(KU, v, part) : IMAGE(KU, v, part)) >> shift) & 255))

#define HAL_DEFINE_RADIX(KU, IMAGE) \
KERNEL_SERIAL void radix_hist(GLOBAL_MEM const T *keys, GLOBAL_MEM index_t *hist, \
                              const index_t n, const index_t rows, const index_t nch, \
                              const index_t chunk, const int shift, const int part, \
                              const int desc) \
{ \
    RADIX_CHUNK() \
    index_t counts[256]; \
    for (int d = 0; d < 256; ++d) counts[d] = 0; \
    for (index_t i = lo; i < hi; ++i) counts[RADIX_DIGIT(KU, IMAGE, k[i])]++; \
    for (int d = 0; d < 256; ++d) hist[(row * 256 + d) * nch + c] = counts[d]; \
} \
KERNEL_SERIAL void radix_scan(GLOBAL_MEM index_t *hist, const index_t m) \
{ \
    if (GLOBAL_ID_0 != 0) return; \
    index_t acc = 0; \
    for (index_t i = 0; i < m; ++i) { \
        index_t v = hist[i]; \
        hist[i] = acc; \
        acc += v; \
    } \
} \
KERNEL_SERIAL void radix_scatter(GLOBAL_MEM const T *keys, GLOBAL_MEM T *keys_out, \
                                 GLOBAL_MEM const index_t *pos, GLOBAL_MEM index_t *pos_out, \
                                 const int kv, const int first, \
                                 GLOBAL_MEM const index_t *hist, const index_t n, \
                                 const index_t rows, const index_t nch, const index_t chunk, \
                                 const int shift, const int part, const int desc) \
{ \
    RADIX_CHUNK() \
    index_t next[256]; \
    for (int d = 0; d < 256; ++d) next[d] = hist[(row * 256 + d) * nch + c]; \
    for (index_t i = lo; i < hi; ++i) { \
        T v = k[i]; \
        index_t o = next[RADIX_DIGIT(KU, IMAGE, v)]++; \
        keys_out[o] = v; \
        if (kv) pos_out[o] = first ? i : pos[row * n + i]; \
    } \
}

#include "strided.h"

/* searchsorted: out[i] = the insertion point of v = x2[i] in x1 (1-D, stride x1_s),
   read through ``sorter`` when use_sorter (a sorter entry outside [0, n1) sets err[0]);
   meta = x2's shape, x2's strides.
   isin: out[i] = (x1[i] is in the sorted contiguous x2) != invert; meta as above for x1. */
#define HAL_DEFINE_SEARCH() \
KERNEL void searchsorted(GLOBAL_MEM index_t *out, GLOBAL_MEM const T *x1, \
                         const index_t x1_off, const index_t x1_s, const index_t n1, \
                         GLOBAL_MEM const index_t *sorter, const int use_sorter, \
                         GLOBAL_MEM const T *x2, const index_t x2_off, const index_t n, \
                         const int ndim, GLOBAL_MEM const index_t *meta, const int right, \
                         GLOBAL_MEM index_t *err) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i >= n) return; \
    const int desc = 0; \
    T v = x2[x2_off + strided_offset(i, ndim, meta, meta + ndim)]; \
    index_t lo = 0, hi = n1; \
    while (lo < hi) { \
        index_t m = (lo + hi) / 2, p = m; \
        if (use_sorter) { \
            p = sorter[m]; \
            if (p < 0 || p >= n1) { err[0] = 1; err[1] = p; break; } \
        } \
        T e = x1[x1_off + p * x1_s]; \
        if (right ? !ORDER_LESS(v, e) : ORDER_LESS(e, v)) lo = m + 1; else hi = m; \
    } \
    out[i] = lo; \
} \
KERNEL void isin(GLOBAL_MEM hal_bool *out, GLOBAL_MEM const T *x1, const index_t x1_off, \
                 GLOBAL_MEM const T *x2, const index_t n2, const int invert, \
                 const index_t n, const int ndim, GLOBAL_MEM const index_t *meta) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i >= n) return; \
    const int desc = 0; \
    T v = x1[x1_off + strided_offset(i, ndim, meta, meta + ndim)]; \
    index_t lo = 0, hi = n2; \
    while (lo < hi) { \
        index_t m = (lo + hi) / 2; \
        if (ORDER_LESS(x2[m], v)) lo = m + 1; else hi = m; \
    } \
    int found = lo < n2 && KEY_EQ(x2[lo], v); \
    out[i] = (hal_bool)(found != invert); \
}

#ifdef HAL_INSTANTIATE_ALL
/* which radix image T takes (the plugin names it in the instance instead) */
#define RADIX_TYPE(t) RADIX_TYPE_(t)
#define RADIX_TYPE_(t) RADIX_TYPE_##t
#define RADIX_TYPE_hal_float16 16
#define RADIX_TYPE_hal_float32 32
#define RADIX_TYPE_hal_float64 64
#define RADIX_TYPE_hal_complex64 6432
#define RADIX_TYPE_hal_complex128 12864
HAL_DEFINE_SORT()
HAL_DEFINE_SEARCH()
#if defined(T_KIND_B)
HAL_DEFINE_RADIX(hal_uint8, RADIX_UNSIGNED)
#elif defined(T_KIND_U)
HAL_DEFINE_RADIX(T, RADIX_UNSIGNED)
#elif defined(T_KIND_I)
HAL_DEFINE_RADIX(TU, RADIX_SIGNED)
#elif RADIX_TYPE(T) == 16
HAL_DEFINE_RADIX(hal_uint16, RADIX_FLOAT16)
#elif RADIX_TYPE(T) == 32
HAL_DEFINE_RADIX(hal_uint32, RADIX_FLOAT32)
#elif RADIX_TYPE(T) == 64
HAL_DEFINE_RADIX(hal_uint64, RADIX_FLOAT64)
#elif RADIX_TYPE(T) == 6432
HAL_DEFINE_RADIX(hal_uint32, RADIX_COMPLEX64)
#elif RADIX_TYPE(T) == 12864
HAL_DEFINE_RADIX(hal_uint64, RADIX_COMPLEX128)
#endif
#endif
