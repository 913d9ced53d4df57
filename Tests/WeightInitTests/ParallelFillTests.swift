import Testing
@_spi(Plumbing) @testable import WeightInit

/// The determinism promise: element j of a fill is the value at flat index
/// startIndex + j, whatever the thread count, chunk size or split into calls.
/// Every comparison is on raw bytes.
struct ParallelFillTests {
    static let distributions: [Distribution] = [.uniform(low: -0.7, high: 0.3), .normal(mean: 0.25, std: 2)]

    /// One kernel call over the whole buffer: the reference.
    static let serial = FillOptions(threads: 1, chunkSize: .max)

    @Test(arguments: DType.floatingPoint, distributions.indices)
    func threadsAndChunkSizesDoNotChangeValues(format: DType, distribution k: Int) throws {
        try forEachFormat { type in
            if type.dtype == format { try checkSplits(type, Self.distributions[k]) }
        }
    }

    func checkSplits<T: WeightScalar>(_: T.Type, _ distribution: Distribution) throws {
        let stream = RandomStream(seed: 0xDEC0DE, stream: 3)
        for chunkSize in [1, 7, 4096, 65536] {
            // Sizes not multiples of 4 (or 2): chunk edges fall inside Philox
            // blocks. Small chunks on a smaller buffer keep the test fast;
            // serialThreshold 0 forces the parallel path for it.
            let count = chunkSize <= 7 ? 20_011 : 140_009
            let reference = try stream.makeArray(of: T.self, count: count, with: distribution,
                                                 startIndex: 17, options: Self.serial)
            for threads in [1, 2, 3, 8] {
                let options = FillOptions(threads: threads, chunkSize: chunkSize, serialThreshold: 0)
                let split = try stream.makeArray(of: T.self, count: count, with: distribution,
                                                 startIndex: 17, options: options)
                #expect(firstBitDifference(split, reference) == nil, "\(T.dtype) threads \(threads) chunk \(chunkSize)")
            }
        }
        // The defaults (every core, 64k chunks, serial below 64k) as well.
        let count = 200_003
        let reference = try stream.makeArray(of: T.self, count: count, with: distribution, options: Self.serial)
        #expect(firstBitDifference(try stream.makeArray(of: T.self, count: count, with: distribution), reference) == nil)
    }

    /// Filling [a, b) on its own gives the slice [a, b) of a full fill, at
    /// every alignment to the 4- (float) and 2-element (double) blocks, from
    /// index 0 and from an index above 2³².
    @Test(arguments: DType.floatingPoint, distributions.indices)
    func rangesAreSlicesOfTheFullFill(format: DType, distribution k: Int) throws {
        try forEachFormat { type in
            if type.dtype == format { try checkSlices(type, Self.distributions[k]) }
        }
    }

    func checkSlices<T: WeightScalar>(_: T.Type, _ distribution: Distribution) throws {
        let stream = RandomStream(seed: 77)
        let count = 1000
        for origin: UInt64 in [0, (1 << 40) + 3] {
            let full = try stream.makeArray(of: T.self, count: count, with: distribution, startIndex: origin)
            for (a, b) in [(0, 1), (1, 2), (2, 3), (3, 4), (1, 6), (3, 10), (5, 999), (998, 1000), (0, 1000)] {
                let part = try stream.makeArray(of: T.self, count: b - a, with: distribution,
                                                startIndex: origin + UInt64(a))
                #expect(firstBitDifference(part, Array(full[a ..< b])) == nil, "\(T.dtype) [\(a), \(b)) from \(origin)")
            }
        }
    }

    /// A plan reused for shards gives the same bytes as one fill.
    @Test func planFillsShards() throws {
        let plan = try FillPlan<Float>(stream: RandomStream(seed: 4), distribution: .normal(mean: 0, std: 1),
                                       options: FillOptions(threads: 2, chunkSize: 1000, serialThreshold: 0))
        var whole = [Float](repeating: 0, count: 10_001)
        try plan.fill(&whole)
        var shards: [Float] = []
        for (start, end) in [(0, 3333), (3333, 3334), (3334, 10_001)] {
            var shard = [Float](repeating: 0, count: end - start)
            try plan.fill(&shard, startIndex: UInt64(start))
            shards += shard
        }
        #expect(firstBitDifference(shards, whole) == nil)
    }

