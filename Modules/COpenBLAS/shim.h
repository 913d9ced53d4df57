// System-library shim: exposes OpenBLAS's CBLAS interface (and its thread
// controls, `openblas_set_num_threads` / `openblas_get_num_threads`) to Swift.
// Debian: libopenblas-dev, found through pkg-config `openblas`.
#include <cblas.h>
