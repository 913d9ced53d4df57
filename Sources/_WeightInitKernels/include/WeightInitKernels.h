// _WeightInitKernels — the sampling kernels of swift-weight-init.
//
// No stable API: the Swift module `WeightInit` is the only intended client.
// Everything here implements the stream format written down in
// Sources/WeightInit/WeightInit.docc/StreamFormatSpecification.md; any change that alters a
// single output value for some (seed, stream, index, parameters) is a breaking
// change of that format and must bump WI_STREAM_FORMAT_VERSION.

#ifndef WEIGHTINIT_KERNELS_H
#define WEIGHTINIT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Hidden in shared libraries: these kernels are linked into libWeightInitC.so
// (the C ABI, include/weightinit.h), whose exported C symbols must be exactly
// that header's functions. Static links (the tool, the tests) are unaffected.
#pragma GCC visibility push(hidden)

/// Version of the stream format: the (seed, stream, index) → value mapping
/// (unchanged since 2) and the keys and streams model plans derive from
/// tensor names (3: the key from the name as well).
#define WI_STREAM_FORMAT_VERSION 3

// MARK: Philox4x32-10

/// One Philox4x32-10 block: `out = philox(ctr, key)`.
/// (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3",
/// SC 2011.)
void wi_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

// MARK: Elementary functions shared by every path (exposed for tests)

/// Natural logarithm of x > 0 (finite, normal) — the polynomial used by the
/// normal sampler. Same arithmetic on every ISA path.
float wi_logf(float x);
double wi_log(double x);
/// sin(2πu) and cos(2πu) for u in [0, 1) a multiple of 2^-24 (float) or
/// 2^-53 (double).
void wi_sincos2pif(float u, float *s, float *c);
void wi_sincos2pi(double u, double *s, double *c);

/// Test hook: the f32 Box–Muller's parts for `count` words (a multiple of 16)
/// as path `isa` computes them — radius √(−2 ln u°(w)), sin, cos 2π·u(w) and
/// the logarithm ln u°(w) of the truncated normal's other methods (u°, u as
/// in the stream format) — so the tests can check every path on all 2²⁴
/// inputs of each. Returns 0, or -1 if `isa` does not run here.
int wi_box_muller_parts_f(int32_t isa, const uint32_t *words, size_t count, float *radius, float *sin_out,
                          float *cos_out, float *log_out);

/// Test hook: the f64 Box–Muller's parts for `count` 64-bit words w (a
/// multiple of 16) as path `isa` computes them — ln u°(w) (the radius's
/// logarithm, and the truncated normal's) and sin, cos 2π·u(w), with u°, u
/// as in the stream format (the word read as hi·2³² + lo). Returns 0, or -1
/// if `isa` does not run here.
int wi_box_muller_parts_d(int32_t isa, const uint64_t *words, size_t count, double *log_out, double *sin_out,
                          double *cos_out);

/// Test hook: fma(a[j], b[j], c[j]) by the emulation the paths without an
/// fma instruction use (Vector.c, "Double fma without an fma instruction"),
/// on this machine's baseline vector unit; `count` a multiple of 16. `mode`
/// 0: any inputs (the parameters' fmas); 1: the polynomial steps' exact
/// variant, 2: their fast one with its exact fallback — for 1 and 2 the
/// caller promises |c| ≥ 3·|a·b|, c ≠ −0 and every nonzero magnitude in
/// [2⁻³⁰⁰, 2³⁰⁰]. Returns 0, or -1 for a bad count or mode.
int wi_fma_emulated(const double *a, const double *b, const double *c, double *out, size_t count, int mode);

/// float → bfloat16 and float → binary16, round to nearest even (the
/// conversions every path uses).
uint16_t wi_float_to_bf16(float x);
uint16_t wi_float_to_f16(float x);

// MARK: Output formats, distributions, ISA paths

