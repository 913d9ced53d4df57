@_spi(Plumbing) import WeightInit

/// The standard deviations measured by ``Propagation/run(_:activation:depth:width:batch:seed:threads:precision:)``.
///
/// Both arrays have `depth + 1` entries indexed by layer: entry 0 is the
/// network's input, entry `l` the output of dense layer `l`. An entry is
/// `.infinity` when the values overflowed (some were ±∞ or NaN) and for
/// every layer after that in the same pass, and 0 when they all underflowed
/// to the same value.
public struct PropagationResult: Sendable, Equatable {
    /// Standard deviation of the activations: entry 0 is the N(0, 1) input,
    /// entry `l` is φ(W_l · h_{l−1}).
    public var forwardStd: [Double]
    /// Standard deviation of the gradient of the loss with respect to the
    /// activations: entry `depth` is the N(0, 1) gradient injected at the
    /// output, entry `l − 1` = (g_l ⊙ φ'(z_l)) · W_l, entry 0 is the gradient
    /// with respect to the input.
    public var backwardStd: [Double]

    public init(forwardStd: [Double], backwardStd: [Double]) {
        self.forwardStd = forwardStd
        self.backwardStd = backwardStd
    }
}

/// Measures how the scale of a signal evolves through a deep stack of dense
/// layers — the experiment behind "Choosing an initializer" (`WeightInit` documentation).
///
/// A batch of N(0, 1) inputs goes forward through `depth` layers
/// `h_l = φ(W_l h_{l−1})` of `width` units (no biases); then a N(0, 1)
/// gradient at the output goes backward through the activation derivatives
/// and W_lᵀ. With the wrong weight scale the standard deviation shrinks or
/// grows geometrically with depth; with the scheme made for the activation it
/// stays put.
///
/// ```swift
/// let result = try Propagation.run(.kaimingNormal(), activation: .relu, depth: 50, width: 256)
/// print(result.forwardStd.last!)   // about 0.6: neither vanished nor exploded
/// ```
///
/// Randomness, all from `seed`: the input is stream 0, the output gradient
/// stream 1, and layer `l`'s weights (shape `[width, width]`, `Layout/torch`)
/// stream `l + 1`. So schemes compared at one seed see the same input and
/// gradient, and normal-based schemes even the same underlying draws. Results
/// are bit-reproducible for a seed on one machine at a fixed OpenBLAS thread
/// count (the matrix products, and orthogonal weights, round differently with
/// the count and with the BLAS kernel OpenBLAS picks for the CPU).
public enum Propagation {
    /// Runs the experiment in `precision` (`.f32`: `cblas_sgemm`, `.f64`:
    /// `cblas_dgemm`) with `threads` OpenBLAS and sampling threads (`nil`:
    /// every core).
    ///
    /// - Throws: `WeightInitError/invalidParameter(_:value:reason:)` for a
    ///   size below 1, a precision other than f32 and f64, or `initializer`'s
    ///   own parameter errors; `WeightInitError/tooLarge(shape:reason:)` if
    ///   the activations kept for the backward pass do not fit in memory.
    public static func run(
        _ initializer: Initializer, activation: Nonlinearity, depth: Int = 50, width: Int = 256, batch: Int = 256,
        seed: UInt64 = 0, threads: Int? = nil, precision: DType = .f32
    ) throws -> PropagationResult {
        for (name, value) in [("depth", depth), ("width", width), ("batch", batch)] {
            guard value >= 1 else { throw WeightInitError.invalidParameter(name, value: "\(value)", reason: "must be ≥ 1") }
        }
        guard LAPACKInt(exactly: width) != nil, LAPACKInt(exactly: batch) != nil,
              depth < UInt32.max else {
            throw WeightInitError.tooLarge(shape: [depth, batch, width], reason: "BLAS takes 32-bit sizes")
        }
        // Kept for the backward pass: depth + 1 activations and depth weights.
        _ = try Shape.elementCount([2 * depth + 1, max(batch, width), width], elementSize: precision.byteCount)
        switch precision {
        case .f32: return try measure(initializer, activation, depth, width, batch, seed, threads, as: Float.self)
        case .f64: return try measure(initializer, activation, depth, width, batch, seed, threads, as: Double.self)
        case .f16, .bf16, .i64, .i32, .u8, .bool:
            throw WeightInitError.invalidParameter(
                "precision", value: precision.rawValue, reason: "BLAS multiplies in f32 or f64 only")
        }
    }

    private static func measure<T: BLASScalar>(
        _ initializer: Initializer, _ activation: Nonlinearity, _ depth: Int, _ width: Int, _ batch: Int,
        _ seed: UInt64, _ threads: Int?, as type: T.Type
    ) throws -> PropagationResult {
        let options = FillOptions(threads: threads)
        return try BLASThreads.with(threads) {
            var network = DenseNetwork<T>()
            let input: [T] = try RandomStream(seed: seed, stream: 0)
                .makeArray(count: batch * width, with: .normal(mean: 0, std: 1), options: options)
            var forward = [standardDeviation(input)]
            // activations[l] = h_l, kept for the backward pass.
            var activations = [input]
            for layer in 1 ... depth {
                let weights: [T] = try initializer.makeArray(
                    shape: [width, width], layout: .torch, seed: seed, stream: UInt32(layer + 1), options: options)
                network.layers.append(.init(inputs: width, outputs: width, weights: weights, bias: nil, activation: activation))
                let output = network.forward(layer: layer - 1, activations[layer - 1], batch: batch)
                activations.append(output)
                forward.append(afterOverflow(forward) ?? standardDeviation(output))
            }
            var gradient: [T] = try RandomStream(seed: seed, stream: 1)
                .makeArray(count: batch * width, with: .normal(mean: 0, std: 1), options: options)
            var backward = [standardDeviation(gradient)]
            for layer in stride(from: depth, through: 1, by: -1) {
                let delta = network.preActivationGradient(layer: layer - 1, gradient, output: activations[layer])
                gradient = network.inputGradient(layer: layer - 1, delta, batch: batch)
                // A gradient through an overflowed forward pass means nothing either.
                backward.append(afterOverflow(backward) ?? (forward[layer].isFinite
                    ? standardDeviation(gradient) : .infinity))
            }
            return PropagationResult(forwardStd: forward, backwardStd: backward.reversed())
        }
    }

    /// `.infinity` once a pass has overflowed: every later layer computes with
    /// ±∞ and NaN, whatever an activation makes of them (a ReLU that mapped NaN
    /// to 0 would otherwise report a spurious 0).
    private static func afterOverflow(_ measured: [Double]) -> Double? {
        measured.last == .infinity ? .infinity : nil
    }

    /// The population standard deviation, accumulated in Double (two passes,
    /// so a large mean does not cancel the variance away); `.infinity` if any
    /// value is not finite.
    static func standardDeviation<T: BLASScalar>(_ values: [T]) -> Double {
        guard !values.isEmpty else { return 0 }
        var sum = 0.0
        for value in values {
            let x = Double(value)
            guard x.isFinite else { return .infinity }
            sum += x
        }
        let mean = sum / Double(values.count)
        var squares = 0.0
        for value in values {
            let d = Double(value) - mean
            squares += d * d
        }
        return (squares / Double(values.count)).squareRoot()
    }
}
