#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An elementwise activation of a dense layer, as ``Propagation`` applies it.
///
/// Derivatives are computed from the activation's *output* `h = φ(z)`, which
/// every one of these determines uniquely where it matters, so the backward
/// pass needs only the activations the forward pass keeps anyway.
public enum Activation: Sendable, Equatable {
    case linear
    case tanh
    case sigmoid
    case relu
    /// max(z, a·z), PyTorch's default slope a = 0.01.
    case leakyRelu(negativeSlope: Double = 0.01)
    /// Klambauer et al. (2017), "Self-normalizing neural networks":
    /// λ·z for z > 0, λ·α·(eᶻ − 1) otherwise, with the constants below.
    case selu

    /// SELU's α and λ (Klambauer et al. 2017, eq. 14: the values that make
    /// (mean 0, variance 1) a stable fixed point).
    public static let seluAlpha = 1.6732632423543772848170429916717
    public static let seluLambda = 1.0507009873554804934193349852946

    /// The names the CLI accepts, canonical form first.
    public static let names: [(String, Activation)] = [
        ("linear", .linear), ("tanh", .tanh), ("sigmoid", .sigmoid), ("relu", .relu),
        ("leaky-relu", .leakyRelu()), ("selu", .selu),
    ]

    /// Parses a name (`leaky-relu` or `leaky_relu`, any case).
    public init?(name: String) {
        let key = String(name.lowercased().map { $0 == "_" ? "-" : $0 })
        guard let found = Self.names.first(where: { $0.0 == key })?.1 else { return nil }
        self = found
    }

    /// The canonical name.
    public var name: String {
        switch self {
        case .linear: "linear"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        case .relu: "relu"
        case .leakyRelu: "leaky-relu"
        case .selu: "selu"
        }
    }

    /// φ(z).
    @inline(__always)
    func apply<T: BinaryFloatingPoint>(_ z: T) -> T {
        switch self {
        case .linear: return z
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
        case .linear: return 1
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

// Outside the enum, where `tanh` names the C function rather than the case.
private func hyperbolicTangent(_ x: Double) -> Double { tanh(x) }
