// Vector paths of the stream format. The kernel is written once, with clang
// vector extensions over WI_LANES Philox blocks at a time, as always-inline
// functions; `fill_sse2`, `fill_avx2`, `fill_avx512` (and `fill_neon`) only
// instantiate it under different target attributes and constants (WI_PATH).
// So every path performs the same IEEE operations in the same order as
// Scalar.h / TruncatedNormal.c — fused multiply-adds exactly where the scalar
// code has fmaf/fma — or, where it takes fewer (uniform_f, radius_f,
// angle_f), operations that are exact identities of them, and produces the
// same bits. SSE2 has no fma instruction: its float fmas are done in double
// in ways that give the same bits ("Without a fused multiply-add
// instruction"), its double fmas by Boldo and Melquiond's emulation ("Double
// fma without an fma instruction"). Elements that do not fill a whole group
// at the head and tail go through the scalar reference — or, on a path
// without fma, through a scratch group of the path itself (fill_body).

#include "Internal.h"

// `a * b + c` must never be contracted into an fma behind our back: the
// scalar reference (x86-64 baseline, no FMA) would round twice.
#pragma clang fp contract(off)

#define WI_AI static inline __attribute__((always_inline))
// Wide vectors cross only always-inline boundaries, so no calling convention
// is ever involved; the ABI warning about them does not apply.
#pragma clang diagnostic ignored "-Wpsabi"

/// Philox blocks per iteration: 64 float or 32 double values. One register on
/// AVX-512, two on AVX2, four on SSE2 / NEON.
#define WI_LANES 16

typedef uint32_t vu __attribute__((ext_vector_type(16)));
typedef int32_t vi __attribute__((ext_vector_type(16)));
typedef float vf __attribute__((ext_vector_type(16)));
typedef uint64_t vu64 __attribute__((ext_vector_type(16)));
typedef int64_t vi64 __attribute__((ext_vector_type(16)));
typedef double vd __attribute__((ext_vector_type(16)));
/// A vu seen as 8 lanes of 64 bits (for the 32×32→64 multiplies).
typedef uint64_t vu64x8 __attribute__((ext_vector_type(8)));
typedef float vf32 __attribute__((ext_vector_type(32)));
typedef double vd32 __attribute__((ext_vector_type(32)));
typedef uint64_t vu64x32 __attribute__((ext_vector_type(32)));
typedef float vf64 __attribute__((ext_vector_type(64)));
typedef uint32_t vu64l __attribute__((ext_vector_type(64)));
typedef uint16_t vh64 __attribute__((ext_vector_type(64)));

#define WI_IOTA16 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
/// Lane order of the two-way interleave a0 b0 a1 b1 … of two 16-lane vectors.
#define WI_ZIP16 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23, \
                 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31

// MARK: Selection and masks

// Vector ?: — a compare feeding it becomes a mask register (AVX-512), a
// blend, or min/max where the pattern is exactly that.
WI_AI vf sel_f(vi mask, vf yes, vf no) { return mask ? yes : no; }
WI_AI vd sel_d(vi64 mask, vd yes, vd no) { return mask ? yes : no; }
WI_AI vf fma_f(vf a, vf b, vf c) { return __builtin_elementwise_fma(a, b, c); }
WI_AI vd fma_d(vd a, vd b, vd c) { return __builtin_elementwise_fma(a, b, c); }

/// Bit l set iff lane l of the mask is set (a movemask / mask register).
WI_AI uint32_t bits_of(vi mask) {
    typedef _Bool vb __attribute__((ext_vector_type(16)));
    vb b = __builtin_convertvector(mask, vb);
    uint16_t bits;
    memcpy(&bits, &b, sizeof bits);
    return bits;
}

WI_AI uint32_t bits_of64(vi64 mask) { return bits_of(__builtin_convertvector(mask, vi)); }

/// The same for the 64 lanes of a group's floats and the 32 of its doubles.
typedef int32_t vi64l __attribute__((ext_vector_type(64)));
typedef int64_t vi64x32 __attribute__((ext_vector_type(32)));
WI_AI uint64_t bits_of_64(vi64l mask) {
    typedef _Bool vb __attribute__((ext_vector_type(64)));
    vb b = __builtin_convertvector(mask, vb);
    uint64_t bits;
    memcpy(&bits, &b, sizeof bits);
    return bits;
}
WI_AI uint64_t bits_of_32(vi64x32 mask) {
    typedef _Bool vb __attribute__((ext_vector_type(32)));
    vb b = __builtin_convertvector(mask, vb);
    uint32_t bits;
    memcpy(&bits, &b, sizeof bits);
    return bits;
}

// MARK: Philox4x32-10 on 16 counters at once

typedef struct { vu w0, w1, w2, w3; } vblock;

/// The 2 × 10 round keys of a seed, k0 + r·W0 and k1 + r·W1, each held in
/// both halves of a 64-bit word: the rounds read them from memory, so on x86
/// a key costs a broadcast load (or an embedded broadcast), not an ALU
/// operation, and either half serves the 32- and 64-bit-lane layouts below.
typedef struct { uint64_t k0[WI_PHILOX_ROUNDS], k1[WI_PHILOX_ROUNDS]; } round_keys;

WI_AI round_keys make_round_keys(uint64_t seed) {
    round_keys keys;
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < WI_PHILOX_ROUNDS; round++) {
        keys.k0[round] = (uint64_t)k0 << 32 | k0;
        keys.k1[round] = (uint64_t)k1 << 32 | k1;
        k0 += WI_PHILOX_W0;
        k1 += WI_PHILOX_W1;
    }
    return keys;
}

/// Two ways to run the rounds; both compute Scalar.h's wi_philox_scalar
/// exactly, they differ only in where the words live (measured per ISA,
/// chosen in the instantiations at the end of this file).
///
/// PHILOX_QWORD: each counter word in its own 64-bit lane, low half. One
/// pmuludq gives the whole product (lo in the low half, hi in the high
/// half), the high word is one dword swap away, and the next round's
/// multiply ignores the garbage left in the high halves — 3 operations per
/// word pair and round (mul, swap, 3-way xor: one vpternlogq on AVX-512).
/// Used on x86 (TSC cycles per word, Philox alone, on a Sapphire-Rapids-class
/// Xeon: AVX-512 0.81, AVX2 1.59, against 1.30 and 1.92 for the packed
/// layout with a 32-bit multiply for lo that came before).
/// PHILOX_DWORD: 16 words per vector; hi and lo from the even and odd lanes'
/// 64-bit products (pmuludq / umull), put back together by shuffles — the
/// natural layout for NEON's umull/umull2 + uzp.
enum { PHILOX_QWORD = 0, PHILOX_DWORD = 1 };

