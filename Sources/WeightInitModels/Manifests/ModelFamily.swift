@_spi(Plumbing) import WeightInit

/// The Hugging Face model families whose layouts are computed here, by
/// `model_type`. Each one's names and shapes mirror its modeling code in
/// transformers (checked against manifests recorded from transformers 5.24
/// for small configs: Tests/WeightInitCLITests/Manifests).
package enum ModelFamily: String, CaseIterable, Sendable {
    case llama, gpt2, bert

    static var supported: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The built-in rule set that initialises the family as its `_init_weights` does.
    var ruleSet: String { "hf-" + rawValue }

    /// (name, shape) of every saved tensor of `config`'s architecture.
    func tensors(_ config: ModelConfig) throws -> [(name: String, shape: [Int])] {
        switch self {
        case .llama: try LlamaLayout(config).tensors()
        case .gpt2: try GPT2Layout(config).tensors()
        case .bert: try BertLayout(config).tensors()
        }
    }

    /// Refuses an architecture the family's layout does not know.
    static func checkArchitecture(_ config: ModelConfig, supported: [String]) throws -> String {
        let architecture = config.architecture ?? supported[0]
        guard supported.contains(architecture) else {
            throw ModelError(
                "invalid --config '\(TerminalText.escaped(config.path, limit: 512))': architecture \(architecture) of \(config.family.rawValue) is not supported; "
                    + "supported: \(supported.joined(separator: ", "))")
        }
        return architecture
    }
}
