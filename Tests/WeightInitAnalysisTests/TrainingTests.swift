import Testing
@_spi(Plumbing) import WeightInit
@testable import WeightInitAnalysis

/// The five claims of <doc:WhyInitialisationMatters>, pinned by training.
///
/// One small setup for all of them — 6 hidden layers of 32 units, 256
/// training points, 30 epochs, seed 0, one thread — so each run takes well
/// under a second in a debug build. Runs used by several tests are shared.
/// The measured values (in the comments) leave every bound a wide margin.
@Suite struct TrainingTests {
    static let setup = TrainingSetup(
        activation: .relu, depth: 6, width: 32, epochs: 30, learningRate: 0.1, batch: 16, samples: 256,
        targetAccuracy: 0.9, seed: 0, threads: 1)

    static func setup(_ activation: Nonlinearity, epochs: Int = setup.epochs) -> TrainingSetup {
        var setup = Self.setup
        (setup.activation, setup.epochs) = (activation, epochs)
        return setup
    }

    /// A run shared by the tests that need it, computed once.
    final class Shared: Sendable {
        let result: Result<TrainingResult, any Error>
        init(_ initializer: Initializer, _ setup: TrainingSetup) {
            result = Result { try Training.run(initializer, setup: setup) }
        }
        func get() throws -> TrainingResult { try result.get() }
    }

    static let baseline = Result { try Training.linearBaseline(setup: setup) }
    static let heRelu = Shared(.kaimingNormal(), setup(.relu))
    static let smallRelu = Shared(.normal(std: 0.01), setup(.relu))
    static let smallTanh = Shared(.normal(std: 0.01), setup(.tanh))

    // MARK: 1. Equal weights keep every unit identical

    /// Zeros: every hidden activation is φ(0) and every hidden gradient 0, so
    /// nothing but the output bias moves. A constant: the units of a layer
    /// start equal, get equal gradients and stay equal — a network of width 1.
    @Test(arguments: [("zeros", Initializer.zeros), ("constant 0.1", .constant(0.1))])
    func equalWeightsKeepOneUnitPerLayerAndBeatNoLinearModel(name: String, initializer: Initializer) throws {
        let r = try Training.run(initializer, setup: Self.setup)
        let baseline = try Self.baseline.get()
        #expect(r.distinctUnitsAtStart == Array(repeating: 1, count: 6), "\(name)")
        #expect(r.distinctUnitsAtEnd == Array(repeating: 1, count: 6), "\(name)")
        // Measured: held-out accuracy 0.500 throughout, loss 0.6931; the
        // linear baseline ends at 0.535 (best 0.555), loss 0.667.
        #expect(r.heldOutAccuracy.max()! <= baseline.heldOutAccuracy.max()! + 0.02, "\(name): \(r.heldOutAccuracy)")
        #expect(r.heldOutLoss.last! >= baseline.heldOutLoss.last! - 0.005, "\(name): \(r.heldOutLoss)")
        #expect(r.epochsToTarget == nil && r.divergedEpoch == nil)
    }

    /// Random weights start with every unit different (and keep them so).
    @Test func randomWeightsStartWithEveryUnitDistinct() throws {
        let he = try Self.heRelu.get()
        #expect(he.distinctUnitsAtStart == Array(repeating: 32, count: 6))
        #expect(he.distinctUnitsAtEnd == Array(repeating: 32, count: 6))
    }

    /// The symmetry does not depend on the activation. (With tanh a width-1
    /// network can learn one non-linear feature, so it is not pinned below
    /// the linear baseline — but it stays one unit wide.)
    @Test func symmetryHoldsThroughTanhToo() throws {
        let r = try Training.run(.constant(0.1), setup: Self.setup(.tanh, epochs: 10))
        #expect(r.distinctUnitsAtEnd == Array(repeating: 1, count: 6))
        #expect(r.heldOutAccuracy.max()! < 0.8)
    }

    // MARK: 2. Too-small weights: signals and gradients vanish

