// MARK: - Streaming a scheme into a file or a caller's sink

extension Initializer {
    /// Bytes per chunk of a streamed write.
    public static let defaultWriteChunkBytes = 16 << 20

    /// Whether `write(_:shape:layout:stream:options:chunkBytes:to:)` and
    /// `write(_:shape:region:layout:stream:options:chunkBytes:to:)` stream
    /// this scheme in chunks (sampling schemes, constants and sparse) rather
    /// than building the tensor or region in memory (orthogonal,
    /// delta-orthogonal, eye, dirac), and whether
    /// ``forEachChunk(_:shape:indices:layout:seed:stream:options:chunkBytes:_:)``
    /// takes it. The answer is the same for every region.
    public func writesInChunks(shape: [Int], layout: Layout = .torch) -> Bool {
        switch try? plan(shape: shape, layout: layout) {
        case .constant?, .sample?, .sparse?: true
        default: false
        }
    }

    /// Writes the tensor this scheme gives for `shape` to `sink`.
    ///
    /// Sampling schemes are streamed: chunks of at most `chunkBytes` are
    /// filled with the values at flat indices `offset ..< offset + chunk`
    /// (the stream is counter-based, so this equals filling the whole
    /// tensor) straight into the file's write buffer, so memory stays at one
    /// chunk whatever the tensor's size. Constants are streamed the same way.
    /// Sparse is streamed too, after one pass over its rank keys that finds
    /// each column's cut (`SparseRanking`: 4 bytes per column remain).
    /// Orthogonal computes its matrix in LAPACK's precision and writes it
    /// from there (`Orthogonal.write`: no second copy of the output's size);
    /// the other structured schemes (eye, dirac) are built in memory first.
    package func write<T: WeightScalar>(
        _ type: T.Type, shape: [Int], layout: Layout = .torch, randomStream stream: RandomStream,
        options: FillOptions = FillOptions(), chunkBytes: Int = defaultWriteChunkBytes, to sink: TensorFile.Sink
    ) throws {
        if case let .orthogonal(gain, method, blocks) = try plan(shape: shape, layout: layout, format: T.dtype) {
            return try Orthogonal.write(T.self, shape: shape, region: .whole(shape), gain: gain, method: method,
                                        blocks: blocks, stream: stream, options: options, to: sink)
        }
        let columns = shape.count == 2 ? 0 ..< shape[1] : 0 ..< 0
        guard let content = try streamedContent(shape: shape, layout: layout, format: T.dtype, columns: columns) else {
            let values: [T] = try makeArray(shape: shape, layout: layout, seed: stream.seed, stream: stream.stream, options: options)
            try sink.write(values)
            return
        }
        let count = try TensorEntry(name: "", shape: shape, dtype: T.dtype).elementCount()
        try Self.stream(content, T.self, runs: .contiguous(count), stream: stream, options: options,
                        chunkBytes: chunkBytes, into: sink)
    }

    /// Writes the block `region` of the tensor this scheme gives for `shape`
    /// to `sink`, in C order of `region.shape`: the bytes of
    /// ``makeArray(shape:region:layout:seed:stream:options:)``.
    ///
    /// Sampling schemes and constants are streamed with one chunk of
    /// `chunkBytes` in memory, whatever the region's size: a chunk is a group
    /// of whole runs of the region (a row block is one run of flat indices,
    /// a column block one run per row), or part of a run longer than a
    /// chunk, each filled from its own flat indices. The region then need not
    /// fit in memory either — only its element count in Int. Orthogonal
    /// computes its whole matrix (in LAPACK's precision) and writes the
    /// region's values from it, converting f16 and bf16 chunk by chunk; the
    /// other structured schemes are built in memory as
    /// ``fill(_:shape:region:layout:seed:stream:options:)`` builds them.
    ///
    /// ```swift
    /// let shape = [262_144, 8192]
    /// try TensorFile.write(to: "shard3.npy", format: .npy,
    ///                      tensors: [TensorEntry(name: "w", shape: [262_144, 1024], format: .bf16)]) { _, sink in
    ///     try Initializer.normal(std: 0.02).write(BFloat16.self, shape: shape,
    ///         region: .shard(3, of: 8, along: 1, shape: shape), randomStream: RandomStream(seed: 7), to: sink)
    /// }
    /// ```
    ///
    /// - Throws: as ``fill(_:shape:region:layout:seed:stream:options:)``, before
    ///   anything is written to `sink`; errors of `sink`.
    package func write<T: WeightScalar>(
        _ type: T.Type, shape: [Int], region: TensorRegion, layout: Layout = .torch, randomStream stream: RandomStream,
        options: FillOptions = FillOptions(), chunkBytes: Int = defaultWriteChunkBytes, to sink: TensorFile.Sink
    ) throws {
        let runs = try RegionRuns(shape: shape, region: region)
        if case let .orthogonal(gain, method, blocks) = try plan(shape: shape, layout: layout, format: T.dtype) {
            return try Orthogonal.write(T.self, shape: shape, region: region, gain: gain, method: method,
                                        blocks: blocks, stream: stream, options: options, to: sink)
        }
        let columns = region.ranges.count == 2 ? region.ranges[1] : 0 ..< 0
        guard let content = try streamedContent(shape: shape, layout: layout, format: T.dtype, columns: columns) else {
            let values: [T] = try makeArray(shape: shape, region: region, layout: layout, seed: stream.seed,
                                            stream: stream.stream, options: options)
            try sink.write(values)
            return
        }
        try Self.stream(content, T.self, runs: runs, stream: stream, options: options,
                        chunkBytes: chunkBytes, into: sink)
    }

