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
        (#"{"model_type": "gpt2", "vocab_size": 8, "n_positions": 4, "n_embd": 8, "n_layer": -1, "n_head": 2}"#,
         "\"n_layer\" must be ≥ 0, not -1"),
        (#"{"model_type": "gpt2", "vocab_size": 8, "n_positions": 4, "n_embd": 8, "n_head": 2}"#,
         "gpt2 needs \"n_layer\" (an integer ≥ 0)"),
        (#"{"model_type": "bert", "architectures": ["BertForTokenClassification"]}"#,
         "architecture BertForTokenClassification of bert is not supported; supported: BertForMaskedLM, BertModel"),
        (#"{"model_type": "llama", "vocab_size": 8}"#, "needs \"hidden_size\""),
        (#"[1]"#, "a config is a JSON object"),
    ])
    func badConfig(text: String, message: String) throws {
        let error = try #require(throws: ModelError.self) {
            try ModelConfig(json: Array(text.utf8), path: "c.json").manifest()
        }
        #expect(error.source == .config("c.json"))
        #expect(error.description.contains(message), "\(error)")
    }

    static let smallConfigs: [String: String] = [
        "llama": #""model_type": "llama", "vocab_size": 32, "hidden_size": 16, "num_hidden_layers": 1, "intermediate_size": 32, "num_attention_heads": 4"#,
        "gpt2": #""model_type": "gpt2", "vocab_size": 32, "n_positions": 8, "n_embd": 16, "n_layer": 1, "n_head": 4"#,
        "bert": #""model_type": "bert", "vocab_size": 32, "hidden_size": 16, "num_hidden_layers": 1, "intermediate_size": 32, "num_attention_heads": 4, "max_position_embeddings": 8"#,
    ]

    /// Fields of the wrong type, or naming what does not exist, are refused
    /// naming the key — as transformers' `@strict` config classes refuse them
    /// (python/tests/test_models.py checks the same values against
    /// transformers) — where they were read as the default before
    /// (`"dtype": "int8"` → f32, `"initializer_range": "x"` → 0.02,
    /// `"architectures": "LlamaModel"` → LlamaForCausalLM's manifest,
    /// `"pad_token_id": true` → row 1 zeroed).
    @Test(arguments: [
        ("llama", #""dtype": "int8""#, "dtype"), ("llama", #""dtype": "auto""#, "dtype"), ("llama", #""dtype": "fp16""#, "dtype"),
        ("llama", #""dtype": 16"#, "dtype"), ("llama", #""dtype": {"text": "float16"}"#, "dtype"),
        ("llama", #""dtype": null, "torch_dtype": "int8""#, "torch_dtype"), ("gpt2", #""torch_dtype": "torch.float16""#, "torch_dtype"),
        ("llama", #""initializer_range": "x""#, "initializer_range"), ("llama", #""initializer_range": 1"#, "initializer_range"),
        ("llama", #""initializer_range": 1.5"#, "initializer_range"), ("llama", #""initializer_range": null"#, "initializer_range"),
        ("gpt2", #""initializer_range": "0.02""#, "initializer_range"), ("bert", #""initializer_range": true"#, "initializer_range"),
        ("llama", #""architectures": "LlamaModel""#, "architectures"), ("gpt2", #""architectures": []"#, "architectures"),
        ("bert", #""architectures": [7]"#, "architectures"),
        ("llama", #""pad_token_id": true"#, "pad_token_id"), ("llama", #""pad_token_id": 1.0"#, "pad_token_id"),
        ("bert", #""pad_token_id": "0""#, "pad_token_id"), ("bert", #""pad_token_id": 32"#, "pad_token_id"), ("llama", #""pad_token_id": -33"#, "pad_token_id"),
        ("llama", #""tie_word_embeddings": "yes""#, "tie_word_embeddings"), ("llama", #""attention_bias": 1"#, "attention_bias"),
        ("gpt2", #""add_cross_attention": null"#, "add_cross_attention"), ("bert", #""add_cross_attention": true"#, "add_cross_attention"),
        ("llama", #""head_dim": 4.0"#, "head_dim"), ("gpt2", #""n_inner": "64""#, "n_inner"), ("bert", #""type_vocab_size": null"#, "type_vocab_size"),
        ("llama", #""num_key_value_heads": 2e0"#, "num_key_value_heads"),
    ])
    func wronglyTypedFieldsAreRefused(family: String, field: String, key: String) throws {
        let text = "{" + Self.smallConfigs[family]! + ", " + field + "}"
        let error = try #require(throws: ModelError.self) {
            try ModelConfig(json: Array(text.utf8), path: "c.json").manifest()
        }
        #expect(error.source == .config("c.json") && error.key == key, "\(field): \(error)")
        #expect(error.description.contains("\"\(key)\"") || error.description.contains(key + " "), "\(field): \(error)")
    }

    /// Sizes: an integer, ≥ 1 (≥ 0 for the count of layers), within `Int`;
    /// otherwise a ModelError naming the key and the value as written —
    /// where `hidden_size` -5 said it was missing, 2⁶³ that it was not an
    /// integer, and Llama's heads that do not divide the width were taken
    /// when head_dim was given (LlamaConfig refuses them).
    @Test(arguments: [
        ("llama", #""hidden_size": "1024""#, "hidden_size", "must be an integer, not the string \"1024\""),
        ("llama", #""hidden_size": -5"#, "hidden_size", "\"hidden_size\" must be ≥ 1, not -5"),
        ("llama", #""hidden_size": 0"#, "hidden_size", "\"hidden_size\" must be ≥ 1, not 0"),
        ("llama", #""hidden_size": 16.0"#, "hidden_size", "must be an integer, not 16.0"),
        ("llama", #""hidden_size": true"#, "hidden_size", "must be an integer, not true"),
        ("llama", #""hidden_size": null"#, "hidden_size", "must be an integer, not null"),
        ("llama", #""vocab_size": 9223372036854775808"#, "vocab_size", "\"vocab_size\" 9223372036854775808 is too large"),
        ("llama", #""vocab_size": -9223372036854775809"#, "vocab_size", "\"vocab_size\" must be ≥ 1, not -9223372036854775809"),
        ("llama", #""num_hidden_layers": -1"#, "num_hidden_layers", "must be ≥ 0, not -1"),
        ("llama", #""intermediate_size": 1e3"#, "intermediate_size", "must be an integer, not 1e3"),
        ("llama", #""head_dim": 0"#, "head_dim", "\"head_dim\" must be ≥ 1, not 0"),
        ("llama", #""num_attention_heads": 3, "head_dim": 4"#, "num_attention_heads", "num_attention_heads 3 does not divide hidden_size 16"),
        ("llama", #""num_attention_heads": 0"#, "num_attention_heads", "must be ≥ 1, not 0"),
        ("llama", #""head_dim": 4611686018427387904"#, "head_dim", "overflows"),
        ("gpt2", #""n_embd": 4611686018427387904, "n_head": 1"#, "n_embd", "overflows"),
        ("gpt2", #""n_head": 5"#, "n_head", "n_head 5 does not divide n_embd 16"),
        ("gpt2", #""n_layer": 1000000000"#, "n_layer", "more than the"),
        ("bert", #""num_attention_heads": 3"#, "num_attention_heads", "does not divide hidden_size 16"),
        ("bert", #""type_vocab_size": 0"#, "type_vocab_size", "must be ≥ 1, not 0"),
        ("bert", #""tie_word_embeddings": "false""#, "tie_word_embeddings", "must be true or false, not the string \"false\""),
        // Found in the attacker's round: 1e400 (Python's inf) was "must be a number, …, not a number".
        ("gpt2", #""initializer_range": 1e400"#, "initializer_range", "\"initializer_range\" must be a finite number, not 1e400"),
        ("llama", #""initializer_range": -1e400"#, "initializer_range", "from 0.0 to 1.0"),
    ])
    func sizesAreCheckedAndNamed(family: String, field: String, key: String, message: String) throws {
        // The small config's fields that `field` does not give again (a duplicate key is invalid JSON).
        let given = field.split(separator: ", ").map { $0.split(separator: ":")[0] }
        let kept = Self.smallConfigs[family]!.split(separator: ", ").filter { !given.contains($0.split(separator: ":")[0]) }
        let text = "{" + kept.joined(separator: ", ") + ", " + field + "}"
        let error = try #require(throws: ModelError.self) {
            try ModelConfig(json: Array(text.utf8), path: "c.json").manifest()
        }
        #expect(error.source == .config("c.json") && error.key == key, "\(field): \(error)")
        #expect(error.description.contains(message), "\(field): \(error)")
    }

    /// No layers is a model transformers builds (its embeddings and final
    /// norm, no blocks): the manifest lists just those.
    @Test func zeroLayersIsAModelWithoutBlocks() throws {
        let names = ["llama": ["model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"],
                     "gpt2": ["transformer.wte.weight", "transformer.wpe.weight", "transformer.ln_f.weight", "transformer.ln_f.bias"],
                     "bert": ["bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight",
                              "bert.embeddings.token_type_embeddings.weight", "bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias",
                              "cls.predictions.bias", "cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.bias",
                              "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.LayerNorm.bias"]]
        for (family, layers) in [("llama", "num_hidden_layers"), ("gpt2", "n_layer"), ("bert", "num_hidden_layers")] {
            let text = "{" + Self.smallConfigs[family]!.replacingOccurrences(of: "\"\(layers)\": 1", with: "\"\(layers)\": 0") + "}"
            let manifest = try ModelConfig(json: Array(text.utf8), path: "c.json").manifest()
            #expect(manifest.tensors.map(\.name) == names[family], "\(family)")
        }
    }

    /// What transformers reads as these configs say, so do we: torch's dtype
    /// aliases, `dtype` over `torch_dtype` (whatever the latter holds), null
    /// for an optional field, a negative padding index counted from the end.
    @Test func fieldsAreReadAsTransformersReadsThem() throws {
        func config(_ family: String, _ fields: String) throws -> ModelConfig {
            try ModelConfig(json: Array(("{" + Self.smallConfigs[family]! + ", " + fields + "}").utf8), path: "c.json")
        }
        for (fields, dtype) in [(#""dtype": "half""#, DType.f16), (#""dtype": "float""#, .f32), (#""dtype": "double""#, .f64), (#""torch_dtype": "bfloat16""#, .bf16),
                                (#""dtype": null, "torch_dtype": "float16""#, .f16), (#""dtype": "float32", "torch_dtype": "int8""#, .f32)] {
            #expect(try config("llama", fields).manifest().tensors.allSatisfy { $0.dtype == dtype }, "\(fields)")
        }
        #expect(try config("llama", #""dtype": null"#).manifest().tensors.allSatisfy { $0.dtype == nil })
        #expect(try config("llama", #""head_dim": null, "num_key_value_heads": null, "architectures": null"#).manifest() == config("llama", "\"a\": 0").manifest())
        #expect(try config("gpt2", #""n_inner": null, "initializer_range": 2e-2, "pad_token_id": null"#).manifest() == config("gpt2", "\"a\": 0").manifest())
        // pad_token_id -1 is nn.Embedding's last row, which _init_weights zeroes.
        let plan = try ModelPlan(config: try config("llama", #""pad_token_id": -1"#))
        let embedding = try #require(plan.tensor(named: "model.embed_tokens.weight"))
        #expect(embedding.parts.map(\.region) == [TensorRegion([31 ..< 32, 0 ..< 16])])
        #expect(try config("bert", #""pad_token_id": -32"#).variables["pad_token_id"] == .number(0))
    }

    /// Found in the attacker's round: a tensor whose byte count overflows
    /// (a 2⁶²-row embedding) was refused by the engine without naming the
    /// config or the tensor; and a variable of 1e400 was "not a number".
    @Test func hugeTensorsAndNumbersAreNamed() throws {
        let text = #"{"model_type": "llama", "vocab_size": 4611686018427387904, "hidden_size": 4, "num_hidden_layers": 1, "intermediate_size": 4, "num_attention_heads": 1}"#
        let error = try #require(throws: ModelError.self) { try ModelConfig(json: Array(text.utf8), path: "c.json").manifest() }
        #expect(error.source == .config("c.json") && error.reason.contains("model.embed_tokens.weight of shape 4611686018427387904,4 is too large"), "\(error)")
        let rules = #"{"variables": {"x": 1e400}, "rules": [{"match": "*", "scheme": "zeros"}]}"#
        let refused = try #require(throws: ModelError.self) { try RuleSet(json: Array(rules.utf8), name: "r.json") }
        #expect(refused.reason.contains("not 1e400, which is past the largest finite number"), "\(refused)")
    }

    /// A custom rule set's variable that the config holds as a string is
    /// refused, not replaced by the set's default.
    @Test func ruleSetVariablesMustBeNumbersInTheConfig() throws {
        let rules = try RuleSet(json: Array(#"{"variables": {"my_std": 0.5}, "rules": [{"match": "*", "scheme": "normal", "std": "my_std"}]}"#.utf8), name: "r.json")
        let config = try ModelConfig(json: Array(("{" + Self.smallConfigs["gpt2"]! + #", "my_std": "wide"}"#).utf8), path: "c.json")
        let error = try #require(throws: ModelError.self) { try ModelPlan(config: config, rules: rules) }
        #expect(error.source == .config("c.json") && error.key == "my_std", "\(error)")
        _ = try ModelPlan(config: try ModelConfig(json: Array(("{" + Self.smallConfigs["gpt2"]! + #", "my_std": 0.1}"#).utf8), path: "c.json"), rules: rules)
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
