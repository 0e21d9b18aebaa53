// Small dense Cholesky kernels for the exact ALS solver: the factor (venue_cholesky_lower), the
// solve with a factor (venue_cholesky_solve_lower), and both in one call with x in registers
// (venue_cholesky_factor_solve), for 16, 32 and 64 unknowns with AVX2+FMA and also 128 with
// AVX-512, whose kernels give the AVX2 ones' bits; other sizes go to LAPACK. Swift's face for
// them is `Cholesky`.
#include "KernelSupport.h"
#include "CholeskyKernels.h"

#ifdef VENUE_X86
// ---------------------------------------------------------------- AVX2 + FMA
static const int32_t lane_masks[16] = {0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1};
AVX static inline __m256 lanes_from(int l) { // lanes l … 7 set, for 0 ≤ l ≤ 8
    return _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)(lane_masks + 8 - l)));
}

// Cholesky of a small symmetric positive-definite matrix, column-major lower (see
// venue_cholesky_lower). Left-looking: column j of L is column j of A minus Σ_{k<j} L[j,k] ·
// column k of L, divided by the square root of its diagonal. Rows go in chunks of 8 from the
// chunk that holds the diagonal; inlined with constant F8 and c0, the chunks live in registers,
// and even and odd k accumulate apart, so consecutive FMAs do not wait on each other. Rows above
// the diagonal in the first chunk are computed but not written: the first chunk's store blends
// (or masks) them back to what memory holds. 2.3–2.8× faster than OpenBLAS's spotrf at n = 16,
// 32 and 64 (its leaves are level-2 sdot and sgemv); slower at 128, where the chunks no longer
// fit in AVX2's 16 registers, so not used there. cholesky_column512's sixteen
// accumulators at 128 fit in AVX-512's 32: 8.9 µs against spotrf's 11.8 (session 35).
// With `rows` 0 the other triangle is left as it was. With `rows` 1 (the fused factor-and-solve)
// row j of L, which the column reads as the multipliers L[j,k], is also written above the
// diagonal of column j (a[j·n + k] = L[j,k] for k < j), where the substitution through Lᵀ
// reads it contiguously, and 1 / L[j,j] goes to recip[j].
AVX static inline __attribute__((always_inline)) int cholesky_column(float *a, const int F8, int j, const int c0,
                                                                     const int rows, float *recip) {
    const int n = 8 * F8;
    float *cj = a + (int64_t)j * n;
    __m256 even[8], odd[8];
    for (int c = c0; c < F8; c++) { even[c] = _mm256_loadu_ps(cj + 8 * c); odd[c] = _mm256_setzero_ps(); }
    int k = 0;
    for (; k + 2 <= j; k += 2) {
        const float *ck = a + (int64_t)k * n, *cl = ck + n;
        float ljk = ck[j], ljl = cl[j];
        if (rows) { cj[k] = ljk; cj[k + 1] = ljl; }
        __m256 lk = _mm256_set1_ps(ljk), ll = _mm256_set1_ps(ljl);
        for (int c = c0; c < F8; c++) {
            even[c] = _mm256_fnmadd_ps(lk, _mm256_loadu_ps(ck + 8 * c), even[c]);
            odd[c] = _mm256_fnmadd_ps(ll, _mm256_loadu_ps(cl + 8 * c), odd[c]);
        }
    }
    if (k < j) {
        const float *ck = a + (int64_t)k * n;
        float ljk = ck[j];
        if (rows) cj[k] = ljk;
        __m256 lk = _mm256_set1_ps(ljk);
        for (int c = c0; c < F8; c++) even[c] = _mm256_fnmadd_ps(lk, _mm256_loadu_ps(ck + 8 * c), even[c]);
    }
    for (int c = c0; c < F8; c++) even[c] = _mm256_add_ps(even[c], odd[c]);
    float d = _mm256_cvtss_f32(_mm256_permutevar8x32_ps(even[c0], _mm256_set1_epi32(j % 8)));
    if (d <= 0) return j + 1; // LAPACK's info; a NaN goes on into the factor, as in OpenBLAS's spotrf
    d = sqrtf(d);
    float inverse = 1 / d;
    if (rows) recip[j] = inverse;
    __m256 r = _mm256_set1_ps(inverse);
    for (int c = c0; c < F8; c++) even[c] = _mm256_mul_ps(even[c], r);
    // The first chunk from the diagonal down, d on it, in one store: the rows above keep what
    // memory holds (with `rows`, the multipliers just written there).
    __m256 from = lanes_from(j % 8), at = _mm256_xor_ps(from, lanes_from(j % 8 + 1));
    __m256 head = _mm256_blendv_ps(even[c0], _mm256_set1_ps(d), at);
    _mm256_storeu_ps(cj + 8 * c0, _mm256_blendv_ps(_mm256_loadu_ps(cj + 8 * c0), head, from));
    for (int c = c0 + 1; c < F8; c++) _mm256_storeu_ps(cj + 8 * c, even[c]);
    return 0;
}

#define CHOLESKY_CASE(C0) case C0: if (C0 < f8) info = cholesky_column(a, f8, j, C0, rows, recip); break;
#define CHOLESKY_FIXED(F8)                                                                                \
    AVX static inline __attribute__((always_inline)) int cholesky_avx_##F8(float *a, const int rows,      \
                                                                           float *recip) {                \
        enum { f8 = F8 };                                                                                 \
        for (int j = 0; j < 8 * f8; j++) {                                                                \
            int info = 0;                                                                                 \
            switch (j / 8) {                                                                              \
                CHOLESKY_CASE(0) CHOLESKY_CASE(1) CHOLESKY_CASE(2) CHOLESKY_CASE(3)                       \
                CHOLESKY_CASE(4) CHOLESKY_CASE(5) CHOLESKY_CASE(6) CHOLESKY_CASE(7)                       \
            }                                                                                             \
            if (info) return info;                                                                        \
        }                                                                                                 \
        return 0;                                                                                         \
    }                                                                                                     \
    AVX static int cholesky_lower_avx_##F8(float *a) { return cholesky_avx_##F8(a, 0, NULL); }
CHOLESKY_FIXED(2)
CHOLESKY_FIXED(4)
CHOLESKY_FIXED(8)

// The two substitutions of the fused factor-and-solve (venue_cholesky_factor_solve), for
// n = 8·F8 with x in F8 registers, chunk c of them per call (constant when inlined). Forward
// through L by its columns: z_j = x_j · (1 / L[j,j]), then x_i −= z_j · L[i,j] for i > j. Back
// through Lᵀ by the rows of L that the factor wrote above the diagonal: x_j = x_j · (1 / L[j,j]),
// then x_i −= x_j · L[j,i] for i < j. A permute brings lane j to every lane and blends keep the
// lanes already done, so a step waits only on the one before (permute, multiply, FMA, blend):
// 0.37 µs for both at n = 64, against 1.44 µs for cholesky_solve_avx, whose steps wait on stores
// and, going back, on a whole dot product each (session 34, an AMD EPYC). Each element gets the
// same operations in the same order in substitute_*_avx512.
AVX static inline __attribute__((always_inline)) void substitute_forward_avx(const float *a, const float *recip, __m256 *x,
                                                                             const int F8, const int c) {
    const int n = 8 * F8;
    for (int l = 0; l < 8; l++) {
        const int j = 8 * c + l;
        const float *column = a + (int64_t)j * n;
        __m256 z = _mm256_mul_ps(_mm256_permutevar8x32_ps(x[c], _mm256_set1_epi32(l)), _mm256_set1_ps(recip[j]));
        __m256 updated = _mm256_fnmadd_ps(z, _mm256_loadu_ps(column + 8 * c), x[c]);
        __m256 after = lanes_from(l + 1), at = _mm256_xor_ps(lanes_from(l), after);
        x[c] = _mm256_blendv_ps(_mm256_blendv_ps(x[c], updated, after), z, at);
        for (int c2 = c + 1; c2 < F8; c2++) x[c2] = _mm256_fnmadd_ps(z, _mm256_loadu_ps(column + 8 * c2), x[c2]);
    }
}

AVX static inline __attribute__((always_inline)) void substitute_back_avx(const float *a, const float *recip, __m256 *x,
                                                                          const int F8, const int c) {
    const int n = 8 * F8;
    for (int l = 7; l >= 0; l--) {
        const int j = 8 * c + l;
        const float *row = a + (int64_t)j * n;
        __m256 z = _mm256_mul_ps(_mm256_permutevar8x32_ps(x[c], _mm256_set1_epi32(l)), _mm256_set1_ps(recip[j]));
        __m256 updated = _mm256_fnmadd_ps(z, _mm256_loadu_ps(row + 8 * c), x[c]);
        __m256 from = lanes_from(l), at = _mm256_xor_ps(from, lanes_from(l + 1));
        x[c] = _mm256_blendv_ps(_mm256_blendv_ps(updated, x[c], from), z, at);
        for (int c2 = 0; c2 < c; c2++) x[c2] = _mm256_fnmadd_ps(z, _mm256_loadu_ps(row + 8 * c2), x[c2]);
    }
}

