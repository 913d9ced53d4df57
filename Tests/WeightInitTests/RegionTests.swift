import Foundation
import Testing
@_spi(Plumbing) @testable import WeightInit

// The region guarantee: a block filled on its own is byte-identical to the same
// block of the whole tensor. Every expected block below is cut out of the
// whole tensor by `RegionSlicer`, written here independently of the library.

/// Cuts blocks out of a whole C-order tensor, element by element.
struct RegionSlicer {
    let shape: [Int]

    /// The flat indices of `region`'s elements, in the region's C order.
    func flatIndices(_ region: TensorRegion) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        var indices: [Int] = []
        var index = region.ranges.map(\.lowerBound)
        var flat = 0
        for d in shape.indices { flat += index[d] * strides[d] }
        while true {
            indices.append(flat)
            // Odometer: the last dimension moves fastest.
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                flat += strides[d]
                if index[d] < region.ranges[d].upperBound { break }
                flat -= region.ranges[d].count * strides[d]
                index[d] = region.ranges[d].lowerBound
                d -= 1
            }
            if d < 0 { return indices }
        }
    }

    func slice<T>(_ whole: [T], _ region: TensorRegion) -> [T] {
        flatIndices(region).map { whole[$0] }
    }
}

/// A region's values and the whole tensor's block as bit patterns, so −0, NaN
/// or a last-bit difference cannot hide.
private func expectSameBits<T>(_ block: [T], _ expected: [T], _ label: @autoclosure () -> String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
    let difference = firstBitDifference(block, expected)
    #expect(difference == nil, "\(label()): first differing element \(difference ?? -1)", sourceLocation: sourceLocation)
}

// MARK: - Shard.range

@Suite struct RegionShardRuleTests {
    @Test func documentedExamples() throws {
        func blocks(_ length: Int, _ count: Int) throws -> [Range<Int>] {
            try (0 ..< count).map { try Shard.range($0, of: count, length: length) }
        }
        #expect(try blocks(10, 4) == [0 ..< 2, 2 ..< 4, 4 ..< 6, 6 ..< 10])  // 2, 2, 2, 4
        #expect(try blocks(12, 3) == [0 ..< 4, 4 ..< 8, 8 ..< 12])
        #expect(try blocks(7, 7) == (0 ..< 7).map { $0 ..< $0 + 1 })
        #expect(try blocks(5, 1) == [0 ..< 5])
        #expect(try blocks(3, 2) == [0 ..< 1, 1 ..< 3])
        #expect(try blocks(9, 4) == [0 ..< 2, 2 ..< 4, 4 ..< 6, 6 ..< 9])
    }

    /// s = ⌊length/count⌋ per block, the last also takes the remainder; the
    /// blocks are non-empty, in order, disjoint, and their union is 0 ..< length.
    @Test func blocksPartitionTheRange() throws {
        for length in 1 ... 40 {
            for count in 1 ... length {
                let s = length / count
                var next = 0
                for index in 0 ..< count {
                    let block = try Shard.range(index, of: count, length: length)
                    #expect(block.lowerBound == next, "length \(length) count \(count) block \(index)")
                    #expect(block.count == (index == count - 1 ? length - (count - 1) * s : s))
                    #expect(!block.isEmpty)
                    next = block.upperBound
                }
                #expect(next == length)
            }
        }
        // Large lengths: no overflow, the rule still holds.
        let length = Int.max - 5
        #expect(try Shard.range(6, of: 7, length: length) == 6 * (length / 7) ..< length)
    }

    @Test func badArgumentsAreTypedErrors() {
        func reason(_ body: () throws -> Range<Int>) -> String? {
            do {
                _ = try body()
                return nil
            } catch let WeightInitError.invalidParameter(_, _, reason) {
                return reason
            } catch {
                return "unexpected \(error)"
            }
        }
        #expect(reason { try Shard.range(0, of: 0, length: 10) } == "must be ≥ 1")
        #expect(reason { try Shard.range(0, of: -3, length: 10) } == "must be ≥ 1")
        #expect(reason { try Shard.range(-1, of: 4, length: 10) } == "must be in 0..<4")
        #expect(reason { try Shard.range(4, of: 4, length: 10) } == "must be in 0..<4")
        #expect(reason { try Shard.range(0, of: 4, length: 3) } == "cannot split 3 into 4 blocks")
        #expect(reason { try Shard.range(0, of: 1, length: 0) } == "cannot split 0 into 1 blocks")
        #expect("\(WeightInitError.invalidParameter("count", value: "4", reason: "cannot split 3 into 4 blocks"))"
            == "invalid count 4: cannot split 3 into 4 blocks")
    }
}

