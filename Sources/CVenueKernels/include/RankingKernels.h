// Scoring and top-K selection for ranking (RankingKernels.c).
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Finds every j in [0, n) with s_j = scores[j] + (base ? base[j] : 0) > threshold (NaN never
/// passes), in ascending order, and writes each as one sortable key: the order-preserving bits of
/// s_j (−0 read as +0) in the high 32 bits and ~(first + j) in the low 32, so a larger key is a
/// higher score, then a lower index. Returns how many.
int64_t venue_select_keys_above(const float *scores, const float *base, int64_t n, float threshold, int32_t first,
                                uint64_t *out_keys);

/// out[i] = the largest s_j = scores[j] + (base ? base[j] : 0) over block i, j in
/// [i·block, min((i+1)·block, n)), NaN ignored (−infinity when the block has no number).
/// block is a positive multiple of 8.
void venue_block_max(const float *scores, const float *base, int64_t n, int32_t block, float *out);

/// y[i] = beta·y[i] + alpha·(A[i] · x) for the n rows of A, f half-precision (IEEE binary16) values
/// each, converted exactly to float; F16C path chosen at run time.
void venue_half_gemv(int32_t f, int64_t n, const uint16_t *A, const float *x, float alpha, float beta, float *y);

/// y[i] = beta·y[i] + alpha·(A[i] · x) for the n rows of A, f floats each (row-major
/// sgemv, four rows per step).
void venue_gemv_rows(int32_t f, int64_t n, const float *A, const float *x, float alpha, float beta, float *y);

/// Y[v·ldy + i] = alpha·(A[i] · X[v]) for the m vectors X[v] (rows of X, f floats each) and the n
/// rows of A: venue_gemv_rows with beta 0 for each vector, bit for bit, reading A once per group
/// of rows for all m vectors.
void venue_gemv_rows_multi(int32_t f, int64_t n, const float *A, int64_t m, const float *X, float alpha, float *Y, int64_t ldy);

/// out[i] = float(in[i]) for n half-precision values (exact).
void venue_half_to_float(int64_t n, const uint16_t *in, float *out);

/// Keeps the `keep` largest of the *count distinct keys (see venue_select_keys_above) in
/// keys[0, keep) by quickselect, sets *count = keep and returns the smallest kept score: the new
/// threshold. Requires 0 < keep ≤ *count.
float venue_compact_keys(uint64_t *keys, int64_t *count, int64_t keep);

/// Brands per chunk of venue_block_candidates: a half-precision table is widened a chunk at a time.
int64_t venue_block_candidates_chunk(void);

/// Floats in venue_block_candidates' `widened` scratch for f factors: a chunk of widened panels,
/// and room to start them on a 64-byte boundary.
int64_t venue_block_candidates_scratch(int32_t f);

/// Packs the n × f row-major table B into panels of 16 brands, factor-major, zero-padded:
/// panels[(p·f + k)·16 + l] = B[(16p + l)·f + k]; `panels` holds ⌈n/16⌉·16·f floats.
void venue_pack_panels(int32_t f, int64_t n, const float *B, float *panels);

/// Scoring fused with top-K candidate selection for a block of shoppers, never writing the
/// m × n score matrix. Shopper i (row X + i·f) scores brand j as
/// s = alpha·(X_i · brand j) + (base ? base[j] : 0), the brands read from `panels` (the table as
/// venue_pack_panels packs it; fastest on a 64-byte boundary) or, when `panels` is NULL, from
/// `half_panels` (the same layout in IEEE half precision, widened exactly into `widened`,
/// venue_block_candidates_scratch(f) floats, a chunk at a time: the same scores). Brands are
/// scored in ascending order, a tile of 6 shoppers (12 with AVX-512) × 16 brands at a time. Each shopper's scores above thresholds[i] (the caller's starting value, −infinity for
/// none; NaN never passes) go into keys + i·capacity as sortable keys (see
/// venue_select_keys_above); when a list is full the best keep[i] are kept and thresholds[i]
/// rises to the smallest kept score. On return, the counts[i] keys (fewer than capacity, in no
/// particular order) include the best keep[i] of shopper i's scores above its starting
/// threshold, or all of them when fewer passed (then counts[i] < keep[i]). capacity ≥ keep[i] + 16
/// for every i.
void venue_block_candidates(int32_t f, int64_t m, const float *X, int64_t n, const float *panels,
                            const uint16_t *half_panels, float alpha, const float *base, float *widened,
                            uint64_t *keys, int64_t capacity, int64_t *counts, float *thresholds, const int64_t *keep);

/// venue_block_candidates on the path of the given level (see venue_kernels_level), for comparing
/// paths: 0 when done, −1 (nothing written) when the level is above the one in use.
int venue_block_candidates_at(int level, int32_t f, int64_t m, const float *X, int64_t n, const float *panels,
                              const uint16_t *half_panels, float alpha, const float *base, float *widened,
                              uint64_t *keys, int64_t capacity, int64_t *counts, float *thresholds,
                              const int64_t *keep);

#ifdef __cplusplus
}
#endif
