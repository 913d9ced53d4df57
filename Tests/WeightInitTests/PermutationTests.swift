import Testing
@_spi(Plumbing) import WeightInit
import _WeightInitKernels

/// The index-addressable helpers: random permutations and Bernoulli masks
/// (sparse's rank keys: SparseRankingTests). Checked against the layout written in
/// StreamFormatSpecification.md ("Helper sub-streams"), against theory (χ² at α = 10⁻⁶,
/// 6-σ counts) and against the main stream (no shared blocks).
struct PermutationTests {
    /// Philox4x32-10 for (block, stream, c3) under `seed`, straight from the kernel.
    static func block(seed: UInt64, stream: UInt32, c3: UInt32, _ b: UInt64) -> [UInt32] {
        let counter: [UInt32] = [UInt32(truncatingIfNeeded: b), UInt32(truncatingIfNeeded: b >> 32), stream, c3]
        let key: [UInt32] = [UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)]
        var out = [UInt32](repeating: 0, count: 4)
        wi_philox4x32_10(counter, key, &out)
        return out
    }

    // MARK: Subsets and permutations

    @Test func permutationsArePermutations() throws {
        let stream = RandomStream(seed: 3, stream: 1)
        for n in [0, 1, 2, 7, 100] {
            #expect(try stream.randomPermutation(of: n, column: 5).sorted() == Array(0 ..< n))
        }
        #expect(try stream.randomPermutation(of: 100, column: 0) != stream.randomPermutation(of: 100, column: 1))
        #expect(try stream.randomPermutation(of: 100, column: 0)
            == RandomStream(seed: 3, stream: 1).randomPermutation(of: 100, column: 0))
    }

    /// The documented layout: keys from block column·2³² + j of sub-stream
    /// 0x8000_0002, ordered by (w0 | w1 << 32, w2 | w3 << 32).
    @Test func permutationFollowsTheStreamFormat() throws {
        let seed: UInt64 = 0xFEED_0000_BEEF, streamID: UInt32 = 9, column = 12, n = 300
        let keys = (0 ..< n).map { j in
            let w = Self.block(seed: seed, stream: streamID, c3: 0x8000_0002, UInt64(column) << 32 + UInt64(j))
            return (UInt64(w[0]) | UInt64(w[1]) << 32, UInt64(w[2]) | UInt64(w[3]) << 32, j)
        }
        let expected = keys.sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }.map(\.2)
        #expect(try RandomStream(seed: seed, stream: streamID).randomPermutation(of: n, column: column) == expected)
    }

    /// All 24 orders of 4 positions equally likely (χ², 23 degrees of
    /// freedom, critical value 70.5 at α = 10⁻⁶).
    @Test func permutationsAreUniform() throws {
        let stream = RandomStream(seed: 23, stream: 4)
        var counts: [[Int]: Int] = [:]
        for column in 0 ..< 12_000 {
            counts[try stream.randomPermutation(of: 4, column: column), default: 0] += 1
        }
        #expect(counts.count == 24)
        #expect(Statistics.chiSquareUniform(Array(counts.values)) < 70.5)
    }

    @Test func badPermutationArgumentsThrow() {
        let stream = RandomStream(seed: 1)
        for (n, column) in [(-1, 0), (10, -1), (10, 1 << 32), ((1 << 32) + 1, 0)] {
            #expect(throws: WeightInitError.self, "n \(n) column \(column)") {
                try stream.randomPermutation(of: n, column: column)
            }
        }
    }

    // MARK: Bernoulli masks

    @Test(arguments: [0.001, 0.1, 0.5, 0.9])
    func bernoulliFrequencyMatches(_ p: Double) throws {
        let n = 200_000
        let mask = try RandomStream(seed: 41).bernoulliMask(count: n, probability: p)
        let kept = Double(mask.filter { $0 }.count)
        #expect(abs(kept - p * Double(n)) < 6 * (Double(n) * p * (1 - p)).squareRoot())
        let bits = mask.map { $0 ? 1.0 : 0.0 }
        for lag in [1, 2, 3, 4] {
            let r = Statistics.correlation(Array(bits.dropLast(lag)), Array(bits.dropFirst(lag)))
            #expect(abs(r) < Statistics.correlationBound(n: n - lag), "lag \(lag): \(r)")
        }
    }

    @Test func bernoulliEdgesAndLayout() throws {
        let stream = RandomStream(seed: 0xABCD, stream: 2)
        #expect(try stream.bernoulliMask(count: 1000, probability: 0).allSatisfy { !$0 })
        #expect(try stream.bernoulliMask(count: 1000, probability: 1).allSatisfy { $0 })
        // Slices of a mask are masks of the slice's indices.
        let full = try stream.bernoulliMask(count: 101, probability: 0.3, startIndex: 1 << 33)
        #expect(try stream.bernoulliMask(count: 50, probability: 0.3, startIndex: (1 << 33) + 51) == Array(full[51...]))
        // The documented layout: 64-bit words of block i/2 of sub-stream 0x8000_0001.
        let p = 0.3, threshold = UInt64((p * 0x1p64).rounded(.up))
        let expected = (0 ..< UInt64(101)).map { offset in
            let i = (1 << 33) + offset
            let w = Self.block(seed: 0xABCD, stream: 2, c3: 0x8000_0001, i / 2)
            let m = i % 2 == 0 ? UInt64(w[0]) | UInt64(w[1]) << 32 : UInt64(w[2]) | UInt64(w[3]) << 32
            return m < threshold
        }
        #expect(full == expected)
        for bad in [-0.1, 1.1, .nan, .infinity] {
            #expect(throws: WeightInitError.self) { try stream.bernoulliMask(count: 10, probability: bad) }
        }
        #expect(throws: WeightInitError.self) { try stream.bernoulliMask(count: -1, probability: 0.5) }
        #expect(throws: WeightInitError.self) { try stream.bernoulliMask(count: 2, probability: 0.5, startIndex: .max) }
    }

    /// The mask reads a sub-stream the fill never reads: mask bits and the
    /// uniform fill at the same indices are uncorrelated.
    @Test func bernoulliIsIndependentOfTheMainStream() throws {
        let n = 100_000
        let stream = RandomStream(seed: 55)
        let mask = try stream.bernoulliMask(count: n, probability: 0.5).map { $0 ? 1.0 : 0.0 }
        for values in [try stream.makeArray(of: Double.self, count: n, with: .uniform(low: 0, high: 1)).map(\.doubleValue),
                       try stream.makeArray(of: Float.self, count: n, with: .uniform(low: 0, high: 1)).map(\.doubleValue)] {
            let r = Statistics.correlation(mask, values)
            #expect(abs(r) < Statistics.correlationBound(n: n), "\(r)")
        }
    }
}