#define FORWARD_CASE(C) if (C < f8) substitute_forward_avx(a, recip, x, f8, C);
#define BACK_CASE(C) if (C < f8) substitute_back_avx(a, recip, x, f8, C);
#define FACTOR_SOLVE_FIXED(F8)                                                                            \
    AVX static int cholesky_factor_solve_avx_##F8(float *a, float *b) {                                   \
        enum { f8 = F8 };                                                                                 \
        float recip[8 * F8];                                                                              \
        int info = cholesky_avx_##F8(a, 1, recip);                                                        \
        if (info) return info;                                                                            \
        __m256 x[8];                                                                                      \
        for (int c = 0; c < f8; c++) x[c] = _mm256_loadu_ps(b + 8 * c);                                   \
        FORWARD_CASE(0) FORWARD_CASE(1) FORWARD_CASE(2) FORWARD_CASE(3)                                   \
        FORWARD_CASE(4) FORWARD_CASE(5) FORWARD_CASE(6) FORWARD_CASE(7)                                   \
        BACK_CASE(7) BACK_CASE(6) BACK_CASE(5) BACK_CASE(4) BACK_CASE(3) BACK_CASE(2) BACK_CASE(1) BACK_CASE(0) \
        for (int c = 0; c < f8; c++) _mm256_storeu_ps(b + 8 * c, x[c]);                                   \
        return 0;                                                                                         \
    }
FACTOR_SOLVE_FIXED(2)
FACTOR_SOLVE_FIXED(4)
FACTOR_SOLVE_FIXED(8)

// Solves L·Lᵀ·x = b with L from venue_cholesky_lower (column-major lower, lda = n): forward by
// columns of L (contiguous: an axpy each), backward by rows of Lᵀ (the same columns: a dot each).
AVX static void cholesky_solve_avx(int32_t n, const float *a, float *b) {
    for (int32_t j = 0; j < n; j++) {
        const float *column = a + (int64_t)j * n;
        float z = b[j] / column[j];
        b[j] = z;
        int32_t i = j + 1;
        __m256 zz = _mm256_set1_ps(z);
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(b + i, _mm256_fnmadd_ps(zz, _mm256_loadu_ps(column + i), _mm256_loadu_ps(b + i)));
        for (; i < n; i++) b[i] -= z * column[i];
    }
    for (int32_t j = n - 1; j >= 0; j--) {
        const float *column = a + (int64_t)j * n;
        int32_t i = j + 1;
        __m256 acc = _mm256_setzero_ps();
        for (; i + 8 <= n; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(column + i), _mm256_loadu_ps(b + i), acc);
        float sum = hsum(acc);
        for (; i < n; i++) sum += column[i] * b[i];
        b[j] = (b[j] - sum) / column[j];
    }
}

