/// The element type of a tensor in a file: the floating-point formats the
/// engine samples (``ScalarFormat``) and the integer and boolean types that
/// checkpoints hold beside them.
///
/// Why a type of its own: ``ScalarFormat`` names what the sampling kernels
/// produce, and every switch over it (kernel formats, rounding, finiteness,
/// the Box–Muller bound) is about sampling. Integers are never sampled —
/// they are only written as constants (BatchNorm's `num_batches_tracked` is
/// an int64 scalar zero) and read back — so they live here, at the file
/// layer, and the sampling engine stays floating-point only.
///
/// ```swift
/// let counter = TensorEntry(name: "bn.num_batches_tracked", shape: [], format: .i64)
/// ElementType.i64.scalarFormat   // nil: written as a constant, never sampled
/// ElementType(ScalarFormat.bf16) // .bf16
/// ```
public enum ElementType: String, CaseIterable, Sendable {
    case f32, f64, f16, bf16
    /// Signed 64- and 32-bit integers (PyTorch `int64`, `int32`).
    case i64, i32
    /// Unsigned bytes (`uint8`).
    case u8
    /// One byte per element, 0 or 1 (`torch.bool`, numpy `bool_`).
    case bool

    /// The element type of values sampled in `format`.
    public init(_ format: ScalarFormat) {
        switch format {
        case .f32: self = .f32
        case .f64: self = .f64
        case .f16: self = .f16
        case .bf16: self = .bf16
        }
    }

    /// The sampling format of a floating-point type; `nil` for integers and
    /// booleans, which only hold constants.
    public var scalarFormat: ScalarFormat? {
        switch self {
        case .f32: .f32
        case .f64: .f64
        case .f16: .f16
        case .bf16: .bf16
        case .i64, .i32, .u8, .bool: nil
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
