import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one-sample Kolmogorov–Smirnov test, against a continuous law or the
/// discrete law of values stored in a low-precision format.
public enum KolmogorovSmirnov {
    public struct Result: Sendable, Equatable {
        /// D = sup |Fₙ(x) − F(x)|.
        public let statistic: Double
        /// Asymptotic P(D ≥ statistic) under the hypothesis. Against a
        /// discrete law (``test(_:against:storedAs:)`` for f16/bf16) the
        /// asymptotic distribution is conservative: the true p-value is
        /// smaller, so correct data is never rejected more often than stated.
        public let pValue: Double
        public let count: Int
    }

    /// D and its p-value for `values` (NaNs are ignored) against `distribution`.
    public static func test(_ values: [Double], against distribution: Distribution) -> Result {
        test(values, cdf: distribution.cdf)
    }

    /// D and its p-value for `values` stored in `format` against the law of
    /// `distribution` rounded to that format (``StoredDistribution``).
    public static func test(_ values: [Double], against distribution: Distribution, storedAs format: DType) -> Result {
        let law = StoredDistribution(distribution, storedAs: format)
        return test(values, cdf: law.cdf, cdfBelow: law.cdfBelow)
    }

    /// D and its p-value against a continuous CDF.
    public static func test(_ values: [Double], cdf: (Double) -> Double) -> Result {
        test(values, cdf: cdf, cdfBelow: cdf)
    }

    /// D = sup |Fₙ − F| for any law, given F(x) = P(X ≤ x) and
    /// `cdfBelow(x)` = P(X < x) (the same function for a continuous law).
    /// At each distinct value v (ties counted together) with i values below
    /// it and j ≤ v, Fₙ jumps from i/n to j/n while F jumps from P(X < v) to
    /// P(X ≤ v); between sample values Fₙ is flat and F only rises, so the
    /// supremum is one of |P(X < v) − i/n| and |P(X ≤ v) − j/n|.
    static func test(_ values: [Double], cdf: (Double) -> Double, cdfBelow: (Double) -> Double) -> Result {
        let sorted = values.filter { !$0.isNaN }.sorted()
        let n = sorted.count
        guard n > 0 else { return Result(statistic: .nan, pValue: .nan, count: 0) }
        var d = 0.0
        var i = 0
        while i < n {
            var j = i + 1
            while j < n, sorted[j] == sorted[i] { j += 1 }
            let below = abs(cdfBelow(sorted[i]) - Double(i) / Double(n))
            let atOrBelow = abs(cdf(sorted[i]) - Double(j) / Double(n))
            d = Swift.max(d, below, atOrBelow)
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