// ---------------------------------------------------------------- AVX-512
// cholesky_column with 16-row chunks, F16 = n / 16: the same operations on every row at or
// below the diagonal, so the same factor, with half the instructions.
AVX512 static inline __attribute__((always_inline)) int cholesky_column512(float *a, const int F16, int j, const int c0,
                                                                           const int rows, float *recip) {
    const int n = 16 * F16;
    float *cj = a + (int64_t)j * n;
    __m512 even[8], odd[8];
    for (int c = c0; c < F16; c++) { even[c] = _mm512_loadu_ps(cj + 16 * c); odd[c] = _mm512_setzero_ps(); }
    int k = 0;
    for (; k + 2 <= j; k += 2) {
        const float *ck = a + (int64_t)k * n, *cl = ck + n;
        float ljk = ck[j], ljl = cl[j];
        if (rows) { cj[k] = ljk; cj[k + 1] = ljl; }
        __m512 lk = _mm512_set1_ps(ljk), ll = _mm512_set1_ps(ljl);
        for (int c = c0; c < F16; c++) {
            even[c] = _mm512_fnmadd_ps(lk, _mm512_loadu_ps(ck + 16 * c), even[c]);
            odd[c] = _mm512_fnmadd_ps(ll, _mm512_loadu_ps(cl + 16 * c), odd[c]);
        }
    }
    if (k < j) {
        const float *ck = a + (int64_t)k * n;
        float ljk = ck[j];
        if (rows) cj[k] = ljk;
        __m512 lk = _mm512_set1_ps(ljk);
        for (int c = c0; c < F16; c++) even[c] = _mm512_fnmadd_ps(lk, _mm512_loadu_ps(ck + 16 * c), even[c]);
    }
    for (int c = c0; c < F16; c++) even[c] = _mm512_add_ps(even[c], odd[c]);
    float d = _mm512_cvtss_f32(_mm512_permutexvar_ps(_mm512_set1_epi32(j % 16), even[c0]));
    if (d <= 0) return j + 1;
    d = sqrtf(d);
    float inverse = 1 / d;
    if (rows) recip[j] = inverse;
    __m512 r = _mm512_set1_ps(inverse);
    for (int c = c0; c < F16; c++) even[c] = _mm512_mul_ps(even[c], r);
    __m512 head = _mm512_mask_mov_ps(even[c0], (__mmask16)(1u << (j % 16)), _mm512_set1_ps(d));
    _mm512_mask_storeu_ps(cj + 16 * c0, (__mmask16)(0xFFFFu << (j % 16)), head);
    for (int c = c0 + 1; c < F16; c++) _mm512_storeu_ps(cj + 16 * c, even[c]);
    return 0;
}

#define CHOLESKY_512_CASE(C0) case C0: if (C0 < f16) info = cholesky_column512(a, f16, j, C0, rows, recip); break;
#define CHOLESKY_512_FIXED(F16)                                                                           \
    AVX512 static inline __attribute__((always_inline)) int cholesky_avx512_##F16(float *a, const int rows, \
                                                                                 float *recip) {          \
        enum { f16 = F16 };                                                                               \
        for (int j = 0; j < 16 * f16; j++) {                                                              \
            int info = 0;                                                                                 \
            switch (j / 16) {                                                                             \
                CHOLESKY_512_CASE(0) CHOLESKY_512_CASE(1) CHOLESKY_512_CASE(2) CHOLESKY_512_CASE(3)       \
                CHOLESKY_512_CASE(4) CHOLESKY_512_CASE(5) CHOLESKY_512_CASE(6) CHOLESKY_512_CASE(7)       \
            }                                                                                             \
            if (info) return info;                                                                        \
        }                                                                                                 \
        return 0;                                                                                         \
    }                                                                                                     \
    AVX512 static int cholesky_lower_avx512_##F16(float *a) { return cholesky_avx512_##F16(a, 0, NULL); }
CHOLESKY_512_FIXED(1)
CHOLESKY_512_FIXED(2)
CHOLESKY_512_FIXED(4)
CHOLESKY_512_FIXED(8)

// substitute_forward_avx and substitute_back_avx with 16 lanes, the lanes kept by masks.
AVX512 static inline __attribute__((always_inline)) void substitute_forward_avx512(const float *a, const float *recip,
                                                                                   __m512 *x, const int F16, const int c) {
    const int n = 16 * F16;
    for (int l = 0; l < 16; l++) {
        const int j = 16 * c + l;
        const float *column = a + (int64_t)j * n;
        __m512 z = _mm512_mul_ps(_mm512_permutexvar_ps(_mm512_set1_epi32(l), x[c]), _mm512_set1_ps(recip[j]));
        __m512 updated = _mm512_mask3_fnmadd_ps(z, _mm512_loadu_ps(column + 16 * c), x[c], (__mmask16)(0xFFFEu << l));
        x[c] = _mm512_mask_mov_ps(updated, (__mmask16)(1u << l), z);
        for (int c2 = c + 1; c2 < F16; c2++) x[c2] = _mm512_fnmadd_ps(z, _mm512_loadu_ps(column + 16 * c2), x[c2]);
    }
}

AVX512 static inline __attribute__((always_inline)) void substitute_back_avx512(const float *a, const float *recip,
                                                                                __m512 *x, const int F16, const int c) {
    const int n = 16 * F16;
    for (int l = 15; l >= 0; l--) {
        const int j = 16 * c + l;
        const float *row = a + (int64_t)j * n;
        __m512 z = _mm512_mul_ps(_mm512_permutexvar_ps(_mm512_set1_epi32(l), x[c]), _mm512_set1_ps(recip[j]));
        __m512 updated = _mm512_mask3_fnmadd_ps(z, _mm512_loadu_ps(row + 16 * c), x[c], (__mmask16)((1u << l) - 1));
        x[c] = _mm512_mask_mov_ps(updated, (__mmask16)(1u << l), z);
        for (int c2 = 0; c2 < c; c2++) x[c2] = _mm512_fnmadd_ps(z, _mm512_loadu_ps(row + 16 * c2), x[c2]);
    }
}

