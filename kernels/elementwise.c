/* hal elementwise kernels: one work-item per output element.
 *
 * Templates, instantiated per (op, loop dtype T): a program holds one op's kernels,
 * so a first use compiles only what it needs.  The op lists at the end of
 * elementwise_ops.h say which ops each dtype kind has.  Per op:
 *
 *   unary_<op>             out[i] = op(a[a_off + i])                 contiguous a
 *   unary_strided_<op>     a read through its strides (meta: shape, a strides)
 *   binary_<op>            both operands contiguous, same shape
 *   binary_as_<op>         a is a kernel scalar argument, b contiguous
 *   binary_bs_<op>         b is a kernel scalar argument, a contiguous
 *   binary_strided_<op>    broadcasting: meta = shape, a strides, b strides
 *   unary_rows_<op>        a view folded into rows (strided.h's ROWS_INDEX), a's
 *                          step along a row 1
 *   binary_rows<SA><SB>_<op>  the same for two operands, steps 1 or 0 (11, 10, 01)
 *
 * Outputs are new contiguous arrays; inputs carry an element offset so views are
 * read in place.  ``ndim`` is a run-time argument (strides in elements, 0 where an
 * operand is broadcast).
 */
#include "elementwise_ops.h"

#if !defined(T_KIND_C)
#ifndef T_REAL
#define T_REAL T
#endif
#endif

#include "strided.h"

#define HAL_DEFINE_UNARY(name, OUT) \
KERNEL void unary_##name(GLOBAL_MEM OUT *RESTRICT out, GLOBAL_MEM const T *RESTRICT a, \
                         const index_t a_off, const index_t n) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i < n) out[i] = op_##name(a[a_off + i]); \
} \
KERNEL void unary_strided_##name(GLOBAL_MEM OUT *RESTRICT out, \
                                 GLOBAL_MEM const T *RESTRICT a, const index_t a_off, \
                                 const index_t n, const int ndim, \
                                 GLOBAL_MEM const index_t *meta) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i < n) out[i] = op_##name(a[a_off + strided_offset(i, ndim, meta, meta + ndim)]); \
} \
HAL_DEFINE_UNARY_ROWS(name, OUT)

#ifdef HAL_ROWS
#define HAL_DEFINE_UNARY_ROWS(name, OUT) \
KERNEL void unary_rows_##name(GLOBAL_MEM OUT *RESTRICT out, GLOBAL_MEM const T *RESTRICT a, \
                              const index_t a_off, const index_t inner, const index_t n1, \
                              const index_t a0, const index_t a1) \
{ \
    ROWS_INDEX \
    out[i] = op_##name(a[ROWS_AT(a_off, a0, a1, 1)]); \
}
#else
#define HAL_DEFINE_UNARY_ROWS(name, OUT)
#endif

#define HAL_DEFINE_BINARY(name, OUT) \
KERNEL void binary_##name(GLOBAL_MEM OUT *RESTRICT out, GLOBAL_MEM const T *RESTRICT a, \
                          const index_t a_off, GLOBAL_MEM const T *RESTRICT b, \
                          const index_t b_off, const index_t n) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i < n) out[i] = op_##name(a[a_off + i], b[b_off + i]); \
} \
KERNEL void binary_as_##name(GLOBAL_MEM OUT *RESTRICT out, const T a, \
                             GLOBAL_MEM const T *RESTRICT b, const index_t b_off, \
                             const index_t n) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i < n) out[i] = op_##name(a, b[b_off + i]); \
} \
KERNEL void binary_bs_##name(GLOBAL_MEM OUT *RESTRICT out, GLOBAL_MEM const T *RESTRICT a, \
                             const index_t a_off, const T b, const index_t n) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i < n) out[i] = op_##name(a[a_off + i], b); \
} \
KERNEL void binary_strided_##name(GLOBAL_MEM OUT *RESTRICT out, \
                                  GLOBAL_MEM const T *RESTRICT a, const index_t a_off, \
                                  GLOBAL_MEM const T *RESTRICT b, const index_t b_off, \
                                  const index_t n, const int ndim, \
                                  GLOBAL_MEM const index_t *meta) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i < n) out[i] = op_##name(a[a_off + strided_offset(i, ndim, meta, meta + ndim)], \
                                  b[b_off + strided_offset(i, ndim, meta, meta + 2 * ndim)]); \
} \
HAL_DEFINE_BINARY_ROWS(name, OUT, 1, 1) \
HAL_DEFINE_BINARY_ROWS(name, OUT, 1, 0) \
HAL_DEFINE_BINARY_ROWS(name, OUT, 0, 1)

#ifdef HAL_ROWS
#define HAL_DEFINE_BINARY_ROWS(name, OUT, SA, SB) \
KERNEL void binary_rows##SA##SB##_##name(GLOBAL_MEM OUT *RESTRICT out, \
                                         GLOBAL_MEM const T *RESTRICT a, const index_t a_off, \
                                         GLOBAL_MEM const T *RESTRICT b, const index_t b_off, \
                                         const index_t inner, const index_t n1, \
                                         const index_t a0, const index_t a1, \
                                         const index_t b0, const index_t b1) \
{ \
    ROWS_INDEX \
    out[i] = op_##name(a[ROWS_AT(a_off, a0, a1, SA)], b[ROWS_AT(b_off, b0, b1, SB)]); \
}
#else
#define HAL_DEFINE_BINARY_ROWS(name, OUT, SA, SB)
#endif

/* A plugin compiles one op at a time, appending its instantiation, e.g.
   ``HAL_DEFINE_UNARY(exp, T)``; ``hal kernels check`` instantiates every op. */
#ifdef HAL_INSTANTIATE_ALL
HAL_UNARY_OPS(HAL_DEFINE_UNARY)
HAL_BINARY_OPS(HAL_DEFINE_BINARY)
#endif
