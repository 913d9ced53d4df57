import _WeightInitKernels

/// The element type of a tensor — "dtype", as `--dtype`, a spec's
/// `"dtype"`, numpy, PyTorch and the C ABI's `weightinit_dtype` call it: the
/// floating-point types the engine samples (f32, f64, f16, bf16) and the
/// integer and boolean types checkpoints hold beside them, which are only
/// ever written as constants (BatchNorm's `num_batches_tracked` is an int64
/// scalar zero) and read back.
///
/// ```swift
/// let counter = TensorEntry(name: "bn.num_batches_tracked", shape: [], dtype: .i64)
/// DType.i64.isFloatingPoint    // false: written as a constant, never sampled
/// Float16.dtype                // .f16
/// ```
public enum DType: String, CaseIterable, Sendable {
    case f32, f64, f16, bf16
    /// Signed 64- and 32-bit integers (PyTorch `int64`, `int32`).
    case i64, i32
    /// Unsigned bytes (`uint8`).
    case u8
    /// One byte per element, 0 or 1 (`torch.bool`, numpy `bool_`).
    case bool

    /// The floating-point dtypes, which the engine samples.
    public static let floatingPoint: [DType] = [.f32, .f64, .f16, .bf16]

    /// Whether the engine samples this type (f32, f64, f16, bf16); integer
    /// and boolean tensors hold constants only.
    public var isFloatingPoint: Bool {
        switch self {
        case .f32, .f64, .f16, .bf16: true
        case .i64, .i32, .u8, .bool: false
        }
    }

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .f64, .i64: 8
        case .f32, .i32: 4
        case .f16, .bf16: 2
        case .u8, .bool: 1
        }
    }

    /// Whether `value` is a value of this type: any finite number for the
    /// floating-point types (rounding is theirs), an integer in range for the
    /// integer types, 0 or 1 for `bool`.
    package func holds(_ value: Double) -> Bool {
        switch self {
        case .f32, .f64, .f16, .bf16: value.isFinite
        case .i64: Int64(exactly: value) != nil
        case .i32: Int32(exactly: value) != nil
        case .u8: UInt8(exactly: value) != nil
        case .bool: value == 0 || value == 1
        }
    }

    /// The little-endian bytes of `value` (which this integer or boolean type
    /// ``holds(_:)``) as one element; `nil` for the floating-point types,
    /// whose values the samplers and rounding of ``WeightScalar`` produce.
    package func integerBytes(_ value: Double) -> [UInt8]? {
        func bytes<I: FixedWidthInteger>(_ integer: I) -> [UInt8] {
            withUnsafeBytes(of: integer.littleEndian, Array.init)
        }
        guard holds(value) else { return nil }
        switch self {
        case .i64: return bytes(Int64(value))
        case .i32: return bytes(Int32(value))
        case .u8, .bool: return [UInt8(value)]
        case .f32, .f64, .f16, .bf16: return nil
        }
    }
}

// MARK: - Sampling (the floating-point types only)

extension DType {
    /// Whether values are sampled in `Double` (f64) or in `Float` (the others).
    var samplesInDouble: Bool { self == .f64 }

    /// The largest finite value of the type (floating-point types).
    var greatestFiniteMagnitude: Double {
        switch self {
        case .f32: Double(Float.greatestFiniteMagnitude)
        case .f64: Double.greatestFiniteMagnitude
        case .f16: 65504  // (2 − 2⁻¹⁰)·2¹⁵
        case .bf16: Double(Float(bitPattern: 0x7F7F_0000))  // (2 − 2⁻⁷)·2¹²⁷
        case .i64, .i32, .u8, .bool: preconditionFailure("\(self) is not sampled")
        }
    }

    /// Whether `value`, rounded to this type as the writers round it (to
    /// nearest, ties to even; f16 and bf16 through Float), is finite.
    func roundsToFinite(_ value: Double) -> Bool {
        switch self {
        case .f64: value.isFinite
        case .f32: Float(value).isFinite
        // Halfway between 65504 and 2¹⁶ (the next step) rounds to even: infinity.
        case .f16: Float(value).magnitude < 65520
        case .bf16: BFloat16(Float(value)).floatValue.isFinite
        case .i64, .i32, .u8, .bool: holds(value)
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
        case .i64, .i32, .u8, .bool: preconditionFailure("\(self) is not sampled")
        }
    }
}
