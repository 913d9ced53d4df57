import Synchronization
import Testing
@_spi(Plumbing) @testable import WeightInit
import _WeightInitKernels

/// sparse's pass over its columns' rank keys: every way of generating the
/// keys of a batch of rows gives the cuts of the whole-row pass, and a
/// cancellation stops a region fill before it writes anything.
@Suite struct SparseScanTests {
    /// `wi_strided_words` is the stream's words at first + r·stride + j, on every path.
    @Test func stridedWordsAreTheStreamsWords() {
        let stream = RandomStream(seed: 0xDEAD_BEEF_0123, stream: 77)
        let cases: [(first: UInt64, stride: UInt64, rows: Int, width: Int)] = [
            (0, 4, 100, 1), (3, 7, 33, 2), (1 << 40 + 1, 1_000_003, 17, 5), (UInt64(UInt32.max) * 4 - 9, 64, 40, 3),
            (5, 1, 1, 1), (2, 9, 16, 1),
        ]
        for path in KernelPath.available {
            let isa = try! path.resolvedKernelISA()
            for (first, stride, rows, width) in cases {
                var words = [UInt32](repeating: 0, count: rows * width)
                wi_strided_words(isa, stream.seed, stream.stream, SparseRanking.keySubStream, first, stride, rows, width, &words)
                let expected = (0 ..< rows).flatMap { r in
                    (0 ..< width).map { j in stream.word(at: first + UInt64(r) * stride + UInt64(j), subStream: SparseRanking.keySubStream) }
                }
                #expect(words == expected, "\(path) first \(first) stride \(stride) \(rows)×\(width)")
            }
        }
    }

    /// Panels that take each way of generating keys — contiguous rows (the
    /// panel a quarter of the row or more), each key from its own block (a
    /// few columns of a wide tensor), a call per row (64 columns or more) —
    /// and the exact pass of every column (a window of 0 σ): the cuts of the
    /// whole-row pass, column by column, whose first column is the
    /// specification's (SparseRankingTests' reference).
    @Test func everyWayOfReadingTheKeysGivesTheSameCuts() throws {
        let cases: [(rows: Int, columns: Int, ranges: [Range<Int>])] = [
            (300, 3, [1 ..< 2, 0 ..< 2]),     // contiguous rows
            (5000, 4, [2 ..< 3]),              // contiguous rows, several batches
            (300, 200, [5 ..< 6, 17 ..< 20]), // one block per key
            (100, 400, [10 ..< 80]),           // a call per row
            (100, 200, [0 ..< 100]),           // a call per row, half of each row
            (70_000, 2, [1 ..< 2]),            // more rows than a batch of keys
        ]
        for (rows, columns, ranges) in cases {
            let sparsity = 0.25, k = rows / 4
            let stream = RandomStream(seed: 31, stream: 4)
            let whole = try SparseRanking(stream: stream, rows: rows, columns: columns, zerosPerColumn: k,
                                          columnRange: 0 ..< columns, options: FillOptions(threads: 1))
            let reference = SparseRankingTests.referenceZeros(seed: 31, stream: 4, rows: rows, columns: columns,
                                                              sparsity: sparsity, column: 0)
            #expect(Set((0 ..< rows).filter { whole.isZero(row: $0, column: 0) }) == reference, "\(rows)×\(columns)")
            for range in ranges {
                for (threads, sigmas) in [(1, 4.5), (2, 4.5), (1, 0.0)] {
                    let part = try SparseRanking(stream: stream, rows: rows, columns: columns, zerosPerColumn: k,
                                                 columnRange: range, options: FillOptions(threads: threads), windowSigmas: sigmas)
                    for column in range {
                        let differing = (0 ..< rows).filter { part.isZero(row: $0, column: column) != whole.isZero(row: $0, column: column) }
                        #expect(differing.isEmpty, "\(rows)×\(columns) \(range) threads \(threads) σ \(sigmas) column \(column)")
                    }
                }
            }
        }
    }

    static let sentinel: Float = -7.25

    static let schemes: [(Initializer, [Int])] = [
        (.sparse(sparsity: 0.5), [6, 4]), (.normal(), [6, 4]), (.orthogonal(), [6, 4]), (.eye(), [6, 4]), (.zeros, [6, 4]),
        (.deltaOrthogonal(), [4, 4, 3]),
    ]

