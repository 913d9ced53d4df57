@_spi(Plumbing) import WeightInit

/// Trains a small fully connected network from an initialiser and measures
/// what the initialisation did to training — the experiment behind
/// <doc:WhyInitialisationMatters>.
///
/// The network (``TrainingSetup``: `depth` hidden layers of `width` units,
/// a linear output layer, biases starting at 0) learns to tell two
/// interleaved spirals apart by mini-batch SGD on the softmax cross-entropy,
/// forward and backward through BLAS `sgemm`. Each epoch visits the training
/// set once in a fresh random order; after it, the loss and accuracy on the
/// training set and on a held-out set of as many points are measured.
///
/// ```swift
/// let setup = TrainingSetup(activation: .relu, depth: 6, width: 32)
/// let he = try Training.run(.kaimingNormal(), setup: setup)
/// he.epochsToTarget                 // reaches 90 % held-out accuracy within a few epochs
/// let zeros = try Training.run(.zeros, setup: setup)
/// zeros.distinctUnitsAtEnd          // [1, 1, 1, 1, 1, 1]: every unit still the same
/// ```
///
/// Randomness, all from the setup's seed: the training points are streams 0
/// (positions) and 1 (noise), the held-out points streams 2 and 3, the batch
/// order of epoch `e` is column `e − 1` of stream 4's random permutations,
/// and layer `l`'s weights (1-based, the output layer last; shape
/// `[outputs, inputs]`, `Layout/torch`) are stream `8 + l`. So schemes
/// compared at one seed see the same data in the same order. Training runs in
/// Float; results are bit-reproducible for a seed on one machine at a fixed
/// thread count (the matrix products round differently with the count).
public enum Training {
    /// Trains the network of `setup` with every weight matrix from
    /// `initializer` and reports what happened.
    ///
    /// - Throws: `WeightInitError/invalidParameter(_:value:reason:)` for a
    ///   setup field out of range or `initializer`'s own parameter errors
    ///   (for the shapes `[width, 2]`, `[width, width]` and `[2, width]`);
    ///   `WeightInitError/tooLarge(shape:reason:)` if the network does not
    ///   fit in memory.
    public static func run(_ initializer: Initializer, setup: TrainingSetup = TrainingSetup()) throws -> TrainingResult {
        try setup.validate()
        return try train(initializer, setup, hiddenLayers: setup.depth, as: Float.self)
    }

    /// The same training for a network without hidden layers — logistic
    /// regression on the raw points, from zero weights — the best a linear
    /// model does on the task. A deep network that does no better has
    /// learnt nothing that needed its depth.
    ///
    /// `setup.depth`, `width` and `activation` play no part; the result has
    /// no hidden layers to count units of and one gradient norm.
    public static func linearBaseline(setup: TrainingSetup = TrainingSetup()) throws -> TrainingResult {
        try setup.validate()
        return try train(.zeros, setup, hiddenLayers: 0, as: Float.self)
    }

    /// The streams of <doc:WhyInitialisationMatters>'s experiment (see above).
    enum Stream {
        static let trainingPositions: UInt32 = 0
        static let trainingNoise: UInt32 = 1
        static let heldOutPositions: UInt32 = 2
        static let heldOutNoise: UInt32 = 3
        static let batchOrder: UInt32 = 4
        /// Layer `layer`'s weights, 1-based.
        static func weights(layer: Int) -> UInt32 { UInt32(8 + layer) }
    }

    /// `[outputs, inputs]` of every layer: `hiddenLayers` of `width` units, then the output layer.
    static func shapes(hiddenLayers: Int, width: Int) -> [[Int]] {
        var inputs = 2, shapes: [[Int]] = []
        for _ in 0 ..< hiddenLayers {
            shapes.append([width, inputs])
            inputs = width
        }
        return shapes + [[TwoSpirals.classes, inputs]]
    }

