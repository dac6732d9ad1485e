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
#endif
