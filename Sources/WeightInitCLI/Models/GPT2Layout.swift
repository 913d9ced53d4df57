@_spi(Plumbing) import WeightInit

/// The tensors of a GPT-2 checkpoint (transformers `modeling_gpt2.py`):
/// `GPT2Model` and `GPT2LMHeadModel`, in registration order. GPT-2's
/// projections are `Conv1D`s, whose weights are (in, out) — transposed
/// against `nn.Linear`. Defaults are `GPT2Config`'s: `n_inner` 4·n_embd,
/// tied embeddings; cross-attention is not supported here.
struct GPT2Layout {
    static let architectures = ["GPT2LMHeadModel", "GPT2Model"]

    let config: ModelConfig

    init(_ config: ModelConfig) { self.config = config }

    func tensors() throws -> [(name: String, shape: [Int])] {
        let architecture = try ModelFamily.checkArchitecture(config, supported: Self.architectures)
        let vocabulary = try config.dimension("vocab_size"), positions = try config.dimension("n_positions")
        let embedding = try config.dimension("n_embd"), layers = try config.dimension("n_layer")
        _ = try config.dimension("n_head")
        let inner = try config.dimension("n_inner", default: 4 * embedding)
        let tied = try config.flag("tie_word_embeddings", default: true)
        if try config.flag("add_cross_attention", default: false) {
            throw CommandLineError.usage(
                "invalid --config '\(TerminalText.escaped(config.path, limit: 512))': gpt2 with add_cross_attention is not supported")
        }

        let prefix = architecture == "GPT2Model" ? "" : "transformer."
        var tensors: [(name: String, shape: [Int])] = [
            (prefix + "wte.weight", [vocabulary, embedding]), (prefix + "wpe.weight", [positions, embedding]),
        ]
        func norm(_ name: String) { tensors += [(name + ".weight", [embedding]), (name + ".bias", [embedding])] }
        func conv1D(_ name: String, in input: Int, out: Int) { tensors += [(name + ".weight", [input, out]), (name + ".bias", [out])] }
        for layer in 0 ..< layers {
            let block = "\(prefix)h.\(layer)."
            norm(block + "ln_1")
            conv1D(block + "attn.c_attn", in: embedding, out: 3 * embedding)
            conv1D(block + "attn.c_proj", in: embedding, out: embedding)
            norm(block + "ln_2")
            conv1D(block + "mlp.c_fc", in: embedding, out: inner)
            conv1D(block + "mlp.c_proj", in: inner, out: embedding)
        }
        norm(prefix + "ln_f")
        if architecture == "GPT2LMHeadModel", !tied { tensors.append(("lm_head.weight", [vocabulary, embedding])) }
        return tensors
    }
}
