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
 *   HAL_DEFINE_SEARCH()  searchsorted, isin (binary searches in a sorted 1-D array)
 *
 * Order: NumPy's, NaNs last (complex: lexicographic, values with a NaN part last);
 * ``desc`` reverses the order (NaNs first) and keeps ties in their original order,
 * so a stable descending argsort is one pass, not a flip of an ascending one.
 */

#if defined(T_KIND_F)
#define KEY_LESS(a, b) ((a) < (b) || (hal_isnan(b) && !hal_isnan(a)))
#define KEY_EQ(a, b) ((a) == (b))
#elif defined(T_KIND_C)
DEVICE_FN int key_less(const T a, const T b)
{
    int an = hal_isnan(a.x) || hal_isnan(a.y), bn = hal_isnan(b.x) || hal_isnan(b.y);
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

DEVICE_FN index_t strided_offset(index_t i, const int ndim,
                                 GLOBAL_MEM const index_t *shape,
                                 GLOBAL_MEM const index_t *strides)
{
    index_t off = 0;
    for (int d = ndim - 1; d >= 0; --d) {
        index_t extent = shape[d];
        off += (i % extent) * strides[d];
        i /= extent;
    }
    return off;
}

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
HAL_DEFINE_SORT()
HAL_DEFINE_SEARCH()
#endif
