#include "VenueKernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { LEVEL_PORTABLE = 0, LEVEL_AVX2 = 1, LEVEL_AVX512 = 2 };

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VENUE_X86 1
#include <immintrin.h>
#endif

// ---------------------------------------------------------------- portable fallback
static float dot_portable(int32_t f, const float *x, const float *y) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int32_t i = 0;
    for (; i + 8 <= f; i += 8)
        for (int j = 0; j < 8; j++) acc[j] += x[i + j] * y[i + j];
    float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; i < f; i++) s += x[i] * y[i];
    return s;
}

static void rank1_portable(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                           const float *v, float *out, float s0, float s1, float s2) {
    for (int64_t k = 0; k < n; k++) {
        const float *y = Y + (int64_t)cols[k] * f;
        float c = conf[k];
        float coef = s0 * c + (s1 * c + s2) * dot_portable(f, y, v);
        for (int32_t i = 0; i < f; i++) out[i] += coef * y[i];
    }
}

static void gather_portable(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                            float *gathered, float *b) {
    for (int64_t k = 0; k < n; k++) {
        const float *y = Y + (int64_t)cols[k] * f;
        float c = conf[k];
        float w = sqrtf(c > 1 ? c - 1 : 0);
        for (int32_t i = 0; i < f; i++) {
            gathered[k * f + i] = w * y[i];
            b[i] += c * y[i];
        }
    }
}

static double loss_portable(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y, const float *x) {
    double sum = 0;
    for (int64_t k = 0; k < n; k++) {
        double t = dot_portable(f, Y + (int64_t)cols[k] * f, x);
        sum += conf[k] * (1 - t) * (1 - t) - t * t;
    }
    return sum;
}

static inline uint64_t score_key(float s, int32_t index) {
    union { float f; uint32_t u; } v = {s + 0.0f}; // −0 → +0
    uint32_t ordered = (v.u & 0x80000000u) ? ~v.u : (v.u | 0x80000000u);
    return ((uint64_t)ordered << 32) | (uint32_t)~(uint32_t)index;
}

static int64_t keys_portable(const float *scores, const float *base, int64_t n, float threshold, int32_t first,
                             uint64_t *out) {
    int64_t m = 0;
    for (int64_t j = 0; j < n; j++) {
        float s = base ? scores[j] + base[j] : scores[j];
        if (s > threshold) out[m++] = score_key(s, first + (int32_t)j);
    }
    return m;
}

static void block_max_portable(const float *scores, const float *base, int64_t n, int32_t block, float *out) {
    for (int64_t start = 0, i = 0; start < n; start += block, i++) {
        float m = -INFINITY;
        int64_t end = start + block < n ? start + block : n;
        for (int64_t j = start; j < end; j++) {
            float s = base ? scores[j] + base[j] : scores[j];
            if (s > m) m = s;
        }
        out[i] = m;
    }
}

static void gemv_rows_portable(int32_t f, int64_t n, const float *A, const float *x, float alpha, float beta, float *y) {
    for (int64_t i = 0; i < n; i++) y[i] = (beta == 0 ? 0 : beta * y[i]) + alpha * dot_portable(f, A + i * f, x);
}

static float half_portable(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff, bits;
    if (exponent == 0x1f) bits = sign | 0x7f800000u | (mantissa << 13);
    else if (exponent != 0) bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    else if (mantissa == 0) bits = sign;
    else { // subnormal: normalise
        int shift = 0;
        while (!(mantissa & 0x400)) { mantissa <<= 1; shift++; }
        bits = sign | ((uint32_t)(113 - shift) << 23) | ((mantissa & 0x3ff) << 13);
    }
    union { uint32_t u; float f; } v = {bits};
    return v.f;
}

static void half_gemv_portable(int32_t f, int64_t n, const uint16_t *A, const float *x, float alpha, float beta, float *y) {
    for (int64_t i = 0; i < n; i++) {
        const uint16_t *a = A + i * f;
        float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int32_t j = 0;
        for (; j + 8 <= f; j += 8)
            for (int l = 0; l < 8; l++) acc[l] += half_portable(a[j + l]) * x[j + l];
        float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
        for (; j < f; j++) s += half_portable(a[j]) * x[j];
        y[i] = (beta == 0 ? 0 : beta * y[i]) + alpha * s;
    }
}

// ---------------------------------------------------------------- AVX2 + FMA
#ifdef VENUE_X86
#define AVX __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx512f,avx512dq,avx2,fma")))

