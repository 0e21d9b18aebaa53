// Fused kernels for the sparse parts of implicit ALS, with an AVX2+FMA path chosen at run time
// (per-function target attributes: no special build flags) and a portable fallback.
// Only VenueLinearAlgebra imports this module; its Swift API is `SparseRowKernels`.
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

/// For each k: gathered[k·f ..] = sqrt(max(c_k − 1, 0)) · Y[cols[k]]; and b += c_k · Y[cols[k]].
void venue_gather_scaled(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y,
                         float *gathered, float *b);

/// Σ_k over the row of (c_k (1 − t_k)² − t_k²), t_k = Y[cols[k]] · x, in double.
double venue_sparse_loss(int32_t f, int64_t n, const int32_t *cols, const float *conf, const float *Y, const float *x);

/// x · y over f floats.
float venue_dot(int32_t f, const float *x, const float *y);

/// 1 when the AVX2+FMA path is in use.
int venue_kernels_use_avx2(void);

#ifdef __cplusplus
}
#endif
