// MARK: - Writing an orthogonal tensor (or a block of it) to a file

extension Orthogonal {
    /// Appends the block `region` of the orthogonal tensor of `shape` to
    /// `sink`, in C order of the region: the bytes of
    /// ``fill(_:shape:gain:method:blocks:stream:options:)`` there, with one
    /// matrix in memory and nothing of the output's size beside it.
    ///
    /// The matrix is computed in its LAPACK precision (Float for f32, f16
    /// and bf16, Double for f64) exactly as the fill computes it, and the
    /// region's values go from it to the file in order: f32 and f64 are
    /// copied as they are, f16 and bf16 rounded chunk by chunk (the fill's
    /// `T(rounding:)` of the same Float). A tall Householder matrix exists
    /// only as its column-major copy (``tallHouseholder(rows:cols:gain:stream:options:scratch:threads:)``),
    /// whose rows are transposed out, sign·gain applied, 32 at a time. So the
    /// memory above the process's own is the matrix — for f16 and bf16 a
    /// Float one, twice the output — plus LAPACK's O(n·64) workspace.
    static func write<T: WeightScalar>(
        _: T.Type, shape: [Int], region: TensorRegion, gain: Double, method: OrthogonalMethod, blocks: Int,
        stream: RandomStream, options: FillOptions, to sink: TensorFile.Sink
    ) throws {
        let runs = try RegionRuns(shape: shape, region: region)
        switch T.format {
        case .f64:
            try write(T.self, computing: Double.self, shape: shape, runs: runs, gain: gain, method: method,
                      blocks: blocks, stream: stream, options: options, to: sink)
        case .f32, .f16, .bf16:
            try write(T.self, computing: Float.self, shape: shape, runs: runs, gain: gain, method: method,
                      blocks: blocks, stream: stream, options: options, to: sink)
        }
    }

    private static func write<T: WeightScalar, S: BLASScalar & WeightScalar>(
        _: T.Type, computing _: S.Type, shape: [Int], runs: RegionRuns, gain: Double, method: OrthogonalMethod,
        blocks: Int, stream: RandomStream, options: FillOptions, to sink: TensorFile.Sink
    ) throws {
        let count = try Shape.elementCount(shape, elementSize: MemoryLayout<S>.stride)
        let (rows, cols) = try matrixShape(shape, elementCount: count, elementSize: MemoryLayout<S>.stride)
        try checkBlocks(shape: shape, blocks: blocks)
        try validate(count, rows: rows, cols: cols, gain: gain)
        if blocks == 1, gain != 0, usesTransposedCopy(rows: rows, cols: cols, method: method) {
            let threads = try blasThreads(rows: rows, cols: cols, requested: options.threads)
            let scratch = try Scratch<S>(rows: rows, cols: cols, method: method, withMatrix: false)
            try tallHouseholder(rows: rows, cols: cols, gain: S(gain), stream: stream, options: options,
                                scratch: scratch, threads: threads)
            let tileRows = 32
            let tile = UnsafeMutablePointer<S>.allocate(capacity: tileRows * cols)
            defer { tile.deallocate() }
            let copy = scratch.transposed!.baseAddress!, scale = scratch.scale.baseAddress!
            try emit(T.self, runs: runs, rows: rows, cols: cols, tileRows: tileRows, to: sink) { range in
                // Rows `range` of W = columns `range` of the copy (cols × rows row-major), scaled.
                transpose(copy + range.lowerBound, rows: cols, cols: range.count, sourceStride: rows, into: tile,
                          rowScale: scale)
                return UnsafePointer(tile)
            }
            return
        }
        let matrix = UnsafeMutableBufferPointer<S>.allocate(capacity: count)
        defer { matrix.deallocate() }
        matrix.initialize(repeating: 0)
        if blocks == 1 {
            try fill(matrix, rows: rows, cols: cols, gain: gain, method: method, stream: stream, options: options)
        } else {
            try fillBatch(matrix, count: blocks, rows: rows / blocks, cols: cols, gain: gain, method: method,
                          stream: stream, options: options)
        }
        try emit(T.self, runs: runs, rows: rows, cols: cols, tileRows: rows, to: sink) { range in
            UnsafePointer(matrix.baseAddress! + range.lowerBound * cols)
        }
    }

    /// Appends the elements of `runs` (flat indices of the rows × cols matrix)
    /// to `sink` as T, reading them from row tiles of `tileRows` rows that
    /// `tile` gives as row-major S (a tile is asked for once per visit).
    private static func emit<T: WeightScalar, S: BLASScalar & WeightScalar>(
        _: T.Type, runs: RegionRuns, rows: Int, cols: Int, tileRows: Int, to sink: TensorFile.Sink,
        tile: (Range<Int>) -> UnsafePointer<S>
    ) throws {
        var tileRange = 0 ..< 0
        var base: UnsafePointer<S>?
        try runs.forEachPiece(in: 0 ..< runs.elementCount) { _, flatIndex, count in
            var index = flatIndex, remaining = count
            while remaining > 0 {
                let row = index / cols
                if !tileRange.contains(row) {
                    let first = row / tileRows * tileRows
                    tileRange = first ..< Swift.min(rows, first + tileRows)
                    base = tile(tileRange)
                }
                let n = Swift.min(remaining, tileRange.upperBound * cols - index)
                try append(base! + (index - tileRange.lowerBound * cols), count: n, as: T.self, to: sink)
                index += n
                remaining -= n
            }
        }
    }

    /// Appends `count` values at `source` to `sink` as T: copied when T is S,
    /// else rounded to nearest, ties to even, as the fill rounds them.
    private static func append<T: WeightScalar, S: BLASScalar & WeightScalar>(
        _ source: UnsafePointer<S>, count: Int, as _: T.Type, to sink: TensorFile.Sink
    ) throws {
        if T.format == S.format {
            return try sink.write(UnsafeRawBufferPointer(start: source, count: count * MemoryLayout<S>.stride)
                .assumingMemoryBound(to: T.self))
        }
        var done = 0
        while done < count {
            let start = done
            done += try sink.appendInPlace(T.self, maxCount: count - start) { part in
                for i in part.indices { part[i] = T(rounding: source[start + i].doubleValue) }
            }
        }
    }
}
