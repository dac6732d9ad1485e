/* hal matrix products: matmul, vecdot, outer (and through them tensordot), cross.
 *
 * One program per (loop dtype T, section); a section is chosen with a define so a first
 * use compiles only what it needs (HAL_INSTANTIATE_ALL compiles every section):
 *
 *   HAL_MATMUL_DIRECT   matmul_direct, vecdot_direct (dot_v8 for real floats contiguous
 *                       along K, with VT defined): one work-item per output element,
 *                       operands read through their strides; batch broadcasting through
 *                       meta = batch shape, a batch strides, b batch strides.  Every
 *                       numeric dtype; small products, integers, complex numbers.
 *   HAL_MATMUL_V8       matmul_pack_a, matmul_pack_b, matmul_v8 (+ matmul_combine for
 *                       complex T): large floating products.  The operands are packed
 *                       into panels (A: MR rows, B: NR = 8 * NV columns, zero-padded,
 *                       contiguous along K) and each work-item computes MR x NR tiles
 *                       of C in registers, 8-lane vectors (HAL_V8) accumulating a K
 *                       block at a time.  A complex product runs as one real product
 *                       [re A; im A] [re B, im B] whose four blocks combine into C.
 *                       matmul_rows: skinny real products (a few rows or columns).
 *   HAL_MATMUL_CROSS    cross3: the 3-vector cross product along one axis.
 *
 * Defines besides the template ones (T, T_KIND_*, TU, T_REAL):
 *   ACC     the accumulator type: T; float for float16; the unsigned type of at least
 *           32 bits for integers (wrap-around, as NumPy gives)
 *   VT      the element type of the packed panels and of C in the V8 section (float
 *           or double); MR, NV the register tile (MR rows x 8 * NV columns)
 */

#ifndef ACC
#if defined(T_KIND_I) || defined(T_KIND_U)
#define ACC TU
#else
#define ACC T
#endif
#endif

#ifdef HAL_INSTANTIATE_ALL
#define HAL_MATMUL_DIRECT 1
#define HAL_MATMUL_CROSS 1
#if defined(T_KIND_F) || defined(T_KIND_C)
#define HAL_MATMUL_V8 1
#endif
#endif

#include "strided.h"

