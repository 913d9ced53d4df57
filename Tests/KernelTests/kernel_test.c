// The sampling kernels (Sources/_WeightInitKernels) tested in C, without the
// Swift package: built with any C compiler that has clang's vector
// extensions, natively and cross-compiled for arm64 (run under
// qemu-aarch64), by Tests/KernelTests/run.sh, which .ci/test calls.
//
// 1. Philox4x32-10 against the Random123 known-answer vectors.
// 2. The stream format's known answers (seed 42, stream 0; the values of
//    Tests/WeightInitTests/StreamFormatTests.swift) on the scalar reference
//    and on every vector path.
// 3. Every vector path this machine runs against the scalar reference, byte
//    for byte: bits (main stream and helper sub-streams), uniform, normal,
//    truncated normal (every method), in f32, f64, f16 and bf16, over index
//    ranges that start and end inside blocks, at several offsets and chunk
//    sizes; the f32 Box–Muller's radius, sin and cos (and the logarithm the
//    truncated normal's other methods use) on every 24-bit input, or every
//    --stride-th one; the f64 Box–Muller's logarithm, sine and cosine on 2¹⁸
//    words and their edges; f64 fills with parameters beyond the double fma
//    emulation's range; sparse's ranking kernels (wi_zero_below,
//    wi_rank_scan, wi_rank_scan_column) and strided keys (wi_strided_words,
//    also against the bits fill's words).
// 4. WEIGHTINIT_ISA: every path's name selects that path where it runs (its
//    automatic fill equal to the scalar reference) and is refused elsewhere.
// 5. The double fma emulation of the paths without an fma instruction
//    (wi_fma_emulated) against libm's fma on 16.8 million cases: random,
//    cancelling, constructed midpoints, and every triple of special values.
//
// It prints which paths ran, and which one the automatic choice is; exits 1
// on the first kind of mismatch (with the case), 0 when all agree.
// `kernel_test --bench [values]` instead times every path (cycles per value).

#include "WeightInitKernels.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures;
static long comparisons;

#define CHECK(condition, ...)                                                                                   \
    do {                                                                                                        \
        comparisons++;                                                                                          \
        if (!(condition)) {                                                                                     \
            if (failures++ < 20) {                                                                              \
                fprintf(stderr, "kernel_test: FAIL %s:%d: ", __FILE__, __LINE__);                              \
                fprintf(stderr, __VA_ARGS__);                                                                   \
                fputc('\n', stderr);                                                                            \
            }                                                                                                   \
        }                                                                                                       \
    } while (0)

// MARK: Paths

static const struct { int32_t isa; const char *name; } all_paths[] = {
    {WI_ISA_SCALAR, "scalar"}, {WI_ISA_SSE2, "sse2"}, {WI_ISA_AVX2, "avx2"},
    {WI_ISA_AVX512, "avx512"}, {WI_ISA_NEON, "neon"},
};
#define PATH_COUNT (sizeof all_paths / sizeof all_paths[0])

static const char *path_name(int32_t isa) {
    for (size_t k = 0; k < PATH_COUNT; k++) {
        if (all_paths[k].isa == isa) return all_paths[k].name;
    }
    return "?";
}

/// Whether wi_fill runs `isa` here (a fill of nothing asks exactly that).
static int path_runs(int32_t isa) {
    wi_params p = {WI_DIST_UNIFORM, 0, 1, 0, 0};
    double scratch;
    return wi_fill(&scratch, WI_FORMAT_F64, 0, 0, 0, 0, &p, isa) == 0;
}

// MARK: Fills

static const struct { int32_t code; size_t size; const char *name; } formats[] = {
    {WI_FORMAT_F32, 4, "f32"}, {WI_FORMAT_F64, 8, "f64"}, {WI_FORMAT_F16, 2, "f16"}, {WI_FORMAT_BF16, 2, "bf16"},
};

static wi_params uniform(double low, double high) { return (wi_params){WI_DIST_UNIFORM, low, high, 0, 0}; }
static wi_params normal(double mean, double std) { return (wi_params){WI_DIST_NORMAL, mean, std, 0, 0}; }
static wi_params truncated(double mean, double std, double low, double high) {
    return (wi_params){WI_DIST_TRUNCATED_NORMAL, mean, std, low, high};
}
static wi_params bits(uint32_t substream) { return (wi_params){WI_DIST_BITS, substream, 0, 0, 0}; }

