/* hal reductions and scans: sum, prod, mean, var/std, min/max, any/all, count_nonzero,
 * argmin/argmax, vector norms, cumulative_sum/cumulative_prod.
 *
 * One program per (op, input dtype T, result dtype), selected by defines:
 *
 *   T, T_KIND_{B,I,U,F,C}, T_REAL, TU, T_BITS   the input dtype (hal's template defines)
 *   R_OP_<OP>            SUM PROD MEAN VAR MAX MIN ANY ALL COUNT NRM2 NRM1 NRM0 NRMP
 *                        MAXABS MINABS ARGMAX ARGMIN
 *   R_OUT                the result's C type (hal_<dtype>)
 *   R_ACC, R_ACC_KIND_{B,I,U,F,C,S}   the accumulator (S: the argmin/argmax pair)
 *   R_PARAM              hal_float32 or hal_float64: the type of p_map/p_final
 *   R_SQRT               with R_OP_VAR: the result is the square root (std)
 *   R_MEAN_IN_T          with R_OP_MEAN: round the sum and the mean to T (var's centre)
 *   R_UNR                lanes per work-item in reduce_rows (independent accumulators)
 *   R_STEP               work-items per row chunk in reduce_rows, interleaved element by
 *                        element (1 on the CPU drivers, which vectorise a work-item's
 *                        lanes; a GPU wants its warp here)
 *   R_COLS               outputs per work-item in reduce_cols and scan_cols
 *   R_LANE_T             the innermost lane accumulator (default R_ACC; narrower for
 *                        counts)
 *   R_V8                 float32/float64 sum, mean, max, min with R_STEP 1: reduce_rows
 *                        takes two 8-lane vectors (HAL_V8) per work-item
 *
 * Geometry (set up by the plugin; strides in elements): the kept dimensions are
 * (P1, P2) with input strides (xs1, xs2), the reduced one is (R, rs); output p =
 * p1 * P2 + p2 is contiguous.  R is split into C chunks of ``chunk`` elements; when a
 * row has more than one partial (C > 1, or R_STEP > 1 in reduce_rows), pass one writes
 * partial accumulators, row-major per output, and reduce_merge combines them.  Every
 * kernel takes its work-item (or work-unit) count, since global sizes are rounded up
 * to the work-group size.
 *
 *   reduce_rows    rs == 1: R_STEP work-items reduce a contiguous chunk of one row,
 *                  each with R_UNR independent lanes (vectorisable loads, no
 *                  reassociation of a lane's terms); any/all stop at the first block
 *                  that decides them
 *   reduce_cols    any rs: a work-item owns R_COLS neighbouring outputs (lanes along
 *                  p2) and walks its chunk of R
 *   reduce_panel   rs != 1 with contiguous outputs (xs2 == 1) and P2 small enough to
 *                  keep P2 accumulators in cache: whole lines per work-item
 *   reduce_merge   partials [P, C'] -> out[P]
 *   scan_rows      cumulative ops along contiguous rows, chunked: carry-in from the
 *                  chunk totals reduce_rows wrote
 *   scan_cols      cumulative ops with any rs, lanes along p2 (whole R per work-item)
 *   find_rows      argmin/argmax along rows, second pass (in the max/min programs):
 *   find_merge     the first position of each row's extreme
 *
 * Accuracy: sums are cascaded - lanes accumulate blocks of R_BLOCK elements, block
 * sums accumulate into superblocks of R_BLOCK blocks, superblocks into the lane total,
 * lanes and chunks combine as a tree - so a float32 sum of 2^24 elements rounds like
 * a pairwise sum, not like a sequential loop.  Integer sums and products wrap around
 * in unsigned arithmetic of the result's width, as NumPy's do.
 */

#ifndef R_UNR
#define R_UNR 8
#endif
#ifndef R_STEP
#define R_STEP 1
#endif
#ifndef R_COLS
#define R_COLS 8
#endif
#define R_BLOCK 128

#if !defined(R_OUT) && defined(HAL_INSTANTIATE_ALL)
/* ``hal kernels check``: one representative instance per input dtype */
#if defined(T_KIND_B)
#define R_OP_ANY 1
#define R_OUT hal_bool
#define R_ACC hal_uint8
#define R_ACC_KIND_U 1
#elif defined(T_KIND_C)
#define R_OP_SUM 1
#define R_OUT T
#define R_ACC T
#define R_ACC_KIND_C 1
#elif defined(T_KIND_F)
#define R_OP_SUM 1
#define R_OUT T
#define R_ACC hal_float32
#define R_ACC_KIND_F 1
#else
#define R_OP_SUM 1
#define R_OUT T
#define R_ACC TU
#define R_ACC_KIND_U 1
#endif
#endif

#ifndef R_PARAM
#define R_PARAM hal_float32
#endif
/* R_LANE_T: the type of a lane's innermost block accumulator (at most R_BLOCK terms),
   narrower than R_ACC where that vectorises better (counts of bytes in bytes) */
