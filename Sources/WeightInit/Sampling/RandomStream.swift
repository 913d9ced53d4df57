import _WeightInitKernels

/// A counter-based random stream: the value at flat index `i` depends only on
/// (seed, stream, i) and the distribution — see <doc:StreamFormatSpecification>.
///
/// ```swift
/// var w = [Float](repeating: 0, count: 512 * 256)
/// try RandomStream(seed: 42).fill(&w, with: .normal(mean: 0, std: 0.02))
/// let b: [Double] = try RandomStream(seed: 42, stream: 1).makeArray(count: 256, with: .uniform(low: -0.1, high: 0.1))
/// ```
public struct RandomStream: Sendable, Hashable {
    public var seed: UInt64
    /// Distinguishes tensors generated from one seed.
    public var stream: UInt32

    public init(seed: UInt64, stream: UInt32 = 0) {
        self.seed = seed
        self.stream = stream
    }

    /// Fills `buffer` with the values at flat indices
    /// `startIndex ..< startIndex + buffer.count` of this stream, in parallel
    /// as `options` say (see `FillPlan`).
    ///
    /// - Throws: ``WeightInitError/invalidParameter(_:value:reason:)`` for a
    ///   bad distribution parameter, thread count, chunk size or index range;
    ///   ``WeightInitError/kernelUnavailable(_:)`` if `options.path` cannot run
    ///   here. Nothing is written when it throws.
    public func fill<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, with distribution: Distribution,
        startIndex: UInt64 = 0, options: FillOptions = FillOptions()
    ) throws {
        try FillPlan<T>(stream: self, distribution: distribution, options: options)
            .fill(buffer, startIndex: startIndex)
    }

    /// Fills `array` (see ``fill(_:with:startIndex:options:)-(UnsafeMutableBufferPointer<T>,_,_,_)``).
    public func fill<T: WeightScalar>(
        _ array: inout [T], with distribution: Distribution,
        startIndex: UInt64 = 0, options: FillOptions = FillOptions()
    ) throws {
        try array.withUnsafeMutableBufferPointer {
            try fill($0, with: distribution, startIndex: startIndex, options: options)
        }
    }

    /// A new array of the values at flat indices `startIndex ..< startIndex + count`.
    ///
    /// ```swift
    /// let w = try RandomStream(seed: 7).makeArray(of: Float.self, count: 1024, with: .normal(mean: 0, std: 1))
    /// ```
    public func makeArray<T: WeightScalar>(
        of type: T.Type = T.self, count: Int, with distribution: Distribution,
        startIndex: UInt64 = 0, options: FillOptions = FillOptions()
    ) throws -> [T] {
        guard count >= 0 else {
            throw WeightInitError.invalidParameter("count", value: "\(count)", reason: "must be ≥ 0")
        }
        let plan = try FillPlan<T>(stream: self, distribution: distribution, options: options)
        try plan.checkIndexRange(startIndex: startIndex, count: count)
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            // Cannot throw: everything was checked above. The kernel writes
            // every element, which initialises the trivial scalar types.
            try! plan.fill(buffer, startIndex: startIndex)
            initialized = count
        }
    }
}
