@_spi(Plumbing) import WeightInit

/// The values of a planned tensor that the engine cannot stream in one call
/// — a tensor with parts, or a block of a tensor — produced at any flat
/// range of a region of it, one chunk at a time.
///
/// A chunk is a run of flat indices of the written block, which is cut into
/// boxes (hyper-rectangles: at most two per dimension); each box is filled
/// by the tensor's own scheme through the engine's region fill (the values
/// of those elements in the whole tensor), then every part that meets the box
/// writes its values over the elements they share, from the part's own
/// region fill. Schemes built in memory (orthogonal, eye, dirac) are built
/// once, whole, and read from there (handed out as they are when the
/// tensor has no parts and the whole of it is asked for).
struct ComposedTensor<T: WeightScalar> {
    /// A scheme over a tensor (the tensor's own, or a part's): fills any block of it.
    struct Piece {
        let initializer: Initializer
        let shape: [Int]
        let layout: Layout
        let stream: RandomStream
        let options: FillOptions
        /// The whole tensor, for schemes built in memory.
        let whole: [T]?

        init(_ initializer: Initializer, shape: [Int], layout: Layout, stream: RandomStream, options: FillOptions) throws {
            (self.initializer, self.shape, self.layout, self.stream, self.options) = (initializer, shape, layout, stream, options)
            whole = initializer.writesInChunks(shape: shape, layout: layout)
                ? nil
                : try initializer.makeArray(shape: shape, layout: layout, seed: stream.seed, stream: stream.stream, options: options)
        }

        /// Fills `buffer` with `region` of this piece's tensor, in C order of the region.
        func fill(_ buffer: UnsafeMutableBufferPointer<T>, region: TensorRegion) throws {
            if let whole {
                whole.withUnsafeBufferPointer { source in
                    BlockCopy.copy(from: source, shape: shape, block: region, into: buffer, blockShape: region.shape,
                                   at: region.relative(to: region.origin))
                }
            } else {
                try initializer.fill(buffer, shape: shape, region: region, layout: layout, seed: stream.seed,
                                     stream: stream.stream, options: options)
            }
        }
    }

    let base: Piece
    /// Each part with where it lies in the tensor.
    let parts: [(region: TensorRegion, piece: Piece)]
    /// The region produced (the whole tensor, its shard's block, or any region).
    let written: TensorRegion
    /// Whether that block is the whole tensor.
    let isWhole: Bool

    /// The values of `written`, a region of `tensor`.
    init(_ tensor: PlannedTensor, written: TensorRegion, options: FillOptions) throws {
        base = try Piece(tensor.initializer, shape: tensor.fillShape, layout: tensor.layout, stream: tensor.stream, options: options)
        parts = try tensor.parts.map { part in
            (part.region, try Piece(part.initializer, shape: part.shape, layout: tensor.layout, stream: part.stream, options: options))
        }
        self.written = written
        isWhole = written == .whole(tensor.fillShape)
    }

