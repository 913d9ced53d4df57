import Testing
@_spi(Plumbing) import WeightInit

/// Independence: within a stream (lags), across seeds and across streams.
/// Each |corr| bound is 5/√n (a null correlation exceeds it with probability
/// below 10⁻⁶; with fixed seeds the outcome is fixed).
struct CorrelationTests {
    static let n = 100_000
    static let distributions: [Distribution] = [.uniform(low: -1, high: 1), .normal(mean: 0, std: 1)]

    func sample<T: WeightScalar>(_: T.Type, _ stream: RandomStream, _ distribution: Distribution,
                                 count: Int = n) throws -> [Double] {
        try stream.makeArray(of: T.self, count: count, with: distribution).map(\.doubleValue)
    }

    /// Lags 1–5 and 8 cover the neighbours inside a Philox block (4 floats
    /// or 2 doubles), the Box–Muller pairs and the next blocks.
    @Test(arguments: distributions)
    func lagCorrelationsVanish(_ distribution: Distribution) throws {
        for x in [try sample(Float.self, RandomStream(seed: 101), distribution),
                  try sample(Double.self, RandomStream(seed: 101), distribution)] {
            for lag in [1, 2, 3, 4, 5, 8] {
                let r = Statistics.correlation(Array(x.dropLast(lag)), Array(x.dropFirst(lag)))
                #expect(abs(r) < Statistics.correlationBound(n: x.count - lag), "lag \(lag): \(r)")
            }
        }
    }

    /// Neighbouring seeds (differing in the low key word, and in the high
    /// one) and neighbouring streams are uncorrelated index by index.
    @Test(arguments: distributions)
    func neighbouringSeedsAndStreamsAreUncorrelated(_ distribution: Distribution) throws {
        let base = RandomStream(seed: 0x1234_5678, stream: 6)
        let neighbours = [RandomStream(seed: base.seed + 1, stream: 6), RandomStream(seed: base.seed + (1 << 32), stream: 6),
                          RandomStream(seed: base.seed, stream: 7), RandomStream(seed: base.seed - 1, stream: 5)]
        let x = try sample(Float.self, base, distribution)
        let xd = try sample(Double.self, base, distribution)
        for other in neighbours {
            let r = Statistics.correlation(x, try sample(Float.self, other, distribution))
            #expect(abs(r) < Statistics.correlationBound(n: Self.n), "\(other): \(r)")
            let rd = Statistics.correlation(xd, try sample(Double.self, other, distribution))
            #expect(abs(rd) < Statistics.correlationBound(n: Self.n), "\(other) (double): \(rd)")
        }
    }

    /// No value of one stream reappears in a neighbouring stream or seed, at
    /// any index: this catches streams that are shifted copies of each other,
    /// which index-by-index correlation misses. Double uniforms carry 53 random
    /// bits, so a chance repeat among 2 × 50k values has probability ~10⁻⁶.
    @Test func noSharedValuesBetweenStreams() throws {
        let count = 50_000
        let base = RandomStream(seed: 99, stream: 0)
        let streams = [base, RandomStream(seed: 99, stream: 1), RandomStream(seed: 100, stream: 0),
                       RandomStream(seed: 99 + (1 << 32), stream: 0)]
        let values = try streams.map {
            Set(try $0.makeArray(of: Double.self, count: count, with: .uniform(low: 0, high: 1)).map(\.bitPattern))
        }
        for (k, set) in values.enumerated() {
            #expect(set.count == count, "values repeat inside \(streams[k])")
            for other in values[(k + 1)...] {
                #expect(set.isDisjoint(with: other), "\(streams[k]) shares values")
            }
        }
    }
}