AVX static inline float hsum(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    __m128 s = _mm_add_ps(lo, hi);
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

AVX static float dot_avx(int32_t f, const float *x, const float *y) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int32_t i = 0;
    for (; i + 16 <= f; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    for (; i + 8 <= f; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
    float s = hsum(_mm256_add_ps(a0, a1));
    for (; i < f; i++) s += x[i] * y[i];
    return s;
}

// F8 = f / 8 known at compile time. The row's nonzeros go in groups of RANK1_GROUP: first the
// group's coefficients (dot products, independent of one another, so their loads and FMAs
// overlap), then the group's rank-1 updates with `out` in registers. Each coefficient and each
// update is the same arithmetic in the same order as one nonzero at a time, so the result is
// bit for bit that of the plain loop; only the overlap changes.
#define RANK1_GROUP 8
#define RANK1_FIXED(F8)                                                                                   \
    AVX static void rank1_avx_##F8(int64_t n, const int32_t *cols, const float *conf, const float *Y,    \
                                   const float *v, float *out, float s0, float s1, float s2) {            \
        enum { f = 8 * F8 };                                                                              \
        float coef[RANK1_GROUP];                                                                          \
        for (int64_t k0 = 0; k0 < n; k0 += RANK1_GROUP) {                                                 \
            int64_t m = n - k0 < RANK1_GROUP ? n - k0 : RANK1_GROUP;                                      \
            for (int64_t g = 0; g < m; g++) {                                                             \
                const float *y = Y + (int64_t)cols[k0 + g] * f;                                           \
                if (k0 + g + RANK1_GROUP < n)                                                             \
                    _mm_prefetch((const char *)(Y + (int64_t)cols[k0 + g + RANK1_GROUP] * f), _MM_HINT_T0); \
                __m256 d0 = _mm256_setzero_ps(), d1 = _mm256_setzero_ps();                                \
                for (int j = 0; j < F8; j++) {                                                            \
                    __m256 yy = _mm256_loadu_ps(y + 8 * j), vv = _mm256_loadu_ps(v + 8 * j);              \
                    if (j & 1) d1 = _mm256_fmadd_ps(yy, vv, d1); else d0 = _mm256_fmadd_ps(yy, vv, d0);   \
                }                                                                                         \
                float c = conf[k0 + g];                                                                   \
                coef[g] = s0 * c + (s1 * c + s2) * hsum(_mm256_add_ps(d0, d1));                           \
            }                                                                                             \
            __m256 acc[F8];                                                                               \
            for (int j = 0; j < F8; j++) acc[j] = _mm256_loadu_ps(out + 8 * j);                           \
            for (int64_t g = 0; g < m; g++) {                                                             \
                const float *y = Y + (int64_t)cols[k0 + g] * f;                                           \
                __m256 cc = _mm256_set1_ps(coef[g]);                                                      \
                for (int j = 0; j < F8; j++) acc[j] = _mm256_fmadd_ps(cc, _mm256_loadu_ps(y + 8 * j), acc[j]); \
            }                                                                                             \
            for (int j = 0; j < F8; j++) _mm256_storeu_ps(out + 8 * j, acc[j]);                          \
        }                                                                                                 \
    }
RANK1_FIXED(2)
RANK1_FIXED(4)
RANK1_FIXED(8)
RANK1_FIXED(16)

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

// C += Σ_k g_k·g_kᵀ over the m rows of G (n = 8·F8 floats each), C column-major, n × n: the
// exact solver's Gram correction, in place of OpenBLAS's ssyrk (whose packing and level-3 blocking
// cost more than the FMAs at these sizes). Four columns at a time and up to three chunks of 8
// rows, from the chunk holding the first column's diagonal, stay in registers while k runs;
// every element is one FMA chain over k in order, g_k[j]·g_k[i] added to C[i,j], so
// gram_avx512's 16-row chunks give the same bits. Elements above the diagonal in a column's first
// chunks are updated too or not (the chunking decides); the Cholesky kernels never read them.
// With `start` (the first tile of a row; constant when inlined) the sums start from S + λ·I
// instead of C, so the solver needs no copy of YᵀY per row: λ is added to the diagonal lane as
// the copy-then-add did, one rounding, and each element's chain then runs as before.
AVX static inline __attribute__((always_inline)) void gram_tile_avx(float *C, const float *S, float lambda,
                                                                    const float *G, int64_t m, const int F8,
                                                                    int j0, const int c0, const int start) {
    const int n = 8 * F8, c1 = c0 + 3 < F8 ? c0 + 3 : F8;
    const float *from = start ? S : C;
    __m256 acc[4][3];
    for (int q = 0; q < 4; q++)
        for (int c = c0; c < c1; c++) acc[q][c - c0] = _mm256_loadu_ps(from + (int64_t)(j0 + q) * n + 8 * c);
    if (start && c0 == j0 / 8) {
        const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        for (int q = 0; q < 4; q++) {
            __m256 diagonal = _mm256_castsi256_ps(_mm256_cmpeq_epi32(lanes, _mm256_set1_epi32(j0 % 8 + q)));
            acc[q][0] = _mm256_blendv_ps(acc[q][0], _mm256_add_ps(acc[q][0], _mm256_set1_ps(lambda)), diagonal);
        }
    }
    for (int64_t k = 0; k < m; k++) {
        const float *g = G + k * n;
        __m256 y[3];
        for (int c = c0; c < c1; c++) y[c - c0] = _mm256_loadu_ps(g + 8 * c);
        for (int q = 0; q < 4; q++) {
            __m256 s = _mm256_set1_ps(g[j0 + q]);
            for (int c = c0; c < c1; c++) acc[q][c - c0] = _mm256_fmadd_ps(s, y[c - c0], acc[q][c - c0]);
        }
    }
    for (int q = 0; q < 4; q++)
        for (int c = c0; c < c1; c++) _mm256_storeu_ps(C + (int64_t)(j0 + q) * n + 8 * c, acc[q][c - c0]);
}

#define GRAM_CASE(C0) case C0: if (C0 < f8) gram_tile_avx(C, S, lambda, G, m, f8, j0, C0, start); break;
#define GRAM_FIXED(F8)                                                                                    \
    AVX static inline __attribute__((always_inline)) void gram_avx_##F8(float *C, const float *S,          \
                                                                        float lambda, const float *G,      \
                                                                        int64_t m, const int start) {      \
        enum { f8 = F8 };                                                                                 \
        for (int j0 = 0; j0 < 8 * f8; j0 += 4)                                                            \
            for (int c = j0 / 8; c < f8; c += 3)                                                          \
                switch (c) {                                                                              \
                    GRAM_CASE(0) GRAM_CASE(1) GRAM_CASE(2) GRAM_CASE(3)                                   \
                    GRAM_CASE(4) GRAM_CASE(5) GRAM_CASE(6) GRAM_CASE(7)                                   \
                }                                                                                         \
    }                                                                                                     \
    AVX static void gram_add_avx_##F8(float *C, const float *G, int64_t m) {                              \
        gram_avx_##F8(C, NULL, 0, G, m, 0);                                                               \
    }                                                                                                     \
    AVX static void gram_start_avx_##F8(float *C, const float *S, float lambda, const float *G, int64_t m) { \
        gram_avx_##F8(C, S, lambda, G, m, 1);                                                             \
    }
GRAM_FIXED(2)
GRAM_FIXED(4)
GRAM_FIXED(8)

AVX static void rank1_avx(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                          const float *v, float *out, float s0, float s1, float s2) {
    for (int64_t k = 0; k < n; k++) {
        const float *y = Y + (int64_t)cols[k] * f;
        float c = conf[k];
        float coef = s0 * c + (s1 * c + s2) * dot_avx(f, y, v);
        __m256 cc = _mm256_set1_ps(coef);
        int32_t i = 0;
        for (; i + 8 <= f; i += 8) _mm256_storeu_ps(out + i, _mm256_fmadd_ps(cc, _mm256_loadu_ps(y + i), _mm256_loadu_ps(out + i)));
        for (; i < f; i++) out[i] += coef * y[i];
    }
}

AVX static void gather_avx(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                           float *gathered, float *b) {
    for (int64_t k = 0; k < n; k++) {
        const float *y = Y + (int64_t)cols[k] * f;
        // Every line of the row four ahead: the rows are scattered over the fixed side's table
        // and each is read once, so nothing else brings them in early (about 4% of an exact
        // iteration at 200k × 10k, session 23; 2, 4 and 8 rows ahead measured alike).
        if (k + 4 < n) {
            const char *ahead = (const char *)(Y + (int64_t)cols[k + 4] * f);
            for (int32_t byte = 0; byte < 4 * f; byte += 64) _mm_prefetch(ahead + byte, _MM_HINT_T0);
        }
        float c = conf[k];
        __m256 w = _mm256_set1_ps(sqrtf(c > 1 ? c - 1 : 0)), cc = _mm256_set1_ps(c);
        float *g = gathered + k * f;
        int32_t i = 0;
        for (; i + 8 <= f; i += 8) {
            __m256 yy = _mm256_loadu_ps(y + i);
            _mm256_storeu_ps(g + i, _mm256_mul_ps(w, yy));
            _mm256_storeu_ps(b + i, _mm256_fmadd_ps(cc, yy, _mm256_loadu_ps(b + i)));
        }
        float ws = sqrtf(c > 1 ? c - 1 : 0);
        for (; i < f; i++) {
            g[i] = ws * y[i];
            b[i] += c * y[i];
        }
    }
}

