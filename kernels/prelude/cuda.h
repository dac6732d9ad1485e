/* hal portable kernel dialect: CUDA C++ prelude (NVRTC / CuPy RawModule). */
#define KERNEL extern "C" __global__
#define GLOBAL_MEM
#define LOCAL_MEM __shared__
#define CONSTANT_MEM __constant__
#define DEVICE_FN __device__ inline
#define RESTRICT __restrict__
#define GLOBAL_ID_0 ((index_t)blockIdx.x * blockDim.x + threadIdx.x)
#define GLOBAL_SIZE_0 ((index_t)gridDim.x * blockDim.x)
#define LOCAL_ID_0 ((index_t)threadIdx.x)
#define LOCAL_SIZE_0 ((index_t)blockDim.x)
#define GROUP_ID_0 ((index_t)blockIdx.x)
#define GROUP_ID_1 ((index_t)blockIdx.y)
#define LOCAL_ID_1 ((index_t)threadIdx.y)
#define NUM_GROUPS_0 ((index_t)gridDim.x)
#define LOCAL_BARRIER __syncthreads()

#ifdef HAL_FP16
#include <cuda_fp16.h>
typedef __half hal_float16;
#endif

typedef long long index_t;
typedef unsigned char hal_bool;
typedef signed char hal_int8;
typedef short hal_int16;
typedef int hal_int32;
typedef long long hal_int64;
typedef unsigned char hal_uint8;
typedef unsigned short hal_uint16;
typedef unsigned int hal_uint32;
typedef unsigned long long hal_uint64;
typedef float hal_float32;
typedef double hal_float64;
typedef float2 hal_complex64;
typedef double2 hal_complex128;

#define MAKE_COMPLEX64(re, im) make_float2((re), (im))
#define MAKE_COMPLEX128(re, im) make_double2((re), (im))

#define hal_isnan(x) isnan(x)
#define hal_isinf(x) isinf(x)
#define hal_isfinite(x) isfinite(x)
#define hal_signbit(x) signbit(x)
#define hal_copysign(x, y) copysign(x, y)
#define hal_nextafter(x, y) nextafter(x, y)
