import Testing
@testable import WeightInitAnalysis

/// The task: balanced, scaled like the inputs initialisers assume, and a pure
/// function of (seed, streams).
@Suite struct TwoSpiralsTests {
    @Test func classesAlternateAndCoordinatesHaveUnitVariance() throws {
        let spirals = try TwoSpirals(count: 4096, seed: 1, positions: 0, noise: 1)
        #expect(spirals.labels == (0 ..< 4096).map { $0 % 2 })
        for axis in 0 ..< 2 {
            let values = stride(from: axis, to: 2 * 4096, by: 2).map { spirals.inputs[$0] }
            let s = TensorStatistics(values)
            // E[x] = 0 and Var[x] = E[r²]/2 + noise² = 1.01 over the spiral.
            #expect(abs(s.mean) < 0.1, "axis \(axis): mean \(s.mean)")
            #expect(abs(s.std * s.std - 1.01) < 0.1, "axis \(axis): variance \(s.std * s.std)")
        }
    }

    @Test func pointsArePureFunctionsOfSeedAndStreams() throws {
        let a = try TwoSpirals(count: 64, seed: 7, positions: 0, noise: 1)
        #expect(try TwoSpirals(count: 64, seed: 7, positions: 0, noise: 1).inputs == a.inputs)
        #expect(try TwoSpirals(count: 64, seed: 8, positions: 0, noise: 1).inputs != a.inputs)
        #expect(try TwoSpirals(count: 64, seed: 7, positions: 2, noise: 3).inputs != a.inputs)
        // A longer set starts with the shorter one.
        #expect(Array(try TwoSpirals(count: 128, seed: 7, positions: 0, noise: 1).inputs.prefix(128)) == a.inputs)
    }
}
