/// An activation function, for the gain of a scheme.
public enum Nonlinearity: Sendable, Equatable, Hashable {
    case linear, identity
    case conv1d, conv2d, conv3d
    case convTranspose1d, convTranspose2d, convTranspose3d
    case sigmoid, tanh, relu
    /// Leaky ReLU; PyTorch's `calculate_gain` default slope is 0.01.
    case leakyRelu(negativeSlope: Double = 0.01)
    case selu

    /// Every name the CLI accepts, with its canonical form first.
    public static let names: [(String, Nonlinearity)] = [
        ("linear", .linear), ("identity", .identity),
        ("conv1d", .conv1d), ("conv2d", .conv2d), ("conv3d", .conv3d),
        ("conv-transpose1d", .convTranspose1d), ("conv-transpose2d", .convTranspose2d),
        ("conv-transpose3d", .convTranspose3d),
        ("sigmoid", .sigmoid), ("tanh", .tanh), ("relu", .relu),
        ("leaky-relu", .leakyRelu()), ("selu", .selu),
    ]

    /// Parses a name (`leaky-relu`, `leaky_relu`, `conv_transpose2d`, …).
    public init?(name: String, negativeSlope: Double? = nil) {
        let key = canonicalName(name)
        guard let found = Nonlinearity.names.first(where: { $0.0 == key })?.1 else { return nil }
        if case .leakyRelu = found, let negativeSlope {
            self = .leakyRelu(negativeSlope: negativeSlope)
        } else {
            self = found
        }
    }
}

/// The recommended gains of `torch.nn.init.calculate_gain`: the factor that
/// keeps the variance of activations unchanged through a layer followed by the
/// nonlinearity.
public enum Gain {
    /// - linear, identity, conv*, conv-transpose*: 1
    /// - sigmoid: 1
    /// - tanh: 5/3
    /// - ReLU: √2 (He et al. 2015: ReLU halves the second moment)
    /// - leaky ReLU with slope a: √(2 / (1 + a²))
    /// - SELU: 3/4 (PyTorch's choice, so that SELU nets with Kaiming/LeCun
    ///   normal train stably; Klambauer et al. 2017 use gain 1 with LeCun normal)
    public static func recommended(for nonlinearity: Nonlinearity) -> Double {
        switch nonlinearity {
        case .linear, .identity, .conv1d, .conv2d, .conv3d,
             .convTranspose1d, .convTranspose2d, .convTranspose3d, .sigmoid:
            return 1
        case .tanh: return 5.0 / 3.0
        case .relu: return 2.0.squareRoot()
        case let .leakyRelu(slope): return (2.0 / (1 + slope * slope)).squareRoot()
        case .selu: return 3.0 / 4.0
        }
    }
}

/// A user-facing name in canonical form: lower case, `-` for `_`.
func canonicalName(_ name: String) -> String {
    String(name.lowercased().map { $0 == "_" ? "-" : $0 })
}