// MARK: - TensorRegion

@Suite struct TensorRegionTests {
    @Test func wholeShardAndShape() throws {
        #expect(TensorRegion.whole([4, 6]).ranges == [0 ..< 4, 0 ..< 6])
        #expect(TensorRegion([1 ..< 3, 2 ..< 7, 0 ..< 1]).shape == [2, 5, 1])
        #expect(try TensorRegion.shard(3, of: 4, along: 1, shape: [5, 10, 2]).ranges == [0 ..< 5, 6 ..< 10, 0 ..< 2])
        #expect(try TensorRegion.shard(0, of: 1, along: 0, shape: [5, 10]) == .whole([5, 10]))
        #expect(TensorRegion([0 ..< 2, 3 ..< 9]).description == "[0..<2, 3..<9]")
    }

    @Test func badShardsAreTypedErrors() {
        #expect(throws: WeightInitError.invalidParameter("dimension", value: "2", reason: "must be an axis of the rank-2 shape 5,10 (0..<2)")) {
            try TensorRegion.shard(0, of: 2, along: 2, shape: [5, 10])
        }
        #expect(throws: WeightInitError.self) { try TensorRegion.shard(0, of: 2, along: -1, shape: [5, 10]) }
        #expect(throws: WeightInitError.self) { try TensorRegion.shard(0, of: 1, along: 0, shape: []) }
        #expect(throws: WeightInitError.invalidShape([5, 0], reason: "every dimension must be ≥ 1")) {
            try TensorRegion.shard(0, of: 1, along: 0, shape: [5, 0])
        }
        #expect(throws: WeightInitError.invalidParameter("count", value: "11", reason: "cannot split 10 into 11 blocks")) {
            try TensorRegion.shard(0, of: 11, along: 1, shape: [5, 10])
        }
    }
}

// MARK: - Every scheme: region == block of the whole tensor

@Suite struct RegionFillTests {
    struct Case: CustomStringConvertible, Sendable {
        let initializer: Initializer
        let shapes: [(shape: [Int], layout: Layout)]
        var description: String { "\(initializer)" }
    }

    static let matrix = [7, 10], tall = [10, 7], conv3 = [5, 4, 3], conv4 = [6, 4, 3, 2]
    static let samplingShapes: [([Int], Layout)] = [
        (matrix, .torch), (tall, .torch), (conv3, .torch), (conv4, .torch), ([3, 2, 4, 5], .keras),
    ]

