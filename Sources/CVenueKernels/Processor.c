// Which kernel paths this machine runs (KernelSupport.h's levels), decided once before main.
#include "KernelSupport.h"
#include "Processor.h"
#include <stdlib.h>
#include <string.h>

int venue_level = LEVEL_PORTABLE, venue_f16c = 0;

#ifdef VENUE_X86
// The widest level the CPU supports; VENUE_KERNELS=avx2 or VENUE_KERNELS=portable caps it, to
// compare the paths on one machine.
__attribute__((constructor)) static void detect_level(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) venue_level = LEVEL_AVX2;
    if (venue_level == LEVEL_AVX2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        venue_level = LEVEL_AVX512;
    const char *cap = getenv("VENUE_KERNELS");
    if (cap && strcmp(cap, "avx2") == 0 && venue_level > LEVEL_AVX2) venue_level = LEVEL_AVX2;
    if (cap && strcmp(cap, "portable") == 0) venue_level = LEVEL_PORTABLE;
    venue_f16c = venue_level >= LEVEL_AVX2 && __builtin_cpu_supports("f16c");
}
#endif

int venue_kernels_level(void) { return venue_level; }

int venue_kernels_use_f16c(void) { return use_f16c(); }
