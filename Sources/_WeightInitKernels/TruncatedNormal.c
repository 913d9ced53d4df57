// Truncated normal: to be written (per-index rejection on sub-streams).
#include "Internal.h"

int wi_prepare_truncated(wi_prepared *p, const wi_params *params) { (void)p; (void)params; return -1; }

float wi_truncated_value_f(const wi_prepared *p, uint64_t seed, uint32_t stream, uint64_t index, float z) {
    (void)p; (void)seed; (void)stream; (void)index; return z;
}
double wi_truncated_value_d(const wi_prepared *p, uint64_t seed, uint32_t stream, uint64_t index, double z) {
    (void)p; (void)seed; (void)stream; (void)index; return z;
}
