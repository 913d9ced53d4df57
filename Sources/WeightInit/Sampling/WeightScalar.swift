import _WeightInitKernels

/// A scalar type WeightInit can write: `Float`, `Double`, `Float16`, ``BFloat16``.
///
/// Float16 and BFloat16 values are sampled in `Float` and rounded to nearest,
/// ties to even; `Double` values are sampled in `Double`.
public protocol WeightScalar: Sendable {
    /// The dtype of this type.
    static var dtype: DType { get }
    /// The value nearest to `value` (round to nearest, ties to even).
    init(rounding value: Double)
    /// The value as a Double (exact).
    var doubleValue: Double { get }
}

extension Float: WeightScalar {
    public static var dtype: DType { .f32 }
    public init(rounding value: Double) { self = Float(value) }
    public var doubleValue: Double { Double(self) }
}

extension Double: WeightScalar {
    public static var dtype: DType { .f64 }
    public init(rounding value: Double) { self = value }
    public var doubleValue: Double { self }
}

#if arch(x86_64) || arch(arm64)
extension Float16: WeightScalar {
    public static var dtype: DType { .f16 }
    public init(rounding value: Double) { self = Float16(Float(value)) }
    public var doubleValue: Double { Double(self) }
}
#endif

/// bfloat16: the upper 16 bits of an IEEE binary32 (1 sign, 8 exponent, 7
/// fraction bits). Stored as its bit pattern; arithmetic goes through `Float`.
public struct BFloat16: WeightScalar, Hashable, CustomStringConvertible {
    public var bitPattern: UInt16

    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// `value` rounded to nearest, ties to even (NaN stays NaN).
    public init(_ value: Float) { bitPattern = wi_float_to_bf16(value) }

    public init(rounding value: Double) { self.init(Float(value)) }

    public var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }
    public var doubleValue: Double { Double(floatValue) }
    public static var dtype: DType { .bf16 }
    public var description: String { floatValue.description }
}
