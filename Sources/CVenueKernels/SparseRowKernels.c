// The sparse parts of implicit ALS, a row at a time: the conjugate-gradient solver's rank-1
// update (venue_sparse_rank1_update), the exact solver's gather and Gram correction
// (venue_gather_scaled, venue_gram_update, venue_gram_start), and a row's share of the loss.
// Portable versions, AVX2+FMA ones (fixed widths of 16, 32, 64 and 128 factors in registers), and
// AVX-512 ones that give the AVX2 ones' bits; Swift's face for them is `SparseRowKernels`.
#include "KernelSupport.h"
#include "SparseRowKernels.h"

// ---------------------------------------------------------------- portable
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

#ifdef VENUE_X86
// ---------------------------------------------------------------- AVX2 + FMA
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

// ---------------------------------------------------------------- AVX-512
// The rank-1 update, the Gram tile and the gather with 16-wide registers, where the CPU has
// AVX-512 (F and DQ). Each gives the bits of its AVX2 counterpart where there is one: lanes hold
// the same sums, added in the same order. At 128 factors the Gram kernel has none (AVX2 leaves
// 128 to ssyrk), so the bits differ there.

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
#endif

// ---------------------------------------------------------------- dispatch
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
    (void)at;
    rank1_portable(f, n, cols, conf, Y, v, out, s0, s1, s2);
}

void venue_sparse_rank1_update(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                               const float *v, float *out, float s0, float s1, float s2) {
    rank1_at(venue_level, f, n, cols, conf, Y, v, out, s0, s1, s2);
}

int venue_sparse_rank1_update_at(int at, int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                                 const float *v, float *out, float s0, float s1, float s2) {
    if (!level_available(at)) return -1;
    rank1_at(at, f, n, cols, conf, Y, v, out, s0, s1, s2);
    return 0;
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

int venue_gram_update(int32_t f, int64_t m, const float *G, float *C) { return gram_at(venue_level, f, m, G, NULL, 0, C); }

int venue_gram_update_at(int at, int32_t f, int64_t m, const float *G, float *C) {
    if (!level_available(at)) return -1;
    return gram_at(at, f, m, G, NULL, 0, C);
}

int venue_gram_start(int32_t f, int64_t m, const float *G, const float *S, float lambda, float *C) {
    return gram_at(venue_level, f, m, G, S, lambda, C);
}

int venue_gram_start_at(int at, int32_t f, int64_t m, const float *G, const float *S, float lambda, float *C) {
    if (!level_available(at)) return -1;
    return gram_at(at, f, m, G, S, lambda, C);
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
    gather_at(venue_level, f, n, cols, conf, Y, gathered, b);
}

int venue_gather_scaled_at(int at, int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                           float *gathered, float *b) {
    if (!level_available(at)) return -1;
    gather_at(at, f, n, cols, conf, Y, gathered, b);
    return 0;
}

double venue_sparse_loss(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y, const float *x) {
#ifdef VENUE_X86
    if (use_avx2()) return loss_avx(f, n, cols, conf, Y, x);
#endif
    return loss_portable(f, n, cols, conf, Y, x);
}
