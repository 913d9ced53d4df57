@_spi(Plumbing) import WeightInit

/// The tensors of a Llama checkpoint (transformers `modeling_llama.py`):
/// `LlamaModel` and `LlamaForCausalLM`, in registration order. Defaults are
/// `LlamaConfig`'s: `head_dim` hidden_size / num_attention_heads,
/// `num_key_value_heads` num_attention_heads, no attention or MLP biases,
/// untied embeddings.
enum LlamaManifest {
    /// The tensors of `config`'s `architecture` (one of ``ModelFamily/architectures``).
    static func tensors(_ config: ModelConfig, architecture: String) throws -> [(name: String, shape: [Int])] {
        let vocabulary = try config.dimension("vocab_size"), hidden = try config.dimension("hidden_size")
        let layers = try config.dimension("num_hidden_layers", minimum: 0), intermediate = try config.dimension("intermediate_size")
        let heads = try config.dimension("num_attention_heads")
        let keyValueHeads = try config.dimension("num_key_value_heads", default: heads)
        // LlamaConfig's validate_architecture refuses this whether or not head_dim is given.
        guard hidden % heads == 0 else {
            throw config.invalid(
                "num_attention_heads \(heads) does not divide hidden_size \(hidden) (LlamaConfig refuses it)", key: "num_attention_heads")
        }
        // LlamaAttention's head_dim: hidden_size // num_attention_heads unless given.
        let headDimension = try config.dimension("head_dim", default: hidden / heads)
        let attentionBias = try config.flag("attention_bias", default: false)
        let mlpBias = try config.flag("mlp_bias", default: false)
        let tied = try config.flag("tie_word_embeddings", default: false)

        var list = ManifestBuilder(config)
        let queryWidth = try list.product(heads, headDimension, "num_attention_heads × head_dim", key: "head_dim")
        let keyValueWidth = try list.product(keyValueHeads, headDimension, "num_key_value_heads × head_dim", key: "head_dim")
        try list.reserve(blocks: layers, perBlock: 9 + (attentionBias ? 4 : 0) + (mlpBias ? 3 : 0), others: 3, key: "num_hidden_layers")

        let prefix = architecture == "LlamaModel" ? "" : "model."
        try list.add(prefix + "embed_tokens.weight", [vocabulary, hidden])
        func linear(_ name: String, out: Int, in input: Int, bias: Bool) throws {
            try list.add(name + ".weight", [out, input])
            if bias { try list.add(name + ".bias", [out]) }
        }
        for layer in 0 ..< layers {
            let block = "\(prefix)layers.\(layer)."
            try linear(block + "self_attn.q_proj", out: queryWidth, in: hidden, bias: attentionBias)
            try linear(block + "self_attn.k_proj", out: keyValueWidth, in: hidden, bias: attentionBias)
            try linear(block + "self_attn.v_proj", out: keyValueWidth, in: hidden, bias: attentionBias)
            try linear(block + "self_attn.o_proj", out: hidden, in: queryWidth, bias: attentionBias)
            try linear(block + "mlp.gate_proj", out: intermediate, in: hidden, bias: mlpBias)
            try linear(block + "mlp.up_proj", out: intermediate, in: hidden, bias: mlpBias)
            try linear(block + "mlp.down_proj", out: hidden, in: intermediate, bias: mlpBias)
            try list.add(block + "input_layernorm.weight", [hidden])
            try list.add(block + "post_attention_layernorm.weight", [hidden])
        }
        try list.add(prefix + "norm.weight", [hidden])
        // A tied head is the embedding itself: save_pretrained leaves it out.
        if architecture == "LlamaForCausalLM", !tied { try list.add("lm_head.weight", [vocabulary, hidden]) }
        return list.tensors
    }
}