/// The high half of each 64-bit lane moved to the low half (the high half
/// then holds garbage, which the next multiply ignores): a dword swap
/// (pshufd, a shuffle port) rather than a shift (vpsrlq: on AVX-512 only
/// port 0, which the multiplies need too).
#ifndef WI_PHILOX_SWAP
#define WI_PHILOX_SWAP 1
#endif
WI_AI vu64x8 high_to_low(vu64x8 p) {
#if WI_PHILOX_SWAP
    vu halves = (vu)p;
    return (vu64x8)__builtin_shufflevector(halves, halves, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
#else
    return p >> 32;
#endif
}

/// Up to this many 16-block groups go through the rounds together.
#define WI_MAX_GROUPS 2

/// The rounds on `halves` independent sets of 8 blocks, each word in the low
/// half of a 64-bit lane, interleaved round by round so that the multiplies'
/// latency is hidden by the other sets' work.
WI_AI void philox_qword8(int halves, vu64x8 c[2 * WI_MAX_GROUPS][4], const round_keys *keys) {
#pragma clang loop unroll(full)
    for (int round = 0; round < WI_PHILOX_ROUNDS; round++) {
#pragma clang loop unroll(full)
        for (int h = 0; h < halves; h++) {
            vu64x8 p0 = (c[h][0] & 0xFFFFFFFFull) * (uint64_t)WI_PHILOX_M0;
            vu64x8 p1 = (c[h][2] & 0xFFFFFFFFull) * (uint64_t)WI_PHILOX_M1;
            c[h][0] = high_to_low(p1) ^ c[h][1] ^ keys->k0[round];
            c[h][1] = p1;
            c[h][2] = high_to_low(p0) ^ c[h][3] ^ keys->k1[round];
            c[h][3] = p0;
        }
    }
}

/// `groups` sets of 16 blocks (counter words as 64-bit lanes) in the qword
/// layout, each as two halves of 8: on AVX2 a half's state is 8 registers
/// (16 blocks at once would be 16, and spill).
WI_AI void qword_state(int groups, const vu64 c[WI_MAX_GROUPS][4], vu64x8 h[2 * WI_MAX_GROUPS][4]) {
    for (int g = 0; g < groups; g++) {
        for (int word = 0; word < 4; word++) {
            h[2 * g][word] = __builtin_shufflevector(c[g][word], c[g][word], 0, 1, 2, 3, 4, 5, 6, 7);
            h[2 * g + 1][word] = __builtin_shufflevector(c[g][word], c[g][word], 8, 9, 10, 11, 12, 13, 14, 15);
        }
    }
}

/// The qword layout's words as packed 16-lane vectors, per group (what the
/// distributions read).
WI_AI void packed_blocks(int groups, vu64x8 h[2 * WI_MAX_GROUPS][4], vblock out[WI_MAX_GROUPS]) {
    for (int g = 0; g < groups; g++) {
        vu w[4];
        for (int word = 0; word < 4; word++) {
            // The low halves of two 8-lane vectors: one two-source shuffle
            // (vpermt2d; packing a 16-lane vector would be 2 × vpmovqd + an insert).
            w[word] = __builtin_shufflevector((vu)h[2 * g][word], (vu)h[2 * g + 1][word],
                                              0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        }
        out[g] = (vblock){w[0], w[1], w[2], w[3]};
    }
}

WI_AI void philox_qword(int groups, const vu64 c[WI_MAX_GROUPS][4], const round_keys *keys, vblock out[WI_MAX_GROUPS]) {
    vu64x8 h[2 * WI_MAX_GROUPS][4];
    qword_state(groups, c, h);
    philox_qword8(2 * groups, h, keys);
    packed_blocks(groups, h, out);
}

/// hi and lo words of a·m for each 32-bit lane, both from the even and odd
/// lanes' 64-bit products.
WI_AI void mulhilo(vu a, uint32_t m, vu *hi, vu *lo) {
    vu64x8 a64 = (vu64x8)a;
    vu even = (vu)((a64 & 0xFFFFFFFFull) * (uint64_t)m);
    vu odd = (vu)((a64 >> 32) * (uint64_t)m);
    *lo = __builtin_shufflevector(even, odd, 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
    *hi = __builtin_shufflevector(even, odd, 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
}

WI_AI vblock philox_dword(vu c0, vu c1, vu c2, vu c3, const round_keys *keys) {
#pragma clang loop unroll(full)
    for (int round = 0; round < WI_PHILOX_ROUNDS; round++) {
        vu hi0, lo0, hi1, lo1;
        mulhilo(c0, WI_PHILOX_M0, &hi0, &lo0);
        mulhilo(c2, WI_PHILOX_M1, &hi1, &lo1);
        c0 = hi1 ^ c1 ^ (uint32_t)keys->k0[round];
        c1 = lo1;
        c2 = hi0 ^ c3 ^ (uint32_t)keys->k1[round];
        c3 = lo0;
    }
    return (vblock){c0, c1, c2, c3};
}

/// Philox of `groups` × 16 counters (the counter words given as 64-bit lanes).
WI_AI void philox_groups(int groups, const vu64 c[WI_MAX_GROUPS][4], const round_keys *keys, int strategy,
                         vblock out[WI_MAX_GROUPS]) {
    if (strategy == PHILOX_QWORD) {
        philox_qword(groups, c, keys, out);
        return;
    }
    for (int g = 0; g < groups; g++) {
        out[g] = philox_dword(__builtin_convertvector(c[g][0], vu), __builtin_convertvector(c[g][1], vu),
                              __builtin_convertvector(c[g][2], vu), __builtin_convertvector(c[g][3], vu), keys);
    }
}

WI_AI vblock philox(vu64 c0, vu64 c1, vu64 c2, vu64 c3, const round_keys *keys, int strategy) {
    const vu64 c[WI_MAX_GROUPS][4] = {{c0, c1, c2, c3}};
    vblock out[WI_MAX_GROUPS];
    philox_groups(1, c, keys, strategy, out);
    return out[0];
}

/// What every iteration of one fill call reads: the prepared parameters,
/// the round keys, and the instantiation's choices (constants, so each
/// instantiation compiles to its own straight-line code).
typedef struct {
    const wi_prepared *p;
    round_keys keys;
    uint32_t stream;
    uint32_t substream;  ///< counter word c3 of the main blocks: 0, or a helper sub-stream for WI_DIST_BITS
    int philox;      ///< PHILOX_QWORD or PHILOX_DWORD
    int native_f16;  ///< hardware float → binary16 conversion (vcvtps2ph / fcvtn)
    int groups;      ///< 16-block groups per iteration of the main loops (1 … WI_MAX_GROUPS)
    int width;       ///< 64-bit lanes per vector register: 2 (SSE, NEON), 4 (AVX2), 8 (AVX-512)
    int fma;         ///< WI_FMA_NONE or WI_FMA (the path has a fused multiply-add instruction)
} fill_ctx;

/// Which main-stream block each 64-bit lane of a group computes, so that
/// the stores need no shuffle across a register's 128-bit lanes. A vector
/// register of `width` 64-bit lanes holds `width` blocks; the in-lane
/// interleaves (unpcklps/unpckhps, zip1/zip2) take lanes 0, 2, 4, … of each
/// 128-bit lane into one register and lanes 1, 3, 5, … into the other, so
/// lane 2i computes block i and lane 2i + 1 block width/2 + i of the
/// register's blocks: then the first interleave holds the register's first
/// width/2 blocks in order and the second the rest. (Identity for width 2.)
#define WI_ORDER4 0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14, 13, 15
#define WI_ORDER8 0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15
WI_AI vu64 lane_blocks(int width) {
    return width == 8 ? (vu64){WI_ORDER8} : width == 4 ? (vu64){WI_ORDER4} : (vu64){WI_IOTA16};
}

/// Main-stream counters of blocks block0 … block0 + 16·groups − 1 (< 2⁶⁴:
/// blocks are element indices / 2 or / 4), group g's lanes in lane_blocks order.
WI_AI void main_counters(const fill_ctx *ctx, int groups, uint64_t block0, vu64 c[WI_MAX_GROUPS][4]) {
    for (int g = 0; g < groups; g++) {
        vu64 block = block0 + 16u * (uint64_t)g + lane_blocks(ctx->width);
        c[g][0] = block; c[g][1] = block >> 32; c[g][2] = (vu64)ctx->stream; c[g][3] = (vu64)ctx->substream;
    }
}

/// The Philox words of `groups` main-stream groups, as the path keeps them:
/// the qword layout's state (h) or packed words (w; PHILOX_DWORD).
typedef struct {
    vu64x8 h[2 * WI_MAX_GROUPS][4];
    vblock w[WI_MAX_GROUPS];
} group_words;

WI_AI void main_groups(const fill_ctx *ctx, int groups, uint64_t block0, group_words *out) {
    vu64 c[WI_MAX_GROUPS][4];
    main_counters(ctx, groups, block0, c);
    if (ctx->philox == PHILOX_QWORD) {
        qword_state(groups, c, out->h);
        philox_qword8(2 * groups, out->h, &ctx->keys);
    } else {
        philox_groups(groups, c, &ctx->keys, ctx->philox, out->w);
    }
}

/// Sub-stream k blocks of 16 arbitrary element indices.
WI_AI vblock substream_blocks(const fill_ctx *ctx, vu64 index, uint32_t k) {
    return philox(index, index >> 32, (vu64)ctx->stream, (vu64)k, &ctx->keys, ctx->philox);
}

// MARK: Uniform bits (Scalar.h wi_u24 …)

WI_AI vf u24(vu w) { return __builtin_convertvector((vi)(w >> 8), vf) * 0x1p-24f; }
WI_AI vf u24_open(vu w) { return __builtin_convertvector((vi)((w >> 8) + 1u), vf) * 0x1p-24f; }
/// The 64-bit word hi·2³² + lo of two words (Scalar.h wi_m53's operand).
WI_AI vu64 join64(vu lo, vu hi) { return (__builtin_convertvector(hi, vu64) << 32) | __builtin_convertvector(lo, vu64); }
/// (double)x for |x| < 2⁵¹, exactly: x + 1.5·2⁵² has x in its low mantissa
/// bits. AVX2 has no 64-bit integer → double conversion (LLVM would convert
/// lane by lane); the result is the same exact value as the scalar cast.
WI_AI vd small_i64_to_d(vi64 x) { return (vd)((vu64)x + 0x4338000000000000ull) - 0x1.8p52; }
/// (double)m for 0 ≤ m ≤ 2⁵³, exactly: high and low 32-bit halves converted
/// separately, then hi·2³² + lo (both terms and the sum are exact).
WI_AI vd u54_to_d(vu64 m) {
    return small_i64_to_d((vi64)(m >> 32)) * 0x1p32 + small_i64_to_d((vi64)(m & 0xFFFFFFFFull));
}
/// u and u° of the 64-bit words hi·2³² + lo (join64).
WI_AI vd u53(vu64 w) { return u54_to_d(w >> 11) * 0x1p-53; }
WI_AI vd u53_open(vu64 w) { return u54_to_d((w >> 11) + 1u) * 0x1p-53; }

/// The arithmetic of a path: no fma instruction (SSE2: "Without a fused
/// multiply-add instruction" below) or fma.
enum { WI_FMA_NONE = 0, WI_FMA = 1 };

// MARK: Double fma without an fma instruction (SSE2)
//
// SSE2 has no fma, and libm's `fma` there is glibc's software one: 250 ns a
// call on this project's benchmark machine with the FMA ifunc masked off
// (GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA), ~15 calls per double normal. So the
// double fmas of a path without the instruction are computed from
// round-to-nearest operations, as Boldo and Melquiond prove correct (in Coq)
// in "Emulation of a FMA and correctly rounded sums: proved algorithms using
// rounding to odd", IEEE Trans. Computers 57(4), 2008, §5:
//
//   uh + ul = a·b exactly     Dekker's product on Veltkamp's split (1971)
//   th + tl = c + uh exactly  Knuth's TwoSum (Dekker's Fast2Sum if |c| ≥ |uh|)
//   v = RO(tl + ul)           rounded to odd: the sum, and where it was
//                             inexact, the neighbour with an odd last bit
//   fma(a, b, c) = RN(th + v)
//
// The theorem needs no overflow and no underflow: a·b must be the exact sum of
// two doubles (its exponent ≥ −969) and no step may round in the subnormal
// range. Both hold where every nonzero operand has a magnitude in [2⁻³⁰⁰,
// 2³⁰⁰]: then every exact intermediate is a multiple of 2⁻⁷⁰⁶ and below
// 2⁶⁰². One more case differs from fma: c = −0 with a·b = −0 gives +0 (fma:
// −0), so c = −0 is excluded too. The kernels' own polynomial steps stay far
// inside the range (nonzero magnitudes between 2⁻²²⁰ and 2⁷); the fills'
// parameters are checked per lane (fma_checked_d), and lanes outside it (only
// for parameters beyond 10^±90, or a truncated normal's window or proposals
// that far from the mean in σ) take libm's fma.

// The steps work on slices of WI_SLICE = 4 lanes (two SSE2 registers): over
// 16 lanes their temporaries (Veltkamp's halves of both factors, the
// products, the sums) would not fit the 16 registers, and spilling them cost
// more than the arithmetic; 2 lanes left too little independent work for
// the chains' latency (in cache, f64 normal: 143 TSC cycles per value on 2
// lanes, 100 on 4, 119 on 8, before the chains were interleaved). The
// polynomials without fma are evaluated slice by slice too (log_d,
// sincos_m53, box_muller_d).
#define WI_SLICE 4
typedef double vds __attribute__((ext_vector_type(WI_SLICE)));
typedef int64_t vis __attribute__((ext_vector_type(WI_SLICE)));
typedef uint64_t vus __attribute__((ext_vector_type(WI_SLICE)));

/// Lanes WI_SLICE·k … WI_SLICE·k + WI_SLICE − 1 of x, and the reverse.
WI_AI vds slice_d(vd x, int k) {
    vds r;
    memcpy(&r, (const double *)&x + WI_SLICE * k, sizeof r);
    return r;
}
WI_AI void set_slice_d(vd *x, int k, vds v) { memcpy((double *)x + WI_SLICE * k, &v, sizeof v); }

/// x and Veltkamp's split of it: hi (26 significant bits) + lo = x exactly
/// (|x| < 2⁹⁹⁵, so x·(2²⁷ + 1) cannot overflow).
typedef struct { vds x, hi, lo; } vds_split;
WI_AI vds_split split_d(vds x) {
    vds g = x * 134217729.0;  // 2²⁷ + 1
    vds hi = g - (g - x);
    return (vds_split){x, hi, x - hi};
}

/// Dekker's product: a·b − RN(a·b), exactly.
WI_AI vds product_error_d(vds_split a, vds_split b, vds product) {
    return (((a.hi * b.hi - product) + a.hi * b.lo) + a.lo * b.hi) + a.lo * b.lo;
}

/// RO(x + y): TwoSum gives s = RN(x + y) and the error; where the error is
/// not 0 and s is even, RO is s's neighbour on the error's side — bits + 1
/// away from zero, bits − 1 towards it (s ≠ 0 there; adjacent doubles have
/// adjacent bit patterns, across binades too). Both cases are
/// (bits + (−1 towards zero, else 0)) | 1, which also leaves an odd s as it is.
WI_AI vds add_odd_d(vds x, vds y) {
    vds s = x + y;
    vds back = s - x;
    vds error = (x - (s - back)) + (y - back);
    vis inexact = (vis)(error != 0.0);
    vis towards_zero = (vis)((vus)s ^ (vus)error) >> 63;  // −1 where the signs differ
    return (vds)(((vus)s + (vus)(towards_zero & inexact)) | ((vus)inexact & 1u));
}

/// fma(a, b, c) where |c| ≥ |a·b| (Fast2Sum's condition; c ≠ −0), with a
/// split already (a polynomial's variable, split once for all its steps).
WI_AI vds fma_ordered_d(vds_split a, vds b, vds c) {
    vds uh = a.x * b;
    vds ul = product_error_d(a, split_d(b), uh);
    vds th = c + uh;
    vds tl = uh - (th - c);
    return th + add_odd_d(tl, ul);
}

/// The 32-bit words of a slice (suspect lanes below).
typedef uint32_t vws __attribute__((ext_vector_type(2 * WI_SLICE)));
WI_AI int any_word(vws x) {
    uint32_t any = 0;
    for (int l = 0; l < 2 * WI_SLICE; l++) any |= x[l];
    return any != 0;
}

/// fma_ordered_d without the odd rounding, for polynomial steps whose
/// |c| ≥ 3·|a·b|: z = RN(th + v) with v = RN(tl + ul). Then |uh| < |th|
/// (|c + uh| ≥ 2·|uh|, rounded), so |tl|, |ul| ≤ u/2 with u = ulp(th),
/// |v| ≤ u and ulp(v) ≤ 2⁻⁵²·u. Every midpoint between doubles within u
/// of th is a multiple of u/4, hence of ulp(v), as th + v is; a midpoint
/// strictly between th + v and the exact
/// th + tl + ul would be within |tl + ul − v| ≤ ulp(v)/2 of th + v, so it can
/// only be th + v itself. So z is fma's result unless th + v is a midpoint,
/// i.e. |v| ∈ {u/4, u/2, 3u/4} (a midpoint next to th, or below th = 2ᵏ):
/// a v of at most two significant bits, whose low 32 bits are 0.
/// `suspect` collects the words of v that are 0 (such v, v = 0, and 2⁻³²
/// of the rest); the caller redoes a slice with any suspect lane exactly
/// (fma_ordered_d). Two operations instead of the odd rounding's ten, off
/// the chain from p to the next step.
WI_AI vds fma_ordered_fast_d(vds_split a, vds b, vds c, vws *suspect) {
    vds uh = a.x * b;
    vds ul = product_error_d(a, split_d(b), uh);
    vds th = c + uh;
    vds tl = uh - (th - c);
    vds v = tl + ul;
    *suspect |= (vws)((vws)v == 0u);
    return th + v;
}

/// One step p ← fma(x, p, c) of a polynomial with |c| ≥ 3·|x·p|: exactly
/// (fma_ordered_d), or fast with suspects (fma_ordered_fast_d).
WI_AI vds poly_step_d(int exact, vds_split x, vds p, double c, vws *suspect) {
    return exact ? fma_ordered_d(x, p, (vds)c) : fma_ordered_fast_d(x, p, (vds)c, suspect);
}

/// fma(a, b, c) for operands in the range above (c ≠ −0).
WI_AI vds fma_emulated_d(vds a, vds b, vds c) {
    vds uh = a * b;
    vds ul = product_error_d(split_d(a), split_d(b), uh);
    vds th = c + uh;
    vds back = th - c;
    vds tl = (c - (th - back)) + (uh - back);
    return th + add_odd_d(tl, ul);
}

/// Lanes where x has a magnitude in [2⁻³⁰⁰, 2³⁰⁰] or is a zero (of either
/// sign with `any_zero`, else +0 only).
WI_AI vi64 emulable_d(vd x, int any_zero) {
    vd m = (vd)((vu64)x & 0x7FFFFFFFFFFFFFFFull);
    vi64 zero = any_zero ? (vi64)(m == 0.0) : (vi64)((vu64)x == 0u);
    return (vi64)((m >= 0x1p-300) & (m <= 0x1p300)) | zero;
}

/// fma(a, b, c) for any operands: fma_emulated_d, and libm's fma in the
/// (rare) lanes outside its range — non-finite values included.
WI_AI vd fma_checked_d(vd a, vd b, vd c) {
    vd x;
    for (int k = 0; k < 16 / WI_SLICE; k++) set_slice_d(&x, k, fma_emulated_d(slice_d(a, k), slice_d(b, k), slice_d(c, k)));
    uint32_t lanes = bits_of64(~(emulable_d(a, 1) & emulable_d(b, 1) & emulable_d(c, 0)));
    if (__builtin_expect(lanes != 0, 0)) {
        for (int l = 0; l < 16; l++) {
            if (lanes >> l & 1u) x[l] = fma(a[l], b[l], c[l]);
        }
    }
    return x;
}

/// fma(x, b, a) with a fill's parameters b, a (σ and μ, or width and low).
/// Without fma, where a = ±0 and b = 0 or |b| ≥ 2⁻⁹⁰⁰: x·b + a, whose one
/// rounding is fma's unless a nonzero x·b rounds to a zero (then fma keeps
/// the product's sign, and −0 + +0 would not). That needs |x| < 2⁻¹⁷⁴: never
/// for a normal's z (0 or > 2⁻⁷⁷) or a uniform's u (0 or ≥ 2⁻⁵³); a
/// truncated normal's proposal can be anything (`tiny_x`), so there such
/// lanes are looked for. Else fma_checked_d.
WI_AI vd fma_param_d(int fma, vd x, double b, double a, int tiny_x) {
    if (fma) return fma_d(x, (vd)b, (vd)a);
    if (a == 0 && (b == 0 || __builtin_fabs(b) >= 0x1p-900)) {
        vd y = x * b;
        if (tiny_x && b != 0 && bits_of64((vi64)(y == 0.0) & (vi64)(x != 0.0)) != 0) {
            return fma_checked_d(x, (vd)b, (vd)a);
        }
        return y + a;
    }
    return fma_checked_d(x, (vd)b, (vd)a);
}

// MARK: log (Scalar.h wi_logf_scalar / wi_log_scalar)

WI_AI vf log_f_fused(vf x) {
    vu bits = (vu)x;
    vi e = (vi)(bits >> 23) - 127;
    vu mant = bits & 0x007FFFFFu;
    vi big = mant > 0x003504F3u;  // −1 where the mantissa is above √2's
    e -= big;
    vf m = (vf)(mant | (0x3F800000u - ((vu)big & 0x00800000u)));
    vf f = m - 1.0f;
    vf s = f / (2.0f + f);
    vf s2 = s * s;
    vf p = fma_f(s2, fma_f(s2, fma_f(s2, (vf)0x1.c71c72p-4f, (vf)0x1.24924ap-3f), (vf)0x1.99999ap-3f),
                 (vf)0x1.555556p-2f);
    vf t = s + s;
    vf lnm = fma_f(t * s2, p, t);
    vf ef = __builtin_convertvector(e, vf);
    return fma_f(ef, (vf)0x1.62e300p-1f, fma_f(ef, (vf)0x1.2fefa2p-17f, lnm));
}

/// The logarithm's polynomial p(s²) (Scalar.h wi_log_scalar: 1/19, 1/17, … 1/3).
static const double log_coefficients_d[9] = {
    0x1.af286bca1af28p-5, 0x1.e1e1e1e1e1e1ep-5, 0x1.1111111111111p-4, 0x1.3b13b13b13b14p-4, 0x1.745d1745d1746p-4,
    0x1.c71c71c71c71cp-4, 0x1.2492492492492p-3, 0x1.999999999999ap-3, 0x1.5555555555555p-2,
};
#define WI_LN2_HI_D 0x1.62e42fee00000p-1
#define WI_LN2_LO_D 0x1.a39ef35793c76p-33

/// log_d's steps after s without fma, on a slice: Fast2Sum's |s²·p| ≤ |c|
/// holds at every Horner step and in lnm (s² ≤ 0.0295, p ∈ [0.052, 0.34], so
/// |s²·p| < 0.011 < 0.052 ≤ c, and |t·s²·p| < |t|); e·ln2_hi is exact (ln2_hi
/// has 33 significant bits, |e| ≤ 1075), so its fma is one addition.
WI_AI vds log_tail_nofma(int exact, vds s, vds s2, vds ed, vws *suspect) {
    vds_split x = split_d(s2);
    vds p = (vds)log_coefficients_d[0];
#pragma clang loop unroll(full)
    for (int k = 1; k < 9; k++) p = poly_step_d(exact, x, p, log_coefficients_d[k], suspect);
    vds t = s + s;
    vds_split ts2 = split_d(t * s2);
    vds lnm = exact ? fma_ordered_d(ts2, p, t) : fma_ordered_fast_d(ts2, p, t, suspect);
    return ed * WI_LN2_HI_D + fma_emulated_d(ed, (vds)WI_LN2_LO_D, lnm);
}

WI_AI void polynomials_nofma(int k, const vd *s, const vd *s2, const vd *ed, vd *log_out, const vd *r2, vd *sp,
                             vd *c);

/// log_d's first steps: s = f/(2 + f), s², and the exponent e as a double.
WI_AI void log_reduce_d(vd x, vd *s_out, vd *s2_out, vd *ed_out) {
    vu64 bits = (vu64)x;
    vi64 e = (vi64)(bits >> 52) - 1023;
    vu64 mant = bits & 0x000FFFFFFFFFFFFFull;
    vi64 big = (vi64)(mant > 0x0006A09E667F3BCDull);
    e -= big;
    vd m = (vd)(mant | (0x3FF0000000000000ull - ((vu64)big & 0x0010000000000000ull)));
    vd f = m - 1.0;
    vd s = f / (2.0 + f);
    *s_out = s;
    *s2_out = s * s;
    *ed_out = small_i64_to_d(e);
}

WI_AI vd log_d(int fma, vd x) {
    vd s, s2, ed;
    log_reduce_d(x, &s, &s2, &ed);
    if (!fma) {
        vd y;
        for (int k = 0; k < 16 / WI_SLICE; k++) polynomials_nofma(k, &s, &s2, &ed, &y, NULL, NULL, NULL);
        return y;
    }
    vd p = (vd)log_coefficients_d[0];
#pragma clang loop unroll(full)
    for (int k = 1; k < 9; k++) p = fma_d(s2, p, (vd)log_coefficients_d[k]);
    vd t = s + s;
    vd lnm = fma_d(t * s2, p, t);
    return fma_d(ed, (vd)WI_LN2_HI_D, fma_d(ed, (vd)WI_LN2_LO_D, lnm));
}

// MARK: sin 2πu, cos 2πu in double (Scalar.h wi_sincos2pi_m53; the float one is angle_f, below)

/// sin(2πr)/r and cos(2πr) as polynomials in r² (Scalar.h wi_sincos2pi_m53).
static const double sin_coefficients_d[9] = {
    0x1.aaec32af93359p-4, -0x1.6fadb9f155744p-1, 0x1.e8f434d018d63p+1, -0x1.e3074fde8871fp+3, 0x1.50783487ee782p+5,
    -0x1.32d2cce62bd86p+6, 0x1.466bc6775aae2p+6, -0x1.4abbce625be53p+5, 0x1.921fb54442d18p+2,
};
static const double cos_coefficients_d[9] = {
    0x1.20c62c2f2d7f5p-2, -0x1.b6e24f44b128fp+0, 0x1.f9d38a3763cc3p+2, -0x1.a6d1f2a204a8cp+4, 0x1.e1f506891babbp+5,
    -0x1.55d3c7e3cbffap+6, 0x1.03c1f081b5ac4p+6, -0x1.3bd3cc9be45dep+4, 1.0,
};

/// Both polynomials without fma, on a slice. Fast2Sum's |r²·p| ≤ |c| holds
/// at every step with a margin of 3 or more: r² ≤ 2⁻⁶, each step's |p| is at
/// most 82.9 (sin) or 86.4 (cos), and each |c| at least 3·|p|/64 of the
/// step before it.
WI_AI void sincos_poly_nofma(int exact, vds r2, vds *sp_out, vds *c_out, vws *suspect) {
    vds_split x = split_d(r2);
    vds sp = (vds)sin_coefficients_d[0], c = (vds)cos_coefficients_d[0];
#pragma clang loop unroll(full)
    for (int k = 1; k < 9; k++) {
        sp = poly_step_d(exact, x, sp, sin_coefficients_d[k], suspect);
        c = poly_step_d(exact, x, c, cos_coefficients_d[k], suspect);
    }
    *sp_out = sp;
    *c_out = c;
}

/// Slice k of the logarithm's tail (s, s², e → log, when `log_out` is not
/// NULL) and of both angle polynomials (r² → sp, c, when `r2` is not NULL)
/// without fma: fast steps, and all of them again exactly where a lane is
/// suspect (fma_ordered_fast_d). Together, the three chains of emulated
/// fmas are in flight at once (each step is a chain of ~15 dependent
/// operations).
WI_AI void polynomials_nofma(int k, const vd *s, const vd *s2, const vd *ed, vd *log_out, const vd *r2, vd *sp,
                             vd *c) {
    vds lk = 0, spk = 0, ck = 0;
    vws suspect = 0;
    for (int exact = 0; exact < 2; exact++) {
        if (log_out) lk = log_tail_nofma(exact, slice_d(*s, k), slice_d(*s2, k), slice_d(*ed, k), &suspect);
        if (r2) sincos_poly_nofma(exact, slice_d(*r2, k), &spk, &ck, &suspect);
        if (__builtin_expect(!any_word(suspect), 1)) break;
    }
    if (log_out) set_slice_d(log_out, k, lk);
    if (r2) {
        set_slice_d(sp, k, spk);
        set_slice_d(c, k, ck);
    }
}

/// The reduction: quadrant q = round(4u) and remainder r = u − q/4, exactly.
WI_AI void sincos_reduce_d(vu64 m, vu64 *q_out, vd *r_out) {
    vu64 q = (m + (1ull << 50)) >> 51;
    vi64 ri = (vi64)m - (vi64)(q << 51);
    *q_out = q;
    *r_out = small_i64_to_d(ri) * 0x1p-53;  // |ri| ≤ 2⁵⁰
}

/// sin and cos 2πu from the quadrant, r and the polynomials sp(r²), c(r²).
WI_AI void sincos_finish_d(vu64 q, vd r, vd sp, vd c, vd *sin_out, vd *cos_out) {
    vd s = r * sp;
    vi64 swap = -(vi64)(q & 1u);
    vd so = sel_d(swap, c, s), co = sel_d(swap, s, c);
    *sin_out = (vd)((vu64)so ^ ((q & 2u) << 62));
    *cos_out = (vd)((vu64)co ^ (((q ^ (q >> 1)) & 1u) << 63));
}

WI_AI void sincos_m53(int fma, vu64 m, vd *sin_out, vd *cos_out) {
    vu64 q;
    vd r;
    sincos_reduce_d(m, &q, &r);
    vd r2 = r * r, sp, c;
    if (fma) {
        sp = (vd)sin_coefficients_d[0];
        c = (vd)cos_coefficients_d[0];
#pragma clang loop unroll(full)
        for (int k = 1; k < 9; k++) {
            sp = fma_d(r2, sp, (vd)sin_coefficients_d[k]);
            c = fma_d(r2, c, (vd)cos_coefficients_d[k]);
        }
    } else {
        for (int k = 0; k < 16 / WI_SLICE; k++) polynomials_nofma(k, NULL, NULL, NULL, NULL, &r2, &sp, &c);
    }
    sincos_finish_d(q, r, sp, c, sin_out, cos_out);
}

// MARK: Box–Muller (Scalar.h wi_box_muller_f / _d)

/// Box–Muller's radius √(−2·log u°) for u° = u24_open(w): log_f followed by
/// the reference's `sqrtf(-2.0f * log)`, rearranged into fewer operations with
/// the same bits. Each step is an exact identity of IEEE arithmetic (RN(2ᵏ·a) =
/// 2ᵏ·RN(a) without over- or underflow, and none happens on these inputs),
/// and the radius of all 2²⁴ inputs is checked against the scalar reference
/// by the tests (KernelPathTests.radiusAndAngleOfEveryInput):
/// - u° = k·2⁻²⁴ with k = (w >> 8) + 1, so the float k has u°'s mantissa and
///   its exponent + 24: the 2⁻²⁴ goes into the exponent offset below.
/// - The reference's mantissa test (mant > √2's 0x3504F3, then m/2 and e + 1)
///   is one subtraction: tmp = bits − (0x3F3504F4 + 24·2²³) has e in its top
///   9 bits (arithmetic shift) and m = (tmp & 0x7FFFFF) + 0x3F3504F4, as in
///   musl's logf with the threshold moved by one ulp to the reference's
///   strict comparison.
/// - −2·log = fma(e, −2·ln2_hi, fma(e, −2·ln2_lo, fma(−4s·s², p, −4s))): the
///   factor −2 moves into the constants and into t = 2s, exactly.
WI_AI vf radius_f_fused(vu w) {
    vf k = __builtin_convertvector((vi)((w >> 8) + 1u), vf);
    vu tmp = (vu)k - 0x4B3504F4u;
    vf ef = __builtin_convertvector((vi)tmp >> 23, vf);
    vf m = (vf)((tmp & 0x007FFFFFu) + 0x3F3504F4u);
    vf f = m - 1.0f;
    vf s = f / (2.0f + f);
    vf s2 = s * s;
    vf p = fma_f(s2, fma_f(s2, fma_f(s2, (vf)0x1.c71c72p-4f, (vf)0x1.24924ap-3f), (vf)0x1.99999ap-3f),
                 (vf)0x1.555556p-2f);
    vf t = s * -4.0f;
    vf minus_two_lnm = fma_f(t * s2, p, t);
    vf minus_two_log = fma_f(ef, (vf)(-2 * 0x1.62e300p-1f), fma_f(ef, (vf)(-2 * 0x1.2fefa2p-17f), minus_two_lnm));
    return __builtin_elementwise_sqrt(minus_two_log);
}

/// sin 2πu and cos 2πu for u = (w >> 8)·2⁻²⁴: the scalar reference's
/// wi_sincos2pi_m24 of w >> 8 (Scalar.h; same polynomials, same bits), with
/// its integer reduction read straight from w. With m = w >> 8:
/// - the remainder ri = m − round(m/2²²)·2²² is the low 22 bits of m as a
///   signed number (a tie rounds q up, giving −2²¹ — as sign extension
///   does), i.e. bits 8 … 29 of w: (int)(w << 2) >> 10;
/// - t = w + 2²⁹ (mod 2³²) has q mod 4 = round(4u) mod 4 in its top two
///   bits: bit 31 says "negate sin" (q ∈ {2, 3}), bit 30 "swap" (q odd),
///   and their xor "negate cos" (q ∈ {1, 2}).
WI_AI void angle_f_fused(vu w, vf *sin_out, vf *cos_out) {
    vi ri = (vi)(w << 2) >> 10;
    vu t = w + 0x20000000u;
    vf r = __builtin_convertvector(ri, vf) * 0x1p-24f;
    vf r2 = r * r;
    vf sp = fma_f(r2, fma_f(r2, fma_f(r2, fma_f(r2, (vf)0x1.507834p+5f, (vf)-0x1.32d2ccp+6f),
                                      (vf)0x1.466bc6p+6f), (vf)-0x1.4abbcep+5f), (vf)0x1.921fb6p+2f);
    vf s = r * sp;
    vf c = fma_f(r2, fma_f(r2, fma_f(r2, fma_f(r2, fma_f(r2, (vf)-0x1.a6d1f2p+4f, (vf)0x1.e1f506p+5f),
                                                 (vf)-0x1.55d3c8p+6f), (vf)0x1.03c1f0p+6f),
                             (vf)-0x1.3bd3ccp+4f), (vf)1.0f);
    vi swap = (vi)(t << 1) < 0;
    vf so = sel_f(swap, c, s), co = sel_f(swap, s, c);
    *sin_out = (vf)((vu)so ^ (t & 0x80000000u));
    *cos_out = (vf)((vu)co ^ ((t ^ (t << 1)) & 0x80000000u));
}

// MARK: Without a fused multiply-add instruction (SSE2)
//
// SSE2 has no fma instruction, and the compiler's fallback, a libm fmaf
// call per lane, made that path slower than the scalar one. There each of
// float's fused multiply-adds is computed in double instead (16 lanes: 8
// registers; measured faster than 4 lanes at a time, the spills costing
// less than the lost overlap of the long dependency chains), in one of three
// ways, each giving exactly the reference's bits (a·b of two floats is
// exact in double, and so is converting a float or an int32 to double):
// - fixed binade (the polynomial steps): where every result of a step lies
//   in one binade [2^e, 2^(e+1)] — measured over all of the step's inputs,
//   noted at each — RN_d(a·b + (c + M)) − M with M = 1.5·2^(e+29) is
//   fmaf(a, b, c): c + M is exact (c's spacing is at least float's
//   2^(e−23) at the result), M + (a·b + c) stays in M's binade, whose
//   double spacing is 2^(e−23), so the one rounding is to float's grid, and
//   M's low mantissa bits are 0, so ties go to even as float's do;
// - rounded twice (the other steps of the logarithm, radius and angle):
//   RN_f(RN_d(a·b + c)) differs from RN_f(a·b + c) only where RN_d lands
//   exactly halfway between two floats; these steps depend on 24 bits of
//   one word, and every one of the 2^24 inputs is compared with the
//   reference by the tests (BoxMullerPartsTests, Tests/KernelTests);
// - checked (the parameters' fmas: uniform, mean and std, the truncated
//   normal's): RN_d(a·b + c) is exact for uniform's ranges where
//   wi_prepare says so; otherwise a lane where RN_d(a·b + c) is halfway
//   between two floats or below 2^−125 is recomputed with libm's fmaf.
// (Double sampling has no wider type to lean on: "Double fma without an fma
// instruction" above.)

WI_AI vd to_d(vf x) { return __builtin_convertvector(x, vd); }
WI_AI vf to_f(vd x) { return __builtin_convertvector(x, vf); }
/// RN_f of each lane, kept in double: converted there and back per register
/// (cvtpd2ps, cvtps2pd), not gathered into float registers and split again.
WI_AI vd round_f(vd x) {
    typedef float vf2 __attribute__((ext_vector_type(2)));
    typedef double vd2 __attribute__((ext_vector_type(2)));
    vd y;
    for (int k = 0; k < 8; k++) {
        vd2 pair;
        memcpy(&pair, (const double *)&x + 2 * k, sizeof pair);
        pair = __builtin_convertvector(__builtin_convertvector(pair, vf2), vd2);
        memcpy((double *)&y + 2 * k, &pair, sizeof pair);
    }
    return y;
}

/// 1.5·2^(e+29): the fixed-binade constant of results in [2^e, 2^(e+1)]
/// (WI_BINADE_M for e = −n).
#define WI_BINADE(e) (0x1.8p29 * 0x1p##e)
#define WI_BINADE_M(n) (0x1.8p29 / 0x1p##n)
/// fmaf(a, b, c) for results in the binade of m: a, b exact floats as doubles.
WI_AI vd fma_binade(vd a, vd b, double c, double m) { return (a * b + (c + m)) - m; }

/// The last fixed-binade step of a chain, straight to float: y = a·b + (c +
/// m) with m = 1.5·2^(e+29) and a positive result p ∈ [2^e, 2^(e+1)] is m +
/// p = (2^52 + 2^51 + n)·2^(e−23), n = p·2^(23−e) ∈ [2^23, 2^24] an integer
/// (fma_binade), so the low 32 bits of y are n, and p's float bits are n +
/// (126 + e)·2²³ (n = 2^24 carries into the exponent: 2^(e+1)). One
/// shuffle (the low halves of two registers) and one integer add per four
/// lanes, instead of subtracting m and converting (cvtpd2ps + a shuffle per
/// two registers).
WI_AI vf binade_last_f(vd a, vd b, double c, double m, int e) {
    vd y = a * b + (c + m);
    typedef uint32_t vu32 __attribute__((ext_vector_type(32)));
    vu32 words = (vu32)y;
    vu n = __builtin_shufflevector(words, words, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return (vf)(n + (uint32_t)(126 + e) * 0x00800000u);
}

/// fmaf(a, b, c) as RN_f(RN_d(a·b + c)) — only where the tests cover every
/// input; as a float, or kept in double for a next step.
WI_AI vf fma_twice(vd a, vd b, vd c) { return to_f(a * b + c); }
WI_AI vd fma_twice_d(vd a, vd b, vd c) { return round_f(a * b + c); }

/// fmaf(a, b, c) for any finite floats: RN_d(a·b + c), then one rounding to
/// float. That is fmaf's one rounding if the double sum was exact; if RN_d
/// rounded (Knuth's TwoSum error is not 0), it is still right unless RN_d
/// landed exactly halfway between two floats (low 29 mantissa bits 1 then
/// 28 zeros) or below 2^−125 (float's subnormal spacing differs): such
/// lanes — rare — take libm's fmaf.
WI_AI vf fma_checked(vf a, vf b, vf c) {
    vd product = to_d(a) * to_d(b), addend = to_d(c);
    vd s = product + addend;
    vd back = s - product;
    vd error = (product - (s - back)) + (addend - back);
    vf x = to_f(s);
    typedef uint32_t vu32 __attribute__((ext_vector_type(32)));
    vu32 words = (vu32)s;  // the low and high 32 bits of each double, alternating
    vu low = __builtin_shufflevector(words, words, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    vu high = __builtin_shufflevector(words, words, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    vi inexact = __builtin_convertvector((vi64)(error != 0.0), vi);
    uint32_t lanes = bits_of(inexact & (((low & 0x1FFFFFFFu) == 0x10000000u) |
                                        ((vi)(high & 0x7FF00000u) < (1023 - 125) << 20)));
    if (__builtin_expect(lanes != 0, 0)) {
        for (int l = 0; l < 16; l++) {
            if (lanes >> l & 1u) x[l] = fmaf(a[l], b[l], c[l]);
        }
    }
    return x;
}

/// Step k (0, 1, 2) of the logarithm's polynomial p(s²) (Scalar.h
/// wi_logf_scalar), s² in double, p the previous step's result. Results:
/// step 0 in [0.1428, 0.1462], step 1 [0.2, 0.2043], step 2 [0.3333, 0.3394].
WI_AI vd log_poly_step(int k, vd s2, vd p) {
    switch (k) {
    case 0: return fma_binade(s2, (vd)(double)0x1.c71c72p-4f, 0x1.24924ap-3f, WI_BINADE_M(3));
    case 1: return fma_binade(s2, p, 0x1.99999ap-3f, WI_BINADE_M(3));
    default: return fma_binade(s2, p, 0x1.555556p-2f, WI_BINADE_M(2));
    }
}
WI_AI vd log_poly(vd s2) { return log_poly_step(2, s2, log_poly_step(1, s2, log_poly_step(0, s2, s2))); }

/// log_f without fma (Scalar.h wi_logf_scalar's steps, as log_f).
WI_AI vf log_nofma(vf x) {
    vu bits = (vu)x;
    vi e = (vi)(bits >> 23) - 127;
    vu mant = bits & 0x007FFFFFu;
    vi big = mant > 0x003504F3u;
    e -= big;
    vf m = (vf)(mant | (0x3F800000u - ((vu)big & 0x00800000u)));
    vf f = m - 1.0f;
    vf s = f / (2.0f + f);
    vf s2 = s * s;
    vd p = log_poly(to_d(s2));
    vf t = s + s;
    vd lnm = fma_twice_d(to_d(t * s2), p, to_d(t));
    vd ed = __builtin_convertvector(e, vd);
    vf low = fma_twice(ed, (vd)(double)0x1.2fefa2p-17f, lnm);
    return __builtin_convertvector(e, vf) * 0x1.62e300p-1f + low;  // e·ln2_hi exact, as above
}

/// Box–Muller without fma (radius_f and angle_f's steps, Scalar.h's
/// operations), in stages (bm_stage) that interleave the logarithm's,
/// sine's and cosine's polynomial steps in program order, so that a caller
/// can interleave more independent work between them (group_normals_f: the
/// other half of a group). Each step is a chain of three dependent double
/// operations (~12 cycles) on 8 registers (16 lanes): alone, too little
/// independent work to fill the vector ports while the chain waits.
///
/// The logarithm's steps: log_poly's, then −2·ln m rounded twice, then the
/// exponent's −2·ln2_lo rounded twice and −2·ln2_hi in float (exact
/// product, so fmaf is one addition). The angle's step results over all
/// remainders: sin's 1 … 4 in [−76.71, −76.04], [80.41, 81.61], [−41.35,
/// −40.08], [5.656, 6.284]; cos's 1 … 5 in [59.83, 60.25], [−85.46, −84.52],
/// [63.61, 64.94] (two binades: rounded twice), [−19.74, −18.74], [0.7071,
/// 1] (1 is on the grid of [0.5, 1)).
typedef struct {
    vu wa, wb, t;
    vi e;
    vf s, s2f, r, sn, cf, radius, so, co, z0, z1;
    vd s2, r2, p, sp, c, minus_two_lnm;
} bm_state;

#define WI_BM_STAGES 6

WI_AI void bm_stage(bm_state *b, int stage) {
    switch (stage) {
    case 0: {  // u° read as radius_f_fused reads it, the remainder as angle_f_fused; s², r² in double
        vf k = __builtin_convertvector((vi)((b->wa >> 8) + 1u), vf);
        vu tmp = (vu)k - 0x4B3504F4u;
        b->e = (vi)tmp >> 23;
        vf m = (vf)((tmp & 0x007FFFFFu) + 0x3F3504F4u);
        vf f = m - 1.0f;
        b->s = f / (2.0f + f);
        vi ri = (vi)(b->wb << 2) >> 10;
        b->t = b->wb + 0x20000000u;
        b->r = __builtin_convertvector(ri, vf) * 0x1p-24f;
        b->r2 = to_d(b->r * b->r);
        b->s2f = b->s * b->s;
        b->s2 = to_d(b->s2f);
        break;
    }
    case 1:  // step 1 of the logarithm, sine and cosine (step results above)
        b->p = log_poly_step(0, b->s2, b->s2);
        b->sp = fma_binade(b->r2, (vd)(double)0x1.507834p+5f, -0x1.32d2ccp+6f, WI_BINADE(6));
        b->c = fma_binade(b->r2, (vd)(double)-0x1.a6d1f2p+4f, 0x1.e1f506p+5f, WI_BINADE(5));
        break;
    case 2:
        b->p = log_poly_step(1, b->s2, b->p);
        b->sp = fma_binade(b->r2, b->sp, 0x1.466bc6p+6f, WI_BINADE(6));
        b->c = fma_binade(b->r2, b->c, -0x1.55d3c8p+6f, WI_BINADE(6));
        break;
    case 3:
        b->p = log_poly_step(2, b->s2, b->p);
        b->sp = fma_binade(b->r2, b->sp, -0x1.4abbcep+5f, WI_BINADE(5));
        b->c = fma_twice_d(b->r2, b->c, (vd)(double)0x1.03c1f0p+6f);
        break;
    case 4: {  // the logarithm's −2·ln m; the sine done
        vf tf = b->s * -4.0f;
        b->minus_two_lnm = fma_twice_d(to_d(tf * b->s2f), b->p, to_d(tf));
        b->sn = b->r * binade_last_f(b->r2, b->sp, 0x1.921fb6p+2f, WI_BINADE(2), 2);
        b->c = fma_binade(b->r2, b->c, -0x1.3bd3ccp+4f, WI_BINADE(4));
        break;
    }
    default: {  // the logarithm's exponent, the radius; the cosine done; the quadrant
        vd ed = __builtin_convertvector(b->e, vd);
        vf low = fma_twice(ed, (vd)(double)(-2 * 0x1.2fefa2p-17f), b->minus_two_lnm);
        b->cf = binade_last_f(b->r2, b->c, 1.0f, WI_BINADE_M(1), -1);
        // e·(−2·ln2_hi) is exact in float (|e| ≤ 25, 5 bits; ln2_hi, 17 bits).
        b->radius = __builtin_elementwise_sqrt(__builtin_convertvector(b->e, vf) * (-2 * 0x1.62e300p-1f) + low);
        // The quadrant's swap as one masked xor (SSE2 has no blend: a select
        // costs and, andnot, or): where swap is set, s ^ (s ^ c) = c and c ^ (s ^ c) = s.
        vu swap = (vu)((vi)(b->t << 1) >> 31);
        vu flip = ((vu)b->sn ^ (vu)b->cf) & swap;
        b->so = (vf)((vu)b->sn ^ flip ^ (b->t & 0x80000000u));
        b->co = (vf)((vu)b->cf ^ flip ^ ((b->t ^ (b->t << 1)) & 0x80000000u));
        b->z0 = b->radius * b->co;
        b->z1 = b->radius * b->so;
        break;
    }
    }
}

WI_AI bm_state box_muller_nofma(vu wa, vu wb) {
    bm_state b;
    b.wa = wa;
    b.wb = wb;
#pragma clang loop unroll(full)
    for (int stage = 0; stage < WI_BM_STAGES; stage++) bm_stage(&b, stage);
    return b;
}

/// radius_f and angle_f without fma: the stages' parts (what the tests check
/// on every input; the unused half is dead code).
WI_AI vf radius_nofma(vu w) { return box_muller_nofma(w, w).radius; }
WI_AI void angle_nofma(vu w, vf *sin_out, vf *cos_out) {
    bm_state b = box_muller_nofma(w, w);
    *sin_out = b.so;
    *cos_out = b.co;
}

// MARK: The float kernels on either kind of path (`fma`: the instantiation's WI_FMA_*)

WI_AI vf radius_f(int fma, vu w) { return fma ? radius_f_fused(w) : radius_nofma(w); }

WI_AI void angle_f(int fma, vu w, vf *sin_out, vf *cos_out) {
    if (fma) angle_f_fused(w, sin_out, cos_out);
    else angle_nofma(w, sin_out, cos_out);
}

WI_AI vf log_f(int fma, vf x) { return fma ? log_f_fused(x) : log_nofma(x); }

/// fmaf(a, b, c) for any finite floats (the parameters' fmas).
WI_AI vf fma_any_f(int fma, vf a, vf b, vf c) { return fma ? fma_f(a, b, c) : fma_checked(a, b, c); }

/// x = fmaf(σ, z, μ) of the normal and truncated normal. Without fma and
/// with μ = +0 (wi_prepare's scale_mul_f): RN(σ·z) — adding an exact +0 to a
/// nonzero exact product changes nothing — except that an exact zero
/// product (z = ±0) gives +0, as +0 + ±0 does. For the normal with |σ| ≥
/// 2⁻¹⁰⁰ (scale_add_f) that is RN(σ·z) + 0, one operation fewer: a nonzero
/// z of Box–Muller is r·cos or r·sin with r ≥ √(−2 ln(1 − 2⁻²⁴)) > 2⁻¹²
/// and |sin|, |cos| ≥ RN(2⁻²⁴·2π) > 2⁻²² where nonzero, so |z| > 2⁻³⁴ and
/// |σ·z| > 2⁻¹³⁴ rounds to a nonzero float, which + 0 keeps; and σ = 1
/// needs no multiply.
WI_AI vf scale_f(const fill_ctx *ctx, vf z) {
    const wi_prepared *p = ctx->p;
    if (!ctx->fma && p->scale_add_f) return (p->b_f == 1.0f ? z : p->b_f * z) + 0.0f;
    if (!ctx->fma && p->scale_mul_f) {
        vf x = p->b_f * z;
        return sel_f(z == 0.0f, (vf)0.0f, x);
    }
    return fma_any_f(ctx->fma, (vf)p->b_f, z, (vf)p->a_f);
}

WI_AI void box_muller_f(int fma, vu wa, vu wb, vf *z0, vf *z1) {
    if (!fma) {
        bm_state b = box_muller_nofma(wa, wb);
        *z0 = b.z0;
        *z1 = b.z1;
        return;
    }
    vf r = radius_f(fma, wa);
    vf s, c;
    angle_f(fma, wb, &s, &c);
    *z0 = r * c;
    *z1 = r * s;
}

/// z0, z1 of the 64-bit words a = w1·2³² + w0 and b = w3·2³² + w2 of each block.
/// Without fma, the logarithm's and both angle polynomials go slice by slice
/// together (polynomials_nofma).
WI_AI void box_muller_d(int fma, vu64 a, vu64 b, vd *z0, vd *z1) {
    vd s, c, lg;
    if (fma) {
        lg = log_d(fma, u53_open(a));
        sincos_m53(fma, b >> 11, &s, &c);
    } else {
        vd ls, ls2, led, r, sp;
        vu64 q;
        log_reduce_d(u53_open(a), &ls, &ls2, &led);
        sincos_reduce_d(b >> 11, &q, &r);
        vd r2 = r * r;
        for (int k = 0; k < 16 / WI_SLICE; k++) polynomials_nofma(k, &ls, &ls2, &led, &lg, &r2, &sp, &c);
        sincos_finish_d(q, r, sp, c, &s, &c);
    }
    vd radius = __builtin_elementwise_sqrt(-2.0 * lg);
    *z0 = radius * c;
    *z1 = radius * s;
}

// MARK: Stores: element order, rounding to 16 bits

/// a0 b0 c0 d0 a1 b1 c1 d1 …: the four words of each block are consecutive elements.
WI_AI vf64 interleave4(vf a, vf b, vf c, vf d) {
    vf32 ab = __builtin_shufflevector(a, b, WI_ZIP16);
    vf32 cd = __builtin_shufflevector(c, d, WI_ZIP16);
    vu64x32 abcd = __builtin_shufflevector((vu64)ab, (vu64)cd, WI_ZIP16);
    return (vf64)abcd;
}

/// Scalar.h wi_f32_to_f16, lane-wise (all three cases computed, one selected).
WI_AI vh64 to_f16(vf64 x) {
    vu64l b = (vu64l)x;
    vu64l sign = (b >> 16) & 0x8000u;
    vu64l a = b & 0x7FFFFFFFu;
    vu64l special = (vu64l)((vu64l)(a > 0x7F800000u) & 0x0200u) | 0x7C00u;  // NaN → 0x7E00, else ∞
    vu64l tiny = (vu64l)((vf64)a + 0.5f) - 0x3F000000u;
    vu64l normal = (a + 0xC8000FFFu + ((a >> 13) & 1u)) >> 13;
    vu64l big_mask = (vu64l)(a >= 0x477FF000u), tiny_mask = (vu64l)(a < 0x38800000u);
    vu64l h = (special & big_mask) | (tiny & tiny_mask) | (normal & ~(big_mask | tiny_mask));
    return __builtin_convertvector(sign | h, vh64);
}

/// Scalar.h wi_f32_to_bf16, lane-wise.
WI_AI vh64 to_bf16(vf64 x) {
    vu64l b = (vu64l)x;
    vu64l nan_mask = (vu64l)((b & 0x7FFFFFFFu) > 0x7F800000u);
    vu64l rounded = (b + 0x7FFFu + ((b >> 16) & 1u)) >> 16;
    vu64l quiet = (b >> 16) | 0x0040u;
    return __builtin_convertvector((quiet & nan_mask) | (rounded & ~nan_mask), vh64);
}

typedef _Float16 vhf64 __attribute__((ext_vector_type(64)));

/// Stores 64 float-sampled values in `format` at element j of `out`. With
/// `native_f16` (a constant per instantiation) binary16 rounding is the
/// hardware conversion (vcvtps2ph / fcvtn, round to nearest even under the
/// default rounding mode) — the same IEEE operation as to_f16.
WI_AI void store64(void *out, int32_t format, size_t j, vf64 v, int native_f16) {
    if (format == WI_FORMAT_F32) {
        memcpy((float *)out + j, &v, sizeof v);
    } else {
        vh64 h = format == WI_FORMAT_BF16 ? to_bf16(v)
               : native_f16 ? (vh64)__builtin_convertvector(v, vhf64) : to_f16(v);
        memcpy((uint16_t *)out + j, &h, sizeof h);
    }
}

// MARK: Uniform and normal

WI_AI vd clamp_d(vd x, double lo, double hi) {
    return sel_d((vi64)(x < lo), (vd)lo, sel_d((vi64)(x > hi), (vd)hi, x));
}

/// Uniform values (Scalar.h's clamp(fma(u24(w), width, low))), with the
/// shortcuts of Kernels.c prepare_uniform_shortcut when they apply. Without
/// fma (SSE2): where width·2⁻²⁴ is a power of two, (w >> 8)·that is exact
/// in float and the fma one addition; where wi_prepare found (w >> 8)·step +
/// low exact in double for every w, one rounding of that double; else checked.
WI_AI vf uniform_exact_d(vu w, double step, double low) {
    return to_f(__builtin_convertvector((vi)(w >> 8), vd) * step + low);
}
WI_AI vf uniform_f(const fill_ctx *ctx, vu w) {
    const wi_prepared *p = ctx->p;
    vf x;
    if (p->u_step_f == 0.0f) {
        x = fma_any_f(ctx->fma, u24(w), (vf)p->b_f, (vf)p->a_f);
    } else if (ctx->fma) {
        x = fma_f(__builtin_convertvector((vi)(w >> 8), vf), (vf)p->u_step_f, (vf)p->a_f);
    } else if (p->u_pow2_f) {
        x = __builtin_convertvector((vi)(w >> 8), vf) * p->u_step_f + p->a_f;
    } else if (p->u_exact_d) {
        x = uniform_exact_d(w, p->u_step_f, p->a_f);
    } else {
        x = fma_any_f(0, __builtin_convertvector((vi)(w >> 8), vf), (vf)p->u_step_f, (vf)p->a_f);
    }
    if (p->clamp_low_f) x = sel_f(x < p->lo_f, (vf)p->lo_f, x);
    if (p->clamp_high_f) x = sel_f(x > p->hi_f, (vf)p->hi_f, x);
    return x;
}

// MARK: A group's values in store order

/// Store order of a group's pairs. In the qword layout, half k of a group
/// (8 blocks, one 64-bit lane each, in lane_blocks order) gives two 16-lane
/// vectors: e with elements 4b and 4b + 2 of each block b in lanes 2q and
/// 2q + 1 of its 64-bit lane q, o with elements 4b + 1 and 4b + 3 (float);
/// or a with element 2b and c with element 2b + 1 in lane q (double). These
/// index lists put them in element order; for the path's register width they
/// are the in-lane interleaves alone (see lane_blocks).
#define WI_PAIRS_F4 0, 16, 1, 17, 4, 20, 5, 21, 2, 18, 3, 19, 6, 22, 7, 23, \
                    8, 24, 9, 25, 12, 28, 13, 29, 10, 26, 11, 27, 14, 30, 15, 31
#define WI_PAIRS_F8 0, 16, 1, 17, 4, 20, 5, 21, 8, 24, 9, 25, 12, 28, 13, 29, \
                    2, 18, 3, 19, 6, 22, 7, 23, 10, 26, 11, 27, 14, 30, 15, 31
#define WI_PAIRS_D4 0, 16, 2, 18, 1, 17, 3, 19, 4, 20, 6, 22, 5, 21, 7, 23, \
                    8, 24, 10, 26, 9, 25, 11, 27, 12, 28, 14, 30, 13, 29, 15, 31
#define WI_PAIRS_D8 0, 16, 2, 18, 4, 20, 6, 22, 1, 17, 3, 19, 5, 21, 7, 23, \
                    8, 24, 10, 26, 12, 28, 14, 30, 9, 25, 11, 27, 13, 29, 15, 31
/// The same for 8 + 8 64-bit lanes (words 0, 1 and 2, 3 of 8 blocks) → 16 in block order.
#define WI_QZIP4 0, 8, 2, 10, 1, 9, 3, 11, 4, 12, 6, 14, 5, 13, 7, 15
#define WI_QZIP8 0, 8, 2, 10, 4, 12, 6, 14, 1, 9, 3, 11, 5, 13, 7, 15
#define WI_IOTA32 WI_IOTA16, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
#define WI_IOTA64 WI_IOTA32, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, \
                  48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63

WI_AI vf32 pairs_f(int width, vf e, vf o) {
    return width == 8 ? __builtin_shufflevector(e, o, WI_PAIRS_F8)
         : width == 4 ? __builtin_shufflevector(e, o, WI_PAIRS_F4) : __builtin_shufflevector(e, o, WI_ZIP16);
}
WI_AI vd32 pairs_d(int width, vd a, vd c) {
    return width == 8 ? __builtin_shufflevector(a, c, WI_PAIRS_D8)
         : width == 4 ? __builtin_shufflevector(a, c, WI_PAIRS_D4) : __builtin_shufflevector(a, c, WI_ZIP16);
}
WI_AI vu64 qzip(int width, vu64x8 a, vu64x8 b) {
    return width == 8 ? __builtin_shufflevector(a, b, WI_QZIP8)
         : width == 4 ? __builtin_shufflevector(a, b, WI_QZIP4)
                      : __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
}
WI_AI vf64 concat_f(vf32 a, vf32 b) { return __builtin_shufflevector(a, b, WI_IOTA64); }

/// The low 32-bit words of two qword-layout vectors, alternating: lanes 2q
/// and 2q + 1 are 64-bit lane q's words of a and b (one in-lane blend).
WI_AI vu dword_zip(vu64x8 a, vu64x8 b) {
    return __builtin_shufflevector((vu)a, (vu)b, 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
}

/// The 64 standard normals of group g in store order (Scalar.h
/// wi_box_muller_f of (w0, w1) and (w2, w3) of each block).
WI_AI vf64 group_normals_f(const fill_ctx *ctx, const group_words *s, int g) {
    if (ctx->philox == PHILOX_QWORD && !ctx->fma) {
        // Both halves' Box–Muller stage by stage: twice the independent work per stage.
        bm_state b[2];
        for (int k = 0; k < 2; k++) {
            const vu64x8 *h = s->h[2 * g + k];
            b[k].wa = dword_zip(h[0], h[2]);
            b[k].wb = dword_zip(h[1], h[3]);
        }
#pragma clang loop unroll(full)
        for (int stage = 0; stage < WI_BM_STAGES; stage++) {
            bm_stage(&b[0], stage);
            bm_stage(&b[1], stage);
        }
        return concat_f(pairs_f(ctx->width, b[0].z0, b[0].z1), pairs_f(ctx->width, b[1].z0, b[1].z1));
    }
    if (ctx->philox == PHILOX_QWORD) {
        vf32 half[2];
        for (int k = 0; k < 2; k++) {
            const vu64x8 *h = s->h[2 * g + k];
            vf e, o;
            box_muller_f(ctx->fma, dword_zip(h[0], h[2]), dword_zip(h[1], h[3]), &e, &o);
            half[k] = pairs_f(ctx->width, e, o);
        }
        return concat_f(half[0], half[1]);
    }
    vblock w = s->w[g];
    vf z0, z1, z2, z3;
    box_muller_f(ctx->fma, w.w0, w.w1, &z0, &z1);
    box_muller_f(ctx->fma, w.w2, w.w3, &z2, &z3);
    return interleave4(z0, z1, z2, z3);
}

/// Bits or uniform values of group g in store order — element-wise value
/// functions only. In the qword layout the words w0 w1 and w2 w3 of each
/// block are zipped into 64-bit pairs (one in-lane blend each), the value
/// function applied to the 16 lanes, and the pairs put in block order (the
/// in-lane interleaves).
WI_AI vf64 group_elementwise_f(const fill_ctx *ctx, const group_words *s, int g) {
    const wi_prepared *p = ctx->p;
    int bits = p->distribution == WI_DIST_BITS;
    if (ctx->philox == PHILOX_QWORD) {
        vf32 half[2];
        for (int k = 0; k < 2; k++) {
            const vu64x8 *h = s->h[2 * g + k];
            vu w01 = dword_zip(h[0], h[1]), w23 = dword_zip(h[2], h[3]);
            vf v01 = bits ? (vf)w01 : uniform_f(ctx, w01);
            vf v23 = bits ? (vf)w23 : uniform_f(ctx, w23);
            half[k] = (vf32)qzip(ctx->width, (vu64x8)v01, (vu64x8)v23);
        }
        return concat_f(half[0], half[1]);
    }
    vblock w = s->w[g];
    if (bits) return interleave4((vf)w.w0, (vf)w.w1, (vf)w.w2, (vf)w.w3);
    return interleave4(uniform_f(ctx, w.w0), uniform_f(ctx, w.w1), uniform_f(ctx, w.w2), uniform_f(ctx, w.w3));
}

/// The 64-bit words w1·2³² + w0 (a) and w3·2³² + w2 (c) of group g's blocks.
WI_AI void group_words64(const fill_ctx *ctx, const group_words *s, int g, vu64 *a, vu64 *c) {
    if (ctx->philox == PHILOX_QWORD) {
        vu64x8 lo[2], hi[2];
        for (int k = 0; k < 2; k++) {
            const vu64x8 *h = s->h[2 * g + k];
            lo[k] = (h[1] << 32) | (h[0] & 0xFFFFFFFFull);
            hi[k] = (h[3] << 32) | (h[2] & 0xFFFFFFFFull);
        }
        *a = __builtin_shufflevector(lo[0], lo[1], WI_IOTA16);
        *c = __builtin_shufflevector(hi[0], hi[1], WI_IOTA16);
        return;
    }
    *a = join64(s->w[g].w0, s->w[g].w1);
    *c = join64(s->w[g].w2, s->w[g].w3);
}

/// The 32 standard normals of group g (double sampling) in store order.
WI_AI vd32 group_normals_d(const fill_ctx *ctx, const group_words *s, int g) {
    vu64 a, c;
    group_words64(ctx, s, g, &a, &c);
    vd z0, z1;
    box_muller_d(ctx->fma, a, c, &z0, &z1);
    return pairs_d(ctx->width, z0, z1);
}

/// The 64 float-sampled values of group g (bits, uniform, normal) in store order.
WI_AI vf64 group_values_f(const fill_ctx *ctx, const group_words *s, int g) {
    const wi_prepared *p = ctx->p;
    if (p->distribution != WI_DIST_NORMAL) return group_elementwise_f(ctx, s, g);
    vf64 z = group_normals_f(ctx, s, g), x;
    for (int k = 0; k < 4; k++) {
        vf part;
        memcpy(&part, (const float *)&z + 16 * k, sizeof part);
        part = scale_f(ctx, part);
        memcpy((float *)&x + 16 * k, &part, sizeof part);
    }
    return x;
}

/// The 32 double-sampled values of group g (uniform, normal) in store order.
WI_AI vd32 group_values_d(const fill_ctx *ctx, const group_words *s, int g) {
    const wi_prepared *p = ctx->p;
    if (p->distribution == WI_DIST_UNIFORM) {
        vu64 a, c;
        group_words64(ctx, s, g, &a, &c);
        vd v0 = clamp_d(fma_param_d(ctx->fma, u53(a), p->b_d, p->a_d, 0), p->lo_d, p->hi_d);
        vd v1 = clamp_d(fma_param_d(ctx->fma, u53(c), p->b_d, p->a_d, 0), p->lo_d, p->hi_d);
        return pairs_d(ctx->width, v0, v1);
    }
    vd32 z = group_normals_d(ctx, s, g);
    if (ctx->fma) return __builtin_elementwise_fma((vd32)p->b_d, z, (vd32)p->a_d);
    vd half[2];
    memcpy(half, &z, sizeof z);
    for (int k = 0; k < 2; k++) half[k] = fma_param_d(0, half[k], p->b_d, p->a_d, 0);
    memcpy(&z, half, sizeof z);
    return z;
}

// MARK: Truncated normal (TruncatedNormal.c, lane-wise)

/// x = fma(σ, ±z, μ), clamped to [lo, hi] unless `clamp` is 0 (then the
/// caller knows that no clamp can change the values it keeps).
WI_AI vf tn_scale_f(const fill_ctx *ctx, vf z, int clamp) {
    const wi_prepared *p = ctx->p;
    if (p->tn_mirror) z = -z;
    vf x = scale_f(ctx, z);
    if (!clamp) return x;
    x = sel_f(x >= p->lo_f, x, (vf)p->lo_f);
    return sel_f(x <= p->hi_f, x, (vf)p->hi_f);
}
WI_AI vf tn_finish_f(const fill_ctx *ctx, vf z) { return tn_scale_f(ctx, z, 1); }

WI_AI vd tn_scale_d(const fill_ctx *ctx, vd z, int clamp) {
    const wi_prepared *p = ctx->p;
    if (p->tn_mirror) z = -z;
    vd x = fma_param_d(ctx->fma, z, p->b_d, p->a_d, 1);
    if (!clamp) return x;
    x = sel_d((vi64)(x >= p->lo_d), x, (vd)p->lo_d);
    return sel_d((vi64)(x <= p->hi_d), x, (vd)p->hi_d);
}
WI_AI vd tn_finish_d(const fill_ctx *ctx, vd z) { return tn_scale_d(ctx, z, 1); }

/// Attempt 0's values of a group in store order: finished, except that the
/// clamp is left out where wi_prepare found it cannot bite an accepted value
/// (tn_inside_f, _d; rejected lanes are overwritten by a later attempt).
WI_AI vf64 tn_finish64_f(const fill_ctx *ctx, vf64 z) {
    int clamp = !ctx->p->tn_inside_f;
    vf q[4];
    for (int k = 0; k < 4; k++) {
        vf part;
        memcpy(&part, (const float *)&z + 16 * k, sizeof part);
        q[k] = clamp ? tn_scale_f(ctx, part, 1) : tn_scale_f(ctx, part, 0);
    }
    vf64 x;
    memcpy(&x, q, sizeof x);
    return x;
}
WI_AI vd32 tn_finish32_d(const fill_ctx *ctx, vd32 z) {
    int clamp = !ctx->p->tn_inside_d;
    vd q[2];
    for (int k = 0; k < 2; k++) {
        vd part;
        memcpy(&part, (const double *)&z + 16 * k, sizeof part);
        q[k] = clamp ? tn_scale_d(ctx, part, 1) : tn_scale_d(ctx, part, 0);
    }
    vd32 x;
    memcpy(&x, q, sizeof x);
    return x;
}

/// One attempt (k ≥ 1) per lane: the proposal, and the acceptance mask.
WI_AI vf tn_attempt_f(const fill_ctx *ctx, vblock w, vi *accepted) {
    const wi_prepared *p = ctx->p;
    switch (p->tn_method) {
    case WI_TN_NORMAL: {
        vf z, unused;
        box_muller_f(ctx->fma, w.w0, w.w1, &z, &unused);
        *accepted = (p->alpha_f <= z) & (z <= p->beta_f);
        return z;
    }
    case WI_TN_UNIFORM: {
        vf z = fma_any_f(ctx->fma, u24(w.w0), (vf)p->tn_c0_f, (vf)p->alpha_f);
        vf c = (vf)p->tn_c1_f;
        vf rho = ((c - z) * (c + z)) * 0.5f;
        *accepted = log_f(ctx->fma, u24_open(w.w1)) <= rho;
        return z;
    }
    default: {
        vf lambda = (vf)p->tn_c0_f;
        vf z = p->alpha_f - log_f(ctx->fma, u24_open(w.w0)) / lambda;
        vf d = z - lambda;
        vf rho = (d * d) * -0.5f;
        *accepted = (z <= p->beta_f) & (log_f(ctx->fma, u24_open(w.w1)) <= rho);
        return z;
    }
    }
}

WI_AI vd tn_attempt_d(const fill_ctx *ctx, vblock w, vi64 *accepted) {
    const wi_prepared *p = ctx->p;
    switch (p->tn_method) {
    case WI_TN_NORMAL: {
        vd z, unused;
        box_muller_d(ctx->fma, join64(w.w0, w.w1), join64(w.w2, w.w3), &z, &unused);
        *accepted = (vi64)((p->alpha_d <= z) & (z <= p->beta_d));
        return z;
    }
    case WI_TN_UNIFORM: {
        vd z = fma_param_d(ctx->fma, u53(join64(w.w0, w.w1)), p->tn_c0_d, p->alpha_d, 0);
        vd c = (vd)p->tn_c1_d;
        vd rho = ((c - z) * (c + z)) * 0.5;
        *accepted = (vi64)(log_d(ctx->fma, u53_open(join64(w.w2, w.w3))) <= rho);
        return z;
    }
    default: {
        vd lambda = (vd)p->tn_c0_d;
        vd z = p->alpha_d - log_d(ctx->fma, u53_open(join64(w.w0, w.w1))) / lambda;
        vd d = z - lambda;
        vd rho = (d * d) * -0.5;
        *accepted = (vi64)((z <= p->beta_d) & (log_d(ctx->fma, u53_open(join64(w.w2, w.w3))) <= rho));
        return z;
    }
    }
}

/// Elements per truncated-normal work unit: results go to a buffer of this
/// size, rejected elements to a queue, before the 16-bit formats are rounded.
/// Large enough that the retry rounds' partly filled batches are rare (4096
/// measured ~20 % faster than 1024 for [−2, 2]).
#define WI_TN_CHUNK 4096

/// Appends first + b for every bit b clear in `accepted` (restricted to
/// `all`): bit b belongs to element first + b.
///
/// A ±2σ window rejects ~3 of 64 values, a varying number, so a loop over the
/// set bits mispredicts its exit about once per call (measured ~0.7 TSC cycles
/// per value on AVX-512, a fifth of the whole fill). The first
/// WI_TN_UNROLLED indices are appended without a branch — each step writes
/// its slot and advances only if a bit was left (the queue has a spare slot
/// for the last write) — and only the rare rest loops (≥ 5 of 64 rejected:
/// ~17 % of calls at ±2σ). Measured on AVX-512, TSC cycles per value: ±2σ
/// 3.07 → 2.80 with 4 steps (3: 2.90, 6: 3.30); a window that almost never
/// rejects ([−10, 10]) pays 2.14 → 2.29 for the steps.
#define WI_TN_UNROLLED 4
WI_AI size_t queue_rejected(uint64_t *queue, size_t n, uint64_t accepted, uint64_t all, uint64_t first) {
    uint64_t rejected = ~accepted & all;
    for (int step = 0; step < WI_TN_UNROLLED; step++) {
        int b = rejected ? __builtin_ctzll(rejected) : 0;
        queue[n] = first + (uint64_t)b;
        n += rejected != 0;
        rejected &= rejected - 1;
    }
    while (rejected) {
        int b = __builtin_ctzll(rejected);
        rejected &= rejected - 1;
        queue[n++] = first + (uint64_t)b;
    }
    return n;
}

/// Retries k = first_k, first_k + 1, … of the queued elements in batches of
/// 16 lanes (arbitrary indices), writing accepted values to buf[index − e0].
#define WI_TN_RETRY_LOOP(T, VT, VM, attempt, finish, bits)                                      \
    for (uint32_t k = first_k; n > 0 && k <= WI_TN_MAX_ATTEMPTS; k++) {                       \
        size_t kept = 0;                                                                       \
        for (size_t i = 0; i < n; i += WI_LANES) {                                             \
            size_t lanes = n - i < WI_LANES ? n - i : WI_LANES;                                \
            uint64_t lane_index[WI_LANES];                                                     \
            if (lanes == WI_LANES) memcpy(lane_index, queue + i, sizeof lane_index);           \
            else for (size_t l = 0; l < WI_LANES; l++) lane_index[l] = queue[i + (l < lanes ? l : 0)]; \
            vu64 index;                                                                        \
            memcpy(&index, lane_index, sizeof index);                                          \
            VM accepted;                                                                       \
            VT x = finish(ctx, attempt(ctx, substream_blocks(ctx, index, k), &accepted));      \
            T lane_x[WI_LANES];                                                                \
            memcpy(lane_x, &x, sizeof x);                                                      \
            uint32_t done = k == WI_TN_MAX_ATTEMPTS ? 0xFFFFu : bits(accepted);                \
            /* Every lane's proposal is written, accepted or not (the padding  */              \
            /* lanes repeat lane 0): a rejected one is overwritten by a later  */              \
            /* attempt, since attempts run in order. No branch per lane.       */              \
            for (size_t l = 0; l < WI_LANES; l++) ((T *)buf)[lane_index[l] - e0] = lane_x[l];   \
            for (size_t l = 0; l < lanes; l++) {                                               \
                queue[kept] = lane_index[l];                                                   \
                kept += (done >> l & 1u) ^ 1u;                                                 \
            }                                                                                  \
        }                                                                                      \
        n = kept;                                                                              \
    }

/// Attempt 0 of method N (float) for elements e0 + j … (64 per group,
/// `groups` groups per iteration while they fit): the main-stream normals,
/// finished into buf, the rejected ones queued. Returns where it stopped.
WI_AI size_t tn_normal_run(const fill_ctx *ctx, float *buf, uint64_t e0, size_t len, size_t j, int groups,
                           uint64_t *queue, size_t *n) {
    const wi_prepared *p = ctx->p;
    size_t step = (size_t)groups * 4 * WI_LANES;
    for (; len - j >= step; j += step) {
        group_words w;
        main_groups(ctx, groups, (e0 + j) / 4, &w);
        for (int g = 0; g < groups; g++) {
            vf64 z = group_normals_f(ctx, &w, g);
            uint64_t accepted = bits_of_64((p->alpha_f <= z) & (z <= p->beta_f));
            size_t at = j + (size_t)g * 4 * WI_LANES;
            *n = queue_rejected(queue, *n, accepted, ~0ull, e0 + at);
            vf64 x = tn_finish64_f(ctx, z);
            memcpy(buf + at, &x, sizeof x);
        }
    }
    return j;
}

/// Truncated-normal values of elements e0 … e0 + len − 1 (len a multiple of
/// 64, e0 of 4) into buf (float).
WI_AI void tn_chunk_f(const fill_ctx *ctx, float *buf, uint64_t e0, size_t len) {
    const wi_prepared *p = ctx->p;
    uint64_t queue[WI_TN_CHUNK + 1];  // + 1: queue_rejected may write one past the last index it keeps
    size_t n = 0;
    uint32_t first_k;
    if (p->tn_method == WI_TN_NORMAL) {
        // Attempt 0: the main-stream normals, 64 per group, the path's
        // groups per iteration while they fit.
        size_t j = 0;
        if (ctx->groups > 1) j = tn_normal_run(ctx, buf, e0, len, j, WI_MAX_GROUPS, queue, &n);
        tn_normal_run(ctx, buf, e0, len, j, 1, queue, &n);
        first_k = 1;
    } else {
        // Attempt 1 of contiguous elements, 16 per iteration.
        for (size_t j = 0; j < len; j += WI_LANES) {
            vu64 index = e0 + j + (vu64){WI_IOTA16};
            vi accepted;
            vf x = tn_finish_f(ctx, tn_attempt_f(ctx, substream_blocks(ctx, index, 1), &accepted));
            memcpy(buf + j, &x, sizeof x);
            n = queue_rejected(queue, n, bits_of(accepted), 0xFFFFu, e0 + j);
        }
        first_k = 2;
    }
    WI_TN_RETRY_LOOP(float, vf, vi, tn_attempt_f, tn_finish_f, bits_of)
}

/// As tn_chunk_f for double sampling (len a multiple of 32, e0 of 2).
WI_AI void tn_chunk_d(const fill_ctx *ctx, double *buf, uint64_t e0, size_t len) {
    const wi_prepared *p = ctx->p;
    uint64_t queue[WI_TN_CHUNK + 1];  // + 1: queue_rejected may write one past the last index it keeps
    size_t n = 0;
    uint32_t first_k;
    if (p->tn_method == WI_TN_NORMAL) {
        for (size_t j = 0; j < len; j += 2 * WI_LANES) {
            group_words w;
            main_groups(ctx, 1, (e0 + j) / 2, &w);
            vd32 z = group_normals_d(ctx, &w, 0);
            uint64_t accepted = bits_of_32((p->alpha_d <= z) & (z <= p->beta_d));
            n = queue_rejected(queue, n, accepted, 0xFFFFFFFFu, e0 + j);
            vd32 x = tn_finish32_d(ctx, z);
            memcpy(buf + j, &x, sizeof x);
        }
        first_k = 1;
    } else {
        for (size_t j = 0; j < len; j += WI_LANES) {
            vu64 index = e0 + j + (vu64){WI_IOTA16};
            vi64 accepted;
            vd x = tn_finish_d(ctx, tn_attempt_d(ctx, substream_blocks(ctx, index, 1), &accepted));
            memcpy(buf + j, &x, sizeof x);
            n = queue_rejected(queue, n, bits_of64(accepted), 0xFFFFu, e0 + j);
        }
        first_k = 2;
    }
    WI_TN_RETRY_LOOP(double, vd, vi64, tn_attempt_d, tn_finish_d, bits_of64)
}

// MARK: The fill kernel

/// Uniform, normal and bits from element j on, `groups` × 16 blocks per
/// iteration while they fit; returns where it stopped.
WI_AI size_t fill_run(void *out, const fill_ctx *ctx, uint64_t start, size_t len, size_t j, int groups) {
    const wi_prepared *p = ctx->p;
    int f64 = p->format == WI_FORMAT_F64;
    size_t per = f64 ? 2 : 4, step = (size_t)groups * per * WI_LANES;
    for (; len - j >= step; j += step) {
        group_words w;
        main_groups(ctx, groups, (start + j) / per, &w);
        for (int g = 0; g < groups; g++) {
            size_t at = j + (size_t)g * per * WI_LANES;
            if (f64) {
                vd32 v = group_values_d(ctx, &w, g);
                memcpy((double *)out + at, &v, sizeof v);
            } else {
                store64(out, p->format, at, group_values_f(ctx, &w, g), ctx->native_f16);
            }
        }
    }
    return j;
}

/// Fills elements [start, start + len) — start a multiple of `per` (values
/// per block), len of `per`·16 — at `out` (element `start` of the caller's range).
WI_AI void fill_groups(void *out, const fill_ctx *ctx, uint64_t start, size_t len) {
    const wi_prepared *p = ctx->p;
    if (p->distribution == WI_DIST_TRUNCATED_NORMAL) {
        for (size_t j = 0; j < len; j += WI_TN_CHUNK) {
            size_t chunk = len - j < WI_TN_CHUNK ? len - j : WI_TN_CHUNK;
            if (p->format == WI_FORMAT_F64) {
                tn_chunk_d(ctx, (double *)out + j, start + j, chunk);
            } else if (p->format == WI_FORMAT_F32) {
                tn_chunk_f(ctx, (float *)out + j, start + j, chunk);
            } else {
                float buf[WI_TN_CHUNK];
                tn_chunk_f(ctx, buf, start + j, chunk);
                for (size_t i = 0; i < chunk; i += 64) {
                    vf64 v;
                    memcpy(&v, buf + i, sizeof v);
                    store64(out, p->format, j + i, v, ctx->native_f16);
                }
            }
        }
        return;
    }
    // WI_MAX_GROUPS groups per iteration while they fit (where the path
    // asks for that), then one at a time.
    size_t j = 0;
    if (ctx->groups > 1) j = fill_run(out, ctx, start, len, j, WI_MAX_GROUPS);
    fill_run(out, ctx, start, len, j, 1);
}

/// The fill of elements first … first + count − 1: whole groups straight
/// into `out`; what does not fill a whole group (at the head, the tail, or
/// a fill under a group) through the scalar reference — or, on a path
/// without fma, from a scratch group of the path itself (the values depend
/// only on the index). There the scalar reference would call libm's fmaf and
/// fma, which on an x86 CPU without FMA — where such a path runs — are
/// glibc's software routines (~250 ns each, ~15 per normal value): a
/// 63-element tail cost ~250 µs, a scratch group costs under a microsecond.
/// One call of fill_groups in the loop: unoptimised builds (which inline it
/// at every call, each with its own stack) must not multiply its frame.
WI_AI void fill_body(void *out, const wi_prepared *p, uint64_t first, size_t count, uint64_t seed,
                     uint32_t stream, int philox_strategy, int groups, int native_f16, int width, int fma) {
    size_t size = p->format == WI_FORMAT_F64 ? 8 : (p->format == WI_FORMAT_F32 ? 4 : 2);
    uint64_t per = p->format == WI_FORMAT_F64 ? 2 : 4;
    size_t group = (size_t)per * WI_LANES;
    fill_ctx ctx = {p, make_round_keys(seed), stream, p->substream, philox_strategy, native_f16, groups, width, fma};
    _Alignas(64) unsigned char scratch[256];  // one group: 64 × 4 bytes, 32 × 8, or 64 × 2
    while (count > 0) {
        size_t offset = (size_t)(first % per), take;
        int whole = offset == 0 && count >= group;
        if (!whole && fma) {  // to the next block boundary, or all the rest when under a group
            take = offset != 0 && count > per - offset ? (size_t)(per - offset) : count;
            wi_fill_scalar(out, p, first, take, seed, stream);
        } else {  // whole groups; or the group from this block on (it may run past 2⁶⁴ − 1: dropped)
            take = whole ? count / group * group : count < group - offset ? count : group - offset;
            fill_groups(whole ? out : scratch, &ctx, first - offset, whole ? take : group);
            if (!whole) memcpy(out, scratch + offset * size, take * size);
        }
        out = (char *)out + take * size;
        first += take;  // wraps to 0 only when count reaches 0
        count -= take;
    }
}

// MARK: Instantiations and dispatch

/// The Philox layout per path (measured: see the README's benchmark notes).
#ifndef WI_PHILOX_SSE2
#define WI_PHILOX_SSE2 PHILOX_QWORD
#endif
#ifndef WI_PHILOX_AVX2
#define WI_PHILOX_AVX2 PHILOX_QWORD
#endif
#ifndef WI_PHILOX_AVX512
#define WI_PHILOX_AVX512 PHILOX_QWORD
#endif
#ifndef WI_GROUPS_AVX2
#define WI_GROUPS_AVX2 2
#endif
#ifndef WI_GROUPS_AVX512
#define WI_GROUPS_AVX512 2
#endif

/// Test hook (wi_box_muller_parts_f): the radius, angle and logarithm of
/// `count` words (a multiple of 16) as this path computes them.
WI_AI void parts_body(const uint32_t *words, size_t count, float *radius, float *sin_out, float *cos_out,
                      float *log_out, int fma) {
    for (size_t j = 0; j + WI_LANES <= count; j += WI_LANES) {
        vu w;
        memcpy(&w, words + j, sizeof w);
        vf r = radius_f(fma, w), s, c, l = log_f(fma, u24_open(w));
        angle_f(fma, w, &s, &c);
        memcpy(radius + j, &r, sizeof r);
        memcpy(sin_out + j, &s, sizeof s);
        memcpy(cos_out + j, &c, sizeof c);
        memcpy(log_out + j, &l, sizeof l);
    }
}

/// Test hook (wi_box_muller_parts_d): ln u°(w), sin and cos 2π·u(w) of
/// `count` 64-bit words (a multiple of 16) as this path computes them.
WI_AI void parts_d_body(const uint64_t *words, size_t count, double *log_out, double *sin_out, double *cos_out,
                        int fma) {
    for (size_t j = 0; j + WI_LANES <= count; j += WI_LANES) {
        vu64 w;
        memcpy(&w, words + j, sizeof w);
        vd l = log_d(fma, u53_open(w)), s, c;
        sincos_m53(fma, w >> 11, &s, &c);
        memcpy(log_out + j, &l, sizeof l);
        memcpy(sin_out + j, &s, sizeof s);
        memcpy(cos_out + j, &c, sizeof c);
    }
}

/// One instantiation of the kernels per path: its fill and its test hooks,
/// compiled for `features` (a target attribute), with the path's constants.
#define WI_PATH(name, features, philox_strategy, groups, native_f16, width, fma)                              \
    features static void fill_##name(void *out, const wi_prepared *p, uint64_t first, size_t count,            \
                                     uint64_t seed, uint32_t stream) {                                          \
        fill_body(out, p, first, count, seed, stream, philox_strategy, groups, native_f16, width, fma);         \
    }                                                                                                           \
    features static void parts_##name(const uint32_t *w, size_t n, float *r, float *s, float *c, float *l) {   \
        parts_body(w, n, r, s, c, l, fma);                                                                      \
    }                                                                                                           \
    features static void parts_d_##name(const uint64_t *w, size_t n, double *l, double *s, double *c) {        \
        parts_d_body(w, n, l, s, c, fma);                                                                       \
    }

#if defined(__x86_64__)
WI_PATH(sse2, __attribute__((target("sse2"))), WI_PHILOX_SSE2, 1, 0, 2, WI_FMA_NONE)
WI_PATH(avx2, __attribute__((target("avx2,fma,f16c"))), WI_PHILOX_AVX2, WI_GROUPS_AVX2, 1, 4, WI_FMA)
WI_PATH(avx512, __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,f16c"))), WI_PHILOX_AVX512,
        WI_GROUPS_AVX512, 1, 8, WI_FMA)
#elif defined(__aarch64__)
WI_PATH(neon, , PHILOX_DWORD, 1, 1, 2, WI_FMA)
#endif

int wi_vector_path_exists(int32_t isa) {
    switch (isa) {
#if defined(__x86_64__)
    case WI_ISA_SSE2:
    case WI_ISA_AVX2:
    case WI_ISA_AVX512: return 1;
#elif defined(__aarch64__)
    case WI_ISA_NEON: return 1;
#endif
    default: return 0;
    }
}

int wi_vector_box_muller_parts(int32_t isa, const uint32_t *words, size_t count, float *radius, float *sin_out,
                               float *cos_out, float *log_out) {
    switch (isa) {
#if defined(__x86_64__)
    case WI_ISA_SSE2: parts_sse2(words, count, radius, sin_out, cos_out, log_out); return 0;
    case WI_ISA_AVX2: parts_avx2(words, count, radius, sin_out, cos_out, log_out); return 0;
    case WI_ISA_AVX512: parts_avx512(words, count, radius, sin_out, cos_out, log_out); return 0;
#elif defined(__aarch64__)
    case WI_ISA_NEON: parts_neon(words, count, radius, sin_out, cos_out, log_out); return 0;
#endif
    default: return -1;
    }
}

int wi_vector_box_muller_parts_d(int32_t isa, const uint64_t *words, size_t count, double *log_out,
                                 double *sin_out, double *cos_out) {
    switch (isa) {
#if defined(__x86_64__)
    case WI_ISA_SSE2: parts_d_sse2(words, count, log_out, sin_out, cos_out); return 0;
    case WI_ISA_AVX2: parts_d_avx2(words, count, log_out, sin_out, cos_out); return 0;
    case WI_ISA_AVX512: parts_d_avx512(words, count, log_out, sin_out, cos_out); return 0;
#elif defined(__aarch64__)
    case WI_ISA_NEON: parts_d_neon(words, count, log_out, sin_out, cos_out); return 0;
#endif
    default: return -1;
    }
}

/// Test hook: the double fma emulation on this machine's baseline vector
/// unit (SSE2, NEON), `count` a multiple of 16. `mode` 0: fma_checked_d;
/// 1: fma_ordered_d; 2: fma_ordered_fast_d, and fma_ordered_d for a slice
/// with a suspect lane, as the polynomials do (1 and 2: the caller's
/// |c| ≥ 3·|a·b|, all in range).
int wi_fma_emulated(const double *a, const double *b, const double *c, double *out, size_t count, int mode) {
    if (count % WI_LANES != 0 || mode < 0 || mode > 2) return -1;
    for (size_t j = 0; j < count; j += WI_LANES) {
        vd x, y, z, r;
        memcpy(&x, a + j, sizeof x);
        memcpy(&y, b + j, sizeof y);
        memcpy(&z, c + j, sizeof z);
        if (mode == 0) r = fma_checked_d(x, y, z);
        for (int k = 0; mode != 0 && k < 16 / WI_SLICE; k++) {
            vds_split xk = split_d(slice_d(x, k));
            vws suspect = 0;
            vds rk = mode == 2 ? fma_ordered_fast_d(xk, slice_d(y, k), slice_d(z, k), &suspect) : (vds)0.0;
            if (mode == 1 || any_word(suspect)) rk = fma_ordered_d(xk, slice_d(y, k), slice_d(z, k));
            set_slice_d(&r, k, rk);
        }
        memcpy(out + j, &r, sizeof r);
    }
    return 0;
}

int wi_fill_vector(int32_t isa, void *out, const wi_prepared *p, uint64_t first, size_t count,
                   uint64_t seed, uint32_t stream) {
    switch (isa) {
#if defined(__x86_64__)
    case WI_ISA_SSE2: fill_sse2(out, p, first, count, seed, stream); return 0;
    case WI_ISA_AVX2: fill_avx2(out, p, first, count, seed, stream); return 0;
    case WI_ISA_AVX512: fill_avx512(out, p, first, count, seed, stream); return 0;
#elif defined(__aarch64__)
    case WI_ISA_NEON: fill_neon(out, p, first, count, seed, stream); return 0;
#endif
    default: return -1;
    }
}
