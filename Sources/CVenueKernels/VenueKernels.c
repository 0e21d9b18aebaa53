#include "VenueKernels.h"
#include <math.h>

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

// ---------------------------------------------------------------- AVX2 + FMA
#ifdef VENUE_X86
#define AVX __attribute__((target("avx2,fma")))

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

// F8 = f / 8 known at compile time: v and out stay in registers across the row.
#define RANK1_FIXED(F8)                                                                                   \
    AVX static void rank1_avx_##F8(int64_t n, const int32_t *cols, const float *conf, const float *Y,    \
                                   const float *v, float *out, float s0, float s1, float s2) {            \
        enum { f = 8 * F8 };                                                                              \
        __m256 vv[F8], acc[F8];                                                                           \
        for (int j = 0; j < F8; j++) { vv[j] = _mm256_loadu_ps(v + 8 * j); acc[j] = _mm256_loadu_ps(out + 8 * j); } \
        for (int64_t k = 0; k < n; k++) {                                                                 \
            const float *y = Y + (int64_t)cols[k] * f;                                                    \
            if (k + 2 < n) _mm_prefetch((const char *)(Y + (int64_t)cols[k + 2] * f), _MM_HINT_T0);      \
            __m256 yy[F8];                                                                                \
            __m256 d0 = _mm256_setzero_ps(), d1 = _mm256_setzero_ps();                                    \
            for (int j = 0; j < F8; j++) {                                                                \
                yy[j] = _mm256_loadu_ps(y + 8 * j);                                                       \
                if (j & 1) d1 = _mm256_fmadd_ps(yy[j], vv[j], d1); else d0 = _mm256_fmadd_ps(yy[j], vv[j], d0); \
            }                                                                                             \
            float c = conf[k];                                                                            \
            float coef = s0 * c + (s1 * c + s2) * hsum(_mm256_add_ps(d0, d1));                            \
            __m256 cc = _mm256_set1_ps(coef);                                                             \
            for (int j = 0; j < F8; j++) acc[j] = _mm256_fmadd_ps(cc, yy[j], acc[j]);                     \
        }                                                                                                 \
        for (int j = 0; j < F8; j++) _mm256_storeu_ps(out + 8 * j, acc[j]);                              \
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

AVX static double loss_avx(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y, const float *x) {
    double sum = 0;
    for (int64_t k = 0; k < n; k++) {
        double t = dot_avx(f, Y + (int64_t)cols[k] * f, x);
        sum += conf[k] * (1 - t) * (1 - t) - t * t;
    }
    return sum;
}

// Decided once, before main, so worker threads only ever read it.
static int avx2_state = 0;
__attribute__((constructor)) static void detect_avx2(void) {
    __builtin_cpu_init();
    avx2_state = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
static inline int use_avx2(void) { return avx2_state; }
#else
static int use_avx2(void) { return 0; }
#endif

// ---------------------------------------------------------------- dispatch
int venue_kernels_use_avx2(void) { return use_avx2(); }

float venue_dot(int32_t f, const float *x, const float *y) {
#ifdef VENUE_X86
    if (use_avx2()) return dot_avx(f, x, y);
#endif
    return dot_portable(f, x, y);
}

void venue_sparse_rank1_update(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                               const float *v, float *out, float s0, float s1, float s2) {
#ifdef VENUE_X86
    if (use_avx2()) {
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

void venue_gather_scaled(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                         float *gathered, float *b) {
#ifdef VENUE_X86
    if (use_avx2()) { gather_avx(f, n, cols, conf, Y, gathered, b); return; }
#endif
    gather_portable(f, n, cols, conf, Y, gathered, b);
}

double venue_sparse_loss(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y, const float *x) {
#ifdef VENUE_X86
    if (use_avx2()) return loss_avx(f, n, cols, conf, Y, x);
#endif
    return loss_portable(f, n, cols, conf, Y, x);
}
