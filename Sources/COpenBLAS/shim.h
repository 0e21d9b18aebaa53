// OpenBLAS (CBLAS) and LAPACKE, as Debian ships them: `cblas.h` from the openblas-pthread
// include folder that `pkg-config openblas` names, `lapacke.h` from /usr/include.
#pragma once
#include <cblas.h>
#include <lapacke.h>
