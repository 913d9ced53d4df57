@_spi(Plumbing) import WeightInit

/// A stack of fully connected layers, forward and backward through
/// `cblas_?gemm`: the one network that ``Propagation`` measures and
/// ``Training`` trains.
///
/// Matrices are row-major as in PyTorch — weights `[outputs, inputs]`,
/// activations `[batch, units]` — which BLAS (column-major) sees as their
/// transposes: a weight buffer is Wᵀ (inputs × outputs) and an activation
/// buffer Hᵀ (units × batch). The network holds parameters only; a pass's
/// activations belong to the caller, who needs them for the backward pass.
///
/// Every element-wise step runs in a fixed order and the matrix products are
/// single BLAS calls, so results are bit-reproducible at a fixed OpenBLAS
/// thread count.
struct DenseNetwork<T: BLASScalar> {
    /// One dense layer: h = φ(h_prev · Wᵀ + b).
    struct Layer {
        let inputs: Int
        let outputs: Int
        /// `[outputs, inputs]`, row-major: row `o` holds unit `o`'s incoming weights.
        var weights: [T]
        /// `outputs` values, or `nil` for a layer without bias.
        var bias: [T]?
        let activation: Nonlinearity
    }

    var layers: [Layer] = []

    /// The output of layer `index` for `input` (`[batch, inputs]`):
    /// φ(input · Wᵀ + b), in BLAS's view Zᵀ = W · Hᵀ = (buffer)ᵀ · Hᵀ.
    func forward(layer index: Int, _ input: [T], batch: Int) -> [T] {
        let layer = layers[index]
        var z = [T](repeating: 0, count: batch * layer.outputs)
        Self.multiply(layer.weights, transposeA: true, input, transposeB: false,
                      m: layer.outputs, n: batch, k: layer.inputs, into: &z)
        let activation = layer.activation, outputs = layer.outputs
        // Element-wise loops run on buffers: in a debug build, generic array
        // subscripts cost several times as much as the arithmetic.
        z.withUnsafeMutableBufferPointer { z in
            if let bias = layer.bias {
                for row in 0 ..< batch {
                    for o in 0 ..< outputs { z[row * outputs + o] += bias[o] }
                }
            }
            for i in 0 ..< z.count { z[i] = activation.apply(z[i]) }
        }
        return z
    }

    /// The input followed by every layer's output: entry `l` is h_l.
    func forward(_ input: [T], batch: Int) -> [[T]] {
        var activations = [input]
        for index in layers.indices { activations.append(forward(layer: index, activations[index], batch: batch)) }
        return activations
    }

    /// δ = g ⊙ φ'(z): the gradient with respect to layer `index`'s
    /// pre-activation from `gradient`, the one with respect to its `output`.
    func preActivationGradient(layer index: Int, _ gradient: [T], output: [T]) -> [T] {
        var delta = gradient
        let activation = layers[index].activation
        delta.withUnsafeMutableBufferPointer { delta in
            output.withUnsafeBufferPointer { output in
                for i in 0 ..< delta.count { delta[i] *= activation.derivative(output: output[i]) }
            }
        }
        return delta
    }

    /// The gradient with respect to layer `index`'s input: δ · W, in BLAS's
    /// view (buffer) · δᵀ.
    func inputGradient(layer index: Int, _ delta: [T], batch: Int) -> [T] {
        let layer = layers[index]
        var result = [T](repeating: 0, count: batch * layer.inputs)
        Self.multiply(layer.weights, transposeA: false, delta, transposeB: false,
                      m: layer.inputs, n: batch, k: layer.outputs, into: &result)
        return result
    }

    /// The gradients of layer `index`'s weights, δᵀ · input (in BLAS's view
    /// Hᵀ · δ, the buffer of dW), and of its bias, δ summed over the batch
    /// row by row (`nil` for a layer without bias).
    func parameterGradients(layer index: Int, _ delta: [T], input: [T], batch: Int) -> (weights: [T], bias: [T]?) {
        let layer = layers[index]
        var weights = [T](repeating: 0, count: layer.outputs * layer.inputs)
        Self.multiply(input, transposeA: false, delta, transposeB: true,
                      m: layer.inputs, n: layer.outputs, k: batch, into: &weights)
        guard layer.bias != nil else { return (weights, nil) }
        var bias = [T](repeating: 0, count: layer.outputs)
        let outputs = layer.outputs
        bias.withUnsafeMutableBufferPointer { bias in
            delta.withUnsafeBufferPointer { delta in
                for row in 0 ..< batch {
                    for o in 0 ..< outputs { bias[o] += delta[row * outputs + o] }
                }
            }
        }
        return (weights, bias)
    }

    /// c ← op(a) · op(b), column-major, op(a) m × k and op(b) k × n, every
    /// matrix stored densely (leading dimension = its row count as stored).
    private static func multiply(_ a: [T], transposeA: Bool, _ b: [T], transposeB: Bool,
                                 m: Int, n: Int, k: Int, into c: inout [T]) {
        let (m, n, k) = (LAPACKInt(m), LAPACKInt(n), LAPACKInt(k))
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    T.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                           alpha: 1, a: a.baseAddress!, lda: transposeA ? k : m,
                           b: b.baseAddress!, ldb: transposeB ? n : k,
                           beta: 0, c: c.baseAddress!, ldc: m)
                }
            }
        }
    }
}
