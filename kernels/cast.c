/* Conversions and copies: astype, copies of views, __setitem__ of arrays.
 * Templates, instantiated per (source dtype T, destination dtype):
 *
 *   cast_<dst>            out[i] = convert<dst>(a[a_off + i])          contiguous
 *   assign_strided_<dst>  out[out_off + dst strides] = convert(a[src strides])
 *                         (meta: shape, destination strides, source strides)
 *   assign_rows<SA>_<dst> the same for views folded into rows (strided.h)
 *
 * ``ndim`` is a run-time argument; strides are in elements.  Destinations that
 * need fp64/fp16 exist only where the prelude enables them (HAL_FP64, HAL_FP16).
 */

#if defined(T_KIND_C)
/* (macro parameters are named v: a parameter named x would also replace .x) */
#define RE_OF(v) ((v).x)
#define IM_OF(v) ((v).y)
#define NONZERO(v) ((v).x != 0 || (v).y != 0)
#else
#define RE_OF(v) (v)
#define IM_OF(v) 0
#define NONZERO(v) ((v) != 0)
#endif

#define conv_real(DST, v) ((DST)RE_OF(v))

/* Floating to integer: saturating, as OpenCL's convert_<type>_sat and hal's table
 * (README, "Behaviour the standard leaves to the implementation"): NaN gives 0,
 * values at or beyond 2^(bits-1) (2^bits unsigned) and infinities the nearest bound,
 * the rest truncate toward zero.  A plain C cast of those is undefined and differs
 * between devices.  LIM is 2^(bits-1) (2^bits unsigned) as a float literal: a power
 * of two, exact in every floating type (in half it rounds to infinity, which is above
 * every finite half).  Integer and bool sources keep C's conversion (modular). */
#if defined(T_KIND_F) || defined(T_KIND_C)
#if defined(T_KIND_C)
#define SAT_T T_REAL
#else
#define SAT_T T
#endif
#define conv_sat_signed(DST, v, LIM, MAX, MIN) \
    ((SAT_T)RE_OF(v) >= (SAT_T)(LIM) ? (DST)(MAX) : \
     (SAT_T)RE_OF(v) >= -(SAT_T)(LIM) ? (DST)RE_OF(v) : \
     (SAT_T)RE_OF(v) != (SAT_T)RE_OF(v) ? (DST)0 : (DST)(MIN))
#define conv_sat_unsigned(DST, v, LIM, MAX) \
    ((SAT_T)RE_OF(v) >= (SAT_T)(LIM) ? (DST)(MAX) : \
     (SAT_T)RE_OF(v) > (SAT_T)(-1.0f) ? (DST)RE_OF(v) : (DST)0)
#else
#define conv_sat_signed(DST, v, LIM, MAX, MIN) ((DST)(v))
#define conv_sat_unsigned(DST, v, LIM, MAX) ((DST)(v))
#endif
#define conv_int8(DST, v) conv_sat_signed(DST, v, 128.0f, 127, -128)
#define conv_int16(DST, v) conv_sat_signed(DST, v, 32768.0f, 32767, -32768)
#define conv_int32(DST, v) conv_sat_signed(DST, v, 2147483648.0f, 2147483647, \
                                           (-2147483647 - 1))
#define conv_int64(DST, v) conv_sat_signed(DST, v, 9223372036854775808.0f, \
                                           0x7fffffffffffffff, (-0x7fffffffffffffff - 1))
#define conv_uint8(DST, v) conv_sat_unsigned(DST, v, 256.0f, 0xff)
#define conv_uint16(DST, v) conv_sat_unsigned(DST, v, 65536.0f, 0xffff)
#define conv_uint32(DST, v) conv_sat_unsigned(DST, v, 4294967296.0f, 0xffffffff)
#define conv_uint64(DST, v) conv_sat_unsigned(DST, v, 18446744073709551616.0f, \
                                              0xffffffffffffffff)
#define conv_bool(DST, v) ((DST)(NONZERO(v) ? 1 : 0))
#define conv_c64(DST, v) MAKE_COMPLEX64((float)RE_OF(v), (float)IM_OF(v))
#define conv_c128(DST, v) MAKE_COMPLEX128((double)RE_OF(v), (double)IM_OF(v))

#ifdef HAL_FP64
#define HAL_FP64_DSTS(X) X(float64, hal_float64, conv_real) X(complex128, hal_complex128, conv_c128)
#else
#define HAL_FP64_DSTS(X)
#endif
#ifdef HAL_FP16
#define HAL_FP16_DSTS(X) X(float16, hal_float16, conv_real)
#else
#define HAL_FP16_DSTS(X)
#endif
#define HAL_DESTINATIONS(X) X(bool, hal_bool, conv_bool) X(int8, hal_int8, conv_int8) \
    X(int16, hal_int16, conv_int16) X(int32, hal_int32, conv_int32) \
    X(int64, hal_int64, conv_int64) X(uint8, hal_uint8, conv_uint8) \
    X(uint16, hal_uint16, conv_uint16) X(uint32, hal_uint32, conv_uint32) \
    X(uint64, hal_uint64, conv_uint64) X(float32, hal_float32, conv_real) \
    X(complex64, hal_complex64, conv_c64) HAL_FP64_DSTS(X) HAL_FP16_DSTS(X)

#include "strided.h"

#define HAL_DEFINE_CAST(dst, DST, CONV) \
KERNEL void cast_##dst(GLOBAL_MEM DST *RESTRICT out, GLOBAL_MEM const T *RESTRICT a, \
                       const index_t a_off, const index_t n) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i < n) out[i] = CONV(DST, a[a_off + i]); \
} \
KERNEL void assign_strided_##dst(GLOBAL_MEM DST *out, const index_t out_off, \
                                 GLOBAL_MEM const T *a, const index_t a_off, \
                                 const index_t n, const int ndim, \
                                 GLOBAL_MEM const index_t *meta) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i < n) out[out_off + strided_offset(i, ndim, meta, meta + ndim)] = \
        CONV(DST, a[a_off + strided_offset(i, ndim, meta, meta + 2 * ndim)]); \
} \
HAL_DEFINE_ASSIGN_ROWS(dst, DST, CONV, 1) \
HAL_DEFINE_ASSIGN_ROWS(dst, DST, CONV, 0)

/* assign_rows<SA>_<dst>: assign_strided for views folded into rows (strided.h), the
 * destination's step along a row 1, the source's SA (1 or 0: broadcast along rows) */
#ifdef HAL_ROWS
#define HAL_DEFINE_ASSIGN_ROWS(dst, DST, CONV, SA) \
KERNEL void assign_rows##SA##_##dst(GLOBAL_MEM DST *out, const index_t out_off, \
                                    GLOBAL_MEM const T *a, const index_t a_off, \
                                    const index_t inner, const index_t n1, \
                                    const index_t out0, const index_t out1, \
                                    const index_t a0, const index_t a1) \
{ \
    ROWS_INDEX \
    (void)i; \
    out[ROWS_AT(out_off, out0, out1, 1)] = CONV(DST, a[ROWS_AT(a_off, a0, a1, SA)]); \
}
#else
#define HAL_DEFINE_ASSIGN_ROWS(dst, DST, CONV, SA)
#endif

/* A plugin appends one instantiation per (source, destination), e.g.
   ``HAL_DEFINE_CAST(float64, hal_float64, conv_real)``. */
#ifdef HAL_INSTANTIATE_ALL
HAL_DESTINATIONS(HAL_DEFINE_CAST)
#endif