    @Test(arguments: [Nonlinearity.relu, .tanh])
    func smallWeightsDoNotLearnAndTheirGradientsVanish(activation: Nonlinearity) throws {
        let small = try (activation == .relu ? Self.smallRelu : Self.smallTanh).get()
        // Measured: every epoch within 0.1 % of the initial ln 2.
        for losses in [small.heldOutLoss, small.trainingLoss] {
            #expect(losses.allSatisfy { abs($0 / losses[0] - 1) < 0.02 }, "\(activation): \(losses)")
        }
        #expect(small.epochsToTarget == nil)
        // The first layer's gradient against He's in the same network
        // (measured: 5.3e-10 vs 0.14 with ReLU, 5.7e-9 vs 0.15 with tanh).
        let he = activation == .relu
            ? try Self.heRelu.get() : try Training.run(.kaimingNormal(), setup: Self.setup(activation, epochs: 1))
        #expect(small.firstStepGradientNorms[0] * 1e6 <= he.firstStepGradientNorms[0],
                "\(activation): \(small.firstStepGradientNorms[0]) vs \(he.firstStepGradientNorms[0])")
        // It shrinks layer by layer towards the input.
        #expect(small.firstStepGradientNorms[0] < small.firstStepGradientNorms.last!)
    }

    // MARK: 3. Too-large weights: signals and gradients explode

    @Test func largeWeightsInADeepReluNetworkDivergeOrStall() throws {
        let big = try Training.run(.normal(std: 1), setup: Self.setup)
        let he = try Self.heRelu.get()
        // Measured: the initial loss is 685 (logits of order 10³), the first
        // layer's gradient 1.1e3 against He's 0.15, and the loss is not finite
        // after epoch 1.
        #expect(big.heldOutLoss[0] > 100 * he.heldOutLoss[0], "\(big.heldOutLoss)")
        #expect(big.firstStepGradientNorms[0] > 100 * he.firstStepGradientNorms[0])
        #expect(big.divergedEpoch != nil || big.epochsToTarget == nil, "diverged \(String(describing: big.divergedEpoch))")
        if let epoch = big.divergedEpoch {
            #expect(big.heldOutLoss.count == epoch + 1 && big.heldOutLoss.last! == .infinity)
        }
    }

    // MARK: 4. The variance made for the activation keeps training stable

    @Test(arguments: [
        (Nonlinearity.relu, Initializer.kaimingNormal()),
        (.tanh, .xavierUniform(gain: 5.0 / 3.0)),
        (.selu, .lecunNormal()),
        (.tanh, .orthogonal(gain: 5.0 / 3.0)),
    ])
    func theMatchingSchemeReachesTheTarget(activation: Nonlinearity, initializer: Initializer) throws {
        let r = activation == .relu ? try Self.heRelu.get() : try Training.run(initializer, setup: Self.setup(activation))
        // Measured: epochs 13 (He), 4 (Xavier), 8 (LeCun), 6 (orthogonal) of 30.
        let epoch = try #require(r.epochsToTarget, "\(activation) \(initializer): \(r.heldOutAccuracy)")
        #expect(epoch <= 25)
        #expect(r.divergedEpoch == nil)
        #expect(r.heldOutLoss.last! < 0.5 * r.heldOutLoss[0])
    }

    /// A deep *linear* network computes a linear function, so the linear
    /// baseline is the most it can reach: orthogonal weights keep its signal
    /// intact and it gets there; N(0, 0.01) weights never leave the start.
    @Test func orthogonalTrainsADeepLinearNetworkToTheLinearOptimum() throws {
        let orthogonal = try Training.run(.orthogonal(), setup: Self.setup(.linear))
        let baseline = try Self.baseline.get()
        // Measured: 0.7712 → 0.6669; the baseline ends at 0.6673.
        #expect(abs(orthogonal.heldOutLoss.last! - baseline.heldOutLoss.last!) < 0.01)
        #expect(orthogonal.heldOutLoss.last! < orthogonal.heldOutLoss[0] - 0.05)
    }

    // MARK: 5. Good initialisation speeds up convergence

    @Test func heReachesTheTargetBeforeSmallWeightsEverDo() throws {
        let he = try Self.heRelu.get(), small = try Self.smallRelu.get()
        let epoch = try #require(he.epochsToTarget)
        #expect(epoch < (small.epochsToTarget ?? Int.max))
        // PyTorch's default for Linear, U(±1/√fan_in) — a third of LeCun's
        // variance — does not get there in the same budget either (measured:
        // best held-out accuracy 0.65).
        let pytorch = try Training.run(.uniformFanIn, setup: Self.setup)
        #expect(epoch < (pytorch.epochsToTarget ?? Int.max))
    }

    // MARK: Mechanics

    @Test(arguments: [1, 2])
    func trainingIsBitReproducibleForASeedAndThreadCount(threads: Int) throws {
        var setup = TrainingSetup(activation: .tanh, depth: 3, width: 8, epochs: 3, batch: 8, samples: 64, threads: threads)
        let first = try Training.run(.xavierNormal(), setup: setup)
        #expect(try Training.run(.xavierNormal(), setup: setup) == first)
        setup.seed = 1
        #expect(try Training.run(.xavierNormal(), setup: setup) != first)
    }

    @Test func resultsHaveOneEntryPerEpochAndLayer() throws {
        let r = try Training.run(.lecunNormal(), setup: TrainingSetup(depth: 3, width: 8, epochs: 4, batch: 8, samples: 16, threads: 1))
        for values in [r.trainingLoss, r.trainingAccuracy, r.heldOutLoss, r.heldOutAccuracy] { #expect(values.count == 5) }
        #expect(r.distinctUnitsAtStart.count == 3 && r.distinctUnitsAtEnd.count == 3)
        #expect(r.firstStepGradientNorms.count == 4)
        let baseline = try Training.linearBaseline(setup: TrainingSetup(epochs: 2, batch: 8, samples: 16, threads: 1))
        #expect(baseline.distinctUnitsAtStart.isEmpty && baseline.firstStepGradientNorms.count == 1)
        #expect(baseline.heldOutLoss.count == 3)
    }

    static let invalidSetups: [(String, TrainingSetup)] = {
        func with(_ change: (inout TrainingSetup) -> Void) -> TrainingSetup {
            var setup = TrainingSetup()
            change(&setup)
            return setup
        }
        return [
            ("depth", with { $0.depth = 0 }), ("width", with { $0.width = 0 }), ("epochs", with { $0.epochs = 0 }),
            ("learningRate", with { $0.learningRate = 0 }), ("learningRate", with { $0.learningRate = -1 }),
            ("learningRate", with { $0.learningRate = .nan }), ("momentum", with { $0.momentum = 1 }),
            ("momentum", with { $0.momentum = -0.1 }), ("batch", with { $0.batch = 0 }),
            ("samples", with { $0.samples = 1 }), ("targetAccuracy", with { $0.targetAccuracy = 0 }),
            ("targetAccuracy", with { $0.targetAccuracy = 1.5 }), ("threads", with { $0.threads = 0 }),
        ]
    }()

    @Test(arguments: invalidSetups.indices)
    func rejectsSetupsOutOfRange(index: Int) {
        let (name, setup) = Self.invalidSetups[index]
        #expect {
            try Training.run(.kaimingNormal(), setup: setup)
        } throws: { error in
            guard case let .invalidParameter(parameter, _, _) = error as? WeightInitError else { return false }
            return parameter == name
        }
    }
}
