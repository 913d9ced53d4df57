import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
