@_spi(Plumbing) import WeightInit

/// Mini-batch stochastic gradient descent with optional momentum, as
/// PyTorch's `torch.optim.SGD` does it (no dampening, no weight decay):
///
///     v ← μ·v + g      (v = g at the first step)
///     p ← p − η·v
///
/// With μ = 0 that is plain p ← p − η·g. Every parameter is updated on its
/// own, so the result does not depend on any summation order.
struct GradientDescent<T: BLASScalar> {
    let learningRate: T
    let momentum: T
    /// One velocity per layer, once a step has been taken (momentum only).
    private var velocities: [(weights: [T], bias: [T]?)] = []

    init(learningRate: Double, momentum: Double) {
        self.learningRate = T(learningRate)
        self.momentum = T(momentum)
    }

    /// Updates every layer of `network` by its gradients (one per layer, in order).
    mutating func step(_ network: inout DenseNetwork<T>, gradients: [(weights: [T], bias: [T]?)]) {
        var directions = gradients
        if momentum != 0 {
            if velocities.isEmpty {
                velocities = gradients
            } else {
                for l in velocities.indices {
                    accumulate(&velocities[l].weights, gradients[l].weights)
                    if velocities[l].bias != nil { accumulate(&velocities[l].bias!, gradients[l].bias!) }
                }
            }
            directions = velocities
        }
        for l in network.layers.indices {
            descend(&network.layers[l].weights, directions[l].weights)
            if network.layers[l].bias != nil { descend(&network.layers[l].bias!, directions[l].bias!) }
        }
    }

    /// v ← μ·v + g.
    private func accumulate(_ velocity: inout [T], _ gradient: [T]) {
        let momentum = self.momentum
        velocity.withUnsafeMutableBufferPointer { velocity in
            gradient.withUnsafeBufferPointer { gradient in
                for i in 0 ..< velocity.count { velocity[i] = momentum * velocity[i] + gradient[i] }
            }
        }
    }

    /// p ← p − η·d.
    private func descend(_ parameters: inout [T], _ direction: [T]) {
        let learningRate = self.learningRate
        parameters.withUnsafeMutableBufferPointer { parameters in
            direction.withUnsafeBufferPointer { direction in
                for i in 0 ..< parameters.count { parameters[i] -= learningRate * direction[i] }
            }
        }
    }
}