#define FORWARD_512_CASE(C) if (C < f16) substitute_forward_avx512(a, recip, x, f16, C);
#define BACK_512_CASE(C) if (C < f16) substitute_back_avx512(a, recip, x, f16, C);
#define FACTOR_SOLVE_512_FIXED(F16)                                                                       \
    AVX512 static int cholesky_factor_solve_avx512_##F16(float *a, float *b) {                            \
        enum { f16 = F16 };                                                                               \
        float recip[16 * F16];                                                                            \
        int info = cholesky_avx512_##F16(a, 1, recip);                                                    \
        if (info) return info;                                                                            \
        __m512 x[8];                                                                                      \
        for (int c = 0; c < f16; c++) x[c] = _mm512_loadu_ps(b + 16 * c);                                 \
        FORWARD_512_CASE(0) FORWARD_512_CASE(1) FORWARD_512_CASE(2) FORWARD_512_CASE(3)                   \
        FORWARD_512_CASE(4) FORWARD_512_CASE(5) FORWARD_512_CASE(6) FORWARD_512_CASE(7)                   \
        BACK_512_CASE(7) BACK_512_CASE(6) BACK_512_CASE(5) BACK_512_CASE(4)                               \
        BACK_512_CASE(3) BACK_512_CASE(2) BACK_512_CASE(1) BACK_512_CASE(0)                               \
        for (int c = 0; c < f16; c++) _mm512_storeu_ps(b + 16 * c, x[c]);                                 \
        return 0;                                                                                         \
    }
FACTOR_SOLVE_512_FIXED(1)
FACTOR_SOLVE_512_FIXED(2)
FACTOR_SOLVE_512_FIXED(4)
FACTOR_SOLVE_512_FIXED(8)
#endif

// ---------------------------------------------------------------- dispatch
int venue_cholesky_lower(int32_t n, float *a) {
#ifdef VENUE_X86
    if (venue_level >= LEVEL_AVX512) {
        switch (n) {
        case 16: return cholesky_lower_avx512_1(a);
        case 32: return cholesky_lower_avx512_2(a);
        case 64: return cholesky_lower_avx512_4(a);
        case 128: return cholesky_lower_avx512_8(a);
        }
    }
    if (use_avx2()) {
        switch (n) {
        case 16: return cholesky_lower_avx_2(a);
        case 32: return cholesky_lower_avx_4(a);
        case 64: return cholesky_lower_avx_8(a);
        }
    }
#endif
    (void)n, (void)a;
    return -1;
}

static int cholesky_factor_solve_at(int at, int32_t n, float *a, float *b) {
#ifdef VENUE_X86
    if (at >= LEVEL_AVX512) {
        switch (n) {
        case 16: return cholesky_factor_solve_avx512_1(a, b);
        case 32: return cholesky_factor_solve_avx512_2(a, b);
        case 64: return cholesky_factor_solve_avx512_4(a, b);
        case 128: return cholesky_factor_solve_avx512_8(a, b);
        }
    }
    if (at >= LEVEL_AVX2) {
        switch (n) {
        case 16: return cholesky_factor_solve_avx_2(a, b);
        case 32: return cholesky_factor_solve_avx_4(a, b);
        case 64: return cholesky_factor_solve_avx_8(a, b);
        }
    }
#endif
    (void)at, (void)n, (void)a, (void)b;
    return -1;
}

int venue_cholesky_factor_solve(int32_t n, float *a, float *b) { return cholesky_factor_solve_at(venue_level, n, a, b); }

int venue_cholesky_factor_solve_at(int at, int32_t n, float *a, float *b) {
    if (!level_available(at)) return -1;
    return cholesky_factor_solve_at(at, n, a, b);
}

int venue_cholesky_solve_lower(int32_t n, const float *a, float *b) {
#ifdef VENUE_X86
    if (use_avx2()) {
        cholesky_solve_avx(n, a, b);
        return 0;
    }
#endif
    (void)n, (void)a, (void)b;
    return -1;
}