    static let cases: [Case] = {
        let sampling: [Initializer] = [
            .zeros, .ones, .constant(-0.375), .uniform(low: -2, high: 3), .uniformFanIn,
            .normal(mean: 0.5, std: 2), .truncatedNormal(mean: 0, std: 1, low: -0.5, high: 1.5),
            .xavierUniform(gain: 1.5), .xavierNormal(), .xavierNormal(truncated: true),
            .kaimingUniform(), .kaimingNormal(mode: .fanOut), .kaimingNormal(truncated: true),
            .lecunUniform, .lecunNormal(), .lecunNormal(truncated: true),
            .varianceScaling(scale: 2, mode: .fanAvg, distribution: .normal),
            .varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal),
            .varianceScaling(scale: 3, mode: .fanOut, distribution: .uniform),
        ]
        var cases = sampling.map { Case(initializer: $0, shapes: samplingShapes) }
        for method in OrthogonalMethod.allCases {
            cases.append(Case(initializer: .orthogonal(gain: 1.25, method: method),
                              shapes: [(matrix, .torch), (tall, .torch), (conv4, .torch)]))
            cases.append(Case(initializer: .orthogonal(gain: 1, method: method, blocks: 3),
                              shapes: [([9, 3], .torch), ([12, 2, 2], .torch)]))
        }
        cases += [
            Case(initializer: .deltaOrthogonal(gain: 1.5),
                 shapes: [([6, 4, 3, 3], .torch), ([5, 5, 3], .torch), ([3, 3, 2, 4], .keras), ([4, 3, 3, 2, 3], .torch)]),
            Case(initializer: .eye(gain: 2), shapes: [(matrix, .torch), (tall, .torch)]),
            Case(initializer: .dirac(), shapes: [([6, 4, 3, 3], .torch), ([4, 2, 5], .torch), ([3, 3, 2, 4], .keras)]),
            Case(initializer: .dirac(groups: 2), shapes: [([6, 4, 3, 3], .torch), ([4, 2, 3, 3, 3], .torch)]),
            Case(initializer: .sparse(sparsity: 0.3, std: 0.5), shapes: [(matrix, .torch), (tall, .torch)]),
            Case(initializer: .sparse(sparsity: 0.9), shapes: [([10, 7], .torch)]),
        ]
        return cases
    }()

    /// Whole, single elements, tiles, and blocks on each dimension that are
    /// not shards; the shards are checked by `checkShards`.
    static func regions(_ shape: [Int]) -> [TensorRegion] {
        var regions: [TensorRegion] = [
            .whole(shape),
            TensorRegion(shape.map { _ in 0 ..< 1 }),
            TensorRegion(shape.map { $0 - 1 ..< $0 }),
            TensorRegion(shape.map { $0 / 2 ..< $0 / 2 + 1 }),
            TensorRegion(shape.map { $0 / 3 ..< Swift.max($0 / 3 + 1, $0 - $0 / 4) }),
            TensorRegion(shape.enumerated().map { d, n in d % 2 == 0 ? 0 ..< (n + 1) / 2 : n / 2 ..< n }),
            TensorRegion(shape.enumerated().map { d, n in d % 2 == 1 ? 0 ..< (n + 1) / 2 : n / 2 ..< n }),
        ]
        for d in shape.indices where shape[d] > 2 {
            var ranges = TensorRegion.whole(shape).ranges
            ranges[d] = 1 ..< shape[d] - 1
            regions.append(TensorRegion(ranges))
        }
        return regions
    }

    @Test(arguments: cases)
    func regionEqualsBlockOfWholeTensor(_ scheme: Case) throws {
        for (shape, layout) in scheme.shapes {
            try forEachFormat { type in try check(type, scheme.initializer, shape: shape, layout: layout) }
        }
    }

    private func check<T: WeightScalar>(_: T.Type, _ initializer: Initializer, shape: [Int], layout: Layout) throws {
        let seed: UInt64 = 0x5EED_0000 + UInt64(shape.reduce(0, +))
        let whole: [T] = try initializer.makeArray(shape: shape, layout: layout, seed: seed, stream: 9)
        let slicer = RegionSlicer(shape: shape)
        for region in Self.regions(shape) {
            let block: [T] = try initializer.makeArray(shape: shape, region: region, layout: layout, seed: seed, stream: 9)
            expectSameBits(block, slicer.slice(whole, region), "\(initializer) \(T.dtype) \(shape) \(region)")
        }
        try checkShards(initializer, shape: shape, layout: layout, seed: seed, whole: whole)
    }

    /// Shards n = 1, 2, 3, 4, 7 along every dimension (n ≤ its length): each
    /// equals its block, and together they rebuild the whole tensor, every
    /// element exactly once; along dimension 0, by plain concatenation.
    private func checkShards<T: WeightScalar>(
        _ initializer: Initializer, shape: [Int], layout: Layout, seed: UInt64, whole: [T]
    ) throws {
        let slicer = RegionSlicer(shape: shape)
        for dimension in shape.indices {
            for count in [1, 2, 3, 4, 7] where count <= shape[dimension] {
                var rebuilt = [T](repeating: T(rounding: 0), count: whole.count)
                var writes = [Int](repeating: 0, count: whole.count)
                var concatenated: [T] = []
                for index in 0 ..< count {
                    let region = try TensorRegion.shard(index, of: count, along: dimension, shape: shape)
                    let block: [T] = try initializer.makeArray(shape: shape, region: region, layout: layout,
                                                               seed: seed, stream: 9)
                    let label = "\(initializer) \(T.dtype) \(shape) shard \(index)/\(count) along \(dimension)"
                    expectSameBits(block, slicer.slice(whole, region), label)
                    for (value, flat) in zip(block, slicer.flatIndices(region)) {
                        rebuilt[flat] = value
                        writes[flat] += 1
                    }
                    concatenated += block
                }
                #expect(writes.allSatisfy { $0 == 1 }, "\(shape) shards of \(count) along \(dimension) overlap or miss")
                expectSameBits(rebuilt, whole, "\(initializer) \(T.dtype) \(shape) \(count) shards along \(dimension)")
                if dimension == 0 {
                    expectSameBits(concatenated, whole, "\(initializer) \(T.dtype) \(shape) \(count) row shards concatenated")
                }
            }
        }
    }
}

