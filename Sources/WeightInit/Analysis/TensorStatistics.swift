#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Summary statistics of a tensor's values: what `weightinit stats` prints.
///
/// ```swift
/// let s = TensorStatistics(values)       // s.mean, s.std, s.min, s.max, s.zeroFraction
/// let ks = KolmogorovSmirnov.test(values, against: .normal(mean: 0, std: 0.02))
/// ```
public struct TensorStatistics: Sendable, Equatable {
    public let count: Int
    public let mean: Double
    /// Population standard deviation (divides by n, like numpy's `std()`).
    public let std: Double
    public let min: Double
    public let max: Double
    /// Fraction of values equal to ±0.
    public let zeroFraction: Double
    /// Values that are NaN or infinite (they are left out of the others).
    public let nonFiniteCount: Int

    /// The statistics of `values` (one chunk of an ``Accumulator``).
    public init(_ values: [Double]) {
        var accumulator = Accumulator()
        accumulator.add(values)
        self = accumulator.statistics
    }

    init(count: Int, mean: Double, std: Double, min: Double, max: Double, zeroFraction: Double, nonFiniteCount: Int) {
        self.count = count
        self.mean = mean
        self.std = std
        self.min = min
        self.max = max
        self.zeroFraction = zeroFraction
        self.nonFiniteCount = nonFiniteCount
    }

    /// Statistics of a tensor read chunk by chunk, so a file of any size
    /// needs one chunk of memory; optionally keeps a systematic sample
    /// (every k-th value) for a KS test of at most `sampleLimit` values.
    ///
    /// Each chunk is summarised by two passes in Double (mean, then the
    /// centred sum of squares, which avoids the cancellation of
    /// Σx² − n·mean²), and chunks are merged by Chan, Golub & LeVeque's
    /// pairwise update ("Algorithms for computing the sample variance", 1983):
    /// M₂ = M₂ₐ + M₂ᵦ + δ²·nₐnᵦ/n with δ = meanᵦ − meanₐ.
    public struct Accumulator {
        private var finite = 0
        private var mean = 0.0
        private var m2 = 0.0
        private var minimum = Double.infinity
        private var maximum = -Double.infinity
        private var zeros = 0
        private var total = 0
        /// Every `stride`-th value by flat index, for the KS test.
        public private(set) var sample: [Double] = []
        private let stride: Int?

        /// `expectedCount` values will be added; keep a sample of at most
        /// `sampleLimit` of them (`nil`: no sample).
        public init(expectedCount: Int = 0, sampleLimit: Int? = nil) {
            stride = sampleLimit.map { limit in Swift.max(1, (expectedCount + Swift.max(1, limit) - 1) / Swift.max(1, limit)) }
        }

        public mutating func add(_ values: [Double]) {
            if let stride {
                // Flat indices ≡ 0 mod stride, counted across chunks.
                var i = (stride - total % stride) % stride
                while i < values.count { sample.append(values[i]); i += stride }
            }
            total += values.count
            // Pass 1: count, sum, extremes and zeros of the finite values.
            var count = 0, sum = 0.0, low = minimum, high = maximum
            for x in values {
                if x == 0 { zeros += 1 }
                guard x.isFinite else { continue }
                count += 1
                sum += x
                if x < low { low = x }
                if x > high { high = x }
            }
            guard count > 0 else { return }
            (minimum, maximum) = (low, high)
            // Pass 2: the centred sum of squares of the chunk.
            let n = Double(count)
            let chunkMean = sum / n
            var chunkM2 = 0.0
            for x in values where x.isFinite { chunkM2 += (x - chunkMean) * (x - chunkMean) }
            let merged = Double(finite) + n
            let delta = chunkMean - mean
            mean += delta * n / merged
            m2 += chunkM2 + delta * delta * Double(finite) * n / merged
            finite += count
        }

        public var statistics: TensorStatistics {
            TensorStatistics(
                count: total, mean: finite == 0 ? .nan : mean, std: finite == 0 ? .nan : (m2 / Double(finite)).squareRoot(),
                min: finite == 0 ? .nan : minimum, max: finite == 0 ? .nan : maximum,
                zeroFraction: total == 0 ? .nan : Double(zeros) / Double(total), nonFiniteCount: total - finite)
        }
    }
}

