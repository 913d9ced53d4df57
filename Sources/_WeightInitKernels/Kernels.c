// The scalar reference path of the stream format, parameter preparation and
// ISA dispatch. Vector paths live in Vector.c and must agree with this file
// bit for bit.

#include "WeightInitKernels.h"
#include "Internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// Written-out fmaf/fma are the only fused operations of the stream format; never
// contract `a * b + c` (it would differ between builds with and without FMA).
#pragma clang fp contract(off)

// MARK: Exposed elementary functions (for tests)

void wi_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
    wi_philox_scalar(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out);
}

float wi_logf(float x) { return wi_logf_scalar(x); }
double wi_log(double x) { return wi_log_scalar(x); }

void wi_sincos2pif(float u, float *s, float *c) {
    wi_sincos2pi_m24((uint32_t)(u * 0x1p24f), s, c);
}

void wi_sincos2pi(double u, double *s, double *c) {
    wi_sincos2pi_m53((uint64_t)(u * 0x1p53), s, c);
}

int wi_box_muller_parts_f(int32_t isa, const uint32_t *words, size_t count, float *radius, float *sin_out,
                          float *cos_out, float *log_out) {
    if (count % 16 != 0) return -1;
    if (isa == WI_ISA_SCALAR) {
        for (size_t j = 0; j < count; j++) {
            log_out[j] = wi_logf_scalar(wi_u24_open(words[j]));  // as TruncatedNormal.c attempt_f
            radius[j] = sqrtf(-2.0f * log_out[j]);               // as wi_box_muller_f
            wi_sincos2pi_m24(words[j] >> 8, &sin_out[j], &cos_out[j]);
        }
        return 0;
    }
    if (!(wi_isa_available(isa) && wi_vector_path_exists(isa))) return -1;
    return wi_vector_box_muller_parts(isa, words, count, radius, sin_out, cos_out, log_out);
}

int wi_box_muller_parts_d(int32_t isa, const uint64_t *words, size_t count, double *log_out, double *sin_out,
                          double *cos_out) {
    if (count % 16 != 0) return -1;
    if (isa == WI_ISA_SCALAR) {
        for (size_t j = 0; j < count; j++) {
            uint32_t lo = (uint32_t)words[j], hi = (uint32_t)(words[j] >> 32);
            log_out[j] = wi_log_scalar(wi_u53_open(lo, hi));
            wi_sincos2pi_m53(wi_m53(lo, hi), &sin_out[j], &cos_out[j]);
        }
        return 0;
    }
    if (!(wi_isa_available(isa) && wi_vector_path_exists(isa))) return -1;
    return wi_vector_box_muller_parts_d(isa, words, count, log_out, sin_out, cos_out);
}

uint16_t wi_float_to_bf16(float x) { return wi_f32_to_bf16(x); }
uint16_t wi_float_to_f16(float x) { return wi_f32_to_f16(x); }

// MARK: Values representable in an output format

/// x rounded to `format` (f32, f16 or bf16) and back to float.
static float format_round(int32_t format, float x) {
    switch (format) {
    case WI_FORMAT_F16: return wi_f16_to_f32(wi_f32_to_f16(x));
    case WI_FORMAT_BF16: return wi_bf16_to_f32(wi_f32_to_bf16(x));
    default: return x;
    }
}

/// The neighbour of x (representable in `format`) towards +∞ (up) or −∞.
static float format_step(int32_t format, float x, int up) {
    if (format == WI_FORMAT_F32) return nextafterf(x, up ? INFINITY : -INFINITY);
    uint16_t h = format == WI_FORMAT_F16 ? wi_f32_to_f16(x) : wi_f32_to_bf16(x);
    int negative = (h & 0x8000u) != 0, zero = (h & 0x7FFFu) == 0;
    if (zero) h = up ? 0x0001u : 0x8001u;
    else if (negative == !up) h = (uint16_t)(h + 1);  // away from zero
    else h = (uint16_t)(h - 1);                       // towards zero
    return format == WI_FORMAT_F16 ? wi_f16_to_f32(h) : wi_bf16_to_f32(h);
}