/// `count` values from `first` into a fresh buffer (0xA5 beyond the values),
/// or NULL if wi_fill refused.
static unsigned char *fill(wi_params params, int32_t format, size_t size, uint64_t first, size_t count, int32_t isa,
                           uint64_t seed, uint32_t stream) {
    size_t bytes = count * size + 64;
    unsigned char *out = malloc(bytes);
    memset(out, 0xA5, bytes);
    if (wi_fill(out, format, first, count, seed, stream, &params, isa) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

// MARK: 1. Philox known answers (Random123's kat_vectors)

static void test_philox(void) {
    static const uint32_t cases[][10] = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
         0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
         0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint32_t out[4];
        wi_philox4x32_10(cases[k], cases[k] + 4, out);
        CHECK(memcmp(out, cases[k] + 6, sizeof out) == 0, "Philox4x32-10 known answer %zu", k);
    }
}

// MARK: 2. Stream-format known answers (StreamFormatTests.swift)

#define FAR ((1ull << 40) + 3)

typedef struct {
    const char *name;
    wi_params params;
    int format;       ///< index into formats
    uint64_t first;
    uint64_t bits[8]; ///< the 8 values' bit patterns
} known_answer;

static const known_answer known_answers[] = {
    {"uniform [-1, 1) f32", {WI_DIST_UNIFORM, -1, 1, 0, 0}, 0, 0,
     {0x3E675780, 0xBD80AB70, 0xBF5A8160, 0xBEA2F534, 0x3F79B642, 0xBEB11650, 0x3CE3D680, 0xBDBB1FA0}},
    {"uniform [-1, 1) f32 far", {WI_DIST_UNIFORM, -1, 1, 0, 0}, 0, FAR,
     {0xBF42A592, 0xBF4AE1F2, 0x3EE5BBC8, 0xBE0CF398, 0xBCF09DC0, 0x3EE95830, 0x3E36E588, 0xBDF29840}},
    {"uniform [-1, 1) f64", {WI_DIST_UNIFORM, -1, 1, 0, 0}, 1, 0,
     {0xBFB0156D88C62A20, 0xBFD45EA61476A058, 0xBFD622C981019270, 0xBFB763F208F8E150,
      0x3FD443AEE5E9B600, 0x3FE182695666935A, 0x3FD5D786D5DD6380, 0xBFCEF1980869E1B0}},
    {"uniform [-1, 1) f16", {WI_DIST_UNIFORM, -1, 1, 0, 0}, 2, 0,
     {0x333B, 0xAC05, 0xBAD4, 0xB518, 0x3BCE, 0xB589, 0x271F, 0xADD9}},
    {"uniform [-1, 1) bf16", {WI_DIST_UNIFORM, -1, 1, 0, 0}, 3, 0,
     {0x3E67, 0xBD81, 0xBF5B, 0xBEA3, 0x3F7A, 0xBEB1, 0x3CE4, 0xBDBB}},
    {"normal f32", {WI_DIST_NORMAL, 0, 1, 0, 0}, 0, 0,
     {0xBF785E59, 0x3E46ACEB, 0xBF9E28CD, 0x3FF6433E, 0xBD95E014, 0x3E0E79FE, 0xBF8DA732, 0x3EA7430A}},
    {"normal f32 far", {WI_DIST_NORMAL, 0, 1, 0, 0}, 0, FAR,
     {0x3F42F2DA, 0xBEAEE733, 0xC00679AD, 0xBFA552AA, 0x3DF4C740, 0xBF2CC056, 0xBED926ED, 0xBF415F49}},
    {"normal f64", {WI_DIST_NORMAL, 0, 1, 0, 0}, 1, 0,
     {0xBFE54AC03C1A032A, 0x3FF0938DB380D761, 0xBFF6F135C80FEFCB, 0x3FDB16FD5E6389C7,
      0x3FC147F0A3F6EDB8, 0xBFECF0BBB759E22E, 0xBFE4BE7821C7EB85, 0x3FE3B205AF57E138}},
    {"normal f64 far", {WI_DIST_NORMAL, 0, 1, 0, 0}, 1, FAR,
     {0x3F9CA97558D97DD5, 0xBFFAEBD69D457556, 0x40072EBE9B85308A, 0xBFDAC1A6B8BE7D82,
      0xBFDE6714715A91CA, 0xBFB37377DD218C80, 0x3FF11B2B4919713F, 0xBFDE33A4BBAD48BF}},
    {"normal f16", {WI_DIST_NORMAL, 0, 1, 0, 0}, 2, 0,
     {0xBBC3, 0x3235, 0xBCF1, 0x3FB2, 0xACAF, 0x3074, 0xBC6D, 0x353A}},
    {"normal bf16", {WI_DIST_NORMAL, 0, 1, 0, 0}, 3, 0,
     {0xBF78, 0x3E47, 0xBF9E, 0x3FF6, 0xBD96, 0x3E0E, 0xBF8E, 0x3EA7}},
    {"truncated [-2, 2] f32", {WI_DIST_TRUNCATED_NORMAL, 0, 1, -2, 2}, 0, 0,
     {0xBF785E59, 0x3E46ACEB, 0xBF9E28CD, 0x3FF6433E, 0xBD95E014, 0x3E0E79FE, 0xBF8DA732, 0x3EA7430A}},
    {"truncated [-2, 2] f32 far", {WI_DIST_TRUNCATED_NORMAL, 0, 1, -2, 2}, 0, FAR,
     {0x3F42F2DA, 0xBEAEE733, 0xBED36F26, 0xBFA552AA, 0x3DF4C740, 0xBF2CC056, 0xBED926ED, 0xBF415F49}},
    {"truncated [-2, 2] f64 far", {WI_DIST_TRUNCATED_NORMAL, 0, 1, -2, 2}, 1, FAR,
     {0x3F9CA97558D97DD5, 0xBFFAEBD69D457556, 0xBFF92866C9FCA701, 0xBFDAC1A6B8BE7D82,
      0xBFDE6714715A91CA, 0xBFB37377DD218C80, 0x3FF11B2B4919713F, 0xBFDE33A4BBAD48BF}},
    {"truncated [-2, 2] f16 far", {WI_DIST_TRUNCATED_NORMAL, 0, 1, -2, 2}, 2, FAR,
     {0x3A18, 0xB577, 0xB69B, 0xBD2B, 0x2FA6, 0xB966, 0xB6C9, 0xBA0B}},
    {"truncated [3, inf) f32", {WI_DIST_TRUNCATED_NORMAL, 0, 1, 3, INFINITY}, 0, 0,
     {0x406822AA, 0x40689624, 0x4067FF4C, 0x4042FB38, 0x4050087D, 0x405E4B2D, 0x404C7BE4, 0x4043228A}},
    {"truncated [3, inf) f32 far", {WI_DIST_TRUNCATED_NORMAL, 0, 1, 3, INFINITY}, 0, FAR,
     {0x40408360, 0x405685C0, 0x4078E9A4, 0x404234FE, 0x406683AD, 0x405F01DC, 0x404CCBF3, 0x405CDE1D}},
    {"truncated [3, inf) f64", {WI_DIST_TRUNCATED_NORMAL, 0, 1, 3, INFINITY}, 1, 0,
     {0x4009431F66779D84, 0x400A8442CE834E2D, 0x40094489B5A5E751, 0x4008F83C77B50B47,
      0x400AA001E7A98981, 0x400CAB4532B5FA9B, 0x400A82E50D756C38, 0x400871503E068E20}},
    {"truncated [3, inf) bf16", {WI_DIST_TRUNCATED_NORMAL, 0, 1, 3, INFINITY}, 3, 0,
     {0x4068, 0x4069, 0x4068, 0x4043, 0x4050, 0x405E, 0x404C, 0x4043}},
};

static uint64_t element_bits(const unsigned char *bytes, size_t size, size_t j) {
    uint64_t b = 0;
    memcpy(&b, bytes + j * size, size);  // little-endian: the value's bits
    return b;
}

/// The known answers, on `isa`. A vector path meets them inside its vector
/// loop too: the 8 values are taken out of a 200-value fill that starts 64
/// values earlier (or at 0).
static void test_known_answers(int32_t isa) {
    for (size_t k = 0; k < sizeof known_answers / sizeof known_answers[0]; k++) {
        const known_answer *a = &known_answers[k];
        size_t size = formats[a->format].size;
        uint64_t lead = a->first >= 64 ? 64 : a->first;
        unsigned char *out = fill(a->params, formats[a->format].code, size, a->first - lead, 200, isa, 42, 0);
        CHECK(out != NULL, "%s: wi_fill refused on %s", a->name, path_name(isa));
        if (out == NULL) continue;
        for (size_t j = 0; j < 8; j++) {
            uint64_t got = element_bits(out, size, (size_t)lead + j);
            CHECK(got == a->bits[j], "%s on %s: value %zu is 0x%" PRIX64 ", expected 0x%" PRIX64, a->name,
                  path_name(isa), j, got, a->bits[j]);
        }
        free(out);
    }
    // The bits are the Philox words: element i is word i % 4 of block i / 4.
    uint32_t block[4], key[2] = {42, 0};
    unsigned char *out = fill(bits(0), WI_FORMAT_F32, 4, 2, 300, isa, 42, 0);
    for (size_t i = 2; i < 302; i++) {
        uint32_t counter[4] = {(uint32_t)(i / 4), 0, 0, 0};
        wi_philox4x32_10(counter, key, block);
        CHECK(element_bits(out, 4, i - 2) == block[i % 4], "bits on %s: element %zu is not its Philox word",
              path_name(isa), i);
    }
    free(out);
}

// MARK: 3. Every vector path against the scalar reference

static const struct { uint64_t first; size_t count; } ranges[] = {
    {0, 0}, {0, 1}, {3, 2}, {1, 64}, {5, 131}, {2, 700}, {0, 1029}, {(1ull << 32) - 37, 300}, {(1ull << 40) + 3, 129},
    {7, 4096 + 130}, {UINT64_MAX - 199, 200},
};

typedef struct { const char *name; wi_params params; } named_params;

static named_params distributions[] = {
    {"uniform [-0.3, 0.7)", {WI_DIST_UNIFORM, -0.3, 0.7, 0, 0}},
    {"uniform [0, 1)", {WI_DIST_UNIFORM, 0, 1, 0, 0}},
    {"uniform [-1, 1)", {WI_DIST_UNIFORM, -1, 1, 0, 0}},
    {"uniform [-0.0625, 0.0625)", {WI_DIST_UNIFORM, -0.0625, 0.0625, 0, 0}},
    {"uniform [1e-3, 3.3e7)", {WI_DIST_UNIFORM, 1e-3, 3.3e7, 0, 0}},
    {"uniform [0, 1e-36)", {WI_DIST_UNIFORM, 0, 1e-36, 0, 0}},
    {"uniform [0.1001, 0.2999)", {WI_DIST_UNIFORM, 0.1001, 0.2999, 0, 0}},
    {"uniform [1000, 1000.001)", {WI_DIST_UNIFORM, 1000, 1000.001, 0, 0}},
    {"uniform [-1e30, 1e-30)", {WI_DIST_UNIFORM, -1e30, 1e-30, 0, 0}},
    // Without fma, k·1.5 + 2⁻⁴⁰ rounds in double onto float midpoints (odd
    // integers above 2²⁴) for ~8 % of the values: lanes Vector.c fma_checked
    // must hand to libm.
    {"uniform [2^-40, 2^-40 + 1.5·2^24)", {WI_DIST_UNIFORM, 0x1p-40, 0x1p-40 + 0x1.8p24, 0, 0}},
    {"normal (0, 1)", {WI_DIST_NORMAL, 0, 1, 0, 0}},
    {"normal (0.1, 0.02)", {WI_DIST_NORMAL, 0.1, 0.02, 0, 0}},
    {"normal (-3, 1e-30)", {WI_DIST_NORMAL, -3, 1e-30, 0, 0}},
    {"normal (1e-38, 1e-3)", {WI_DIST_NORMAL, 1e-38, 1e-3, 0, 0}},
    {"normal (1e30, 3e36)", {WI_DIST_NORMAL, 1e30, 3e36, 0, 0}},
    {"normal (1e-39, 1e-38)", {WI_DIST_NORMAL, 1e-39, 1e-38, 0, 0}},
    // Mean +0 (SSE2: σ·z + 0 from |σ| ≥ 2⁻¹⁰⁰ on, σ = 1 without the multiply;
    // below, products round to ±0 and need fmaf's sign), and mean −0.
    {"normal (0, 3)", {WI_DIST_NORMAL, 0, 3, 0, 0}},
    {"normal (0, -0.5)", {WI_DIST_NORMAL, 0, -0.5, 0, 0}},
    {"normal (0, 2^-100)", {WI_DIST_NORMAL, 0, 0x1p-100, 0, 0}},
    {"normal (0, 1e-45)", {WI_DIST_NORMAL, 0, 1e-45, 0, 0}},
    {"normal (-0, 1)", {WI_DIST_NORMAL, -0.0, 1, 0, 0}},
    {"truncated [-2, 2]", {WI_DIST_TRUNCATED_NORMAL, 0, 1, -2, 2}},
    {"truncated [-1, 1]", {WI_DIST_TRUNCATED_NORMAL, 0, 1, -1, 1}},
    {"truncated [3, inf)", {WI_DIST_TRUNCATED_NORMAL, 0, 1, 3, INFINITY}},
    {"truncated (-inf, -5]", {WI_DIST_TRUNCATED_NORMAL, 0, 1, -INFINITY, -5}},
    {"truncated [0.5, 0.6]", {WI_DIST_TRUNCATED_NORMAL, 0, 1, 0.5, 0.6}},
    {"truncated [1, 1.5]", {WI_DIST_TRUNCATED_NORMAL, 0, 1, 1, 1.5}},
    {"truncated (0.02, 0.3) on [-0.1001, 0.3333]", {WI_DIST_TRUNCATED_NORMAL, 0.02, 0.3, -0.1001, 0.3333}},
    {"truncated [-1.3, 1.3]", {WI_DIST_TRUNCATED_NORMAL, 0, 1, -1.3, 1.3}},
    {"truncated (1, 2) on [-3, 5]", {WI_DIST_TRUNCATED_NORMAL, 1, 2, -3, 5}},
};

static void compare_fill(const char *name, wi_params params, int format, uint64_t first, size_t count, int32_t isa,
                         uint64_t seed, uint32_t stream) {
    size_t size = formats[format].size;
    unsigned char *expected = fill(params, formats[format].code, size, first, count, WI_ISA_SCALAR, seed, stream);
    unsigned char *actual = fill(params, formats[format].code, size, first, count, isa, seed, stream);
    CHECK(expected != NULL && actual != NULL, "%s %s: wi_fill refused", name, formats[format].name);
    if (expected != NULL && actual != NULL) {
        size_t bytes = count * size + 64;  // the bytes past the values must be untouched too
        size_t at = 0;
        while (at < bytes && expected[at] == actual[at]) at++;
        CHECK(at == bytes, "%s on %s, %s, first %" PRIu64 ", count %zu: byte %zu differs (value %zu)", name,
              path_name(isa), formats[format].name, first, count, at, at / size);
    }
    free(expected);
    free(actual);
}

static void test_fills(int32_t isa) {
    for (size_t d = 0; d < sizeof distributions / sizeof distributions[0]; d++) {
        for (int f = 0; f < 4; f++) {
            for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
                compare_fill(distributions[d].name, distributions[d].params, f, ranges[r].first, ranges[r].count, isa,
                             42, 7);
            }
        }
    }
    // Other seeds and streams, at a few ranges.
    const uint64_t seeds[] = {0, 0xFFFFFFFFFFFFFFFFull, 0x0123456789ABCDEFull};
    for (size_t s = 0; s < 3; s++) {
        for (size_t d = 0; d < sizeof distributions / sizeof distributions[0]; d++) {
            for (int f = 0; f < 4; f++) compare_fill(distributions[d].name, distributions[d].params, f, 9, 1000, isa, seeds[s], 0xFFFFFFFFu - (uint32_t)s);
        }
    }
    // The bits: main stream and helper sub-streams (sparse's rank and tie keys).
    const uint32_t substreams[] = {0, 1, 0x80000003u, 0x80000004u};
    for (size_t k = 0; k < 4; k++) {
        for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
            compare_fill("bits", bits(substreams[k]), 0, ranges[r].first, ranges[r].count, isa, 42, 7);
        }
        for (int f = 1; f < 4; f++) {
            unsigned char *out = fill(bits(substreams[k]), formats[f].code, formats[f].size, 0, 64, isa, 42, 7);
            CHECK(out == NULL, "bits in %s: accepted on %s", formats[f].name, path_name(isa));
            free(out);
        }
    }
}

