import Foundation
import Testing
@_spi(Plumbing) import WeightInit

/// The distributions against theory: KS against the exact CDF and moments
/// within 6 standard errors (fixed seeds; a correct sampler fails a 6σ or
/// α = 10⁻⁴ bound with probability ≤ 10⁻⁴ per check, and with these seeds it
/// either always passes or always fails). Plus the strict bounds of uniform and
/// every parameter error.
struct DistributionTests {
    static let n = 100_000

    // MARK: Uniform

    static let uniformBounds: [(low: Double, high: Double)] = [
        (0, 1), (-3, -1), (-0.5, 2.5), (-1e-6, 1e-6), (1e-30, 3e-30),
        (1, 1 + 0x1p-12),  // tiny width at an offset: 2048 float values in range
    ]

    @Test(arguments: uniformBounds.indices)
    func uniformMatchesTheory(_ k: Int) throws {
        let (low, high) = Self.uniformBounds[k]
        try checkUniform(Float.self, low: low, high: high, seed: 11 + UInt64(k))
        try checkUniform(Double.self, low: low, high: high, seed: 11 + UInt64(k))
    }

    func checkUniform<T: WeightScalar>(_: T.Type, low: Double, high: Double, seed: UInt64) throws {
        let n = Self.n
        let x = try RandomStream(seed: seed).makeArray(of: T.self, count: n, with: .uniform(low: low, high: high))
            .map(\.doubleValue)
        let width = high - low
        // The sample lives on a lattice: u is a multiple of 2⁻²⁴ (float) or
        // 2⁻⁵³ (double), and x is rounded to the format. Its CDF is within
        // `lattice` of the continuous one.
        let spacing = T.dtype == .f64 ? max(low.magnitude, high.magnitude).ulp
            : Double(Float(max(low.magnitude, high.magnitude)).ulp)
        let lattice = (T.dtype == .f64 ? 0x1p-53 : 0x1p-24) + spacing / width
        let d = Statistics.ksStatistic(x) { min(max(($0 - low) / width, 0), 1) }
        #expect(d < Statistics.ksCritical(n: n) + lattice, "KS \(d) for U[\(low), \(high)) \(T.dtype)")

        let meanError = (width / (12 * Double(n)).squareRoot()) * 6 + lattice * width
        #expect(abs(Statistics.mean(x) - (low + high) / 2) < meanError)
        // Var(s²) ≈ (μ₄ − σ⁴)/n with μ₄ = w⁴/80, σ⁴ = w⁴/144.
        let varianceError = width * width * ((1.0 / 80 - 1.0 / 144) / Double(n)).squareRoot() * 6
            + 2 * lattice * width * width
        #expect(abs(Statistics.variance(x) - width * width / 12) < varianceError)
        #expect(x.allSatisfy { $0 >= low && $0 < high })
    }

    // MARK: Normal

    static let normalParameters: [(mean: Double, std: Double)] = [
        (0, 1), (-3, 0.5), (100, 0.01), (0, 1e-20), (1000, 20),
    ]

    @Test(arguments: normalParameters.indices)
    func normalMatchesTheory(_ k: Int) throws {
        let (mean, std) = Self.normalParameters[k]
        try checkNormal(Float.self, mean: mean, std: std, seed: 31 + UInt64(k))
        try checkNormal(Double.self, mean: mean, std: std, seed: 31 + UInt64(k))
    }

    func checkNormal<T: WeightScalar>(_: T.Type, mean: Double, std: Double, seed: UInt64) throws {
        let n = Self.n
        let x = try RandomStream(seed: seed).makeArray(of: T.self, count: n, with: .normal(mean: mean, std: std))
            .map(\.doubleValue)
        // Rounding x to the format moves it by half an ulp, which moves the
        // CDF by at most φ(0)·ulp/(2σ); 10⁻⁶ covers the polynomial log/sin
        // and Box–Muller's cut-off at |z| ≤ 5.77.
        let top = mean.magnitude + 6 * std
        let ulp = T.dtype == .f64 ? top.ulp : Double(Float(top).ulp)
        let rounding = 0.4 * ulp / std + 1e-6
        let d = Statistics.ksStatistic(x) { Statistics.normalCDF(($0 - mean) / std) }
        #expect(d < Statistics.ksCritical(n: n) + rounding, "KS \(d) for N(\(mean), \(std)) \(T.dtype)")
        #expect(abs(Statistics.mean(x) - mean) < 6 * std / Double(n).squareRoot() + ulp)
        // Var(s²) ≈ 2σ⁴/n for a normal sample.
        let variance = Statistics.variance(x)
        #expect(abs(variance - std * std) < 6 * std * std * (2 / Double(n)).squareRoot() + 2 * ulp * std)
    }

    // MARK: Strict bounds of uniform in every format

    /// Bounds that are not representable in the narrow formats; no value may
    /// fall outside [low, high).
    @Test(arguments: [(0.1, 0.3), (-0.3, -0.1), (-1.0, 1.0), (1e-3, 1.1e-3), (-65504.0, 65504.0)])
    func uniformStaysInside(low: Double, high: Double) throws {
        try forEachFormat { type in try checkInside(type, low: low, high: high) }
    }