/// Smallest value of the format ≥ v (strict = 0) or > v (strict = 1).
static double format_above(int32_t format, double v, int strict) {
    if (isinf(v) && !strict) return v;  // ±∞ is its own bound (the search below would not end)
    if (format == WI_FORMAT_F64) {
        return strict ? nextafter(v, INFINITY) : v;
    }
    float x = format_round(format, (float)v);
    while (strict ? (double)x <= v : (double)x < v) x = format_step(format, x, 1);
    for (;;) {
        float below = format_step(format, x, 0);
        if (strict ? (double)below <= v : (double)below < v) break;
        x = below;
    }
    return x;
}

/// Largest value of the format ≤ v (strict = 0) or < v (strict = 1).
static double format_below(int32_t format, double v, int strict) {
    if (isinf(v) && !strict) return v;
    if (format == WI_FORMAT_F64) {
        return strict ? nextafter(v, -INFINITY) : v;
    }
    float x = format_round(format, (float)v);
    while (strict ? (double)x >= v : (double)x > v) x = format_step(format, x, 0);
    for (;;) {
        float above = format_step(format, x, 1);
        if (strict ? (double)above >= v : (double)above > v) break;
        x = above;
    }
    return x;
}

int wi_output_bounds(int32_t format, const wi_params *params, double *lo, double *hi) {
    switch (params->distribution) {
    case WI_DIST_BITS:
        if (format != WI_FORMAT_F32) return -1;  // 4-byte words only
        *lo = -INFINITY;
        *hi = INFINITY;
        return 0;
    case WI_DIST_UNIFORM:
        *lo = format_above(format, params->p0, 0);
        *hi = format_below(format, params->p1, 1);
        return 0;
    case WI_DIST_TRUNCATED_NORMAL:
        *lo = format_above(format, params->p2, 0);
        *hi = format_below(format, params->p3, 0);
        return 0;
    case WI_DIST_NORMAL:
        *lo = -INFINITY;
        *hi = INFINITY;
        return 0;
    default:
        return -1;
    }
}

// MARK: Parameter preparation (once per fill call)

/// For the vector paths: x = fma(u, width, low) with u = (w >> 8)·2⁻²⁴ equals
/// fma((float)(w >> 8), width·2⁻²⁴, low) whenever width·2⁻²⁴ is exact (no
/// underflow): the exact products are the same number. And fma(u, width, low)
/// is non-decreasing in u (width > 0), so over u ∈ [0, 1 − 2⁻²⁴] it lies in
/// [fma(0, width, low), fma(1 − 2⁻²⁴, width, low)]: a clamp that no value of
/// that interval reaches is skipped. Both shortcuts give the reference's
/// bits exactly.
static void prepare_uniform_shortcut(wi_prepared *p) {
    float step = p->b_f * 0x1p-24f;
    p->u_step_f = step * 0x1p24f == p->b_f && step >= 0x1p-126f ? step : 0.0f;
    float smallest = fmaf(0.0f, p->b_f, p->a_f), largest = fmaf(0x1.fffffep-1f, p->b_f, p->a_f);
    p->clamp_low_f = !(smallest >= p->lo_f);
    p->clamp_high_f = !(largest <= p->hi_f);
    // Without fma (Vector.c uniform_f): k·step for k = w >> 8 < 2²⁴ is exact
    // in float when step is a power of two (≥ 2⁻¹²⁶: checked above). And
    // k·step + low is exact in double when the sum's bits fit 53: every sum
    // is a multiple of g = min(ulp(step), ulp(low)) and below |low| + 2²⁴·step,
    // so |low| + 2²⁴·step ≤ 2⁵²·g (one bit of margin for the rounding of the
    // left side) suffices.
    if (p->u_step_f != 0.0f) {
        int exponent;
        p->u_pow2_f = frexpf(p->u_step_f, &exponent) == 0.5f;
        double g = ldexp(1.0, ilogbf(p->u_step_f) - 23);
        if (p->a_f != 0.0f) g = fmin(g, ldexp(1.0, ilogbf(p->a_f) - 23));
        p->u_exact_d = fabs((double)p->a_f) + 0x1p24 * (double)p->u_step_f <= 0x1p52 * g;
    }
}

