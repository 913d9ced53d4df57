import Testing
@_spi(Plumbing) import WeightInit
@testable import WeightInitAnalysis

/// The largest sizes are refused with an error, never a trap: `depth + 1`
/// and `9 + depth` overflowed Int at `Int.max`.
@Suite struct AnalysisSizeLimitTests {
    @Test func propagationRefusesTheLargestDepth() {
        #expect(throws: WeightInitError.self) {
            try Propagation.run(.kaimingNormal(), activation: .relu, depth: Int.max, width: 2, batch: 2)
        }
    }

    @Test func trainingRefusesTheLargestDepth() {
        #expect(throws: WeightInitError.self) {
            try Training.run(.kaimingNormal(), setup: TrainingSetup(depth: Int.max, width: 2, epochs: 1, samples: 2))
        }
    }

    /// Epoch e's batch order is column e − 1 of a 32-bit-indexed permutation:
    /// more than 2³² epochs are refused before training, not at epoch 2³² + 1.
    @Test func trainingRefusesMoreEpochsThanBatchOrders() throws {
        #expect(throws: WeightInitError.self) {
            try TrainingSetup(epochs: (1 << 32) + 1).validate()
        }
        try TrainingSetup(epochs: 1 << 32).validate()
    }
}
