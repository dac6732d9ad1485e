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