/// f64 only (float has no such parameters): where the double fmas of a path
/// without fma instruction leave the emulated range (Vector.c fma_param_d,
/// fma_checked_d) and lanes take libm's fma, and where a nonzero product
/// rounds to a zero whose sign fma keeps.
static named_params extreme_f64[] = {
    {"normal (1e200, 1e-200)", {WI_DIST_NORMAL, 1e200, 1e-200, 0, 0}},
    {"normal (0.5, 1e-310)", {WI_DIST_NORMAL, 0.5, 1e-310, 0, 0}},
    {"normal (-0, 1e-310)", {WI_DIST_NORMAL, -0.0, 1e-310, 0, 0}},
    {"normal (0, -1e-300)", {WI_DIST_NORMAL, 0, -1e-300, 0, 0}},
    {"normal (1e-320, 1e-300)", {WI_DIST_NORMAL, 1e-320, 1e-300, 0, 0}},
    {"uniform [-1e300, 1e300)", {WI_DIST_UNIFORM, -1e300, 1e300, 0, 0}},
    {"uniform [1e-320, 2e-320)", {WI_DIST_UNIFORM, 1e-320, 2e-320, 0, 0}},
    {"truncated (0, 1e-250) on [-4e-324, 0]", {WI_DIST_TRUNCATED_NORMAL, 0, 1e-250, -4e-324, 0}},
    {"truncated (0, 1e-250) on [0, 4e-324]", {WI_DIST_TRUNCATED_NORMAL, 0, 1e-250, 0, 4e-324}},
    {"truncated (-0, 1) on [-1, 1]", {WI_DIST_TRUNCATED_NORMAL, -0.0, 1, -1, 1}},
    {"truncated (1e100, 1e95) on [1e100, 1.1e100]", {WI_DIST_TRUNCATED_NORMAL, 1e100, 1e95, 1e100, 1.1e100}},
    {"truncated (3, 2) on [-1e-300, 1e-300]", {WI_DIST_TRUNCATED_NORMAL, 3, 2, -1e-300, 1e-300}},
};

