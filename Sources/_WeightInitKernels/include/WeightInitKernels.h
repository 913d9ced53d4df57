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

/// Version of the (seed, stream, index) → value mapping.
#define WI_STREAM_FORMAT_VERSION 1

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
} wi_distribution;

typedef enum {
    WI_ISA_AUTO = -1,    ///< best available (or the WEIGHTINIT_ISA environment variable)
    WI_ISA_SCALAR = 0,   ///< the reference: portable C, one value at a time
    WI_ISA_SSE2 = 1,     ///< x86-64 baseline vector path (fma emulated by libm fmaf)
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
/// if set and available, else the best available. Returns -1 if WEIGHTINIT_ISA
/// names a path that is unknown or unavailable.
int32_t wi_isa_default(void);

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

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif
