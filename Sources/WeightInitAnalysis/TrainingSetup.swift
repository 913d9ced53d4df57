@_spi(Plumbing) import WeightInit

/// What ``Training`` trains, with what and for how long: the network, the
/// optimiser and the budget. The defaults are `weightinit train`'s.
///
/// The network is `depth` hidden layers of `width` units, each followed by
/// `activation`, then a linear output layer with one unit per class; every
/// layer is dense with a bias. The task is two interleaved spirals,
/// `samples` points to train on and as many held out.
public struct TrainingSetup: Sendable, Equatable {
    /// The activation after every hidden layer; the output layer is linear.
    public var activation: Nonlinearity
    /// Hidden layers, ≥ 1; the network has `depth + 1` weight matrices.
    public var depth: Int
    /// Units per hidden layer, ≥ 1.
    public var width: Int
    /// Passes over the training set, in 1 ... 2³² (epoch `e`'s batch order
    /// is column `e − 1` of a random permutation, and columns are 32-bit).
    public var epochs: Int
    /// The step size η, finite and > 0.
    public var learningRate: Double
    /// The momentum μ, in [0, 1); 0 is plain SGD.
    public var momentum: Double
    /// Training points per step, ≥ 1; an epoch's last step takes the remainder.
    public var batch: Int
    /// Points in the training set, and again in the held-out set; ≥ 2.
    public var samples: Int
    /// The held-out accuracy that ``TrainingResult/epochsToTarget`` waits
    /// for, in (0, 1].
    public var targetAccuracy: Double
    /// The seed of the data, the batch order and the weights.
    public var seed: UInt64
    /// OpenBLAS and sampling threads, ≥ 1; `nil`: every core. Results are
    /// bit-reproducible for a seed at a fixed thread count.
    public var threads: Int?

    public init(
        activation: Nonlinearity = .relu, depth: Int = 8, width: Int = 64, epochs: Int = 40,
        learningRate: Double = 0.1, momentum: Double = 0, batch: Int = 32, samples: Int = 1024,
        targetAccuracy: Double = 0.9, seed: UInt64 = 0, threads: Int? = nil
    ) {
        self.activation = activation
        self.depth = depth
        self.width = width
        self.epochs = epochs
        self.learningRate = learningRate
        self.momentum = momentum
        self.batch = batch
        self.samples = samples
        self.targetAccuracy = targetAccuracy
        self.seed = seed
        self.threads = threads
    }

    /// Throws `WeightInitError/invalidParameter(_:value:reason:)` naming the
    /// first field out of its range.
    func validate() throws {
        func check(_ name: String, _ value: some CustomStringConvertible, _ valid: Bool, _ reason: String) throws {
            guard valid else { throw WeightInitError.invalidParameter(name, value: "\(value)", reason: reason) }
        }
        try check("depth", depth, depth >= 1, "must be ≥ 1")
        try check("width", width, width >= 1 && LAPACKInt(exactly: width) != nil, "must be in 1 ... 2³¹ − 1")
        try check("epochs", epochs, epochs >= 1 && UInt64(epochs) <= 1 << 32, "must be in 1 ... 2³²")
        try check("learningRate", learningRate, learningRate.isFinite && learningRate > 0, "must be finite and > 0")
        try check("momentum", momentum, momentum >= 0 && momentum < 1, "must be in [0, 1)")
        try check("batch", batch, batch >= 1 && LAPACKInt(exactly: batch) != nil, "must be in 1 ... 2³¹ − 1")
        try check("samples", samples, samples >= 2 && UInt64(samples) <= 1 << 32, "must be in 2 ... 2³²")
        try check("targetAccuracy", targetAccuracy, targetAccuracy > 0 && targetAccuracy <= 1, "must be in (0, 1]")
        if let threads { try check("threads", threads, threads >= 1, "must be ≥ 1") }
    }
}