    /// A range past 2⁶⁴ − 1 throws, before writing.
    @Test func indexRangePastTwoToThe64Throws() throws {
        // Indices .max − 10 … .max + 1: one past the last index.
        var buffer = [Double](repeating: 42, count: 12)
        #expect(throws: WeightInitError.self) {
            try RandomStream(seed: 2).fill(&buffer, with: .normal(mean: 0, std: 1), startIndex: .max - 10)
        }
        #expect(buffer.allSatisfy { $0 == 42 })
    }

    /// The last indices of the stream, up to 2⁶⁴ − 1, can be filled, and every
    /// path agrees with the scalar reference there (no index arithmetic wraps).
    @Test
    func lastIndicesCanBeFilled() throws {
        for count in [1, 4, 10, 200] {
            let start = UInt64.max - UInt64(count - 1)
            let reference = FillOptions(threads: 1, path: .scalar)
            let f0 = try RandomStream(seed: 2).makeArray(of: Float.self, count: count, with: .normal(mean: 0, std: 1),
                                                         startIndex: start, options: reference)
            let d0 = try RandomStream(seed: 2).makeArray(of: Double.self, count: count, with: .normal(mean: 0, std: 1),
                                                         startIndex: start, options: reference)
            #expect(f0.allSatisfy { $0.isFinite } && d0.allSatisfy { $0.isFinite })
            for path in KernelPath.available {
                let options = FillOptions(threads: 2, chunkSize: 7, path: path, serialThreshold: 0)
                let f = try RandomStream(seed: 2).makeArray(of: Float.self, count: count, with: .normal(mean: 0, std: 1),
                                                            startIndex: start, options: options)
                let d = try RandomStream(seed: 2).makeArray(of: Double.self, count: count, with: .normal(mean: 0, std: 1),
                                                            startIndex: start, options: options)
                #expect(f.map(\.bitPattern) == f0.map(\.bitPattern), "\(path) f32 count \(count)")
                #expect(d.map(\.bitPattern) == d0.map(\.bitPattern), "\(path) f64 count \(count)")
            }
        }
    }

    /// The bits-only kernel (`weightinit bench`'s `bits` row): word i % 4 of
    /// Philox block i / 4, as the scalar reference computes it, on every path,
    /// thread count and chunk size, up to the stream's last index.
    @Test func bitsAreThePhiloxWords() throws {
        let stream = RandomStream(seed: 7, stream: 3)
        for start in [UInt64(0), 5, UInt64.max - 100] {
            let expected = (0 ..< UInt64(101)).map { stream.word(at: start + $0, subStream: 0) }
            for path in KernelPath.available {
                for (threads, chunkSize) in [(1, 1 << 16), (2, 7), (3, 1)] {
                    var bits = [UInt32](repeating: 0, count: 101)
                    try bits.withUnsafeMutableBufferPointer {
                        try stream._fillBits($0, startIndex: start, options: FillOptions(
                            threads: threads, chunkSize: chunkSize, path: path, serialThreshold: 0))
                    }
                    #expect(bits == expected, "\(path), start \(start), \(threads) threads, chunks of \(chunkSize)")
                }
            }
        }
    }

    @Test func emptyFillsAreFine() throws {
        #expect(try RandomStream(seed: 1).makeArray(of: Float.self, count: 0, with: .uniform(low: 0, high: 1)).isEmpty)
        #expect(throws: WeightInitError.self) {
            try RandomStream(seed: 1).makeArray(of: Float.self, count: -1, with: .uniform(low: 0, high: 1))
        }
    }

    /// Every available path gives the reference bytes; `.automatic` resolves
    /// to one of them.
    @Test func kernelPaths() throws {
        let available = KernelPath.available
        #expect(available.contains(.scalar))
        #expect(!available.contains(.automatic))
        #expect(available.contains(try KernelPath.automatic.resolved))
        #expect(KernelPath.scalar.isAvailable && KernelPath.automatic.isAvailable)
        let stream = RandomStream(seed: 12)
        let reference = try stream.makeArray(of: Float.self, count: 999, with: .normal(mean: 0, std: 1),
                                             options: FillOptions(path: .scalar))
        for path in available {
            let x = try stream.makeArray(of: Float.self, count: 999, with: .normal(mean: 0, std: 1),
                                         options: FillOptions(path: path))
            #expect(firstBitDifference(x, reference) == nil, "\(path)")
        }
        for path in KernelPath.allCases where !path.isAvailable {
            #expect(throws: WeightInitError.kernelUnavailable(path.rawValue)) {
                try stream.makeArray(of: Float.self, count: 4, with: .uniform(low: 0, high: 1),
                                     options: FillOptions(path: path))
            }
        }
    }
}
