import ArgumentParser
@_spi(Plumbing) import WeightInit
import WeightInitAnalysis

/// `weightinit recommend --activation <name>`: which scheme to use before an
/// activation, as a `generate` command line, with its gain and the reason.
struct Recommend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recommend an initialiser for the activation that follows the layer.",
        usage: "weightinit recommend --activation <name> [--shape <d1,d2,...>] [--output <path>] [--json]",
        discussion: """
            Activations: \(Self.activations.joined(separator: ", ")) (recurrent: the \
            hidden-to-hidden weights of an RNN, LSTM or GRU).

            Prints the scheme, the `weightinit generate` command line that produces it, \
            the gain, and why. Without --shape the command line holds the placeholder OUT,IN.

            Examples:
              weightinit recommend --activation relu
              weightinit recommend --activation tanh --shape 256,128 --output w.npy
              weightinit recommend --activation selu --json
            """
    )

    /// The nonlinearities' names, then `recurrent`.
    static let activations = Nonlinearity.allCases.map(\.name) + [recurrent]
    static let recurrent = "recurrent"

    @Option(help: "The activation after the layer: \(Self.activations.joined(separator: ", ")).")
    var activation: String

    @Option(help: "Shape to put in the command line (default: the placeholder OUT,IN).")
    var shape: String?

    @Option(help: "Output file to put in the command line.")
    var output: String = "w.npy"

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    /// What `recommend` prints, as text or JSON.
    struct Advice {
        let activation: String
        let scheme: String
        let command: String
        let gain: Double
        let rationale: String

        var json: JSONValue {
            .object([
                ("activation", .string(activation)), ("command", .string(command)), ("gain", .number(gain)),
                ("rationale", .string(rationale)), ("scheme", .string(scheme)),
            ])
        }
    }

    func run() throws {
        let advice = try makeAdvice()
        if json {
            print(advice.json.serialized)
        } else {
            print("""
                activation: \(advice.activation)
                scheme:     \(advice.scheme)
                command:    \(advice.command)
                gain:       \(advice.gain)
                rationale:  \(advice.rationale)
                """)
        }
    }

    func makeAdvice() throws -> Advice {
        let recommendation: Recommendation
        let name: String
        if canonicalName(activation) == Self.recurrent {
            (recommendation, name) = (.recurrent, Self.recurrent)
        } else if let nonlinearity = Nonlinearity(name: activation) {
            (recommendation, name) = (.recommended(for: nonlinearity), nonlinearity.name)
        } else {
            throw CommandLineError.usage(
                "unknown --activation '\(activation)'; known: \(Self.activations.joined(separator: ", "))")
        }
        let shapeText = try shape.map { try ShapeArgument.parse($0).map(String.init).joined(separator: ",") } ?? "OUT,IN"
        let scheme = SchemeEntry.arguments(of: recommendation.initializer).name
        return Advice(
            activation: name, scheme: scheme,
            command: "weightinit generate \(SchemeEntry.commandLine(for: recommendation.initializer)) --shape \(shapeText) --output \(output)",
            gain: Self.gain(of: recommendation.initializer), rationale: recommendation.rationale)
    }

    /// The factor the scheme puts on its fan-derived scale: its gain, or the
    /// recommended one for its nonlinearity; 1 for schemes without a gain.
    static func gain(of initializer: Initializer) -> Double {
        switch initializer {
        case let .xavierUniform(gain), let .xavierNormal(gain, _), let .orthogonal(gain, _, _), let .deltaOrthogonal(gain),
             let .eye(gain):
            return gain
        case let .kaimingUniform(_, nonlinearity, gain), let .kaimingNormal(_, nonlinearity, gain, _):
            return gain ?? Gain.recommended(for: nonlinearity)
        case let .varianceScaling(scale, _, _):
            return scale.squareRoot()
        case .zeros, .ones, .constant, .uniform, .uniformFanIn, .normal, .truncatedNormal,
             .lecunUniform, .lecunNormal, .dirac, .sparse:
            return 1
        }
    }
}
