// Vector paths: to be written (see WeightInitKernels.h). Until then only the
// scalar reference exists.
#include "Internal.h"

int wi_vector_path_exists(int32_t isa) { (void)isa; return 0; }

int wi_fill_vector(int32_t isa, void *out, const wi_prepared *p, uint64_t first, size_t count,
                   uint64_t seed, uint32_t stream) {
    (void)isa; (void)out; (void)p; (void)first; (void)count; (void)seed; (void)stream;
    return -1;
}
