// Declarations shared by the kernel files; not part of the module's API.

#ifndef WEIGHTINIT_INTERNAL_H
#define WEIGHTINIT_INTERNAL_H

#include "WeightInitKernels.h"
#include "Scalar.h"

// Hidden in shared libraries, as the declarations of WeightInitKernels.h.
#pragma GCC visibility push(hidden)

/// Parameters prepared once per fill call. Bounds are values representable in
/// the output format (so clamping in the sampling type, then rounding, keeps
/// them).
typedef struct {
    int32_t distribution, format;
    /// Bits only: counter word c3 of every block (0 for the main stream).
    uint32_t substream;
    float a_f, b_f;      ///< uniform: low, width; normal & truncated: mean, std
    double a_d, b_d;
    float lo_f, hi_f;    ///< clamp bounds in float sampling
    double lo_d, hi_d;   ///< clamp bounds in double sampling
    /// Truncated normal: the standardised window (after mirroring), the method
    /// chosen for it and its constants (TruncatedNormal.c, StreamFormatSpecification.md).
    /// tn_c0: window width β − α (method U) or λ (method E); tn_c1: the centre
    /// c of the uniform method's acceptance exponent (c² − z²)/2 (0 or α).
    int32_t tn_method, tn_mirror;
    /// Method N: fma(σ, ±z, μ) of every z ∈ [α, β] already lies in [lo, hi]
    /// (float, double sampling), so attempt 0's accepted values need no clamp.
    int32_t tn_inside_f, tn_inside_d;
    /// Uniform, float sampling, for the vector paths' shortcut (Vector.c
    /// uniform_f): width·2⁻²⁴ if that product is exact (else 0), and whether
    /// the lower and upper clamps can change any value at all.
    float u_step_f;
    int32_t clamp_low_f, clamp_high_f;
    /// For paths without fma (Vector.c uniform_f, scale_f): u_step_f is a
    /// power of two, so (w >> 8)·u_step_f is exact in float; (w >> 8)·u_step_f
    /// + low is exact in double for every w; the normal's and truncated
    /// normal's mean is +0 (and std ≠ 0), so fmaf(std, z, mean) is std·z but for z = ±0.
    int32_t u_pow2_f, u_exact_d, scale_mul_f;
    /// Normal only (not the truncated normal, whose proposals can be tiny):
    /// scale_mul_f and |std| ≥ 2⁻¹⁰⁰, so std·z of a nonzero standard normal z
    /// (|z| > 2⁻³⁴, Vector.c scale_f) never rounds to zero and fmaf(std, z, +0)
    /// is std·z + 0.
    int32_t scale_add_f;
    float alpha_f, beta_f, tn_c0_f, tn_c1_f;
    double alpha_d, beta_d, tn_c0_d, tn_c1_d;
} wi_prepared;

/// Truncated-normal methods (Robert 1995): normal rejection, uniform proposal,
/// exponential proposal.
enum { WI_TN_NORMAL = 0, WI_TN_UNIFORM = 1, WI_TN_EXPONENTIAL = 2 };
/// Attempts per element before the documented fallback (StreamFormatSpecification.md).
#define WI_TN_MAX_ATTEMPTS 4096u

int wi_prepare(wi_prepared *p, int32_t format, const wi_params *params);
int wi_prepare_truncated(wi_prepared *p, const wi_params *params);

/// The truncated-normal value of element `index`, given the main-stream
/// standard normal `z` of that element (attempt 0).
float wi_truncated_value_f(const wi_prepared *p, uint64_t seed, uint32_t stream, uint64_t index, float z);
double wi_truncated_value_d(const wi_prepared *p, uint64_t seed, uint32_t stream, uint64_t index, double z);

void wi_fill_scalar(void *out, const wi_prepared *p, uint64_t first, size_t count,
                    uint64_t seed, uint32_t stream);

/// Whether this build has a vector implementation for `isa` (Vector.c).
int wi_vector_path_exists(int32_t isa);
int wi_vector_box_muller_parts(int32_t isa, const uint32_t *words, size_t count, float *radius, float *sin_out,
                               float *cos_out, float *log_out);
int wi_vector_box_muller_parts_d(int32_t isa, const uint64_t *words, size_t count, double *log_out,
                                 double *sin_out, double *cos_out);
int wi_fill_vector(int32_t isa, void *out, const wi_prepared *p, uint64_t first, size_t count,
                   uint64_t seed, uint32_t stream);

#pragma GCC visibility pop

#endif
