import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `Nonlinearity` as the function the analysis layer applies after each
/// dense layer (``Propagation``, ``Training``).
///
/// Derivatives are computed from the activation's *output* `h = φ(z)`, which
/// every one of these determines uniquely where it matters, so the backward
/// pass needs only the activations the forward pass keeps anyway.
extension Nonlinearity {
    /// SELU's α and λ (Klambauer et al. 2017, eq. 14: the values that make
    /// (mean 0, variance 1) a stable fixed point).
    static let seluAlpha = 1.6732632423543772848170429916717
    static let seluLambda = 1.0507009873554804934193349852946

    /// φ(z).
    @inline(__always)
    func apply<T: BinaryFloatingPoint>(_ z: T) -> T {
        switch self {
        case .linear, .identity, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d:
            return z
        case .tanh: return T(hyperbolicTangent(Double(z)))
        case .sigmoid: return T(1 / (1 + exp(-Double(z))))
        // NaN stays NaN, as in PyTorch: `z > 0 ? z : 0` alone would turn the
        // NaNs of an overflowed layer (∞ · 0 in the product) back into zeros.
        case .relu: return z > 0 || z.isNaN ? z : 0
        case let .leakyRelu(slope): return z > 0 || z.isNaN ? z : T(slope) * z
        case .selu:
            return z > 0 ? T(Self.seluLambda) * z : T(Self.seluLambda * Self.seluAlpha * expm1(Double(z)))
        }
    }

    /// φ'(z) written in terms of h = φ(z).
    @inline(__always)
    func derivative<T: BinaryFloatingPoint>(output h: T) -> T {
        switch self {
        case .linear, .identity, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d:
            return 1
        case .tanh: return 1 - h * h
        case .sigmoid: return h * (1 - h)
        // At z = 0 (h = 0) the subgradient 0 is taken, as PyTorch does; NaN
        // (an overflowed forward pass) propagates.
        case .relu: return h.isNaN ? h : h > 0 ? 1 : 0
        case let .leakyRelu(slope): return h.isNaN ? h : h > 0 ? 1 : T(slope)
        // z ≤ 0: h = λα(eᶻ − 1), so φ'(z) = λα·eᶻ = h + λα.
        case .selu: return h > 0 ? T(Self.seluLambda) : h + T(Self.seluLambda * Self.seluAlpha)
        }
    }
}

// Outside the extension, where `tanh` names the C function rather than the case.
private func hyperbolicTangent(_ x: Double) -> Double { tanh(x) }