    /// As ``PlannedTensor/forEachChunk(indices:options:chunkBytes:_:)``.
    func forEachChunk(indices: Range<Int>, chunkBytes: Int, _ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        let chunk = Swift.max(1, Swift.min(indices.count, chunkBytes / MemoryLayout<T>.stride))
        if parts.isEmpty, isWhole, let whole = base.whole {
            // A scheme built in memory, over the whole tensor: its array, handed out as it is.
            try whole.withUnsafeBufferPointer { values in
                var first = indices.lowerBound
                while first < indices.upperBound {
                    let count = Swift.min(chunk, indices.upperBound - first)
                    try body(first, UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: values[first ..< first + count])))
                    first += count
                }
            }
            return
        }
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: chunk)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: T(rounding: 0))
        var scratch: [T] = []
        var first = indices.lowerBound
        while first < indices.upperBound {
            let count = Swift.min(chunk, indices.upperBound - first)
            var position = 0
            for box in Self.boxes(first ..< first + count, shape: written.shape) {
                // The box in the tensor's coordinates.
                let block = TensorRegion(zip(box, written.ranges).map { range, outer in
                    range.lowerBound + outer.lowerBound ..< range.upperBound + outer.lowerBound
                })
                let size = block.shape.reduce(1, *)
                let slot = UnsafeMutableBufferPointer(rebasing: buffer[position ..< position + size])
                try base.fill(slot, region: block)
                for (region, piece) in parts {
                    guard let shared = block.intersection(region) else { continue }
                    let sharedCount = shared.shape.reduce(1, *)
                    if scratch.count < sharedCount { scratch = [T](repeating: T(rounding: 0), count: sharedCount) }
                    try scratch.withUnsafeMutableBufferPointer { values in
                        let part = UnsafeMutableBufferPointer(rebasing: values[0 ..< sharedCount])
                        try piece.fill(part, region: shared.relative(to: region.origin))
                        BlockCopy.copy(from: UnsafeBufferPointer(part), shape: shared.shape, block: .whole(shared.shape),
                                       into: slot, blockShape: block.shape, at: shared.relative(to: block.origin))
                    }
                }
                position += size
            }
            try body(first, UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[0 ..< count])))
            first += count
        }
    }

    /// The flat range `range` of a C-order tensor of `shape`, as boxes whose
    /// elements, box after box in C order of each, are the range in order.
    /// At most two boxes per dimension: a partial first slab, whole slabs,
    /// a partial last slab.
    static func boxes(_ range: Range<Int>, shape: [Int]) -> [[Range<Int>]] {
        guard !range.isEmpty else { return [] }
        guard shape.count > 1 else { return [[range]] }
        let inner = Array(shape.dropFirst())
        let size = inner.reduce(1, *)
        var (row, offset) = range.lowerBound.quotientAndRemainder(dividingBy: size)
        let (lastRow, lastOffset) = range.upperBound.quotientAndRemainder(dividingBy: size)
        if row == lastRow {
            return boxes(offset ..< lastOffset, shape: inner).map { [row ..< row + 1] + $0 }
        }
        var result: [[Range<Int>]] = []
        if offset > 0 {
            result += boxes(offset ..< size, shape: inner).map { [row ..< row + 1] + $0 }
            (row, offset) = (row + 1, 0)
        }
        if lastRow > row { result.append([row ..< lastRow] + inner.map { 0 ..< $0 }) }
        if lastOffset > 0 { result += boxes(0 ..< lastOffset, shape: inner).map { [lastRow ..< lastRow + 1] + $0 } }
        return result
    }
}

/// Copies between blocks of C-order tensors, a run of the last dimension at a time.
enum BlockCopy {
    /// Copies `block` of `source` (a tensor of `shape`) into `destination`
    /// (a tensor of `blockShape`) at `place`, a region of `blockShape` of
    /// `block`'s shape.
    static func copy<T>(from source: UnsafeBufferPointer<T>, shape: [Int], block: TensorRegion,
                        into destination: UnsafeMutableBufferPointer<T>, blockShape: [Int], at place: TensorRegion) {
        let rank = shape.count
        let run = block.ranges[rank - 1].count
        var index = block.origin, target = place.origin
        while true {
            let from = flat(index, shape), to = flat(target, blockShape)
            for k in 0 ..< run { destination[to + k] = source[from + k] }
            // The next run: increment the multi-index over all but the last dimension.
            var dimension = rank - 2
            while dimension >= 0 {
                index[dimension] += 1
                target[dimension] += 1
                if index[dimension] < block.ranges[dimension].upperBound { break }
                index[dimension] = block.ranges[dimension].lowerBound
                target[dimension] = place.ranges[dimension].lowerBound
                dimension -= 1
            }
            if dimension < 0 { return }
        }
    }

    /// The C-order flat index of `index` in a tensor of `shape`.
    static func flat(_ index: [Int], _ shape: [Int]) -> Int {
        zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
    }
}
