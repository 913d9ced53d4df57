@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Filling memory the caller owns

extension PlannedTensor {
    /// Fills `buffer` with the values of `region` of this tensor — in the
    /// whole tensor's coordinates; `nil`: what the tensor writes, its block
    /// when the plan is sharded, else all of it — as the little-endian bytes
    /// of ``dtype`` in C order of the region: exactly the bytes a written
    /// checkpoint holds for it (the bytes of that block of them, for a region).
    ///
    /// `buffer` must hold exactly the region's bytes; every argument is
    /// checked before a byte of it is written. Any region costs what its
    /// values cost, parts included, except for schemes built in memory
    /// (orthogonal, eye, dirac, delta-orthogonal), which build the whole
    /// tensor (or part) first. A scalar is filled as shape `[1]`.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer, region: TensorRegion? = nil,
                     options: FillOptions = FillOptions()) throws {
        let region = region ?? self.region ?? .whole(fillShape)
        try region.validate(in: fillShape)
        let count = try Shape.elementCount(region.shape, elementSize: dtype.byteCount)
        guard buffer.count == count * dtype.byteCount else {
            throw WeightInitError.invalidParameter(
                "buffer", value: "\(buffer.count) bytes",
                reason: "region \(region) of \(TerminalText.quoted(name)) holds \(count) \(dtype.rawValue) values, \(count * dtype.byteCount) bytes")
        }
        guard count > 0, let base = buffer.baseAddress else { return }
        try forEachChunk(indices: 0 ..< count, of: region, options: options, chunkBytes: CheckpointFile.chunkBytes) { first, bytes in
            memcpy(base + first * dtype.byteCount, bytes.baseAddress!, bytes.count)
        }
    }

    /// Fills `buffer` as ``fill(_:region:options:)-(UnsafeMutableRawBufferPointer,_,_)``
    /// does, typed: `T` must be the tensor's dtype (`Float` for f32, …).
    public func fill<T: WeightScalar>(_ buffer: UnsafeMutableBufferPointer<T>, region: TensorRegion? = nil,
                                      options: FillOptions = FillOptions()) throws {
        guard T.dtype == dtype else {
            throw WeightInitError.invalidParameter(
                "element type", value: T.dtype.rawValue, reason: "\(TerminalText.quoted(name)) is \(dtype.rawValue)")
        }
        try fill(UnsafeMutableRawBufferPointer(buffer), region: region, options: options)
    }
}

// MARK: - Producing the bytes

extension PlannedTensor {
    /// Writes the tensor's values — its block, when sharded — to `sink`, in
    /// C order, one chunk of at most `chunkBytes` in memory (besides what
    /// structured schemes build whole).
    func write(to sink: TensorFile.Sink, options: FillOptions, chunkBytes: Int) throws {
        guard dtype.isFloatingPoint, parts.isEmpty else {
            let count = try entry.elementCount()
            try forEachChunk(indices: 0 ..< count, options: options, chunkBytes: chunkBytes) { _, bytes in try sink.write(bytes) }
            return
        }
        // The common case: one scheme over the tensor or its block, streamed by the engine.
        struct Emit: ScalarTypeVisitor {
            let tensor: PlannedTensor, sink: TensorFile.Sink, options: FillOptions, chunkBytes: Int
            func visit<T: WeightScalar>(_: T.Type) throws {
                try tensor.initializer.write(T.self, shape: tensor.fillShape, region: tensor.region ?? .whole(tensor.fillShape),
                                             layout: tensor.layout, randomStream: tensor.stream, options: options,
                                             chunkBytes: chunkBytes, to: sink)
            }
        }
        try Self.dispatch(dtype, Emit(tensor: self, sink: sink, options: options, chunkBytes: chunkBytes))
    }

