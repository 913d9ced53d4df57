@_spi(Plumbing) import WeightInit

// MARK: - Producing a job's bytes

extension TensorJob {
    /// Writes the job's values — its block, when sharded — to `sink`, in C
    /// order, one chunk of at most `chunkBytes` in memory (besides what
    /// structured schemes build whole).
    func write(to sink: TensorFile.Sink, options: FillOptions, chunkBytes: Int) throws {
        guard format.isFloatingPoint, parts.isEmpty else {
            let count = try entry.elementCount()
            try forEachChunk(indices: 0 ..< count, options: options, chunkBytes: chunkBytes) { _, bytes in try sink.write(bytes) }
            return
        }
        // The common case: one scheme over the tensor or its block, streamed by the engine.
        struct Emit: ScalarTypeVisitor {
            let job: TensorJob, sink: TensorFile.Sink, options: FillOptions, chunkBytes: Int
            func visit<T: WeightScalar>(_: T.Type) throws {
                try job.initializer.write(T.self, shape: job.fillShape, region: job.region ?? .whole(job.fillShape), layout: job.layout,
                                          randomStream: job.stream, options: options, chunkBytes: chunkBytes, to: sink)
            }
        }
        try Self.dispatch(format, Emit(job: self, sink: sink, options: options, chunkBytes: chunkBytes))
    }

    /// Calls `body` with the little-endian bytes of the values at flat
    /// indices `indices` of what the job writes (its block when sharded), in
    /// order, one chunk of at most `chunkBytes` (at least one element) at a
    /// time, with the flat index of each chunk's first value: the same bytes
    /// as ``write(to:options:chunkBytes:)`` for any split of the range. For
    /// writers that place values themselves (several MPI ranks, one file).
    @_spi(Plumbing) public func forEachChunk(
        indices: Range<Int>, options: FillOptions, chunkBytes: Int,
        _ body: (_ firstIndex: Int, _ bytes: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let count = try entry.elementCount()
        guard indices.lowerBound >= 0, indices.upperBound <= count else {
            throw WeightInitError.invalidParameter("indices", value: "\(indices)", reason: "must lie within 0..<\(count)")
        }
        guard !indices.isEmpty else { return }
        guard format.isFloatingPoint else {
            try forEachIntegerChunk(indices: indices, chunkBytes: chunkBytes, body)
            return
        }
        try withoutActuallyEscaping(body) { body in
            try Self.dispatch(format, Chunks(job: self, indices: indices, options: options, chunkBytes: chunkBytes, body: body))
        }
    }

    /// The values at `indices`: streamed by the engine when it can (one
    /// scheme over the whole tensor), composed otherwise.
    private struct Chunks: ScalarTypeVisitor {
        let job: TensorJob, indices: Range<Int>, options: FillOptions, chunkBytes: Int
        let body: (Int, UnsafeRawBufferPointer) throws -> Void

        func visit<T: WeightScalar>(_: T.Type) throws {
            if job.parts.isEmpty, job.region == nil, job.initializer.writesInChunks(shape: job.fillShape, layout: job.layout) {
                try job.initializer.forEachChunk(T.self, shape: job.fillShape, indices: indices, layout: job.layout,
                                                 seed: job.stream.seed, stream: job.stream.stream, options: options,
                                                 chunkBytes: chunkBytes) { first, values in
                    try body(first, UnsafeRawBufferPointer(values))
                }
            } else {
                try ComposedTensor<T>(job, options: options).forEachChunk(indices: indices, chunkBytes: chunkBytes, body)
            }
        }
    }

    /// An integer or boolean constant, repeated.
    private func forEachIntegerChunk(
        indices: Range<Int>, chunkBytes: Int, _ body: (Int, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard let value = integerConstant, let element = format.integerBytes(value) else {
            preconditionFailure("an integer job holds a constant of its type (checked when it was made)")
        }
        let chunk = Swift.max(1, Swift.min(indices.count, chunkBytes / element.count))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(chunk * element.count)
        for _ in 0 ..< chunk { bytes += element }
        var first = indices.lowerBound
        while first < indices.upperBound {
            let count = Swift.min(chunk, indices.upperBound - first)
            try bytes.withUnsafeBytes { try body(first, UnsafeRawBufferPointer(rebasing: $0[0 ..< count * element.count])) }
            first += count
        }
    }

    /// Calls `visitor` with the Swift type of `format` — a concrete type at
    /// each call, so the generic code behind it is specialised (an
    /// existential metatype would run it unspecialised, element by element
    /// through value witnesses).
    static func dispatch<Visitor: ScalarTypeVisitor>(_ format: DType, _ visitor: Visitor) throws {
        switch format {
        case .f32: try visitor.visit(Float.self)
        case .f64: try visitor.visit(Double.self)
        case .f16:
            #if arch(x86_64) || arch(arm64)
            try visitor.visit(Float16.self)
            #else
            throw ModelError("f16 is not available on this architecture")
            #endif
        case .bf16: try visitor.visit(BFloat16.self)
        case .i64, .i32, .u8, .bool: preconditionFailure("integer tensors hold constants; only floating-point ones are sampled")
        }
    }
}

/// Work generic over the element type, run by ``TensorJob/dispatch(_:_:)``
/// for the type of a ``DType``.
protocol ScalarTypeVisitor {
    func visit<T: WeightScalar>(_: T.Type) throws
}
