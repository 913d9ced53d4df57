/// A tensor to be written: its name (safetensors), shape and element type.
///
/// The shape may be empty: a scalar, one element (safetensors' `"shape": []`).
public struct TensorEntry: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    /// The element type in the file: a sampled type or an integer type.
    public var dtype: DType

    public init(name: String, shape: [Int], dtype: DType) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
    }

    /// ∏ shape, checked for overflow but not against memory: streamed writes
    /// never hold the whole tensor.
    public func elementCount() throws -> Int {
        try count(times: 1, of: "element")
    }

    public func byteCount() throws -> Int {
        try count(times: dtype.byteCount, of: "byte")
    }

    private func count(times factor: Int, of what: String) throws -> Int {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw WeightInitError.invalidShape(shape, reason: "dimensions must be ≥ 0")
        }
        guard let count = Shape.product(shape, times: factor) else {
            throw WeightInitError.tooLarge(shape: shape, reason: "the \(what) count overflows Int")
        }
        return count
    }
}
