// System-library shim: exposes the LAPACKE C interface to LAPACK to Swift.
// Debian: liblapacke-dev, found through pkg-config `lapacke`.
#include <lapacke.h>