// MARK: - Threads and chunk sizes change no bit

@Suite struct RegionThreadingTests {
    static let schemes: [Initializer] = [
        .normal(mean: 0.5, std: 2), .uniform(low: -1, high: 3), .kaimingNormal(truncated: true),
        .truncatedNormal(mean: 1, std: 1, low: 2.5, high: 4), .sparse(sparsity: 0.25, std: 1),
    ]

    @Test(arguments: schemes)
    func bitsDoNotDependOnThreadsOrChunks(_ initializer: Initializer) throws {
        try forEachFormat { type in try check(type, initializer) }
    }

    private func check<T: WeightScalar>(_: T.Type, _ initializer: Initializer) throws {
        let shape = [23, 101]
        let whole: [T] = try initializer.makeArray(shape: shape, seed: 77, stream: 2, options: FillOptions(threads: 1))
        let slicer = RegionSlicer(shape: shape)
        let regions = [
            try TensorRegion.shard(1, of: 3, along: 1, shape: shape),   // column block: 23 runs of 33
            try TensorRegion.shard(2, of: 4, along: 0, shape: shape),   // row block: one run
            TensorRegion([5 ..< 22, 17 ..< 90]),                        // tile
            TensorRegion([0 ..< 23, 100 ..< 101]),                      // one column: runs of 1
            .whole(shape),
        ]
        for region in regions {
            let expected = slicer.slice(whole, region)
            for threads in [1, 2, 3] {
                for chunkSize in [1, 7, 64, 1 << 16] {
                    // serialThreshold 0: even these small regions take the parallel path.
                    let options = FillOptions(threads: threads, chunkSize: chunkSize, serialThreshold: 0)
                    var block = [T](repeating: T(rounding: 0), count: region.shape.reduce(1, *))
                    try block.withUnsafeMutableBufferPointer {
                        try initializer.fill($0, shape: shape, region: region, seed: 77, stream: 2,
                                             options: options)
                    }
                    expectSameBits(block, expected, "\(initializer) \(T.dtype) \(region) threads \(threads) chunk \(chunkSize)")
                }
            }
        }
    }

    /// A 4-D tensor with the innermost partial dimension in the middle:
    /// runs of 6·13 elements, many per chunk and split across chunks.
    @Test func innerDimensionBlocks() throws {
        let shape = [6, 7, 11, 13]
        let initializer = Initializer.kaimingUniform()
        let whole: [Float] = try initializer.makeArray(shape: shape, seed: 5)
        let slicer = RegionSlicer(shape: shape)
        for region in [TensorRegion([1 ..< 5, 0 ..< 7, 3 ..< 9, 0 ..< 13]), TensorRegion([0 ..< 6, 2 ..< 3, 0 ..< 11, 4 ..< 13])] {
            for (threads, chunkSize) in [(1, 1 << 16), (2, 50), (3, 7), (2, 1)] {
                let block: [Float] = try initializer.makeArray(
                    shape: shape, region: region, seed: 5,
                    options: FillOptions(threads: threads, chunkSize: chunkSize, serialThreshold: 0))
                expectSameBits(block, slicer.slice(whole, region), "\(region) threads \(threads) chunk \(chunkSize)")
            }
        }
    }
}

// MARK: - Streamed region writes

@Suite struct RegionWriteTests {
    static let schemes: [Initializer] = [
        .normal(mean: 0.5, std: 2), .xavierUniform(), .constant(-0.375), .zeros,
        .sparse(sparsity: 0.2), .orthogonal(gain: 2), .eye(gain: 3),
    ]

