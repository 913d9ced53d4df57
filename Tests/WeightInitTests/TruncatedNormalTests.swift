import Foundation
import Testing
@_spi(Plumbing) import WeightInit
import _WeightInitKernels

/// The truncated normal against theory (KS test, moments) and its promise that
/// no value is ever outside [low, high], in every format and on every path.
/// Fixed seeds and a KS significance of 10⁻⁴: a pass or a fail is reproducible.
@Suite struct TruncatedNormalTests {
    static let mean = 0.5, std = 2.0
    static let sampleCount = 40_000

    /// The windows of KernelFill in units of σ around the mean.
    static var windows: [(low: Double, high: Double)] {
        KernelFill.windows.map { (mean + std * $0.low, mean + std * $0.high) }
    }

    /// Mean and variance of N(μ, σ²) truncated to [low, high].
    static func moments(low: Double, high: Double) -> (mean: Double, variance: Double) {
        let a = (low - mean) / std, b = (high - mean) / std
        func phi(_ x: Double) -> Double { x.isInfinite ? 0 : exp(-x * x / 2) / (2 * Double.pi).squareRoot() }
        func xphi(_ x: Double) -> Double { x.isInfinite ? 0 : x * phi(x) }
        // Z on the side where it does not cancel (upper tail: Q(a) − Q(b)).
        let z = a > 0 ? Statistics.normalCDF(-a) - Statistics.normalCDF(-b)
                      : Statistics.normalCDF(b) - Statistics.normalCDF(a)
        let d = (phi(a) - phi(b)) / z
        return (mean + std * d, std * std * (1 + (xphi(a) - xphi(b)) / z - d * d))
    }

    func check(_ samples: [Double], low: Double, high: Double, label: String) {
        let ks = Statistics.ksStatistic(samples) {
            Statistics.truncatedNormalCDF($0, mean: Self.mean, std: Self.std, low: low, high: high)
        }
        #expect(ks < Statistics.ksCritical(n: samples.count), "KS \(ks), \(label)")
        let theory = Self.moments(low: low, high: high)
        let n = Double(samples.count)
        // 6 standard errors; the variance's uses a kurtosis of at most 3.
        #expect(abs(Statistics.mean(samples) - theory.mean) < 6 * (theory.variance / n).squareRoot(), "mean, \(label)")
        #expect(abs(Statistics.variance(samples) - theory.variance) < 6 * theory.variance * (2 / n).squareRoot(),
                "variance \(Statistics.variance(samples)) vs \(theory.variance), \(label)")
    }

    @Test(arguments: 0..<KernelFill.windows.count)
    func floatMatchesTheory(window: Int) throws {
        let (low, high) = Self.windows[window]
        var x = [Float](repeating: 0, count: Self.sampleCount)
        try RandomStream(seed: 2024, stream: UInt32(window)).fill(
            &x, with: .truncatedNormal(mean: Self.mean, std: Self.std, low: low, high: high))
        check(x.map(Double.init), low: low, high: high, label: "Float [\(low), \(high)]")
    }

    @Test(arguments: 0..<KernelFill.windows.count)
    func doubleMatchesTheory(window: Int) throws {
        let (low, high) = Self.windows[window]
        var x = [Double](repeating: 0, count: Self.sampleCount)
        try RandomStream(seed: 2025, stream: UInt32(window)).fill(
            &x, with: .truncatedNormal(mean: Self.mean, std: Self.std, low: low, high: high))
        check(x, low: low, high: high, label: "Double [\(low), \(high)]")
    }

    /// Bounds that no f16/bf16 value equals ([−0.1001, 0.3333]), bounds close
    /// to the mean, far tails: every value of every format and path is inside.
    @Test func neverOutsideTheBounds() {
        let cases: [(mean: Double, std: Double, low: Double, high: Double)] = [
            (0.02, 0.3, -0.1001, 0.3333), (0, 1, -0.1001, 0.3333), (0, 1, 3, .infinity),
            (0, 1, -.infinity, -5), (1, 0.5, 1.0001, 1.0002), (0, 0.02, -0.04, 0.04), (0, 1, 5.7, 5.8),
        ]
        let paths = [Int32(WI_ISA_SCALAR.rawValue)] + KernelFill.vectorPaths
        for c in cases {
            for format in KernelFill.formats {
                for isa in paths {
                    var params = KernelFill.truncated(c.mean, c.std, c.low, c.high)
                    var lo = 0.0, hi = 0.0
                    _ = wi_output_bounds(format.code, &params, &lo, &hi)
                    let bytes = KernelFill.bytes(params, format: format.code, size: format.size, first: 5,
                                                 count: 20_000, isa: isa, seed: 9)
                    guard let bytes else {
                        // Refused only when no value of the format lies in [low, high].
                        #expect(lo > hi, "wi_fill refused \(c), \(format.name)")
                        continue
                    }
                    let values = KernelFill.decode(bytes, format: format.code)
                    let outside = values.filter { !($0 >= c.low && $0 <= c.high) }
                    let firstOutside = outside.first ?? 0
                    #expect(outside.count == 0, "\(format.name), path \(isa), \(c): e.g. \(firstOutside)")
                }
            }
        }
    }

    /// The bf16 clamp bounds of [−0.1001, 0.3333] are the representable values
    /// just inside, and they are reached (the window is narrow in bf16).
    @Test func bf16BoundsAreInsideNeighbours() {
        var params = KernelFill.truncated(0.02, 0.3, -0.1001, 0.3333)
        var lo = 0.0, hi = 0.0
        #expect(wi_output_bounds(Int32(WI_FORMAT_BF16.rawValue), &params, &lo, &hi) == 0)
        #expect(lo >= -0.1001 && hi <= 0.3333)
        #expect(Double(BFloat16(Float(lo)).floatValue) == lo && Double(BFloat16(Float(hi)).floatValue) == hi)
        let below = BFloat16(bitPattern: BFloat16(Float(lo)).bitPattern + 1).doubleValue  // one step more negative
        let above = BFloat16(bitPattern: BFloat16(Float(hi)).bitPattern + 1).doubleValue
        #expect(below < -0.1001 && above > 0.3333)
    }
}
