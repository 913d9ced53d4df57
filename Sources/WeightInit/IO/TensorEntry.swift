/// A tensor to be written: its name (safetensors), shape and element type.
///
/// The shape may be empty: a scalar, one element (safetensors' `"shape": []`).
public struct TensorEntry: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    /// The element type in the file: a sampled format or an integer type.
    public var format: ElementType

    public init(name: String, shape: [Int], format: ElementType) {
        self.name = name
        self.shape = shape
        self.format = format
    }

    /// An entry of a sampled format (`T.format` of a ``WeightScalar``).
    @_disfavoredOverload
    public init(name: String, shape: [Int], format: ScalarFormat) {
        self.init(name: name, shape: shape, format: ElementType(format))
    }

    /// ∏ shape, checked for overflow but not against memory: streamed writes
    /// never hold the whole tensor.
    public func elementCount() throws -> Int {
        try count(times: 1, of: "element")
    }

    public func byteCount() throws -> Int {
        try count(times: format.byteCount, of: "byte")
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
