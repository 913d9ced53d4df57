// MARK: - Writing an orthogonal tensor (or a block of it) to a file

extension Orthogonal {
    /// Appends the block `region` of the orthogonal tensor of `shape` to
    /// `sink`, in C order of the region: the bytes of
    /// ``fill(_:shape:gain:method:blocks:stream:options:)`` there, with one
    /// matrix in memory and nothing of the output's size beside it.
    ///
    /// The matrix is computed in its LAPACK precision (Float for f32, f16
    /// and bf16, Double for f64) exactly as the fill computes it, and the
    /// region's values go from it straight into the file's write buffer, in
    /// order: the fill's last pass — each row or column times sign·gain — is
    /// done there, on the way out (the same products), and f16 and bf16 are
    /// rounded there as the fill rounds them. A tall Householder matrix
    /// exists only as its column-major copy
    /// (``tallHouseholder(rows:cols:gain:stream:options:scratch:threads:)``),
    /// whose rows are transposed out, scaled, 32 at a time. So the memory
    /// above the process's own is the matrix — for f16 and bf16 a Float one,
    /// twice the output — plus LAPACK's O(n·64) workspace.
    static func write<T: WeightScalar>(
        _: T.Type, shape: [Int], region: TensorRegion, gain: Double, method: OrthogonalMethod, blocks: Int,
        stream: RandomStream, options: FillOptions, to sink: TensorFile.Sink
    ) throws {
        let runs = try RegionRuns(shape: shape, region: region)
        // Concrete types from here on, so the loops that scale and round every
        // value are specialised whatever the caller's generic context.
        let request = Request(shape: shape, runs: runs, gain: gain, method: method, blocks: blocks, stream: stream,
                              options: options)
        switch T.dtype {
        case .f32: try request.write(Float.self, computing: Float.self, to: sink)
        case .f64: try request.write(Double.self, computing: Double.self, to: sink)
        case .f16:
            #if arch(x86_64) || arch(arm64)
            try request.write(Float16.self, computing: Float.self, to: sink)
            #else
            preconditionFailure("Float16 does not exist on this architecture")
            #endif
        case .bf16: try request.write(BFloat16.self, computing: Float.self, to: sink)
        case .i64, .i32, .u8, .bool: preconditionFailure("a WeightScalar is a floating-point type")
        }
    }

    private struct Request {
        let shape: [Int]
        let runs: RegionRuns
        let gain: Double, method: OrthogonalMethod, blocks: Int
        let stream: RandomStream, options: FillOptions

        func write<T: WeightScalar, S: BLASScalar & WeightScalar>(_: T.Type, computing _: S.Type,
                                                                   to sink: TensorFile.Sink) throws {
            let count = try Shape.elementCount(shape, elementSize: MemoryLayout<S>.stride)
            let (rows, cols) = try matrixShape(shape, elementCount: count, elementSize: MemoryLayout<S>.stride)
            try checkBlocks(shape: shape, blocks: blocks)
            try validate(count, rows: rows, cols: cols, gain: gain)
            let emitter = Emitter<T, S>(runs: runs, rows: rows, cols: cols, sink: sink)
            if blocks == 1, gain != 0, usesTransposedCopy(rows: rows, cols: cols, method: method) {
                let threads = try blasThreads(rows: rows, cols: cols, requested: options.threads)
                let scratch = try Scratch<S>(rows: rows, cols: cols, method: method, withMatrix: false)
                try tallHouseholder(rows: rows, cols: cols, gain: S(gain), stream: stream, options: options,
                                    scratch: scratch, threads: threads)
                let tileRows = 32
                let tile = UnsafeMutablePointer<S>.allocate(capacity: tileRows * cols)
                defer { tile.deallocate() }
                let copy = scratch.transposed!.baseAddress!, scale = scratch.scale.baseAddress!
                return try emitter.emit(tileRows: tileRows, scale: nil) { range in
                    // Rows `range` of W = columns `range` of the copy (cols × rows row-major), scaled.
                    transpose(copy + range.lowerBound, rows: cols, cols: range.count, sourceStride: rows, into: tile,
                              rowScale: scale)
                    return UnsafePointer(tile)
                }
            }
            // Uninitialised on purpose: the fill writes every entry it reads,
            // and LAPACK overwrites the rest.
            let matrix = UnsafeMutableBufferPointer<S>.allocate(capacity: count)
            defer { matrix.deallocate() }
            var scaling: Scaling<S>?
            var scratch: Scratch<S>?
            if blocks == 1, gain != 0 {
                let computed = try fillUnscaled(matrix, rows: rows, cols: cols, gain: gain, method: method,
                                                stream: stream, options: options)
                scratch = computed.scratch
                scaling = Scaling(scale: computed.scratch.scale.baseAddress!, perRow: computed.perRow)
            } else if blocks == 1 {
                try fill(matrix, rows: rows, cols: cols, gain: gain, method: method, stream: stream, options: options)
            } else {
                try fillBatch(matrix, count: blocks, rows: rows / blocks, cols: cols, gain: gain, method: method,
                              stream: stream, options: options)
            }
            try withExtendedLifetime(scratch) {
                try emitter.emit(tileRows: rows, scale: scaling) { range in
                    UnsafePointer(matrix.baseAddress! + range.lowerBound * cols)
                }
            }
        }
    }

