/// A scheme parameter, given on the command line as `--<rawValue>`.
package enum SchemeParameter: String, CaseIterable, Sendable {
    case gain, mean, std, low, high, sigmas, value, scale, mode, nonlinearity
    case negativeSlope = "negative-slope"
    case truncated, distribution, groups, sparsity, method, blocks
    /// PyTorch `trunc_normal_`'s absolute bounds.
    case a, b
    /// Explicit fans, for a tensor whose shape does not carry them (a bias).
    case fanIn = "fan-in", fanOut = "fan-out"

    /// What the command line carries for the parameter.
    package enum Kind: Equatable {
        case number, integer, flag
        /// One of these names.
        case choice([String])
    }

    package var kind: Kind {
        switch self {
        case .mode: .choice(FanMode.allCases.map(\.rawValue))
        case .distribution: .choice(VarianceDistribution.allCases.map(\.rawValue))
        case .nonlinearity: .choice(Nonlinearity.allCases.map(\.name))
        case .truncated: .flag
        case .method: .choice(OrthogonalMethod.allCases.map(\.rawValue))
        case .groups, .blocks, .fanIn, .fanOut: .integer
        case .gain, .mean, .std, .low, .high, .sigmas, .value, .scale, .negativeSlope, .sparsity, .a, .b: .number
        }
    }

    package var option: String { "--\(rawValue)" }

    /// What the parameter means, for `--help`; the schemes that take it are appended.
    package var meaning: String {
        switch self {
        case .gain: "Gain, a factor on the scale of every value."
        case .mean: "Mean of the normal."
        case .std: "Standard deviation of the normal, > 0."
        case .low: "Lower bound."
        case .high: "Upper bound (exclusive for uniform)."
        case .sigmas: "Truncate at mean ± sigmas·std (instead of --low/--high)."
        case .value: "The value of every element."
        case .scale: "Variance scale, > 0."
        case .mode: "Fan to divide by: \(Self.list(FanMode.allCases.map(\.rawValue)))."
        case .nonlinearity: "Activation after the layer; it sets the gain: \(Self.list(Nonlinearity.allCases.map(\.name)))."
        case .negativeSlope: "Negative slope of leaky-relu (only with --nonlinearity leaky-relu)."
        case .truncated: "Truncated normal at ±2σ with σ rescaled to keep the variance (as in Keras)."
        case .distribution: "Distribution: \(Self.list(VarianceDistribution.allCases.map(\.rawValue)))."
        case .groups: "Convolution groups; must divide the output channels."
        case .sparsity: "Fraction of each column set to zero, in [0, 1]."
        case .method: "How orthogonal matrices are made: \(Self.list(OrthogonalMethod.allCases.map(\.rawValue))) (different values, both Haar)."
        case .blocks: "Stacked square blocks, each orthogonal: 4 for LSTM, 3 for GRU weights (shape blocks·h, h)."
        case .a: "Absolute lower bound (PyTorch trunc_normal_'s a)."
        case .b: "Absolute upper bound (PyTorch trunc_normal_'s b)."
        case .fanIn: "fan_in, ≥ 1, instead of the shape's: a bias takes its weight's (PyTorch's default bias is U(±1/√fan_in))."
        case .fanOut: "fan_out, ≥ 1, instead of the shape's."
        }
    }

    /// "a, b or c".
    package static func list(_ names: [String]) -> String {
        names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
    }
}
