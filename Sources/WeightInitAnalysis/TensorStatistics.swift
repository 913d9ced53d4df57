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
