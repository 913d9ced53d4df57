import _WeightInitKernels

/// The element types a weight tensor can be produced in.
public enum ScalarFormat: String, CaseIterable, Sendable {
    case f32, f64, f16, bf16

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .f32: 4
        case .f64: 8
        case .f16, .bf16: 2
        }
    }

    /// Whether values are sampled in `Double` (f64) or in `Float` (the others).
    var samplesInDouble: Bool { self == .f64 }

    /// The largest finite value of the format.
    var greatestFiniteMagnitude: Double {
        switch self {
        case .f32: Double(Float.greatestFiniteMagnitude)
        case .f64: Double.greatestFiniteMagnitude
        case .f16: 65504  // (2 − 2⁻¹⁰)·2¹⁵
        case .bf16: Double(Float(bitPattern: 0x7F7F_0000))  // (2 − 2⁻⁷)·2¹²⁷
        }
    }

    /// Whether `value`, rounded to this format as the writers round it (to
    /// nearest, ties to even; f16 and bf16 through Float), is finite.
    func roundsToFinite(_ value: Double) -> Bool {
        switch self {
        case .f64: value.isFinite
        case .f32: Float(value).isFinite
        // Halfway between 65504 and 2¹⁶ (the next step) rounds to even: infinity.
        case .f16: Float(value).magnitude < 65520
        case .bf16: BFloat16(Float(value)).floatValue.isFinite
        }
    }

    /// The largest finite value of the sampling type.
    var samplingGreatestFiniteMagnitude: Double {
        samplesInDouble ? Double.greatestFiniteMagnitude : Double(Float.greatestFiniteMagnitude)
    }

    /// A bound on |z| of the Box–Muller normals in the sampling type:
    /// √(−2 ln 2⁻²⁴) = 5.768 (float) and √(−2 ln 2⁻⁵³) = 8.572 (double),
    /// rounded up.
    var largestStandardNormal: Double { samplesInDouble ? 8.58 : 5.77 }

    var kernelFormat: Int32 {
        switch self {
        case .f32: Int32(WI_FORMAT_F32.rawValue)
        case .f64: Int32(WI_FORMAT_F64.rawValue)
        case .f16: Int32(WI_FORMAT_F16.rawValue)
        case .bf16: Int32(WI_FORMAT_BF16.rawValue)
        }
    }
}

/// A scalar type WeightInit can write: `Float`, `Double`, `Float16`, ``BFloat16``.
///
/// Float16 and BFloat16 values are sampled in `Float` and rounded to nearest,
/// ties to even; `Double` values are sampled in `Double`.
public protocol WeightScalar: Sendable {
    /// The format of this type.
    static var format: ScalarFormat { get }
    /// The value nearest to `value` (round to nearest, ties to even).
    init(rounding value: Double)
    /// The value as a Double (exact).
    var doubleValue: Double { get }
}

extension Float: WeightScalar {
    public static var format: ScalarFormat { .f32 }
    public init(rounding value: Double) { self = Float(value) }
    public var doubleValue: Double { Double(self) }
}

extension Double: WeightScalar {
    public static var format: ScalarFormat { .f64 }
    public init(rounding value: Double) { self = value }
    public var doubleValue: Double { self }
}

#if arch(x86_64) || arch(arm64)
extension Float16: WeightScalar {
    public static var format: ScalarFormat { .f16 }
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
    public static var format: ScalarFormat { .bf16 }
    public var description: String { floatValue.description }
}