    /// Calls `body` with the values at the flat indices `indices` of the
    /// tensor this scheme gives for `shape`, in order, one chunk of at most
    /// `chunkBytes` (at least one element) at a time, with the flat index of
    /// each chunk's first value — the same values as the whole tensor's, for
    /// any split of the index range. For writers that place values
    /// themselves, such as several processes writing one shared file.
    ///
    /// Only for the schemes that ``writesInChunks(shape:layout:)``: sampling
    /// schemes, constants and sparse (whose columns the range touches get one
    /// pass over their rank keys first). The full shape need not fit in
    /// memory.
    ///
    /// ```swift
    /// // Process 1 of 4: its quarter of the flat range.
    /// try Initializer.normal(std: 0.02).forEachChunk(Float.self, shape: [8192, 8192],
    ///         indices: 16_777_216 ..< 33_554_432, seed: 1) { first, values in
    ///     try write(values, atElement: first)
    /// }
    /// ```
    ///
    /// - Throws: ``WeightInitError/invalidParameter(_:value:reason:)`` if the
    ///   scheme is built in memory (orthogonal, delta-orthogonal, eye, dirac) or
    ///   `indices` is not within the tensor; the scheme's own errors — all
    ///   before the first call of `body`; then `body`'s errors.
    public func forEachChunk<T: WeightScalar>(
        _ type: T.Type, shape: [Int], indices: Range<Int>, layout: Layout = .torch, seed: UInt64, stream: UInt32 = 0,
        options: FillOptions = FillOptions(), chunkBytes: Int = defaultWriteChunkBytes,
        _ body: (_ firstIndex: Int, _ values: UnsafeBufferPointer<T>) throws -> Void
    ) throws {
        let stream = RandomStream(seed: seed, stream: stream)
        let count = try Shape.indexCount(shape)
        guard indices.lowerBound >= 0, indices.upperBound <= count else {
            throw WeightInitError.invalidParameter(
                "indices", value: "\(indices)", reason: "must lie within the tensor's 0..<\(count)")
        }
        // The columns the range touches: all of them unless it lies within one row.
        var columns = 0 ..< 0
        if shape.count == 2, !indices.isEmpty {
            let first = indices.lowerBound % shape[1]
            columns = indices.count <= shape[1] - first ? first ..< first + indices.count : 0 ..< shape[1]
        }
        guard let content = try streamedContent(shape: shape, layout: layout, format: T.dtype, columns: columns) else {
            throw WeightInitError.invalidParameter(
                "scheme", value: "\(self)",
                reason: "is built whole in memory; only sampling schemes, constants and sparse go by index range")
        }
        try Self.stream(content, T.self, runs: .contiguous(indices.count, from: indices.lowerBound), stream: stream,
                        options: options, chunkBytes: chunkBytes) { offset, part in
            try body(indices.lowerBound + offset, part)
        }
    }

    /// What a streamed write repeats or samples; `nil` for the schemes built in memory.
    private enum StreamedContent {
        case constant(Double)
        case sample(Distribution)
        /// Sparse, for a write within `columns` of `shape`.
        case sparse(sparsity: Double, std: Double, shape: [Int], columns: Range<Int>)
    }

