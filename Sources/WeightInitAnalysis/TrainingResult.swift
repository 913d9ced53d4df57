/// What ``Training/run(_:setup:)`` measured while training one network.
///
/// The per-epoch arrays are indexed by epoch: entry 0 is the network as
/// initialised, entry `e` the network after `e` passes over the training
/// set. They have `epochs + 1` entries, or `divergedEpoch + 1` when the run
/// diverged: training stops there, and that entry's losses are +∞.
public struct TrainingResult: Sendable, Equatable {
    /// Mean cross-entropy over the training set, per epoch.
    public internal(set) var trainingLoss: [Double]
    /// Fraction of the training set classified correctly, per epoch.
    public internal(set) var trainingAccuracy: [Double]
    /// Mean cross-entropy over the held-out set, per epoch.
    public internal(set) var heldOutLoss: [Double]
    /// Fraction of the held-out set classified correctly, per epoch.
    public internal(set) var heldOutAccuracy: [Double]
    /// The first epoch whose held-out accuracy reached
    /// ``TrainingSetup/targetAccuracy``; `nil` if none did.
    public internal(set) var epochsToTarget: Int?
    /// The first epoch whose training or held-out loss was not finite (0:
    /// already at initialisation); `nil` if the run never diverged.
    public internal(set) var divergedEpoch: Int?
    /// Distinct units of each hidden layer as initialised: units whose
    /// incoming weights and bias differ by more than 10⁻⁴ of the layer's
    /// largest parameter. 1 means every unit computes the same function.
    public internal(set) var distinctUnitsAtStart: [Int]
    /// Distinct units of each hidden layer when training stopped (a layer
    /// with non-finite parameters counts every unit).
    public internal(set) var distinctUnitsAtEnd: [Int]
    /// The Frobenius norm of the loss gradient with respect to each weight
    /// matrix (hidden layers, then the output layer) at the first step of
    /// training; +∞ where it was not finite.
    public internal(set) var firstStepGradientNorms: [Double]
}
