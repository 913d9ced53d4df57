import WeightInit

/// The law of the values a fill *stores*: a `Distribution` rounded to the
/// grid of the output format and clamped to the format's values inside the
/// bounds, exactly as the stream format specifies (round to nearest, ties to
/// even; uniform to `[lo', hi']` with `hi'` the largest value `< high`,
/// truncated normal to the values in `[low, high]`).
///
/// A bf16 value has 8 significant bits, so rounding moves the CDF of
/// correctly sampled data by up to about 2⁻⁹ of the density's scale: far more
/// than the 1/√n that a Kolmogorov–Smirnov test of millions of values
/// resolves. Testing f16 or bf16 data against the continuous law therefore
/// rejects correct data; testing it against this law does not, while a 2 %
/// error in the standard deviation is still rejected
/// (`KolmogorovSmirnov.test(_:against:storedAs:)`). f64 is tested against
/// the continuous law: its grid is finer than any sample can see. An integer
/// dtype's grid is the integers (values rounded to nearest, ties to even).
public struct StoredDistribution: Sendable, Equatable {
    public let distribution: Distribution
    /// The dtype the values are stored in.
    public let dtype: DType

    public init(_ distribution: Distribution, storedAs dtype: DType) {
        self.distribution = distribution
        self.dtype = dtype
    }

    /// P(stored value ≤ x).
    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        guard dtype != .f64 else { return distribution.cdf(x) }
        let grid = FormatGrid(dtype)
        let (low, high) = clampBounds(grid)
        let v = grid.roundedDown(x)
        if v < low { return 0 }
        if v >= high { return 1 }
        // Every real in [v's lower midpoint, v's upper midpoint) rounds to v or
        // below; ties have probability 0 under a continuous law.
        return distribution.cdf(grid.midpointAbove(v))
    }

    /// P(stored value < x).
    public func cdfBelow(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        guard dtype != .f64 else { return distribution.cdf(x) }
        let grid = FormatGrid(dtype)
        return cdf(grid.nextDown(grid.roundedUp(x)))
    }

    /// The smallest and largest value a fill stores (`lo'`, `hi'` of the stream format).
    private func clampBounds(_ grid: FormatGrid) -> (Double, Double) {
        switch distribution {
        case .normal: return (-.infinity, .infinity)
        case let .uniform(low, high):
            let top = grid.roundedUp(high)
            return (grid.roundedUp(low), top >= high ? grid.nextDown(top) : top)
        case let .truncatedNormal(_, _, low, high):
            return (grid.roundedUp(low), grid.roundedDown(high))
        }
    }
}

/// The values of a 16- or 32-bit floating-point format, as Doubles (every one
/// of them is exactly a Double).
struct FormatGrid {
    let format: DType

    init(_ format: DType) { self.format = format }

    /// The largest format value ≤ x (−∞ below the finite range).
    func roundedDown(_ x: Double) -> Double {
        let r = nearest(x)
        return r > x ? nextDown(r) : r
    }

    /// The smallest format value ≥ x.
    func roundedUp(_ x: Double) -> Double {
        let r = nearest(x)
        return r < x ? nextUp(r) : r
    }

    /// Halfway between v and the next format value above it.
    func midpointAbove(_ v: Double) -> Double {
        let up = nextUp(v)
        return up.isFinite ? v + (up - v) / 2 : .infinity
    }

    func nearest(_ x: Double) -> Double {
        switch format {
        case .f64: x
        case .f32: Double(Float(x))
        case .f16: Double(Float16(x))
        case .bf16: BFloat16(rounding: x).doubleValue
        case .i64, .i32, .u8, .bool: x.rounded(.toNearestOrEven)
        }
    }

    func nextUp(_ v: Double) -> Double {
        switch format {
        case .f64: v.nextUp
        case .f32: Double(Float(v).nextUp)
        case .f16: Double(Float16(v).nextUp)
        case .bf16: Self.bfloat16Step(v, up: true)
        case .i64, .i32, .u8, .bool: v + 1
        }
    }

    func nextDown(_ v: Double) -> Double {
        switch format {
        case .f64: v.nextDown
        case .f32: Double(Float(v).nextDown)
        case .f16: Double(Float16(v).nextDown)
        case .bf16: Self.bfloat16Step(v, up: false)
        case .i64, .i32, .u8, .bool: v - 1
        }
    }

    /// bf16 is the top half of a binary32, so its neighbours are the Floats
    /// 2¹⁶ bit patterns away, stepping through zero and the subnormals as
    /// `Float.nextUp` does with a step of one.
    private static func bfloat16Step(_ v: Double, up: Bool) -> Double {
        let f = Float(v)
        if f.isNaN || (f.isInfinite && (f > 0) == up) { return v }
        if f == 0 {
            let tiny = Float(bitPattern: 0x0001_0000)
            return Double(up ? tiny : -tiny)
        }
        // Away from zero adds to the magnitude's bits, towards zero subtracts.
        let away = (f > 0) == up
        let bits = f.bitPattern
        return Double(Float(bitPattern: away ? bits + 0x1_0000 : bits - 0x1_0000))
    }
}
