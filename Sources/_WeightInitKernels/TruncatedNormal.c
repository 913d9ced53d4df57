// Truncated normal N(μ, σ) on [a, b]: per-index rejection sampling on Philox
// sub-streams (StreamFormatSpecification.md, "Truncated normal"). This file is the scalar
// reference; Vector.c reproduces it bit for bit.
//
// Methods (C. P. Robert, "Simulation of truncated normal variables",
// Statistics and Computing 5 (1995) 121–125), on the standardised window
// [α, β] = [(a − μ)/σ, (b − μ)/σ]:
//   N  normal rejection: propose z ~ N(0, 1), accept iff α ≤ z ≤ β.
//   U  uniform proposal z = α + (β − α)·u, accept iff log v ≤ (c² − z²)/2,
//      with c = 0 when 0 ∈ [α, β] and c = α when α > 0 (the density's
//      maximum on the window is at c).
//   E  exponential proposal z = α − log(u°)/λ, λ = (α + √(α² + 4))/2 (Robert's
//      optimal rate), reject z > β, accept iff log v ≤ −(z − λ)²/2.
// A window with β < 0 is mirrored: sample on [−β, −α] and negate.

#include "Internal.h"

#pragma clang fp contract(off)

/// √(2π): Robert's switch between methods N and U for windows containing 0
/// (uniform proposal is more efficient iff β − α < √(2π)).
static const double wi_sqrt_2pi = 0x1.40d931ff62705p+1;
/// ln 2, for Robert's U/E criterion in logarithmic form.
static const double wi_ln2 = 0x1.62e42fefa39efp-1;

/// Robert (1995), Proposition 2.3 / section 2.2: for α > 0 the uniform proposal
/// beats the exponential one iff
///   β − α < 2√e / (α + √(α²+4)) · exp((α² − α√(α²+4)) / 4).
/// Compared in logarithms with this package's own log, so the choice does not
/// depend on the C library.
static int robert_prefers_uniform(double alpha, double beta, double root) {
    double width = beta - alpha;
    if (!(width < INFINITY)) return 0;
    if (!(width > 0x1p-1000)) return 1;  // degenerate window: U accepts at once
    double bound = wi_ln2 + 0.5 - wi_log_scalar(alpha + root) + (alpha * alpha - alpha * root) * 0.25;
    return wi_log_scalar(width) < bound;
}

int wi_prepare_truncated(wi_prepared *p, const wi_params *params) {
    double mu = params->p0, sigma = params->p1;
    double alpha = (params->p2 - mu) / sigma, beta = (params->p3 - mu) / sigma;
    p->tn_mirror = beta < 0;
    if (p->tn_mirror) {
        double negated_alpha = -alpha;
        alpha = -beta;
        beta = negated_alpha;
    }
    double c0 = 0, c1 = 0;
    if (alpha <= 0) {
        // 0 ∈ [α, β] (β ≥ 0 after mirroring).
        if (beta - alpha >= wi_sqrt_2pi) {
            p->tn_method = WI_TN_NORMAL;
        } else {
            p->tn_method = WI_TN_UNIFORM;
            c0 = beta - alpha;
            c1 = 0;
        }
    } else {
        // √(α²+4); for α > 2^500 (α² would overflow) it equals α to double precision.
        double root = alpha > 0x1p500 ? alpha : sqrt(alpha * alpha + 4.0);
        if (robert_prefers_uniform(alpha, beta, root)) {
            p->tn_method = WI_TN_UNIFORM;
            c0 = beta - alpha;
            c1 = alpha;
        } else {
            p->tn_method = WI_TN_EXPONENTIAL;
            c0 = 0.5 * (alpha + root);
        }
    }
    p->alpha_d = alpha; p->beta_d = beta; p->tn_c0_d = c0; p->tn_c1_d = c1;
    p->alpha_f = (float)alpha; p->beta_f = (float)beta; p->tn_c1_f = (float)c1;
    // The uniform method's width is taken in the sampling type from the rounded
    // window, so z = α + width·u never exceeds the float window by more than rounding.
    p->tn_c0_f = p->tn_method == WI_TN_UNIFORM ? p->beta_f - p->alpha_f : (float)c0;
    // fma(σ, z, μ) is non-decreasing in z (σ > 0): the window's ends bound it.
    float zf_lo = p->tn_mirror ? -p->beta_f : p->alpha_f, zf_hi = p->tn_mirror ? -p->alpha_f : p->beta_f;
    double zd_lo = p->tn_mirror ? -p->beta_d : p->alpha_d, zd_hi = p->tn_mirror ? -p->alpha_d : p->beta_d;
    p->tn_inside_f = fmaf(p->b_f, zf_lo, p->a_f) >= p->lo_f && fmaf(p->b_f, zf_hi, p->a_f) <= p->hi_f;
    p->tn_inside_d = fma(p->b_d, zd_lo, p->a_d) >= p->lo_d && fma(p->b_d, zd_hi, p->a_d) <= p->hi_d;
    return 0;
}

