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

    /// transformers' config class, for messages.
    var configClass: String {
        switch self {
        case .llama: "LlamaConfig"
        case .gpt2: "GPT2Config"
        case .bert: "BertConfig"
        }
    }

    /// The fields the manifest and the family's rule set read, with the
    /// type the config class declares (transformers 5.25's `@strict`
    /// dataclasses): checked whenever present.
    var fields: [(key: String, kind: ModelConfig.FieldKind)] {
        switch self {
        case .llama:
            [("vocab_size", .integer), ("hidden_size", .integer), ("intermediate_size", .integer), ("num_hidden_layers", .integer),
             ("num_attention_heads", .integer), ("num_key_value_heads", .integerOrNull), ("head_dim", .integerOrNull),
             ("attention_bias", .boolean), ("mlp_bias", .boolean), ("tie_word_embeddings", .boolean),
             ("initializer_range", .unitFloat), ("pad_token_id", .integerOrNull)]
        case .gpt2:
            [("vocab_size", .integer), ("n_positions", .integer), ("n_embd", .integer), ("n_layer", .integer), ("n_head", .integer),
             ("n_inner", .integerOrNull), ("add_cross_attention", .boolean), ("tie_word_embeddings", .boolean),
             ("initializer_range", .float), ("pad_token_id", .integerOrNull)]
        case .bert:
            [("vocab_size", .integer), ("hidden_size", .integer), ("num_hidden_layers", .integer), ("num_attention_heads", .integer),
             ("intermediate_size", .integer), ("max_position_embeddings", .integer), ("type_vocab_size", .integer),
             ("add_cross_attention", .boolean), ("tie_word_embeddings", .boolean), ("initializer_range", .float), ("pad_token_id", .integerOrNull)]
        }
    }

    /// Whether `pad_token_id` is the word embedding's `padding_idx` (Llama's
    /// and BERT's; GPT-2's `wte` has none).
    var padsEmbedding: Bool { self != .gpt2 }

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