static void test_fills_f64_extreme(int32_t isa) {
    for (size_t d = 0; d < sizeof extreme_f64 / sizeof extreme_f64[0]; d++) {
        for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
            compare_fill(extreme_f64[d].name, extreme_f64[d].params, 1, ranges[r].first, ranges[r].count, isa, 42, 7);
        }
    }
}

/// A range split into pieces at arbitrary offsets gives the same bytes as the whole.
static void test_chunking(int32_t isa) {
    static const size_t pieces[] = {1, 77, 3, 1024, 64, 895, 129, 4096};
    const wi_params cases[] = {truncated(0, 1, -1, 1), truncated(0, 1, -2, 2), normal(0.5, 2), uniform(-0.3, 0.7)};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int f = 0; f < 4; f++) {
            size_t size = formats[f].size, total = 0;
            for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) total += pieces[k];
            unsigned char *whole = fill(cases[c], formats[f].code, size, 11, total, isa, 5, 3);
            uint64_t first = 11;
            size_t offset = 0;
            for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
                unsigned char *piece = fill(cases[c], formats[f].code, size, first, pieces[k], isa, 5, 3);
                CHECK(memcmp(piece, whole + offset, pieces[k] * size) == 0,
                      "chunking on %s, case %zu, %s: piece %zu (first %" PRIu64 ") differs", path_name(isa), c,
                      formats[f].name, k, first);
                free(piece);
                first += pieces[k];
                offset += pieces[k] * size;
            }
            free(whole);
        }
    }
}

/// The f32 Box–Muller's parts and the logarithm of u°, on every `stride`-th
/// 24-bit input (the low 8 bits of the words vary too).
static void test_parts(int32_t isa, uint32_t stride) {
    enum { BATCH = 4096 };
    static uint32_t words[BATCH];
    static float expected[4][BATCH], actual[4][BATCH];
    size_t n = 0, mismatches = 0;
    for (uint64_t m = 0; m < (1u << 24); m += stride) {
        words[n++] = (uint32_t)m << 8 | ((uint32_t)m * 0x9E37u & 0xFFu);
        if (n == BATCH || m + stride >= (1u << 24)) {
            size_t count = (n + 15) / 16 * 16;
            for (size_t j = n; j < count; j++) words[j] = words[0];
            wi_box_muller_parts_f(WI_ISA_SCALAR, words, count, expected[0], expected[1], expected[2], expected[3]);
            int status = wi_box_muller_parts_f(isa, words, count, actual[0], actual[1], actual[2], actual[3]);
            CHECK(status == 0, "wi_box_muller_parts_f refused %s", path_name(isa));
            for (int part = 0; part < 4; part++) {
                if (memcmp(expected[part], actual[part], count * sizeof(float)) == 0) continue;
                for (size_t j = 0; j < count; j++) {
                    uint32_t e, a;
                    memcpy(&e, &expected[part][j], 4);
                    memcpy(&a, &actual[part][j], 4);
                    if (e != a && mismatches++ < 5) {
                        static const char *names[] = {"radius", "sin", "cos", "log"};
                        fprintf(stderr, "kernel_test: %s on %s, word 0x%08X: 0x%08X, expected 0x%08X\n", names[part],
                                path_name(isa), words[j], a, e);
                    }
                }
            }
            n = 0;
        }
    }
    CHECK(mismatches == 0, "Box-Muller parts on %s: %zu mismatches", path_name(isa), mismatches);
}

