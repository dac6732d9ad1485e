/* Selection and masks: where, clip, tril/triu, eye.  One program per (dtype T,
 * section); the section is chosen by a define (HAL_INSTANTIATE_ALL compiles all):
 *
 *   HAL_SELECT_WHERE   where_contig, where_strided   out = c ? x : y
 *   HAL_SELECT_CLIP    clip_contig, clip_strided     out = min(max(x, lo), hi)
 *   HAL_SELECT_TRI     tri_contig, tri_strided       tril/triu: zero above/below diagonal k
 *   HAL_SELECT_EYE     eye                           out[i, j] = (j - i == k)
 *
 * Outputs are new contiguous arrays; strided variants read their inputs through
 * meta = shape, then one stride set per input (0 along broadcast dimensions).
 */

#ifdef HAL_INSTANTIATE_ALL
#define HAL_SELECT_WHERE 1
#if !defined(T_KIND_C)
#define HAL_SELECT_CLIP 1   /* real dtypes only: clip orders values */
#endif
#define HAL_SELECT_TRI 1
#define HAL_SELECT_EYE 1
#endif

#include "strided.h"

#if defined(T_KIND_C)
DEVICE_FN T sel_value(int one) { T z; z.x = one ? 1 : 0; z.y = 0; return z; }
#else
DEVICE_FN T sel_value(int one) { return one ? (T)1 : (T)0; }
#endif

/* -------------------------------------------------------------------- where */
#ifdef HAL_SELECT_WHERE
KERNEL void where_contig(GLOBAL_MEM T *RESTRICT out, GLOBAL_MEM const hal_bool *RESTRICT c,
                         const index_t c_off, GLOBAL_MEM const T *RESTRICT x,
                         const index_t x_off, GLOBAL_MEM const T *RESTRICT y,
                         const index_t y_off, const index_t n)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) out[i] = c[c_off + i] ? x[x_off + i] : y[y_off + i];
}

KERNEL void where_strided(GLOBAL_MEM T *RESTRICT out, GLOBAL_MEM const hal_bool *RESTRICT c,
                          const index_t c_off, GLOBAL_MEM const T *RESTRICT x,
                          const index_t x_off, GLOBAL_MEM const T *RESTRICT y,
                          const index_t y_off, const index_t n, const int ndim,
                          GLOBAL_MEM const index_t *meta)
{
    index_t i = GLOBAL_ID_0;
    if (i >= n) return;
    out[i] = c[c_off + strided_offset(i, ndim, meta, meta + ndim)]
        ? x[x_off + strided_offset(i, ndim, meta, meta + 2 * ndim)]
        : y[y_off + strided_offset(i, ndim, meta, meta + 3 * ndim)];
}
#endif

/* --------------------------------------------------------------------- clip */
#ifdef HAL_SELECT_CLIP
/* NumPy's clip: a NaN in x (or in a bound) propagates */
#if defined(T_KIND_F)
#define SEL_NAN(v) hal_isnan(v)
#else
#define SEL_NAN(v) 0
#endif
DEVICE_FN T sel_max(T a, T b) { return (SEL_NAN(a) || a > b) ? a : b; }
DEVICE_FN T sel_min(T a, T b) { return (SEL_NAN(a) || a < b) ? a : b; }

/* mode bits: 1 a lower bound, 2 an upper bound; scalars lo_v, hi_v */
KERNEL void clip_contig(GLOBAL_MEM T *RESTRICT out, GLOBAL_MEM const T *RESTRICT x,
                        const index_t x_off, const T lo_v, const T hi_v, const int mode,
                        const index_t n)
{
    index_t i = GLOBAL_ID_0;
    if (i >= n) return;
    T v = x[x_off + i];
    if (mode & 1) v = sel_max(v, lo_v);
    if (mode & 2) v = sel_min(v, hi_v);
    out[i] = v;
}

/* mode bits as in clip_contig, plus 4: the lower bound is the array lo, 8: the upper
   bound is the array hi; meta = shape, x strides, lo strides, hi strides */
KERNEL void clip_strided(GLOBAL_MEM T *RESTRICT out, GLOBAL_MEM const T *RESTRICT x,
                         const index_t x_off, GLOBAL_MEM const T *RESTRICT lo,
                         const index_t lo_off, GLOBAL_MEM const T *RESTRICT hi,
                         const index_t hi_off, const T lo_v, const T hi_v, const int mode,
                         const index_t n, const int ndim, GLOBAL_MEM const index_t *meta)
{
    index_t i = GLOBAL_ID_0;
    if (i >= n) return;
    T v = x[x_off + strided_offset(i, ndim, meta, meta + ndim)];
    if (mode & 1)
        v = sel_max(v, (mode & 4) ? lo[lo_off + strided_offset(i, ndim, meta, meta + 2 * ndim)]
                                  : lo_v);
    if (mode & 2)
        v = sel_min(v, (mode & 8) ? hi[hi_off + strided_offset(i, ndim, meta, meta + 3 * ndim)]
                                  : hi_v);
    out[i] = v;
}
#endif

/* ---------------------------------------------------------------- tril/triu */
#ifdef HAL_SELECT_TRI
/* keep x[..., r, j] where j - r <= k (lower != 0, tril) or j - r >= k (triu) */
DEVICE_FN int sel_keep(index_t i, index_t M, index_t N, index_t k, int lower)
{
    index_t j = i % N, r = (i / N) % M;
    return lower ? (j - r <= k) : (j - r >= k);
}

KERNEL void tri_contig(GLOBAL_MEM T *RESTRICT out, GLOBAL_MEM const T *RESTRICT x,
                       const index_t x_off, const index_t n, const index_t M,
                       const index_t N, const index_t k, const int lower)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) out[i] = sel_keep(i, M, N, k, lower) ? x[x_off + i] : sel_value(0);
}

KERNEL void tri_strided(GLOBAL_MEM T *RESTRICT out, GLOBAL_MEM const T *RESTRICT x,
                        const index_t x_off, const index_t n, const index_t M,
                        const index_t N, const index_t k, const int lower, const int ndim,
                        GLOBAL_MEM const index_t *meta)
{
    index_t i = GLOBAL_ID_0;
    if (i >= n) return;
    out[i] = sel_keep(i, M, N, k, lower)
        ? x[x_off + strided_offset(i, ndim, meta, meta + ndim)] : sel_value(0);
}
#endif

/* ---------------------------------------------------------------------- eye */
#ifdef HAL_SELECT_EYE
KERNEL void eye(GLOBAL_MEM T *RESTRICT out, const index_t n, const index_t N,
                const index_t k)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) out[i] = sel_value(i % N - i / N == k);
}
#endif
