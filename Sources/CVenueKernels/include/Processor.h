// CVenueKernels: fused C kernels for the sparse parts of implicit ALS (SparseRowKernels.h), small
// Cholesky solves (CholeskyKernels.h) and ranking (RankingKernels.h). Each has portable code and
// AVX2+FMA paths, and AVX-512 ones where they pay, chosen at run time (per-function target
// attributes: no special build flags); the AVX-512 paths give the AVX2 paths' bits where both
// have a kernel (128 factors is AVX-512 only). VENUE_KERNELS=avx2 or VENUE_KERNELS=portable in
// the environment caps the level, to compare the paths. Only VenueLinearAlgebra imports this
// module; its Swift API is `SparseRowKernels`, `RankingKernels`, `Cholesky` and `InstructionSet`.
//
// This header: which paths run, and a spin-wait hint.
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The widest path in use: 0 portable, 1 AVX2+FMA, 2 AVX-512 (F and DQ).
int venue_kernels_level(void);

/// 1 when the F16C path is in use.
int venue_kernels_use_f16c(void);

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
