import Foundation
@_spi(Plumbing) import WeightInit

/// Per-format facts the tests need, written independently of the library.
extension DType {
    /// The spacing of the format's values just above 1 (2^−(fraction bits)).
    var ulpOfOne: Double {
        switch self {
        case .f32: 0x1p-23
        case .f64: 0x1p-52
        case .f16: 0x1p-10
        case .bf16: 0x1p-7
        case .i64, .i32, .u8, .bool: 1
        }
    }
}

/// The index of the first element where `a` and `b` differ in any bit (or
/// the shorter length), nil if they are identical. Cheap to report, unlike an
/// `==` of large arrays, whose failure message diffs them.
func firstBitDifference<T>(_ a: [T], _ b: [T]) -> Int? {
    guard a.count == b.count else { return min(a.count, b.count) }
    return a.withUnsafeBytes { x -> Int? in
        b.withUnsafeBytes { y -> Int? in
            if x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 { return nil }
            let byte = (0 ..< x.count).first { x[$0] != y[$0] }!
            return byte / MemoryLayout<T>.stride
        }
    }
}

/// Runs `body` with each WeightScalar type, so a generic check covers all four formats.
func forEachFormat(_ body: (any WeightScalar.Type) throws -> Void) rethrows {
    try body(Float.self)
    try body(Double.self)
    try body(Float16.self)
    try body(BFloat16.self)
}
