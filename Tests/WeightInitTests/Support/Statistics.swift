import Foundation

/// Statistical helpers for the quality tests: exact CDFs, the Kolmogorov–Smirnov
/// statistic and its asymptotic critical values, moments.
enum Statistics {
    /// Φ(x), the standard normal CDF.
    static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// The CDF of N(mean, std²) truncated to [low, high], computed on the
    /// side of the mean where it does not cancel.
    static func truncatedNormalCDF(_ x: Double, mean: Double, std: Double, low: Double, high: Double) -> Double {
        if x <= low { return 0 }
        if x >= high { return 1 }
        let a = (low - mean) / std, b = (high - mean) / std, z = (x - mean) / std
        if a > 0 {
            // Upper tail: use survival functions Q(t) = Φ(−t).
            let qa = normalCDF(-a), qb = normalCDF(-b), qz = normalCDF(-z)
            return (qa - qz) / (qa - qb)
        }
        let pa = normalCDF(a), pb = normalCDF(b), pz = normalCDF(z)
        return (pz - pa) / (pb - pa)
    }

    /// sup |F_n − F| of `samples` against `cdf`.
    static func ksStatistic(_ samples: [Double], cdf: (Double) -> Double) -> Double {
        let sorted = samples.sorted()
        let n = Double(sorted.count)
        var d = 0.0
        for (k, x) in sorted.enumerated() {
            let f = cdf(x)
            d = max(d, Double(k + 1) / n - f, f - Double(k) / n)
        }
        return d
    }

    /// The asymptotic KS critical value at significance `alpha`:
    /// c(α)/√n with c(α) = √(−½ ln(α/2)).
    static func ksCritical(n: Int, alpha: Double = 1e-4) -> Double {
        (-0.5 * log(alpha / 2)).squareRoot() / Double(n).squareRoot()
    }

    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

    static func variance(_ x: [Double]) -> Double {
        let m = mean(x)
        return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)
    }

    /// Pearson's correlation of `x` and `y` (same length).
    static func correlation(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count && x.count > 1)
        let mx = mean(x), my = mean(y)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        return sxy / (sxx * syy).squareRoot()
    }

    /// A bound on |corr| of two independent samples of `n` that a correct
    /// generator exceeds with probability below 10⁻⁶: 5 standard errors,
    /// the standard error of a null correlation being 1/√n.
    static func correlationBound(n: Int) -> Double { 5 / Double(n).squareRoot() }

    /// Pearson's χ² of observed counts against equal expected counts.
    static func chiSquareUniform(_ counts: [Int]) -> Double {
        let expected = Double(counts.reduce(0, +)) / Double(counts.count)
        return counts.reduce(0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    }
}
