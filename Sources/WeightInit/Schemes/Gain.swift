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