    /// A cancellation already requested: the region fill throws and writes
    /// nothing, for every kind of scheme.
    @Test(arguments: schemes.indices)
    func aCancelledRegionFillWritesNothing(_ index: Int) throws {
        let (initializer, shape) = Self.schemes[index]
        let region = TensorRegion(shape.map { 0 ..< $0 })
        var options = FillOptions()
        options.cancellation = FillCancellation { true }
        var values = [Float](repeating: Self.sentinel, count: shape.reduce(1, *))
        #expect(throws: FillCancelled.self) {
            try values.withUnsafeMutableBufferPointer {
                try initializer.fill($0, shape: shape, region: region, seed: 1, options: options)
            }
        }
        #expect(values.allSatisfy { $0 == Self.sentinel }, "\(initializer)")
    }

    /// Requested while sparse's keys are scanned — at the n-th question, on
    /// one thread, each way of reading keys, and in the exact pass —: the
    /// fill throws and writes nothing; never requested, it gives the plain
    /// fill's bytes.
    @Test func aCancellationDuringTheScanStopsTheFill() throws {
        // (shape, region): contiguous rows, a key per block, a call per row.
        let cases: [([Int], TensorRegion)] = [
            ([1 << 20, 4], TensorRegion([7 ..< 8, 1 ..< 2])),
            ([1 << 18, 100], TensorRegion([0 ..< 1, 50 ..< 53])),
            ([1 << 17, 300], TensorRegion([0 ..< 2, 0 ..< 70])),
        ]
        for (shape, region) in cases {
            // Asked before the fill, before the pass, then before each batch of keys: the 6th is the 4th batch.
            let counter = Counter(cancelAt: 6)
            var options = FillOptions(threads: 1)
            options.cancellation = FillCancellation { counter.ask() }
            var values = [Float](repeating: Self.sentinel, count: region.shape.reduce(1, *))
            #expect(throws: FillCancelled.self) {
                try values.withUnsafeMutableBufferPointer {
                    try Initializer.sparse(sparsity: 0.3).fill($0, shape: shape, region: region, seed: 2, options: options)
                }
            }
            #expect(counter.asked == 6, "\(shape): asked \(counter.asked) times")
            #expect(values.allSatisfy { $0 == Self.sentinel }, "\(shape)")

            options.cancellation = FillCancellation { false }
            try values.withUnsafeMutableBufferPointer {
                try Initializer.sparse(sparsity: 0.3).fill($0, shape: shape, region: region, seed: 2, options: options)
            }
            let plain: [Float] = try Initializer.sparse(sparsity: 0.3).makeArray(shape: shape, region: region, seed: 2)
            #expect(values == plain, "\(shape)")
        }
        // The exact pass (a window of 0 σ sends the column there), after the
        // pass's 13 batches of 21 845 rows: asked once before, 13 times in the pass.
        let counter = Counter(cancelAt: 16)
        var options = FillOptions(threads: 1)
        options.cancellation = FillCancellation { counter.ask() }
        #expect(throws: FillCancelled.self) {
            _ = try SparseRanking(stream: RandomStream(seed: 3), rows: 1 << 18, columns: 3, zerosPerColumn: 1000,
                                  columnRange: 1 ..< 2, options: options, windowSigmas: 0)
        }
        #expect(counter.asked == 16)
    }

    /// Cancelled on one of two workers' panels: the others stop too, and the ranking throws.
    @Test func aCancellationOnSeveralThreadsStopsThemAll() throws {
        let counter = Counter(cancelAt: 5)
        var options = FillOptions(threads: 2)
        options.cancellation = FillCancellation { counter.ask() }
        #expect(throws: FillCancelled.self) {
            _ = try SparseRanking(stream: RandomStream(seed: 4), rows: 1 << 19, columns: 8, zerosPerColumn: 1 << 17,
                                  columnRange: 0 ..< 8, options: options)
        }
    }
}

/// Answers "cancel?" with yes from the `cancelAt`-th question on, counting them.
private final class Counter: Sendable {
    private let count = Mutex(0)
    private let cancelAt: Int

    init(cancelAt: Int) { self.cancelAt = cancelAt }

    var asked: Int { count.withLock { $0 } }

    func ask() -> Bool {
        count.withLock {
            $0 += 1
            return $0 >= cancelAt
        }
    }
}
