import Foundation
import Testing
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) @testable import WeightInitModels

/// What the manifests computed from configs hold, against manifests
/// recorded from transformers, torch and torchvision (Manifests/record.py):
/// every tensor's name, shape and dtype, in `state_dict()` order, for small
/// configs, the examples and lone modules.
@Suite struct ManifestTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Manifests")
    static let root = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A recorded manifest, and the config it was recorded for (Hugging Face ones).
    struct Recorded {
        let config: JSONValue?
        let manifest: ModelManifest
        var tensors: [ModelManifest.Tensor] { manifest.tensors }
    }

    struct Malformed: Error { let name: String }

    static func manifest(_ name: String) throws -> Recorded {
        let bytes = try Array(Data(contentsOf: directory.appendingPathComponent(name + ".json")))
        guard case let .object(members) = try JSONParser.parse(bytes),
              case let .array(rows)? = members.first(where: { $0.key == "tensors" })?.value else {
            throw Malformed(name: name)
        }
        let tensors = try rows.map { row -> ModelManifest.Tensor in
            guard case let .array(fields) = row, case let .string(tensor) = fields[0], case let .array(shape) = fields[1],
                  case let .string(dtype) = fields[2] else { throw Malformed(name: name) }
            return ModelManifest.Tensor(name: tensor, shape: shape.map { $0.integerValue! }, dtype: DType(rawValue: dtype)!)
        }
        return Recorded(config: members.first(where: { $0.key == "config" })?.value, manifest: ModelManifest(tensors))
    }

    static let huggingFace = [
        "llama-causal-lm", "llama-biases-tied", "llama-model", "gpt2-lm-head", "gpt2-untied", "gpt2-model",
        "bert-masked-lm", "bert-untied", "bert-model",
    ]

    @Test(arguments: huggingFace)
    func configManifestIsWhatTransformersSaves(_ name: String) throws {
        let recorded = try Self.manifest(name)
        let config = try ModelConfig(json: Array(try #require(recorded.config).serialized.utf8), path: name + "/config.json")
        #expect(try config.manifest() == recorded.manifest)
    }

    /// The examples list exactly what the modules they are written for hold.
    @Test(arguments: [("mlp-lstm", "mlp-lstm"), ("resnet18", "resnet18")])
    func exampleIsTheModulesStateDict(example: String, manifest name: String) throws {
        let jobs = try ModelPlan(spec: Self.root.appendingPathComponent("docs/examples/\(example).json").path).tensors
        let manifest = try Self.manifest(name)
        #expect(jobs.map(\.name) == manifest.tensors.map(\.name))
        #expect(jobs.map(\.shape) == manifest.tensors.map(\.shape))
        // The example's own dtypes where it sets them (a bf16 LSTM input weight); the integer buffers exactly.
        for (job, tensor) in zip(jobs, manifest.tensors) where !job.dtype.isFloatingPoint || tensor.dtype?.isFloatingPoint == false {
            #expect(job.dtype == tensor.dtype, "\(job.name)")
        }
    }

    /// A config without `architectures` is the family's language model —
    /// the recorded ForCausalLM, LMHeadModel and ForMaskedLM manifests —
    /// as the config's documentation says.
    @Test(arguments: [("llama-causal-lm", "LlamaForCausalLM"), ("gpt2-lm-head", "GPT2LMHeadModel"), ("bert-masked-lm", "BertForMaskedLM")])
    func noArchitecturesMeansTheLanguageModel(name: String, architecture: String) throws {
        let recorded = try Self.manifest(name)
        guard case let .object(members)? = recorded.config else { throw Malformed(name: name) }
        let bare = JSONValue.object(members.filter { $0.key != "architectures" })
        let config = try ModelConfig(json: Array(bare.serialized.utf8), path: name + "/config.json")
        #expect(config.architecture == architecture)
        #expect(try config.manifest() == recorded.manifest)
    }

    /// A config a layout cannot be computed from: one line naming what is wrong.
    @Test(arguments: [
        (#"{"model_type": "mistral"}"#, "unsupported model_type \"mistral\"; supported: llama, gpt2, bert"),
        (#"{"hidden_size": 4}"#, "no \"model_type\""),
        (#"{"model_type": "llama", "vocab_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8}"#,
         "llama needs \"hidden_size\" (an integer ≥ 1)"),
        (#"{"model_type": "gpt2", "vocab_size": 8, "n_positions": 4, "n_embd": 8, "n_layer": 0, "n_head": 2}"#,
         "gpt2 needs \"n_layer\" (an integer ≥ 1)"),
        (#"{"model_type": "bert", "architectures": ["BertForTokenClassification"]}"#,
         "architecture BertForTokenClassification of bert is not supported; supported: BertForMaskedLM, BertModel"),
        (#"{"model_type": "llama", "tie_word_embeddings": "yes"}"#, "needs \"vocab_size\""),
        (#"[1]"#, "a config is a JSON object"),
    ])
    func badConfig(text: String, message: String) throws {
        let error = try #require(throws: ModelError.self) {
            try ModelConfig(json: Array(text.utf8), path: "c.json").manifest()
        }
        #expect(error.source == .config("c.json"))
        #expect(error.description.contains(message), "\(error)")
    }
}

/// The curated rule sets against the reference code's formulas, worked out
/// here from each module's reset_parameters / _init_weights — not from the
/// rules — for every tensor of the recorded layouts.
@Suite struct RuleSetTests {
    /// The distribution or constant a job writes.
    enum Law: Equatable {
        case constant(Double)
        case sample(Distribution)
        case parts
    }

    static func law(_ job: PlannedTensor) throws -> Law {
        if !job.parts.isEmpty { return .parts }
        if let value = job.integerConstant { return .constant(value) }
        switch job.initializer {
        case .zeros: return .constant(0)
        case .ones: return .constant(1)
        case let .constant(value): return .constant(value)
        default: return .sample(try #require(try job.initializer.distribution(shape: job.fillShape, layout: job.layout)))
        }
    }

    /// The planned tensors of a manifest under `rules`, with `variables`.
    static func jobs(_ manifest: ModelManifest, rules: String, variables: [String: RuleValue] = [:]) throws -> [String: PlannedTensor] {
        let plan = try ModelPlan(manifest: manifest, rules: try RuleSet(named: rules), variables: variables)
        return Dictionary(uniqueKeysWithValues: plan.tensors.map { ($0.name, $0) })
    }

    static func uniform(_ bound: Double) -> Law { .sample(.uniform(low: -bound, high: bound)) }
    static func normal(_ std: Double) -> Law { .sample(.normal(mean: 0, std: std)) }

    /// torch-defaults over every module it covers (the torch-modules manifest).
    @Test func torchDefaultsFollowResetParameters() throws {
        let jobs = try Self.jobs(try ManifestTests.manifest("torch-modules").manifest, rules: "torch-defaults")
        var expected: [String: Law] = [
            // Conv2d(3, 8, 3): fan_in 3·9; Conv1d(8, 6, 5, groups=2): 4·5; ConvTranspose2d(6, 4, 3): weight (6, 4, 3, 3), fan_in 4·9.
            "conv.weight": Self.uniform(1 / 27.0.squareRoot()), "conv.bias": Self.uniform(1 / 27.0.squareRoot()),
            "conv1d.weight": Self.uniform(1 / 20.0.squareRoot()), "conv1d.bias": Self.uniform(1 / 20.0.squareRoot()),
            "deconv.weight": Self.uniform(1 / 6), "deconv.bias": Self.uniform(1 / 6),
            "bn.weight": .constant(1), "bn.bias": .constant(0), "bn.running_mean": .constant(0), "bn.running_var": .constant(1),
            "bn.num_batches_tracked": .constant(0), "gn.weight": .constant(1), "gn.bias": .constant(0),
            "embedding.weight": Self.normal(1),
            // MultiheadAttention(10, 2): in_proj (30, 10) Xavier, out_proj a Linear with its bias zeroed.
            "attn.in_proj_weight": .sample(.uniform(low: -(6.0 / 40).squareRoot(), high: (6.0 / 40).squareRoot())),
            "attn.in_proj_bias": .constant(0), "attn.out_proj.weight": Self.uniform(1 / 10.0.squareRoot()), "attn.out_proj.bias": .constant(0),
            "norm.weight": .constant(1), "norm.bias": .constant(0),
            "head.weight": Self.uniform(1 / 10.0.squareRoot()), "head.bias": Self.uniform(1 / 10.0.squareRoot()),
        ]
        // Every LSTM and GRU parameter: U(±1/√hidden_size), hidden 12 and 10.
        for name in jobs.keys where name.hasPrefix("lstm.") { expected[name] = Self.uniform(1 / 12.0.squareRoot()) }
        for name in jobs.keys where name.hasPrefix("gru.") { expected[name] = Self.uniform(1 / 10.0.squareRoot()) }
        #expect(Set(expected.keys) == Set(jobs.keys))
        for (name, law) in expected {
            #expect(try Self.law(try #require(jobs[name])) == law, "\(name)")
        }
        #expect(jobs["bn.num_batches_tracked"]?.dtype == .i64 && jobs["bn.num_batches_tracked"]?.shape == [])
    }

    /// torch-defaults over the state_dict of lone modules, whose names have
    /// no prefix (`weight`, `bias_hh_l0`, `in_proj_weight`): each as
    /// `reset_parameters` draws it — but a lone Embedding, whose one `weight`
    /// no name tells from a Linear's, which takes the Linear's law.
    @Test(arguments: [
        ("lstm", [String: Law]()), ("gru", [:]),
        ("linear", ["weight": uniform(1 / 20.0.squareRoot()), "bias": uniform(1 / 20.0.squareRoot())]),
        ("conv2d", ["weight": uniform(1 / 27.0.squareRoot()), "bias": uniform(1 / 27.0.squareRoot())]),
        ("batchnorm2d", ["weight": .constant(1), "bias": .constant(0), "running_mean": .constant(0), "running_var": .constant(1),
                         "num_batches_tracked": .constant(0)]),
        ("layernorm", ["weight": .constant(1), "bias": .constant(0)]),
        ("embedding", ["weight": uniform(1 / 16.0.squareRoot())]),
        ("multiheadattention", ["in_proj_weight": uniform((6.0 / 40).squareRoot()), "in_proj_bias": .constant(0),
                                "out_proj.weight": uniform(1 / 10.0.squareRoot()), "out_proj.bias": .constant(0)]),
        // kdim 6, vdim 4, add_bias_kv: separate projections, Xavier each; bias_k and bias_v Xavier-normal on (1, 1, 10).
        ("multiheadattention-kv", ["q_proj_weight": uniform((6.0 / 20).squareRoot()), "k_proj_weight": uniform((6.0 / 16).squareRoot()),
                                   "v_proj_weight": uniform((6.0 / 14).squareRoot()), "in_proj_bias": .constant(0),
                                   "bias_k": normal((2.0 / 20).squareRoot()), "bias_v": normal((2.0 / 20).squareRoot()),
                                   "out_proj.weight": uniform(1 / 10.0.squareRoot()), "out_proj.bias": .constant(0)]),
    ] as [(String, [String: Law])])
    func torchDefaultsTakeLoneModules(module: String, laws: [String: Law]) throws {
        let recorded = try ManifestTests.manifest("lone-" + module)
        let jobs = try Self.jobs(recorded.manifest, rules: "torch-defaults")
        #expect(jobs.keys.allSatisfy { !$0.contains(".") || $0.hasPrefix("out_proj.") })
        var expected = laws
        // Every LSTM and GRU parameter: U(±1/√hidden_size), hidden 48 and 24.
        if module == "lstm" { for name in jobs.keys { expected[name] = Self.uniform(1 / 48.0.squareRoot()) } }
        if module == "gru" { for name in jobs.keys { expected[name] = Self.uniform(1 / 24.0.squareRoot()) } }
        #expect(Set(expected.keys) == Set(recorded.tensors.map(\.name)))
        for (name, law) in expected {
            #expect(try Self.law(try #require(jobs[name], "\(name)")) == law, "\(module): \(name)")
        }
    }

    /// torchvision-resnet over resnet18, with and without zero_init_residual.
    @Test(arguments: [false, true])
    func torchvisionResNet(zeroInitResidual: Bool) throws {
        let jobs = try Self.jobs(try ManifestTests.manifest("resnet18").manifest, rules: "torchvision-resnet",
                                 variables: ["zero_init_residual": .bool(zeroInitResidual)])
        for (name, job) in jobs {
            let law: Law
            if job.shape.count == 4 {
                // kaiming_normal_(mode="fan_out", nonlinearity="relu"): std √2/√(out·k·k).
                law = Self.normal(2.0.squareRoot() / Double(job.shape[0] * job.shape[2] * job.shape[3]).squareRoot())
            } else if name == "fc.weight" || name == "fc.bias" {
                law = Self.uniform(1 / 512.0.squareRoot())
            } else if name.hasSuffix("running_var") {
                law = .constant(1)
            } else if name.hasSuffix(".weight") {
                law = .constant(zeroInitResidual && name.hasPrefix("layer") && name.hasSuffix(".bn2.weight") ? 0 : 1)
            } else {
                law = .constant(0)   // BatchNorm biases, running means, num_batches_tracked
            }
            #expect(try Self.law(job) == law, "\(name)")
        }
    }

    /// hf-gpt2 over GPT-2: N(0, 0.02²) everywhere but the residual
    /// projections, at 0.02/√(2·n_layer); LayerNorm ones and zeros.
    @Test func huggingFaceGPT2() throws {
        let text = #"{"model_type": "gpt2", "vocab_size": 64, "n_positions": 32, "n_embd": 32, "n_layer": 8, "n_head": 4, "tie_word_embeddings": false}"#
        let jobs = try Self.configJobs(text)
        for job in jobs {
            let law: Law = job.name.hasSuffix("c_proj.weight") ? Self.normal(0.02 / 16.0.squareRoot())
                : job.name.contains(".ln_") ? .constant(job.name.hasSuffix("weight") ? 1 : 0)
                : job.name.hasSuffix(".bias") ? .constant(0) : Self.normal(0.02)
            #expect(try Self.law(job) == law, "\(job.name)")
        }
        #expect(jobs.map(\.name).last == "lm_head.weight")
    }

    /// hf-llama and hf-bert: N(0, initializer_range²), norms ones, biases
    /// zeros, the padding row of the embedding zero (pad_token_id).
    @Test func huggingFaceLlamaAndBert() throws {
        let llama = try Self.configJobs(
            #"{"model_type": "llama", "vocab_size": 16, "hidden_size": 8, "intermediate_size": 12, "num_hidden_layers": 1, "num_attention_heads": 2, "initializer_range": 0.05, "pad_token_id": 3, "attention_bias": true}"#)
        for job in llama {
            let law: Law = job.name.hasSuffix("embed_tokens.weight") ? .parts
                : job.name.hasSuffix("norm.weight") ? .constant(1) : job.name.hasSuffix(".bias") ? .constant(0) : Self.normal(0.05)
            #expect(try Self.law(job) == law, "\(job.name)")
        }
        let embedding = try #require(llama.first { $0.name == "model.embed_tokens.weight" })
        #expect(embedding.parts.map(\.region) == [TensorRegion([3 ..< 4, 0 ..< 8])])
        #expect(embedding.parts.first?.initializer == .zeros)
        // pad_token_id null: no padding row.
        let unpadded = try Self.configJobs(
            #"{"model_type": "llama", "vocab_size": 16, "hidden_size": 8, "intermediate_size": 12, "num_hidden_layers": 1, "num_attention_heads": 2, "pad_token_id": null}"#)
        #expect(unpadded.allSatisfy { $0.parts.isEmpty })
        // BERT pads row 0 by default (BertConfig's pad_token_id).
        let bert = try Self.configJobs(
            #"{"model_type": "bert", "vocab_size": 16, "hidden_size": 8, "intermediate_size": 12, "num_hidden_layers": 1, "num_attention_heads": 2, "max_position_embeddings": 8}"#)
        #expect(bert.first?.parts.map(\.region) == [TensorRegion([0 ..< 1, 0 ..< 8])])
        #expect(bert.filter { !$0.parts.isEmpty }.count == 1)
    }

    /// The planned tensors of a config given as text, with its family's rules.
    static func configJobs(_ text: String) throws -> [PlannedTensor] {
        try ModelPlan(config: try ModelConfig(json: Array(text.utf8), path: "config.json")).tensors
    }
}
