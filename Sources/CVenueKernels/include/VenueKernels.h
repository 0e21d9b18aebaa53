// Fused kernels for the sparse parts of implicit ALS and for ranking, with AVX2+FMA paths (and
// AVX-512 ones for the rank-1 update, the Gram update, the small Cholesky kernels, the
// block-candidates tile and scoring several vectors at once) chosen at run time (per-function target attributes: no special build
// flags) and portable fallbacks. The AVX-512 paths give the AVX2 paths' bits where both have a
// kernel (128 factors is AVX-512 only). VENUE_KERNELS=avx2 or VENUE_KERNELS=portable in the
// environment caps the level, to compare the paths.
// Only VenueLinearAlgebra imports this module; its Swift API is `SparseRowKernels`,
// `RankingKernels`, `Cholesky` and `InstructionSet`.
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

/// x · y over f floats.
float venue_dot(int32_t f, const float *x, const float *y);

/// Cholesky factor of the n × n symmetric positive-definite matrix a (column-major, lda = n),
/// in place: reads and overwrites the lower triangle with L (A = L·Lᵀ), as LAPACK's spotrf('L');
/// the strict upper triangle is left as it was. Returns 0, j + 1 when the (j + 1)-th leading
/// minor is not positive, or −1 when this kernel does not handle n (only 16, 32 and 64 with
/// AVX2+FMA, and 128 with AVX-512): then use LAPACK. A NaN goes on into the factor, as in
/// OpenBLAS's spotrf.
int venue_cholesky_lower(int32_t n, float *a);

/// Solves L·Lᵀ·x = b in place (b holds n floats) with the factor of venue_cholesky_lower or of
/// LAPACK's spotrf('L') (column-major, lda = n). Returns 0, or −1 without AVX2+FMA: then use
/// LAPACK. Any n.
int venue_cholesky_solve_lower(int32_t n, const float *a, float *b);

/// Solves A·x = b in place for the n × n symmetric positive-definite A (column-major, lower
/// triangle read; b holds n floats), factoring and substituting in one call: a is overwritten by
/// L below and on the diagonal, as venue_cholesky_lower writes it (the same bits), and by the
/// rows of L above the diagonal (a[j·n + k] = L[j,k] for k < j), b by x. Returns 0, j + 1 when
/// the (j + 1)-th leading minor is not positive (a and b then hold partial results), or −1 when
/// this kernel does not handle n (only 16, 32 and 64 with AVX2+FMA, and 128 with AVX-512): then
/// factor and solve apart. The substitutions multiply by 1 / L[j,j] rather than divide, so x is
/// not venue_cholesky_solve_lower's to the bit. The AVX-512 path gives the AVX2 path's bits where
/// both have a kernel.
int venue_cholesky_factor_solve(int32_t n, float *a, float *b);

/// venue_cholesky_factor_solve on the path for level `at` (0 portable, 1 AVX2, 2 AVX-512), to
/// compare the paths; −1, leaving a and b alone, when `at` is above this machine's level.
int venue_cholesky_factor_solve_at(int at, int32_t n, float *a, float *b);

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

/// 1 when the F16C path is in use.
int venue_kernels_use_f16c(void);

/// The widest path in use: 0 portable, 1 AVX2+FMA, 2 AVX-512 (F and DQ).
int venue_kernels_level(void);

/// venue_sparse_rank1_update on the path of the given level (see venue_kernels_level), for
/// comparing paths: 0 when done, −1 (out untouched) when the level is above the one in use.
int venue_sparse_rank1_update_at(int level, int32_t f, int64_t n, const int32_t *cols, const float *conf,
                                 const float *Y, const float *v, float *out, float s0, float s1, float s2);

/// Keeps the `keep` largest of the *count distinct keys (see venue_select_keys_above) in
/// keys[0, keep) by quickselect, sets *count = keep and returns the smallest kept score: the new
/// threshold. Requires 0 < keep ≤ *count.
float venue_compact_keys(uint64_t *keys, int64_t *count, int64_t keep);

/// Brands packed per chunk by venue_block_candidates: `packed` holds chunk · f floats.
int64_t venue_block_candidates_chunk(void);

/// Scoring fused with top-K candidate selection for a block of shoppers, never writing the
/// m × n score matrix. Shopper i (row X + i·f) scores brand j (row B + j·f, or half-precision
/// H + j·f when B is NULL) as s = alpha·(X_i · brand j) + (base ? base[j] : 0). Brands are
/// scored in ascending order, a chunk at a time (packed into `packed`, chunk · f
/// floats) and a tile of 6 shoppers (12 with AVX-512) × 16 brands at a time. Each shopper's scores above
/// thresholds[i] (the caller's starting value, −infinity for none; NaN never passes) go into
/// keys + i·capacity as sortable keys (see venue_select_keys_above); when a list is full the best
/// keep[i] are kept and thresholds[i] rises to the smallest kept score. On return, the counts[i]
/// keys (fewer than capacity, in no particular order) include the best keep[i] of shopper i's
/// scores above its starting threshold, or all of them when fewer passed (then counts[i] <
/// keep[i]). capacity ≥ keep[i] + 16 for every i.
/// `panels`, when not NULL, is the whole table already packed by venue_pack_panels (then B, H
/// and `packed` are not read).
void venue_block_candidates(int32_t f, int64_t m, const float *X, int64_t n, const float *panels, const float *B,
                            const uint16_t *H, float alpha, const float *base, float *packed, uint64_t *keys,
                            int64_t capacity, int64_t *counts, float *thresholds, const int64_t *keep);

/// venue_block_candidates on the path of the given level (see venue_kernels_level), for comparing
/// paths: 0 when done, −1 (nothing written) when the level is above the one in use.
int venue_block_candidates_at(int level, int32_t f, int64_t m, const float *X, int64_t n, const float *panels,
                              const float *B, const uint16_t *H, float alpha, const float *base, float *packed,
                              uint64_t *keys, int64_t capacity, int64_t *counts, float *thresholds, const int64_t *keep);

/// Packs the n × f row-major table B into panels of 16 brands, factor-major, zero-padded:
/// panels[(p·f + k)·16 + l] = B[(16p + l)·f + k]; `panels` holds ⌈n/16⌉·16·f floats.
void venue_pack_panels(int32_t f, int64_t n, const float *B, float *panels);

/// Tells the CPU the caller is spin-waiting (x86 `pause`, Arm `yield`), so a spinning thread
/// yields pipeline resources and leaves the loop quickly when the awaited write lands.
static inline void venue_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#ifdef __cplusplus
}
#endif
