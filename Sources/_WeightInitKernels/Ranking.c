// Kernels of sparse's rank keys (Sources/WeightInit/Schemes/SparseRanking.swift):
// a chunk's keys compared with their columns' bounds, the cut search's scan,
// and the keys of a few columns of many rows. Integer work only, so
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

/// rank_scan_body for one column over many rows: its keys at keys[r·step].
WI_AI void rank_scan_column_body(const uint32_t *restrict keys, size_t step, size_t rows, uint32_t first_row,
                                 uint32_t low, uint64_t span, uint64_t *restrict below, uint64_t *restrict candidates,
                                 size_t capacity, uint64_t *restrict kept, uint8_t *restrict overflow) {
    const uint64_t top = (uint64_t)low + span;
    uint64_t count = 0;
    size_t r = 0;
    if (step == 1) {
        for (; r + 16 <= rows; r += 16) {
            vu k;
            memcpy(&k, keys + r, sizeof k);
            count += (uint64_t)__builtin_popcount(bits_of((vi)(k < low)));
            vi in = top >= (1ull << 32) ? (vi)(k >= low) : (vi)((k >= low) & (k < (uint32_t)top));
            for (uint32_t m = bits_of(in); m != 0; m &= m - 1) {
                size_t i = r + (size_t)__builtin_ctz(m);
                keep(0, keys[i], first_row + (uint32_t)i, candidates, capacity, kept, overflow);
            }
        }
    }
    for (; r < rows; r++) {
        uint32_t key = keys[r * step];
        count += key < low;
        if (key >= low && (uint64_t)key < top) keep(0, key, first_row + (uint32_t)r, candidates, capacity, kept, overflow);
    }
    *below += count;
}

/// Philox4x32-10 of 16 counters at once (Scalar.h's wi_philox_scalar, lane by
/// lane: integer operations only, so every path gives its bits). Kept in
/// 32-bit lanes: on AVX2, 64-bit lanes cost 1.3–1.5× the instructions per
/// key (callgrind), and on AVX-512 they were no faster.
WI_AI void philox16(vu *x0, vu *x1, vu *x2, vu *x3, uint32_t k0, uint32_t k1) {
    vu c0 = *x0, c1 = *x1, c2 = *x2, c3 = *x3;
    for (int round = 0; round < WI_PHILOX_ROUNDS; round++) {
        vu64 p0 = __builtin_convertvector(c0, vu64) * (uint64_t)WI_PHILOX_M0;
        vu64 p1 = __builtin_convertvector(c2, vu64) * (uint64_t)WI_PHILOX_M1;
        vu n0 = __builtin_convertvector(p1 >> 32, vu) ^ c1 ^ k0;
        vu n1 = __builtin_convertvector(p1, vu);
        vu n2 = __builtin_convertvector(p0 >> 32, vu) ^ c3 ^ k1;
        vu n3 = __builtin_convertvector(p0, vu);
        c0 = n0;
        c1 = n1;
        c2 = n2;
        c3 = n3;
        k0 += WI_PHILOX_W0;
        k1 += WI_PHILOX_W1;
    }
    *x0 = c0;
    *x1 = c1;
    *x2 = c2;
    *x3 = c3;
}

/// Words first + r·stride + j (r < rows, j < width), row after row: each its
/// own Philox block, 16 at a time.
WI_AI void strided_words_body(uint64_t seed, uint32_t stream, uint32_t substream, uint64_t first, uint64_t stride,
                              size_t rows, size_t width, uint32_t *restrict out) {
    const size_t count = rows * width;
    size_t i = 0, r = 0, j = 0;  // key i is (r, j)
    for (; i + 16 <= count; i += 16) {
        vu64 index;
        if (width == 1) {  // one column: an arithmetic progression
            const vu64 lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
            index = first + (r + lane) * stride;
            r += 16;
        } else {
            uint64_t lanes[16];
            for (int l = 0; l < 16; l++) {
                lanes[l] = first + r * stride + j;
                if (++j == width) {
                    j = 0;
                    r++;
                }
            }
            memcpy(&index, lanes, sizeof index);
        }
        vu64 block = index >> 2;
        vu c0 = __builtin_convertvector(block, vu), c1 = __builtin_convertvector(block >> 32, vu);
        vu c2 = (vu){0} + stream, c3 = (vu){0} + substream;
        philox16(&c0, &c1, &c2, &c3, (uint32_t)seed, (uint32_t)(seed >> 32));
        // Word index % 4 of each block, by masks.
        vu w = __builtin_convertvector(index & 3, vu);
        vu word = ((vu)(w == 0) & c0) | ((vu)(w == 1) & c1) | ((vu)(w == 2) & c2) | ((vu)(w == 3) & c3);
        memcpy(out + i, &word, sizeof word);
    }
    for (; i < count; i++) {
        uint64_t index = first + r * stride + j;
        uint32_t block[4];
        wi_block(seed, stream, substream, index >> 2, block);
        out[i] = block[index & 3];
        if (++j == width) {
            j = 0;
            r++;
        }
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
    }                                                                                                         \
    __attribute__((target(features))) static void rank_scan_column_##name(                                  \
        const uint32_t *k, size_t step, size_t rows, uint32_t first_row, uint32_t low, uint64_t span,          \
        uint64_t *below, uint64_t *c, size_t capacity, uint64_t *kept, uint8_t *overflow) {                    \
        rank_scan_column_body(k, step, rows, first_row, low, span, below, c, capacity, kept, overflow);        \
    }                                                                                                         \
    __attribute__((target(features))) static void strided_words_##name(                                     \
        uint64_t seed, uint32_t stream, uint32_t substream, uint64_t first, uint64_t stride, size_t rows,       \
        size_t width, uint32_t *out) {                                                                        \
        strided_words_body(seed, stream, substream, first, stride, rows, width, out);                          \
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

void wi_strided_words(int32_t isa, uint64_t seed, uint32_t stream, uint32_t substream, uint64_t first,
                      uint64_t stride, size_t rows, size_t width, uint32_t *out) {
    switch (isa) {
#if defined(__x86_64__)
    case WI_ISA_SSE2: strided_words_sse2(seed, stream, substream, first, stride, rows, width, out); return;
    case WI_ISA_AVX2: strided_words_avx2(seed, stream, substream, first, stride, rows, width, out); return;
    case WI_ISA_AVX512: strided_words_avx512(seed, stream, substream, first, stride, rows, width, out); return;
#endif
    default: strided_words_body(seed, stream, substream, first, stride, rows, width, out); return;
    }
}

void wi_rank_scan_column(int32_t isa, const uint32_t *keys, size_t step, size_t rows, uint32_t first_row, uint32_t low,
                         uint64_t span, uint64_t *below, uint64_t *candidates, size_t capacity, uint64_t *kept,
                         uint8_t *overflow) {
    switch (isa) {
#if defined(__x86_64__)
    case WI_ISA_SSE2:
        rank_scan_column_sse2(keys, step, rows, first_row, low, span, below, candidates, capacity, kept, overflow);
        return;
    case WI_ISA_AVX2:
        rank_scan_column_avx2(keys, step, rows, first_row, low, span, below, candidates, capacity, kept, overflow);
        return;
    case WI_ISA_AVX512:
        rank_scan_column_avx512(keys, step, rows, first_row, low, span, below, candidates, capacity, kept, overflow);
        return;
#endif
    default: rank_scan_column_body(keys, step, rows, first_row, low, span, below, candidates, capacity, kept, overflow);
        return;
    }
}
