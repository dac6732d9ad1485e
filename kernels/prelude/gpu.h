/* hal portable kernel dialect: what CUDA and HIP share (included by prelude/cuda.h and
 * prelude/hip.h after their runtime headers; hal._kernels inlines it).
 *
 * HIP accepts CUDA's spellings (__global__, blockIdx, __syncthreads, __half ...), so
 * one text serves both; the two preludes differ only in the headers they include.
 */
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
#define HAL_INFINITY __int_as_float(0x7f800000)
/* NVRTC has no <math.h>: the C macros the kernels use (hipcc's headers have them) */
#ifndef INFINITY
#define INFINITY __int_as_float(0x7f800000)
#endif
#ifndef NAN
#define NAN __int_as_float(0x7fc00000)
#endif

/* 2-D launches and 8-lane vectors (CPU register blocking in matmul.c; on a GPU the
   lanes are plain registers).  Same names as prelude/opencl.h. */
#define GLOBAL_ID_1 ((index_t)blockIdx.y * blockDim.y + threadIdx.y)
template <typename S> struct hal_v8 { S s[8]; };
template <typename S> __device__ inline hal_v8<S> hal_v8_splat(S v) {
    hal_v8<S> r; for (int l = 0; l < 8; ++l) r.s[l] = v; return r; }
template <typename S> __device__ inline hal_v8<S> hal_v8_load(const S *p) {
    hal_v8<S> r; for (int l = 0; l < 8; ++l) r.s[l] = p[l]; return r; }
template <typename S> __device__ inline void hal_v8_store(hal_v8<S> v, S *p) {
    for (int l = 0; l < 8; ++l) p[l] = v.s[l]; }
template <typename S> __device__ inline hal_v8<S> operator+(hal_v8<S> a, hal_v8<S> b) {
    for (int l = 0; l < 8; ++l) a.s[l] += b.s[l]; return a; }
template <typename S> __device__ inline hal_v8<S> &operator+=(hal_v8<S> &a, hal_v8<S> b) {
    for (int l = 0; l < 8; ++l) a.s[l] += b.s[l]; return a; }
template <typename S> __device__ inline hal_v8<S> operator*(S a, hal_v8<S> b) {
    for (int l = 0; l < 8; ++l) b.s[l] *= a; return b; }
template <typename S> __device__ inline hal_v8<S> operator*(hal_v8<S> a, hal_v8<S> b) {
    for (int l = 0; l < 8; ++l) a.s[l] *= b.s[l]; return a; }
#define HAL_V8(S) hal_v8<S>
#define HAL_V8_SPLAT(S, v) hal_v8_splat<S>((S)(v))
#define HAL_V8_LOAD(S, p) hal_v8_load<S>(p)
#define HAL_V8_STORE(S, v, p) hal_v8_store<S>((v), (p))
template <typename S> __device__ inline hal_v8<S> hal_v8_max(hal_v8<S> a, hal_v8<S> b) {
    for (int l = 0; l < 8; ++l) a.s[l] = b.s[l] > a.s[l] ? b.s[l] : a.s[l]; return a; }
template <typename S> __device__ inline hal_v8<S> hal_v8_min(hal_v8<S> a, hal_v8<S> b) {
    for (int l = 0; l < 8; ++l) a.s[l] = b.s[l] < a.s[l] ? b.s[l] : a.s[l]; return a; }
#define HAL_V8_MAX(S, a, b) hal_v8_max<S>((a), (b))
#define HAL_V8_MIN(S, a, b) hal_v8_min<S>((a), (b))

/* 3-D launches and serial kernels (see prelude/opencl.h) */
#define GLOBAL_ID_2 ((index_t)blockIdx.z * blockDim.z + threadIdx.z)
#define KERNEL_SERIAL extern "C" __global__
#define hal_bits_float32(x) __float_as_uint(x)
#define hal_bits_float64(x) ((hal_uint64)__double_as_longlong(x))

/* float16: storage is __half; arithmetic, comparisons and math run in float, as in
   CuPy's float16 and as OpenCL's half behaves.  __half's own operator overloads
   (cuda_fp16.h, hip_fp16.h) make mixed expressions such as ``a != 0`` or
   ``isnan(a)`` ambiguous, so kernels never see a bare __half. */
#ifdef HAL_FP16
struct hal_float16 {
    __half h;
    hal_float16() = default;
    __device__ hal_float16(float v) : h(__float2half(v)) {}
    __device__ hal_float16(double v) : h(HAL_HALF_FROM_DOUBLE(v)) {}
    template <typename S> __device__ hal_float16(S v) : h(__float2half((float)v)) {}
    __device__ operator float() const { return __half2float(h); }
    __device__ hal_float16 &operator+=(float v) { return *this = float(*this) + v; }
    __device__ hal_float16 &operator-=(float v) { return *this = float(*this) - v; }
    __device__ hal_float16 &operator*=(float v) { return *this = float(*this) * v; }
    __device__ hal_float16 &operator/=(float v) { return *this = float(*this) / v; }
};
__device__ inline hal_uint16 hal_bits_float16(hal_float16 x) { return __half_as_ushort(x.h); }
#endif