typedef enum {
    WI_FORMAT_F32 = 0,   ///< IEEE binary32, sampled in float
    WI_FORMAT_F64 = 1,   ///< IEEE binary64, sampled in double
    WI_FORMAT_F16 = 2,   ///< IEEE binary16, sampled in float, rounded to nearest even
    WI_FORMAT_BF16 = 3,  ///< bfloat16, sampled in float, rounded to nearest even
} wi_format;

typedef enum {
    WI_DIST_UNIFORM = 0,           ///< U[p0, p1)
    WI_DIST_NORMAL = 1,            ///< N(mean p0, std p1)
    WI_DIST_TRUNCATED_NORMAL = 2,  ///< N(mean p0, std p1) conditioned on [p2, p3]
    /// Not a distribution: the Philox words themselves, element i = word i % 4
    /// of block i / 4 stored as a uint32 (format WI_FORMAT_F32's 4 bytes
    /// only). p0 is the sub-stream, counter word c3, an integer in [0, 2³²):
    /// 0, the main stream, for the limit every fill is measured against; a
    /// helper sub-stream for index-addressable keys (sparse's ranking).
    WI_DIST_BITS = 3,
} wi_distribution;

typedef enum {
    WI_ISA_AUTO = -1,    ///< best available (or the WEIGHTINIT_ISA environment variable)
    WI_ISA_SCALAR = 0,   ///< the reference: portable C, one value at a time
    WI_ISA_SSE2 = 1,     ///< x86-64 baseline vector path (no fma instruction: float's done in double, double's emulated; Vector.c)
    WI_ISA_AVX2 = 2,     ///< AVX2 + FMA
    WI_ISA_AVX512 = 3,   ///< AVX-512F (+ BW/DQ/VL)
    WI_ISA_NEON = 4,     ///< arm64 Advanced SIMD
} wi_isa;

typedef struct {
    int32_t distribution;   ///< a wi_distribution
    double p0, p1, p2, p3;  ///< parameters as documented for wi_distribution
} wi_params;

/// Whether `isa` can run on this CPU (WI_ISA_SCALAR always can).
int wi_isa_available(int32_t isa);
/// The path WI_ISA_AUTO resolves to: WEIGHTINIT_ISA (scalar|sse2|avx2|avx512|neon)
/// if set and available, else the calibrated choice (wi_isa_calibration).
/// Returns -1 if WEIGHTINIT_ISA names a path that is unknown or unavailable.
int32_t wi_isa_default(void);

// MARK: Choosing the automatic path by calibration
//
// Every path gives the same bits, so the automatic path may be the one that
// is fastest here: where the CPU has more than one candidate (AVX-512 and
// AVX2), the first use times a small fill on each, alternating, and keeps
// the fastest — once per process, thread-safe. AVX-512 wins by ~1.5–1.9× on
// Intel cores with two 512-bit ports but lost by 4–15 % on an AMD EPYC
// (double-pumped 512-bit units), which a fixed order cannot know.

/// Most candidates a calibration compares.
#define WI_CALIBRATION_MAX 4
/// A wider path must be this much faster than the next narrower candidate
/// to be chosen (wider vectors can lower the clock for other code).
#define WI_CALIBRATION_MARGIN 0.05

/// What the calibration found: the candidates (widest first), the best time
/// of each, the choice, and how long the whole calibration took.
typedef struct {
    int32_t count;
    int32_t isa[WI_CALIBRATION_MAX];
    double seconds[WI_CALIBRATION_MAX];
    int32_t chosen;
    int32_t rounds;
    double total_seconds;
} wi_calibration;

/// The decision alone (deterministic, for tests): candidates widest first
/// with their best times; the fastest, except that a candidate is passed
/// over for a narrower one unless it is faster by WI_CALIBRATION_MARGIN.
int32_t wi_isa_choose(int32_t count, const int32_t *isa, const double *seconds);

/// Times one calibration fill on `isa` and returns its seconds.
typedef double (*wi_calibration_timer)(int32_t isa, void *context);

