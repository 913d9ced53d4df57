import ArgumentParser
@_spi(Plumbing) import WeightInit
import WeightInitModels
import WeightInitAnalysis

/// `weightinit stats FILE`: what a weight file holds, and how well it matches
/// the scheme that made it.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print statistics of the tensors in a .npy or .safetensors file.",
        usage: "weightinit stats <file> [--tensor <name>] [--json] [--scheme <scheme> [<scheme options>]]",
        discussion: """
            For each tensor: shape, dtype, mean, std (population), min, max and the \
            fraction of zeros. When the scheme is known — from the metadata weightinit \
            writes into .safetensors files, or from --scheme and its options — also the \
            expected mean, std and bounds, the Kolmogorov–Smirnov statistic D with its \
            asymptotic p-value against the scheme's law rounded to the tensor's dtype \
            (so f16 and bf16 are judged fairly), and for orthogonal matrices \
            ‖QᵀQ − gain²·I‖_F / gain².

            --json prints one JSON object per tensor, one per line.

            Examples:
              weightinit stats model.safetensors
              weightinit stats w.npy --scheme kaiming-normal --nonlinearity relu
              weightinit stats model.safetensors --tensor fc1.weight --json
            """
    )

    @Argument(help: "A .npy or .safetensors file (told apart by content).")
    var file: String

    @Option(help: "Only this tensor of a multi-tensor file.")
    var tensor: String?

    @Flag(help: "One JSON object per tensor per line.")
    var json = false

    @Option(help: "The scheme the values should follow (overrides the file's metadata).")
    var scheme: String?

    @Option(help: "How fans are read from the shape for --scheme: torch or keras (default torch).")
    var layout: LayoutArgument?

    /// The options of `--scheme` (`--nonlinearity relu`), for the engine's scheme parser.
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var schemeOptions: [String] = []

    func run() throws {
        let contents = try TensorFile.index(file)
        // Nothing to report is an error, not empty output: a script reading
        // --json lines would otherwise take it for success.
        guard !contents.tensors.isEmpty else { throw CommandLineError.usage("\(file) holds no tensors") }
        var tensors = contents.tensors
        if let tensor {
            tensors = tensors.filter { $0.name == tensor }
            guard !tensors.isEmpty else {
                let names = contents.tensors.prefix(20).map { TerminalText.quoted($0.name) }.joined(separator: ", ")
                let more = contents.tensors.count > 20 ? " and \(contents.tensors.count - 20) more" : ""
                throw CommandLineError.usage("no tensor \(TerminalText.quoted(tensor)) in \(file); it has: \(names)\(more)")
            }
        }
        if scheme == nil, !schemeOptions.isEmpty || layout != nil {
            throw CommandLineError.usage("scheme options and --layout need --scheme")
        }
        for stored in tensors {
            let expectation = try expectation(for: stored, metadata: contents.metadata)
            let report = try TensorReport(stored, in: file, expectation: expectation)
            print(json ? report.json.serialized : report.text)
        }
    }

    /// The scheme from --scheme, else from the file's metadata record, else none.
    private func expectation(for stored: TensorFile.Located, metadata: [String: String]) throws -> Expectation? {
        if let scheme {
            let parsed = try SchemeText(words: [scheme] + schemeOptions, what: "--scheme")
            let tensor = try PlannedTensor(
                name: stored.name, scheme: parsed.entry.name, given: parsed.given, shape: stored.shape, dtype: stored.dtype,
                layout: layout?.layout ?? .torch, stream: RandomStream(seed: 0))
            return Expectation(tensor, source: "--scheme")
        }
        guard let text = metadata[PlannedTensor.metadataKey(stored.name)] else { return nil }
        do {
            let (tensor, isBlock) = try PlannedTensor.recorded(text, name: stored.name, shape: stored.shape, dtype: stored.dtype)
            return Expectation(tensor, source: "metadata", isBlock: isBlock)
        } catch {
            throw WeightInitError.malformedFile(path: file, reason: "metadata of \(TerminalText.quoted(stored.name)): \(error)")
        }
    }
}
