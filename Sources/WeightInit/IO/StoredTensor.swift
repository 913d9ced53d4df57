/// A tensor read from a file: little-endian bytes in C order.
public struct StoredTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var dtype: DType
    public var bytes: [UInt8]

    public init(name: String, shape: [Int], dtype: DType, bytes: [UInt8]) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.bytes = bytes
    }

    /// Every element converted to `Double`, in C order: exactly, except
    /// int64 values beyond ±2⁵³, which are rounded to nearest.
    public func doubleValues() -> [Double] {
        bytes.withUnsafeBytes { raw in
            switch dtype {
            case .f64: Self.convert(raw, UInt64.self) { Double(bitPattern: $0) }
            case .f32: Self.convert(raw, UInt32.self) { Double(Float(bitPattern: $0)) }
            case .bf16: Self.convert(raw, UInt16.self) { Double(Float(bitPattern: UInt32($0) << 16)) }
            case .f16: Self.convert(raw, UInt16.self) { Double(halfToFloat($0)) }
            case .i64: Self.convert(raw, UInt64.self) { Double(Int64(bitPattern: $0)) }
            case .i32: Self.convert(raw, UInt32.self) { Double(Int32(bitPattern: $0)) }
            case .u8, .bool: Self.convert(raw, UInt8.self) { Double($0) }
            }
        }
    }

    /// Little-endian words of `raw` (any alignment), each mapped by `value`.
    private static func convert<Word: FixedWidthInteger>(
        _ raw: UnsafeRawBufferPointer, _ word: Word.Type, _ value: (Word) -> Double
    ) -> [Double] {
        let size = MemoryLayout<Word>.size
        let count = raw.count / size
        return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0 ..< count {
                buffer[i] = value(Word(littleEndian: raw.loadUnaligned(fromByteOffset: i * size, as: Word.self)))
            }
            initialized = count
        }
    }
}

/// IEEE binary16 bits to Float, exactly (portable: no `Float16` needed).
func halfToFloat(_ bits: UInt16) -> Float {
    let sign: Float = bits & 0x8000 != 0 ? -1 : 1
    let exponent = Int((bits >> 10) & 0x1F)
    let fraction = Float(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction * 0x1p-10) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
    }
}