// MARK: - Theoretical distributions

extension Distribution {
    /// P(X ≤ x), exact: uniform, normal Φ((x − μ)/σ) via `erfc`, and the
    /// truncated normal (Φ(z) − Φ(α))/(Φ(β) − Φ(α)).
    public func cdf(_ x: Double) -> Double {
        switch self {
        case let .uniform(low, high):
            return Swift.min(1, Swift.max(0, (x - low) / (high - low)))
        case let .normal(mean, std):
            return standardNormalCDF((x - mean) / std)
        case let .truncatedNormal(mean, std, low, high):
            if x < low { return 0 }
            if x >= high { return 1 }
            let (a, b) = (standardNormalCDF((low - mean) / std), standardNormalCDF((high - mean) / std))
            return (standardNormalCDF((x - mean) / std) - a) / (b - a)
        }
    }

    /// E[X].
    public var expectedMean: Double {
        switch self {
        case let .uniform(low, high): return (low + high) / 2
        case let .normal(mean, _): return mean
        case let .truncatedNormal(mean, std, low, high):
            let t = TruncatedMoments(mean: mean, std: std, low: low, high: high)
            return mean + std * t.shift
        }
    }

    /// √Var[X]. Truncated normal (Johnson, Kotz & Balakrishnan, *Continuous
    /// Univariate Distributions* vol. 1, §10.1): with α, β the standardised
    /// bounds and Z = Φ(β) − Φ(α),
    /// Var = σ²·[1 + (αφ(α) − βφ(β))/Z − ((φ(α) − φ(β))/Z)²].
    public var expectedStd: Double {
        switch self {
        case let .uniform(low, high): return (high - low) / 12.0.squareRoot()
        case let .normal(_, std): return std
        case let .truncatedNormal(mean, std, low, high):
            let t = TruncatedMoments(mean: mean, std: std, low: low, high: high)
            return std * (1 + t.tilt - t.shift * t.shift).squareRoot()
        }
    }

    /// The interval every value lies in (±∞ for the normal).
    public var support: (low: Double, high: Double) {
        switch self {
        case let .uniform(low, high): (low, high)
        case .normal: (-.infinity, .infinity)
        case let .truncatedNormal(_, _, low, high): (low, high)
        }
    }
}

/// (φ(α) − φ(β))/Z and (αφ(α) − βφ(β))/Z of a truncated normal.
private struct TruncatedMoments {
    let shift: Double
    let tilt: Double

    init(mean: Double, std: Double, low: Double, high: Double) {
        let (a, b) = ((low - mean) / std, (high - mean) / std)
        let z = standardNormalCDF(b) - standardNormalCDF(a)
        let (pa, pb) = (standardNormalPDF(a), standardNormalPDF(b))
        shift = (pa - pb) / z
        // a·φ(a) → 0 as a → ±∞; written out so ∞·0 never gives NaN.
        tilt = ((a.isFinite ? a * pa : 0) - (b.isFinite ? b * pb : 0)) / z
    }
}

func standardNormalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

func standardNormalPDF(_ z: Double) -> Double { z.isFinite ? exp(-0.5 * z * z) / (2 * Double.pi).squareRoot() : 0 }

// MARK: - Kolmogorov–Smirnov

/// The one-sample Kolmogorov–Smirnov test against a continuous CDF.
public enum KolmogorovSmirnov {
    public struct Result: Sendable, Equatable {
        /// D = sup |Fₙ(x) − F(x)|.
        public let statistic: Double
        /// Asymptotic P(D ≥ statistic) under the hypothesis.
        public let pValue: Double
        public let count: Int
    }

    /// D and its p-value for `values` (NaNs are ignored) against `distribution`.
    public static func test(_ values: [Double], against distribution: Distribution) -> Result {
        test(values, cdf: distribution.cdf)
    }

