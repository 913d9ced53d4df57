import _WeightInitKernels

/// Philox counter word `c3` values of the helper sub-streams
/// (<doc:StreamFormatSpecification>, "Helper sub-streams"). Bit 31 set marks a helper; the
/// distributions use `c3 < 2³¹` (0 for the main stream), so no helper ever
/// reads a block a distribution reads.
enum HelperSubStream {
    /// `RandomStream/bernoulliMask(count:probability:startIndex:)`.
    static let bernoulli: UInt32 = 0x8000_0001
    /// `RandomStream/randomPermutation(of:column:)` (and, in stream-format
    /// version 1, sparse's zero rows).
    static let permutationKeys: UInt32 = 0x8000_0002
    /// Sparse's rank keys (`SparseRanking`, stream-format version 2).
    static let sparseKeys: UInt32 = 0x8000_0003
    /// Sparse's tie keys, which order equal rank keys.
    static let sparseTieKeys: UInt32 = 0x8000_0004
}

extension RandomStream {
    /// Whether each element at flat index `startIndex ..< startIndex + count`
    /// is kept, each independently with probability `probability`.
    ///
    /// Element `i` takes the 64-bit word `m` of block `i / 2` of sub-stream
    /// `0x8000_0001` (words `(w0, w1)` for even `i`, `(w2, w3)` for odd, low
    /// word first) and is kept iff `m < ⌈p·2⁶⁴⌉` — so P(kept) is p to within
    /// 2⁻⁶⁴, `p = 0` keeps nothing and `p = 1` everything.
    ///
    /// ```swift
    /// let keep = try RandomStream(seed: 9).bernoulliMask(count: 1000, probability: 0.1)
    /// ```
    ///
    /// - Throws: ``WeightInitError/invalidParameter(_:value:reason:)`` unless
    ///   0 ≤ probability ≤ 1, count ≥ 0 and the index range ends by 2⁶⁴.
    package func bernoulliMask(count: Int, probability: Double, startIndex: UInt64 = 0) throws -> [Bool] {
        guard probability >= 0, probability <= 1 else {
            throw WeightInitError.invalidParameter("probability", value: "\(probability)", reason: "must be in [0, 1]")
        }
        guard count >= 0, UInt64(count) <= UInt64.max - startIndex else {
            throw WeightInitError.invalidParameter(
                "count", value: "\(count)", reason: "must be ≥ 0 with startIndex (\(startIndex)) + count ≤ 2⁶⁴")
        }
        if probability == 1 { return [Bool](repeating: true, count: count) }
        // p·2⁶⁴ is exact (a power-of-two scaling) and below 2⁶⁴ − 2¹⁰, so its
        // ceiling fits; for an integer m, m < p·2⁶⁴ ⇔ m < ⌈p·2⁶⁴⌉.
        let threshold = UInt64((probability * 0x1p64).rounded(.up))
        return (0 ..< UInt64(count)).map { offset in
            let i = startIndex + offset
            let w = philoxBlock(i / 2, subStream: HelperSubStream.bernoulli)
            let m = i % 2 == 0 ? UInt64(w.0) | UInt64(w.1) << 32 : UInt64(w.2) | UInt64(w.3) << 32
            return m < threshold
        }
    }

    /// A uniformly random permutation of `0 ..< n`, the `column`-th of this
    /// stream.
    ///
    /// Position `j` gets a 128-bit key from block `column·2³² + j` of
    /// sub-stream `0x8000_0002`, `(w0 | w1 << 32, w2 | w3 << 32)` compared
    /// as (high, low); positions are listed by increasing key, ties (chance
    /// below n²·2⁻¹²⁹) by position. I.i.d. keys make every order equally
    /// likely.
    ///
    /// Why keys rather than a Fisher–Yates shuffle: a key is a pure function of
    /// (column, position), so the result is specified without rejection loops
    /// for unbiased bounded integers and without an order of draws. The cost
    /// is O(n log n) per column.
    ///
    /// - Throws: ``WeightInitError/invalidParameter(_:value:reason:)`` unless
    ///   0 ≤ n ≤ 2³² and 0 ≤ column < 2³².
    package func randomPermutation(of n: Int, column: Int = 0) throws -> [Int] {
        try checkPermutation(n: n, column: column)
        let base = UInt64(column) << 32
        let keyed = (0 ..< n).map { j in
            let w = philoxBlock(base + UInt64(j), subStream: HelperSubStream.permutationKeys)
            return (high: UInt64(w.0) | UInt64(w.1) << 32, low: UInt64(w.2) | UInt64(w.3) << 32, position: j)
        }
        return keyed.sorted { ($0.high, $0.low, $0.position) < ($1.high, $1.low, $1.position) }.map(\.position)
    }

    private func checkPermutation(n: Int, column: Int) throws {
        guard n >= 0, UInt64(n) <= 1 << 32 else {
            throw WeightInitError.invalidParameter("n", value: "\(n)", reason: "must be in 0 ... 2³²")
        }
        guard column >= 0, UInt64(column) < 1 << 32 else {
            throw WeightInitError.invalidParameter("column", value: "\(column)", reason: "must be in 0 ..< 2³²")
        }
    }

    /// Block `block` of sub-stream `subStream`: Philox4x32-10 with counter
    /// (block low, block high, stream, subStream) and key (seed low, seed high).
    func philoxBlock(_ block: UInt64, subStream: UInt32) -> (UInt32, UInt32, UInt32, UInt32) {
        let counter = SIMD4<UInt32>(UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32),
                                    stream, subStream)
        let key = SIMD2<UInt32>(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        var out = SIMD4<UInt32>()
        withUnsafePointer(to: counter) { c in
            withUnsafePointer(to: key) { k in
                withUnsafeMutablePointer(to: &out) { o in
                    wi_philox4x32_10(UnsafeRawPointer(c).assumingMemoryBound(to: UInt32.self),
                                     UnsafeRawPointer(k).assumingMemoryBound(to: UInt32.self),
                                     UnsafeMutableRawPointer(o).assumingMemoryBound(to: UInt32.self))
                }
            }
        }
        return (out[0], out[1], out[2], out[3])
    }
}