    /// Small chunks (6 bytes: 3 halves, 1 float; 100 bytes) force many chunks
    /// that split runs and group several runs; the file holds exactly the
    /// region array's bytes.
    @Test(arguments: schemes)
    func streamedRegionEqualsRegionArray(_ initializer: Initializer) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try forEachFormat { type in try check(type, initializer, directory) }
    }

    private func check<T: WeightScalar>(_: T.Type, _ initializer: Initializer, _ directory: ScratchDirectory) throws {
        let shape = [37, 29]
        let stream = RandomStream(seed: 42, stream: 7)
        let regions = [
            try TensorRegion.shard(1, of: 3, along: 1, shape: shape), try TensorRegion.shard(2, of: 4, along: 0, shape: shape),
            TensorRegion([3 ..< 30, 28 ..< 29]), TensorRegion([5 ..< 17, 2 ..< 27]), .whole(shape),
        ]
        for region in regions {
            let values: [T] = try initializer.makeArray(shape: shape, region: region, seed: 42, stream: 7)
            for chunkBytes in [6, 100, 1 << 20] {
                let path = directory.file("region.safetensors")  // .npy has no bf16
                try TensorFile.write(to: path, format: .safetensors,
                                     tensors: [TensorEntry(name: "w", shape: region.shape, dtype: T.dtype)]) { _, sink in
                    try initializer.write(T.self, shape: shape, region: region, randomStream: stream,
                                          options: FillOptions(threads: 2, chunkSize: 5, serialThreshold: 0),
                                          chunkBytes: chunkBytes, to: sink)
                }
                let stored = try TensorFile.read(path).tensors[0]
                #expect(stored.shape == region.shape)
                #expect(stored.bytes == values.withUnsafeBytes { Array($0) },
                        "\(initializer) \(T.dtype) \(region) chunk \(chunkBytes) bytes")
            }
        }
    }

    @Test func writesInChunksNamesTheStreamedSchemes() {
        #expect(Initializer.normal().writesInChunks(shape: [4, 4]))
        #expect(Initializer.constant(2).writesInChunks(shape: [4, 4]))
        #expect(Initializer.sparse(sparsity: 0.1).writesInChunks(shape: [4, 4]))
        #expect(!Initializer.sparse(sparsity: 0.1).writesInChunks(shape: [4, 4, 4]))
        #expect(!Initializer.orthogonal().writesInChunks(shape: [4, 4]))
        #expect(!Initializer.eye().writesInChunks(shape: [4, 4]))
    }

    /// Sparse by flat index ranges, as the MPI ranks write it: any split,
    /// any chunk size, the bytes of the whole tensor.
    @Test func sparseByIndexRanges() throws {
        let shape = [41, 23], count = 41 * 23
        let initializer = Initializer.sparse(sparsity: 0.37, std: 2)
        let whole: [Float] = try initializer.makeArray(shape: shape, seed: 8, stream: 1)
        for ranges in [[0 ..< count], [0 ..< 5, 5 ..< 30, 30 ..< count], [0 ..< 300, 300 ..< 301, 301 ..< 943]] {
            for chunkBytes in [4, 36, 1 << 20] {
                var values: [Float] = []
                for range in ranges {
                    var next = range.lowerBound
                    try initializer.forEachChunk(Float.self, shape: shape, indices: range, seed: 8, stream: 1,
                                                 options: FillOptions(threads: 2, chunkSize: 3, serialThreshold: 0),
                                                 chunkBytes: chunkBytes) { first, part in
                        #expect(first == next)
                        next += part.count
                        values += part
                    }
                    #expect(next == range.upperBound)
                }
                expectSameBits(values, whole, "ranges \(ranges) chunk \(chunkBytes)")
            }
        }
    }
}

// MARK: - Shards of tensors larger than memory

@Suite struct HugeTensorRegionTests {
    static let shape = [1 << 40, 1 << 20]  // 2⁶⁰ elements: 4 EiB of Float

    /// The region's values are the stream's values at the expected flat
    /// indices row · 2²⁰ + column — read with `RandomStream` directly.
    @Test func samplingRegionOfAHugeTensor() throws {
        let cases: [(Initializer, TensorRegion)] = [
            (.normal(mean: 0.5, std: 2), TensorRegion([(1 << 40) - 2 ..< (1 << 40), 5 ..< 9])),
            (.kaimingUniform(), TensorRegion([10 ..< 14, (1 << 20) - 1 ..< (1 << 20)])),
            (.xavierNormal(truncated: true), TensorRegion([123_456_789 ..< 123_456_792, 1000 ..< 1003])),
        ]
        for (initializer, region) in cases {
            let distribution = try #require(try initializer.distribution(shape: Self.shape))
            let values: [Float] = try initializer.makeArray(shape: Self.shape, region: region, seed: 11, stream: 3)
            var expected: [Float] = []
            for row in region.ranges[0] {
                expected += try RandomStream(seed: 11, stream: 3).makeArray(
                    of: Float.self, count: region.ranges[1].count, with: distribution,
                    startIndex: UInt64(row) << 20 + UInt64(region.ranges[1].lowerBound))
            }
            expectSameBits(values, expected, "\(initializer) \(region)")
        }
    }