// gather_avx for f = LANES·CHUNKS with b in CHUNKS registers of LANES floats (type V, intrinsics
// MM##_…: _mm256 or _mm512) for the whole row, so each nonzero reads y and writes its gathered
// row, and b costs no load and store per nonzero. Every element gets the same multiply and FMA as
// in gather_avx, whatever the width, so the bits are the same.
#define GATHER_FIXED(ATTR, NAME, V, MM, LANES, CHUNKS)                                                    \
    ATTR static void NAME(int64_t n, const int32_t *cols, const float *conf, const float *Y,              \
                          float *gathered, float *b) {                                                    \
        enum { f = LANES * CHUNKS };                                                                      \
        V acc[CHUNKS];                                                                                    \
        for (int i = 0; i < CHUNKS; i++) acc[i] = MM##_loadu_ps(b + LANES * i);                           \
        for (int64_t k = 0; k < n; k++) {                                                                 \
            const float *y = Y + (int64_t)cols[k] * f;                                                    \
            if (k + 4 < n) {                                                                              \
                const char *ahead = (const char *)(Y + (int64_t)cols[k + 4] * f);                         \
                for (int byte = 0; byte < 4 * f; byte += 64) _mm_prefetch(ahead + byte, _MM_HINT_T0);    \
            }                                                                                             \
            float c = conf[k];                                                                            \
            V w = MM##_set1_ps(sqrtf(c > 1 ? c - 1 : 0)), cc = MM##_set1_ps(c);                           \
            float *g = gathered + k * f;                                                                  \
            for (int i = 0; i < CHUNKS; i++) {                                                            \
                V yy = MM##_loadu_ps(y + LANES * i);                                                      \
                MM##_storeu_ps(g + LANES * i, MM##_mul_ps(w, yy));                                        \
                acc[i] = MM##_fmadd_ps(cc, yy, acc[i]);                                                   \
            }                                                                                             \
        }                                                                                                 \
        for (int i = 0; i < CHUNKS; i++) MM##_storeu_ps(b + LANES * i, acc[i]);                           \
    }
GATHER_FIXED(AVX, gather_avx_2, __m256, _mm256, 8, 2)
GATHER_FIXED(AVX, gather_avx_4, __m256, _mm256, 8, 4)
GATHER_FIXED(AVX, gather_avx_8, __m256, _mm256, 8, 8)

AVX static double loss_avx(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y, const float *x) {
    double sum = 0;
    for (int64_t k = 0; k < n; k++) {
        double t = dot_avx(f, Y + (int64_t)cols[k] * f, x);
        sum += conf[k] * (1 - t) * (1 - t) - t * t;
    }
    return sum;
}

AVX static int64_t keys_avx(const float *scores, const float *base, int64_t n, float threshold, int32_t first,
                            uint64_t *out) {
    int64_t m = 0, j = 0;
    __m256 t = _mm256_set1_ps(threshold);
    for (; j + 16 <= n; j += 16) {
        __m256 s0 = _mm256_loadu_ps(scores + j), s1 = _mm256_loadu_ps(scores + j + 8);
        if (base) {
            s0 = _mm256_add_ps(s0, _mm256_loadu_ps(base + j));
            s1 = _mm256_add_ps(s1, _mm256_loadu_ps(base + j + 8));
        }
        unsigned mask = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(s0, t, _CMP_GT_OQ)) |
                        ((unsigned)_mm256_movemask_ps(_mm256_cmp_ps(s1, t, _CMP_GT_OQ)) << 8);
        if (!mask) continue;
        float lane[16];
        _mm256_storeu_ps(lane, s0);
        _mm256_storeu_ps(lane + 8, s1);
        while (mask) {
            int l = __builtin_ctz(mask);
            mask &= mask - 1;
            out[m++] = score_key(lane[l], first + (int32_t)(j + l));
        }
    }
    return m + keys_portable(scores + j, base ? base + j : 0, n - j, threshold, first + (int32_t)j, out + m);
}

AVX static void block_max_avx(const float *scores, const float *base, int64_t n, int32_t block, float *out) {
    int64_t start = 0, i = 0;
    for (; start + block <= n; start += block, i++) {
        __m256 m = _mm256_set1_ps(-INFINITY);
        for (int64_t j = start; j < start + block; j += 8) {
            __m256 s = _mm256_loadu_ps(scores + j);
            if (base) s = _mm256_add_ps(s, _mm256_loadu_ps(base + j));
            m = _mm256_max_ps(s, m); // NaN in s: keeps m
        }
        __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
        out[i] = _mm_cvtss_f32(h);
    }
    if (start < n) block_max_portable(scores + start, base ? base + start : 0, n - start, block, out + i);
}

#define F16C __attribute__((target("avx2,fma,f16c")))

// The four sums of a, b, c, d's lanes, in order.
AVX static inline __m128 hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {
    __m256 ab = _mm256_hadd_ps(a, b), cd = _mm256_hadd_ps(c, d);
    __m256 abcd = _mm256_hadd_ps(ab, cd); // [a0 b0 c0 d0 | a1 b1 c1 d1] partial sums per 128-bit half
    return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

// Four rows, a, a + f, a + 2f and a + 3f, each dotted with x: each x chunk is loaded once for the
// four rows, and the four sums are reduced together. f is a multiple of 8; LOAD8(p) widens eight
// elements of a row to floats. Every kernel below scores through these, so a score has the same
// bits whichever kernel computed it.
#define DOT4(ATTR, NAME, T, LOAD8)                                                                          \
    ATTR static inline __m128 NAME(int32_t f, const T *a, const float *x) {                               \
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps(); \
        for (int32_t j = 0; j < f; j += 8) {                                                              \
            __m256 xv = _mm256_loadu_ps(x + j);                                                           \
            s0 = _mm256_fmadd_ps(LOAD8(a + j), xv, s0);                                                   \
            s1 = _mm256_fmadd_ps(LOAD8(a + f + j), xv, s1);                                               \
            s2 = _mm256_fmadd_ps(LOAD8(a + 2 * f + j), xv, s2);                                           \
            s3 = _mm256_fmadd_ps(LOAD8(a + 3 * f + j), xv, s3);                                           \
        }                                                                                                 \
        return hsum4(s0, s1, s2, s3);                                                                     \
    }

// y[i] = beta·y[i] + alpha·(A[i] · x), four rows per step; rows that are not a multiple of 8 wide,
// and the last n mod 4 rows, go to TAIL.
#define GEMV_ROWS4(ATTR, NAME, T, DOT, TAIL)                                                                \
    ATTR static void NAME(int32_t f, int64_t n, const T *A, const float *x, float alpha, float beta, float *y) { \
        if (f % 8 != 0) { TAIL(f, n, A, x, alpha, beta, y); return; }                                     \
        __m128 va = _mm_set1_ps(alpha), vb = _mm_set1_ps(beta);                                           \
        int64_t i = 0;                                                                                    \
        for (; i + 4 <= n; i += 4) {                                                                      \
            __m128 sums = _mm_mul_ps(va, DOT(f, A + i * f, x));                                           \
            _mm_storeu_ps(y + i, beta == 0 ? sums : _mm_fmadd_ps(vb, _mm_loadu_ps(y + i), sums));         \
        }                                                                                                 \
        if (i < n) TAIL(f, n - i, A + i * f, x, alpha, beta, y + i);                                      \
    }

#define LOAD_HALF8(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p)))
#define LOAD_FLOAT8(p) _mm256_loadu_ps(p)
DOT4(F16C, half_dot4_f16c, uint16_t, LOAD_HALF8)
DOT4(AVX, dot4_avx, float, LOAD_FLOAT8)
GEMV_ROWS4(F16C, half_gemv_f16c, uint16_t, half_dot4_f16c, half_gemv_portable)
GEMV_ROWS4(AVX, gemv_rows_avx, float, dot4_avx, gemv_rows_portable)

// gemv_rows_avx for m vectors at once (rows of X, f apart), into rows of Y (ldy apart), with
// beta 0 and f a multiple of 8: each group of four table rows is loaded once for all m vectors,
// and every score is dot4_avx's, as gemv_rows_avx computes it for that vector alone (same bits).
AVX static void gemv_rows_multi_avx(int32_t f, int64_t n, const float *A, int64_t m, const float *X, float alpha, float *Y,
                                    int64_t ldy) {
    __m128 va = _mm_set1_ps(alpha);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int64_t v = 0; v < m; v++) _mm_storeu_ps(Y + v * ldy + i, _mm_mul_ps(va, dot4_avx(f, A + i * f, X + v * f)));
    if (i < n)
        for (int64_t v = 0; v < m; v++) gemv_rows_portable(f, n - i, A + i * f, X + v * f, alpha, 0, Y + v * ldy + i);
}