int wi_prepare(wi_prepared *p, int32_t format, const wi_params *params) {
    memset(p, 0, sizeof *p);
    p->distribution = params->distribution;
    p->format = format;
    if (format < WI_FORMAT_F32 || format > WI_FORMAT_BF16) return -1;
    double lo, hi;
    if (wi_output_bounds(format, params, &lo, &hi) != 0) return -1;
    if (lo > hi) return -1;  // no value of the format in the interval: nothing valid to write
    p->lo_d = lo; p->hi_d = hi;
    p->lo_f = (float)lo; p->hi_f = (float)hi;  // exact: representable in the format
    switch (params->distribution) {
    case WI_DIST_UNIFORM:
        p->a_d = params->p0; p->b_d = params->p1 - params->p0;
        p->a_f = (float)params->p0; p->b_f = (float)(params->p1 - params->p0);
        prepare_uniform_shortcut(p);
        return 0;
    case WI_DIST_NORMAL:
        p->a_d = params->p0; p->b_d = params->p1;
        p->a_f = (float)params->p0; p->b_f = (float)params->p1;
        p->scale_mul_f = wi_bits_f(p->a_f) == 0 && p->b_f != 0.0f;
        p->scale_add_f = p->scale_mul_f && fabsf(p->b_f) >= 0x1p-100f;
        return 0;
    case WI_DIST_BITS:
        // p0: the sub-stream (counter word c3), an integer in [0, 2³²).
        if (!(params->p0 >= 0.0 && params->p0 <= 4294967295.0) || params->p0 != (double)(uint32_t)params->p0) return -1;
        p->substream = (uint32_t)params->p0;
        return 0;
    case WI_DIST_TRUNCATED_NORMAL:
        p->a_d = params->p0; p->b_d = params->p1;
        p->a_f = (float)params->p0; p->b_f = (float)params->p1;
        p->scale_mul_f = wi_bits_f(p->a_f) == 0 && p->b_f != 0.0f;
        return wi_prepare_truncated(p, params);
    default:
        return -1;
    }
}

// MARK: The scalar reference path

