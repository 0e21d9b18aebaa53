// What the kernel files share, and nothing they do not: the instruction-set levels and the one
// decided at start-up (Processor.c), the target attributes that let one build carry AVX2 and
// AVX-512 paths beside portable ones, and the small helpers more than one family uses. Private to
// this module (not under include/).
#pragma once
#include <math.h>
#include <stddef.h>
#include <stdint.h>

enum { LEVEL_PORTABLE = 0, LEVEL_AVX2 = 1, LEVEL_AVX512 = 2 };

// VENUE_NO_SIMD leaves the x86 paths out, as a build for another CPU does: a test compiles the
// kernels so, which keeps the portable build compiling on an x86 machine.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(VENUE_NO_SIMD)
#define VENUE_X86 1
#include <immintrin.h>
#endif

// The widest path in use, and whether F16C is, set once before main (Processor.c), so worker
// threads only ever read them.
extern int venue_level __attribute__((visibility("hidden")));
extern int venue_f16c __attribute__((visibility("hidden")));
static inline int use_avx2(void) { return venue_level >= LEVEL_AVX2; }
static inline int use_f16c(void) { return venue_f16c; }
// Whether an `_at` entry point may run the path for level `at` on this machine.
static inline int level_available(int at) { return at >= LEVEL_PORTABLE && at <= venue_level; }

// x · y over f floats: eight partial sums, added pairwise, then the tail.
static inline float dot_portable(int32_t f, const float *x, const float *y) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int32_t i = 0;
    for (; i + 8 <= f; i += 8)
        for (int j = 0; j < 8; j++) acc[j] += x[i + j] * y[i + j];
    float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; i < f; i++) s += x[i] * y[i];
    return s;
}

#ifdef VENUE_X86
#define AVX __attribute__((target("avx2,fma")))
#define AVX512 __attribute__((target("avx512f,avx512dq,avx2,fma")))
#define F16C __attribute__((target("avx2,fma,f16c")))

// The sum of v's eight lanes: halves, then pairs, then the last two.
AVX static inline float hsum(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    __m128 s = _mm_add_ps(lo, hi);
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}
#endif