F16C static void half_to_float_f16c(int64_t n, const uint16_t *in, float *out) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(in + i))));
    for (; i < n; i++) out[i] = half_portable(in[i]);
}

// ---------------------------------------------------------------- AVX-512
// Used where the CPU has AVX-512 (F and DQ): the rank-1 update, the Cholesky and Gram kernels
// below, the block-ranking tile (tile_avx512) and scoring several vectors at once
// (gemv_rows_multi_avx512). Each gives the bits of its AVX2 counterpart
// where there is one: lanes hold the same sums, added in the same order. At 128 factors the Gram
// and Cholesky kernels have none (AVX2 leaves 128 to ssyrk and spotrf), so the bits differ there.
// On such CPUs the other kernels take their AVX2 paths.

// rank1_avx_F8 with 16-wide registers, F16 = f / 16. Register j holds chunks 2j and 2j + 1 of
// the row, so the dot product's low half adds up chunks 0, 2, 4, … and its high half chunks 1,
// 3, 5, …, in the order of rank1_avx_F8's d0 and d1, and their sum goes through the same hsum.
// With 32 vector registers the vector and the accumulator stay in registers, a group holds 16
// nonzeros, and every line of the row 32 nonzeros ahead is prefetched. At 200k × 10k × 5M, 2
// threads, on an AMD EPYC with AVX-512, a CG iteration takes about a quarter less time than with
// the AVX2 kernel at 64 factors (Benchmarks/README.md, session 33).
#define RANK1_512_GROUP 16
#define RANK1_512_AHEAD 32
#define RANK1_512_FIXED(F16)                                                                              \
    AVX512 static void rank1_avx512_##F16(int64_t n, const int32_t *cols, const float *conf, const float *Y, \
                                          const float *v, float *out, float s0, float s1, float s2) {      \
        enum { f = 16 * F16 };                                                                            \
        float coef[RANK1_512_GROUP];                                                                      \
        __m512 vv[F16];                                                                                   \
        for (int j = 0; j < F16; j++) vv[j] = _mm512_loadu_ps(v + 16 * j);                               \
        for (int64_t k0 = 0; k0 < n; k0 += RANK1_512_GROUP) {                                             \
            int64_t m = n - k0 < RANK1_512_GROUP ? n - k0 : RANK1_512_GROUP;                              \
            for (int64_t g = 0; g < m; g++) {                                                             \
                const float *y = Y + (int64_t)cols[k0 + g] * f;                                           \
                if (k0 + g + RANK1_512_AHEAD < n) {                                                       \
                    const char *ahead = (const char *)(Y + (int64_t)cols[k0 + g + RANK1_512_AHEAD] * f);  \
                    for (int line = 0; line < F16; line++) _mm_prefetch(ahead + 64 * line, _MM_HINT_T0);  \
                }                                                                                         \
                __m512 d = _mm512_setzero_ps();                                                           \
                for (int j = 0; j < F16; j++) d = _mm512_fmadd_ps(_mm512_loadu_ps(y + 16 * j), vv[j], d); \
                float c = conf[k0 + g];                                                                   \
                coef[g] = s0 * c + (s1 * c + s2) * hsum(_mm256_add_ps(_mm512_castps512_ps256(d),         \
                                                                      _mm512_extractf32x8_ps(d, 1)));    \
            }                                                                                             \
            __m512 acc[F16];                                                                              \
            for (int j = 0; j < F16; j++) acc[j] = _mm512_loadu_ps(out + 16 * j);                         \
            for (int64_t g = 0; g < m; g++) {                                                             \
                const float *y = Y + (int64_t)cols[k0 + g] * f;                                           \
                __m512 cc = _mm512_set1_ps(coef[g]);                                                      \
                for (int j = 0; j < F16; j++) acc[j] = _mm512_fmadd_ps(cc, _mm512_loadu_ps(y + 16 * j), acc[j]); \
            }                                                                                             \
            for (int j = 0; j < F16; j++) _mm512_storeu_ps(out + 16 * j, acc[j]);                         \
        }                                                                                                 \
    }
RANK1_512_FIXED(1)
RANK1_512_FIXED(2)
RANK1_512_FIXED(4)
RANK1_512_FIXED(8)

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

// gram_tile_avx with 16-row chunks: a column group's chunks in registers, in passes of at most 4
// (two passes at 128 factors).
AVX512 static inline __attribute__((always_inline)) void gram_tile_avx512(float *C, const float *S, float lambda,
                                                                          const float *G, int64_t m, const int F16,
                                                                          int j0, const int c0, const int start) {
    const int n = 16 * F16, c1 = c0 + 4 < F16 ? c0 + 4 : F16;
    const float *from = start ? S : C;
    __m512 acc[4][4];
    for (int q = 0; q < 4; q++)
        for (int c = c0; c < c1; c++) acc[q][c - c0] = _mm512_loadu_ps(from + (int64_t)(j0 + q) * n + 16 * c);
    if (start && c0 == j0 / 16)
        for (int q = 0; q < 4; q++)
            acc[q][0] = _mm512_mask_add_ps(acc[q][0], (__mmask16)(1u << (j0 % 16 + q)), acc[q][0],
                                           _mm512_set1_ps(lambda));
    for (int64_t k = 0; k < m; k++) {
        const float *g = G + k * n;
        __m512 y[4];
        for (int c = c0; c < c1; c++) y[c - c0] = _mm512_loadu_ps(g + 16 * c);
        for (int q = 0; q < 4; q++) {
            __m512 s = _mm512_set1_ps(g[j0 + q]);
            for (int c = c0; c < c1; c++) acc[q][c - c0] = _mm512_fmadd_ps(s, y[c - c0], acc[q][c - c0]);
        }
    }
    for (int q = 0; q < 4; q++)
        for (int c = c0; c < c1; c++) _mm512_storeu_ps(C + (int64_t)(j0 + q) * n + 16 * c, acc[q][c - c0]);
}