// MARK: One attempt (k ≥ 1) from a sub-stream block

/// The proposal of attempt `k` and whether it is accepted (float sampling).
static float attempt_f(const wi_prepared *p, const uint32_t w[4], int *accepted) {
    switch (p->tn_method) {
    case WI_TN_NORMAL: {
        float z, unused;
        wi_box_muller_f(w[0], w[1], &z, &unused);
        *accepted = p->alpha_f <= z && z <= p->beta_f;
        return z;
    }
    case WI_TN_UNIFORM: {
        float z = fmaf(wi_u24(w[0]), p->tn_c0_f, p->alpha_f);
        float c = p->tn_c1_f;
        float rho = ((c - z) * (c + z)) * 0.5f;
        *accepted = wi_logf_scalar(wi_u24_open(w[1])) <= rho;
        return z;
    }
    default: {
        float lambda = p->tn_c0_f;
        float z = p->alpha_f - wi_logf_scalar(wi_u24_open(w[0])) / lambda;
        float d = z - lambda;
        float rho = (d * d) * -0.5f;
        *accepted = z <= p->beta_f && wi_logf_scalar(wi_u24_open(w[1])) <= rho;
        return z;
    }
    }
}

static double attempt_d(const wi_prepared *p, const uint32_t w[4], int *accepted) {
    switch (p->tn_method) {
    case WI_TN_NORMAL: {
        double z, unused;
        wi_box_muller_d(w[0], w[1], w[2], w[3], &z, &unused);
        *accepted = p->alpha_d <= z && z <= p->beta_d;
        return z;
    }
    case WI_TN_UNIFORM: {
        double z = fma(wi_u53(w[0], w[1]), p->tn_c0_d, p->alpha_d);
        double c = p->tn_c1_d;
        double rho = ((c - z) * (c + z)) * 0.5;
        *accepted = wi_log_scalar(wi_u53_open(w[2], w[3])) <= rho;
        return z;
    }
    default: {
        double lambda = p->tn_c0_d;
        double z = p->alpha_d - wi_log_scalar(wi_u53_open(w[0], w[1])) / lambda;
        double d = z - lambda;
        double rho = (d * d) * -0.5;
        *accepted = z <= p->beta_d && wi_log_scalar(wi_u53_open(w[2], w[3])) <= rho;
        return z;
    }
    }
}

// MARK: From the standardised z to the output value

/// x = fma(σ, ±z, μ) clamped to [lo', hi']. The comparisons are written so a
/// NaN (only possible for absurd parameters) also lands on a bound.
static float finish_f(const wi_prepared *p, float z) {
    if (p->tn_mirror) z = -z;
    float x = fmaf(p->b_f, z, p->a_f);
    x = x >= p->lo_f ? x : p->lo_f;
    return x <= p->hi_f ? x : p->hi_f;
}

static double finish_d(const wi_prepared *p, double z) {
    if (p->tn_mirror) z = -z;
    double x = fma(p->b_d, z, p->a_d);
    x = x >= p->lo_d ? x : p->lo_d;
    return x <= p->hi_d ? x : p->hi_d;
}

// MARK: The value of one element

float wi_truncated_value_f(const wi_prepared *p, uint64_t seed, uint32_t stream, uint64_t index, float z) {
    if (p->tn_method == WI_TN_NORMAL && p->alpha_f <= z && z <= p->beta_f) return finish_f(p, z);
    for (uint32_t k = 1; k <= WI_TN_MAX_ATTEMPTS; k++) {
        uint32_t w[4];
        wi_block(seed, stream, k, index, w);
        int accepted;
        z = attempt_f(p, w, &accepted);
        if (accepted) break;
    }
    // After WI_TN_MAX_ATTEMPTS rejections: the last proposal, clamped.
    return finish_f(p, z);
}

double wi_truncated_value_d(const wi_prepared *p, uint64_t seed, uint32_t stream, uint64_t index, double z) {
    if (p->tn_method == WI_TN_NORMAL && p->alpha_d <= z && z <= p->beta_d) return finish_d(p, z);
    for (uint32_t k = 1; k <= WI_TN_MAX_ATTEMPTS; k++) {
        uint32_t w[4];
        wi_block(seed, stream, k, index, w);
        int accepted;
        z = attempt_d(p, w, &accepted);
        if (accepted) break;
    }
    return finish_d(p, z);
}
