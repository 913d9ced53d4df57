import WeightInit

/// Per-format facts the tests need, written independently of the library.
extension ScalarFormat {
    /// The spacing of the format's values just above 1 (2^−(fraction bits)).
    var ulpOfOne: Double {
        switch self {
        case .f32: 0x1p-23
        case .f64: 0x1p-52
        case .f16: 0x1p-10
        case .bf16: 0x1p-7
        }
    }
}

/// The raw bytes of `values` (bit-for-bit comparisons, any scalar type).
func bytes<T>(_ values: [T]) -> [UInt8] {
    values.withUnsafeBytes { Array($0) }
}

/// Runs `body` with each WeightScalar type, so a generic check covers all four formats.
func forEachFormat(_ body: (any WeightScalar.Type) throws -> Void) rethrows {
    try body(Float.self)
    try body(Double.self)
    try body(Float16.self)
    try body(BFloat16.self)
}
