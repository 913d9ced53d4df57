@_spi(Plumbing) import WeightInit

/// The Hugging Face model families whose manifests are computed here, by
/// `model_type`. Each one's names and shapes mirror its modeling code in
/// transformers (checked against manifests recorded from transformers 5.24
/// for small configs: Tests/WeightInitModelsTests/Manifests).
enum ModelFamily: String, CaseIterable, Sendable {
    case llama, gpt2, bert

    static var supported: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The built-in rule set that initialises the family as its `_init_weights` does.
    var ruleSet: String { "hf-" + rawValue }

    /// The architectures the family's manifest knows, the default first.
    var architectures: [String] {
        switch self {
        case .llama: ["LlamaForCausalLM", "LlamaModel"]
        case .gpt2: ["GPT2LMHeadModel", "GPT2Model"]
        case .bert: ["BertForMaskedLM", "BertModel"]
        }
    }

    /// The architecture of a config without `architectures`: the family's
    /// language model (its base model with the language-modelling head).
    var defaultArchitecture: String { architectures[0] }

    /// (name, shape) of every saved tensor of `config`'s architecture.
    func tensors(_ config: ModelConfig) throws -> [(name: String, shape: [Int])] {
        let architecture = try config.checkedArchitecture()
        switch self {
        case .llama: return try LlamaManifest.tensors(config, architecture: architecture)
        case .gpt2: return try GPT2Manifest.tensors(config, architecture: architecture)
        case .bert: return try BertManifest.tensors(config, architecture: architecture)
        }
    }
}