#define GRAM_512_CASE(C0) case C0: if (C0 < f16) gram_tile_avx512(C, S, lambda, G, m, f16, j0, C0, start); break;
#define GRAM_512_FIXED(F16)                                                                               \
    AVX512 static inline __attribute__((always_inline)) void gram_avx512_##F16(                           \
        float *C, const float *S, float lambda, const float *G, int64_t m, const int start) {              \
        enum { f16 = F16 };                                                                               \
        for (int j0 = 0; j0 < 16 * f16; j0 += 4)                                                          \
            for (int c = j0 / 16; c < f16; c += 4)                                                        \
                switch (c) {                                                                              \
                    GRAM_512_CASE(0) GRAM_512_CASE(1) GRAM_512_CASE(2) GRAM_512_CASE(3)                   \
                    GRAM_512_CASE(4) GRAM_512_CASE(5) GRAM_512_CASE(6) GRAM_512_CASE(7)                   \
                }                                                                                         \
    }                                                                                                     \
    AVX512 static void gram_add_avx512_##F16(float *C, const float *G, int64_t m) {                       \
        gram_avx512_##F16(C, NULL, 0, G, m, 0);                                                           \
    }                                                                                                     \
    AVX512 static void gram_start_avx512_##F16(float *C, const float *S, float lambda, const float *G,    \
                                               int64_t m) {                                               \
        gram_avx512_##F16(C, S, lambda, G, m, 1);                                                         \
    }
GRAM_512_FIXED(1)
GRAM_512_FIXED(2)
GRAM_512_FIXED(4)
GRAM_512_FIXED(8)

// The gather with 16-float registers (GATHER_FIXED, defined with the AVX2 kernels).
GATHER_FIXED(AVX512, gather_avx512_1, __m512, _mm512, 16, 1)
GATHER_FIXED(AVX512, gather_avx512_2, __m512, _mm512, 16, 2)
GATHER_FIXED(AVX512, gather_avx512_4, __m512, _mm512, 16, 4)

// gemv_rows_multi_avx with two vectors per register: vector v in the low half, v + 1 in the high
// half, and each chunk of a table row broadcast to both halves. Every lane accumulates dot4_avx's
// products in dot4_avx's order, and hsum4_pairs reduces each half as hsum4 does (the same pairwise
// sums, then the same two halves added), so every score has the bits of gemv_rows_avx for that
// vector alone. A step holds four rows by four vectors in eight accumulators, so each chunk of
// eight factors costs its sixteen (row, vector) pairs eight loads and eight 16-wide FMAs, where
// the AVX2 kernel spends twenty loads and sixteen 8-wide FMAs. At 64 factors and 16 vectors it
// scores a 10k-row table in 0.13–0.16 ms against 0.21–0.28 ms (session 39, a C benchmark).
AVX512 static inline void hsum4_pairs(__m512 a, __m512 b, __m512 c, __m512 d, __m128 *low, __m128 *high) {
    __m512 ab = _mm512_add_ps(_mm512_shuffle_ps(a, b, 0x88), _mm512_shuffle_ps(a, b, 0xDD)); // hadd, per 128 bits
    __m512 cd = _mm512_add_ps(_mm512_shuffle_ps(c, d, 0x88), _mm512_shuffle_ps(c, d, 0xDD));
    __m512 abcd = _mm512_add_ps(_mm512_shuffle_ps(ab, cd, 0x88), _mm512_shuffle_ps(ab, cd, 0xDD));
    __m512 sums = _mm512_add_ps(abcd, _mm512_shuffle_f32x4(abcd, abcd, 0xB1)); // 128-bit lanes 0 + 1, 2 + 3
    *low = _mm512_castps512_ps128(sums);
    *high = _mm512_extractf32x4_ps(sums, 2);
}

// Eight floats of x in the low half and eight f further on (the next vector's) in the high half.
AVX512 static inline __m512 load_pair(const float *x, int32_t f) {
    return _mm512_insertf32x8(_mm512_castps256_ps512(_mm256_loadu_ps(x)), _mm256_loadu_ps(x + f), 1);
}

AVX512 static void gemv_rows_multi_avx512(int32_t f, int64_t n, const float *A, int64_t m, const float *X, float alpha,
                                          float *Y, int64_t ldy) {
    __m128 va = _mm_set1_ps(alpha);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float *a = A + i * f;
        int64_t v = 0;
        for (; v + 4 <= m; v += 4) {
            const float *x = X + v * f;
            __m512 p0 = _mm512_setzero_ps(), p1 = p0, p2 = p0, p3 = p0; // rows 0–3, vectors v and v + 1
            __m512 q0 = p0, q1 = p0, q2 = p0, q3 = p0;                   // rows 0–3, vectors v + 2 and v + 3
            for (int32_t j = 0; j < f; j += 8) {
                __m512 r0 = _mm512_broadcast_f32x8(_mm256_loadu_ps(a + j));
                __m512 r1 = _mm512_broadcast_f32x8(_mm256_loadu_ps(a + f + j));
                __m512 r2 = _mm512_broadcast_f32x8(_mm256_loadu_ps(a + 2 * f + j));
                __m512 r3 = _mm512_broadcast_f32x8(_mm256_loadu_ps(a + 3 * f + j));
                __m512 u = load_pair(x + j, f), w = load_pair(x + 2 * f + j, f);
                p0 = _mm512_fmadd_ps(r0, u, p0), p1 = _mm512_fmadd_ps(r1, u, p1);
                p2 = _mm512_fmadd_ps(r2, u, p2), p3 = _mm512_fmadd_ps(r3, u, p3);
                q0 = _mm512_fmadd_ps(r0, w, q0), q1 = _mm512_fmadd_ps(r1, w, q1);
                q2 = _mm512_fmadd_ps(r2, w, q2), q3 = _mm512_fmadd_ps(r3, w, q3);
            }
            __m128 s[4];
            hsum4_pairs(p0, p1, p2, p3, &s[0], &s[1]);
            hsum4_pairs(q0, q1, q2, q3, &s[2], &s[3]);
            for (int k = 0; k < 4; k++) _mm_storeu_ps(Y + (v + k) * ldy + i, _mm_mul_ps(va, s[k]));
        }
        for (; v < m; v++) _mm_storeu_ps(Y + v * ldy + i, _mm_mul_ps(va, dot4_avx(f, a, X + v * f)));
    }
    if (i < n)
        for (int64_t v = 0; v < m; v++) gemv_rows_portable(f, n - i, A + i * f, X + v * f, alpha, 0, Y + v * ldy + i);
}

