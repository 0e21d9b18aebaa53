// The sparse parts of implicit ALS, one row of the interaction matrix at a time (SparseRowKernels.c).
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// out[0..f) += Σ_k coef_k · Y[cols[k]], with t_k = Y[cols[k]] · v and
/// coef_k = s0·c_k + (s1·c_k + s2)·t_k, c_k = conf[k].
/// Rows of Y are f floats apart. Summation order is fixed (deterministic).
void venue_sparse_rank1_update(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                               const float *v, float *out, float s0, float s1, float s2);

/// venue_sparse_rank1_update on the path of the given level (see venue_kernels_level), for
/// comparing paths: 0 when done, −1 (out untouched) when the level is above the one in use.
int venue_sparse_rank1_update_at(int level, int32_t f, int64_t n, const int32_t *cols, const float *conf,
                                 const float *Y, const float *v, float *out, float s0, float s1, float s2);

/// For each k: gathered[k·f ..] = sqrt(max(c_k − 1, 0)) · Y[cols[k]]; and b += c_k · Y[cols[k]].
void venue_gather_scaled(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                         float *gathered, float *b);

/// venue_gather_scaled on the path for level `at`, to compare the paths: 0, or −1, doing
/// nothing, when `at` is above this machine's level. The AVX2 and AVX-512 paths give the same
/// bits; the portable one rounds apart.
int venue_gather_scaled_at(int at, int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                           float *gathered, float *b);

/// C += Σ_k g_k·g_kᵀ for the m rows g_k of G (f floats each, f apart), C f × f column-major: its
/// lower triangle and diagonal get the sums, each element one FMA chain over k in order (the
/// AVX-512 path gives the AVX2 path's bits); elements above the diagonal may be updated or not.
/// Returns 0, or −1, leaving C alone, when this kernel does not handle f (only 16, 32 and 64
/// with AVX2+FMA, and 128 with AVX-512): then use ssyrk.
int venue_gram_update(int32_t f, int64_t m, const float *G, float *C);

/// venue_gram_update on the path for level `at`, to compare the paths; −1 when `at` is above
/// this machine's level.
int venue_gram_update_at(int at, int32_t f, int64_t m, const float *G, float *C);

/// C = S + λ·I + Σ_k g_k·g_kᵀ, S f × f column-major: venue_gram_update starting from S and λ
/// instead of C, with the bits of copying S into C, adding λ to its diagonal and updating, on the
/// same elements (the lower triangle and diagonal; C's other elements may be written or not).
/// Returns −1, leaving C alone, where venue_gram_update would.
int venue_gram_start(int32_t f, int64_t m, const float *G, const float *S, float lambda, float *C);

/// venue_gram_start on the path for level `at`, to compare the paths; −1 when `at` is above
/// this machine's level.
int venue_gram_start_at(int at, int32_t f, int64_t m, const float *G, const float *S, float lambda, float *C);

/// Σ_k over the row of (c_k (1 − t_k)² − t_k²), t_k = Y[cols[k]] · x, in double.
double venue_sparse_loss(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y, const float *x);

#ifdef __cplusplus
}
#endif
