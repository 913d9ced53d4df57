import WeightInit

/// Which initialiser suits which activation — the rule of thumb that follows
/// from keeping the variance of activations (forward) and gradients (backward)
/// constant from layer to layer ("Choosing an initializer" in the `WeightInit` documentation).
///
/// ```swift
/// let advice = Recommendation.recommended(for: .relu)
/// advice.initializer   // .kaimingNormal(mode: .fanIn, nonlinearity: .relu)
/// ```
public struct Recommendation: Sendable, Equatable {
    /// The scheme to use.
    public var initializer: Initializer
    /// Why, in one sentence, with the paper.
    public var rationale: String

    /// The recommendation for a layer followed by `nonlinearity`.
    public static func recommended(for nonlinearity: Nonlinearity) -> Recommendation {
        switch nonlinearity {
        case .linear, .identity, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d,
             .sigmoid:
            return Recommendation(
                initializer: .xavierUniform(gain: 1),
                rationale: "Glorot & Bengio (2010): Var(W) = 2/(fan_in + fan_out) balances forward and backward variance for activations that are linear around 0.")
        case .tanh:
            return Recommendation(
                initializer: .xavierUniform(gain: Gain.recommended(for: .tanh)),
                rationale: "Glorot & Bengio (2010) for tanh, with PyTorch's tanh gain 5/3 to offset tanh's contraction.")
        case .relu:
            return Recommendation(
                initializer: .kaimingNormal(mode: .fanIn, nonlinearity: .relu),
                rationale: "He et al. (2015): a ReLU zeroes half its inputs, so Var(W) = 2/fan_in keeps the signal's second moment constant.")
        case .leakyRelu:
            return Recommendation(
                initializer: .kaimingNormal(mode: .fanIn, nonlinearity: nonlinearity),
                rationale: "He et al. (2015) with gain √(2/(1 + a²)) for negative slope a.")
        case .selu:
            return Recommendation(
                initializer: .lecunNormal(),
                rationale: "Klambauer et al. (2017): self-normalising networks need Var(W) = 1/fan_in (LeCun et al. 1998).")
        }
    }

    /// The recommendation for the recurrent (hidden-to-hidden) weights of an
    /// RNN, LSTM or GRU.
    public static let recurrent = Recommendation(
        initializer: .orthogonal(gain: 1),
        rationale: "Saxe et al. (2014): orthogonal recurrent weights keep all singular values at 1, so signals neither vanish nor explode through time.")
}