    /// D = sup |Fₙ − F|. At each distinct value v (ties counted together, as
    /// low-precision formats produce them) with i values below it and j ≤ v,
    /// the empirical CDF jumps from i/n to j/n, so D there is
    /// max(F(v) − i/n, j/n − F(v)).
    public static func test(_ values: [Double], cdf: (Double) -> Double) -> Result {
        let sorted = values.filter { !$0.isNaN }.sorted()
        let n = sorted.count
        guard n > 0 else { return Result(statistic: .nan, pValue: .nan, count: 0) }
        var d = 0.0
        var i = 0
        while i < n {
            var j = i + 1
            while j < n, sorted[j] == sorted[i] { j += 1 }
            let f = cdf(sorted[i])
            d = Swift.max(d, f - Double(i) / Double(n), Double(j) / Double(n) - f)
            i = j
        }
        return Result(statistic: d, pValue: pValue(statistic: d, count: n), count: n)
    }

    /// The asymptotic p-value Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²} with
    /// Stephens' small-sample correction λ = (√n + 0.12 + 0.11/√n)·D
    /// (M. A. Stephens, "Use of the Kolmogorov–Smirnov, Cramér–von Mises and
    /// related statistics without extensive tables", JRSS B 32 (1970);
    /// Press et al., *Numerical Recipes*, §14.3, `probks`).
    public static func pValue(statistic d: Double, count n: Int) -> Double {
        let root = Double(n).squareRoot()
        let lambda = (root + 0.12 + 0.11 / root) * d
        // The series converges slowly for small λ, where Q is 1 to double
        // precision anyway (Q(0.2) = 1 − 1.4·10⁻¹¹).
        if lambda < 0.2 { return 1 }
        var sum = 0.0, sign = 1.0
        for k in 1 ... 100 {
            let term = sign * 2 * exp(-2 * Double(k * k) * lambda * lambda)
            sum += term
            if abs(term) <= 1e-12 * abs(sum) || abs(term) < 1e-300 { break }
            sign = -sign
        }
        return Swift.min(1, Swift.max(0, sum))
    }
}

// MARK: - Orthogonality

public enum Orthogonality {
    /// ‖QᵀQ − s·I‖_F / s for a tall matrix (rows ≥ columns), ‖QQᵀ − s·I‖_F / s
    /// for a wide one, where Q is `values` as a C-order `rows × columns`
    /// matrix and s = gain² (the Gram matrix of gain·Q is gain²·I). The Gram
    /// matrix is formed by `?syrk` in Double, so the result measures the stored
    /// values, not the arithmetic of the check.
    public static func error(_ values: [Double], rows: Int, columns: Int, gain: Double = 1) throws -> Double {
        guard rows >= 1, columns >= 1, values.count == rows * columns else {
            throw WeightInitError.invalidShape([rows, columns], reason: "needs \(rows * columns) values, got \(values.count)")
        }
        let n = Swift.min(rows, columns)
        let scale = gain * gain
        guard scale > 0, scale.isFinite else {
            throw WeightInitError.invalidParameter("gain", value: "\(gain)", reason: "must be finite and > 0")
        }
        _ = try Shape.elementCount([n, n], elementSize: MemoryLayout<Double>.stride)
        var gram = [Double](repeating: 0, count: n * n)
        let (lapackN, k, ld) = (try lapackInt(n), try lapackInt(Swift.max(rows, columns)), try lapackInt(columns))
        // The C-order rows×columns matrix is, read column-major, A = Qᵀ
        // (columns × rows, leading dimension `columns`). Tall: QᵀQ = A·Aᵀ;
        // wide: QQᵀ = Aᵀ·A.
        try BLASThreads.with(nil) {
            values.withUnsafeBufferPointer { a in
                gram.withUnsafeMutableBufferPointer { c in
                    Double.syrk(transpose: rows < columns, n: lapackN, k: k, alpha: 1, a: a.baseAddress!, lda: ld,
                                beta: 0, c: c.baseAddress!, ldc: lapackN)
                }
            }
        }
        // Upper triangle, column-major: element (i, j), i ≤ j, at i + j·n.
        var sum = 0.0
        for j in 0 ..< n {
            for i in 0 ... j {
                let deviation = gram[i + j * n] / scale - (i == j ? 1 : 0)
                sum += (i == j ? 1 : 2) * deviation * deviation
            }
        }
        return sum.squareRoot()
    }

    private static func lapackInt(_ value: Int) throws -> LAPACKInt {
        guard let result = LAPACKInt(exactly: value) else {
            throw WeightInitError.tooLarge(shape: [value], reason: "dimension exceeds LAPACK's 32-bit integers")
        }
        return result
    }
}
