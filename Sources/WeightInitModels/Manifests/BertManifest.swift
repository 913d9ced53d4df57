@_spi(Plumbing) import WeightInit

/// The tensors of a BERT checkpoint (transformers `modeling_bert.py`):
/// `BertModel` (with its pooler) and `BertForMaskedLM`, in registration
/// order. Defaults are `BertConfig`'s: `type_vocab_size` 2, tied decoder;
/// cross-attention is not supported here.
enum BertManifest {
    /// The tensors of `config`'s `architecture` (one of ``ModelFamily/architectures``).
    static func tensors(_ config: ModelConfig, architecture: String) throws -> [(name: String, shape: [Int])] {
        let vocabulary = try config.dimension("vocab_size"), hidden = try config.dimension("hidden_size")
        let layers = try config.dimension("num_hidden_layers", minimum: 0), intermediate = try config.dimension("intermediate_size")
        let positions = try config.dimension("max_position_embeddings")
        let heads = try config.dimension("num_attention_heads")
        // BertSelfAttention refuses heads that do not divide the width (unless
        // the config has an embedding_size, whose narrower query/key/value
        // projections this manifest does not list: refused too).
        guard hidden % heads == 0 else {
            throw config.invalid(
                "num_attention_heads \(heads) does not divide hidden_size \(hidden) (BertSelfAttention refuses it)", key: "num_attention_heads")
        }
        let types = try config.dimension("type_vocab_size", default: 2)
        let tied = try config.flag("tie_word_embeddings", default: true)
        // Cross-attention adds a block to every layer (with is_decoder; BertLayer refuses it without).
        if try config.flag("add_cross_attention", default: false) {
            throw config.invalid("bert with add_cross_attention is not supported", key: "add_cross_attention")
        }

        let prefix = architecture == "BertModel" ? "" : "bert."
        var list = ManifestBuilder(config)
        try list.reserve(blocks: layers, perBlock: 16, others: 11, key: "num_hidden_layers")
        func linear(_ name: String, out: Int, in input: Int) throws { try list.add(name + ".weight", [out, input]); try list.add(name + ".bias", [out]) }
        func norm(_ name: String) throws { try list.add(name + ".weight", [hidden]); try list.add(name + ".bias", [hidden]) }
        try list.add(prefix + "embeddings.word_embeddings.weight", [vocabulary, hidden])
        try list.add(prefix + "embeddings.position_embeddings.weight", [positions, hidden])
        try list.add(prefix + "embeddings.token_type_embeddings.weight", [types, hidden])
        try norm(prefix + "embeddings.LayerNorm")
        for layer in 0 ..< layers {
            let block = "\(prefix)encoder.layer.\(layer)."
            try linear(block + "attention.self.query", out: hidden, in: hidden)
            try linear(block + "attention.self.key", out: hidden, in: hidden)
            try linear(block + "attention.self.value", out: hidden, in: hidden)
            try linear(block + "attention.output.dense", out: hidden, in: hidden)
            try norm(block + "attention.output.LayerNorm")
            try linear(block + "intermediate.dense", out: intermediate, in: hidden)
            try linear(block + "output.dense", out: hidden, in: intermediate)
            try norm(block + "output.LayerNorm")
        }
        if architecture == "BertModel" {
            try linear("pooler.dense", out: hidden, in: hidden)
        } else {
            // BertLMPredictionHead registers its own bias before its submodules.
            try list.add("cls.predictions.bias", [vocabulary])
            try linear("cls.predictions.transform.dense", out: hidden, in: hidden)
            try norm("cls.predictions.transform.LayerNorm")
            // Tied, the decoder is the word embedding and its bias the head's: neither is saved.
            if !tied { try linear("cls.predictions.decoder", out: vocabulary, in: hidden) }
        }
        return list.tensors
    }
}
