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
        seed: UInt64 = 0, threads: Int? = nil, precision: ScalarFormat = .f32
    ) throws -> PropagationResult {
        for (name, value) in [("depth", depth), ("width", width), ("batch", batch)] {
            guard value >= 1 else { throw WeightInitError.invalidParameter(name, value: "\(value)", reason: "must be ≥ 1") }
        }
        guard LAPACKInt(exactly: width) != nil, LAPACKInt(exactly: batch) != nil,
              UInt32(exactly: depth + 1) != nil else {
            throw WeightInitError.tooLarge(shape: [depth, batch, width], reason: "BLAS takes 32-bit sizes")
        }
        // Kept for the backward pass: depth + 1 activations and depth weights.
        _ = try Shape.elementCount([2 * depth + 1, max(batch, width), width], elementSize: precision.byteCount)
        switch precision {
        case .f32: return try measure(initializer, activation, depth, width, batch, seed, threads, as: Float.self)
        case .f64: return try measure(initializer, activation, depth, width, batch, seed, threads, as: Double.self)
        case .f16, .bf16:
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
            var network = Network<T>(width: width, batch: batch, activation: activation)
            let input: [T] = try RandomStream(seed: seed, stream: 0)
                .makeArray(count: batch * width, with: .normal(mean: 0, std: 1), options: options)
            var forward = [standardDeviation(input)]
            network.activations.append(input)
            for layer in 1 ... depth {
                let weights: [T] = try initializer.makeArray(
                    shape: [width, width], layout: .torch, seed: seed, stream: UInt32(layer + 1), options: options)
                let output = network.forward(weights)
                forward.append(afterOverflow(forward) ?? standardDeviation(output))
            }
            var gradient: [T] = try RandomStream(seed: seed, stream: 1)
                .makeArray(count: batch * width, with: .normal(mean: 0, std: 1), options: options)
            var backward = [standardDeviation(gradient)]
            for layer in stride(from: depth, through: 1, by: -1) {
                gradient = network.backward(gradient, through: layer)
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

/// The dense stack: the weights and activations of the layers run so far.
///
/// Matrices are row-major as in PyTorch — weights `[out, in]`, activations
/// `[batch, width]` — which BLAS (column-major) sees as their transposes:
/// a weight buffer is Wᵀ (in × out) and an activation buffer Hᵀ (width × batch).
private struct Network<T: BLASScalar> {
    let width: Int
    let batch: Int
    let activation: Nonlinearity
    var weights: [[T]] = []
    /// activations[l] = h_l; activations[0] is the input.
    var activations: [[T]] = []

    init(width: Int, batch: Int, activation: Nonlinearity) {
        self.width = width
        self.batch = batch
        self.activation = activation
    }

    /// Appends layer `weights` and returns h_l = φ(h_{l−1} Wᵀ), i.e. in BLAS's
    /// view Zᵀ = W · Hᵀ = (buffer)ᵀ · Hᵀ.
    mutating func forward(_ layerWeights: [T]) -> [T] {
        var z = [T](repeating: 0, count: batch * width)
        multiply(layerWeights, transposed: true, activations.last!, into: &z)
        let activation = self.activation
        for i in z.indices { z[i] = activation.apply(z[i]) }
        weights.append(layerWeights)
        activations.append(z)
        return z
    }

    /// The gradient with respect to h_{l−1} from the one with respect to h_l:
    /// (g ⊙ φ'(z_l)) · W_l, in BLAS's view (buffer) · (g ⊙ φ')ᵀ.
    func backward(_ gradient: [T], through layer: Int) -> [T] {
        var delta = gradient
        let output = activations[layer], activation = self.activation
        for i in delta.indices { delta[i] *= activation.derivative(output: output[i]) }
        var result = [T](repeating: 0, count: batch * width)
        multiply(weights[layer - 1], transposed: false, delta, into: &result)
        return result
    }

    /// c ← op(a) · b with a the width × width weight buffer and b, c width × batch.
    private func multiply(_ a: [T], transposed: Bool, _ b: [T], into c: inout [T]) {
        let n = LAPACKInt(width), m = LAPACKInt(batch)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    T.gemm(transposeA: transposed, transposeB: false, m: n, n: m, k: n,
                           alpha: 1, a: a.baseAddress!, lda: n, b: b.baseAddress!, ldb: n,
                           beta: 0, c: c.baseAddress!, ldc: n)
                }
            }
        }
    }
}
