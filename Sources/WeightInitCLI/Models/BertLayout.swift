/// The tensors of a BERT checkpoint (transformers `modeling_bert.py`):
/// `BertModel` (with its pooler) and `BertForMaskedLM`, in registration
/// order. Defaults are `BertConfig`'s: `type_vocab_size` 2, tied decoder.
struct BertLayout {
    static let architectures = ["BertForMaskedLM", "BertModel"]

    let config: ModelConfig

    init(_ config: ModelConfig) { self.config = config }

    func tensors() throws -> [(name: String, shape: [Int])] {
        let architecture = try ModelFamily.checkArchitecture(config, supported: Self.architectures)
        let vocabulary = try config.dimension("vocab_size"), hidden = try config.dimension("hidden_size")
        let layers = try config.dimension("num_hidden_layers"), intermediate = try config.dimension("intermediate_size")
        let positions = try config.dimension("max_position_embeddings")
        _ = try config.dimension("num_attention_heads")
        let types = try config.dimension("type_vocab_size", default: 2)
        let tied = try config.flag("tie_word_embeddings", default: true)

        let prefix = architecture == "BertModel" ? "" : "bert."
        var tensors: [(name: String, shape: [Int])] = []
        func linear(_ name: String, out: Int, in input: Int) { tensors += [(name + ".weight", [out, input]), (name + ".bias", [out])] }
        func norm(_ name: String) { tensors += [(name + ".weight", [hidden]), (name + ".bias", [hidden])] }
        tensors += [
            (prefix + "embeddings.word_embeddings.weight", [vocabulary, hidden]),
            (prefix + "embeddings.position_embeddings.weight", [positions, hidden]),
            (prefix + "embeddings.token_type_embeddings.weight", [types, hidden]),
        ]
        norm(prefix + "embeddings.LayerNorm")
        for layer in 0 ..< layers {
            let block = "\(prefix)encoder.layer.\(layer)."
            linear(block + "attention.self.query", out: hidden, in: hidden)
            linear(block + "attention.self.key", out: hidden, in: hidden)
            linear(block + "attention.self.value", out: hidden, in: hidden)
            linear(block + "attention.output.dense", out: hidden, in: hidden)
            norm(block + "attention.output.LayerNorm")
            linear(block + "intermediate.dense", out: intermediate, in: hidden)
            linear(block + "output.dense", out: hidden, in: intermediate)
            norm(block + "output.LayerNorm")
        }
        if architecture == "BertModel" {
            linear("pooler.dense", out: hidden, in: hidden)
        } else {
            // BertLMPredictionHead registers its own bias before its submodules.
            tensors.append(("cls.predictions.bias", [vocabulary]))
            linear("cls.predictions.transform.dense", out: hidden, in: hidden)
            norm("cls.predictions.transform.LayerNorm")
            // Tied, the decoder is the word embedding and its bias the head's: neither is saved.
            if !tied { linear("cls.predictions.decoder", out: vocabulary, in: hidden) }
        }
        return tensors
    }
}
