import Foundation
import Testing
import _WeightInitKernels

/// Accuracy of the package's own log and sin/cos 2πu (Scalar.h) on the inputs
/// the samplers give them: u° = k·2⁻²⁴ (float) and k·2⁻⁵³ (double) for log,
/// u = k·2⁻²⁴ and k·2⁻⁵³ for sin/cos. The bounds are the documented ones
/// (StreamFormatSpecification.md), a little above the maxima measured against a long-double
/// reference over all 2²⁴ float inputs and 2·10⁷ double inputs:
/// logf 1.68 ulp, sincos2πf 1.49·2⁻²⁴, log 1.95 ulp, sincos2π 1.37·2⁻⁵³.
@Suite struct ElementaryFunctionTests {
    #if arch(x86_64)
    typealias Reference = Float80
    #else
    typealias Reference = Double
    #endif

    static let logfBoundULP = 2.0
    static let sincosfBound = 1.6 * 0x1p-24
    static let logBoundULP = 2.2
    static let sincosBound = 1.5 * 0x1p-53

    /// Error of `value` in units of the last place of the binade of `exact`.
    static func ulpError(_ value: Double, exact: Double, mantissaBits: Int) -> Double {
        guard exact != 0 else { return value == 0 ? 0 : .infinity }
        return abs(value - exact) / Double(sign: .plus, exponent: exact.exponent - mantissaBits, significand: 1)
    }

    /// Inputs k·2⁻²⁴, k = 1 … 2²⁴: every 3rd value, plus all of the first and
    /// last 2¹⁶ (small arguments and arguments next to 1, where log is hardest).
    static let floatInputs: [UInt32] = Array(stride(from: 1, through: 1 << 24, by: 3))
        + Array(1...(1 << 16)) + Array(((1 << 24) - (1 << 16))...(1 << 24))

    @Test func logf() {
        var worst = 0.0
        for k in Self.floatInputs {
            let x = Float(k) * 0x1p-24
            worst = max(worst, Self.ulpError(Double(wi_logf(x)), exact: Foundation.log(Double(x)), mantissaBits: 23))
        }
        #expect(worst <= Self.logfBoundULP, "max error \(worst) ulp")
        #expect(wi_logf(1) == 0)
    }

    @Test func sincos2pif() {
        var worst = 0.0
        for k in Self.floatInputs {
            let u = Float(k - 1) * 0x1p-24
            var s: Float = 0, c: Float = 0
            wi_sincos2pif(u, &s, &c)
            let angle = 2 * Double.pi * Double(u)
            worst = max(worst, abs(Double(s) - Foundation.sin(angle)), abs(Double(c) - Foundation.cos(angle)))
        }
        #expect(worst <= Self.sincosfBound, "max error \(worst / 0x1p-24)·2⁻²⁴")
    }

    /// 53-bit inputs from a fixed linear congruential sequence: a third spread
    /// over (0, 1], a third small (< 2⁻²⁹), a third just below 1.
    static let doubleInputs: [UInt64] = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<300_000).map { i in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let m = state >> 11
            switch i % 3 {
            case 0: return m
            case 1: return m >> 29
            default: return (1 << 53) - 1 - (m >> 20)
            }
        }
    }()

    @Test func log() {
        var worst = 0.0
        for m in Self.doubleInputs {
            let x = Double(m + 1) * 0x1p-53
            let exact = Foundation.log(Reference(x))
            guard exact != 0 else { continue }
            let ulp = Double(sign: .plus, exponent: Double(exact).exponent - 52, significand: 1)
            worst = max(worst, Double(abs(Reference(wi_log(x)) - exact)) / ulp)
        }
        #expect(worst <= Self.logBoundULP, "max error \(worst) ulp")
        #expect(wi_log(1) == 0)
    }

    @Test func sincos2pi() {
        let twoPi = 2 * Reference.pi
        var worst: Reference = 0
        for m in Self.doubleInputs {
            let u = Double(m) * 0x1p-53
            var s = 0.0, c = 0.0
            wi_sincos2pi(u, &s, &c)
            let angle = twoPi * Reference(u)
            worst = max(worst, abs(Reference(s) - Foundation.sin(angle)), abs(Reference(c) - Foundation.cos(angle)))
        }
        #expect(Double(worst) <= Self.sincosBound, "max error \(Double(worst) / 0x1p-53)·2⁻⁵³")
    }
}
