import Foundation
import Testing

/// `weightinit recommend`: for every activation the library knows, the text
/// and JSON forms agree, the gain is the right one, and the printed command
/// line runs.
@Suite struct RecommendTests {
    /// The gain each activation's recommendation must carry: the nonlinearity
    /// gains of PyTorch's `calculate_gain` for the Kaiming and Xavier choices,
    /// 1 for LeCun normal (SELU) and orthogonal (recurrent).
    static let gains: [String: Double] = [
        "linear": 1, "identity": 1, "conv1d": 1, "conv2d": 1, "conv3d": 1, "conv-transpose1d": 1,
        "conv-transpose2d": 1, "conv-transpose3d": 1, "sigmoid": 1, "tanh": 5.0 / 3, "relu": 2.0.squareRoot(),
        "leaky-relu": (2 / (1 + 0.01 * 0.01)).squareRoot(), "selu": 1, "recurrent": 1,
    ]

    /// The activations the tool knows, from its own error message (which
    /// lists `Recommendation.activations`).
    static func knownActivations(in scratch: Scratch) throws -> [String] {
        let result = try CLI.run(["recommend", "--activation", "no-such-activation"], in: scratch)
        let line = String(result.stderrLines.first ?? "")
        let listed = try #require(line.range(of: "known: ").map { line[$0.upperBound...] }, "stderr: \(result.stderr)")
        return listed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func everyActivation() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let activations = try Self.knownActivations(in: scratch)
        #expect(Set(activations) == Set(Self.gains.keys), "the test's gain table needs updating")

        var jsons: [String] = []
        for (index, activation) in activations.enumerated() {
            let text = try CLI.run(["recommend", "--activation", activation, "--shape", "48,24", "--output", "r\(index).npy"],
                                   in: scratch)
            try #require(text.status == 0, "\(activation): \(text.stderr)")
            #expect(text.stderr.isEmpty)
            let fields = Dictionary(uniqueKeysWithValues: text.stdout.split(separator: "\n").compactMap { line in
                line.firstIndex(of: ":").map {
                    (String(line[..<$0]), line[line.index(after: $0)...].trimmingCharacters(in: .whitespaces))
                }
            })
            #expect(Set(fields.keys) == ["activation", "scheme", "command", "gain", "rationale"], "\(text.stdout)")
            #expect(fields["activation"] == activation)
            let command = try #require(fields["command"])
            let scheme = try #require(fields["scheme"])
            #expect(command.hasPrefix("weightinit generate \(scheme) "))
            #expect(command.hasSuffix("--shape 48,24 --output r\(index).npy"))
            if let gain = fields["gain"].flatMap(Double.init), let expected = Self.gains[activation] {
                #expect(abs(gain - expected) < 1e-12, "\(activation): gain \(gain), expected \(expected)")
            } else {
                Issue.record("\(activation): gain '\(fields["gain"] ?? "")' is not a number")
            }
            let rationale = fields["rationale"] ?? ""
            #expect(rationale.hasSuffix(".") && rationale.count > 20, "\(activation): rationale '\(rationale)'")

            // The command line is exact: run it as printed.
            let words = command.split(separator: " ").map(String.init)
            let run = try CLI.run(Array(words.dropFirst()), in: scratch)
            #expect(run.status == 0, "\(command): \(run.stderr)")

            let json = try CLI.run(["recommend", "--activation", activation, "--shape", "48,24", "--output", "r\(index).npy",
                                    "--json"], in: scratch)
            try #require(json.status == 0, "\(activation) --json: \(json.stderr)")
            #expect(json.stdout.split(separator: "\n").count == 1)
            jsons.append(json.stdout)
            // Same content as the text form; checked against json.loads below.
            jsons.append(try String(decoding: JSONSerialization.data(withJSONObject: [
                "activation": activation, "scheme": scheme, "command": command,
                "gain": Double(fields["gain"] ?? "") ?? .nan, "rationale": rationale,
            ], options: [.sortedKeys]), as: UTF8.self))
        }
        #expect(try scratch.contents() == activations.indices.map { "r\($0).npy" }.sorted())

        // json.loads of each --json output equals the text form's fields.
        let verdicts = try Numpy.run("""
            import sys, json
            args = sys.argv[1:]
            for printed, text in zip(args[0::2], args[1::2]):
                a, b = json.loads(printed), json.loads(text)
                gains = a.pop("gain"), b.pop("gain")
                print(a == b and isinstance(gains[0], (int, float)) and abs(gains[0] - gains[1]) < 1e-12)
            """, jsons)
        #expect(verdicts.split(separator: "\n") == Array(repeating: "True", count: activations.count), "\(verdicts)")
    }

    /// Without --shape the command line carries a placeholder, not an invented shape.
    @Test func placeholderShape() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["recommend", "--activation", "ReLU"], in: scratch)
        #expect(result.status == 0)
        #expect(result.stdout.contains(
            "command:    weightinit generate kaiming-normal --mode fan-in --nonlinearity relu --shape OUT,IN --output w.npy"))
        #expect(try scratch.contents().isEmpty)
    }
}
