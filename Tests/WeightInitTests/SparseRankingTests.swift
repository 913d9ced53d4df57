import Testing
@_spi(Plumbing) @testable import WeightInit
import _WeightInitKernels
import _WeightInitTestSupport

/// sparse's zeros, stream format version 2 (StreamFormatSpecification.md,
/// "Sparse"): known answers, the engine against a reference written from the
/// specification alone, the law (exactly k zeros per column, uniform subsets,
/// independent columns) by χ² tests at α = 10⁻⁶, and the cut search's
/// fallback and tie paths, which must change nothing.
@Suite struct SparseRankingTests {
    // MARK: The reference: the specification, literally

    static func block(seed: UInt64, stream: UInt32, subStream: UInt32, _ b: UInt64) -> [UInt32] {
        let counter: [UInt32] = [UInt32(truncatingIfNeeded: b), UInt32(truncatingIfNeeded: b >> 32), stream, subStream]
        let key: [UInt32] = [UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)]
        var out = [UInt32](repeating: 0, count: 4)
        wi_philox4x32_10(counter, key, &out)
        return out
    }

    /// Element i's rank key a(i): word i mod 4 of block ⌊i/4⌋ of sub-stream 0x8000_0003.
    static func rankKey(seed: UInt64, stream: UInt32, _ i: Int) -> UInt32 {
        block(seed: seed, stream: stream, subStream: 0x8000_0003, UInt64(i / 4))[i % 4]
    }

    /// Element i's tie key b(i): block i of sub-stream 0x8000_0004 as (w0 | w1 << 32, w2 | w3 << 32).
    static func tieKey(seed: UInt64, stream: UInt32, _ i: Int) -> (UInt64, UInt64) {
        let w = block(seed: seed, stream: stream, subStream: 0x8000_0004, UInt64(i))
        return (UInt64(w[0]) | UInt64(w[1]) << 32, UInt64(w[2]) | UInt64(w[3]) << 32)
    }

    /// The rows of column `column`'s zeros: its elements ordered by (a, b, row), the first k.
    static func referenceZeros(seed: UInt64, stream: UInt32, rows: Int, columns: Int, sparsity: Double,
                               column: Int) -> Set<Int> {
        let k = Int((sparsity * Double(rows)).rounded(.up))
        let keyed = (0 ..< rows).map { r in
            let i = r * columns + column
            let b = tieKey(seed: seed, stream: stream, i)
            return (rankKey(seed: seed, stream: stream, i), b.0, b.1, r)
        }
        return Set(keyed.sorted { $0 < $1 }.prefix(k).map(\.3))
    }

    // MARK: Known answers

    /// Seed 42, stream 0: the first rank and tie keys, and the zeros of an
    /// 8 × 5 tensor with sparsity 0.5 (k = 4), derived from the
    /// specification by an independent Python implementation.
    @Test func knownAnswers() throws {
        let ranking = try SparseRanking(stream: RandomStream(seed: 42), rows: 8, columns: 5, zerosPerColumn: 4,
                                        columnRange: 0 ..< 5, options: FillOptions())
        var words = [UInt32](repeating: 0, count: 8)
        for path in KernelPath.available {
            words.withUnsafeMutableBufferPointer {
                RandomStream(seed: 42).words($0.baseAddress!, count: 8, startIndex: 0,
                                             subStream: SparseRanking.keySubStream, isa: try! path.resolvedKernelISA())
            }
            #expect(words == [0x2495_C73F, 0xF8B1_09F3, 0x4A62_9963, 0x52AE_A675,
                              0x39BC_17CC, 0xCB1A_AA9E, 0xF2B3_0095, 0xD294_F599], "\(path)")
        }
        let tie = ranking.tieKey(index: 0)
        #expect(tie.high == 0xA67D_745B_B461_D05F && tie.low == 0x4D6C_079A_0514_F4C5 && tie.row == 0)
        let expected: [[Int]] = [[0, 3, 5, 6], [2, 5, 6, 7], [0, 2, 5, 6], [0, 1, 3, 5], [0, 3, 5, 6]]
        for column in 0 ..< 5 {
            #expect((0 ..< 8).filter { ranking.isZero(row: $0, column: column) } == expected[column], "column \(column)")
        }
        // Through the scheme, in every format: zeros there, the normal stream elsewhere.
        let normal: [Float] = try Initializer.normal(mean: 0, std: 0.01).makeArray(shape: [8, 5], seed: 42)
        let sparse: [Float] = try Initializer.sparse(sparsity: 0.5).makeArray(shape: [8, 5], seed: 42)
        for r in 0 ..< 8 {
            for c in 0 ..< 5 {
                let value = sparse[r * 5 + c]
                #expect(value.bitPattern == (expected[c].contains(r) ? 0 : normal[r * 5 + c].bitPattern), "(\(r), \(c))")
            }
        }
        // Seed 7, stream 3, 6 × 4, sparsity 0.34: k = ⌈2.04⌉ = 3.
        let other: [Double] = try Initializer.sparse(sparsity: 0.34).makeArray(shape: [6, 4], seed: 7, stream: 3)
        let otherZeros: [[Int]] = [[0, 2, 3], [1, 2, 4], [0, 3, 4], [2, 4, 5]]
        for c in 0 ..< 4 { #expect((0 ..< 6).filter { other[$0 * 4 + c] == 0 } == otherZeros[c], "column \(c)") }
    }

    /// The exact output bits of small sparse tensors, seed 42, stream 0,
    /// std 1, in every format, on every kernel path, 1–3 threads and
    /// chunk sizes 1, 3 and 2¹⁶: the zero positions were derived from the
    /// specification by an independent Python implementation of Philox and
    /// the (a, b, row) order; every non-zero is the value pinned for
    /// `normal(0, 1)` at the same index in StreamFormatTests (indices 0 … 7
    /// and 2⁴⁰ + 3 … 2⁴⁰ + 10), copied here as literals so that this test
    /// fails if either sparse's zeros or its values move.
    @Test func knownOutputBits() throws {
        // normal(0, 1), seed 42, stream 0, indices 0 … 7 (StreamFormatTests.normal).
        let f32: [UInt32] = [0xBF78_5E59, 0x3E46_ACEB, 0xBF9E_28CD, 0x3FF6_433E, 0xBD95_E014, 0x3E0E_79FE, 0xBF8D_A732, 0x3EA7_430A]
        let f64: [UInt64] = [0xBFE5_4AC0_3C1A_032A, 0x3FF0_938D_B380_D761, 0xBFF6_F135_C80F_EFCB, 0x3FDB_16FD_5E63_89C7,
                             0x3FC1_47F0_A3F6_EDB8, 0xBFEC_F0BB_B759_E22E, 0xBFE4_BE78_21C7_EB85, 0x3FE3_B205_AF57_E138]
        let f16: [UInt16] = [0xBBC3, 0x3235, 0xBCF1, 0x3FB2, 0xACAF, 0x3074, 0xBC6D, 0x353A]
        let bf16: [UInt16] = [0xBF78, 0x3E47, 0xBF9E, 0x3FF6, 0xBD96, 0x3E0E, 0xBF8E, 0x3EA7]
        // (shape, sparsity, flat indices of the zeros), from the Python reference:
        // 4 × 2, k = 2: column 0 rows {0, 2}, column 1 rows {1, 2};
        // 2 × 4, k = 1: rows 0, 1, 0, 0; 8 × 1, k = ⌈2.4⌉ = 3: rows {0, 2, 4}.
        let cases: [(shape: [Int], sparsity: Double, zeros: Set<Int>)] = [
            ([4, 2], 0.5, [0, 3, 4, 5]), ([2, 4], 0.5, [0, 2, 3, 5]), ([8, 1], 0.3, [0, 2, 4]),
        ]
        func masked<T: FixedWidthInteger>(_ bits: [T], _ zeros: Set<Int>) -> [T] {
            bits.indices.map { zeros.contains($0) ? 0 : bits[$0] }
        }
        for (shape, sparsity, zeros) in cases {
            let initializer = Initializer.sparse(sparsity: sparsity, std: 1)
            for path in KernelPath.available {
                for threads in [1, 2, 3] {
                    for chunkSize in [1, 3, 1 << 16] {
                        let options = FillOptions(threads: threads, chunkSize: chunkSize, path: path, serialThreshold: 0)
                        let label = "\(shape) \(path) threads \(threads) chunk \(chunkSize)"
                        let a: [Float] = try initializer.makeArray(shape: shape, seed: 42, options: options)
                        #expect(a.map(\.bitPattern) == masked(f32, zeros), "f32 \(label)")
                        let b: [Double] = try initializer.makeArray(shape: shape, seed: 42, options: options)
                        #expect(b.map(\.bitPattern) == masked(f64, zeros), "f64 \(label)")
                        let c: [Float16] = try initializer.makeArray(shape: shape, seed: 42, options: options)
                        #expect(c.map(\.bitPattern) == masked(f16, zeros), "f16 \(label)")
                        let d: [BFloat16] = try initializer.makeArray(shape: shape, seed: 42, options: options)
                        #expect(d.map(\.bitPattern) == masked(bf16, zeros), "bf16 \(label)")
                    }
                }
            }
        }
        // Far indices: row 1, columns 3 ..< 11 of a 2 × 2⁴⁰ tensor (k = 1) are
        // indices 2⁴⁰ + 3 … 2⁴⁰ + 10; row 1 is the zero of columns 4–7, 9, 10.
        let far: [UInt32] = [0x3F42_F2DA, 0xBEAE_E733, 0xC006_79AD, 0xBFA5_52AA, 0x3DF4_C740, 0xBF2C_C056, 0xBED9_26ED, 0xBF41_5F49]
        let region = TensorRegion([1 ..< 2, 3 ..< 11])
        for threads in [1, 2] {
            let values: [Float] = try Initializer.sparse(sparsity: 0.5, std: 1).makeArray(
                shape: [2, 1 << 40], region: region, seed: 42, options: FillOptions(threads: threads, serialThreshold: 0))
            #expect(values.map(\.bitPattern) == masked(far, [1, 2, 3, 4, 6, 7]), "far, threads \(threads)")
        }
    }

    /// A file large enough for the writer thread (16 MiB): sparse's chunks
    /// are then filled on one worker fewer than its cuts; the bytes are the
    /// array's, for 1–3 threads.
    @Test func largeFileEqualsTheArray() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let shape = [2048, 2048]
        let initializer = Initializer.sparse(sparsity: 0.1, std: 1)
        let values: [Float] = try initializer.makeArray(shape: shape, seed: 6, options: FillOptions(threads: 1))
        for threads in [1, 2, 3] {
            let path = directory.file("sparse.npy")
            try TensorFile.write(to: path, format: .npy,
                                 tensors: [TensorEntry(name: "w", shape: shape, dtype: .f32)]) { _, sink in
                #expect(sink.writesBehind)
                try initializer.write(Float.self, shape: shape, region: .whole(shape), randomStream: RandomStream(seed: 6),
                                      options: FillOptions(threads: threads), to: sink)
            }
            let stored = try TensorFile.read(path).tensors[0]
            #expect(stored.bytes == values.withUnsafeBytes { Array($0) }, "threads \(threads)")
        }
    }

    // MARK: The engine is the specification

    static let shapes: [(rows: Int, columns: Int, sparsity: Double, seed: UInt64)] = [
        (1, 1, 0.5, 1), (7, 3, 0, 2), (7, 3, 1, 3), (7, 3, 0.01, 4), (9, 4, 0.99, 5), (33, 17, 0.5, 6),
        (100, 6, 0.255, 7), (257, 3, 0.9, 8), (64, 70, 0.1, 9), (2, 300, 0.5, 10),
    ]

    @Test(arguments: shapes.indices)
    func zerosAreTheSpecifications(_ index: Int) throws {
        try forEachFormat { type in try check(type, Self.shapes[index]) }
    }

    private func check<T: WeightScalar>(_: T.Type, _ shape: (rows: Int, columns: Int, sparsity: Double, seed: UInt64)) throws {
        let (rows, columns, sparsity, seed) = shape
        let k = Int((sparsity * Double(rows)).rounded(.up))
        let w: [T] = try Initializer.sparse(sparsity: sparsity, std: 1).makeArray(shape: [rows, columns], seed: seed, stream: 2)
        for column in 0 ..< columns {
            let zeros = Set((0 ..< rows).filter { w[$0 * columns + column].doubleValue == 0 })
            #expect(zeros.count == k, "\(T.self) column \(column)")
            #expect(zeros == Self.referenceZeros(seed: seed, stream: 2, rows: rows, columns: columns, sparsity: sparsity,
                                                 column: column), "\(T.self) \(rows)×\(columns) column \(column)")
        }
    }

    /// A window of ±0 σ leaves almost every k-th key outside it, so nearly
    /// every column takes the exact pass; a huge window keeps every key.
    /// Neither may change a single zero.
    @Test func theWindowChangesNothing() throws {
        for (rows, columns, sparsity) in [(200, 31, 0.3), (50, 64, 0.9), (1000, 3, 0.5)] {
            let k = Int((sparsity * Double(rows)).rounded(.up))
            let stream = RandomStream(seed: 99, stream: 1)
            let rankings = try [0, 4.5, 1000].map { sigmas in
                try SparseRanking(stream: stream, rows: rows, columns: columns, zerosPerColumn: k,
                                  columnRange: 0 ..< columns, options: FillOptions(threads: 2), windowSigmas: sigmas)
            }
            for column in 0 ..< columns {
                let reference = Self.referenceZeros(seed: 99, stream: 1, rows: rows, columns: columns, sparsity: sparsity,
                                                    column: column)
                for ranking in rankings {
                    #expect(Set((0 ..< rows).filter { ranking.isZero(row: $0, column: column) }) == reference,
                            "\(rows)×\(columns) column \(column)")
                }
            }
        }
    }

    /// The cuts of part of the columns are those of all of them.
    @Test func columnRangesAgree() throws {
        let (rows, columns, k) = (120, 40, 37)
        let stream = RandomStream(seed: 5)
        let all = try SparseRanking(stream: stream, rows: rows, columns: columns, zerosPerColumn: k,
                                    columnRange: 0 ..< columns, options: FillOptions(threads: 3))
        for range in [3 ..< 4, 10 ..< 29, 39 ..< 40] {
            let part = try SparseRanking(stream: stream, rows: rows, columns: columns, zerosPerColumn: k,
                                         columnRange: range, options: FillOptions(threads: 1))
            for column in range {
                for row in 0 ..< rows {
                    #expect(part.isZero(row: row, column: column) == all.isZero(row: row, column: column))
                }
            }
        }
    }

    /// A column whose k-th rank key is shared by another row (found by a
    /// search over seeds: seed 959, column 14 of 2¹⁸ × 16, k = 2¹⁷, key
    /// 0x803E21FF twice): the tie keys decide which of the two is a zero.
    @Test func tiedRankKeys() throws {
        let (rows, columns, column, seed) = (1 << 18, 16, 14, UInt64(959))
        let k = rows / 2
        let ranking = try SparseRanking(stream: RandomStream(seed: seed), rows: rows, columns: columns, zerosPerColumn: k,
                                        columnRange: column ..< column + 1, options: FillOptions())
        #expect(ranking.exceptions.count == 1 && ranking.exceptions.first?.tie != nil, "\(ranking.exceptions)")
        // The reference, without sorting 2¹⁸ tuples: the k-th rank key, then the tie keys of the rows sharing it.
        let keys = (0 ..< rows).map { Self.rankKey(seed: seed, stream: 0, $0 * columns + column) }
        let cut = keys.sorted()[k - 1]
        let below = keys.filter { $0 < cut }.count
        let tied = keys.indices.filter { keys[$0] == cut }
        #expect(tied.count == 2 && cut == 0x803E_21FF)
        let order = tied.map { r in (Self.tieKey(seed: seed, stream: 0, r * columns + column), r) }
            .sorted { ($0.0.0, $0.0.1, $0.1) < ($1.0.0, $1.0.1, $1.1) }
        let zeroTied = Set(order.prefix(k - below).map(\.1))
        for row in 0 ..< rows {
            let expected = keys[row] < cut || zeroTied.contains(row)
            if ranking.isZero(row: row, column: column) != expected { Issue.record("row \(row)") }
        }
        // The chunked path agrees with the scalar one.
        var values = [Float](repeating: 1, count: rows)
        for row in 0 ..< rows {
            values.withUnsafeMutableBufferPointer {
                ranking.applyZeros(to: $0.baseAddress! + row, flatIndex: row * columns + column, count: 1,
                                   isa: try! KernelPath.automatic.resolvedKernelISA())
            }
        }
        #expect((0 ..< rows).filter { values[$0] == 0 } == (0 ..< rows).filter { keys[$0] < cut || zeroTied.contains($0) })
    }

    // MARK: The law: PyTorch's

    /// All 10 two-element subsets of 5 rows equally likely over 20 000
    /// columns (χ², 9 degrees of freedom, critical value 44.8 at α = 10⁻⁶),
    /// and adjacent columns independent: the 100 pairs of subsets over
    /// 10 000 column pairs (χ², 99 degrees of freedom, 172.4 at α = 10⁻⁶).
    @Test func subsetsAreUniformAndColumnsIndependent() throws {
        let (rows, columns) = (5, 20_000)
        let w: [Float] = try Initializer.sparse(sparsity: 0.4).makeArray(shape: [rows, columns], seed: 17)
        let subsets = (0 ..< columns).map { c in (0 ..< rows).reduce(0) { w[$1 * columns + c] == 0 ? $0 | 1 << $1 : $0 } }
        var counts = [Int: Int]()
        for subset in subsets { counts[subset, default: 0] += 1 }
        #expect(counts.count == 10 && counts.keys.allSatisfy { $0.nonzeroBitCount == 2 })
        #expect(Statistics.chiSquareUniform(Array(counts.values)) < 44.8)
        var pairs = [Int: Int]()
        for c in stride(from: 0, to: columns, by: 2) { pairs[subsets[c] << 8 | subsets[c + 1], default: 0] += 1 }
        #expect(pairs.count == 100)
        #expect(Statistics.chiSquareUniform(Array(pairs.values)) < 172.4)
    }

    /// Zero positions: each of 64 rows is a zero in the same share of 4096
    /// columns, k = 7 (χ² of the row counts, 63 degrees of freedom, 130.6 at
    /// α = 10⁻⁶), in every row block of a streamed chunking alike.
    @Test func rowsAreEquallyLikely() throws {
        let (rows, columns) = (64, 4096)
        let w: [Float] = try Initializer.sparse(sparsity: 0.1).makeArray(shape: [rows, columns], seed: 3)
        let perRow = (0 ..< rows).map { r in (0 ..< columns).filter { w[r * columns + $0] == 0 }.count }
        #expect(perRow.reduce(0, +) == 7 * columns)
        #expect(Statistics.chiSquareUniform(perRow) < 130.6)
    }

    // MARK: Pieces

    @Test func selectFindsEveryRank() {
        var generator = SplitMix64(seed: 3)
        for count in [1, 2, 3, 10, 257] {
            for spanBits in [1, 16, 32] {
                let span: UInt64 = 1 << spanBits, low: UInt64 = spanBits == 32 ? 0 : 12345
                let values = (0 ..< count).map { row in (low + generator.next() % span) << 32 | UInt64(row) }
                let sorted = values.sorted()
                for rank in 0 ..< count {
                    var scratch = values
                    let found = scratch.withUnsafeMutableBufferPointer { select($0, rank: rank, low: low, span: span) }
                    #expect(found == sorted[rank], "count \(count) span 2^\(spanBits) rank \(rank)")
                }
            }
        }
    }

    @Test func moreThan2To32RowsIsRefused() {
        #expect(throws: WeightInitError.self) {
            try SparseRanking(stream: RandomStream(seed: 1), rows: (1 << 32) + 1, columns: 2, zerosPerColumn: 1,
                              columnRange: 0 ..< 2, options: FillOptions())
        }
    }
}

