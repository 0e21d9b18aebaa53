// Small dense Cholesky factors and solves for the exact ALS solver (CholeskyKernels.c).
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif
