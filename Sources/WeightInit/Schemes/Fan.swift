/// How the fans of a weight tensor are read from its shape.
public enum Layout: Sendable, Equatable {
    /// PyTorch: (out, in, kernel…) — `fan_in = in·∏kernel`, `fan_out = out·∏kernel`
    /// (`torch.nn.init._calculate_fan_in_and_fan_out`).
    case torch
    /// Keras / TensorFlow: (kernel…, in, out) — `keras.initializers._compute_fans`.
    case keras
    /// JAX style: explicit input and output axes (`in_axis`, `out_axis` of
    /// `jax.nn.initializers.variance_scaling`); every other axis is a
    /// receptive-field axis. Negative axes count from the end.
    case axes(input: Int, output: Int)

    /// The (input, output) axes of a tensor of `rank` ≥ 2.
    func axes(rank: Int, shape: [Int]) throws -> (input: Int, output: Int) {
        switch self {
        case .torch: return (1, 0)
        case .keras: return (rank - 2, rank - 1)
        case let .axes(input, output):
            let i = input < 0 ? input + rank : input, o = output < 0 ? output + rank : output
            guard (0..<rank).contains(i), (0..<rank).contains(o), i != o else {
                throw WeightInitError.invalidShape(
                    shape, reason: "input axis \(input) and output axis \(output) must be distinct axes of a rank-\(rank) tensor")
            }
            return (i, o)
        }
    }
}

/// The fan-in and fan-out of a weight tensor: how many inputs feed each
/// output unit, and how many outputs each input feeds.
public struct Fans: Sendable, Equatable {
    public var fanIn: Int
    public var fanOut: Int

    public init(fanIn: Int, fanOut: Int) {
        self.fanIn = fanIn
        self.fanOut = fanOut
    }

    /// The fans of a tensor of `shape` in `layout`: the input (output) axis
    /// times the product of the receptive-field axes. A 1-D shape has no fans
    /// (PyTorch refuses it too); schemes that need fans report that.
    public init(shape: [Int], layout: Layout = .torch) throws {
        guard shape.count >= 2 else {
            throw WeightInitError.invalidShape(
                shape, reason: "fans need a tensor with at least 2 dimensions (e.g. out,in for a linear layer)")
        }
        guard shape.allSatisfy({ $0 >= 1 }) else {
            throw WeightInitError.invalidShape(shape, reason: "every dimension must be ≥ 1")
        }
        let (input, output) = try layout.axes(rank: shape.count, shape: shape)
        var receptive = 1
        for (axis, d) in shape.enumerated() where axis != input && axis != output {
            receptive *= d
        }
        self.init(fanIn: shape[input] * receptive, fanOut: shape[output] * receptive)
    }

    /// The fan a variance-scaling rule divides by.
    public func fan(_ mode: FanMode) -> Double {
        switch mode {
        case .fanIn: Double(fanIn)
        case .fanOut: Double(fanOut)
        case .fanAvg: fanSum / 2
        }
    }

    /// fan_in + fan_out, added in Double: a region of a tensor larger than
    /// memory may have fans whose Int sum overflows. The same value as
    /// `Double(fanIn + fanOut)` whenever that sum is below 2⁵³, which covers
    /// every tensor that fits in memory.
    var fanSum: Double { Double(fanIn) + Double(fanOut) }
}

/// Which fan a variance-scaling scheme divides by.
public enum FanMode: String, CaseIterable, Sendable {
    case fanIn = "fan-in", fanOut = "fan-out", fanAvg = "fan-avg"
}
