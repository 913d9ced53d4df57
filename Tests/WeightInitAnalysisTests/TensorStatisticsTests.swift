import Testing
@_spi(Plumbing) import WeightInit
import WeightInitAnalysis

/// Moments, KS test and orthogonality check of `weightinit stats`.
@Suite struct TensorStatisticsTests {
    @Test func momentsOfKnownValues() {
        let s = TensorStatistics([1, 2, 3, 4, 0, 0, .nan])
        #expect(s.count == 7 && s.nonFiniteCount == 1)
        #expect(s.mean == 10.0 / 6)
        // Population variance of {0, 0, 1, 2, 3, 4}: Σ(x − 5/3)² / 6 = (120/9)/6 = 20/9.
        #expect(abs(s.std - (20.0 / 9).squareRoot()) < 1e-15)
        #expect(s.min == 0 && s.max == 4)
        #expect(s.zeroFraction == 2.0 / 7)
    }

    /// Chunks merged by Chan et al.'s update give the one-pass-over-all
    /// result, and the KS sample is every k-th value by flat index across
    /// chunk boundaries.
    @Test func accumulatorOverChunksEqualsWhole() throws {
        let values: [Double] = try RandomStream(seed: 5).makeArray(count: 10_007, with: .normal(mean: 3, std: 2))
            + [0, 0, .infinity]
        var accumulator = TensorStatistics.Accumulator(expectedCount: values.count, sampleLimit: 1000)
        for start in stride(from: 0, to: values.count, by: 333) {
            accumulator.add(Array(values[start ..< min(start + 333, values.count)]))
        }
        let chunked = accumulator.statistics, whole = TensorStatistics(values)
        #expect(abs(chunked.mean - whole.mean) < 1e-13 && abs(chunked.std - whole.std) < 1e-13)
        #expect(chunked.min == whole.min && chunked.max == whole.max && chunked.zeroFraction == whole.zeroFraction)
        #expect(chunked.count == 10_010 && chunked.nonFiniteCount == 1)
        // Stride ⌈10010/1000⌉ = 11: indices 0, 11, 22, …
        #expect(accumulator.sample == stride(from: 0, to: values.count, by: 11).map { values[$0] })
        // The whole-array moments, two-pass: mean of the finite values.
        let finite = values.filter(\.isFinite)
        #expect(abs(whole.mean - finite.reduce(0, +) / Double(finite.count)) < 1e-12)
    }

    /// Q_KS at known points (Numerical Recipes table values; Q(1) = 0.27000,
    /// Q(1.36) ≈ 0.0494, the 5 % critical value), with n large so Stephens'
    /// correction is negligible.
    @Test func kolmogorovTail() {
        let n = 100_000_000
        let root = Double(n).squareRoot()
        #expect(abs(KolmogorovSmirnov.pValue(statistic: 1 / root, count: n) - 0.270_000) < 1e-4)
        #expect(abs(KolmogorovSmirnov.pValue(statistic: 1.358 / root, count: n) - 0.05) < 1e-3)
        #expect(KolmogorovSmirnov.pValue(statistic: 0, count: n) == 1)
        #expect(KolmogorovSmirnov.pValue(statistic: 1, count: 1000) < 1e-300)
    }

    @Test func expectedMomentsOfTheTruncatedNormal() {
        // Keras' truncated normal: σ/0.8796… cut at ±2 of that σ has std σ.
        let s = 0.5 / Initializer.truncatedStdCorrection
        let d = Distribution.truncatedNormal(mean: 0, std: s, low: -2 * s, high: 2 * s)
        #expect(abs(d.expectedStd - 0.5) < 1e-12)
        #expect(d.expectedMean == 0)
        #expect(abs(Distribution.uniform(low: -1, high: 3).expectedStd - 4 / 12.0.squareRoot()) < 1e-15)
        // One-sided truncation shifts the mean by σ·φ(0)/(1 − Φ(0)) = σ·√(2/π).
        let half = Distribution.truncatedNormal(mean: 0, std: 1, low: 0, high: .infinity)
        #expect(abs(half.expectedMean - (2 / Double.pi).squareRoot()) < 1e-12)
        #expect(abs(half.cdf(0.5) - (2 * 0.691_462_461_274_013 - 1)) < 1e-12)
    }

    /// Samples of each distribution pass the KS test against their own CDF
    /// (fixed seeds: deterministic) and fail it against a slightly wrong one.
    @Test(arguments: [
        Distribution.uniform(low: -2, high: 3), .normal(mean: 1, std: 0.5),
        .truncatedNormal(mean: 0, std: 1, low: -1, high: 2),
    ])
    func ksAcceptsTheRightDistributionAndRejectsAWrongOne(_ distribution: Distribution) throws {
        let values: [Double] = try RandomStream(seed: 11).makeArray(count: 50_000, with: distribution)
        let right = KolmogorovSmirnov.test(values, against: distribution)
        #expect(right.pValue > 1e-3, "D = \(right.statistic)")
        #expect(right.statistic < 2 / Double(50_000).squareRoot())
        let wrong: Distribution = switch distribution {
        case let .uniform(low, high): .uniform(low: low, high: high + 0.1)
        case let .normal(mean, std): .normal(mean: mean, std: std * 1.05)
        case let .truncatedNormal(mean, std, low, high): .truncatedNormal(mean: mean + 0.05, std: std, low: low, high: high)
        }
        #expect(KolmogorovSmirnov.test(values, against: wrong).pValue < 1e-6)
        let s = TensorStatistics(values)
        #expect(abs(s.mean - distribution.expectedMean) < 6 * distribution.expectedStd / Double(50_000).squareRoot())
    }

    /// Ties (bf16 values) are handled as jumps of the empirical CDF: D is
    /// the true supremum, never below the largest jump over a continuous CDF.
    @Test func ksWithTies() {
        let result = KolmogorovSmirnov.test([0.5, 0.5, 0.5, 0.5], cdf: { min(1, max(0, $0)) })
        #expect(result.statistic == 0.5)
    }

    @Test(arguments: [(64, 16), (16, 64), (32, 32)])
    func orthogonalityErrorIsSmallForOrthogonalAndLargeOtherwise(rows: Int, columns: Int) throws {
        let q: [Double] = try Initializer.orthogonal(gain: 1.5).makeArray(shape: [rows, columns], seed: 3)
        let error = try Orthogonality.error(q, rows: rows, columns: columns, gain: 1.5)
        // LAPACK's test ratio: ‖QᵀQ − I‖ / (n·ε) below a small constant.
        #expect(error / (Double(min(rows, columns)) * Double.ulpOfOne) < 10)
        let g: [Double] = try Initializer.normal(std: 1.5 / Double(max(rows, columns)).squareRoot())
            .makeArray(shape: [rows, columns], seed: 3)
        #expect(try Orthogonality.error(g, rows: rows, columns: columns, gain: 1.5) > 0.1)
    }
}
