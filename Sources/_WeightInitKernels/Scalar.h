// Scalar building blocks of the stream format (StreamFormatSpecification.md), shared by the
// scalar reference path and by the scalar head/tail handling of vector paths.
// Every vector path must reproduce these functions bit for bit: same
// operations, same order, fused multiply-adds exactly where written here.

#ifndef WEIGHTINIT_SCALAR_H
#define WEIGHTINIT_SCALAR_H

#include <math.h>
#include <stdint.h>
#include <string.h>

// MARK: Philox4x32-10 (Salmon et al., SC 2011; constants as in Random123 philox.h)

/// Round multipliers (Salmon et al. 2011, table 2).
#define WI_PHILOX_M0 0xD2511F53u
#define WI_PHILOX_M1 0xCD9E8D57u
/// Weyl-sequence key increments: the golden ratio and sqrt(3) - 1, as 32-bit
/// fractions.
#define WI_PHILOX_W0 0x9E3779B9u
#define WI_PHILOX_W1 0xBB67AE85u
#define WI_PHILOX_ROUNDS 10

static inline void wi_philox_scalar(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                    uint32_t k0, uint32_t k1, uint32_t out[4]) {
    for (int round = 0; round < WI_PHILOX_ROUNDS; round++) {
        uint64_t p0 = (uint64_t)WI_PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t)WI_PHILOX_M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n1 = (uint32_t)p1;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        uint32_t n3 = (uint32_t)p0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += WI_PHILOX_W0;
        k1 += WI_PHILOX_W1;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

/// The block of the stream format: counter (block lo, block hi, stream,
/// sub-stream), key (seed lo, seed hi).
static inline void wi_block(uint64_t seed, uint32_t stream, uint32_t substream,
                            uint64_t block, uint32_t out[4]) {
    wi_philox_scalar((uint32_t)block, (uint32_t)(block >> 32), stream, substream,
                     (uint32_t)seed, (uint32_t)(seed >> 32), out);
}

// MARK: Bit casts

static inline uint32_t wi_bits_f(float x) { uint32_t b; memcpy(&b, &x, 4); return b; }
static inline float wi_float_b(uint32_t b) { float x; memcpy(&x, &b, 4); return x; }
static inline uint64_t wi_bits_d(double x) { uint64_t b; memcpy(&b, &x, 8); return b; }
static inline double wi_double_b(uint64_t b) { double x; memcpy(&x, &b, 8); return x; }

// MARK: Uniform bits

/// u = (w >> 8)·2⁻²⁴ ∈ [0, 1) — exactly representable.
static inline float wi_u24(uint32_t w) { return (float)(w >> 8) * 0x1p-24f; }
/// u° = ((w >> 8) + 1)·2⁻²⁴ ∈ (0, 1] — for logarithms.
static inline float wi_u24_open(uint32_t w) { return (float)((w >> 8) + 1) * 0x1p-24f; }
static inline uint64_t wi_m53(uint32_t lo, uint32_t hi) {
    return ((((uint64_t)hi) << 32) | lo) >> 11;
}
static inline double wi_u53(uint32_t lo, uint32_t hi) { return (double)wi_m53(lo, hi) * 0x1p-53; }
static inline double wi_u53_open(uint32_t lo, uint32_t hi) {
    return (double)(wi_m53(lo, hi) + 1) * 0x1p-53;
}

// MARK: log — ln x = e·ln2 + 2·atanh(s), s = (m − 1)/(m + 1), m ∈ [√½, √2)
//
// |s| ≤ 0.1716, so the odd series 2s(1 + s²/3 + s⁴/5 + …) truncated after
// s⁸/9 (float) or s¹⁸/19 (double) leaves a relative truncation error below
// 2·10⁻⁹ (float) and 3·10⁻¹⁷ (double); the measured maximum error over the
// sampler's inputs is checked by `ElementaryFunctionTests`. ln 2 is split
// (fdlibm's ln2_hi/ln2_lo) so e·ln2_hi is exact.

static inline float wi_logf_scalar(float x) {
    uint32_t bits = wi_bits_f(x);
    int32_t e = (int32_t)(bits >> 23) - 127;
    uint32_t mant = bits & 0x007FFFFFu;
    // Mantissa above √2's (0x3504F3): use m/2 and e + 1 so m ∈ [√½, √2).
    uint32_t big = mant > 0x003504F3u;
    e += (int32_t)big;
    float m = wi_float_b(mant | (big ? 0x3F000000u : 0x3F800000u));
    float f = m - 1.0f;  // exact (Sterbenz)
    float s = f / (2.0f + f);
    float s2 = s * s;
    float p = fmaf(s2, fmaf(s2, fmaf(s2, 0x1.c71c72p-4f, 0x1.24924ap-3f), 0x1.99999ap-3f),
                   0x1.555556p-2f);
    float t = s + s;
    float lnm = fmaf(t * s2, p, t);
    float ef = (float)e;
    return fmaf(ef, 0x1.62e300p-1f /* ln2_hi */, fmaf(ef, 0x1.2fefa2p-17f /* ln2_lo */, lnm));
}

static inline double wi_log_scalar(double x) {
    uint64_t bits = wi_bits_d(x);
    int64_t e = (int64_t)(bits >> 52) - 1023;
    uint64_t mant = bits & 0x000FFFFFFFFFFFFFull;
    uint64_t big = mant > 0x0006A09E667F3BCDull;
    e += (int64_t)big;
    double m = wi_double_b(mant | (big ? 0x3FE0000000000000ull : 0x3FF0000000000000ull));
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double s2 = s * s;
    double p = 0x1.af286bca1af28p-5;           // 1/19
    p = fma(s2, p, 0x1.e1e1e1e1e1e1ep-5);      // 1/17
    p = fma(s2, p, 0x1.1111111111111p-4);      // 1/15
    p = fma(s2, p, 0x1.3b13b13b13b14p-4);      // 1/13
    p = fma(s2, p, 0x1.745d1745d1746p-4);      // 1/11
    p = fma(s2, p, 0x1.c71c71c71c71cp-4);      // 1/9
    p = fma(s2, p, 0x1.2492492492492p-3);      // 1/7
    p = fma(s2, p, 0x1.999999999999ap-3);      // 1/5
    p = fma(s2, p, 0x1.5555555555555p-2);      // 1/3
    double t = s + s;
    double lnm = fma(t * s2, p, t);
    double ed = (double)e;
    return fma(ed, 0x1.62e42fee00000p-1 /* ln2_hi */, fma(ed, 0x1.a39ef35793c76p-33 /* ln2_lo */, lnm));
}

// MARK: sin 2πu, cos 2πu
//
// u = m·2⁻ᵇ (b = 24 or 53). The quadrant q = round(4u) and the remainder
// r = u − q/4 ∈ [−⅛, ⅛] are taken in integers, so the reduction is exact; then
// the Taylor series of sin(2πr) (to r⁹ float, r¹⁷ double) and cos(2πr) (to r¹⁰,
// r¹⁶) — truncation error < 3·10⁻⁹ (float) and < 10⁻¹⁶ (double) on |2πr| ≤ π/4
// — and the quadrant's rotation.

static inline void wi_sincos2pi_m24(uint32_t m, float *sinOut, float *cosOut) {
    uint32_t q = (m + (1u << 21)) >> 22;
    int32_t ri = (int32_t)m - (int32_t)(q << 22);
    float r = (float)ri * 0x1p-24f;
    float r2 = r * r;
    float sp = fmaf(r2, fmaf(r2, fmaf(r2, fmaf(r2, 0x1.507834p+5f, -0x1.32d2ccp+6f), 0x1.466bc6p+6f),
                             -0x1.4abbcep+5f), 0x1.921fb6p+2f);
    float s = r * sp;
    float c = fmaf(r2, fmaf(r2, fmaf(r2, fmaf(r2, fmaf(r2, -0x1.a6d1f2p+4f, 0x1.e1f506p+5f), -0x1.55d3c8p+6f),
                                     0x1.03c1f0p+6f), -0x1.3bd3ccp+4f), 1.0f);
    switch (q & 3u) {
    case 0: *sinOut = s; *cosOut = c; break;
    case 1: *sinOut = c; *cosOut = -s; break;
    case 2: *sinOut = -s; *cosOut = -c; break;
    default: *sinOut = -c; *cosOut = s; break;
    }
}

static inline void wi_sincos2pi_m53(uint64_t m, double *sinOut, double *cosOut) {
    uint64_t q = (m + (1ull << 50)) >> 51;
    int64_t ri = (int64_t)m - (int64_t)(q << 51);
    double r = (double)ri * 0x1p-53;
    double r2 = r * r;
    double sp = 0x1.aaec32af93359p-4;
    sp = fma(r2, sp, -0x1.6fadb9f155744p-1);
    sp = fma(r2, sp, 0x1.e8f434d018d63p+1);
    sp = fma(r2, sp, -0x1.e3074fde8871fp+3);
    sp = fma(r2, sp, 0x1.50783487ee782p+5);
    sp = fma(r2, sp, -0x1.32d2cce62bd86p+6);
    sp = fma(r2, sp, 0x1.466bc6775aae2p+6);
    sp = fma(r2, sp, -0x1.4abbce625be53p+5);
    sp = fma(r2, sp, 0x1.921fb54442d18p+2);
    double s = r * sp;
    double c = 0x1.20c62c2f2d7f5p-2;
    c = fma(r2, c, -0x1.b6e24f44b128fp+0);
    c = fma(r2, c, 0x1.f9d38a3763cc3p+2);
    c = fma(r2, c, -0x1.a6d1f2a204a8cp+4);
    c = fma(r2, c, 0x1.e1f506891babbp+5);
    c = fma(r2, c, -0x1.55d3c7e3cbffap+6);
    c = fma(r2, c, 0x1.03c1f081b5ac4p+6);
    c = fma(r2, c, -0x1.3bd3cc9be45dep+4);
    c = fma(r2, c, 1.0);
    switch (q & 3u) {
    case 0: *sinOut = s; *cosOut = c; break;
    case 1: *sinOut = c; *cosOut = -s; break;
    case 2: *sinOut = -s; *cosOut = -c; break;
    default: *sinOut = -c; *cosOut = s; break;
    }
}

// MARK: Box–Muller on one pair of uniform words

/// z0 = r·cos 2πu₂, z1 = r·sin 2πu₂ with r = √(−2 ln u°₁).
static inline void wi_box_muller_f(uint32_t wa, uint32_t wb, float *z0, float *z1) {
    float r = sqrtf(-2.0f * wi_logf_scalar(wi_u24_open(wa)));
    float s, c;
    wi_sincos2pi_m24(wb >> 8, &s, &c);
    *z0 = r * c;
    *z1 = r * s;
}

static inline void wi_box_muller_d(uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1,
                                   double *z0, double *z1) {
    double r = sqrt(-2.0 * wi_log_scalar(wi_u53_open(a0, a1)));
    double s, c;
    wi_sincos2pi_m53(wi_m53(b0, b1), &s, &c);
    *z0 = r * c;
    *z1 = r * s;
}

// MARK: Rounding to the 16-bit formats (round to nearest, ties to even)

static inline uint16_t wi_f32_to_bf16(float x) {
    uint32_t b = wi_bits_f(x);
    if ((b & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((b >> 16) | 0x0040u);  // quiet NaN
    b += 0x7FFFu + ((b >> 16) & 1u);
    return (uint16_t)(b >> 16);
}

static inline float wi_bf16_to_f32(uint16_t h) { return wi_float_b(((uint32_t)h) << 16); }

static inline uint16_t wi_f32_to_f16(float x) {
    uint32_t b = wi_bits_f(x);
    uint32_t sign = (b >> 16) & 0x8000u;
    uint32_t a = b & 0x7FFFFFFFu;
    if (a >= 0x7F800000u) return (uint16_t)(sign | (a > 0x7F800000u ? 0x7E00u : 0x7C00u));
    if (a >= 0x477FF000u) return (uint16_t)(sign | 0x7C00u);  // ≥ 65520 rounds to ∞
    if (a < 0x38800000u) {
        // Below 2⁻¹⁴: subnormal half. Adding 0.5 puts the value where a float's
        // ulp is 2⁻²⁴ — the half subnormal spacing — so the FPU's own
        // round-to-nearest-even does the rounding.
        float t = wi_float_b(a) + 0.5f;
        return (uint16_t)(sign | (wi_bits_f(t) - 0x3F000000u));
    }
    uint32_t odd = (a >> 13) & 1u;
    a += 0xC8000FFFu + odd;  // re-bias the exponent (−112 << 23) and round
    return (uint16_t)(sign | (a >> 13));
}

static inline float wi_f16_to_f32(uint16_t h) {
    uint32_t sign = ((uint32_t)(h & 0x8000u)) << 16;
    uint32_t e = (h >> 10) & 0x1Fu, m = h & 0x3FFu;
    if (e == 0) return wi_float_b(sign | wi_bits_f((float)m * 0x1p-24f));
    if (e == 31) return wi_float_b(sign | 0x7F800000u | (m << 13));
    return wi_float_b(sign | ((e + 112u) << 23) | (m << 13));
}

#endif
