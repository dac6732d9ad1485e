/* Prefix sums for data-dependent sizes: nonzero and boolean masks, repeat with an
 * array of repeats, unique_*.  One program per (instance, dtype T).
 *
 * Every scan has three launches over ``nch`` chunks of ``chunk`` elements (CPU
 * friendly: serial kernels, a work-item walks its chunk sequentially):
 *   1. *_chunks       partial[g] = the count (or sum) of chunk g
 *   2. scan_partials  one work-item: exclusive prefix sum of partial[0..nch),
 *                     partial[nch] = the total (the host reads it to size outputs)
 *   3. a writer       each chunk walks again from its prefix and writes results
 *
 *   HAL_DEFINE_NONZERO()  count_nonzero_chunks, nonzero_coords (NumPy's nonzero:
 *                         out[d * count + k] = coordinate d of the k-th nonzero),
 *                         nonzero_offsets (out[k] = sum_d coord_d * strides[d]: a
 *                         boolean mask turned into element offsets of the masked array)
 *   HAL_DEFINE_REPEAT()   repeat_sum_chunks, repeat_cumsum (inclusive), repeat_offsets
 *                         (out[j] = stride * the source of output j)
 *   HAL_DEFINE_UNIQUE()   on sorted values: unique_chunks (group starts),
 *                         unique_write (values, starts, first positions, inverse),
 *                         unique_counts
 */

#if defined(T_KIND_C)
#define IS_NONZERO(v) ((v).x != 0 || (v).y != 0)
#define KEY_EQ(a, b) ((a).x == (b).x && (a).y == (b).y)
#else
#define IS_NONZERO(v) ((v) != 0)
#define KEY_EQ(a, b) ((a) == (b))
#endif

KERNEL_SERIAL void scan_partials(GLOBAL_MEM index_t *partial, const index_t nch)
{
    if (GLOBAL_ID_0 != 0) return;
    index_t acc = 0;
    for (index_t g = 0; g < nch; ++g) {
        index_t v = partial[g];
        partial[g] = acc;
        acc += v;
    }
    partial[nch] = acc;
}

/* the most dimensions nonzero handles (hal's limit); coordinates walk as an odometer,
   so the writers divide only once per chunk */
#define HAL_SCAN_MAX_DIMS 32

#define CHUNK_RANGE() \
    index_t g = GLOBAL_ID_0; \
    index_t lo = g * chunk; \
    if (lo >= n) return; \
    index_t hi = lo + chunk < n ? lo + chunk : n;

#define HAL_DEFINE_NONZERO() \
KERNEL_SERIAL void count_nonzero_chunks(GLOBAL_MEM index_t *partial, GLOBAL_MEM const T *a, \
                                 const index_t a_off, const index_t n, const index_t chunk) \
{ \
    CHUNK_RANGE() \
    index_t c = 0; \
    for (index_t i = lo; i < hi; ++i) c += IS_NONZERO(a[a_off + i]) ? 1 : 0; \
    partial[g] = c; \
} \
KERNEL_SERIAL void nonzero_coords(GLOBAL_MEM index_t *out, const index_t count, \
                                  GLOBAL_MEM const index_t *partial, GLOBAL_MEM const T *a, \
                                  const index_t a_off, const index_t n, const index_t chunk, \
                                  const int ndim, GLOBAL_MEM const index_t *shape) \
{ \
    CHUNK_RANGE() \
    index_t k = partial[g]; \
    index_t c[HAL_SCAN_MAX_DIMS]; \
    index_t rem = lo; \
    for (int d = ndim - 1; d >= 0; --d) { c[d] = rem % shape[d]; rem /= shape[d]; } \
    index_t end = partial[g + 1]; \
    for (index_t i = lo; i < hi; ++i) { /* branch-free: write always, advance on nonzero */ \
        if (k < end) for (int d = 0; d < ndim; ++d) out[d * count + k] = c[d]; \
        k += IS_NONZERO(a[a_off + i]) ? 1 : 0; \
        for (int d = ndim - 1; d >= 0; --d) { /* the next coordinates: an odometer */ \
            if (++c[d] < shape[d]) break; \
            c[d] = 0; \
        } \
    } \
} \
KERNEL_SERIAL void nonzero_offsets(GLOBAL_MEM index_t *out, GLOBAL_MEM const index_t *partial, \
                                   GLOBAL_MEM const T *a, const index_t a_off, const index_t n, \
                                   const index_t chunk, const int ndim, \
                                   GLOBAL_MEM const index_t *meta) \
{ \
    CHUNK_RANGE() \
    index_t k = partial[g]; \
    index_t end = partial[g + 1]; \
    if (ndim == 1) { /* branch-free: write always, advance on nonzero */ \
        for (index_t i = lo; i < hi; ++i) { \
            if (k < end) out[k] = i * meta[1]; \
            k += IS_NONZERO(a[a_off + i]) ? 1 : 0; \
        } \
        return; \
    } \
    index_t c[HAL_SCAN_MAX_DIMS]; \
    index_t rem = lo, o = 0; \
    for (int d = ndim - 1; d >= 0; --d) { \
        c[d] = rem % meta[d]; \
        rem /= meta[d]; \
        o += c[d] * meta[ndim + d]; \
    } \
    for (index_t i = lo; i < hi; ++i) { \
        if (k < end) out[k] = o; \
        k += IS_NONZERO(a[a_off + i]) ? 1 : 0; \
        for (int d = ndim - 1; d >= 0; --d) { \
            o += meta[ndim + d]; \
            if (++c[d] < meta[d]) break; \
            o -= meta[d] * meta[ndim + d]; \
            c[d] = 0; \
        } \
    } \
}

/* repeats are integers; a negative one sets err[0] */
#define HAL_DEFINE_REPEAT() \
KERNEL_SERIAL void repeat_sum_chunks(GLOBAL_MEM index_t *partial, GLOBAL_MEM const T *a, \
                              const index_t a_off, const index_t a_s, const index_t n, \
                              const index_t chunk, GLOBAL_MEM index_t *err) \
{ \
    CHUNK_RANGE() \
    index_t c = 0; \
    for (index_t i = lo; i < hi; ++i) { \
        index_t v = (index_t)a[a_off + i * a_s]; \
        if (v < 0) { err[0] = 1; err[1] = v; v = 0; } \
        c += v; \
    } \
    partial[g] = c; \
} \
KERNEL_SERIAL void repeat_cumsum(GLOBAL_MEM index_t *out, GLOBAL_MEM const index_t *partial, \
                          GLOBAL_MEM const T *a, const index_t a_off, const index_t a_s, \
                          const index_t n, const index_t chunk) \
{ \
    CHUNK_RANGE() \
    index_t c = partial[g]; \
    for (index_t i = lo; i < hi; ++i) { \
        index_t v = (index_t)a[a_off + i * a_s]; \
        c += v > 0 ? v : 0; \
        out[i] = c; \
    } \
} \
KERNEL void repeat_offsets(GLOBAL_MEM index_t *out, GLOBAL_MEM const index_t *cum, \
                           const index_t m, const index_t stride, const index_t n) \
{ \
    index_t j = GLOBAL_ID_0; \
    if (j >= n) return; \
    index_t lo = 0, hi = m; \
    while (lo < hi) { \
        index_t mid = (lo + hi) / 2; \
        if (cum[mid] <= j) lo = mid + 1; else hi = mid; \
    } \
    out[j] = lo * stride; \
}

/* unique_*: ``sv`` holds the n values sorted, ``pos`` their original positions.
   what: 1 values, 2 starts (for counts), 4 first positions (indices), 8 inverse. */
#define IS_START(i) ((i) == 0 || !KEY_EQ(sv[(i)], sv[(i) - 1]))
#define HAL_DEFINE_UNIQUE() \
KERNEL_SERIAL void unique_chunks(GLOBAL_MEM index_t *partial, GLOBAL_MEM const T *sv, \
                          const index_t n, const index_t chunk) \
{ \
    CHUNK_RANGE() \
    index_t c = 0; \
    for (index_t i = lo; i < hi; ++i) c += IS_START(i) ? 1 : 0; \
    partial[g] = c; \
} \
KERNEL_SERIAL void unique_write(GLOBAL_MEM const index_t *partial, GLOBAL_MEM const T *sv, \
                         GLOBAL_MEM const index_t *pos, const index_t n, \
                         const index_t chunk, const int what, GLOBAL_MEM T *values, \
                         GLOBAL_MEM index_t *starts, GLOBAL_MEM index_t *first, \
                         GLOBAL_MEM index_t *inverse) \
{ \
    CHUNK_RANGE() \
    index_t k = partial[g] - 1; \
    for (index_t i = lo; i < hi; ++i) { \
        if (IS_START(i)) { \
            ++k; \
            if (what & 1) values[k] = sv[i]; \
            if (what & 2) starts[k] = i; \
            if (what & 4) first[k] = pos[i]; \
        } \
        if (what & 8) inverse[pos[i]] = k; \
    } \
} \
KERNEL void unique_counts(GLOBAL_MEM index_t *counts, GLOBAL_MEM const index_t *starts, \
                          const index_t u, const index_t n) \
{ \
    index_t k = GLOBAL_ID_0; \
    if (k < u) counts[k] = (k + 1 < u ? starts[k + 1] : n) - starts[k]; \
}

#ifdef HAL_INSTANTIATE_ALL
HAL_DEFINE_NONZERO()
#if defined(T_KIND_I) || defined(T_KIND_U)
HAL_DEFINE_REPEAT()
#endif
HAL_DEFINE_UNIQUE()
#endif
