/* hal portable kernel dialect: CUDA C++ prelude (NVRTC / CuPy RawModule).
 * The dialect itself is prelude/gpu.h, shared with HIP; includes are resolved from
 * kernels/ and inlined by hal._kernels. */
#ifdef HAL_FP16
#include <cuda_fp16.h>
#define HAL_HALF_FROM_DOUBLE(v) __double2half(v)
#endif
#include "prelude/gpu.h"
