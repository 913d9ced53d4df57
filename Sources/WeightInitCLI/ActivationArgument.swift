import WeightInit

/// `--activation` with `--negative-slope`, as `propagate` and `train` take
/// them: any name of the one activation vocabulary (`Nonlinearity`).
enum ActivationArgument {
    static func parse(_ name: String, negativeSlope: Double?) throws -> Nonlinearity {
        guard var activation = Nonlinearity(name: name) else {
            throw CommandLineError.usage(
                "unknown --activation '\(name)'; known: \(Nonlinearity.allCases.map(\.name).joined(separator: ", "))")
        }
        if let negativeSlope {
            guard case .leakyRelu = activation else {
                throw CommandLineError.usage("--negative-slope applies only to --activation leaky-relu")
            }
            guard negativeSlope.isFinite else {
                throw CommandLineError.usage("invalid --negative-slope \(negativeSlope): must be finite")
            }
            activation = .leakyRelu(negativeSlope: negativeSlope)
        }
        return activation
    }

    /// The `--activation` option's help.
    static var help: String { "Activation after every layer: \(Nonlinearity.allCases.map(\.name).joined(separator: ", "))." }
}
