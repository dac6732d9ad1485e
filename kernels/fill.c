/* Fills: full/zeros/ones, __setitem__ of a scalar, arange/linspace.  One program
 * per dtype T:
 *
 *   fill, fill_strided    out[...] = value (of type T)
 *   fill_rows             fill_strided for a view folded into rows (strided.h)
 *   ramp                  out[i] = start + i * step (integers and real floats)
 */

#include "strided.h"

KERNEL void fill(GLOBAL_MEM T *RESTRICT out, const T value, const index_t n)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) out[i] = value;
}

KERNEL void fill_strided(GLOBAL_MEM T *out, const index_t out_off, const T value,
                         const index_t n, const int ndim, GLOBAL_MEM const index_t *meta)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) out[out_off + strided_offset(i, ndim, meta, meta + ndim)] = value;
}

#ifdef HAL_ROWS
KERNEL void fill_rows(GLOBAL_MEM T *out, const index_t out_off, const T value,
                      const index_t inner, const index_t n1, const index_t out0,
                      const index_t out1)
{
    ROWS_INDEX
    (void)i;
    out[ROWS_AT(out_off, out0, out1, 1)] = value;
}
#endif

#if defined(T_KIND_I) || defined(T_KIND_U)
#define ACC long
#elif defined(T_KIND_F) && defined(HAL_FP64)
#define ACC double
#elif defined(T_KIND_F)
#define ACC float
#endif
#ifdef ACC
KERNEL void ramp(GLOBAL_MEM T *RESTRICT out, const ACC start, const ACC step,
                 const index_t n)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) out[i] = (T)(start + (ACC)i * step);
}
#endif
