import Testing
@_spi(Plumbing) import WeightInit
@testable import WeightInitAnalysis

/// The network that propagation and training share: its forward pass against
/// a naive computation, its backward pass against difference quotients of
/// the loss, and its symmetry measure. Tiny sizes in Double, so a transposed
/// matrix or a missing bias shows as a large error, not as rounding.
@Suite struct DenseNetworkTests {
    /// 2 → 5 → 4 → 2 with biases: every layer rectangular.
    static func network(_ activation: Nonlinearity, seed: UInt64 = 3) throws -> DenseNetwork<Double> {
        var network = DenseNetwork<Double>()
        for (index, (outputs, inputs)) in [(5, 2), (4, 5), (2, 4)].enumerated() {
            let weights: [Double] = try Initializer.xavierNormal(gain: 1.5)
                .makeArray(shape: [outputs, inputs], seed: seed, stream: UInt32(index))
            let bias: [Double] = try RandomStream(seed: seed, stream: UInt32(10 + index))
                .makeArray(count: outputs, with: .normal(mean: 0, std: 0.5))
            network.layers.append(.init(inputs: inputs, outputs: outputs, weights: weights, bias: bias,
                                        activation: index < 2 ? activation : .linear))
        }
        return network
    }

    static let activations: [Nonlinearity] = [.tanh, .relu, .selu, .sigmoid, .leakyRelu(negativeSlope: 0.2), .linear]

    @Test(arguments: activations)
    func forwardMatchesANaiveComputation(activation: Nonlinearity) throws {
        let network = try Self.network(activation)
        let batch = 3
        let input: [Double] = try RandomStream(seed: 5).makeArray(count: batch * 2, with: .normal(mean: 0, std: 1))
        let activations = network.forward(input, batch: batch)
        var h = input
        for layer in network.layers {
            var next = [Double](repeating: 0, count: batch * layer.outputs)
            for row in 0 ..< batch {
                for o in 0 ..< layer.outputs {
                    var z = layer.bias![o]
                    for i in 0 ..< layer.inputs { z += layer.weights[o * layer.inputs + i] * h[row * layer.inputs + i] }
                    next[row * layer.outputs + o] = layer.activation.apply(z)
                }
            }
            h = next
        }
        #expect(activations.count == 4)
        for (a, b) in zip(activations.last!, h) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "\(a) vs \(b)") }
    }

    /// Backpropagation (what training steps along) against central
    /// differences of the mean cross-entropy, for every weight and bias.
    @Test(arguments: activations)
    func gradientsMatchDifferenceQuotients(activation: Nonlinearity) throws {
        let inputs: [Double] = try RandomStream(seed: 9).makeArray(count: 4 * 2, with: .normal(mean: 0, std: 1))
        let data = Trainer<Double>.Dataset(inputs: inputs, labels: [0, 1, 1, 0])
        var trainer = Trainer<Double>(
            network: try Self.network(activation), optimizer: GradientDescent(learningRate: 0.1, momentum: 0),
            training: data, heldOut: data)
        let gradients = trainer.gradients(0 ..< 4)
        let step = 1e-6
        func loss() -> Double { trainer.measure(data).loss }
        for l in trainer.network.layers.indices {
            for (isBias, count) in [(false, trainer.network.layers[l].weights.count), (true, trainer.network.layers[l].outputs)] {
                for i in 0 ..< count {
                    func nudge(_ delta: Double) {
                        if isBias { trainer.network.layers[l].bias![i] += delta } else { trainer.network.layers[l].weights[i] += delta }
                    }
                    nudge(step)
                    let up = loss()
                    nudge(-2 * step)
                    let down = loss()
                    nudge(step)
                    let quotient = (up - down) / (2 * step)
                    let computed = isBias ? gradients[l].bias![i] : gradients[l].weights[i]
                    #expect(abs(quotient - computed) <= 1e-7 + 1e-5 * abs(quotient),
                            "\(activation) layer \(l) \(isBias ? "bias" : "weight") \(i): \(computed) vs \(quotient)")
                }
            }
        }
    }

    // MARK: Distinct units

    /// The distinct units of a layer with these incoming weights (one row per
    /// unit) and bias.
    static func distinct(_ rows: [[Float]], bias: [Float]? = nil) -> Int {
        let weights: [Float] = rows.flatMap { $0 }
        let layer = DenseNetwork<Float>.Layer(
            inputs: rows[0].count, outputs: rows.count, weights: weights, bias: bias, activation: .relu)
        return layer.distinctUnits
    }

    @Test func equalUnitsCountOnce() {
        let zeros: [[Float]] = [[0, 0], [0, 0], [0, 0]]
        let constant: [[Float]] = [[0.1, 0.1], [0.1, 0.1], [0.1, 0.1]]
        // Rounding-sized differences (10⁻⁶ relative) are the same unit.
        let rounded: [[Float]] = [[1, 2], [1, 2.000002], [1.000001, 2]]
        #expect(Self.distinct(zeros) == 1)
        #expect(Self.distinct(constant) == 1)
        #expect(Self.distinct(rounded) == 1)
    }

    @Test func differentUnitsCountSeparately() {
        let apart: [[Float]] = [[1, 2], [1, 2.01], [2, 1]]
        let pairs: [[Float]] = [[1, 2], [2, 1], [1, 2], [2, 1]]
        let twins: [[Float]] = [[1, 2], [1, 2]]
        #expect(Self.distinct(apart) == 3)
        #expect(Self.distinct(pairs) == 2)
        // The bias is an incoming parameter too.
        #expect(Self.distinct(twins, bias: [0, 0.5]) == 2)
        #expect(Self.distinct(twins, bias: [0.5, 0.5]) == 1)
    }

    @Test func nonFiniteParametersCountEveryUnit() {
        let nan: [[Float]] = [[.nan, 0], [.nan, 0], [1, 1]]
        let infinite: [[Float]] = [[.infinity, 0], [.infinity, 0]]
        #expect(Self.distinct(nan) == 3)
        #expect(Self.distinct(infinite) == 2)
    }

    @Test func randomUnitsAreAllDistinct() throws {
        let weights: [Float] = try Initializer.kaimingNormal().makeArray(shape: [64, 64], seed: 1)
        let layer = DenseNetwork<Float>.Layer(inputs: 64, outputs: 64, weights: weights, bias: nil, activation: .relu)
        #expect(layer.distinctUnits == 64)
    }
}
