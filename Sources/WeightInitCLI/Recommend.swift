import ArgumentParser
import Foundation
import WeightInit

/// `weightinit recommend --activation <name>`: which scheme to use before an
/// activation, as a `generate` command line, with its gain and the reason.
struct Recommend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recommend an initialiser for the activation that follows the layer.",
        usage: "weightinit recommend --activation <name> [--shape <d1,d2,...>] [--output <path>] [--json]",
        discussion: """
            Activations: \(Recommendation.activations.joined(separator: ", ")).

            Prints the scheme, the `weightinit generate` command line that produces it, \
            the gain, and why. Without --shape the command line holds the placeholder OUT,IN.

            Examples:
              weightinit recommend --activation relu
              weightinit recommend --activation tanh --shape 256,128 --output w.npy
              weightinit recommend --activation selu --json
            """
    )

    @Option(help: "The activation after the layer: \(Recommendation.activations.joined(separator: ", ")).")
    var activation: String

    @Option(help: "Shape to put in the command line (default: the placeholder OUT,IN).")
    var shape: String?

    @Option(help: "Output file to put in the command line.")
    var output: String = "w.npy"

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    /// What `recommend` prints, as text or JSON.
    struct Advice: Encodable {
        let activation: String
        let scheme: String
        let command: String
        let gain: Double
        let rationale: String
    }

    func run() throws {
        let advice = try makeAdvice()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(advice), as: UTF8.self))
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
        guard let recommendation = Recommendation.recommended(for: activation) else {
            throw CommandLineError.usage(
                "unknown --activation '\(activation)'; known: \(Recommendation.activations.joined(separator: ", "))")
        }
        let shapeText = try shape.map { try ShapeArgument.parse($0).map(String.init).joined(separator: ",") } ?? "OUT,IN"
        let scheme = String(recommendation.command.prefix { $0 != " " })
        // The recommendation must name a scheme of the table, or the command line would not run.
        _ = try SchemeEntry.named(scheme)
        return Advice(
            activation: recommendation.activation, scheme: scheme,
            command: "weightinit generate \(recommendation.command) --shape \(shapeText) --output \(output)",
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
