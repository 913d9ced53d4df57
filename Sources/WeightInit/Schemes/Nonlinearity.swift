/// The activation that follows a layer: the one vocabulary of activations in
/// this package. Schemes read their gain from it (``Gain/recommended(for:)``),
/// and the analysis layer (`WeightInitAnalysis`) applies it as a function.
///
/// The cases and names are those of PyTorch's `torch.nn.init.calculate_gain`;
/// `linear`, `identity` and the convolutions are the identity function.
public enum Nonlinearity: Sendable, Equatable, Hashable, CaseIterable {
    case linear, identity
    case conv1d, conv2d, conv3d
    case convTranspose1d, convTranspose2d, convTranspose3d
    case sigmoid, tanh, relu
    /// Leaky ReLU, max(z, a·z); PyTorch's `calculate_gain` default slope is 0.01.
    case leakyRelu(negativeSlope: Double = 0.01)
    /// Klambauer et al. (2017), "Self-normalizing neural networks".
    case selu

    /// Every nonlinearity once, leaky ReLU with its default slope.
    public static let allCases: [Nonlinearity] = [
        .linear, .identity, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d,
        .sigmoid, .tanh, .relu, .leakyRelu(), .selu,
    ]

    /// The canonical name: PyTorch's, with `-` for `_` (`leaky-relu`, `conv-transpose2d`).
    public var name: String {
        switch self {
        case .linear: "linear"
        case .identity: "identity"
        case .conv1d: "conv1d"
        case .conv2d: "conv2d"
        case .conv3d: "conv3d"
        case .convTranspose1d: "conv-transpose1d"
        case .convTranspose2d: "conv-transpose2d"
        case .convTranspose3d: "conv-transpose3d"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .relu: "relu"
        case .leakyRelu: "leaky-relu"
        case .selu: "selu"
        }
    }

    /// Parses a name in any case, with `_` or `-` (`leaky_relu`,
    /// `conv_transpose2d`); `negativeSlope` applies to leaky ReLU only.
    public init?(name: String, negativeSlope: Double? = nil) {
        let key = canonicalName(name)
        guard let found = Self.allCases.first(where: { $0.name == key }) else { return nil }
        if case .leakyRelu = found, let negativeSlope {
            self = .leakyRelu(negativeSlope: negativeSlope)
        } else {
            self = found
        }
    }
}

/// A user-facing name in canonical form: lower case, `-` for `_`, so PyTorch's
/// and Keras' spellings (`leaky_relu`, `glorot_uniform`, `fan_in`) are accepted.
package func canonicalName(_ name: String) -> String {
    String(name.lowercased().map { $0 == "_" ? "-" : $0 })
}