static uint64_t mix(uint64_t *state);

/// The f64 Box–Muller's parts (ln u°, sin and cos 2πu) against the scalar
/// reference: 2¹⁸ random words and the edges — u° = 1 and 2⁻⁵³, u° a power of
/// two (s = 0: the fast emulated steps' suspect lanes), mantissas next to
/// √2's, remainders 0, ±1, ±2⁵⁰ and the quadrants' ends.
static void test_parts_d(int32_t isa) {
    enum { COUNT = 1 << 18 };
    static uint64_t words[COUNT];
    static double expected[3][COUNT], actual[3][COUNT];
    uint64_t state = 77;
    size_t n = 0;
    for (int k = 0; k <= 53 && n < COUNT; k++) {  // m + 1 = 2^k, and its neighbours
        uint64_t m = (1ull << k) - 1;
        for (int d = -1; d <= 1; d++) words[n++] = ((m + (uint64_t)d) & ((1ull << 53) - 1)) << 11 | (mix(&state) & 0x7FF);
    }
    for (int e = 0; e < 53; e++) {  // mantissas of m + 1 next to √2's threshold, at each exponent
        for (int d = -2; d <= 2; d++) {
            uint64_t mant = (0x0006A09E667F3BCDull + (uint64_t)d) >> (52 - e), m1 = (1ull << e) | mant;
            words[n++] = ((m1 - 1) & ((1ull << 53) - 1)) << 11;
        }
    }
    for (uint64_t q = 0; q < 4; q++) {  // remainders around each quadrant's centre and ends
        const int64_t offsets[] = {0, 1, -1, 2, (1ll << 50) - 1, -(1ll << 50), -(1ll << 50) + 1, 12345};
        for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++) {
            uint64_t m = (q << 51) + (uint64_t)offsets[o];
            words[n++] = (m & ((1ull << 53) - 1)) << 11 | (mix(&state) & 0x7FF);
        }
    }
    while (n < COUNT) words[n++] = mix(&state);
    wi_box_muller_parts_d(WI_ISA_SCALAR, words, COUNT, expected[0], expected[1], expected[2]);
    int status = wi_box_muller_parts_d(isa, words, COUNT, actual[0], actual[1], actual[2]);
    CHECK(status == 0, "wi_box_muller_parts_d refused %s", path_name(isa));
    size_t mismatches = 0;
    for (int part = 0; part < 3; part++) {
        for (size_t j = 0; j < COUNT; j++) {
            if (memcmp(&expected[part][j], &actual[part][j], 8) != 0 && mismatches++ < 5) {
                static const char *names[] = {"log", "sin", "cos"};
                fprintf(stderr, "kernel_test: f64 %s on %s, word 0x%016" PRIX64 ": %a, expected %a\n", names[part],
                        path_name(isa), words[j], actual[part][j], expected[part][j]);
            }
        }
    }
    CHECK(mismatches == 0, "f64 Box-Muller parts on %s: %zu mismatches", path_name(isa), mismatches);
}

// MARK: The double fma emulation

/// A random double: sign, 52 random mantissa bits, exponent in [lo, hi].
static double random_double(uint64_t *state, int lo, int hi) {
    uint64_t r = mix(state);
    int e = lo + (int)(mix(state) % (uint64_t)(hi - lo + 1));
    return ldexp((double)((r >> 11) | (1ull << 52)) * 0x1p-52, e) * ((r & 1) ? -1.0 : 1.0);
}

static int same_double(double x, double y) { return memcmp(&x, &y, 8) == 0 || (isnan(x) && isnan(y)); }

/// `count` (a multiple of 16) cases against libm's fma (the instruction on
/// machines that have one — this test's reference is only as good as libm).
static size_t compare_fma(const double *a, const double *b, const double *c, size_t count, int mode,
                          const char *what) {
    static double out[1 << 16];
    size_t mismatches = 0;
    CHECK(wi_fma_emulated(a, b, c, out, count, mode) == 0, "wi_fma_emulated refused %zu values", count);
    for (size_t j = 0; j < count; j++) {
        double e = fma(a[j], b[j], c[j]);
        if (!same_double(out[j], e) && mismatches++ < 5) {
            fprintf(stderr, "kernel_test: fma emulation (mode %d, %s): fma(%a, %a, %a) = %a, expected %a\n", mode, what,
                    a[j], b[j], c[j], out[j], e);
        }
    }
    return mismatches;
}

