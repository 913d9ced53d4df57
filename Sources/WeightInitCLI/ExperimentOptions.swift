import ArgumentParser
import WeightInit
import WeightInitAnalysis

/// What `propagate` and `train` both take: the activation of the network
/// (any name of the one activation vocabulary, `Nonlinearity`, with
/// `--negative-slope` for leaky-relu) and the schemes to compare.
struct ExperimentOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Activation after each hidden layer: \(Nonlinearity.allCases.map(\.name).joined(separator: ", ")).",
        valueName: "activation"))
    var activation: String = "relu"

    @Option(name: .customLong("negative-slope"), parsing: .unconditional,
            help: "Slope of leaky-relu for negative inputs (default 0.01).")
    var negativeSlope: Double?

    @Option(name: .customLong("scheme"), parsing: .unconditionalSingleValue,
            help: "A scheme and its parameters, e.g. \"normal --std 0.01\"; repeat to compare.")
    var schemes: [String] = []

    /// `--activation` with `--negative-slope`, checked.
    func nonlinearity() throws -> Nonlinearity {
        guard var activation = Nonlinearity(name: activation) else {
            throw CommandLineError.usage(
                "unknown --activation '\(activation)'; known: \(Nonlinearity.allCases.map(\.name).joined(separator: ", "))")
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

    /// The `--scheme` texts given, or else `baseline` followed by the
    /// recommended scheme for `activation`, as the command line spells it.
    func schemeTexts(baseline: [String], activation: Nonlinearity) -> [String] {
        guard schemes.isEmpty else { return schemes }
        return baseline + [SchemeEntry.commandLine(for: Recommendation.recommended(for: activation).initializer)]
    }
}