static inline float clamp_f(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }
static inline double clamp_d(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

/// The four float-sampled values of block `block` (elements 4·block …).
static void block_values_f(const wi_prepared *p, uint64_t seed, uint32_t stream, uint64_t block,
                           float v[4]) {
    uint32_t w[4];
    wi_block(seed, stream, 0, block, w);
    switch (p->distribution) {
    case WI_DIST_UNIFORM:
        for (int j = 0; j < 4; j++) v[j] = clamp_f(fmaf(wi_u24(w[j]), p->b_f, p->a_f), p->lo_f, p->hi_f);
        return;
    case WI_DIST_NORMAL:
        wi_box_muller_f(w[0], w[1], &v[0], &v[1]);
        wi_box_muller_f(w[2], w[3], &v[2], &v[3]);
        for (int j = 0; j < 4; j++) v[j] = fmaf(p->b_f, v[j], p->a_f);
        return;
    default: {
        float z[4];
        wi_box_muller_f(w[0], w[1], &z[0], &z[1]);
        wi_box_muller_f(w[2], w[3], &z[2], &z[3]);
        for (int j = 0; j < 4; j++) v[j] = wi_truncated_value_f(p, seed, stream, block * 4 + (uint64_t)j, z[j]);
        return;
    }
    }
}

/// The two double-sampled values of block `block` (elements 2·block, 2·block + 1).
static void block_values_d(const wi_prepared *p, uint64_t seed, uint32_t stream, uint64_t block,
                           double v[2]) {
    uint32_t w[4];
    wi_block(seed, stream, 0, block, w);
    switch (p->distribution) {
    case WI_DIST_UNIFORM:
        v[0] = clamp_d(fma(wi_u53(w[0], w[1]), p->b_d, p->a_d), p->lo_d, p->hi_d);
        v[1] = clamp_d(fma(wi_u53(w[2], w[3]), p->b_d, p->a_d), p->lo_d, p->hi_d);
        return;
    case WI_DIST_NORMAL:
        wi_box_muller_d(w[0], w[1], w[2], w[3], &v[0], &v[1]);
        v[0] = fma(p->b_d, v[0], p->a_d);
        v[1] = fma(p->b_d, v[1], p->a_d);
        return;
    default: {
        double z[2];
        wi_box_muller_d(w[0], w[1], w[2], w[3], &z[0], &z[1]);
        v[0] = wi_truncated_value_d(p, seed, stream, block * 2, z[0]);
        v[1] = wi_truncated_value_d(p, seed, stream, block * 2 + 1, z[1]);
        return;
    }
    }
}

static inline void store_f(void *out, int32_t format, size_t j, float x) {
    switch (format) {
    case WI_FORMAT_F16: ((uint16_t *)out)[j] = wi_f32_to_f16(x); break;
    case WI_FORMAT_BF16: ((uint16_t *)out)[j] = wi_f32_to_bf16(x); break;
    default: ((float *)out)[j] = x; break;
    }
}

void wi_fill_scalar(void *out, const wi_prepared *p, uint64_t first, size_t count,
                    uint64_t seed, uint32_t stream) {
    if (count == 0) return;
    // Inclusive last index: first + count may be exactly 2⁶⁴, which wraps.
    uint64_t last = first + (count - 1);
    if (p->distribution == WI_DIST_BITS) {
        // The words go out as they are (through uint32_t, never a float register).
        for (uint64_t block = first / 4; block <= last / 4; block++) {
            uint32_t w[4];
            wi_block(seed, stream, p->substream, block, w);
            for (uint64_t j = 0; j < 4; j++) {
                uint64_t i = block * 4 + j;
                if (i >= first && i <= last) memcpy((uint32_t *)out + (i - first), &w[j], 4);
            }
        }
        return;
    }
    if (p->format == WI_FORMAT_F64) {
        double *o = (double *)out;
        for (uint64_t block = first / 2; block <= last / 2; block++) {
            double v[2];
            block_values_d(p, seed, stream, block, v);
            for (uint64_t j = 0; j < 2; j++) {
                uint64_t i = block * 2 + j;
                if (i >= first && i <= last) o[i - first] = v[j];
            }
        }
        return;
    }
    for (uint64_t block = first / 4; block <= last / 4; block++) {
        float v[4];
        block_values_f(p, seed, stream, block, v);
        for (uint64_t j = 0; j < 4; j++) {
            uint64_t i = block * 4 + j;
            if (i >= first && i <= last) store_f(out, p->format, (size_t)(i - first), v[j]);
        }
    }
}

// MARK: ISA selection and dispatch

int wi_isa_available(int32_t isa) {
    switch (isa) {
    case WI_ISA_SCALAR: return 1;
#if defined(__x86_64__)
    case WI_ISA_SSE2: return 1;
    case WI_ISA_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
               __builtin_cpu_supports("f16c");
    case WI_ISA_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#elif defined(__aarch64__)
    case WI_ISA_NEON: return 1;
#endif
    default: return 0;
    }
}

static int runs_here(int32_t isa) { return wi_isa_available(isa) && wi_vector_path_exists(isa); }

/// The fixed preference when there is nothing to calibrate.
static int32_t best_isa_by_order(void) {
    static const int32_t order[] = {WI_ISA_AVX512, WI_ISA_AVX2, WI_ISA_NEON, WI_ISA_SSE2};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        if (runs_here(order[k])) return order[k];
    }
    return WI_ISA_SCALAR;
}