/// The emulation (Vector.c) against fma: random operands over the whole
/// range and within it, products that cancel the addend, sums that land on
/// or next to a midpoint between doubles (where a plain double-double sum
/// rounds twice wrongly, and the fast polynomial step must fall back), and
/// every triple of special values (zeros of both signs, subnormals, the
/// range's edges, infinities, NaN).
static void test_fma_emulation(void) {
    enum { N = 1 << 16 };
    static double a[N], b[N], c[N];
    uint64_t state = 2008;
    size_t mismatches = 0, cases = 0;
    for (int round = 0; round < 16; round++) {
        for (int kind = 0; kind < 6; kind++) {
            for (size_t j = 0; j < N; j++) {
                uint64_t r = mix(&state);
                switch (kind) {
                case 0:  // anywhere, beyond the emulated range too
                    a[j] = random_double(&state, -1100, 1023);
                    b[j] = random_double(&state, -1100, 1023);
                    c[j] = random_double(&state, -1100, 1023);
                    break;
                case 1: {  // in range, the addend's exponent near the product's
                    int ea = (int)(r % 201) - 100, eb = (int)((r >> 16) % 161) - 80;
                    a[j] = random_double(&state, ea, ea);
                    b[j] = random_double(&state, eb, eb);
                    int ec = ea + eb + (int)((r >> 32) % 221) - 110;
                    c[j] = random_double(&state, ec, ec);
                    break;
                }
                case 2: {  // cancellation: c = −RN(a·b), nudged by a few ulps
                    a[j] = random_double(&state, -140, 140);
                    b[j] = random_double(&state, -140, 140);
                    double p = a[j] * b[j];
                    int64_t nudge = (int64_t)(r % 9) - 4;
                    uint64_t bits;
                    memcpy(&bits, &p, 8);
                    bits += (uint64_t)nudge;
                    memcpy(&p, &bits, 8);
                    c[j] = -p;
                    break;
                }
                default: {  // a·b = P·(1 − x²) just below P = 2^e, so RN(a·b) = P and the error is tiny;
                    // c's ulp is 2P, P, P/2 or 4P: c + P on or next to a midpoint (kind 3, 4 positive, 5 negative x²)
                    int e1 = (int)(r % 201) - 100, e2 = (int)((r >> 8) % 201) - 100;
                    double x = ldexp((double)(mix(&state) >> 11) * 0x1p-53 + 0x1p-53, -(int)(20 + (r >> 16) % 10));
                    if (kind == 5) x = ldexp(1.0, -(int)(27 + (r >> 20) % 3));
                    a[j] = ldexp(1.0 + x, e1);
                    b[j] = ldexp(1.0 - x, e2);
                    if (r >> 40 & 1) a[j] = -a[j];
                    uint64_t m = (1ull << 52) | (mix(&state) >> 12);
                    int shift = 53 + (int)((r >> 24) % 4) - 2;
                    c[j] = ldexp((double)m, e1 + e2 + shift - 52) * ((r >> 41 & 1) ? -1.0 : 1.0);
                    if (kind == 4) c[j] = ldexp((r >> 42 & 1) ? 1.0 : -1.0, e1 + e2 + 51 + (int)((r >> 28) % 4));
                    break;
                }
                }
            }
            int modes = kind == 0 ? 1 : 3;
            for (int mode = 0; mode < modes; mode++) {
                if (mode != 0) {  // the polynomial steps' promise: |c| ≥ 3·|a·b|, in range
                    for (size_t j = 0; j < N; j++) {
                        if (!(fabs(c[j]) >= 3 * fabs(a[j] * b[j]))) c[j] = copysign(3 * fabs(a[j] * b[j]) * 1.25, c[j]);
                        if (c[j] == 0) c[j] = 1.0;
                    }
                }
                mismatches += compare_fma(a, b, c, N, mode, kind == 0 ? "random" : kind == 1 ? "in range" : kind == 2 ? "cancelling" : "midpoints");
                cases += N;
            }
        }
    }
    // Every triple of special values (16³ = 4096 cases).
    static const double specials[16] = {0.0, -0.0, 1.0, -1.5, 0x1p-1074, -0x1p-1022, 0x1p-300, -0x1p300, 0x1.0000000000001p+300,
                                        0x1.fffffffffffffp-301, 0x1.fffffffffffffp+1023, -INFINITY, INFINITY, NAN,
                                        1.0 + 0x1p-52, -0x1p-537};
    size_t j = 0;
    for (int x = 0; x < 16; x++) {
        for (int y = 0; y < 16; y++) {
            for (int z = 0; z < 16; z++, j++) {
                a[j] = specials[x];
                b[j] = specials[y];
                c[j] = specials[z];
            }
        }
    }
    mismatches += compare_fma(a, b, c, j, 0, "special values");
    cases += j;
    CHECK(mismatches == 0, "the double fma emulation: %zu of %zu cases differ from fma", mismatches, cases);
    printf("kernel_test: double fma emulation: %zu cases equal to fma\n", cases - mismatches);
}

// MARK: Sparse's ranking kernels

static uint64_t mix(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void test_ranking(int32_t isa) {
    enum { N = 1000 };
    static uint32_t keys[N], bounds[N];
    static uint64_t values[N], expected_values[N];
    uint64_t state = 1;
    static const size_t counts[] = {0, 1, 15, 16, 17, 100, 999};
    for (size_t element_size = 2; element_size <= 8; element_size *= 2) {
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            for (size_t j = 0; j < N; j++) {
                keys[j] = (uint32_t)mix(&state);
                bounds[j] = (uint32_t)mix(&state);
                values[j] = expected_values[j] = mix(&state);
            }
            wi_zero_below(WI_ISA_SCALAR, expected_values, element_size, keys, bounds, counts[c]);
            wi_zero_below(isa, values, element_size, keys, bounds, counts[c]);
            CHECK(memcmp(values, expected_values, sizeof values) == 0, "wi_zero_below on %s, size %zu, count %zu",
                  path_name(isa), element_size, counts[c]);
        }
    }
    enum { CAPACITY = 3 };
    static uint64_t below[2][N], candidates[2][N * CAPACITY], kept[2][N];
    static uint8_t overflow[2][N];
    const struct { uint32_t low; uint64_t span; } windows[] = {
        {0x40000000u, 0x08000000u}, {0, 1ull << 32}, {0xF0000000u, 0x10000000u}, {0x7FFFFFFFu, 1}, {5, 0},
    };
    for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            memset(below, 0, sizeof below);
            memset(candidates, 0, sizeof candidates);
            memset(kept, 0, sizeof kept);
            memset(overflow, 0, sizeof overflow);
            for (uint32_t row = 0; row < 6; row++) {
                for (size_t j = 0; j < N; j++) keys[j] = (uint32_t)mix(&state) >> (row & 1);
                wi_rank_scan(WI_ISA_SCALAR, keys, counts[c], windows[w].low, windows[w].span, row, below[0],
                             candidates[0], CAPACITY, kept[0], overflow[0]);
                wi_rank_scan(isa, keys, counts[c], windows[w].low, windows[w].span, row, below[1], candidates[1],
                             CAPACITY, kept[1], overflow[1]);
            }
            CHECK(memcmp(below[0], below[1], sizeof below[0]) == 0 &&
                      memcmp(candidates[0], candidates[1], sizeof candidates[0]) == 0 &&
                      memcmp(kept[0], kept[1], sizeof kept[0]) == 0 &&
                      memcmp(overflow[0], overflow[1], sizeof overflow[0]) == 0,
                  "wi_rank_scan on %s, window %zu, count %zu", path_name(isa), w, counts[c]);
        }
    }
}

