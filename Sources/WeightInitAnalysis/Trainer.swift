@_spi(Plumbing) import WeightInit

/// The training loop of ``Training``: a ``DenseNetwork`` with its optimiser
/// and its two data sets, stepped batch by batch.
struct Trainer<T: BLASScalar> {
    /// Points and labels in the network's precision.
    struct Dataset {
        /// `[count, 2]`, row-major.
        let inputs: [T]
        let labels: [Int]
        var count: Int { labels.count }

        init(_ spirals: TwoSpirals) {
            self.init(inputs: spirals.inputs.map { T($0) }, labels: spirals.labels)
        }

        init(inputs: [T], labels: [Int]) {
            (self.inputs, self.labels) = (inputs, labels)
        }

        /// The rows `indices`, in that order, as one batch.
        func batch(_ indices: some Collection<Int>) -> (inputs: [T], labels: [Int]) {
            var inputs = [T](repeating: 0, count: 2 * indices.count)
            for (row, i) in indices.enumerated() {
                inputs[2 * row] = self.inputs[2 * i]
                inputs[2 * row + 1] = self.inputs[2 * i + 1]
            }
            return (inputs, indices.map { labels[$0] })
        }
    }

    /// Gradients of every layer's weights and bias, in layer order.
    typealias Gradients = [(weights: [T], bias: [T]?)]

    /// Rows pushed through at once when measuring a whole set, which bounds
    /// the memory a measurement needs.
    static var evaluationChunk: Int { 1024 }

    var network: DenseNetwork<T>
    var optimizer: GradientDescent<T>
    let training: Dataset
    let heldOut: Dataset

    /// Mean loss and accuracy of the network on `set`.
    func measure(_ set: Dataset) -> (loss: Double, accuracy: Double) {
        var total = 0.0, correct = 0
        for start in stride(from: 0, to: set.count, by: Self.evaluationChunk) {
            let (inputs, labels) = set.batch(start ..< min(start + Self.evaluationChunk, set.count))
            var h = inputs
            for index in network.layers.indices { h = network.forward(layer: index, h, batch: labels.count) }
            let evaluation = SoftmaxCrossEntropy.evaluate(h, labels: labels, classes: TwoSpirals.classes, gradient: false)
            total += evaluation.totalLoss
            correct += evaluation.correct
        }
        return (total / Double(set.count), Double(correct) / Double(set.count))
    }

    /// The gradients of the mean loss over the training rows `rows`
    /// (backpropagation through every layer).
    func gradients(_ rows: some Collection<Int>) -> Gradients {
        let (inputs, labels) = training.batch(rows)
        let activations = network.forward(inputs, batch: labels.count)
        var gradient = SoftmaxCrossEntropy.evaluate(
            activations.last!, labels: labels, classes: TwoSpirals.classes, gradient: true).gradient!
        var result = Gradients(repeating: ([], nil), count: network.layers.count)
        for index in network.layers.indices.reversed() {
            let delta = network.preActivationGradient(layer: index, gradient, output: activations[index + 1])
            result[index] = network.parameterGradients(layer: index, delta, input: activations[index], batch: labels.count)
            if index > 0 { gradient = network.inputGradient(layer: index, delta, batch: labels.count) }
        }
        return result
    }

    /// One step of gradient descent on the training rows `rows`.
    mutating func step(_ rows: some Collection<Int>) {
        let gradients = gradients(rows)
        optimizer.step(&network, gradients: gradients)
    }

    /// √(Σ g²), accumulated in Double in order; +∞ if not finite.
    static func norm(_ values: [T]) -> Double {
        var sum = 0.0
        for value in values { sum += Double(value) * Double(value) }
        return sum.isFinite ? sum.squareRoot() : .infinity
    }
}
