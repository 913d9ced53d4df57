@_spi(Plumbing) import WeightInit

// MARK: - Producing a job's bytes

extension TensorJob {
    /// Writes the job's values — its block, when sharded — to `sink`, in C
    /// order, one chunk of at most `chunkBytes` in memory (besides what
    /// structured schemes build whole).
    func write(to sink: TensorFile.Sink, options: FillOptions, chunkBytes: Int) throws {
        guard let format = format.scalarFormat, parts.isEmpty else {
            let count = try entry.elementCount()
            try forEachChunk(indices: 0 ..< count, options: options, chunkBytes: chunkBytes) { _, bytes in try sink.write(bytes) }
            return
        }
        // The common case: one scheme over the tensor or its block, streamed by the engine.
        func emit<T: WeightScalar>(_: T.Type) throws {
            try initializer.write(T.self, shape: fillShape, region: region ?? .whole(fillShape), layout: layout,
                                  randomStream: stream, options: options, chunkBytes: chunkBytes, to: sink)
        }
        try Self.dispatch(format) { try emit($0) }
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
        guard let format = format.scalarFormat else {
            try forEachIntegerChunk(indices: indices, chunkBytes: chunkBytes, body)
            return
        }
        if parts.isEmpty, region == nil, initializer.writesInChunks(shape: fillShape, layout: layout) {
            func emit<T: WeightScalar>(_: T.Type) throws {
                try initializer.forEachChunk(T.self, shape: fillShape, indices: indices, layout: layout, seed: stream.seed,
                                             stream: stream.stream, options: options, chunkBytes: chunkBytes) { first, values in
                    try body(first, UnsafeRawBufferPointer(values))
                }
            }
            try Self.dispatch(format) { try emit($0) }
            return
        }
        func compose<T: WeightScalar>(_: T.Type) throws {
            try ComposedTensor<T>(self, options: options).forEachChunk(indices: indices, chunkBytes: chunkBytes, body)
        }
        try Self.dispatch(format) { try compose($0) }
    }

    /// Every byte the job writes, in memory: for the jobs that are not
    /// ``isStreamed``, which one writer builds whole.
    @_spi(Plumbing) public func makeBytes(options: FillOptions) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(try entry.byteCount())
        try forEachChunk(indices: 0 ..< (try entry.elementCount()), options: options, chunkBytes: Int.max / 2) { _, chunk in
            bytes += chunk
        }
        return bytes
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

    /// Calls `body` with the Swift type of `format`.
    static func dispatch(_ format: ScalarFormat, _ body: (any WeightScalar.Type) throws -> Void) throws {
        switch format {
        case .f32: try body(Float.self)
        case .f64: try body(Double.self)
        case .f16:
            #if arch(x86_64) || arch(arm64)
            try body(Float16.self)
            #else
            throw CommandLineError.usage("f16 is not available on this architecture")
            #endif
        case .bf16: try body(BFloat16.self)
        }
    }
}