    /// Calls `body` with the little-endian bytes of the values at flat
    /// indices `indices` of what the tensor writes (its block when sharded),
    /// in order, one chunk of at most `chunkBytes` (at least one element) at
    /// a time, with the flat index of each chunk's first value: the same
    /// bytes as ``write(to:options:chunkBytes:)`` for any split of the
    /// range. For writers that place values themselves (several MPI ranks,
    /// one file).
    @_spi(Plumbing) public func forEachChunk(
        indices: Range<Int>, options: FillOptions, chunkBytes: Int,
        _ body: (_ firstIndex: Int, _ bytes: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try forEachChunk(indices: indices, of: region ?? .whole(fillShape), options: options, chunkBytes: chunkBytes, body)
    }

    /// As ``forEachChunk(indices:options:chunkBytes:_:)``, over the flat
    /// indices of `written`, any region of the tensor.
    func forEachChunk(
        indices: Range<Int>, of written: TensorRegion, options: FillOptions, chunkBytes: Int,
        _ body: (_ firstIndex: Int, _ bytes: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let count = try Shape.indexCount(written.shape)
        guard indices.lowerBound >= 0, indices.upperBound <= count else {
            throw WeightInitError.invalidParameter("indices", value: "\(indices)", reason: "must lie within 0..<\(count)")
        }
        guard !indices.isEmpty else { return }
        guard dtype.isFloatingPoint else {
            try forEachIntegerChunk(indices: indices, chunkBytes: chunkBytes, body)
            return
        }
        try withoutActuallyEscaping(body) { body in
            try Self.dispatch(dtype, Chunks(tensor: self, written: written, indices: indices, options: options,
                                            chunkBytes: chunkBytes, body: body))
        }
    }

    /// The values at `indices` of `written`: streamed by the engine when it
    /// can (one scheme over the whole tensor), composed otherwise.
    private struct Chunks: ScalarTypeVisitor {
        let tensor: PlannedTensor, written: TensorRegion, indices: Range<Int>, options: FillOptions, chunkBytes: Int
        let body: (Int, UnsafeRawBufferPointer) throws -> Void

        func visit<T: WeightScalar>(_: T.Type) throws {
            if tensor.parts.isEmpty, written == .whole(tensor.fillShape),
               tensor.initializer.writesInChunks(shape: tensor.fillShape, layout: tensor.layout) {
                try tensor.initializer.forEachChunk(T.self, shape: tensor.fillShape, indices: indices, layout: tensor.layout,
                                                    seed: tensor.stream.seed, stream: tensor.stream.stream, options: options,
                                                    chunkBytes: chunkBytes) { first, values in
                    try body(first, UnsafeRawBufferPointer(values))
                }
            } else {
                try ComposedTensor<T>(tensor, written: written, options: options)
                    .forEachChunk(indices: indices, chunkBytes: chunkBytes, body)
            }
        }
    }

    /// An integer or boolean constant, repeated.
    private func forEachIntegerChunk(
        indices: Range<Int>, chunkBytes: Int, _ body: (Int, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard let value = integerConstant, let element = dtype.integerBytes(value) else {
            preconditionFailure("an integer tensor holds a constant of its type (checked when it was planned)")
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

    /// Calls `visitor` with the Swift type of `dtype` — a concrete type at
    /// each call, so the generic code behind it is specialised (an
    /// existential metatype would run it unspecialised, element by element
    /// through value witnesses).
    static func dispatch<Visitor: ScalarTypeVisitor>(_ dtype: DType, _ visitor: Visitor) throws {
        switch dtype {
        case .f32: try visitor.visit(Float.self)
        case .f64: try visitor.visit(Double.self)
        case .f16:
            #if arch(x86_64) || arch(arm64)
            try visitor.visit(Float16.self)
            #else
            throw WeightInitError.invalidParameter("dtype", value: "f16", reason: "Float16 is not available on this architecture")
            #endif
        case .bf16: try visitor.visit(BFloat16.self)
        case .i64, .i32, .u8, .bool: preconditionFailure("integer tensors hold constants; only floating-point ones are sampled")
        }
    }
}

/// Work generic over the element type, run by ``PlannedTensor/dispatch(_:_:)``
/// for the type of a ``DType``.
protocol ScalarTypeVisitor {
    func visit<T: WeightScalar>(_: T.Type) throws
}
