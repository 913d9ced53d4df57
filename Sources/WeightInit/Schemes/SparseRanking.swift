#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import _WeightInitKernels

/// Which elements of a sparse tensor are zeros (stream format, "Sparse"):
/// in every column, the `zerosPerColumn` elements of smallest rank.
///
/// Element (r, c), at flat index i = r·columns + c, has the rank key
/// (a, b, r): `a` is word i of sub-stream `0x8000_0003` (word i % 4 of
/// block i / 4, as the main stream's words), `b` the 128-bit block i of
/// sub-stream `0x8000_0004`, read only to order elements of a column whose
/// `a` are equal. The keys are independent and uniform, so every order of a
/// column's rows — and so every set of its k first — is equally likely, and
/// columns are independent: exactly PyTorch's law (`sparse_`: a random
/// permutation of the rows per column, its first k zeroed).
///
/// A key is a pure function of its element, so the zeros of any row block
/// need only the keys of those rows — once the column's cut is known: the
/// k-th smallest key. This type finds the cuts of a range of columns in one
/// pass over all their keys, without holding them: each column counts the
/// keys below a window around where the k-th is expected (±4.5σ of the
/// count) and keeps the few inside it (`Window`); the k-th is then selected
/// among those. A column whose k-th falls outside the window (about 1 in
/// 150 000) is resolved exactly by a slower pass of its own. So the cuts
/// cost about one quarter of a Philox block per element — the keys of four
/// elements are one block — plus 8 bytes per kept key, and 4 bytes per
/// column remain.
///
/// ``applyZeros(to:flatIndex:count:isa:)`` then zeroes, in any
/// chunk of the tensor, the elements whose key is below their column's cut:
/// one more word per element, compared with the column's bound.
struct SparseRanking: Sendable {
    /// Sub-stream of the rank keys `a`.
    static let keySubStream = HelperSubStream.sparseKeys
    /// Sub-stream of the keys `b` that order equal `a`.
    static let tieSubStream = HelperSubStream.sparseTieKeys

    let stream: RandomStream
    let rows: Int
    let columns: Int
    let zerosPerColumn: Int
    /// The columns whose cuts are known (every chunk given to
    /// ``applyZeros(to:flatIndex:count:isa:)`` must lie in them).
    let columnRange: Range<Int>

    private enum Mode: Sendable { case noZeros, allZeros, ranked }
    private let mode: Mode
    /// Per column of `columnRange`: elements whose key `a` is below the bound
    /// are zeros; whether an element whose `a` equals an exception's cut key
    /// is a zero, that exception says.
    private let bounds: [UInt32]
    /// Columns whose k-th smallest key `a` is shared by several rows (about
    /// one column in 2³²/rows) or is 2³² − 1, sorted by column.
    let exceptions: [Exception]

    /// A column where the bound alone does not decide: the elements with key
    /// `a == key` are zeros up to the cut (b, r) ≤ `tie` in the order of
    /// their tie keys, or all of them (one element) when `tie` is nil.
    struct Exception: Sendable, Equatable {
        var column: Int
        var key: UInt32
        var tie: TieKey?
    }

    /// (b, row), compared lexicographically, `b` high word first.
    struct TieKey: Sendable, Comparable {
        var high: UInt64, low: UInt64, row: Int
        static func < (x: Self, y: Self) -> Bool { (x.high, x.low, x.row) < (y.high, y.low, y.row) }
    }

