/* hal portable kernel dialect: OpenCL C prelude.
 *
 * Kernels are written once against these macros and types; prelude/cuda.h and
 * prelude/hip.h give the same names for CUDA and HIP.
 */
#define KERNEL __kernel
#define GLOBAL_MEM __global
#define LOCAL_MEM __local
#define CONSTANT_MEM __constant
#define DEVICE_FN inline
#define RESTRICT restrict
#define GLOBAL_ID_0 ((index_t)get_global_id(0))
#define GLOBAL_SIZE_0 ((index_t)get_global_size(0))
#define LOCAL_ID_0 ((index_t)get_local_id(0))
#define LOCAL_SIZE_0 ((index_t)get_local_size(0))
#define GROUP_ID_0 ((index_t)get_group_id(0))
#define GROUP_ID_1 ((index_t)get_group_id(1))
#define LOCAL_ID_1 ((index_t)get_local_id(1))
#define NUM_GROUPS_0 ((index_t)get_num_groups(0))
#define LOCAL_BARRIER barrier(CLK_LOCAL_MEM_FENCE)

#ifdef HAL_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif
#ifdef HAL_FP16
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
#endif

typedef long index_t;
typedef uchar hal_bool;
typedef char hal_int8;
typedef short hal_int16;
typedef int hal_int32;
typedef long hal_int64;
typedef uchar hal_uint8;
typedef ushort hal_uint16;
typedef uint hal_uint32;
typedef ulong hal_uint64;
typedef float hal_float32;
#ifdef HAL_FP64
typedef double hal_float64;
typedef double2 hal_complex128;
#endif
#ifdef HAL_FP16
typedef half hal_float16;
#endif
typedef float2 hal_complex64;

#define MAKE_COMPLEX64(re, im) ((float2)((re), (im)))
#define MAKE_COMPLEX128(re, im) ((double2)((re), (im)))

/* math spellings shared by every target */
#define hal_isnan(x) isnan(x)
#define hal_isinf(x) isinf(x)
#define hal_isfinite(x) isfinite(x)
#define hal_signbit(x) signbit(x)
#define hal_copysign(x, y) copysign(x, y)
#define hal_nextafter(x, y) nextafter(x, y)
#define HAL_INFINITY INFINITY

/* 2-D launches and 8-lane vectors (CPU register blocking in matmul.c).
   HAL_V8(S) is 8 lanes of the float type S; vectors add and multiply lane by lane, a
   scalar times a vector broadcasts; HAL_V8_LOAD/STORE move 8 consecutive elements of S. */
#define GLOBAL_ID_1 ((index_t)get_global_id(1))
typedef float8 hal_float32_v8;
#ifdef HAL_FP64
typedef double8 hal_float64_v8;
#endif
#ifdef HAL_FP16
typedef half8 hal_float16_v8;
#endif
#define HAL_V8(S) HAL_V8_NAME(S)
#define HAL_V8_NAME(S) S##_v8
#define HAL_V8_SPLAT(S, v) ((HAL_V8(S))(v))
/* element by element (any address space and alignment): compilers merge these into
   one vector access, where vload8/vstore8 are out-of-line calls on some drivers */
#define HAL_V8_LOAD(S, p) ((HAL_V8(S))((p)[0], (p)[1], (p)[2], (p)[3], \
                                        (p)[4], (p)[5], (p)[6], (p)[7]))
#define HAL_V8_STORE(S, v, p) do { HAL_V8(S) hal_v8_ = (v); \
    (p)[0] = hal_v8_.s0; (p)[1] = hal_v8_.s1; (p)[2] = hal_v8_.s2; (p)[3] = hal_v8_.s3; \
    (p)[4] = hal_v8_.s4; (p)[5] = hal_v8_.s5; (p)[6] = hal_v8_.s6; (p)[7] = hal_v8_.s7; \
} while (0)
/* lane by lane b > a ? b : a (and <): a NaN in b leaves a (reductions in reduce.c) */
#define HAL_V8_MAX(S, a, b) ((b) > (a) ? (b) : (a))
#define HAL_V8_MIN(S, a, b) ((b) < (a) ? (b) : (a))

/* 3-D launches (gather.c tiles) and serial kernels: KERNEL_SERIAL marks a kernel whose
   work-item walks a long range sequentially (merges, scans); it runs one work-item
   per work-group, so CPU runtimes do not vectorize it across work-items. */
#define GLOBAL_ID_2 ((index_t)get_global_id(2))
#define KERNEL_SERIAL __kernel __attribute__((reqd_work_group_size(1, 1, 1)))
/* the bits of a float as the unsigned integer of its size (radix sort keys) */
#define hal_bits_float32(x) as_uint(x)
#define hal_bits_float64(x) as_ulong(x)
#define hal_bits_float16(x) as_ushort(x)
