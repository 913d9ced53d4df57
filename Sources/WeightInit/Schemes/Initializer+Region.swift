// MARK: - Filling a region (a shard, a tile) of a tensor

extension Initializer {
    /// Fills `buffer` with the block `region` of the tensor of `shape` that
    /// ``fill(_:shape:layout:seed:stream:options:)-(UnsafeMutableBufferPointer<T>,_,_,_,_,_)`` would produce — byte for
    /// byte, for every scheme and element type — computing as little of the
    /// rest as the scheme allows.
    ///
    /// `buffer` holds the region in C order of `region.shape`. Fans and
    /// parameters always come from the full `shape`, never the region's.
    /// What each scheme computes:
    ///
    /// - Sampling schemes: only the region. Its elements are runs of
    ///   consecutive flat indices (a row block is one run, a column block of a
    ///   matrix one per row), each filled from its own indices; the runs are
    ///   shared over `options.threads` in groups of about `options.chunkSize`
    ///   elements, so column blocks parallelise as well as row blocks. The
    ///   bits do not depend on the thread count or chunk size. Cost ∝ region,
    ///   plus one kernel call per run, so a column block of a matrix costs
    ///   what a row block of the same size does; runs narrower than the
    ///   vector kernels' 64 elements are sampled by the scalar kernel and
    ///   cost more per value (timings: the README's benchmarks).
    /// - Constants, eye, dirac: written directly, cost ∝ region.
    /// - sparse: one pass over the rank keys of the region's columns (every
    ///   row; a quarter of a Philox block per element) for their cuts, then
    ///   the region's normals and rank keys (<doc:StreamFormatSpecification#Sparse>).
    ///   Cost ∝ region + rows per column of the region.
    /// - deltaOrthogonal: the out × in centre matrix (one QR, which is global),
    ///   then the region's entries of it; never the whole weight.
    /// - orthogonal: the QR is global, so the **whole tensor** is computed in
    ///   memory and the block copied out — equality with the whole tensor
    ///   holds within one process, but each process pays for the whole
    ///   tensor. The distributed alternative is a parallel QR (ScaLAPACK over
    ///   MPI).
    ///
    /// Only orthogonal needs the whole tensor to fit in memory. Every other
    /// scheme needs only that the full element count fits in Int (so every
    /// flat index is a valid stream index) and that the region's bytes fit in
    /// memory: a shard of a tensor far larger than memory can be generated.
    ///
    /// ```swift
    /// let shape = [4096, 1024]
    /// let region = try TensorRegion.shard(1, of: 4, along: 1, shape: shape)   // columns 256 ..< 512
    /// var block = [Float](repeating: 0, count: 4096 * 256)
    /// try block.withUnsafeMutableBufferPointer {
    ///     try Initializer.xavierUniform().fill($0, shape: shape, region: region, seed: 42)
    /// }
    /// ```
    ///
    /// - Throws: ``WeightInitError/invalidShape(_:reason:)`` or
    ///   ``WeightInitError/tooLarge(shape:reason:)`` for a bad shape, a region
    ///   too large for memory or a buffer whose count is not the region's;
    ///   ``WeightInitError/invalidParameter(_:value:reason:)`` named "region"
    ///   unless `region` is a non-empty block of `shape`; the errors of
    ///   ``fill(_:shape:layout:seed:stream:options:)-(UnsafeMutableBufferPointer<T>,_,_,_,_,_)`` for the scheme's
    ///   parameters and `options`. Everything is checked before anything is
    ///   written: on error the buffer is unchanged.
    public func fill<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], region: TensorRegion,
        layout: Layout = .torch, seed: UInt64, stream: UInt32 = 0, options: FillOptions = FillOptions()
    ) throws {
        try fill(buffer, shape: shape, region: region, layout: layout,
                 randomStream: RandomStream(seed: seed, stream: stream), options: options)
    }

    /// The fill of a region from a stream.
    func fill<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], region: TensorRegion,
        layout: Layout = .torch, randomStream stream: RandomStream, options: FillOptions = FillOptions()
    ) throws {
        let runs = try RegionRuns(shape: shape, region: region)
        let count = try Shape.checkBuffer(
            count: buffer.count, holds: region.shape, what: "region", elementSize: MemoryLayout<T>.stride)
        let plan = try plan(shape: shape, layout: layout, format: T.dtype)
        // Each case asks once more just before it writes (sparse: after its pass over the keys).
        let cancellation = options.cancellation
        try cancellation?.check()
        switch plan {
        case let .constant(value):
            buffer.update(repeating: T(rounding: value))
        case let .sample(distribution):
            try RegionSampler<T>(stream: stream, distribution: distribution, options: options)
                .fill(buffer, runs: runs, elements: 0 ..< count)
        case .orthogonal where region == .whole(shape):
            try fill(buffer, shape: shape, layout: layout, randomStream: stream, options: options)
        case .orthogonal:
            // Every entry of Q depends on every Gaussian entry: build the
            // whole tensor (its own memory check refuses one that cannot fit).
            let whole: [T] = try makeArray(shape: shape, layout: layout, seed: stream.seed, stream: stream.stream,
                                           options: options)
            try cancellation?.check()
            whole.withUnsafeBufferPointer { runs.copy(from: $0, into: buffer) }
        case let .deltaOrthogonal(gain):
            try DeltaOrthogonal.fill(buffer, shape: shape, region: region, layout: layout, gain: gain,
                                     stream: stream, options: options)
        case let .eye(gain):
            Self.fillEye(buffer, region: region, gain: gain)
        case let .dirac(groups):
            try Self.fillDirac(buffer, shape: shape, region: region, layout: layout, groups: groups)
        case let .sparse(sparsity, std):
            try Self.fillSparse(buffer, shape: shape, region: region, sparsity: sparsity, std: std,
                                stream: stream, options: options)
        }
    }

    /// A new array holding the block `region` of the tensor of `shape`, in C
    /// order of `region.shape` — byte-identical to that block of
    /// ``makeArray(shape:layout:seed:stream:options:)``; see
    /// ``fill(_:shape:region:layout:seed:stream:options:)`` for what each scheme
    /// computes and what it throws.
    ///
    /// ```swift
    /// // Shard 3 of 8 of the rows, on process 3 of 8.
    /// let shape = [50_000, 4096]
    /// let rows: [BFloat16] = try Initializer.normal(std: 0.02)
    ///     .makeArray(shape: shape, region: .shard(3, of: 8, along: 0, shape: shape), seed: 1)
    /// ```
    public func makeArray<T: WeightScalar>(
        shape: [Int], region: TensorRegion, layout: Layout = .torch, seed: UInt64, stream: UInt32 = 0,
        options: FillOptions = FillOptions()
    ) throws -> [T] {
        _ = try RegionRuns(shape: shape, region: region)
        let count = try Shape.elementCount(region.shape, elementSize: MemoryLayout<T>.stride)
        return try Self.array(count: count) { buffer in
            try fill(buffer, shape: shape, region: region, layout: layout, seed: seed, stream: stream,
                     options: options)
        }
    }

    /// gain at the elements (d, d) of the 2-D region, zeros elsewhere.
    static func fillEye<T: WeightScalar>(_ buffer: UnsafeMutableBufferPointer<T>, region: TensorRegion, gain: Double) {
        buffer.update(repeating: T(rounding: 0))
        let (rows, columns) = (region.ranges[0], region.ranges[1])
        let one = T(rounding: gain)
        // (d, d) is in the region iff d is in both ranges.
        let first = Swift.max(rows.lowerBound, columns.lowerBound), end = Swift.min(rows.upperBound, columns.upperBound)
        for d in stride(from: first, to: end, by: 1) {
            buffer[(d - rows.lowerBound) * columns.count + (d - columns.lowerBound)] = one
        }
    }

    /// Ones at the kernel centre of (group·out/groups + d, d) for
    /// d < min(out/groups, in), zeros elsewhere (PyTorch `dirac_`) — the
    /// elements of them inside `region`. Cost ∝ region.
    static func fillDirac<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], region: TensorRegion, layout: Layout, groups: Int
    ) throws {
        let (inputAxis, outputAxis) = try layout.axes(rank: shape.count, shape: shape)
        buffer.update(repeating: T(rounding: 0))
        let outPerGroup = shape[outputAxis] / groups
        let one = T(rounding: 1)
        // Output channel o = g·out/groups + d holds the one at input d iff
        // d = o mod out/groups is < in (d < out/groups always holds).
        var index = shape.map { $0 / 2 }  // the kernel centre, k // 2, on every receptive axis
        for o in region.ranges[outputAxis] {
            let d = o % outPerGroup
            guard d < shape[inputAxis] else { continue }
            index[outputAxis] = o
            index[inputAxis] = d
            if let offset = region.offset(of: index) { buffer[offset] = one }
        }
    }
}
