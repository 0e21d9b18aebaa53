#!/usr/bin/env bash
# Compiles the C kernels (Sources/CVenueKernels) for targets this machine cannot build for —
# 64-bit Arm Linux, Apple silicon macOS, and x86-64 without SIMD — with clang's -fsyntax-only,
# -Wall -Wextra and -Werror: a check that the portable paths compile and that no x86 intrinsic
# leaks outside its guard. No target C library is needed: the few libc declarations the kernels
# use are given by small stand-in headers written to a temporary folder. Not a build: it does not
# link, and says nothing of the Swift code or of OpenBLAS/LAPACKE on those targets.
#
#   scripts/check-c-targets.sh            # every target; exit 1 on any diagnostic
set -euo pipefail
cd "$(dirname "$0")/.."
clang=$(command -v clang || true)
[[ -n $clang ]] || { echo "clang not found (it comes with the Swift toolchain)" >&2; exit 2; }
shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
cat > "$shim/math.h" <<'H'
float sqrtf(float); double sqrt(double); float expf(float); double exp(double); float fabsf(float); double fabs(double);
float logf(float); double log(double); float fmaxf(float, float); float fminf(float, float);
float powf(float, float); double pow(double, double);
#define INFINITY __builtin_inff()
#define NAN __builtin_nanf("")
#define HUGE_VALF __builtin_huge_valf()
#define isnan(x) __builtin_isnan(x)
#define isinf(x) __builtin_isinf(x)
#define isfinite(x) __builtin_isfinite(x)
H
cat > "$shim/stdlib.h" <<'H'
#include <stddef.h>
void *malloc(size_t); void *calloc(size_t, size_t); void free(void *); char *getenv(const char *);
int atoi(const char *); long strtol(const char *, char **, int);
void qsort(void *, size_t, size_t, int (*)(const void *, const void *));
H
cat > "$shim/string.h" <<'H'
#include <stddef.h>
void *memcpy(void *, const void *, size_t); void *memset(void *, int, size_t); int memcmp(const void *, const void *, size_t);
size_t strlen(const char *); int strcmp(const char *, const char *); int strncmp(const char *, const char *, size_t);
char *strstr(const char *, const char *);
H
status=0
for target in aarch64-unknown-linux-gnu arm64-apple-macos13 "x86_64-unknown-linux-gnu -DVENUE_NO_SIMD"; do
  failed=0
  for file in Sources/CVenueKernels/*.c; do
    # shellcheck disable=SC2086 # the target carries its own flags
    if ! "$clang" --target=$target -std=c11 -O2 -fsyntax-only -Wall -Wextra -Werror -nostdlibinc -I "$shim" \
        -I Sources/CVenueKernels/include -I Sources/CVenueKernels "$file"; then
      echo "FAILED: $file for $target" >&2
      failed=1
    fi
  done
  if [[ $failed == 0 ]]; then echo "$target: every kernel file compiles"; else status=1; fi
done
exit $status