#ifndef R_LANE_T
#define R_LANE_T R_ACC
#endif

DEVICE_FN index_t idx_min(index_t a, index_t b) { return a < b ? a : b; }

/* ---------------------------------------------------------------- the input T */
#if defined(T_KIND_C)
#define X_RE(v) ((v).x)
#define X_IM(v) ((v).y)
#define X_NONZERO(v) ((v).x != 0 || (v).y != 0)
#else
#define X_RE(v) (v)
#define X_IM(v) 0
#define X_NONZERO(v) ((v) != 0)
#endif

#if defined(T_KIND_F)
#define T_ISNAN(v) ((v) != (v))
#else
#define T_ISNAN(v) 0
#endif

#if defined(T_KIND_I)
#define T_LOWEST ((T)((TU)1 << (T_BITS - 1)))
#define T_HIGHEST ((T)(((TU)1 << (T_BITS - 1)) - 1))
#elif defined(T_KIND_U)
#define T_LOWEST ((T)0)
#define T_HIGHEST ((T)(~(TU)0))
#elif defined(T_KIND_B)
#define T_LOWEST ((T)0)
#define T_HIGHEST ((T)1)
#else
#define T_LOWEST (-HAL_INFINITY)
#define T_HIGHEST (HAL_INFINITY)
#endif

