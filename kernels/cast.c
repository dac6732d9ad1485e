/* Conversions, copies and fills: astype, making views contiguous, __setitem__,
 * full/zeros/ones, arange.
 *
 * Template defines: T (source; absent for fills), TO (destination) with their
 * *_KIND_* and *_REAL defines, ACC (ramp's accumulator type), and NDIM for the *_strided kernels (meta = shape[NDIM], destination
 * strides[NDIM], source strides[NDIM]).
 */

#if defined(TO_KIND_B)
#if defined(T_KIND_C)
#define CONVERT(x) ((TO)((x).x != 0 || (x).y != 0))
#else
#define CONVERT(x) ((TO)((x) != 0))
#endif
#elif defined(TO_KIND_C)
DEVICE_FN TO to_complex_(TO_REAL re, TO_REAL im) { TO z; z.x = re; z.y = im; return z; }
#if defined(T_KIND_C)
#define CONVERT(x) to_complex_((TO_REAL)(x).x, (TO_REAL)(x).y)
#else
#define CONVERT(x) to_complex_((TO_REAL)(x), (TO_REAL)0)
#endif
#else
#define CONVERT(x) ((TO)(x))
#endif

#ifdef NDIM
DEVICE_FN index_t strided_offset(index_t i, GLOBAL_MEM const index_t *shape,
                                 GLOBAL_MEM const index_t *strides)
{
    index_t off = 0;
    for (int d = NDIM - 1; d >= 0; --d) {
        index_t extent = shape[d];
        off += (i % extent) * strides[d];
        i /= extent;
    }
    return off;
}
#endif

#ifdef T
KERNEL void cast(GLOBAL_MEM TO *RESTRICT out, GLOBAL_MEM const T *RESTRICT a,
                 const index_t a_off, const index_t n)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) {
        out[i] = CONVERT(a[a_off + i]);
    }
}

#endif

KERNEL void fill(GLOBAL_MEM TO *RESTRICT out, const TO value, const index_t n)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) {
        out[i] = value;
    }
}

#if defined(ACC)
/* arange and linspace: start + i * step, computed in the accumulator type ACC */
KERNEL void ramp(GLOBAL_MEM TO *RESTRICT out, const ACC start, const ACC step,
                 const index_t n)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) {
        out[i] = (TO)(start + (ACC)i * step);
    }
}
#endif

#if defined(NDIM) && defined(T)
/* out[dst strides] = convert(a[src strides]): copies of views, __setitem__ */
KERNEL void assign_strided(GLOBAL_MEM TO *out, const index_t out_off,
                           GLOBAL_MEM const T *a, const index_t a_off, const index_t n,
                           GLOBAL_MEM const index_t *meta)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) {
        out[out_off + strided_offset(i, meta, meta + NDIM)] =
            CONVERT(a[a_off + strided_offset(i, meta, meta + 2 * NDIM)]);
    }
}

#endif

#ifdef NDIM
KERNEL void fill_strided(GLOBAL_MEM TO *out, const index_t out_off, const TO value,
                         const index_t n, GLOBAL_MEM const index_t *meta)
{
    index_t i = GLOBAL_ID_0;
    if (i < n) {
        out[out_off + strided_offset(i, meta, meta + NDIM)] = value;
    }
}
#endif