/// wi_strided_words (the keys of a few columns of many rows) against the
/// bits fill's definition — word first + r·stride + j of the sub-stream,
/// read from a scalar bits fill of that one word — and wi_rank_scan_column
/// against the scalar path's and against wi_rank_scan of each row's key,
/// with consecutive (step 1) and strided keys.
static void test_strided(int32_t isa) {
    static const struct { uint64_t first, stride; size_t rows, width; } shapes[] = {
        {0, 4, 40, 1}, {3, 7, 33, 1}, {5, 1000, 17, 3}, {2, 16, 5, 16}, {1, 19, 9, 17}, {0, 1, 0, 4},
        {(1ull << 40) + 1, 129, 20, 2}, {UINT64_MAX - 300, 10, 29, 1},
    };
    static const uint32_t substreams[] = {0, 0x80000003u};
    enum { MOST = 600 };
    static uint32_t got[MOST], reference[MOST];
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        for (size_t s = 0; s < 2; s++) {
            size_t count = shapes[k].rows * shapes[k].width;
            memset(got, 0xA5, sizeof got);
            memset(reference, 0xA5, sizeof reference);
            wi_strided_words(isa, 42, 7, substreams[s], shapes[k].first, shapes[k].stride, shapes[k].rows,
                             shapes[k].width, got);
            wi_strided_words(WI_ISA_SCALAR, 42, 7, substreams[s], shapes[k].first, shapes[k].stride, shapes[k].rows,
                             shapes[k].width, reference);
            CHECK(memcmp(got, reference, sizeof got) == 0, "wi_strided_words on %s, shape %zu, sub-stream %zu",
                  path_name(isa), k, s);
            for (size_t i = 0; i < count; i++) {
                uint64_t index = shapes[k].first + (i / shapes[k].width) * shapes[k].stride + i % shapes[k].width;
                unsigned char *word = fill(bits(substreams[s]), WI_FORMAT_F32, 4, index, 1, WI_ISA_SCALAR, 42, 7);
                CHECK(word != NULL && element_bits(word, 4, 0) == got[i],
                      "wi_strided_words on %s, shape %zu, sub-stream %zu: key %zu is not word %" PRIu64,
                      path_name(isa), k, s, i, index);
                free(word);
            }
        }
    }
    enum { ROWS = 300, CAPACITY = 7 };
    static uint32_t keys[ROWS * 3];
    uint64_t state = 3;
    for (size_t j = 0; j < ROWS * 3; j++) keys[j] = (uint32_t)mix(&state);
    const struct { uint32_t low; uint64_t span; } windows[] = {
        {0x40000000u, 0x04000000u}, {0, 1ull << 32}, {0xF0000000u, 0x10000000u}, {0x7FFFFFFFu, 1}, {5, 0},
        {keys[1 + 20], 1}, {keys[1 + 21] - 1, 2},  // windows ending and starting at a key (step 1 and 3)
    };
    static const size_t rows[] = {0, 1, 15, 16, 17, 100, ROWS};
    for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
        for (size_t step = 1; step <= 3; step += 2) {
            for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
                uint64_t below[3] = {11, 11, 11}, candidates[3][CAPACITY] = {{0}}, kept[3] = {0, 0, 0};
                uint8_t overflow[3] = {0, 0, 0};
                // The definition: wi_rank_scan of each row's one key.
                for (size_t row = 0; row < rows[r]; row++) {
                    wi_rank_scan(WI_ISA_SCALAR, keys + 1 + row * step, 1, windows[w].low, windows[w].span,
                                 1000 + (uint32_t)row, &below[2], candidates[2], CAPACITY, &kept[2], &overflow[2]);
                }
                wi_rank_scan_column(WI_ISA_SCALAR, keys + 1, step, rows[r], 1000, windows[w].low, windows[w].span,
                                    &below[0], candidates[0], CAPACITY, &kept[0], &overflow[0]);
                wi_rank_scan_column(isa, keys + 1, step, rows[r], 1000, windows[w].low, windows[w].span, &below[1],
                                    candidates[1], CAPACITY, &kept[1], &overflow[1]);
                CHECK(below[0] == below[2] && kept[0] == kept[2] && overflow[0] == overflow[2] &&
                          memcmp(candidates[0], candidates[2], sizeof candidates[0]) == 0,
                      "wi_rank_scan_column (scalar), window %zu, step %zu, rows %zu: not wi_rank_scan's rows", w,
                      step, rows[r]);
                CHECK(below[0] == below[1] && kept[0] == kept[1] && overflow[0] == overflow[1] &&
                          memcmp(candidates[0], candidates[1], sizeof candidates[0]) == 0,
                      "wi_rank_scan_column on %s, window %zu, step %zu, rows %zu", path_name(isa), w, step, rows[r]);
            }
        }
    }
}

/// WEIGHTINIT_ISA: each path's name makes it the automatic path where it
/// runs (and the automatic fill then gives the scalar reference's bytes),
/// and refuses it where it does not; an unknown name is refused.
static void test_environment(void) {
    const char *saved = getenv("WEIGHTINIT_ISA");
    char *restore = saved ? strdup(saved) : NULL;
    unsigned char *expected = fill(normal(0.5, 2), WI_FORMAT_F32, 4, 3, 1000, WI_ISA_SCALAR, 9, 1);
    for (size_t k = 0; k < PATH_COUNT; k++) {
        setenv("WEIGHTINIT_ISA", all_paths[k].name, 1);
        int runs = path_runs(all_paths[k].isa);
        int32_t chosen = wi_isa_default();
        CHECK(chosen == (runs ? all_paths[k].isa : -1), "WEIGHTINIT_ISA=%s: the automatic path is %d",
              all_paths[k].name, chosen);
        unsigned char *actual = fill(normal(0.5, 2), WI_FORMAT_F32, 4, 3, 1000, WI_ISA_AUTO, 9, 1);
        CHECK(runs ? (actual != NULL && memcmp(actual, expected, 1000 * 4 + 64) == 0) : actual == NULL,
              "WEIGHTINIT_ISA=%s: the automatic fill %s", all_paths[k].name,
              runs ? "differs from the scalar reference" : "ran on a path that does not run here");
        free(actual);
    }
    setenv("WEIGHTINIT_ISA", "nonsense", 1);
    unsigned char *refused = fill(normal(0, 1), WI_FORMAT_F32, 4, 0, 16, WI_ISA_AUTO, 9, 1);
    CHECK(wi_isa_default() == -1 && refused == NULL, "WEIGHTINIT_ISA=nonsense was accepted");
    free(refused);
    free(expected);
    if (restore) {
        setenv("WEIGHTINIT_ISA", restore, 1);
        free(restore);
    } else {
        unsetenv("WEIGHTINIT_ISA");
    }
}

