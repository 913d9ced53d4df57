import Testing
@testable import WeightInitAnalysis

/// PyTorch's SGD update rule, step by step, with and without momentum.
@Suite struct GradientDescentTests {
    static func network(_ weight: Double, bias: Double) -> DenseNetwork<Double> {
        var network = DenseNetwork<Double>()
        network.layers = [.init(inputs: 1, outputs: 1, weights: [weight], bias: [bias], activation: .linear)]
        return network
    }

    @Test func plainStepsFollowTheGradient() {
        var network = Self.network(1, bias: 0)
        var sgd = GradientDescent<Double>(learningRate: 0.5, momentum: 0)
        for _ in 0 ..< 3 { sgd.step(&network, gradients: [([2], [-1])]) }
        let (weight, bias): (Double, Double) = (1 - 3 * 0.5 * 2, 3 * 0.5)
        #expect(network.layers[0].weights == [weight])
        #expect(network.layers[0].bias == [bias])
    }

    @Test func momentumAccumulatesVelocity() {
        // v₁ = g, v₂ = μg + g, v₃ = μ²g + μg + g; w = w₀ − η(v₁ + v₂ + v₃).
        var network = Self.network(1, bias: 0)
        var sgd = GradientDescent<Double>(learningRate: 0.5, momentum: 0.5)
        for _ in 0 ..< 3 { sgd.step(&network, gradients: [([1], [2])]) }
        let velocities: Double = 1 + 1.5 + 1.75
        let (weight, bias): (Double, Double) = (1 - 0.5 * velocities, 0 - 0.5 * 2 * velocities)
        #expect(network.layers[0].weights == [weight])
        #expect(network.layers[0].bias == [bias])
    }
}