    private static func train<T: BLASScalar>(
        _ initializer: Initializer, _ setup: TrainingSetup, hiddenLayers: Int, as type: T.Type
    ) throws -> TrainingResult {
        guard hiddenLayers < Int(UInt32.max) - 9 else {
            throw WeightInitError.invalidParameter("depth", value: "\(hiddenLayers)", reason: "must be < 2³² − 9")
        }
        let shapes = shapes(hiddenLayers: hiddenLayers, width: setup.width)
        // Held at once: the weights with their gradients and velocities, and
        // every layer's activations for the larger of a batch and a chunk.
        let rows = max(setup.batch, Trainer<T>.evaluationChunk)
        _ = try Shape.elementCount([3 * (hiddenLayers + 1), max(setup.width, 2), max(setup.width, 2)], elementSize: MemoryLayout<T>.stride)
        _ = try Shape.elementCount([2 * (hiddenLayers + 2), rows, max(setup.width, 2)], elementSize: MemoryLayout<T>.stride)

        let training = try TwoSpirals(count: setup.samples, seed: setup.seed,
                                      positions: Stream.trainingPositions, noise: Stream.trainingNoise)
        let heldOut = try TwoSpirals(count: setup.samples, seed: setup.seed,
                                     positions: Stream.heldOutPositions, noise: Stream.heldOutNoise)
        let order = RandomStream(seed: setup.seed, stream: Stream.batchOrder)
        let options = FillOptions(threads: setup.threads)

        return try BLASThreads.with(setup.threads) {
            var network = DenseNetwork<T>()
            for (index, shape) in shapes.enumerated() {
                let weights: [T] = try initializer.makeArray(
                    shape: shape, layout: .torch, seed: setup.seed, stream: Stream.weights(layer: index + 1), options: options)
                network.layers.append(.init(
                    inputs: shape[1], outputs: shape[0], weights: weights, bias: [T](repeating: 0, count: shape[0]),
                    activation: index < hiddenLayers ? setup.activation : .linear))
            }
            var trainer = Trainer<T>(
                network: network, optimizer: GradientDescent(learningRate: setup.learningRate, momentum: setup.momentum),
                training: .init(training), heldOut: .init(heldOut))
            func hiddenUnits() -> [Int] { trainer.network.layers.dropLast().map(\.distinctUnits) }

            var result = TrainingResult(
                trainingLoss: [], trainingAccuracy: [], heldOutLoss: [], heldOutAccuracy: [],
                epochsToTarget: nil, divergedEpoch: nil, distinctUnitsAtStart: hiddenUnits(), distinctUnitsAtEnd: [],
                firstStepGradientNorms: [])
            /// Records the measurements after `epoch`; false once the run has diverged.
            func record(_ epoch: Int) -> Bool {
                var (trainingLoss, trainingAccuracy) = trainer.measure(trainer.training)
                var (heldOutLoss, heldOutAccuracy) = trainer.measure(trainer.heldOut)
                let diverged = !trainingLoss.isFinite || !heldOutLoss.isFinite
                if diverged { (trainingLoss, heldOutLoss) = (.infinity, .infinity) }
                result.trainingLoss.append(trainingLoss)
                result.trainingAccuracy.append(trainingAccuracy)
                result.heldOutLoss.append(heldOutLoss)
                result.heldOutAccuracy.append(heldOutAccuracy)
                if result.epochsToTarget == nil, heldOutAccuracy >= setup.targetAccuracy { result.epochsToTarget = epoch }
                if diverged { result.divergedEpoch = epoch }
                return !diverged
            }

            func batches(of epoch: Int) throws -> [ArraySlice<Int>] {
                let permutation = try order.randomPermutation(of: setup.samples, column: epoch - 1)
                return stride(from: 0, to: setup.samples, by: setup.batch).map {
                    permutation[$0 ..< min($0 + setup.batch, setup.samples)]
                }
            }
            // The first step's gradients, measured even if the run diverges at once.
            result.firstStepGradientNorms = trainer.gradients(try batches(of: 1)[0]).map { Trainer<T>.norm($0.weights) }

            if record(0) {
                for epoch in 1 ... setup.epochs {
                    for batch in try batches(of: epoch) { trainer.step(batch) }
                    guard record(epoch) else { break }
                }
            }
            result.distinctUnitsAtEnd = hiddenUnits()
            return result
        }
    }
}