int32_t wi_isa_choose(int32_t count, const int32_t *isa, const double *seconds) {
    if (count <= 0) return WI_ISA_SCALAR;
    // From the narrowest up: a wider candidate replaces the choice only if it
    // is faster by the margin.
    int32_t best = count - 1;
    for (int32_t k = count - 2; k >= 0; k--) {
        if (seconds[k] * (1.0 + WI_CALIBRATION_MARGIN) < seconds[best]) best = k;
    }
    return isa[best];
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/// Values per distribution in the real calibration fill: small enough that
/// the whole calibration stays well under a millisecond, large enough
/// (tens of microseconds) that the clock's resolution does not matter.
#define WI_CALIBRATION_VALUES 4096

/// The real calibration fill: the two workloads that matter, Philox-bound
/// uniform and arithmetic-bound normal, f32.
static double time_calibration_fill(int32_t isa, void *context) {
    (void)context;
    float buffer[WI_CALIBRATION_VALUES];  // 16 KiB of stack, once per process
    wi_params uniform = {WI_DIST_UNIFORM, 0, 1, 0, 0}, normal = {WI_DIST_NORMAL, 0, 1, 0, 0};
    double start = now_seconds();
    wi_fill(buffer, WI_FORMAT_F32, 0, WI_CALIBRATION_VALUES, 0x5EED, 0, &uniform, isa);
    wi_fill(buffer, WI_FORMAT_F32, 0, WI_CALIBRATION_VALUES, 0x5EED, 0, &normal, isa);
    return now_seconds() - start;
}

int32_t wi_isa_calibrate(int32_t count, const int32_t *isa, int32_t rounds, wi_calibration_timer timer,
                         void *context, wi_calibration *result) {
    double start = now_seconds();
    if (count > WI_CALIBRATION_MAX) count = WI_CALIBRATION_MAX;
    if (timer == NULL) timer = time_calibration_fill;
    memset(result, 0, sizeof *result);
    result->count = count;
    result->rounds = rounds;
    for (int32_t k = 0; k < count; k++) {
        result->isa[k] = isa[k];
        result->seconds[k] = INFINITY;
        (void)timer(isa[k], context);  // warm-up: caches, page faults, wider units powering up
    }
    for (int32_t round = 0; round < rounds; round++) {
        for (int32_t k = 0; k < count; k++) {
            double seconds = timer(isa[k], context);
            if (seconds < result->seconds[k]) result->seconds[k] = seconds;
        }
    }
    result->chosen = wi_isa_choose(count, result->isa, result->seconds);
    result->total_seconds = now_seconds() - start;
    return result->chosen;
}

/// Rounds of the process's calibration (best of 5 per candidate).
#define WI_CALIBRATION_ROUNDS 5

static pthread_once_t calibration_once = PTHREAD_ONCE_INIT;
static wi_calibration calibration;
static int calibration_ran;

static void calibrate_once(void) {
    // Candidates, widest first: the x86 vector paths that run here. SSE2 is
    // never faster than AVX2 (it has no fma instruction), and arm64 has one path.
    static const int32_t wide[] = {WI_ISA_AVX512, WI_ISA_AVX2};
    int32_t candidates[WI_CALIBRATION_MAX], count = 0;
    for (size_t k = 0; k < sizeof wide / sizeof wide[0]; k++) {
        if (runs_here(wide[k])) candidates[count++] = wide[k];
    }
    if (count >= 2) {
        wi_isa_calibrate(count, candidates, WI_CALIBRATION_ROUNDS, NULL, NULL, &calibration);
        calibration_ran = 1;
    } else {
        memset(&calibration, 0, sizeof calibration);
        calibration.count = 1;
        calibration.isa[0] = calibration.chosen = best_isa_by_order();
    }
}

int wi_isa_calibration(wi_calibration *result) {
    pthread_once(&calibration_once, calibrate_once);
    *result = calibration;
    return calibration_ran ? 0 : -1;
}

static int32_t best_isa(void) {
    wi_calibration result;
    wi_isa_calibration(&result);
    return result.chosen;
}

int32_t wi_isa_default(void) {
    const char *requested = getenv("WEIGHTINIT_ISA");
    if (requested == NULL || requested[0] == '\0' || strcmp(requested, "auto") == 0) return best_isa();
    static const struct { const char *name; int32_t isa; } names[] = {
        {"scalar", WI_ISA_SCALAR}, {"sse2", WI_ISA_SSE2}, {"avx2", WI_ISA_AVX2},
        {"avx512", WI_ISA_AVX512}, {"neon", WI_ISA_NEON},
    };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        if (strcmp(requested, names[k].name) == 0) {
            int usable = names[k].isa == WI_ISA_SCALAR ||
                         (wi_isa_available(names[k].isa) && wi_vector_path_exists(names[k].isa));
            return usable ? names[k].isa : -1;
        }
    }
    return -1;
}

int wi_fill(void *out, int32_t format, uint64_t first_index, size_t count,
            uint64_t seed, uint32_t stream, const wi_params *params, int32_t isa) {
    if (isa == WI_ISA_AUTO) isa = wi_isa_default();
    if (isa < 0) return -1;
    if (isa != WI_ISA_SCALAR && !(wi_isa_available(isa) && wi_vector_path_exists(isa))) return -1;
    wi_prepared p;
    if (wi_prepare(&p, format, params) != 0) return -2;
    if (isa == WI_ISA_SCALAR) {
        wi_fill_scalar(out, &p, first_index, count, seed, stream);
        return 0;
    }
    return wi_fill_vector(isa, out, &p, first_index, count, seed, stream);
}