    @Test func structuredRegionsOfHugeTensors() throws {
        // eye: (d, d) for d = 2²⁰ − 2 and 2²⁰ − 1 are the region's (0, 1) and (1, 2).
        let eye: [Float] = try Initializer.eye(gain: 3).makeArray(
            shape: Self.shape, region: TensorRegion([(1 << 20) - 2 ..< (1 << 20) + 1, (1 << 20) - 3 ..< (1 << 20)]), seed: 1)
        #expect(eye == [0, 3, 0, 0, 0, 3, 0, 0, 0])
        // dirac: ones at (o, o, 1) for o = 5, 6 — the region's (0, 1, 1) and (1, 2, 1).
        let dirac: [Double] = try Initializer.dirac().makeArray(
            shape: [1 << 30, 1 << 20, 3], region: TensorRegion([5 ..< 7, 4 ..< 7, 0 ..< 3]), seed: 1)
        #expect(dirac == [0, 0, 0, 0, 1, 0, 0, 0, 0,
                          0, 0, 0, 0, 0, 0, 0, 1, 0])
        // sparse with 2⁵⁰ columns: the zeros of a column come from its own keys.
        let rows = 1024, sparsity = 0.25
        let region = TensorRegion([0 ..< rows, 5 ..< 7])
        let sparse: [Float] = try Initializer.sparse(sparsity: sparsity, std: 1).makeArray(
            shape: [rows, 1 << 50], region: region, seed: 4)
        let normals = try (0 ..< rows).flatMap { row in
            try RandomStream(seed: 4).makeArray(of: Float.self, count: 2, with: .normal(mean: 0, std: 1),
                                                startIndex: UInt64(row) << 50 + 5)
        }
        for (j, column) in region.ranges[1].enumerated() {
            let zeros = SparseRankingTests.referenceZeros(seed: 4, stream: 0, rows: rows, columns: 1 << 50,
                                                          sparsity: sparsity, column: column)
            #expect(zeros.count == 256)
            for row in 0 ..< rows {
                let expected: Float = zeros.contains(row) ? 0 : normals[row * 2 + j]
                #expect(sparse[row * 2 + j].bitPattern == expected.bitPattern, "sparse (\(row), \(column))")
            }
        }
    }

    @Test func schemesThatNeedTheWholeTensorRefuseIt() {
        let small = TensorRegion([0 ..< 2, 0 ..< 2])
        for initializer in [Initializer.orthogonal(), .orthogonal(method: .qr)] {
            #expect(throws: WeightInitError.self) {
                let _: [Float] = try initializer.makeArray(shape: Self.shape, region: small, seed: 1)
            }
            do {
                let _: [Float] = try initializer.makeArray(shape: Self.shape, region: small, seed: 1)
            } catch let error as WeightInitError {
                guard case .tooLarge = error else { Issue.record("expected tooLarge, got \(error)"); return }
            } catch { Issue.record("untyped error \(error)") }
        }
        // delta-orthogonal needs only its out × in centre: 2⁴⁰ floats are still too many.
        #expect(throws: WeightInitError.self) {
            let _: [Float] = try Initializer.deltaOrthogonal().makeArray(
                shape: [1 << 20, 1 << 20, 1 << 10], region: TensorRegion([0 ..< 1, 0 ..< 1, 0 ..< 1]), seed: 1)
        }
        // sparse ranks at most 2³² rows.
        #expect(throws: WeightInitError.self) {
            let _: [Float] = try Initializer.sparse(sparsity: 0.1).makeArray(shape: Self.shape, region: small, seed: 1)
        }
        // The region itself must fit in memory: a column of 2⁴⁰ floats does not.
        do {
            let _: [Float] = try Initializer.normal().makeArray(
                shape: Self.shape, region: TensorRegion([0 ..< (1 << 40), 0 ..< 1]), seed: 1)
            Issue.record("a 4 TiB region was accepted")
        } catch let error as WeightInitError {
            guard case .tooLarge = error else { Issue.record("expected tooLarge, got \(error)"); return }
        } catch { Issue.record("untyped error \(error)") }
        // A shape whose element count overflows Int.
        #expect(throws: WeightInitError.tooLarge(shape: [1 << 62, 8], reason: "the element count overflows Int")) {
            let _: [Float] = try Initializer.normal().makeArray(shape: [1 << 62, 8], region: small, seed: 1)
        }
    }
}

