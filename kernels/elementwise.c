/* hal elementwise kernels: one work-item per output element.
 *
 * Template defines (see elementwise_ops.h): T, TO, OP, and
 *   A_SCALAR / B_SCALAR  the operand is a kernel scalar argument, not a buffer
 *   ARITY                1 (the unary kernels) or 2 (the binary ones)
 *   NDIM                 for the *_strided kernels: the number of dimensions; the
 *                        ``meta`` buffer holds shape[NDIM] then each operand's
 *                        strides[NDIM] (in elements; 0 where broadcast)
 * Outputs are always new contiguous arrays; inputs carry an element offset so
 * views (slices, transposes, broadcasts) are read in place.
 */
#include "elementwise_ops.h"

#ifdef A_SCALAR
#define A_PARAMS const T a_val
#define A_LOAD(i) a_val
#else
#define A_PARAMS GLOBAL_MEM const T *RESTRICT a, const index_t a_off
#define A_LOAD(i) a[a_off + (i)]
#endif
#ifdef B_SCALAR
#define B_PARAMS const T b_val
#define B_LOAD(i) b_val
#else
#define B_PARAMS GLOBAL_MEM const T *RESTRICT b, const index_t b_off
#define B_LOAD(i) b[b_off + (i)]
#endif

/* element i of the output (C order) -> offset of one operand, given its strides */
#ifdef NDIM
DEVICE_FN index_t strided_offset(index_t i, GLOBAL_MEM const index_t *shape,
                                 GLOBAL_MEM const index_t *strides)
{
    index_t off = 0;
    for (int d = NDIM - 1; d >= 0; --d) {
        index_t extent = shape[d];
        off += (i % extent) * strides[d];
        i /= extent;
    }
    return off;
}
#endif

#if ARITY == 1
KERNEL void unary(GLOBAL_MEM TO *RESTRICT out, A_PARAMS, const index_t n)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) {
        out[i] = OP1(A_LOAD(i));
    }
}

#else
KERNEL void binary(GLOBAL_MEM TO *RESTRICT out, A_PARAMS, B_PARAMS, const index_t n)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) {
        out[i] = OP2(A_LOAD(i), B_LOAD(i));
    }
}

#endif

#if defined(NDIM) && ARITY == 1
KERNEL void unary_strided(GLOBAL_MEM TO *RESTRICT out, A_PARAMS, const index_t n,
                          GLOBAL_MEM const index_t *meta)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) {
        out[i] = OP1(A_LOAD(strided_offset(i, meta, meta + NDIM)));
    }
}

#elif defined(NDIM)
KERNEL void binary_strided(GLOBAL_MEM TO *RESTRICT out, A_PARAMS, B_PARAMS,
                           const index_t n, GLOBAL_MEM const index_t *meta)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) {
        out[i] = OP2(A_LOAD(strided_offset(i, meta, meta + NDIM)),
                     B_LOAD(strided_offset(i, meta, meta + 2 * NDIM)));
    }
}
#endif