/* ------------------------------------------------------------ scalar arithmetic */
#if defined(T_KIND_C)
DEVICE_FN T mm_make(T_REAL re, T_REAL im) { T z; z.x = re; z.y = im; return z; }
DEVICE_FN T mm_zero(void) { return mm_make((T_REAL)0, (T_REAL)0); }
DEVICE_FN T mm_conj(T a) { return mm_make(a.x, -a.y); }
DEVICE_FN T mm_muladd(T acc, T a, T b) {
    return mm_make(acc.x + (a.x * b.x - a.y * b.y), acc.y + (a.x * b.y + a.y * b.x));
}
DEVICE_FN T mm_mul(T a, T b) { return mm_make(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }
DEVICE_FN T mm_sub(T a, T b) { return mm_make(a.x - b.x, a.y - b.y); }
#define MM_TO_T(acc) (acc)
#else
DEVICE_FN ACC mm_zero(void) { return (ACC)0; }
DEVICE_FN T mm_conj(T a) { return a; }
DEVICE_FN ACC mm_muladd(ACC acc, T a, T b) { return acc + (ACC)a * (ACC)b; }
DEVICE_FN ACC mm_mul(T a, T b) { return (ACC)a * (ACC)b; }
DEVICE_FN ACC mm_sub(ACC a, ACC b) { return a - b; }
#define MM_TO_T(acc) ((T)(acc))
#endif

/* ------------------------------------------------------------------- direct */
#ifdef HAL_MATMUL_DIRECT
/* out[z, i, j] = sum_k LOAD_A(a[z, i, k]) * b[z, k, j]; out is contiguous.  With
   nsplit > 1, work-item (output o, part s) sums the s-th of nsplit slices of K into
   out[o * nsplit + s] (partial sums, added up by a second launch). */
#define HAL_DEFINE_DIRECT(name, LOAD_A) \
KERNEL void name(GLOBAL_MEM T *RESTRICT out, GLOBAL_MEM const T *RESTRICT a, \
                 const index_t a_off, GLOBAL_MEM const T *RESTRICT b, const index_t b_off, \
                 const index_t n, const index_t M, const index_t N, const index_t K, \
                 const index_t a_rs, const index_t a_ks, const index_t b_ks, \
                 const index_t b_cs, const int nbatch, GLOBAL_MEM const index_t *meta, \
                 const index_t nsplit) \
{ \
    index_t i = GLOBAL_ID_0; \
    if (i >= n) return; \
    index_t s = i % nsplit, o = i / nsplit; \
    index_t col = o % N, t = o / N; \
    index_t row = t % M, z = t / M; \
    index_t slice = (K + nsplit - 1) / nsplit; \
    index_t k0 = s * slice, k1 = k0 + slice < K ? k0 + slice : K; \
    GLOBAL_MEM const T *pa = a + a_off + row * a_rs; \
    GLOBAL_MEM const T *pb = b + b_off + col * b_cs; \
    if (nbatch) { \
        pa += strided_offset(z, nbatch, meta, meta + nbatch); \
        pb += strided_offset(z, nbatch, meta, meta + 2 * nbatch); \
    } \
    ACC acc = mm_zero(); \
    for (index_t k = k0; k < k1; ++k) \
        acc = mm_muladd(acc, LOAD_A(pa[k * a_ks]), pb[k * b_ks]); \
    out[i] = MM_TO_T(acc); \
}
#define MM_PLAIN(v) (v)
HAL_DEFINE_DIRECT(matmul_direct, MM_PLAIN)
HAL_DEFINE_DIRECT(vecdot_direct, mm_conj)

#if defined(VT) || (defined(HAL_INSTANTIATE_ALL) && defined(T_KIND_F))
#ifndef VT
#define VT T
#endif
/* Dot products of real floats contiguous along K (vecdot, vector @ vector): out[o *
   nsplit + s] = the s-th of nsplit slices of sum_k a[o, k] b[o, k], in 8-lane partial
   sums; meta = batch shape, a and b batch strides (o runs over the batch). */
KERNEL void dot_v8(GLOBAL_MEM T *RESTRICT out, GLOBAL_MEM const T *RESTRICT a,
                   const index_t a_off, GLOBAL_MEM const T *RESTRICT b, const index_t b_off,
                   const index_t n, const index_t K, const index_t nsplit, const int nbatch,
                   GLOBAL_MEM const index_t *meta)
{
    index_t i = GLOBAL_ID_0;
    if (i >= n) return;
    index_t s = i % nsplit, o = i / nsplit;
    index_t slice = ((K + nsplit - 1) / nsplit + 15) / 16 * 16;
    index_t k0 = s * slice, k1 = k0 + slice < K ? k0 + slice : K;
    GLOBAL_MEM const T *pa = a + a_off;
    GLOBAL_MEM const T *pb = b + b_off;
    if (nbatch) {
        pa += strided_offset(o, nbatch, meta, meta + nbatch);
        pb += strided_offset(o, nbatch, meta, meta + 2 * nbatch);
    }
    HAL_V8(VT) acc0 = HAL_V8_SPLAT(VT, 0), acc1 = HAL_V8_SPLAT(VT, 0);
    index_t k = k0;
    for (; k + 16 <= k1; k += 16) {
        acc0 += HAL_V8_LOAD(VT, pa + k) * HAL_V8_LOAD(VT, pb + k);
        acc1 += HAL_V8_LOAD(VT, pa + k + 8) * HAL_V8_LOAD(VT, pb + k + 8);
    }
    VT total = 0;
    for (; k < k1; ++k) total += pa[k] * pb[k];
    VT lanes[8];
    HAL_V8_STORE(VT, acc0 + acc1, lanes);
    for (int l = 0; l < 8; ++l) total += lanes[l];
    out[i] = total;
}
#endif
#endif

/* ----------------------------------------------------- packed, register-blocked */
#ifdef HAL_MATMUL_V8
#ifndef VT
#if defined(T_KIND_C)
#define VT T_REAL
#else
#define VT T
#endif
#endif
#ifndef MR
#define MR 6
#endif
#ifndef NV
#define NV 2
#endif
#define NR (8 * NV)
#define V HAL_V8(VT)

/* panels[z, p, k, r] = x[z, p * WIDTH + r, k] (zero past ``rows``), VT elements.
   Launch: (ceil(K / PACK_KB), panels * nz); a work-item packs PACK_KB values of k for
   one panel, walking x along its unit stride; batch offsets through meta = batch
   shape, strides. */
#define PACK_KB 16
#define HAL_DEFINE_PACK(name, WIDTH) \
KERNEL void name(GLOBAL_MEM VT *RESTRICT out, GLOBAL_MEM const T *RESTRICT x, \
                 const index_t x_off, const index_t rows, const index_t K, \
                 const index_t s_row, const index_t s_k, const index_t panels, \
                 const index_t nz, const int nbatch, GLOBAL_MEM const index_t *meta) \
{ \
    index_t k0 = GLOBAL_ID_0 * PACK_KB, t = GLOBAL_ID_1; \
    if (k0 >= K || t >= panels * nz) return; \
    index_t p = t % panels, z = t / panels; \
    int kn = K - k0 < PACK_KB ? (int)(K - k0) : PACK_KB; \
    GLOBAL_MEM const T *src = x + x_off + k0 * s_k + p * WIDTH * s_row; \
    if (nbatch) src += strided_offset(z, nbatch, meta, meta + nbatch); \
    GLOBAL_MEM VT *dst = out + (t * K + k0) * WIDTH; \
    index_t left = rows - p * WIDTH; \
    int w = left < WIDTH ? (int)left : WIDTH; \
    if (s_k == 1) { \
        for (int r = 0; r < w; ++r) \
            for (int k = 0; k < kn; ++k) dst[k * WIDTH + r] = (VT)src[r * s_row + k]; \
    } else { \
        for (int k = 0; k < kn; ++k) \
            for (int r = 0; r < w; ++r) dst[k * WIDTH + r] = (VT)src[r * s_row + k * s_k]; \
    } \
    for (int k = 0; k < kn; ++k) \
        for (int r = w; r < WIDTH; ++r) dst[k * WIDTH + r] = (VT)0; \
}
/* complex x: the panels of the real matrix [re x; im x] (2 * rows rows) */
#define HAL_DEFINE_PACK_COMPLEX(name, WIDTH) \
KERNEL void name(GLOBAL_MEM VT *RESTRICT out, GLOBAL_MEM const T *RESTRICT x, \
                 const index_t x_off, const index_t rows, const index_t K, \
                 const index_t s_row, const index_t s_k, const index_t panels, \
                 const index_t nz, const int nbatch, GLOBAL_MEM const index_t *meta) \
{ \
    index_t k0 = GLOBAL_ID_0 * PACK_KB, t = GLOBAL_ID_1; \
    if (k0 >= K || t >= panels * nz) return; \
    index_t p = t % panels, z = t / panels; \
    int kn = K - k0 < PACK_KB ? (int)(K - k0) : PACK_KB; \
    GLOBAL_MEM const T *src = x + x_off + k0 * s_k; \
    if (nbatch) src += strided_offset(z, nbatch, meta, meta + nbatch); \
    GLOBAL_MEM VT *dst = out + (t * K + k0) * WIDTH; \
    for (int r = 0; r < WIDTH; ++r) { \
        index_t row = p * WIDTH + r; \
        int imag = row >= rows; \
        GLOBAL_MEM const T *s = src + (imag ? row - rows : row) * s_row; \
        if (row >= 2 * rows) { \
            for (int k = 0; k < kn; ++k) dst[k * WIDTH + r] = (VT)0; \
        } else if (imag) { \
            for (int k = 0; k < kn; ++k) dst[k * WIDTH + r] = s[k * s_k].y; \
        } else { \
            for (int k = 0; k < kn; ++k) dst[k * WIDTH + r] = s[k * s_k].x; \
        } \
    } \
}

#if defined(T_KIND_C)
HAL_DEFINE_PACK_COMPLEX(matmul_pack_a, MR)
HAL_DEFINE_PACK_COMPLEX(matmul_pack_b, NR)

/* c[z] = P[z][:M, :N] - P[z][M:, N:] + i (P[z][:M, N:] + P[z][M:, :N]) for the real
   product P (2M x 2N per matrix) of the complex panels */
KERNEL void matmul_combine(GLOBAL_MEM T *RESTRICT out, GLOBAL_MEM const VT *RESTRICT prod,
                           const index_t M, const index_t N, const index_t n)
{
    index_t i = GLOBAL_ID_0;
    if (i >= n) return;
    index_t j = i % N, t = i / N;
    index_t r = t % M, z = t / M;
    GLOBAL_MEM const VT *top = prod + z * 4 * M * N + r * 2 * N;
    GLOBAL_MEM const VT *bottom = top + M * 2 * N;
    T v;
    v.x = top[j] - bottom[N + j];
    v.y = top[N + j] + bottom[j];
    out[i] = v;
}
#else
HAL_DEFINE_PACK(matmul_pack_a, MR)
HAL_DEFINE_PACK(matmul_pack_b, NR)
#endif

/* c[z] (M x N, contiguous) = A[z] B[z] from the panels of pack_a and pack_b.
 * Work-item (jp, y): column panel jp, batch z = y / nchunks, row panels
 * [chunk * (y % nchunks), + chunk).  K runs in blocks of kc: a block of B's panel
 * (kc x NR) stays in cache while the work-item sweeps its row panels; C tiles are
 * stored after each block and reloaded for the next.
 * meta = batch shape, A panel-set strides, B panel-set strides (in VT elements). */
KERNEL void matmul_v8(GLOBAL_MEM VT *RESTRICT c, const index_t M, const index_t N,
                      const index_t K, GLOBAL_MEM const VT *RESTRICT ap,
                      GLOBAL_MEM const VT *RESTRICT bp, const index_t kc,
                      const index_t chunk, const index_t nchunks, const index_t ny,
                      const int nbatch, GLOBAL_MEM const index_t *meta)
{
    index_t jp = GLOBAL_ID_0, y = GLOBAL_ID_1;
    index_t np = (N + NR - 1) / NR, mp = (M + MR - 1) / MR;
    if (jp >= np || y >= ny) return;
    index_t z = y / nchunks;
    index_t ip0 = (y % nchunks) * chunk;
    index_t ip1 = ip0 + chunk < mp ? ip0 + chunk : mp;
    GLOBAL_MEM const VT *a_set = ap;
    GLOBAL_MEM const VT *b_set = bp;
    if (nbatch) {
        a_set += strided_offset(z, nbatch, meta, meta + nbatch);
        b_set += strided_offset(z, nbatch, meta, meta + 2 * nbatch);
    }
    GLOBAL_MEM VT *cz = c + z * M * N;
    index_t col0 = jp * NR;
    for (index_t k0 = 0; k0 < K; k0 += kc) {
        index_t kn = K - k0 < kc ? K - k0 : kc;
        for (index_t ip = ip0; ip < ip1; ++ip) {
            GLOBAL_MEM const VT *a = a_set + (ip * K + k0) * MR;
            GLOBAL_MEM const VT *b = b_set + (jp * K + k0) * NR;
            index_t row0 = ip * MR;
            int full = row0 + MR <= M && col0 + NR <= N;
            V acc[MR][NV];
            if (k0 == 0) {
#pragma unroll
                for (int i = 0; i < MR; ++i)
#pragma unroll
                    for (int j = 0; j < NV; ++j) acc[i][j] = HAL_V8_SPLAT(VT, 0);
            } else if (full) {
#pragma unroll
                for (int i = 0; i < MR; ++i)
#pragma unroll
                    for (int j = 0; j < NV; ++j)
                        acc[i][j] = HAL_V8_LOAD(VT, cz + (row0 + i) * N + col0 + 8 * j);
            } else {
                for (int i = 0; i < MR; ++i)
                    for (int j = 0; j < NV; ++j) {
                        VT t[8];
                        for (int l = 0; l < 8; ++l) {
                            index_t r = row0 + i, q = col0 + 8 * j + l;
                            t[l] = (r < M && q < N) ? cz[r * N + q] : (VT)0;
                        }
                        acc[i][j] = HAL_V8_LOAD(VT, t);
                    }
            }
            for (index_t k = 0; k < kn; ++k) {
                V bv[NV];
#pragma unroll
                for (int j = 0; j < NV; ++j) bv[j] = HAL_V8_LOAD(VT, b + 8 * j);
#pragma unroll
                for (int i = 0; i < MR; ++i) {
                    VT av = a[i];
#pragma unroll
                    for (int j = 0; j < NV; ++j) acc[i][j] += av * bv[j];
                }
                a += MR;
                b += NR;
            }
            if (full) {
#pragma unroll
                for (int i = 0; i < MR; ++i)
#pragma unroll
                    for (int j = 0; j < NV; ++j)
                        HAL_V8_STORE(VT, acc[i][j], cz + (row0 + i) * N + col0 + 8 * j);
            } else {
                for (int i = 0; i < MR; ++i) {
                    if (row0 + i >= M) break;
                    for (int j = 0; j < NV; ++j) {
                        VT t[8];
                        HAL_V8_STORE(VT, acc[i][j], t);
                        for (int l = 0; l < 8; ++l) {
                            index_t q = col0 + 8 * j + l;
                            if (q < N) cz[(row0 + i) * N + q] = t[l];
                        }
                    }
                }
            }
        }
    }
}
#if !defined(T_KIND_C)
/* Skinny products (a few rows or a few columns, no batch): A read in place through
 * its strides, B by rows of NR consecutive columns: b itself when its rows are
 * contiguous (b_ps = NR, padded = 0: loads past column N are masked), else its panels
 * from matmul_pack_b (b_ps = K * NR, padded = 1).  Work-item (jp, ib) computes rows
 * [ib * MR, + MR) x columns [jp * NR, + NR) of c (M x N, contiguous); rows past M
 * repeat the last row (no branches in the K loop) and are not stored. */
#define MM_ROWS_LOOP(LOAD_B) \
    for (index_t k = 0; k < K; ++k) { \
        V bv[NV]; \
        LOAD_B \
        _Pragma("unroll") \
        for (int i = 0; i < MR; ++i) { \
            VT av = (VT)a[arow[i] + k * a_ks]; \
            _Pragma("unroll") \
            for (int j = 0; j < NV; ++j) acc[i][j] += av * bv[j]; \
        } \
        bk += b_ks; \
    }
#define MM_LOAD_B_FULL \
    _Pragma("unroll") \
    for (int j = 0; j < NV; ++j) bv[j] = HAL_V8_LOAD(VT, bk + 8 * j);
#define MM_LOAD_B_MASKED \
    for (int j = 0; j < NV; ++j) { \
        VT t[8]; \
        for (int l = 0; l < 8; ++l) t[l] = col0 + 8 * j + l < N ? bk[8 * j + l] : (VT)0; \
        bv[j] = HAL_V8_LOAD(VT, t); \
    }

KERNEL void matmul_rows(GLOBAL_MEM VT *RESTRICT c, const index_t M, const index_t N,
                        const index_t K, GLOBAL_MEM const T *RESTRICT a,
                        const index_t a_off, const index_t a_rs, const index_t a_ks,
                        GLOBAL_MEM const VT *RESTRICT b, const index_t b_off,
                        const index_t b_ks, const index_t b_ps, const int padded)
{
    index_t jp = GLOBAL_ID_0, ib = GLOBAL_ID_1;
    if (jp * NR >= N || ib * MR >= M) return;
    index_t row0 = ib * MR, col0 = jp * NR;
    index_t arow[MR];
#pragma unroll
    for (int i = 0; i < MR; ++i) arow[i] = a_off + (row0 + i < M ? row0 + i : M - 1) * a_rs;
    GLOBAL_MEM const VT *bk = b + b_off + jp * b_ps;
    V acc[MR][NV];
#pragma unroll
    for (int i = 0; i < MR; ++i)
#pragma unroll
        for (int j = 0; j < NV; ++j) acc[i][j] = HAL_V8_SPLAT(VT, 0);
    if (padded || col0 + NR <= N) {
        MM_ROWS_LOOP(MM_LOAD_B_FULL)
    } else {
        MM_ROWS_LOOP(MM_LOAD_B_MASKED)
    }
    for (int i = 0; i < MR; ++i) {
        if (row0 + i >= M) break;
        for (int j = 0; j < NV; ++j) {
            VT t[8];
            HAL_V8_STORE(VT, acc[i][j], t);
            for (int l = 0; l < 8; ++l) {
                index_t q = col0 + 8 * j + l;
                if (q < N) c[(row0 + i) * N + q] = t[l];
            }
        }
    }
}
#endif
#endif

/* -------------------------------------------------------------------- cross */
#ifdef HAL_MATMUL_CROSS
/* out[o] = a x b along an axis of length 3 (strides o_as, a_as, b_as); one work-item
   per vector; meta = batch shape, out, a and b batch strides. */
KERNEL void cross3(GLOBAL_MEM T *RESTRICT out, GLOBAL_MEM const T *RESTRICT a,
                   const index_t a_off, GLOBAL_MEM const T *RESTRICT b, const index_t b_off,
                   const index_t n, const index_t o_as, const index_t a_as,
                   const index_t b_as, const int nbatch, GLOBAL_MEM const index_t *meta)
{
    index_t i = GLOBAL_ID_0;
    if (i >= n) return;
    index_t o = strided_offset(i, nbatch, meta, meta + nbatch);
    GLOBAL_MEM const T *pa = a + a_off + strided_offset(i, nbatch, meta, meta + 2 * nbatch);
    GLOBAL_MEM const T *pb = b + b_off + strided_offset(i, nbatch, meta, meta + 3 * nbatch);
    T a0 = pa[0], a1 = pa[a_as], a2 = pa[2 * a_as];
    T b0 = pb[0], b1 = pb[b_as], b2 = pb[2 * b_as];
    out[o] = MM_TO_T(mm_sub(mm_mul(a1, b2), mm_mul(a2, b1)));
    out[o + o_as] = MM_TO_T(mm_sub(mm_mul(a2, b0), mm_mul(a0, b2)));
    out[o + 2 * o_as] = MM_TO_T(mm_sub(mm_mul(a0, b1), mm_mul(a1, b0)));
}
#endif