/* ---------------------------------------------------------- the accumulator */
#if defined(R_ACC_KIND_C)
DEVICE_FN R_ACC acc_make(R_PARAM re, R_PARAM im) { R_ACC z; z.x = re; z.y = im; return z; }
DEVICE_FN R_ACC acc_add(R_ACC a, R_ACC b) { return acc_make(a.x + b.x, a.y + b.y); }
DEVICE_FN R_ACC acc_mul(R_ACC a, R_ACC b)
{
    return acc_make(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}
#define ACC_ZERO acc_make(0, 0)
#define ACC_ONE acc_make(1, 0)
#define ACC_FROM_X(x) acc_make((R_PARAM)X_RE(x), (R_PARAM)X_IM(x))
#define ACC_TO_OUT(a) (a)
#else
#define acc_add(a, b) ((a) + (b))
#define acc_mul(a, b) ((a) * (b))
#define ACC_ZERO ((R_ACC)0)
#define ACC_ONE ((R_ACC)1)
#if defined(R_ACC_KIND_U) || defined(R_ACC_KIND_I)
/* NumPy casts every element to the result dtype, then adds in it */
#define ACC_FROM_X(x) ((R_ACC)(R_OUT)X_RE(x))
#else
#define ACC_FROM_X(x) ((R_ACC)X_RE(x))
#endif
#define ACC_TO_OUT(a) ((R_OUT)(a))
#endif

/* IN_T(v): v rounded to the input's precision.  NumPy computes the squares of var and
   of the 2-norm, and the powers of p-norms, in the input dtype before it sums them
   (in float32 for float16), so a float16 square beyond 65504 is inf there; hal
   rounds the same way.  A no-op unless the accumulator is wider than T. */
#if defined(T_KIND_F) && !defined(R_ACC_KIND_S)
#define IN_T(v) ((R_ACC)(T)(v))
#else
#define IN_T(v) (v)
#endif

/* |x| and |x|^2 in the (real, floating) accumulator type */
#if defined(T_KIND_C)
#define X_ABS(x) ((R_ACC)hypot((R_ACC)X_RE(x), (R_ACC)X_IM(x)))
#define X_ABS2(x) ((R_ACC)X_RE(x) * (R_ACC)X_RE(x) + (R_ACC)X_IM(x) * (R_ACC)X_IM(x))
#else
#define X_ABS(x) ((R_ACC)fabs((R_ACC)(x)))
#define X_ABS2(x) IN_T((R_ACC)(x) * (R_ACC)(x))
#endif

/* max/min that propagate NaN (a NaN in either operand wins and stays), written as
   selects so that they vectorise */
#define NAN_MAX(a, b) (((b) > (a) || (b) != (b)) ? (b) : (a))
#define NAN_MIN(a, b) (((b) < (a) || (b) != (b)) ? (b) : (a))

/* ------------------------------------------------------------------ the ops
 * R_INIT: the identity; R_MAP(x, i, c, p): one element (i: its position along the
 * reduced axis, c: the row's centre for var, p: p_map); R_COMBINE: associative;
 * R_FINAL(a, p): the result from the accumulator (p: p_final). */
#if defined(R_OP_SUM) || defined(R_OP_MEAN)
#define R_INIT ACC_ZERO
#define R_MAP(x, i, c, p) ACC_FROM_X(x)
#define R_COMBINE(a, b) acc_add(a, b)
#elif defined(R_OP_PROD)
#define R_INIT ACC_ONE
#define R_MAP(x, i, c, p) ACC_FROM_X(x)
#define R_COMBINE(a, b) acc_mul(a, b)
#elif defined(R_OP_VAR)
#define R_INIT ACC_ZERO
DEVICE_FN R_ACC var_term(R_ACC d) { d = IN_T(d); return IN_T(d * d); }
#define R_MAP(x, i, c, p) var_term((R_ACC)X_RE(x) - (c))
#define R_COMBINE(a, b) ((a) + (b))
#elif defined(R_OP_MAX) || defined(R_OP_MIN)
#if defined(R_OP_MAX)
#define R_INIT ((R_ACC)T_LOWEST)
#define R_COMBINE(a, b) NAN_MAX(a, b)
#else
#define R_INIT ((R_ACC)T_HIGHEST)
#define R_COMBINE(a, b) NAN_MIN(a, b)
#endif
#define R_MAP(x, i, c, p) ((R_ACC)(x))
#elif defined(R_OP_ANY) || defined(R_OP_ALL) || defined(R_OP_COUNT)
#define R_MAP(x, i, c, p) ((R_LANE_T)(X_NONZERO(x) ? 1 : 0))
#if defined(R_OP_ANY)
#define R_INIT ((R_ACC)0)
#define R_COMBINE(a, b) ((a) | (b))
#elif defined(R_OP_ALL)
#define R_INIT ((R_ACC)1)
#define R_COMBINE(a, b) ((a) & (b))
#else
#define R_INIT ((R_ACC)0)
#define R_COMBINE(a, b) ((a) + (b))
#endif
#elif defined(R_OP_NRM2) || defined(R_OP_NRM1) || defined(R_OP_NRM0) || defined(R_OP_NRMP)
#define R_INIT ((R_ACC)0)
#define R_COMBINE(a, b) ((a) + (b))
#if defined(R_OP_NRM2)
#define R_MAP(x, i, c, p) X_ABS2(x)
#elif defined(R_OP_NRM1)
#define R_MAP(x, i, c, p) X_ABS(x)
#elif defined(R_OP_NRM0)
#define R_MAP(x, i, c, p) ((R_ACC)(X_NONZERO(x) ? 1 : 0))
#else
#define R_MAP(x, i, c, p) IN_T(pow(X_ABS(x), (R_ACC)(p)))
#endif
#elif defined(R_OP_MAXABS) || defined(R_OP_MINABS)
#if defined(R_OP_MAXABS)
#define R_INIT ((R_ACC)0)
#define R_COMBINE(a, b) NAN_MAX(a, b)
#else
#define R_INIT ((R_ACC)HAL_INFINITY)
#define R_COMBINE(a, b) NAN_MIN(a, b)
#endif
#define R_MAP(x, i, c, p) X_ABS(x)
#elif defined(R_OP_ARGMAX) || defined(R_OP_ARGMIN)
/* (value, index): NaN beats every number, then the larger (smaller) value, then the
   smaller index - NumPy's first occurrence, with NaN winning */
typedef struct { T v; index_t i; } hal_argacc;
DEVICE_FN hal_argacc arg_make(T v, index_t i) { hal_argacc a; a.v = v; a.i = i; return a; }
DEVICE_FN hal_argacc arg_pick(hal_argacc a, hal_argacc b)
{
    int a_nan = T_ISNAN(a.v), b_nan = T_ISNAN(b.v);
#if defined(R_OP_ARGMAX)
    int b_beats = b.v > a.v;
#else
    int b_beats = b.v < a.v;
#endif
    int tie = (a_nan && b_nan) || (!a_nan && !b_nan && b.v == a.v);
    int b_wins = (b_nan && !a_nan) || (!a_nan && !b_nan && b_beats) || (tie && b.i < a.i);
    return b_wins ? b : a;
}
#if defined(R_OP_ARGMAX)
#define R_INIT arg_make(T_LOWEST, (index_t)(((hal_uint64)1 << 63) - 1))
#else
#define R_INIT arg_make(T_HIGHEST, (index_t)(((hal_uint64)1 << 63) - 1))
#endif
#define R_MAP(x, i, c, p) arg_make(x, i)
#define R_COMBINE(a, b) arg_pick(a, b)
#endif

#if defined(R_OP_MEAN) && defined(R_ACC_KIND_C)
#define R_FINAL(a, p) acc_make((a).x / (p), (a).y / (p))
#elif defined(R_OP_MEAN) && defined(R_MEAN_IN_T)
/* var's centre: NumPy sums and divides in the input dtype there (float16 too) */
#define R_FINAL(a, p) ((R_OUT)IN_T(IN_T(a) / (p)))
#elif defined(R_OP_MEAN)
#define R_FINAL(a, p) ((R_OUT)((a) / (p)))
#elif defined(R_OP_VAR) && defined(R_SQRT)
#define R_FINAL(a, p) ((R_OUT)sqrt(IN_T(IN_T(a) / (R_ACC)(p))))
#elif defined(R_OP_VAR)
#define R_FINAL(a, p) ((R_OUT)(IN_T(a) / (R_ACC)(p)))
#elif defined(R_OP_ANY) || defined(R_OP_ALL)
#define R_FINAL(a, p) ((R_OUT)((a) != 0 ? 1 : 0))
#elif defined(R_OP_NRM2)
#define R_FINAL(a, p) ((R_OUT)sqrt(a))
#elif defined(R_OP_NRMP)
#define R_FINAL(a, p) ((R_OUT)pow((a), (R_ACC)(p)))
#elif defined(R_OP_ARGMAX) || defined(R_OP_ARGMIN)
#define R_FINAL(a, p) ((R_OUT)(a).i)
#else
#define R_FINAL(a, p) ACC_TO_OUT(a)
#endif

/* Lane k of reduce_span takes one element: R_LANE(k, x, j, c, p) updates acc[k].
   Floating max/min keep NaN out of the accumulator's dependency chain - a plain
   compare-select (one vmaxps) plus a separate NaN flag per lane, nan[k] - and turn a
   flagged span's result into NaN at the end. */
#if (defined(R_OP_MAX) || defined(R_OP_MIN)) && defined(T_KIND_F)
#define R_NAN_FLAG 1
#if defined(R_OP_MAX)
#define R_LANE(k, x, j, c, p) \
    { const R_ACC v_ = (R_ACC)(x); acc[k] = v_ > acc[k] ? v_ : acc[k]; nan[k] |= v_ != v_; }
#else
#define R_LANE(k, x, j, c, p) \
    { const R_ACC v_ = (R_ACC)(x); acc[k] = v_ < acc[k] ? v_ : acc[k]; nan[k] |= v_ != v_; }
#endif
#elif defined(R_OP_ARGMAX) || defined(R_OP_ARGMIN)
/* argmin/argmax lanes keep values and positions apart (vectorisable selects): within
   a lane positions only grow, so a strict comparison keeps the first occurrence, and
   the first NaN wins (a later one never replaces it) */
#if defined(R_OP_ARGMAX)
#define ARG_TAKES(v, b) ((v) > (b) || (T_ISNAN(v) && !T_ISNAN(b)))
#else
#define ARG_TAKES(v, b) ((v) < (b) || (T_ISNAN(v) && !T_ISNAN(b)))
#endif
#define R_LANE(k, x, j, c, p) \
    { const T v_ = (x); const int t_ = ARG_TAKES(v_, best[k]); \
      best[k] = t_ ? v_ : best[k]; where[k] = t_ ? it : where[k]; }
#else
#define R_LANE(k, x, j, c, p) acc[k] = R_COMBINE(acc[k], R_MAP(x, j, c, p))
#endif

/* any/all: a span whose block already decides the answer stops there */
#if defined(R_OP_ANY)
#define R_SETTLED(a) ((a) != 0)
#elif defined(R_OP_ALL)
#define R_SETTLED(a) ((a) == 0)
#endif

/* var's per-output centre (the mean) */
#if defined(R_OP_VAR)
#define R_CENTER(centre, k) ((centre)[k])
#else
#define R_CENTER(centre, k) R_INIT
#endif

/* ------------------------------------------------------------ the reductions */

/* Reduce row[start], row[start + R_STEP], ... below row[end] in R_UNR lanes (lane k
   takes the k-th of every R_UNR consecutive elements), cascaded for accuracy. */
DEVICE_FN R_ACC reduce_span(GLOBAL_MEM const T *RESTRICT row, index_t start, index_t end,
                            R_ACC c, R_PARAM p)
{
    const index_t stride = (index_t)R_STEP * R_UNR;
    R_ACC total[R_UNR];
    for (int k = 0; k < R_UNR; ++k) total[k] = R_INIT;
#if defined(R_NAN_FLAG)
    int nan[R_UNR];
    for (int k = 0; k < R_UNR; ++k) nan[k] = 0;
#endif
    index_t i = start;
    const index_t full = end > start ? start + ((end - start) / stride) * stride : start;
#if defined(R_OP_ARGMAX) || defined(R_OP_ARGMIN)
    /* one level, the lanes as arrays of values and of iteration numbers (32-bit, so
       values and positions fill vectors of the same width); each lane starts from
       its first element.  A chunk has fewer than 2^31 iterations. */
    if (i < full) {
        T best[R_UNR];
        int where[R_UNR];
        for (int k = 0; k < R_UNR; ++k) {
            best[k] = row[i + (index_t)k * R_STEP];
            where[k] = 0;
        }
        const int iterations = (int)((full - i) / stride);
        for (int it = 1; it < iterations; ++it) {
            const index_t base = i + (index_t)it * stride;
            for (int k = 0; k < R_UNR; ++k) {
                R_LANE(k, row[base + (index_t)k * R_STEP], 0, c, p);
            }
        }
        for (int k = 0; k < R_UNR; ++k)
            total[k] = arg_make(best[k], i + (index_t)where[k] * stride + (index_t)k * R_STEP);
        i = full;
    }
#else
    while (i < full) {
        R_ACC mid[R_UNR];
        for (int k = 0; k < R_UNR; ++k) mid[k] = R_INIT;
        const index_t super_end = idx_min(full, i + stride * R_BLOCK * R_BLOCK);
        while (i < super_end) {
            R_LANE_T acc[R_UNR];
            for (int k = 0; k < R_UNR; ++k) acc[k] = R_INIT;
            const index_t block_end = idx_min(super_end, i + stride * R_BLOCK);
            for (; i < block_end; i += stride) {
                for (int k = 0; k < R_UNR; ++k) {
                    const index_t j = i + (index_t)k * R_STEP;
                    R_LANE(k, row[j], j, c, p);
                }
            }
#if defined(R_SETTLED)
            R_ACC block = acc[0];
            for (int k = 1; k < R_UNR; ++k) block = R_COMBINE(block, acc[k]);
            if (R_SETTLED(block)) return block;
#endif
            for (int k = 0; k < R_UNR; ++k) mid[k] = R_COMBINE(mid[k], acc[k]);
        }
        for (int k = 0; k < R_UNR; ++k) total[k] = R_COMBINE(total[k], mid[k]);
    }
#endif
    for (int width = R_UNR / 2; width > 0; width /= 2) {
        for (int k = 0; k < width; ++k) total[k] = R_COMBINE(total[k], total[k + width]);
    }
    R_ACC result = total[0];
    for (; i < end; i += R_STEP) result = R_COMBINE(result, R_MAP(row[i], i, c, p));
#if defined(R_NAN_FLAG)
    int any_nan = 0;
    for (int k = 0; k < R_UNR; ++k) any_nan |= nan[k];
    if (any_nan) result = (R_ACC)(HAL_INFINITY - HAL_INFINITY);
#endif
    return result;
}

#if defined(R_V8)
/* float32/float64 sum, mean, max and min (R_ACC == T, R_STEP == 1): two 8-lane
   vectors (HAL_V8) per work-item, which both CPU drivers turn into plain vector
   loads and adds/max.  NaN stays out of the max/min dependency chain: ``bad`` sums
   the elements (one add per vector), and a span where a lane's sum is not finite (a
   NaN, an infinity, or an overflow) is reduced again by the scalar lanes, which
   follow NumPy's NaN rule exactly. */
#if defined(R_OP_MAX)
#define V8_COMBINE(a, v) HAL_V8_MAX(T, a, v)
#define V8_CHECKS 1
#elif defined(R_OP_MIN)
#define V8_COMBINE(a, v) HAL_V8_MIN(T, a, v)
#define V8_CHECKS 1
#else
#define V8_COMBINE(a, v) ((a) + (v))
#define V8_CHECKS 0
#endif
DEVICE_FN R_ACC reduce_span_v8(GLOBAL_MEM const T *RESTRICT row, index_t start,
                               index_t end, R_ACC c, R_PARAM p)
{
    const R_ACC init = R_INIT;
    HAL_V8(T) t0 = HAL_V8_SPLAT(T, init), t1 = HAL_V8_SPLAT(T, init);
    HAL_V8(T) bad = HAL_V8_SPLAT(T, 0);
    index_t i = start;
    const index_t full = start + ((end - start) / 16) * 16;
    while (i < full) {
        HAL_V8(T) m0 = HAL_V8_SPLAT(T, init), m1 = HAL_V8_SPLAT(T, init);
        const index_t super_end = idx_min(full, i + (index_t)16 * R_BLOCK * R_BLOCK);
        while (i < super_end) {
            HAL_V8(T) a0 = HAL_V8_SPLAT(T, init), a1 = HAL_V8_SPLAT(T, init);
            const index_t block_end = idx_min(super_end, i + (index_t)16 * R_BLOCK);
            for (; i < block_end; i += 16) {
                const HAL_V8(T) v0 = HAL_V8_LOAD(T, row + i);
                const HAL_V8(T) v1 = HAL_V8_LOAD(T, row + i + 8);
                a0 = V8_COMBINE(a0, v0);
                a1 = V8_COMBINE(a1, v1);
                if (V8_CHECKS) bad += v0 + v1;
            }
            m0 = V8_COMBINE(m0, a0);
            m1 = V8_COMBINE(m1, a1);
        }
        t0 = V8_COMBINE(t0, m0);
        t1 = V8_COMBINE(t1, m1);
    }
    T lanes[8], flags[8];
    HAL_V8_STORE(T, V8_COMBINE(t0, t1), lanes);
    HAL_V8_STORE(T, bad, flags);
    int clean = 1;   /* every lane's sum finite: no NaN, no infinity */
    for (int k = 0; k < 8; ++k) clean &= flags[k] - flags[k] == 0;
    if (!clean) return reduce_span(row, start, end, c, p);
    for (int width = 4; width > 0; width /= 2) {
        for (int k = 0; k < width; ++k) lanes[k] = R_COMBINE(lanes[k], lanes[k + width]);
    }
    R_ACC result = lanes[0];
    for (; i < end; ++i) result = R_COMBINE(result, R_MAP(row[i], i, c, p));
    return result;
}
#define REDUCE_SPAN reduce_span_v8
#else
#define REDUCE_SPAN reduce_span
#endif

/* Work unit u = p * C + c is R_STEP consecutive work-items (interleaved over the
   chunk, which vectorises across work-items on drivers that do so); each writes its
   partial to part[u * R_STEP + lane], or the result when C * R_STEP == 1. */
KERNEL void reduce_rows(GLOBAL_MEM R_OUT *out, GLOBAL_MEM R_ACC *part,
                        GLOBAL_MEM const T *RESTRICT x, const index_t x_off,
                        const index_t P2, const index_t xs1, const index_t xs2,
                        const index_t R, const index_t chunk, const index_t C,
                        const index_t n_units, GLOBAL_MEM const R_ACC *centre,
                        const R_PARAM p_map, const R_PARAM p_final)
{
    const index_t w = GLOBAL_ID_0;
    const index_t u = w / R_STEP, lane = w - u * R_STEP;
    if (u >= n_units) return;
    const index_t p = u / C, c = u - p * C;
    const index_t p1 = p / P2, p2 = p - p1 * P2;
    const index_t start = c * chunk;
    const R_ACC acc = REDUCE_SPAN(x + x_off + p1 * xs1 + p2 * xs2, start + lane,
                                  idx_min(start + chunk, R), R_CENTER(centre, p), p_map);
    if (C * R_STEP == 1) {
        out[p] = R_FINAL(acc, p_final);
    } else {
        part[w] = acc;
    }
}

/* A work-item owns R_COLS neighbouring outputs along p2 (lanes) and walks its chunk
   of R; with R_COLS == 1 neighbouring work-items read neighbouring elements. */
KERNEL void reduce_cols(GLOBAL_MEM R_OUT *out, GLOBAL_MEM R_ACC *part,
                        GLOBAL_MEM const T *RESTRICT x, const index_t x_off,
                        const index_t P2, const index_t xs1, const index_t xs2,
                        const index_t R, const index_t rs, const index_t chunk,
                        const index_t C, const index_t n_items,
                        GLOBAL_MEM const R_ACC *centre,
                        const R_PARAM p_map, const R_PARAM p_final)
{
    const index_t w = GLOBAL_ID_0;
    if (w >= n_items) return;
    const index_t groups = (P2 + R_COLS - 1) / R_COLS;
    const index_t g_all = w / C, c = w - g_all * C;
    const index_t p1 = g_all / groups, q0 = (g_all - p1 * groups) * R_COLS;
    const int lanes = (int)idx_min((index_t)R_COLS, P2 - q0);
    GLOBAL_MEM const T *base = x + x_off + p1 * xs1 + q0 * xs2;
    const index_t p0 = p1 * P2 + q0;
    const index_t start = c * chunk, end = idx_min(start + chunk, R);
    R_ACC total[R_COLS];
    for (int k = 0; k < R_COLS; ++k) total[k] = R_INIT;
#if defined(R_OP_VAR)
    R_ACC cen[R_COLS];
    for (int k = 0; k < R_COLS; ++k) cen[k] = centre[p0 + (k < lanes ? k : 0)];
#define CEN(k) cen[k]
#else
#define CEN(k) R_INIT
#endif
    index_t r = start;
    if (lanes == R_COLS && xs2 == 1) {
        /* neighbouring outputs are neighbours in memory: vector loads along a line */
        while (r < end) {
            R_ACC acc[R_COLS];
            for (int k = 0; k < R_COLS; ++k) acc[k] = R_INIT;
            const index_t block_end = idx_min(end, r + (index_t)R_BLOCK);
            for (; r < block_end; ++r) {
                GLOBAL_MEM const T *line = base + r * rs;
                for (int k = 0; k < R_COLS; ++k)
                    acc[k] = R_COMBINE(acc[k], R_MAP(line[k], r, CEN(k), p_map));
            }
            for (int k = 0; k < R_COLS; ++k) total[k] = R_COMBINE(total[k], acc[k]);
        }
    } else {
        while (r < end) {
            R_ACC acc[R_COLS];
            for (int k = 0; k < R_COLS; ++k) acc[k] = R_INIT;
            const index_t block_end = idx_min(end, r + (index_t)R_BLOCK);
            for (; r < block_end; ++r) {
                GLOBAL_MEM const T *line = base + r * rs;
                for (int k = 0; k < lanes; ++k)
                    acc[k] = R_COMBINE(acc[k], R_MAP(line[k * xs2], r, CEN(k), p_map));
            }
            for (int k = 0; k < lanes; ++k) total[k] = R_COMBINE(total[k], acc[k]);
        }
    }
    for (int k = 0; k < lanes; ++k) {
        if (C == 1) {
            out[p0 + k] = R_FINAL(total[k], p_final);
        } else {
            part[(p0 + k) * C + c] = total[k];
        }
    }
}

/* Panels: the kept axis p2 is contiguous (xs2 == 1) and its P2 accumulators fit in a
   cache, so a work-item reads whole lines (R_BLOCK of them at a time, into ``block``)
   and keeps P2 partials of its chunk of R in part[w * P2 ..]: the access pattern of
   NumPy's own column sums.  reduce_merge combines the C panels (width P2). */
#if defined(R_OP_VAR)
#define PANEL_CEN(q) centre[p1 * P2 + (q)]
#else
#define PANEL_CEN(q) R_INIT
#endif
KERNEL void reduce_panel(GLOBAL_MEM R_ACC *RESTRICT part, GLOBAL_MEM R_ACC *RESTRICT block,
                         GLOBAL_MEM const T *RESTRICT x, const index_t x_off,
                         const index_t P2, const index_t xs1, const index_t R,
                         const index_t rs, const index_t chunk, const index_t C,
                         const index_t n_items, GLOBAL_MEM const R_ACC *centre,
                         const R_PARAM p_map)
{
    const index_t w = GLOBAL_ID_0;
    if (w >= n_items) return;
    const index_t p1 = w / C, c = w - p1 * C;
    GLOBAL_MEM R_ACC *RESTRICT tot = part + w * P2;
    GLOBAL_MEM R_ACC *RESTRICT blk = block + w * P2;
    GLOBAL_MEM const T *base = x + x_off + p1 * xs1;
    for (index_t q = 0; q < P2; ++q) tot[q] = R_INIT;
    index_t r = c * chunk;
    const index_t end = idx_min(r + chunk, R);
    while (r < end) {
        for (index_t q = 0; q < P2; ++q) blk[q] = R_INIT;
        const index_t block_end = idx_min(end, r + (index_t)R_BLOCK);
        for (; r < block_end; ++r) {
            GLOBAL_MEM const T *line = base + r * rs;
            for (index_t q = 0; q < P2; ++q)
                blk[q] = R_COMBINE(blk[q], R_MAP(line[q], r, PANEL_CEN(q), p_map));
        }
        for (index_t q = 0; q < P2; ++q) tot[q] = R_COMBINE(tot[q], blk[q]);
    }
}

/* Second pass: out[p] from its C partials, pairwise in groups of 16.  The partials of
   output p are part[base + c * W] with base = (p / W) * C * W + p % W: W = 1 for the
   (output, chunk) layout of reduce_rows/reduce_cols, W = P2 for reduce_panel's. */
KERNEL void reduce_merge(GLOBAL_MEM R_OUT *out, GLOBAL_MEM const R_ACC *part,
                         const index_t C, const index_t W, const index_t n_items,
                         const R_PARAM p_final)
{
    const index_t p = GLOBAL_ID_0;
    if (p >= n_items) return;
    GLOBAL_MEM const R_ACC *row = part + (p / W) * C * W + p % W;
    R_ACC acc[16];
    int n = 0;
    for (index_t c = 0; c < C; c += 16) {
        R_ACC s = row[c * W];
        const index_t stop = idx_min(C, c + 16);
        for (index_t j = c + 1; j < stop; ++j) s = R_COMBINE(s, row[j * W]);
        if (n < 16) {
            acc[n++] = s;
        } else {
            acc[15] = R_COMBINE(acc[15], s);
        }
    }
    R_ACC result = n > 0 ? acc[0] : R_INIT;
    for (int j = 1; j < n; ++j) result = R_COMBINE(result, acc[j]);
    out[p] = R_FINAL(result, p_final);
}

/* ------------------------------------------------- argmin/argmax along rows */
#if (defined(R_OP_MAX) || defined(R_OP_MIN) || defined(HAL_INSTANTIATE_ALL)) && \
    !defined(T_KIND_C)
/* The second pass of argmin/argmax along contiguous rows (the first is this
   program's max/min): the first position of each row's extreme, target[p] (a NaN
   target finds the first NaN).  Blocks of R_BLOCK * 8 elements are tested with a
   vectorisable any-match; the first block that matches is scanned for the position
   and the chunk stops there.  part[p * C + c] gets the chunk's first match (or
   INDEX_NONE), unless C == 1. */
#define INDEX_NONE ((index_t)(((hal_uint64)1 << 63) - 1))
#define FIND_BLOCK ((index_t)R_BLOCK * 8)
DEVICE_FN int find_matches(T v, R_OUT t)
{
#if defined(T_KIND_F)
    return (R_ACC)v == (R_ACC)t || (v != v && t != t);
#else
    return v == t;
#endif
}
KERNEL void find_rows(GLOBAL_MEM index_t *out, GLOBAL_MEM index_t *part,
                      GLOBAL_MEM const T *RESTRICT x, const index_t x_off,
                      const index_t P2, const index_t xs1, const index_t xs2,
                      const index_t R, const index_t chunk, const index_t C,
                      const index_t n_units, GLOBAL_MEM const R_OUT *target)
{
    const index_t u = GLOBAL_ID_0;
    if (u >= n_units) return;
    const index_t p = u / C, c = u - p * C;
    const index_t p1 = p / P2, p2 = p - p1 * P2;
    GLOBAL_MEM const T *row = x + x_off + p1 * xs1 + p2 * xs2;
    const R_OUT t = target[p];
    const index_t start = c * chunk, end = idx_min(start + chunk, R);
    index_t found = INDEX_NONE;
    for (index_t b = start; b < end && found == INDEX_NONE; b += FIND_BLOCK) {
        const index_t stop = idx_min(end, b + FIND_BLOCK);
        int any = 0;
        for (index_t i = b; i < stop; ++i) any |= find_matches(row[i], t);
        if (any) {
            for (index_t i = b; i < stop; ++i) {
                if (find_matches(row[i], t)) {
                    found = i;
                    break;
                }
            }
        }
    }
    if (C == 1) {
        out[p] = found;
    } else {
        part[u] = found;
    }
}

/* out[p] = the first of the chunks' matches part[p * C .. p * C + C) */
KERNEL void find_merge(GLOBAL_MEM index_t *out, GLOBAL_MEM const index_t *part,
                       const index_t C, const index_t n_items)
{
    const index_t p = GLOBAL_ID_0;
    if (p >= n_items) return;
    index_t found = INDEX_NONE;
    for (index_t c = 0; c < C && found == INDEX_NONE; ++c) found = part[p * C + c];
    out[p] = found;
}
#endif

/* ------------------------------------------------------------------ the scans */
#if defined(R_OP_SUM) || defined(R_OP_PROD) || defined(R_OP_ANY) || defined(R_OP_ALL)

/* Cumulative ops along contiguous rows, one work-item per (row p, chunk c): the carry
   into a chunk combines the totals of the chunks before it (part[p * C + j], written
   by reduce_rows of the same program, R_STEP == 1 units); out row p is [initial]
   then the running totals, out_len = R (+1 with the initial). */
KERNEL void scan_rows(GLOBAL_MEM R_OUT *out, GLOBAL_MEM const R_ACC *part,
                      GLOBAL_MEM const T *RESTRICT x, const index_t x_off,
                      const index_t P2, const index_t xs1, const index_t xs2,
                      const index_t R, const index_t chunk, const index_t C,
                      const index_t n_items, const index_t out_len, const int initial)
{
    const index_t w = GLOBAL_ID_0;
    if (w >= n_items) return;
    const index_t p = w / C, c = w - p * C;
    const index_t p1 = p / P2, p2 = p - p1 * P2;
    GLOBAL_MEM const T *row = x + x_off + p1 * xs1 + p2 * xs2;
    GLOBAL_MEM R_OUT *dst = out + p * out_len + initial;
    R_ACC carry = R_INIT;
    for (index_t j = 0; j < c; ++j) {
        for (index_t l = 0; l < R_STEP; ++l) carry = R_COMBINE(carry, part[(p * C + j) * R_STEP + l]);
    }
    if (initial && c == 0) out[p * out_len] = R_FINAL(carry, 0);
    const index_t end = idx_min(c * chunk + chunk, R);
    for (index_t i = c * chunk; i < end; ++i) {
        carry = R_COMBINE(carry, R_MAP(row[i], i, carry, 0));
        dst[i] = R_FINAL(carry, 0);
    }
}

/* Cumulative ops along a strided axis: R_COLS neighbouring lines (along p2) per
   work-item, the whole of R each; the output has the input's geometry with R (+1)
   along the scanned axis: strides os1, ors, and 1 along p2. */
KERNEL void scan_cols(GLOBAL_MEM R_OUT *out, GLOBAL_MEM const T *RESTRICT x,
                      const index_t x_off, const index_t P2, const index_t xs1,
                      const index_t xs2, const index_t R, const index_t rs,
                      const index_t n_items, const index_t os1, const index_t ors,
                      const int initial)
{
    const index_t w = GLOBAL_ID_0;
    if (w >= n_items) return;
    const index_t groups = (P2 + R_COLS - 1) / R_COLS;
    const index_t p1 = w / groups, q0 = (w - p1 * groups) * R_COLS;
    const int lanes = (int)idx_min((index_t)R_COLS, P2 - q0);
    GLOBAL_MEM const T *base = x + x_off + p1 * xs1 + q0 * xs2;
    GLOBAL_MEM R_OUT *dst = out + p1 * os1 + q0;
    R_ACC acc[R_COLS];
    for (int k = 0; k < R_COLS; ++k) acc[k] = R_INIT;
    if (initial) {
        for (int k = 0; k < lanes; ++k) dst[k] = R_FINAL(acc[k], 0);
        dst += ors;
    }
    for (index_t r = 0; r < R; ++r) {
        GLOBAL_MEM const T *line = base + r * rs;
        GLOBAL_MEM R_OUT *o = dst + r * ors;
        for (int k = 0; k < lanes; ++k) {
            acc[k] = R_COMBINE(acc[k], R_MAP(line[k * xs2], r, acc[k], 0));
            o[k] = R_FINAL(acc[k], 0);
        }
    }
}
#endif