    func checkInside<T: WeightScalar>(_: T.Type, low: Double, high: Double) throws {
        let x = try RandomStream(seed: 5).makeArray(of: T.self, count: 20_000, with: .uniform(low: low, high: high))
        let outside = x.map(\.doubleValue).filter { !($0 >= low && $0 < high) }
        #expect(outside.isEmpty, "\(T.dtype) U[\(low), \(high)): \(outside.prefix(5))")
    }

    /// With `r` = 1 + ulp the successor of 1 in the format, U[1, r⁺) where
    /// r⁺ is the next double above r may give exactly 1 and r: without the
    /// clamp, rounding would give r + ulp ≥ high; with a too-tight clamp, r
    /// would never appear. Likewise U[1⁺, 1 + 3·ulp) gives exactly
    /// {1 + ulp, 1 + 2·ulp}: 1⁺ is not representable (except in f64) and
    /// the smallest value ≥ it is 1 + ulp.
    @Test func uniformReachesTheRepresentableEnds() throws {
        try forEachFormat { type in try checkEnds(type) }
    }

    func checkEnds<T: WeightScalar>(_: T.Type) throws {
        let ulp = T.dtype.ulpOfOne
        let r = 1 + ulp
        let a = try RandomStream(seed: 8).makeArray(of: T.self, count: 4000, with: .uniform(low: 1, high: r.nextUp))
        #expect(Set(a.map { $0.doubleValue }) == [1, r], "\(T.dtype)")
        let b = try RandomStream(seed: 9).makeArray(
            of: T.self, count: 4000, with: .uniform(low: 1.0.nextUp, high: 1 + 3 * ulp))
        #expect(Set(b.map { $0.doubleValue }) == [1 + ulp, 1 + 2 * ulp], "\(T.dtype)")
    }

    // MARK: Parameter errors

    static let badDistributions: [(Distribution, String)] = [
        (.normal(mean: .nan, std: 1), "mean"),
        (.normal(mean: .infinity, std: 1), "mean"),
        (.normal(mean: 0, std: 0), "std"),
        (.normal(mean: 0, std: -1), "std"),
        (.normal(mean: 0, std: .nan), "std"),
        (.normal(mean: 0, std: .infinity), "std"),
        (.normal(mean: 0, std: 1e308), "normal"),  // would overflow every format
        (.uniform(low: 1, high: 1), "uniform bounds"),
        (.uniform(low: 2, high: 1), "uniform bounds"),
        (.uniform(low: .nan, high: 1), "low"),
        (.uniform(low: 0, high: .nan), "high"),
        (.uniform(low: -.infinity, high: 0), "low"),
        (.uniform(low: 0, high: .infinity), "high"),
        (.uniform(low: -1e308, high: 1e308), "uniform bounds"),  // high − low overflows even f64
    ]

    @Test(arguments: badDistributions.indices)
    func badDistributionThrowsAndWritesNothing(_ k: Int) {
        let (distribution, name) = Self.badDistributions[k]
        forEachFormat { type in expectRejected(type, distribution, name: name) }
    }

    /// Parameters fine in f32/f64 but outside the narrow formats, or with no
    /// value of the format in range.
    @Test func formatSpecificBoundsAreRejected() {
        expectRejected(Float16.self, .uniform(low: -1e5, high: 1e5), name: "uniform bounds")
        expectRejected(Float16.self, .normal(mean: 0, std: 20_000), name: "normal")
        expectRejected(Float.self, .uniform(low: -3e38, high: 3e38), name: "uniform bounds")
        expectRejected(Float16.self, .uniform(low: 1 + 0x1p-13, high: 1 + 0x1p-12), name: "bounds")
        expectRejected(BFloat16.self, .uniform(low: 1 + 0x1p-10, high: 1 + 0x1p-9), name: "bounds")
        expectRejected(Float.self, .uniform(low: 1 + 0x1p-30, high: 1 + 0x1p-29), name: "bounds")
    }

    func expectRejected<T: WeightScalar>(_: T.Type, _ distribution: Distribution, name: String,
                                         options: FillOptions = FillOptions()) {
        var buffer = [T](repeating: T(rounding: 42), count: 100)
        let error = #expect(throws: WeightInitError.self, "\(distribution) in \(T.dtype)") {
            try RandomStream(seed: 1).fill(&buffer, with: distribution, options: options)
        }
        if case let .invalidParameter(thrownName, _, _)? = error {
            #expect(thrownName == name, "\(distribution) in \(T.dtype): \(String(describing: error))")
        } else {
            Issue.record("\(distribution) in \(T.dtype): expected invalidParameter(\(name)), got \(String(describing: error))")
        }
        #expect(buffer.allSatisfy { $0.doubleValue == 42 }, "a rejected fill wrote to the buffer")
    }

    @Test func badOptionsThrowAndWriteNothing() {
        let good = Distribution.normal(mean: 0, std: 1)
        for threads in [0, -1] {
            expectRejected(Float.self, good, name: "threads", options: FillOptions(threads: threads))
        }
        for chunkSize in [0, -5] {
            expectRejected(Double.self, good, name: "chunkSize", options: FillOptions(chunkSize: chunkSize))
        }
    }
}