// Decided once, before main, so worker threads only ever read them. VENUE_KERNELS=avx2 or
// VENUE_KERNELS=portable caps the level, to compare the paths on one machine.
static int level = LEVEL_PORTABLE, f16c_state = 0;
__attribute__((constructor)) static void detect_level(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = LEVEL_AVX2;
    if (level == LEVEL_AVX2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        level = LEVEL_AVX512;
    const char *cap = getenv("VENUE_KERNELS");
    if (cap && strcmp(cap, "avx2") == 0 && level > LEVEL_AVX2) level = LEVEL_AVX2;
    if (cap && strcmp(cap, "portable") == 0) level = LEVEL_PORTABLE;
    f16c_state = level >= LEVEL_AVX2 && __builtin_cpu_supports("f16c");
}
#else
static const int level = LEVEL_PORTABLE, f16c_state = 0;
#endif
static inline int use_avx2(void) { return level >= LEVEL_AVX2; }
static inline int use_f16c(void) { return f16c_state; }

// ---------------------------------------------------------------- dispatch

float venue_dot(int32_t f, const float *x, const float *y) {
#ifdef VENUE_X86
    if (use_avx2()) return dot_avx(f, x, y);
#endif
    return dot_portable(f, x, y);
}

int venue_kernels_level(void) { return level; }

static void rank1_at(int at, int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                     const float *v, float *out, float s0, float s1, float s2) {
#ifdef VENUE_X86
    if (at >= LEVEL_AVX512) {
        switch (f) {
        case 16: rank1_avx512_1(n, cols, conf, Y, v, out, s0, s1, s2); return;
        case 32: rank1_avx512_2(n, cols, conf, Y, v, out, s0, s1, s2); return;
        case 64: rank1_avx512_4(n, cols, conf, Y, v, out, s0, s1, s2); return;
        case 128: rank1_avx512_8(n, cols, conf, Y, v, out, s0, s1, s2); return;
        }
    }
    if (at >= LEVEL_AVX2) {
        switch (f) {
        case 16: rank1_avx_2(n, cols, conf, Y, v, out, s0, s1, s2); return;
        case 32: rank1_avx_4(n, cols, conf, Y, v, out, s0, s1, s2); return;
        case 64: rank1_avx_8(n, cols, conf, Y, v, out, s0, s1, s2); return;
        case 128: rank1_avx_16(n, cols, conf, Y, v, out, s0, s1, s2); return;
        default: rank1_avx(f, n, cols, conf, Y, v, out, s0, s1, s2); return;
        }
    }
#endif
    rank1_portable(f, n, cols, conf, Y, v, out, s0, s1, s2);
}

void venue_sparse_rank1_update(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                               const float *v, float *out, float s0, float s1, float s2) {
    rank1_at(level, f, n, cols, conf, Y, v, out, s0, s1, s2);
}

int venue_sparse_rank1_update_at(int at, int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                                 const float *v, float *out, float s0, float s1, float s2) {
    if (at < LEVEL_PORTABLE || at > level) return -1;
    rank1_at(at, f, n, cols, conf, Y, v, out, s0, s1, s2);
    return 0;
}

int venue_cholesky_lower(int32_t n, float *a) {
#ifdef VENUE_X86
    if (level >= LEVEL_AVX512) {
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

// S == NULL: C += GᵀG (venue_gram_update); otherwise C = S + λ·I + GᵀG (venue_gram_start).
static int gram_at(int at, int32_t f, int64_t m, const float *G, const float *S, float lambda, float *C) {
#ifdef VENUE_X86
    if (at >= LEVEL_AVX512) {
        switch (f) {
        case 16: S ? gram_start_avx512_1(C, S, lambda, G, m) : gram_add_avx512_1(C, G, m); return 0;
        case 32: S ? gram_start_avx512_2(C, S, lambda, G, m) : gram_add_avx512_2(C, G, m); return 0;
        case 64: S ? gram_start_avx512_4(C, S, lambda, G, m) : gram_add_avx512_4(C, G, m); return 0;
        case 128: S ? gram_start_avx512_8(C, S, lambda, G, m) : gram_add_avx512_8(C, G, m); return 0;
        }
    }
    if (at >= LEVEL_AVX2) {
        switch (f) {
        case 16: S ? gram_start_avx_2(C, S, lambda, G, m) : gram_add_avx_2(C, G, m); return 0;
        case 32: S ? gram_start_avx_4(C, S, lambda, G, m) : gram_add_avx_4(C, G, m); return 0;
        case 64: S ? gram_start_avx_8(C, S, lambda, G, m) : gram_add_avx_8(C, G, m); return 0;
        }
    }
#endif
    (void)at, (void)f, (void)m, (void)G, (void)S, (void)lambda, (void)C;
    return -1;
}

int venue_gram_update(int32_t f, int64_t m, const float *G, float *C) { return gram_at(level, f, m, G, NULL, 0, C); }

int venue_gram_update_at(int at, int32_t f, int64_t m, const float *G, float *C) {
    if (at < LEVEL_PORTABLE || at > level) return -1;
    return gram_at(at, f, m, G, NULL, 0, C);
}

int venue_gram_start(int32_t f, int64_t m, const float *G, const float *S, float lambda, float *C) {
    return gram_at(level, f, m, G, S, lambda, C);
}

int venue_gram_start_at(int at, int32_t f, int64_t m, const float *G, const float *S, float lambda, float *C) {
    if (at < LEVEL_PORTABLE || at > level) return -1;
    return gram_at(at, f, m, G, S, lambda, C);
}

int venue_cholesky_factor_solve(int32_t n, float *a, float *b) { return cholesky_factor_solve_at(level, n, a, b); }

int venue_cholesky_factor_solve_at(int at, int32_t n, float *a, float *b) {
    if (at < LEVEL_PORTABLE || at > level) return -1;
    return cholesky_factor_solve_at(at, n, a, b);
}

int venue_cholesky_solve_lower(int32_t n, const float *a, float *b) {
#ifdef VENUE_X86
    if (use_avx2()) {
        cholesky_solve_avx(n, a, b);
        return 0;
    }
#endif
    return -1;
}

static void gather_at(int at, int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                      float *gathered, float *b) {
#ifdef VENUE_X86
    if (at >= LEVEL_AVX512) {
        switch (f) {
        case 16: gather_avx512_1(n, cols, conf, Y, gathered, b); return;
        case 32: gather_avx512_2(n, cols, conf, Y, gathered, b); return;
        case 64: gather_avx512_4(n, cols, conf, Y, gathered, b); return;
        }
    }
    if (at >= LEVEL_AVX2) {
        switch (f) {
        case 16: gather_avx_2(n, cols, conf, Y, gathered, b); return;
        case 32: gather_avx_4(n, cols, conf, Y, gathered, b); return;
        case 64: gather_avx_8(n, cols, conf, Y, gathered, b); return;
        default: gather_avx(f, n, cols, conf, Y, gathered, b); return;
        }
    }
#endif
    (void)at;
    gather_portable(f, n, cols, conf, Y, gathered, b);
}

void venue_gather_scaled(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                         float *gathered, float *b) {
    gather_at(level, f, n, cols, conf, Y, gathered, b);
}

int venue_gather_scaled_at(int at, int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                           float *gathered, float *b) {
    if (at < LEVEL_PORTABLE || at > level) return -1;
    gather_at(at, f, n, cols, conf, Y, gathered, b);
    return 0;
}

double venue_sparse_loss(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y, const float *x) {
#ifdef VENUE_X86
    if (use_avx2()) return loss_avx(f, n, cols, conf, Y, x);
#endif
    return loss_portable(f, n, cols, conf, Y, x);
}

int venue_kernels_use_f16c(void) { return use_f16c(); }

void venue_half_gemv(int32_t f, int64_t n, const uint16_t *A, const float *x, float alpha, float beta, float *y) {
#ifdef VENUE_X86
    if (use_f16c()) { half_gemv_f16c(f, n, A, x, alpha, beta, y); return; }
#endif
    half_gemv_portable(f, n, A, x, alpha, beta, y);
}

void venue_half_to_float(int64_t n, const uint16_t *in, float *out) {
#ifdef VENUE_X86
    if (use_f16c()) { half_to_float_f16c(n, in, out); return; }
#endif
    for (int64_t i = 0; i < n; i++) out[i] = half_portable(in[i]);
}

int64_t venue_select_keys_above(const float *scores, const float *base, int64_t n, float threshold, int32_t first,
                                uint64_t *out_keys) {
#ifdef VENUE_X86
    if (use_avx2()) return keys_avx(scores, base, n, threshold, first, out_keys);
#endif
    return keys_portable(scores, base, n, threshold, first, out_keys);
}

void venue_block_max(const float *scores, const float *base, int64_t n, int32_t block, float *out) {
#ifdef VENUE_X86
    if (use_avx2()) { block_max_avx(scores, base, n, block, out); return; }
#endif
    block_max_portable(scores, base, n, block, out);
}

void venue_gemv_rows(int32_t f, int64_t n, const float *A, const float *x, float alpha, float beta, float *y) {
#ifdef VENUE_X86
    if (use_avx2()) { gemv_rows_avx(f, n, A, x, alpha, beta, y); return; }
#endif
    gemv_rows_portable(f, n, A, x, alpha, beta, y);
}

void venue_gemv_rows_multi(int32_t f, int64_t n, const float *A, int64_t m, const float *X, float alpha, float *Y, int64_t ldy) {
#ifdef VENUE_X86
    // Widths that are not a multiple of 8 go to the portable kernel, as in gemv_rows_avx.
    // Fewer than four vectors would take none of the AVX-512 kernel's steps (the same bits either way).
    if (level >= LEVEL_AVX512 && f % 8 == 0 && m >= 4) { gemv_rows_multi_avx512(f, n, A, m, X, alpha, Y, ldy); return; }
    if (use_avx2() && f % 8 == 0) { gemv_rows_multi_avx(f, n, A, m, X, alpha, Y, ldy); return; }
#endif
    for (int64_t v = 0; v < m; v++) gemv_rows_portable(f, n, A, X + v * f, alpha, 0, Y + v * ldy);
}

// ---------------------------------------------------------------- fused block candidates
// Scoring a block of shoppers against every brand and keeping only what can still make a
// shopper's top K, without ever writing the shoppers × brands score matrix.

// Keeps the `keep` largest of the `*count` keys in keys[0, keep) (quickselect; keys are distinct)
// and returns the smallest kept score: the new threshold.
static float compact_keys(uint64_t *keys, int64_t *count, int64_t keep) {
    int64_t lo = 0, hi = *count - 1, target = keep - 1;
    while (lo < hi) {
        uint64_t a = keys[lo], b = keys[lo + (hi - lo) / 2], c = keys[hi];
        uint64_t pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        int64_t i = lo, j = hi;
        while (i <= j) {
            while (keys[i] > pivot) i++;
            while (keys[j] < pivot) j--;
            if (i <= j) {
                uint64_t t = keys[i];
                keys[i] = keys[j];
                keys[j] = t;
                i++;
                j--;
            }
        }
        if (target <= j) hi = j;
        else if (target >= i) lo = i;
        else break;
    }
    *count = keep;
    uint64_t smallest = UINT64_MAX;
    for (int64_t i = 0; i < keep; i++)
        if (keys[i] < smallest) smallest = keys[i];
    uint32_t ordered = (uint32_t)(smallest >> 32);
    union { uint32_t u; float f; } v = {(ordered & 0x80000000u) ? (ordered & 0x7FFFFFFFu) : ~ordered};
    return v.f;
}

// One shopper's list: appends the keys of the 16 scores in `s` whose bit is set in `mask`
// (brands first … first + 15), compacting first when fewer than 16 slots are free.
static inline void append_candidates(const float *s, unsigned mask, int32_t first, uint64_t *keys, int64_t capacity,
                                     int64_t *count, float *threshold, int64_t keep) {
    if (*count + 16 > capacity) *threshold = compact_keys(keys, count, keep);
    while (mask) {
        int l = __builtin_ctz(mask);
        mask &= mask - 1;
        if (s[l] > *threshold) keys[(*count)++] = score_key(s[l], first + l);
    }
}

// Panels of 16 brands, factor-major: packed[(p·f + k)·16 + l] = brand (first + 16p + l), factor k;
// zeros past the last brand.
static void pack_panels(int32_t f, int64_t first, int64_t nb, const float *B, const uint16_t *H, float *packed) {
    int64_t panels = (nb + 15) / 16;
    for (int64_t p = 0; p < panels; p++)
        for (int l = 0; l < 16; l++) {
            int64_t b = p * 16 + l;
            float *out = packed + p * f * 16 + l;
            if (b >= nb) {
                for (int32_t k = 0; k < f; k++) out[k * 16] = 0;
            } else if (B) {
                const float *row = B + (first + b) * f;
                for (int32_t k = 0; k < f; k++) out[k * 16] = row[k];
            } else {  // half precision, widened eight factors at a time (F16C when available)
                const uint16_t *row = H + (first + b) * f;
                float w[8];
                for (int32_t k = 0; k < f; k += 8) {
                    int32_t n = f - k < 8 ? f - k : 8;
                    venue_half_to_float(n, row + k, w);
                    for (int32_t j = 0; j < n; j++) out[(k + j) * 16] = w[j];
                }
            }
        }
}

// Scores 16 brands of panel `pp` for up to 6 shoppers (`rows`) and hands each shopper's scores
// above its threshold on.
#define TILE_ROWS 6
#define TILE_ROWS_MAX 12
static void tile_portable(int32_t f, int rows, const float *const *x, const float *pp, int64_t first, int valid,
                          float alpha, const float *base, uint64_t *const *keys, int64_t capacity, int64_t *counts,
                          float *thresholds, const int64_t *keep) {
    for (int r = 0; r < rows; r++) {
        float s[16];
        unsigned mask = 0;
        for (int l = 0; l < 16; l++) {
            float acc = 0;
            for (int32_t k = 0; k < f; k++) acc += x[r][k] * pp[k * 16 + l];
            if (l >= valid) continue;
            s[l] = alpha * acc + (base ? base[first + l] : 0);
            if (s[l] > thresholds[r]) mask |= 1u << l;
        }
        append_candidates(s, mask, (int32_t)first, keys[r], capacity, &counts[r], &thresholds[r], keep[r]);
    }
}

#ifdef VENUE_X86
AVX static void tile_avx(int32_t f, int rows, const float *const *x, const float *pp, int64_t first, int valid,
                         float alpha, const float *base, uint64_t *const *keys, int64_t capacity, int64_t *counts,
                         float *thresholds, const int64_t *keep) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    const float *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3], *x4 = x[4], *x5 = x[5];
    for (int32_t k = 0; k < f; k++) {
        __m256 b0 = _mm256_loadu_ps(pp + k * 16), b1 = _mm256_loadu_ps(pp + k * 16 + 8), a;
        a = _mm256_broadcast_ss(x0 + k); c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
        a = _mm256_broadcast_ss(x1 + k); c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
        a = _mm256_broadcast_ss(x2 + k); c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
        a = _mm256_broadcast_ss(x3 + k); c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
        a = _mm256_broadcast_ss(x4 + k); c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
        a = _mm256_broadcast_ss(x5 + k); c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
    }
    __m256 va = _mm256_set1_ps(alpha);
    __m256 base0 = _mm256_setzero_ps(), base1 = base0;
    if (base && valid == 16) {
        base0 = _mm256_loadu_ps(base + first);
        base1 = _mm256_loadu_ps(base + first + 8);
    } else if (base) {  // the last, partial panel: never read past the base vector
        float tail[16];
        for (int l = 0; l < 16; l++) tail[l] = l < valid ? base[first + l] : 0;
        base0 = _mm256_loadu_ps(tail);
        base1 = _mm256_loadu_ps(tail + 8);
    }
    unsigned lanes = valid >= 16 ? 0xFFFFu : (1u << valid) - 1;
    __m256 acc[TILE_ROWS][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    for (int r = 0; r < rows; r++) {
        __m256 s0 = _mm256_fmadd_ps(va, acc[r][0], base0), s1 = _mm256_fmadd_ps(va, acc[r][1], base1);
        __m256 t = _mm256_set1_ps(thresholds[r]);
        unsigned mask = ((unsigned)_mm256_movemask_ps(_mm256_cmp_ps(s0, t, _CMP_GT_OQ)) |
                         ((unsigned)_mm256_movemask_ps(_mm256_cmp_ps(s1, t, _CMP_GT_OQ)) << 8)) & lanes;
        if (!mask) continue;
        float s[16];
        _mm256_storeu_ps(s, s0);
        _mm256_storeu_ps(s + 8, s1);
        append_candidates(s, mask, (int32_t)first, keys[r], capacity, &counts[r], &thresholds[r], keep[r]);
    }
}

// tile_avx for up to 12 shoppers, a panel of 16 brands in one register: each score is the same
// chain of FMAs over k as in tile_avx, lane for lane, so the same bits.
#define TILE_ROWS_512 12
AVX512 static void tile_avx512(int32_t f, int rows, const float *const *x, const float *pp, int64_t first, int valid,
                               float alpha, const float *base, uint64_t *const *keys, int64_t capacity, int64_t *counts,
                               float *thresholds, const int64_t *keep) {
    __m512 acc[TILE_ROWS_512];
    for (int r = 0; r < TILE_ROWS_512; r++) acc[r] = _mm512_setzero_ps();
    for (int32_t k = 0; k < f; k++) {
        __m512 b = _mm512_loadu_ps(pp + k * 16);
        for (int r = 0; r < TILE_ROWS_512; r++) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(x[r][k]), b, acc[r]);
    }
    __mmask16 lanes = valid >= 16 ? 0xFFFF : (__mmask16)((1u << valid) - 1);
    __m512 va = _mm512_set1_ps(alpha);
    __m512 bb = base ? _mm512_maskz_loadu_ps(lanes, base + first) : _mm512_setzero_ps();  // never past the end
    for (int r = 0; r < rows; r++) {
        __m512 sc = _mm512_fmadd_ps(va, acc[r], bb);
        unsigned mask = _mm512_mask_cmp_ps_mask(lanes, sc, _mm512_set1_ps(thresholds[r]), _CMP_GT_OQ);
        if (!mask) continue;
        float s[16];
        _mm512_storeu_ps(s, sc);
        append_candidates(s, mask, (int32_t)first, keys[r], capacity, &counts[r], &thresholds[r], keep[r]);
    }
}
#endif

float venue_compact_keys(uint64_t *keys, int64_t *count, int64_t keep) { return compact_keys(keys, count, keep); }

int64_t venue_block_candidates_chunk(void) { return 1024; }

void venue_pack_panels(int32_t f, int64_t n, const float *B, float *panels) { pack_panels(f, 0, n, B, 0, panels); }

static void block_candidates_at(int at, int32_t f, int64_t m, const float *X, int64_t n, const float *panels,
                                const float *B, const uint16_t *H, float alpha, const float *base, float *packed,
                                uint64_t *keys, int64_t capacity, int64_t *counts, float *thresholds, const int64_t *keep) {
    const int64_t chunk = venue_block_candidates_chunk();
    // Tiles read packed Float panels whatever the table's precision.
    const int tile_rows = at >= LEVEL_AVX512 ? TILE_ROWS_512 : TILE_ROWS;
    for (int64_t i = 0; i < m; i++) counts[i] = 0;
    for (int64_t start = 0; start < n; start += chunk) {
        int64_t nb = n - start < chunk ? n - start : chunk;
        const float *chunk_panels = panels ? panels + start * f : packed;  // chunks start at multiples of 16 brands
        if (!panels) pack_panels(f, start, nb, B, H, packed);
        for (int64_t i = 0; i < m; i += tile_rows) {
            int rows = m - i < tile_rows ? (int)(m - i) : tile_rows;
            const float *x[TILE_ROWS_MAX];
            uint64_t *k[TILE_ROWS_MAX];
            for (int r = 0; r < tile_rows; r++) {
                int64_t row = i + (r < rows ? r : 0);
                x[r] = X + row * f;
                k[r] = keys + row * capacity;
            }
            for (int64_t p = 0; p < (nb + 15) / 16; p++) {
                int64_t first = start + p * 16;
                int valid = nb - p * 16 < 16 ? (int)(nb - p * 16) : 16;
#ifdef VENUE_X86
                if (at >= LEVEL_AVX512) {
                    tile_avx512(f, rows, x, chunk_panels + p * f * 16, first, valid, alpha, base, k, capacity,
                                counts + i, thresholds + i, keep + i);
                    continue;
                }
                if (at >= LEVEL_AVX2) {
                    tile_avx(f, rows, x, chunk_panels + p * f * 16, first, valid, alpha, base, k, capacity, counts + i,
                             thresholds + i, keep + i);
                    continue;
                }
#endif
                tile_portable(f, rows, x, chunk_panels + p * f * 16, first, valid, alpha, base, k, capacity, counts + i,
                              thresholds + i, keep + i);
            }
        }
    }
}

void venue_block_candidates(int32_t f, int64_t m, const float *X, int64_t n, const float *panels, const float *B,
                            const uint16_t *H, float alpha, const float *base, float *packed, uint64_t *keys,
                            int64_t capacity, int64_t *counts, float *thresholds, const int64_t *keep) {
    block_candidates_at(level, f, m, X, n, panels, B, H, alpha, base, packed, keys, capacity, counts, thresholds, keep);
}

int venue_block_candidates_at(int at, int32_t f, int64_t m, const float *X, int64_t n, const float *panels,
                              const float *B, const uint16_t *H, float alpha, const float *base, float *packed,
                              uint64_t *keys, int64_t capacity, int64_t *counts, float *thresholds, const int64_t *keep) {
    if (at < LEVEL_PORTABLE || at > level) return -1;
    block_candidates_at(at, f, m, X, n, panels, B, H, alpha, base, packed, keys, capacity, counts, thresholds, keep);
    return 0;
}