// MARK: - Bad input: a typed error, and the buffer unchanged

@Suite struct RegionErrorTests {
    struct BadInput: CustomStringConvertible, Sendable {
        let label: String
        let initializer: Initializer
        let shape: [Int]
        let region: TensorRegion
        var bufferCount: Int? = nil
        var options = FillOptions()
        var description: String { label }
    }

    static let inputs: [BadInput] = [
        BadInput(label: "rank", initializer: .normal(), shape: [4, 6], region: TensorRegion([0 ..< 2])),
        BadInput(label: "rank 3 of 2", initializer: .zeros, shape: [4, 6], region: TensorRegion([0 ..< 2, 0 ..< 2, 0 ..< 1])),
        BadInput(label: "empty range", initializer: .normal(), shape: [4, 6], region: TensorRegion([2 ..< 2, 0 ..< 6]), bufferCount: 1),
        BadInput(label: "past the end", initializer: .normal(), shape: [4, 6], region: TensorRegion([0 ..< 5, 0 ..< 6])),
        BadInput(label: "negative", initializer: .eye(), shape: [4, 6], region: TensorRegion([-1 ..< 1, 0 ..< 6])),
        BadInput(label: "buffer too small", initializer: .normal(), shape: [4, 6], region: TensorRegion([0 ..< 2, 0 ..< 6]), bufferCount: 11),
        BadInput(label: "buffer too large", initializer: .orthogonal(), shape: [4, 6], region: TensorRegion([0 ..< 2, 0 ..< 6]), bufferCount: 13),
        BadInput(label: "empty shape", initializer: .normal(), shape: [], region: TensorRegion([])),
        BadInput(label: "zero dimension", initializer: .normal(), shape: [4, 0], region: TensorRegion([0 ..< 2, 0 ..< 1])),
        BadInput(label: "std", initializer: .normal(std: -1), shape: [4, 6], region: TensorRegion([1 ..< 3, 2 ..< 5])),
        BadInput(label: "gain", initializer: .xavierUniform(gain: 0), shape: [4, 6], region: TensorRegion([1 ..< 3, 2 ..< 5])),
        BadInput(label: "constant", initializer: .constant(.nan), shape: [4, 6], region: TensorRegion([1 ..< 3, 2 ..< 5])),
        BadInput(label: "fans of 1-D", initializer: .kaimingNormal(), shape: [6], region: TensorRegion([1 ..< 3])),
        BadInput(label: "orthogonal gain", initializer: .orthogonal(gain: -1), shape: [4, 6], region: TensorRegion([1 ..< 3, 2 ..< 5])),
        BadInput(label: "orthogonal blocks", initializer: .orthogonal(blocks: 3), shape: [4, 6], region: TensorRegion([1 ..< 3, 2 ..< 5])),
        BadInput(label: "delta out < in", initializer: .deltaOrthogonal(), shape: [2, 4, 3], region: TensorRegion([0 ..< 1, 0 ..< 2, 1 ..< 2])),
        BadInput(label: "eye 3-D", initializer: .eye(), shape: [4, 6, 2], region: TensorRegion([1 ..< 3, 2 ..< 5, 0 ..< 1])),
        BadInput(label: "dirac groups", initializer: .dirac(groups: 3), shape: [4, 2, 3], region: TensorRegion([1 ..< 3, 0 ..< 2, 0 ..< 3])),
        BadInput(label: "sparse 3-D", initializer: .sparse(sparsity: 0.5), shape: [4, 6, 2], region: TensorRegion([1 ..< 3, 2 ..< 5, 0 ..< 1])),
        BadInput(label: "sparsity", initializer: .sparse(sparsity: 2), shape: [4, 6], region: TensorRegion([1 ..< 3, 2 ..< 5])),
        BadInput(label: "threads", initializer: .normal(), shape: [4, 6], region: TensorRegion([1 ..< 3, 2 ..< 5]),
                 options: FillOptions(threads: 0)),
        BadInput(label: "chunk size", initializer: .uniformFanIn, shape: [4, 6], region: TensorRegion([1 ..< 3, 2 ..< 5]),
                 options: FillOptions(chunkSize: 0)),
        BadInput(label: "sparse threads", initializer: .sparse(sparsity: 0.5), shape: [4, 6], region: TensorRegion([1 ..< 3, 2 ..< 5]),
                 options: FillOptions(threads: 0)),
        BadInput(label: "region larger than memory", initializer: .normal(), shape: [1 << 40, 1 << 20],
                 region: TensorRegion([0 ..< (1 << 40), 0 ..< 2]), bufferCount: 4),
    ]

    @Test(arguments: inputs)
    func badInputThrowsAndWritesNothing(_ input: BadInput) {
        forEachFormat { type in check(type, input) }
    }

    private func check<T: WeightScalar>(_: T.Type, _ input: BadInput) {
        let count = input.bufferCount ?? input.region.ranges.map { Swift.max(0, $0.count) }.reduce(1, *)
        // A sentinel no scheme writes: −1.5 everywhere.
        var buffer = [T](repeating: T(rounding: -1.5), count: count)
        let before = buffer
        do {
            try buffer.withUnsafeMutableBufferPointer {
                try input.initializer.fill($0, shape: input.shape, region: input.region, seed: 1,
                                           options: input.options)
            }
            Issue.record("\(input.label) \(T.dtype): no error")
        } catch is WeightInitError {
        } catch {
            Issue.record("\(input.label) \(T.dtype): untyped error \(error)")
        }
        expectSameBits(buffer, before, "\(input.label) \(T.dtype): buffer changed")
        // The allocating variant (no buffer to get wrong) throws the same way.
        if input.bufferCount == nil {
            #expect(throws: WeightInitError.self, "\(input.label) \(T.dtype) makeArray") {
                let _: [T] = try input.initializer.makeArray(shape: input.shape, region: input.region, seed: 1,
                                                            options: input.options)
            }
        }
    }

    @Test func regionErrorsSayWhatIsWrong() {
        func message(_ shape: [Int], _ region: TensorRegion) -> String {
            do {
                let _: [Float] = try Initializer.normal().makeArray(shape: shape, region: region, seed: 1)
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(message([4, 8], TensorRegion([0 ..< 2, 3 ..< 9]))
            == "invalid region [0..<2, 3..<9]: range 3..<9 of dimension 1 is outside 0..<8 (shape 4,8)")
        #expect(message([4, 8], TensorRegion([0 ..< 2]))
            == "invalid region [0..<2]: the region has 1 ranges, the shape 2 dimensions (shape 4,8)")
        #expect(message([4, 8], TensorRegion([0 ..< 2, 5 ..< 5]))
            == "invalid region [0..<2, 5..<5]: range 5..<5 of dimension 1 is empty (shape 4,8)")
    }
}

/// `forEachChunk(indices:)`: any flat index range, cut into chunks, gives
/// the whole tensor's values at those indices — how several processes write
/// their parts of one shared file.
@Suite struct FlatRangeChunkTests {
    @Test(arguments: [
        Initializer.kaimingNormal(), .xavierUniform(), .truncatedNormal(std: 0.5), .constant(0.25), .zeros,
    ])
    func chunksOfAnIndexRangeEqualTheWholeTensor(_ scheme: Initializer) throws {
        let shape = [13, 7]
        let whole: [Float] = try scheme.makeArray(shape: shape, seed: 3, stream: 9)
        for (indices, chunkBytes) in [(0 ..< 91, 1 << 20), (5 ..< 62, 12), (90 ..< 91, 4), (40 ..< 40, 8)] {
            var values: [Float] = []
            var next = indices.lowerBound
            try scheme.forEachChunk(Float.self, shape: shape, indices: indices, seed: 3, stream: 9,
                                    chunkBytes: chunkBytes) { first, chunk in
                #expect(first == next, "chunks come in order, each at its first flat index")
                #expect(chunk.count <= max(1, chunkBytes / 4))
                values += chunk
                next += chunk.count
            }
            #expect(values.map(\.bitPattern) == whole[indices].map(\.bitPattern), "\(scheme) \(indices)")
        }
    }

    @Test func structuredSchemesAndOutsideRangesAreRefusedBeforeAnyChunk() throws {
        for (scheme, indices) in [(Initializer.orthogonal(), 0 ..< 4), (.eye(), 0 ..< 4), (.normal(), 0 ..< 92), (.normal(), -1 ..< 3)] {
            var calls = 0
            #expect(throws: WeightInitError.self) {
                try scheme.forEachChunk(Float.self, shape: [13, 7], indices: indices, seed: 1) { _, _ in
                    calls += 1
                }
            }
            #expect(calls == 0)
        }
    }
}