    private func streamedContent(shape: [Int], layout: Layout, format: DType, columns: Range<Int>) throws
        -> StreamedContent? {
        switch try plan(shape: shape, layout: layout, format: format) {
        case let .constant(value): .constant(value)
        case let .sample(distribution): .sample(distribution)
        case let .sparse(sparsity, std): .sparse(sparsity: sparsity, std: std, shape: shape, columns: columns)
        default: nil
        }
    }

    /// Appends the elements of `runs` to `sink`, one chunk of at most
    /// `chunkBytes` (at least one element) at a time, each computed straight
    /// into the file's write buffer.
    private static func stream<T: WeightScalar>(
        _ content: StreamedContent, _: T.Type, runs: RegionRuns, stream: RandomStream, options: FillOptions,
        chunkBytes: Int, into sink: TensorFile.Sink
    ) throws {
        // Sparse's chunks cost about 1.5 normal fills: on every core they
        // starve the writer thread (16384², 2 cores: 1.02 s of writing
        // against 0.82 s with one fill worker, which still keeps up with the
        // disk), so they leave it one core. The cuts, found before anything
        // is written, take every core.
        var fillOptions = options
        if case .sparse = content, sink.writesBehind {
            let (threads, _) = try options.validatedSplit()
            if threads >= 2 { fillOptions.threads = threads - 1 }
        }
        let source = try ChunkSource<T>(content, stream: stream, options: options, fillOptions: fillOptions)
        let count = runs.elementCount
        let chunk = Swift.max(1, Swift.min(count, chunkBytes / MemoryLayout<T>.stride))
        var offset = 0
        while offset < count {
            offset += try sink.appendInPlace(T.self, maxCount: Swift.min(chunk, count - offset)) { part in
                source.fill(part, runs: runs, elements: offset ..< offset + part.count)
            }
        }
    }

    /// Passes the elements of `runs` to `emit`, one chunk of at most
    /// `chunkBytes` (at least one element) at a time, with the position of
    /// the chunk's first element among them.
    private static func stream<T: WeightScalar>(
        _ content: StreamedContent, _: T.Type, runs: RegionRuns, stream: RandomStream, options: FillOptions,
        chunkBytes: Int, _ emit: (_ offset: Int, _ values: UnsafeBufferPointer<T>) throws -> Void
    ) throws {
        let source = try ChunkSource<T>(content, stream: stream, options: options)
        let count = runs.elementCount
        let chunk = Swift.max(1, Swift.min(count, chunkBytes / MemoryLayout<T>.stride))
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: chunk)
        defer { buffer.deallocate() }
        var offset = 0
        while offset < count {
            let part = UnsafeMutableBufferPointer(rebasing: buffer[0 ..< Swift.min(chunk, count - offset)])
            source.fill(part, runs: runs, elements: offset ..< offset + part.count)
            try emit(offset, UnsafeBufferPointer(part))
            offset += part.count
        }
    }

    /// What fills each chunk of a streamed write, checked (and, for sparse,
    /// its cuts found) before the first.
    private enum ChunkSource<T: WeightScalar> {
        case constant(T)
        case sample(RegionSampler<T>)
        case sparse(SparseSampler<T>)

        /// `fillOptions` (by default `options`) fill the chunks; sparse's cuts take `options`.
        init(_ content: StreamedContent, stream: RandomStream, options: FillOptions, fillOptions: FillOptions? = nil) throws {
            switch content {
            case let .constant(value):
                self = .constant(T(rounding: value))
            case let .sample(distribution):
                self = .sample(try RegionSampler(stream: stream, distribution: distribution, options: fillOptions ?? options))
            case let .sparse(sparsity, std, shape, columns):
                self = .sparse(try SparseSampler(shape: shape, columns: columns, sparsity: sparsity, std: std,
                                                 stream: stream, options: options, fillOptions: fillOptions))
            }
        }

        /// Initialises `part` with the elements `elements` of `runs`.
        func fill(_ part: UnsafeMutableBufferPointer<T>, runs: RegionRuns, elements: Range<Int>) {
            switch self {
            case let .constant(value): part.initialize(repeating: value)
            case let .sample(sampler): sampler.fill(part, runs: runs, elements: elements)
            case let .sparse(sampler): sampler.fill(part, runs: runs, elements: elements)
            }
        }
    }
}