    /// W's last factor, still to apply: row r times scale[r] (`perRow`), or
    /// column c times scale[c].
    private struct Scaling<S> {
        let scale: UnsafeMutablePointer<S>
        let perRow: Bool
    }

    /// Appends the elements of `runs` (flat indices of the rows × cols matrix)
    /// to `sink` as T.
    private struct Emitter<T: WeightScalar, S: BLASScalar & WeightScalar> {
        let runs: RegionRuns
        let rows: Int, cols: Int
        let sink: TensorFile.Sink

        /// Reads the values from row tiles of `tileRows` rows that `tile`
        /// gives as row-major S (asked for once per visit), times `scale`.
        func emit(tileRows: Int, scale: Scaling<S>?, tile: (Range<Int>) -> UnsafePointer<S>) throws {
            var tileRange = 0 ..< 0
            var base: UnsafePointer<S>?
            try runs.forEachPiece(in: 0 ..< runs.elementCount) { _, flatIndex, count in
                var index = flatIndex, remaining = count
                while remaining > 0 {
                    let row = index / cols, column = index % cols
                    if !tileRange.contains(row) {
                        let first = row / tileRows * tileRows
                        tileRange = first ..< Swift.min(rows, first + tileRows)
                        base = tile(tileRange)
                    }
                    // One row segment at a time: one factor, or consecutive ones.
                    let n = Swift.min(remaining, cols - column)
                    let source = base! + (index - tileRange.lowerBound * cols)
                    switch scale {
                    case nil: try append(source, count: n, rowScale: 1, columnScale: nil)
                    case let scale? where scale.perRow: try append(source, count: n, rowScale: scale.scale[row], columnScale: nil)
                    case let scale?: try append(source, count: n, rowScale: 1, columnScale: UnsafePointer(scale.scale + column))
                    }
                    index += n
                    remaining -= n
                }
            }
        }

        /// Appends `count` values at `source`, each times `rowScale` or its
        /// `columnScale` (a multiplication by 1 when there is none: exact),
        /// rounded to T as the fill rounds them, straight into the write buffer.
        private func append(_ source: UnsafePointer<S>, count: Int, rowScale: S, columnScale: UnsafePointer<S>?) throws {
            var done = 0
            while done < count {
                let start = done
                done += try sink.appendInPlace(T.self, maxCount: count - start) { part in
                    let from = source + start
                    if T.dtype == S.dtype {
                        part.withMemoryRebound(to: S.self) { out in
                            if let columnScale {
                                let factor = columnScale + start
                                for i in out.indices { out[i] = from[i] * factor[i] }
                            } else {
                                for i in out.indices { out[i] = from[i] * rowScale }
                            }
                        }
                    } else if let columnScale {
                        let factor = columnScale + start
                        for i in part.indices { part[i] = T(rounding: (from[i] * factor[i]).doubleValue) }
                    } else {
                        for i in part.indices { part[i] = T(rounding: (from[i] * rowScale).doubleValue) }
                    }
                }
            }
        }
    }
}
