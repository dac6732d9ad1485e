/* hal portable kernel dialect: HIP prelude (hipcc / CuPy on ROCm).
 * HIP takes CUDA's spellings, so the dialect is prelude/gpu.h, shared with CUDA;
 * includes are resolved from kernels/ and inlined by hal._kernels. */
#include <hip/hip_runtime.h>
#ifdef HAL_FP16
#include <hip/hip_fp16.h>
/* (ROCm 5.2 has no __double2half; clang rounds double to _Float16 once) */
#define HAL_HALF_FROM_DOUBLE(v) __half((_Float16)(v))
#endif
#include "prelude/gpu.h"