/// The comparison itself can fail: one flipped bit in a vector path's output is caught.
static void test_the_test(void) {
    unsigned char *a = fill(normal(0, 1), WI_FORMAT_F32, 4, 0, 100, WI_ISA_SCALAR, 1, 2);
    unsigned char *b = fill(normal(0, 1), WI_FORMAT_F32, 4, 0, 100, WI_ISA_SCALAR, 1, 2);
    b[4 * 37] ^= 1;
    int before = failures;
    long counted = comparisons;
    size_t at = 0;
    while (at < 400 && a[at] == b[at]) at++;
    CHECK(at == 4 * 37, "the byte comparison missed a flipped bit");
    comparisons = counted;
    (void)before;
    free(a);
    free(b);
}

// MARK: Timing (--bench)

#if defined(__x86_64__)
#include <x86intrin.h>
static double ticks(void) { return (double)__rdtsc(); }
static const char *tick_unit = "TSC cycles";
#else
static double ticks(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}
static const char *tick_unit = "ns";
#endif

static int bench(size_t values, int rounds) {
    static const struct { const char *name; wi_params params; int format; } cases[] = {
        {"bits", {WI_DIST_BITS, 0, 0, 0, 0}, 0},
        {"uniform", {WI_DIST_UNIFORM, 0, 1, 0, 0}, 0},
        {"uniform ±0.05", {WI_DIST_UNIFORM, -0.05, 0.05, 0, 0}, 0},
        {"normal", {WI_DIST_NORMAL, 0, 1, 0, 0}, 0},
        {"normal (0.5, 2)", {WI_DIST_NORMAL, 0.5, 2, 0, 0}, 0},
        {"truncated ±2", {WI_DIST_TRUNCATED_NORMAL, 0, 1, -2, 2}, 0},
        {"truncated [0, 1]", {WI_DIST_TRUNCATED_NORMAL, 0, 1, 0, 1}, 0},
        {"truncated [3, inf)", {WI_DIST_TRUNCATED_NORMAL, 0, 1, 3, INFINITY}, 0},
        {"normal bf16", {WI_DIST_NORMAL, 0, 1, 0, 0}, 3},
        {"normal f16", {WI_DIST_NORMAL, 0, 1, 0, 0}, 2},
        {"uniform f64", {WI_DIST_UNIFORM, 0, 1, 0, 0}, 1},
        {"normal f64", {WI_DIST_NORMAL, 0, 1, 0, 0}, 1},
        {"truncated f64", {WI_DIST_TRUNCATED_NORMAL, 0, 1, -2, 2}, 1},
    };
    enum { CASES = sizeof cases / sizeof cases[0] };
    const char *only = getenv("KERNEL_TEST_PATHS");
    void *out = malloc(values * 8);
    memset(out, 0, values * 8);
    printf("%s per value (best of %d, %zu values, in cache), and ÷ bits of the same path (values/s ÷ words/s)\n",
           tick_unit, rounds, values);
    printf("%-20s", "case");
    for (size_t k = 0; k < PATH_COUNT; k++) {
        if (path_runs(all_paths[k].isa) && (only == NULL || strstr(only, all_paths[k].name))) {
            printf(" %17s", all_paths[k].name);
        }
    }
    printf("\n");
    double best[CASES][PATH_COUNT];
    for (size_t c = 0; c < CASES; c++) {
        for (size_t k = 0; k < PATH_COUNT; k++) {
            best[c][k] = INFINITY;
            if (!path_runs(all_paths[k].isa) || (only != NULL && !strstr(only, all_paths[k].name))) continue;
            for (int r = 0; r < rounds; r++) {
                double start = ticks();
                wi_fill(out, formats[cases[c].format].code, 0, values, 42, 0, &cases[c].params, all_paths[k].isa);
                double t = (ticks() - start) / (double)values;
                if (t < best[c][k]) best[c][k] = t;
            }
        }
        printf("%-20s", cases[c].name);
        for (size_t k = 0; k < PATH_COUNT; k++) {
            if (isinf(best[c][k])) continue;
            printf(" %8.3f (%5.3f×)", best[c][k], best[0][k] / best[c][k]);
        }
        printf("\n");
    }
    free(out);
    return 0;
}

// MARK: main

int main(int argc, char **argv) {
    uint32_t stride = 1;
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--bench") == 0) {
            size_t values = a + 1 < argc ? (size_t)strtoull(argv[a + 1], NULL, 10) : 1u << 16;
            int rounds = a + 2 < argc ? atoi(argv[a + 2]) : 50;
            return bench(values, rounds);
        }
        if (strcmp(argv[a], "--stride") == 0 && a + 1 < argc) stride = (uint32_t)strtoul(argv[++a], NULL, 10);
    }
    if (stride == 0) stride = 1;
    test_the_test();
    test_philox();
    test_known_answers(WI_ISA_SCALAR);
    test_environment();
    test_fma_emulation();
    int32_t automatic = wi_isa_default();
    printf("kernel_test: automatic path here: %s%s\n", path_name(automatic),
           getenv("WEIGHTINIT_ISA") ? " (WEIGHTINIT_ISA)" : "");
    int vector_paths = 0;
    for (size_t k = 0; k < PATH_COUNT; k++) {
        int32_t isa = all_paths[k].isa;
        if (isa == WI_ISA_SCALAR || !path_runs(isa)) continue;
        vector_paths++;
        long before = comparisons;
        int failed = failures;
        test_known_answers(isa);
        test_fills(isa);
        test_fills_f64_extreme(isa);
        test_chunking(isa);
        test_parts(isa, stride);
        test_parts_d(isa);
        test_ranking(isa);
        test_strided(isa);
        char inputs[64] = "every 24-bit input";
        if (stride > 1) snprintf(inputs, sizeof inputs, "every %u-th 24-bit input", stride);
        printf("kernel_test: path %s: %ld comparisons with the scalar reference and the known answers, %s"
               " (Box-Muller parts and logarithm on %s)\n",
               all_paths[k].name, comparisons - before, failures == failed ? "all equal" : "MISMATCHES", inputs);
    }
    CHECK(vector_paths > 0, "no vector path runs here");
#if defined(__aarch64__)
    CHECK(path_runs(WI_ISA_NEON) && automatic == WI_ISA_NEON, "the NEON path is not the one chosen on arm64");
#endif
    if (failures > 0) {
        fprintf(stderr, "kernel_test: %d of %ld checks failed\n", failures, comparisons);
        return 1;
    }
    printf("kernel_test: all %ld checks passed (%d vector path%s)\n", comparisons, vector_paths,
           vector_paths == 1 ? "" : "s");
    return 0;
}
