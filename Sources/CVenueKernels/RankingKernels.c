// Scoring brands for shoppers and keeping the best: row-major gemv over the brand table in
// float and half precision, for one vector or several at once; selecting the scores above a
// threshold as sortable keys; block maxima; and scoring a block of shoppers fused with top-K
// candidate selection, never writing the score matrix. The gemv kernels score through one
// four-row dot product (dot4_avx) and the block tiles through one FMA chain per score, so the
// AVX2 and AVX-512 paths of each give the same bits. Swift's face for them is `RankingKernels`.
#include "KernelSupport.h"
#include "RankingKernels.h"

// ---------------------------------------------------------------- portable
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

#ifdef VENUE_X86
// ---------------------------------------------------------------- AVX2 + FMA, F16C
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
#endif

// ---------------------------------------------------------------- dispatch
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
    if (venue_level >= LEVEL_AVX512 && f % 8 == 0 && m >= 4) { gemv_rows_multi_avx512(f, n, A, m, X, alpha, Y, ldy); return; }
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

// Panels of 16 brands, factor-major: panels[(p·f + k)·16 + l] = brand (16p + l), factor k; zeros
// past the last brand.
void venue_pack_panels(int32_t f, int64_t n, const float *B, float *panels) {
    for (int64_t p = 0; p < (n + 15) / 16; p++)
        for (int l = 0; l < 16; l++) {
            int64_t b = p * 16 + l;
            float *out = panels + p * f * 16 + l;
            for (int32_t k = 0; k < f; k++) out[k * 16] = b < n ? B[b * f + k] : 0;
        }
}

// Scores 16 brands of panel `pp` for up to 6 shoppers (`rows`) and hands each shopper's scores
// above its threshold on.
#define TILE_ROWS 6
#define TILE_ROWS_512 12 // tile_avx512
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

int64_t venue_block_candidates_scratch(int32_t f) { return venue_block_candidates_chunk() * f + 16; }

static void block_candidates_at(int at, int32_t f, int64_t m, const float *X, int64_t n, const float *panels,
                                const uint16_t *half_panels, float alpha, const float *base, float *widened,
                                uint64_t *keys, int64_t capacity, int64_t *counts, float *thresholds, const int64_t *keep) {
    const int64_t chunk = venue_block_candidates_chunk();
    const int tile_rows = at >= LEVEL_AVX512 ? TILE_ROWS_512 : TILE_ROWS;
    // Widened panels start on a cache line, as a vector load of a panel row is one line.
    float *aligned = widened ? (float *)(((uintptr_t)widened + 63) & ~(uintptr_t)63) : 0;
    for (int64_t i = 0; i < m; i++) counts[i] = 0;
    for (int64_t start = 0; start < n; start += chunk) {
        int64_t nb = n - start < chunk ? n - start : chunk;
        // Chunks start at multiples of 16 brands, so at panel boundaries; half-precision panels
        // are widened a chunk at a time (exactly), contiguously.
        const float *chunk_panels = panels ? panels + start * f : aligned;
        if (!panels) venue_half_to_float((nb + 15) / 16 * 16 * f, half_panels + start * f, aligned);
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

void venue_block_candidates(int32_t f, int64_t m, const float *X, int64_t n, const float *panels,
                            const uint16_t *half_panels, float alpha, const float *base, float *widened,
                            uint64_t *keys, int64_t capacity, int64_t *counts, float *thresholds, const int64_t *keep) {
    block_candidates_at(venue_level, f, m, X, n, panels, half_panels, alpha, base, widened, keys, capacity, counts,
                        thresholds, keep);
}

int venue_block_candidates_at(int at, int32_t f, int64_t m, const float *X, int64_t n, const float *panels,
                              const uint16_t *half_panels, float alpha, const float *base, float *widened,
                              uint64_t *keys, int64_t capacity, int64_t *counts, float *thresholds,
                              const int64_t *keep) {
    if (!level_available(at)) return -1;
    block_candidates_at(at, f, m, X, n, panels, half_panels, alpha, base, widened, keys, capacity, counts, thresholds,
                        keep);
    return 0;
}