    /// Finds the cuts of `columnRange` of a rows × columns tensor with
    /// `zerosPerColumn` zeros per column, on `options.threads` workers.
    /// `windowSigmas` sets the window's half-width in standard deviations of
    /// the count (smaller: less memory, more columns resolved by their own
    /// pass — the results never change; tests use 0).
    ///
    /// - Throws: ``WeightInitError/invalidShape(_:reason:)`` for more than
    ///   2³² rows; the errors of `options` (threads, path); ``FillCancelled``
    ///   when `options.cancellation` asks, checked every `keysPerBatch`
    ///   keys or so of the pass.
    init(stream: RandomStream, rows: Int, columns: Int, zerosPerColumn: Int, columnRange: Range<Int>,
         options: FillOptions, windowSigmas: Double = 4.5) throws {
        guard rows >= 1, UInt64(rows) <= 1 << 32 else {
            throw WeightInitError.invalidShape([rows, columns], reason: "sparse takes at most 2³² rows")
        }
        precondition((0 ... rows).contains(zerosPerColumn) && columnRange.lowerBound >= 0 && columnRange.upperBound <= columns)
        let (threads, _) = try options.validatedSplit()
        let isa = try options.path.resolvedKernelISA()
        try options.cancellation?.check()
        (self.stream, self.rows, self.columns, self.zerosPerColumn, self.columnRange) =
            (stream, rows, columns, zerosPerColumn, columnRange)
        guard zerosPerColumn > 0, zerosPerColumn < rows else {
            (mode, bounds, exceptions) = (zerosPerColumn == 0 ? .noZeros : .allZeros, [], [])
            return
        }
        mode = .ranked
        let window = Window(rows: rows, zeros: zerosPerColumn, sigmas: windowSigmas)
        let width = columnRange.count
        // A worker holds one panel's kept keys: about 4 MiB. Panels come in
        // multiples of the workers, so every worker gets as many.
        let widest = Swift.max(1, (4 << 20) / (8 * window.capacity + 16))
        var wanted = Swift.max((width + widest - 1) / widest, Swift.min(threads, width))
        if wanted > threads { wanted = (wanted + threads - 1) / threads * threads }
        let panelWidth = (width + wanted - 1) / wanted
        let panels = (width + panelWidth - 1) / panelWidth
        let workers = Swift.min(threads, panels)
        var bounds = [UInt32](repeating: 0, count: width)
        var found = [[Exception]](repeating: [], count: workers)
        var cancelled = [Bool](repeating: false, count: workers)
        let scan = PanelScan(stream: stream, rows: rows, columns: columns, zeros: zerosPerColumn, window: window, isa: isa,
                             cancellation: options.cancellation)
        bounds.withUnsafeMutableBufferPointer { boundsBuffer in
            found.withUnsafeMutableBufferPointer { foundBuffer in
                cancelled.withUnsafeMutableBufferPointer { cancelledBuffer in
                    // Panels are disjoint column ranges: each worker writes its
                    // own bounds, its own list of exceptions and its own flag.
                    nonisolated(unsafe) let (allBounds, allFound, allCancelled) = (boundsBuffer, foundBuffer, cancelledBuffer)
                    let firstColumn = columnRange.lowerBound, lastColumn = columnRange.upperBound
                    let work: @Sendable (Int) -> Void = { worker in
                        var panel = worker
                        var state = PanelScan.State(width: panelWidth, capacity: window.capacity,
                                                    rowsPerCall: Swift.max(1, Self.keysPerBatch / columns))
                        defer { state.deallocate() }
                        while panel < panels {
                            let c0 = firstColumn + panel * panelWidth, c1 = Swift.min(c0 + panelWidth, lastColumn)
                            guard scan.cuts(of: c0 ..< c1, state: &state,
                                            bounds: UnsafeMutableBufferPointer(rebasing: allBounds[(c0 - firstColumn) ..< (c1 - firstColumn)]),
                                            exceptions: &allFound[worker])
                            else {
                                allCancelled[worker] = true
                                return
                            }
                            panel += workers
                        }
                    }
                    if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
                }
            }
        }
        if cancelled.contains(true) { throw FillCancelled() }
        self.bounds = bounds
        exceptions = found.joined().sorted { $0.column < $1.column }
    }

    /// Whether element (row, column) is a zero, from its keys alone (the
    /// scalar reference; `column` in ``columnRange``).
    func isZero(row: Int, column: Int) -> Bool {
        switch mode {
        case .noZeros: return false
        case .allZeros: return true
        case .ranked:
            let index = row * columns + column
            let key = stream.word(at: UInt64(index), subStream: Self.keySubStream)
            return isZero(key: key, index: index, column: column, exception: exception(of: column))
        }
    }

    /// The tie key of the element at flat index `index`.
    func tieKey(index: Int) -> TieKey { Self.tieKey(stream: stream, columns: columns, index: index) }