/// Runs a calibration: one untimed warm-up fill per candidate, then `rounds`
/// rounds that time each candidate once (alternating, so a slow moment of
/// the machine hits all of them), keeping each candidate's best time, then
/// wi_isa_choose. `timer` NULL times the real calibration fill (4096
/// uniform and 4096 normal f32 values); tests pass their own. Returns the
/// choice (`result->chosen`).
int32_t wi_isa_calibrate(int32_t count, const int32_t *isa, int32_t rounds, wi_calibration_timer timer,
                         void *context, wi_calibration *result);

/// The calibration of this process (running it now if it has not run):
/// returns 0 and fills `result`, or -1 if there was nothing to choose
/// between (one candidate: `result->count` is 1, no timing).
int wi_isa_calibration(wi_calibration *result);

/// The clamp bounds of a distribution in an output format: for uniform the
/// smallest format value ≥ low and the largest < high; for truncated normal the
/// smallest ≥ a and the largest ≤ b; ±∞ for normal. Returns 0, or -1 for an
/// unknown distribution. Callers reject parameters where lo > hi (no
/// representable value in the interval).
int wi_output_bounds(int32_t format, const wi_params *params, double *lo, double *hi);

/// Fills `count` values of `format` into `out`, the values at flat indices
/// `first_index ..< first_index + count` of the stream (seed, stream).
/// Parameters must have been validated by the caller (finite, std > 0,
/// low < high, …). Returns 0, or -1 if `isa` is not available.
int wi_fill(void *out, int32_t format, uint64_t first_index, size_t count,
            uint64_t seed, uint32_t stream, const wi_params *params, int32_t isa);

// MARK: Sparse's rank keys (Ranking.c; SparseRanking.swift)

/// values[j] = +0 where keys[j] < bounds[j], for `count` elements of
/// `element_size` bytes (2, 4 or 8). `isa` as for wi_fill, resolved.
void wi_zero_below(int32_t isa, void *values, size_t element_size, const uint32_t *keys, const uint32_t *bounds,
                   size_t count);

/// One row segment of the cut search (row `row`, columns j < count of a
/// panel): below[j] += (keys[j] < low) for every j, and each key with
/// low ≤ keys[j] < low + span (span ≤ 2³²) appended as key << 32 | row to
/// column j's candidates at candidates[j·capacity + kept[j]] (kept[j] + 1),
/// or, when column j already holds `capacity`, overflow[j] = 1.
void wi_rank_scan(int32_t isa, const uint32_t *keys, size_t count, uint32_t low, uint64_t span, uint32_t row,
                  uint64_t *below, uint64_t *candidates, size_t capacity, uint64_t *kept, uint8_t *overflow);

/// wi_rank_scan for one column of a panel over `rows` rows, whose keys are
/// keys[r·step] (rows first_row + r): *below += the count of keys < low, and
/// each key in the window appended as key << 32 | row to candidates (the
/// column's `capacity` slots; *kept, *overflow as there) — one call per
/// column and batch of rows where a panel of a few columns would otherwise
/// cost a call per row.
void wi_rank_scan_column(int32_t isa, const uint32_t *keys, size_t step, size_t rows, uint32_t first_row, uint32_t low,
                         uint64_t span, uint64_t *below, uint64_t *candidates, size_t capacity, uint64_t *kept,
                         uint8_t *overflow);

/// out[r·width + j] = word (first + r·stride + j) of sub-stream `substream`
/// of (seed, stream) — word i % 4 of block i / 4, as wi_fill's bits — for
/// r < rows, j < width: the keys of a few columns of many rows, each word
/// from its own block (16 blocks at a time on the vector paths), where one
/// wi_fill per row would cost its call per key. Indices must not pass 2⁶⁴.
void wi_strided_words(int32_t isa, uint64_t seed, uint32_t stream, uint32_t substream, uint64_t first,
                      uint64_t stride, size_t rows, size_t width, uint32_t *out);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif
