// Kernels of sparse's rank keys (Sources/WeightInit/Schemes/SparseRanking.swift):
// a chunk's keys compared with their columns' bounds. Integer work only, so
// every path gives the same result by construction; written as plain loops
// the compiler vectorises, instantiated per ISA under target attributes as
// Vector.c's kernels are.

#include "Internal.h"

#define WI_AI static inline __attribute__((always_inline))
// Wide vectors cross only always-inline boundaries, so no calling convention
// is ever involved; the ABI warning about them does not apply.
#pragma clang diagnostic ignored "-Wpsabi"

WI_AI void zero_below_body(void *restrict values, size_t element_size, const uint32_t *restrict keys,
                           const uint32_t *restrict bounds, size_t count) {
    // +0 is all zero bits in every format.
    switch (element_size) {
    case 2: {
        uint16_t *restrict v = values;
        for (size_t j = 0; j < count; j++) v[j] = keys[j] < bounds[j] ? 0 : v[j];
        break;
    }
    case 4: {
        uint32_t *restrict v = values;
        for (size_t j = 0; j < count; j++) v[j] = keys[j] < bounds[j] ? 0 : v[j];
        break;
    }
    default: {
        uint64_t *restrict v = values;
        for (size_t j = 0; j < count; j++) v[j] = keys[j] < bounds[j] ? 0 : v[j];
        break;
    }
    }
}

typedef uint32_t vu __attribute__((ext_vector_type(16)));
typedef int32_t vi __attribute__((ext_vector_type(16)));
typedef uint64_t vu64 __attribute__((ext_vector_type(16)));
typedef _Bool vb __attribute__((ext_vector_type(16)));

/// Bit l set iff lane l of the mask is set.
WI_AI uint32_t bits_of(vi mask) {
    vb b = __builtin_convertvector(mask, vb);
    uint16_t bits;
    memcpy(&bits, &b, sizeof bits);
    return bits;
}

/// Appends key << 32 | row to column j's candidates, or marks it overflowed.
WI_AI void keep(size_t j, uint32_t key, uint32_t row, uint64_t *restrict candidates, size_t capacity,
                uint64_t *restrict kept, uint8_t *restrict overflow) {
    uint64_t n = kept[j];
    if (n < capacity) {
        candidates[j * capacity + n] = (uint64_t)key << 32 | row;
        kept[j] = n + 1;
    } else {
        overflow[j] = 1;
    }
}

WI_AI void rank_scan_body(const uint32_t *restrict keys, size_t count, uint32_t low, uint64_t span, uint32_t row,
                          uint64_t *restrict below, uint64_t *restrict candidates, size_t capacity,
                          uint64_t *restrict kept, uint8_t *restrict overflow) {
    size_t j = 0;
    // span ≤ 2³²: the window is every key ≥ low when span = 2³² − low.
    const uint64_t top = (uint64_t)low + span;
    for (; j + 16 <= count; j += 16) {
        vu k;
        memcpy(&k, keys + j, sizeof k);
        vu64 b;
        memcpy(&b, below + j, sizeof b);
        b += __builtin_convertvector(k < low, vu64) & 1;
        memcpy(below + j, &b, sizeof b);
        vi in = top >= (1ull << 32) ? (vi)(k >= low) : (vi)((k >= low) & (k < (uint32_t)top));
        // About 1 key in 30 is in the window: most groups have none.
        for (uint32_t m = bits_of(in); m != 0; m &= m - 1) {
            size_t i = j + (size_t)__builtin_ctz(m);
            keep(i, keys[i], row, candidates, capacity, kept, overflow);
        }
    }
    for (; j < count; j++) {
        below[j] += keys[j] < low;
        if (keys[j] >= low && (uint64_t)keys[j] < top) keep(j, keys[j], row, candidates, capacity, kept, overflow);
    }
}

#if defined(__x86_64__)
#define WI_INSTANTIATE(name, features)                                                                          \
    __attribute__((target(features))) static void zero_below_##name(void *v, size_t s, const uint32_t *k,      \
                                                                  const uint32_t *b, size_t n) {              \
        zero_below_body(v, s, k, b, n);                                                                       \
    }                                                                                                         \
    __attribute__((target(features))) static void rank_scan_##name(                                         \
        const uint32_t *k, size_t n, uint32_t low, uint64_t span, uint32_t row, uint64_t *below, uint64_t *c,  \
        size_t capacity, uint64_t *kept, uint8_t *overflow) {                                                   \
        rank_scan_body(k, n, low, span, row, below, c, capacity, kept, overflow);                               \
    }
WI_INSTANTIATE(sse2, "sse2")
WI_INSTANTIATE(avx2, "avx2,fma,f16c")
WI_INSTANTIATE(avx512, "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,f16c")
#endif

void wi_zero_below(int32_t isa, void *values, size_t element_size, const uint32_t *keys, const uint32_t *bounds,
                   size_t count) {
    switch (isa) {
#if defined(__x86_64__)
    case WI_ISA_SSE2: zero_below_sse2(values, element_size, keys, bounds, count); return;
    case WI_ISA_AVX2: zero_below_avx2(values, element_size, keys, bounds, count); return;
    case WI_ISA_AVX512: zero_below_avx512(values, element_size, keys, bounds, count); return;
#endif
    default: zero_below_body(values, element_size, keys, bounds, count); return;
    }
}

void wi_rank_scan(int32_t isa, const uint32_t *keys, size_t count, uint32_t low, uint64_t span, uint32_t row,
                  uint64_t *below, uint64_t *candidates, size_t capacity, uint64_t *kept, uint8_t *overflow) {
    switch (isa) {
#if defined(__x86_64__)
    case WI_ISA_SSE2: rank_scan_sse2(keys, count, low, span, row, below, candidates, capacity, kept, overflow); return;
    case WI_ISA_AVX2: rank_scan_avx2(keys, count, low, span, row, below, candidates, capacity, kept, overflow); return;
    case WI_ISA_AVX512:
        rank_scan_avx512(keys, count, low, span, row, below, candidates, capacity, kept, overflow);
        return;
#endif
    default: rank_scan_body(keys, count, low, span, row, below, candidates, capacity, kept, overflow); return;
    }
}
