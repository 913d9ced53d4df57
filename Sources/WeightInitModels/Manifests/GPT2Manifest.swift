@_spi(Plumbing) import WeightInit

/// The tensors of a GPT-2 checkpoint (transformers `modeling_gpt2.py`):
/// `GPT2Model` and `GPT2LMHeadModel`, in registration order. GPT-2's
/// projections are `Conv1D`s, whose weights are (in, out) — transposed
/// against `nn.Linear`. Defaults are `GPT2Config`'s: `n_inner` 4·n_embd,
/// tied embeddings; cross-attention is not supported here.
enum GPT2Manifest {
    /// The tensors of `config`'s `architecture` (one of ``ModelFamily/architectures``).
    static func tensors(_ config: ModelConfig, architecture: String) throws -> [(name: String, shape: [Int])] {
        let vocabulary = try config.dimension("vocab_size"), positions = try config.dimension("n_positions")
        let embedding = try config.dimension("n_embd"), layers = try config.dimension("n_layer", minimum: 0)
        let heads = try config.dimension("n_head")
        var list = ManifestBuilder(config)
        // GPT2Attention refuses heads that do not divide the width.
        guard embedding % heads == 0 else {
            throw config.invalid(
                "n_head \(heads) does not divide n_embd \(embedding) (GPT2Attention refuses it)", key: "n_head")
        }
        let inner = try config.dimension("n_inner", default: try list.product(4, embedding, "n_inner (4 × n_embd)", key: "n_embd"))
        let attentionWidth = try list.product(3, embedding, "c_attn's width (3 × n_embd)", key: "n_embd")
        let tied = try config.flag("tie_word_embeddings", default: true)
        if try config.flag("add_cross_attention", default: false) {
            throw config.invalid("gpt2 with add_cross_attention is not supported", key: "add_cross_attention")
        }

        try list.reserve(blocks: layers, perBlock: 12, others: 5, key: "n_layer")
        let prefix = architecture == "GPT2Model" ? "" : "transformer."
        try list.add(prefix + "wte.weight", [vocabulary, embedding])
        try list.add(prefix + "wpe.weight", [positions, embedding])
        func norm(_ name: String) throws { try list.add(name + ".weight", [embedding]); try list.add(name + ".bias", [embedding]) }
        func conv1D(_ name: String, in input: Int, out: Int) throws { try list.add(name + ".weight", [input, out]); try list.add(name + ".bias", [out]) }
        for layer in 0 ..< layers {
            let block = "\(prefix)h.\(layer)."
            try norm(block + "ln_1")
            try conv1D(block + "attn.c_attn", in: embedding, out: attentionWidth)
            try conv1D(block + "attn.c_proj", in: embedding, out: embedding)
            try norm(block + "ln_2")
            try conv1D(block + "mlp.c_fc", in: embedding, out: inner)
            try conv1D(block + "mlp.c_proj", in: inner, out: embedding)
        }
        try norm(prefix + "ln_f")
        if architecture == "GPT2LMHeadModel", !tied { try list.add("lm_head.weight", [vocabulary, embedding]) }
        return list.tensors
    }
}