    /// The tie key (b, row) of the element at flat index `index` of a tensor
    /// of `columns` columns.
    static func tieKey(stream: RandomStream, columns: Int, index: Int) -> TieKey {
        let w = stream.philoxBlock(UInt64(index), subStream: tieSubStream)
        return TieKey(high: UInt64(w.0) | UInt64(w.1) << 32, low: UInt64(w.2) | UInt64(w.3) << 32, row: index / columns)
    }

    private func exception(of column: Int) -> Exception? {
        let low = firstException(from: column)
        return low < exceptions.count && exceptions[low].column == column ? exceptions[low] : nil
    }

    /// The position in `exceptions` (sorted by column) of the first at or
    /// after `column`, by binary search.
    private func firstException(from column: Int) -> Int {
        var low = 0, high = exceptions.count
        while low < high {
            let middle = (low + high) / 2
            if exceptions[middle].column < column { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private func isZero(key: UInt32, index: Int, column: Int, exception: Exception?) -> Bool {
        if key < bounds[column - columnRange.lowerBound] { return true }
        guard let exception, key == exception.key else { return false }
        guard let tie = exception.tie else { return true }
        return tieKey(index: index) <= tie
    }

    // MARK: Zeroing a chunk

    /// Sets to +0 the elements of `count` consecutive flat indices from
    /// `flatIndex` at `values` that are zeros: the keys of the chunk, a
    /// block at a time, compared with their columns' bounds row segment by
    /// row segment (`wi_zero_below`; every format's +0 is all zero bits),
    /// then the exceptions. The indices' columns must lie in ``columnRange``;
    /// `isa` is a resolved kernel path.
    func applyZeros<T: WeightScalar>(to values: UnsafeMutablePointer<T>, flatIndex: Int, count: Int, isa: Int32) {
        switch mode {
        case .noZeros:
            return
        case .allZeros:
            values.update(repeating: T(rounding: 0), count: count)
        case .ranked:
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: Self.keyBlock) { keyBuffer in
                bounds.withUnsafeBufferPointer { allBounds in
                    zeroRanked(values, flatIndex: flatIndex, count: count, keys: keyBuffer.baseAddress!,
                               bounds: allBounds.baseAddress!, isa: isa)
                }
            }
        }
    }

    /// Keys of up to this many elements at a time (on the stack).
    private static let keyBlock = 4096

    /// About this many keys are generated per kernel call of the cut search,
    /// between two checks of a cancellation.
    static let keysPerBatch = 1 << 16

    private func zeroRanked<T: WeightScalar>(
        _ values: UnsafeMutablePointer<T>, flatIndex: Int, count: Int, keys: UnsafeMutablePointer<UInt32>,
        bounds: UnsafePointer<UInt32>, isa: Int32
    ) {
        var done = 0
        while done < count {
            let n = Swift.min(Self.keyBlock, count - done)
            stream.words(keys, count: n, startIndex: UInt64(flatIndex + done), subStream: Self.keySubStream, isa: isa)
            // One row segment at a time: consecutive columns, consecutive bounds.
            var j = 0
            while j < n {
                let index = flatIndex + done + j, column = index % columns
                let length = Swift.min(n - j, columns - column)
                wi_zero_below(isa, values + done + j, MemoryLayout<T>.stride, keys + j,
                              bounds + (column - columnRange.lowerBound), length)
                if !exceptions.isEmpty {
                    applyExceptions(to: values + done + j, keys: keys + j, flatIndex: index, columns: column ..< column + length)
                }
                j += length
            }
            done += n
        }
    }

    /// The exceptions among `columns` (one row's consecutive columns, the
    /// first at `flatIndex`).
    private func applyExceptions<T: WeightScalar>(
        to values: UnsafeMutablePointer<T>, keys: UnsafePointer<UInt32>, flatIndex: Int, columns: Range<Int>
    ) {
        var low = firstException(from: columns.lowerBound)
        while low < exceptions.count, exceptions[low].column < columns.upperBound {
            let exception = exceptions[low], offset = exception.column - columns.lowerBound
            if isZero(key: keys[offset], index: flatIndex + offset, column: exception.column, exception: exception) {
                values[offset] = T(rounding: 0)
            }
            low += 1
        }
    }
}

// MARK: - Finding the cuts

extension SparseRanking {
    /// Where the k-th smallest of a column's `rows` uniform 32-bit keys is
    /// expected: the count of keys below x is Binomial(rows, x/2³²), so a
    /// window from the count k − m to k + m, m = `sigmas`·σ + 2, holds the
    /// k-th unless the count at its edges strays by more than `sigmas` σ.
    struct Window: Sendable {
        /// Keys in `low ..< high` are kept (`high` ≤ 2³²).
        let low: UInt64, high: UInt64
        /// Kept keys per column a panel has room for; more fall back to the exact pass.
        let capacity: Int

        init(rows: Int, zeros: Int, sigmas: Double) {
            let n = Double(rows), p = Double(zeros) / n
            let margin = sigmas * (n * p * (1 - p)).squareRoot() + 2
            let lowCount = Double(zeros) - margin, highCount = Double(zeros) + margin
            low = lowCount <= 0 ? 0 : UInt64((lowCount / n * 0x1p32).rounded(.down))
            high = highCount >= n ? 1 << 32 : Swift.min(1 << 32, UInt64((highCount / n * 0x1p32).rounded(.up)))
            let expected = n * Double(high - low) * 0x1p-32
            capacity = Swift.max(1, Swift.min(rows, Int(expected + 6 * expected.squareRoot() + 16)))
        }
    }

    /// One pass over the keys of a panel of columns: counts below the
    /// window, keys inside it; then each column's cut.
    struct PanelScan: Sendable {
        let stream: RandomStream
        let rows: Int, columns: Int, zeros: Int
        let window: Window
        let isa: Int32
        let cancellation: FillCancellation?

        private var isCancelled: Bool { cancellation?.isRequested() ?? false }

        /// A worker's buffers, reused from panel to panel.
        struct State {
            let width: Int, capacity: Int, rowsPerCall: Int
            /// Per column: keys below the window, kept keys, whether they overflowed.
            let below: UnsafeMutablePointer<UInt64>
            let kept: UnsafeMutablePointer<UInt64>
            let overflow: UnsafeMutablePointer<UInt8>
            /// Column j's kept keys at j·capacity: key << 32 | row.
            let candidates: UnsafeMutablePointer<UInt64>
            /// Keys of `rowsPerCall` whole rows, or of a batch of rows of the panel.
            let keys: UnsafeMutablePointer<UInt32>

            init(width: Int, capacity: Int, rowsPerCall: Int) {
                (self.width, self.capacity, self.rowsPerCall) = (width, capacity, rowsPerCall)
                below = .allocate(capacity: width)
                kept = .allocate(capacity: width)
                overflow = .allocate(capacity: width)
                candidates = .allocate(capacity: width * capacity)
                keys = .allocate(capacity: Swift.max(Swift.max(1, rowsPerCall) * width, SparseRanking.keysPerBatch + width))
            }

            func deallocate() {
                below.deallocate()
                kept.deallocate()
                overflow.deallocate()
                candidates.deallocate()
                keys.deallocate()
            }
        }

        /// The cuts of `panel` into `bounds` (one per column) and
        /// `exceptions`; false, with nothing written, if cancelled.
        ///
        /// The keys come a batch of rows at a time, by the cheapest of:
        /// whole rows (the panel is every column); one call per row (64
        /// columns or more: the call's cost is spread over them, no word is
        /// wasted); for fewer, the words of consecutive rows from the
        /// panel's first to its last column in one call (the panel holds a
        /// quarter of each row or more, so few words go unused), or else
        /// each key from its own Philox block, 16 at a time
        /// (`wi_strided_words`: a few columns of a wide tensor). Panels of
        /// fewer than 16 columns are then scanned column by column.
        func cuts(of panel: Range<Int>, state: inout State, bounds: UnsafeMutableBufferPointer<UInt32>,
                  exceptions: inout [Exception]) -> Bool {
            // The buffers, as a value: the nested function below then captures no inout.
            let width = panel.count, buffers = state, keys = state.keys
            state.below.initialize(repeating: 0, count: width)
            state.kept.initialize(repeating: 0, count: width)
            state.overflow.initialize(repeating: 0, count: width)
            /// Scans rows in batches of `batch`, after `generate(r0, r1)` has
            /// put row r's keys at `keys + (r − r0)·step`: row by row, or for
            /// fewer than 16 columns (which one row's call would not fill)
            /// column by column; false if cancelled.
            func scan(batch: Int, step: Int, _ generate: (Int, Int) -> Void) -> Bool {
                var r0 = 0
                while r0 < rows {
                    if isCancelled { return false }
                    let r1 = Swift.min(rows, r0 + batch)
                    generate(r0, r1)
                    if width < 16 {
                        for j in 0 ..< width { scanColumn(keys + j, step: step, rows: r0 ..< r1, column: j, state: buffers) }
                    } else {
                        for r in r0 ..< r1 { scanRow(keys + (r - r0) * step, row: r, width: width, state: buffers) }
                    }
                    r0 = r1
                }
                return true
            }
            let first = panel.lowerBound
            let scanned = if width == columns {
                scan(batch: state.rowsPerCall, step: columns) { r0, r1 in
                    stream.words(keys, count: (r1 - r0) * columns, startIndex: UInt64(r0 * columns), subStream: keySubStream, isa: isa)
                }
            } else if width >= 64 {
                scan(batch: Swift.max(1, SparseRanking.keysPerBatch / width), step: width) { r0, r1 in
                    for r in r0 ..< r1 {
                        stream.words(keys + (r - r0) * width, count: width, startIndex: UInt64(r * columns + first),
                                     subStream: keySubStream, isa: isa)
                    }
                }
            } else if columns <= 4 * width {
                scan(batch: Swift.max(1, SparseRanking.keysPerBatch / columns), step: columns) { r0, r1 in
                    stream.words(keys, count: (r1 - r0 - 1) * columns + width, startIndex: UInt64(r0 * columns + first),
                                 subStream: keySubStream, isa: isa)
                }
            } else {
                scan(batch: Swift.max(1, SparseRanking.keysPerBatch / width), step: width) { r0, r1 in
                    wi_strided_words(isa, stream.seed, stream.stream, keySubStream, UInt64(r0 * columns + first),
                                     UInt64(columns), r1 - r0, width, keys)
                }
            }
            guard scanned else { return false }
            for j in 0 ..< width {
                let column = panel.lowerBound + j
                let below = Int(state.below[j]), kept = Int(state.kept[j])
                let cut: (UInt32, Exception?)
                if state.overflow[j] == 0, below < zeros, zeros <= below + kept {
                    cut = resolve(UnsafeMutableBufferPointer(start: state.candidates + j * state.capacity, count: kept),
                                  below: below, column: column, low: window.low, span: window.high - window.low)
                } else {
                    guard let exact = exactCut(column: column) else { return false }
                    cut = exact
                }
                bounds[j] = cut.0
                if let exception = cut.1 { exceptions.append(exception) }
            }
            return true
        }

        private var keySubStream: UInt32 { SparseRanking.keySubStream }

        private func scanRow(_ keys: UnsafeMutablePointer<UInt32>, row: Int, width: Int, state: State) {
            wi_rank_scan(isa, keys, width, UInt32(truncatingIfNeeded: window.low), window.high - window.low,
                         UInt32(truncatingIfNeeded: row), state.below, state.candidates, state.capacity, state.kept,
                         state.overflow)
        }

        private func scanColumn(_ keys: UnsafeMutablePointer<UInt32>, step: Int, rows: Range<Int>, column j: Int, state: State) {
            wi_rank_scan_column(isa, keys, step, rows.count, UInt32(truncatingIfNeeded: rows.lowerBound),
                                UInt32(truncatingIfNeeded: window.low), window.high - window.low, state.below + j,
                                state.candidates + j * state.capacity, state.capacity, state.kept + j, state.overflow + j)
        }

        /// The cut of `column` from its `candidates` (key << 32 | row: all of
        /// its keys in `low ..< low + span`, `below` of its keys under it),
        /// which hold its k-th smallest key.
        private func resolve(_ candidates: UnsafeMutableBufferPointer<UInt64>, below: Int, column: Int, low: UInt64,
                             span: UInt64) -> (UInt32, Exception?) {
            let rank = zeros - below - 1
            let key = UInt32(truncatingIfNeeded: select(candidates, rank: rank, low: low, span: span) >> 32)
            var smaller = 0
            var tied: [Int] = []
            for candidate in candidates {
                let k = UInt32(truncatingIfNeeded: candidate >> 32)
                if k < key { smaller += 1 } else if k == key { tied.append(Int(candidate & 0xFFFF_FFFF)) }
            }
            if tied.count == 1 {
                // The usual case: the k-th key is its row's alone.
                return key == .max ? (key, Exception(column: column, key: key, tie: nil)) : (key + 1, nil)
            }
            let order = tied.map { SparseRanking.tieKey(stream: stream, columns: columns, index: $0 * columns + column) }
                .sorted()
            return (key, Exception(column: column, key: key, tie: order[rank - smaller]))
        }

        /// The cut of one column by two exact passes over its keys (each
        /// from its own block, `wi_strided_words`): a histogram of their top
        /// 16 bits, then the keys of the bucket that holds the k-th; nil if
        /// cancelled.
        private func exactCut(column: Int) -> (UInt32, Exception?)? {
            var histogram = [Int](repeating: 0, count: 1 << 16)
            guard forEachKey(of: column, { _, k in histogram[Int(k >> 16)] += 1 }) else { return nil }
            var below = 0, bucket = 0
            while below + histogram[bucket] < zeros {
                below += histogram[bucket]
                bucket += 1
            }
            var candidates: [UInt64] = []
            candidates.reserveCapacity(histogram[bucket])
            guard forEachKey(of: column, { r, k in
                if Int(k >> 16) == bucket { candidates.append(UInt64(k) << 32 | UInt64(r)) }
            }) else { return nil }
            return candidates.withUnsafeMutableBufferPointer {
                resolve($0, below: below, column: column, low: UInt64(bucket) << 16, span: 1 << 16)
            }
        }

        /// `body(row, key)` for every row of `column`, in order, a batch of
        /// keys at a time; false if cancelled.
        private func forEachKey(of column: Int, _ body: (Int, UInt32) -> Void) -> Bool {
            let batch = Swift.min(rows, SparseRanking.keysPerBatch)
            return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: batch) { keys in
                var r0 = 0
                while r0 < rows {
                    if isCancelled { return false }
                    let n = Swift.min(batch, rows - r0)
                    wi_strided_words(isa, stream.seed, stream.stream, keySubStream, UInt64(r0 * columns + column),
                                     UInt64(columns), n, 1, keys.baseAddress!)
                    for i in 0 ..< n { body(r0 + i, keys[i]) }
                    r0 += n
                }
                return true
            }
        }
    }

}

/// The element of rank `rank` (0-based) of `values` in increasing order,
/// each value `key << 32 | row` with `key` in `low ..< low + span` (`span`
/// ≤ 2³²): a histogram of the keys over about `values.count / 2` equal
/// buckets of that interval finds the bucket of rank `rank`, whose few
/// values are then sorted.
func select(_ values: UnsafeMutableBufferPointer<UInt64>, rank: Int, low: UInt64, span: UInt64) -> UInt64 {
    precondition(rank >= 0 && rank < values.count && span >= 1 && span <= 1 << 32)
    let buckets = UInt64(Swift.max(1, Swift.min(1 << 12, values.count / 2)))
    return withUnsafeTemporaryAllocation(of: Int.self, capacity: Int(buckets)) { counts in
        counts.initialize(repeating: 0)
        for value in values { counts[Int(((value >> 32) &- low) &* buckets / span)] += 1 }
        var below = 0, chosen = 0
        while below + counts[chosen] <= rank {
            below += counts[chosen]
            chosen += 1
        }
        // The chosen bucket's values to the front, sorted.
        var end = 0
        for i in values.indices where Int(((values[i] >> 32) &- low) &* buckets / span) == chosen {
            values.swapAt(i, end)
            end += 1
        }
        var members = UnsafeMutableBufferPointer(rebasing: values[0 ..< end])
        members.sort()
        return members[rank - below]
    }
}
