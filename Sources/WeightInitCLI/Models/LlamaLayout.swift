/// The tensors of a Llama checkpoint (transformers `modeling_llama.py`):
/// `LlamaModel` and `LlamaForCausalLM`, in registration order. Defaults are
/// `LlamaConfig`'s: `head_dim` hidden_size / num_attention_heads,
/// `num_key_value_heads` num_attention_heads, no attention or MLP biases,
/// untied embeddings.
struct LlamaLayout {
    static let architectures = ["LlamaForCausalLM", "LlamaModel"]

    let config: ModelConfig

    init(_ config: ModelConfig) { self.config = config }

    func tensors() throws -> [(name: String, shape: [Int])] {
        let architecture = try ModelFamily.checkArchitecture(config, supported: Self.architectures)
        let vocabulary = try config.dimension("vocab_size"), hidden = try config.dimension("hidden_size")
        let layers = try config.dimension("num_hidden_layers"), intermediate = try config.dimension("intermediate_size")
        let heads = try config.dimension("num_attention_heads")
        let keyValueHeads = try config.dimension("num_key_value_heads", default: heads)
        let headDimension = try config.dimension("head_dim", default: hidden / heads)
        let attentionBias = try config.flag("attention_bias", default: false)
        let mlpBias = try config.flag("mlp_bias", default: false)
        let tied = try config.flag("tie_word_embeddings", default: false)

        let prefix = architecture == "LlamaModel" ? "" : "model."
        var tensors: [(name: String, shape: [Int])] = [(prefix + "embed_tokens.weight", [vocabulary, hidden])]
        func linear(_ name: String, out: Int, in input: Int, bias: Bool) {
            tensors.append((name + ".weight", [out, input]))
            if bias { tensors.append((name + ".bias", [out])) }
        }
        for layer in 0 ..< layers {
            let block = "\(prefix)layers.\(layer)."
            linear(block + "self_attn.q_proj", out: heads * headDimension, in: hidden, bias: attentionBias)
            linear(block + "self_attn.k_proj", out: keyValueHeads * headDimension, in: hidden, bias: attentionBias)
            linear(block + "self_attn.v_proj", out: keyValueHeads * headDimension, in: hidden, bias: attentionBias)
            linear(block + "self_attn.o_proj", out: hidden, in: heads * headDimension, bias: attentionBias)
            linear(block + "mlp.gate_proj", out: intermediate, in: hidden, bias: mlpBias)
            linear(block + "mlp.up_proj", out: intermediate, in: hidden, bias: mlpBias)
            linear(block + "mlp.down_proj", out: hidden, in: intermediate, bias: mlpBias)
            tensors.append((block + "input_layernorm.weight", [hidden]))
            tensors.append((block + "post_attention_layernorm.weight", [hidden]))
        }
        tensors.append((prefix + "norm.weight", [hidden]))
        // A tied head is the embedding itself: save_pretrained leaves it out.
        if architecture == "LlamaForCausalLM", !tied { tensors.append(("lm_head.weight", [vocabulary, hidden])) }
        return tensors
    }
}
