/* Element i of a C-order traversal of ``shape`` -> the offset (in elements) of the
 * same element in an array with ``strides`` (0 along broadcast dimensions).
 * Shared by every kernel file that reads or writes strided views. */
#ifndef HAL_STRIDED_H
#define HAL_STRIDED_H
DEVICE_FN index_t strided_offset(index_t i, const int ndim,
                                 GLOBAL_MEM const index_t *shape,
                                 GLOBAL_MEM const index_t *strides)
{
    index_t off = 0;
    for (int d = ndim - 1; d >= 0; --d) {
        index_t extent = shape[d];
        off += (i % extent) * strides[d];
        i /= extent;
    }
    return off;
}

/* Row launches: an output folded (by hal, on the host) into at most three dimensions
 * (n0, n1, inner) runs as an (inner, n1, n0) launch.  Each operand's step along the
 * last axis is 1 or 0, fixed when the kernel is compiled, so CPU compilers vectorise
 * its loads; strided_offset's run-time divisions and strides make them gathers, 5 to
 * 50x slower on a CPU device.  ROWS_INDEX defines j, r1, r0 and i (the element's
 * C-order position in the output) and returns from work-items past the row's end. */
/* Row kernels exist where the prelude has launches of three dimensions (GLOBAL_ID_1
 * and GLOBAL_ID_2: OpenCL, CUDA, HIP); a target whose prelude defines only
 * GLOBAL_ID_0 (the plugin guide's plain C target) builds these files without them
 * (HAL_ROWS undefined), and hal uses the strided kernels there. */
#if defined(GLOBAL_ID_1) && defined(GLOBAL_ID_2)
#define HAL_ROWS 1
#define ROWS_INDEX \
    const index_t j = GLOBAL_ID_0, r1 = GLOBAL_ID_1, r0 = GLOBAL_ID_2; \
    if (j >= inner) return; \
    const index_t i = (r0 * n1 + r1) * inner + j;
#define ROWS_AT(off, s0, s1, STEP) ((off) + r0 * (s0) + r1 * (s1) + j * (STEP))
#endif
#endif
