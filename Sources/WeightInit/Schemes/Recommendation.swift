/// Which initialiser suits which activation — the rule of thumb that follows
/// from keeping the variance of activations (forward) and gradients (backward)
/// constant from layer to layer.
public struct Recommendation: Sendable, Equatable {
    /// The activation, as named on the CLI.
    public var activation: String
    /// The scheme to use.
    public var initializer: Initializer
    /// The CLI scheme name and flags that give it.
    public var command: String
    /// Why, in one sentence, with the paper.
    public var rationale: String

    /// The activations ``recommended(for:)`` knows.
    public static let activations = [
        "linear", "sigmoid", "tanh", "relu", "leaky-relu", "elu", "gelu", "silu", "selu", "recurrent",
    ]

    /// The recommendation for `activation` (case-insensitive, `_` or `-`),
    /// or nil if unknown.
    public static func recommended(for activation: String) -> Recommendation? {
        let key = canonicalName(activation)
        switch key {
        case "linear", "identity", "sigmoid":
            return Recommendation(
                activation: key, initializer: .xavierUniform(gain: 1),
                command: "xavier-uniform",
                rationale: "Glorot & Bengio (2010): Var(W) = 2/(fan_in + fan_out) balances forward and backward variance for activations that are linear around 0.")
        case "tanh":
            return Recommendation(
                activation: key, initializer: .xavierUniform(gain: Gain.recommended(for: .tanh)),
                command: "xavier-uniform --gain 1.6666666666666667",
                rationale: "Glorot & Bengio (2010) for tanh, with PyTorch's tanh gain 5/3 to offset tanh's contraction.")
        case "relu", "elu", "gelu", "silu", "swish":
            return Recommendation(
                activation: key, initializer: .kaimingNormal(mode: .fanIn, nonlinearity: .relu),
                command: "kaiming-normal --mode fan-in --nonlinearity relu",
                rationale: "He et al. (2015): a ReLU zeroes half its inputs, so Var(W) = 2/fan_in keeps the signal's second moment constant.")
        case "leaky-relu":
            return Recommendation(
                activation: key, initializer: .kaimingNormal(mode: .fanIn, nonlinearity: .leakyRelu()),
                command: "kaiming-normal --mode fan-in --nonlinearity leaky-relu --negative-slope 0.01",
                rationale: "He et al. (2015) with gain √(2/(1 + a²)) for negative slope a.")
        case "selu":
            return Recommendation(
                activation: key, initializer: .lecunNormal(),
                command: "lecun-normal",
                rationale: "Klambauer et al. (2017): self-normalising networks need Var(W) = 1/fan_in (LeCun et al. 1998).")
        case "recurrent", "rnn", "lstm", "gru":
            return Recommendation(
                activation: key, initializer: .orthogonal(gain: 1),
                command: "orthogonal",
                rationale: "Saxe et al. (2014): orthogonal recurrent weights keep all singular values at 1, so signals neither vanish nor explode through time.")
        default:
            return nil
        }
    }
}
