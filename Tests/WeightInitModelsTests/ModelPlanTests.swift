import Foundation
import Testing
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

/// The model layer through its public API: the README's whole models give
/// `weightinit generate`'s bytes, every tensor and every region of one
/// fills the bytes a written checkpoint holds, and bad input is a typed error.
@Suite struct ModelPlanTests {
    /// The configs of ModelBytes/run.sh, byte for byte (`echo` adds the newline): written beside their checkpoints.
    static let gpt2 = #"{"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 1000, "n_positions": 64, "n_embd": 64, "n_layer": 2, "n_head": 4, "dtype": "float32"}"# + "\n"
    static let bert = #"{"architectures": ["BertForMaskedLM"], "model_type": "bert", "vocab_size": 1000, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "max_position_embeddings": 64, "pad_token_id": 3}"# + "\n"
    static let bertModel = #"{"architectures": ["BertModel"], "model_type": "bert", "vocab_size": 500, "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 32, "dtype": "float16"}"# + "\n"

    /// A small Llama with biases, a padding row (a part) and untied embeddings.
    static let llama = #"{"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": 40, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "attention_bias": true, "pad_token_id": 2}"#

    static func config(_ text: String, _ name: String, in scratch: Scratch) throws -> ModelConfig {
        let path = scratch.root + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try ModelConfig(path: path)
    }

    /// Every whole-model file of ModelBytes/run.sh, written through the
    /// library, is what the CLI wrote before the model layer left it.
    @Test func readmeModelsWriteTheCLIsBytes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        func at(_ name: String) -> String { scratch.file(name) }
        let llama = try ModelConfig(path: example("llama-config.json"))
        try ModelPlan(config: llama).writeCheckpoint(to: at("tiny-llama"), maxShardSize: 20_000_000)
        try ModelPlan(config: llama, seed: 3, dtype: .bf16).writeCheckpoint(to: at("tiny-llama-bf16"), maxShardSize: 20_000_000)
        try ModelPlan(config: llama).sharded(1, of: 2).writeCheckpoint(to: at("tiny-llama-tp1"), maxShardSize: 20_000_000)
        try ModelPlan(checkpoint: at("tiny-llama/model.safetensors.index.json"), rules: RuleSet(named: "hf-llama"), seed: 5)
            .writeCheckpoint(to: at("tiny-llama-like"), maxShardSize: 30_000_000)
        try ModelPlan(spec: example("resnet18.json")).write(to: at("resnet18.safetensors"))
        let resnet = try RuleSet(named: "torchvision-resnet")
        try ModelPlan(checkpoint: at("resnet18.safetensors"), rules: resnet, seed: 1).write(to: at("resnet18-seed1.safetensors"))
        try ModelPlan(checkpoint: at("resnet18.safetensors"), rules: resnet, variables: ["zero_init_residual": .bool(true)])
            .write(to: at("resnet18-zero.safetensors"))
        let mlp = try ModelPlan(spec: example("mlp-lstm.json"))
        try mlp.write(to: at("model.safetensors"))
        try mlp.sharded(1, of: 4).write(to: at("model.1-of-4.safetensors"))
        try mlp.sharded(0, of: 2, dimension: 1).write(to: at("model.0-of-2.safetensors"))
        let gpt2 = try Self.config(Self.gpt2, "gpt2.json", in: scratch)
        try ModelPlan(config: gpt2).writeCheckpoint(to: at("gpt2"), maxShardSize: 200_000)
        try ModelPlan(config: gpt2, seed: 2).write(to: at("gpt2.safetensors"))
        try ModelPlan(config: try Self.config(Self.bert, "bert.json", in: scratch)).writeCheckpoint(to: at("bert"), maxShardSize: 300_000)
        try ModelPlan(config: try Self.config(Self.bertModel, "bert-model.json", in: scratch)).write(to: at("bert-model.safetensors"))

        let written = try sha256(under: scratch.output), recorded = try recordedCLIHashes()
        #expect(written.count == 35)
        for (path, hash) in written.sorted(by: { $0.key < $1.key }) {
            #expect(recorded[path] == hash, "\(path)")
        }
    }

    /// The bytes of `region` of a C-order tensor of `shape` held in `bytes`.
    static func slice(_ bytes: [UInt8], shape: [Int], region: TensorRegion, elementSize: Int) -> [UInt8] {
        var result: [UInt8] = []
        func walk(_ dimension: Int, _ offset: Int) {
            let stride = shape[(dimension + 1)...].reduce(1, *)
            for index in region.ranges[dimension] {
                if dimension == shape.count - 1 {
                    let start = (offset + index) * elementSize
                    result += bytes[start ..< start + elementSize]
                } else {
                    walk(dimension + 1, (offset + index) * shape[dimension + 1])
                }
                _ = stride
            }
        }
        walk(0, 0)
        return result
    }

    /// A few regions of a tensor of `shape`: a leading block, an inner box, the last element.
    static func regions(_ shape: [Int]) -> [TensorRegion] {
        let shape = shape.isEmpty ? [1] : shape
        return [
            TensorRegion(shape.map { 0 ..< ($0 + 1) / 2 }),
            TensorRegion(shape.map { $0 / 3 ..< Swift.max($0 / 3 + 1, $0 - $0 / 4) }),
            TensorRegion(shape.map { $0 - 1 ..< $0 }),
        ]
    }

    /// Every tensor of `plan` fills the bytes `plan.write(to:)` puts in the
    /// file, and every region of it the bytes of that block.
    static func checkFills(_ plan: ModelPlan, in scratch: Scratch, name: String) throws {
        let path = scratch.file(name)
        try plan.write(to: path)
        let stored = Dictionary(uniqueKeysWithValues: try TensorFile.read(path).tensors.map { ($0.name, $0) })
        for tensor in plan.tensors {
            let file = try #require(stored[tensor.name])
            var bytes = [UInt8](repeating: 0xA5, count: file.bytes.count)
            try bytes.withUnsafeMutableBytes { try tensor.fill($0) }
            #expect(bytes == file.bytes, "\(name): \(tensor.name)")
            // Regions, in the whole tensor's coordinates, against the whole tensor's bytes.
            let wholeShape = tensor.shape.isEmpty ? [1] : tensor.shape
            var whole = [UInt8](repeating: 0, count: wholeShape.reduce(tensor.dtype.byteCount, *))
            try whole.withUnsafeMutableBytes { try tensor.fill($0, region: .whole(wholeShape)) }
            if let region = tensor.region {
                #expect(slice(whole, shape: wholeShape, region: region, elementSize: tensor.dtype.byteCount) == file.bytes,
                        "\(name): \(tensor.name)'s block")
            } else {
                #expect(whole == file.bytes, "\(name): \(tensor.name)")
            }
            for region in regions(tensor.shape) {
                var block = [UInt8](repeating: 0, count: region.shape.reduce(tensor.dtype.byteCount, *))
                try block.withUnsafeMutableBytes { try tensor.fill($0, region: region) }
                #expect(block == slice(whole, shape: wholeShape, region: region, elementSize: tensor.dtype.byteCount),
                        "\(name): \(tensor.name) \(region)")
            }
        }
    }

    @Test func everyTensorAndRegionFillsTheWrittenBytes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let llama = try ModelPlan(config: try Self.config(Self.llama, "llama.json", in: scratch), seed: 7)
        try Self.checkFills(llama, in: scratch, name: "llama.safetensors")
        try Self.checkFills(try llama.sharded(1, of: 2), in: scratch, name: "llama.1-of-2.safetensors")
        try Self.checkFills(try llama.sharded(2, of: 3, dimension: 1), in: scratch, name: "llama.2-of-3.safetensors")
        // Parts, integers, scalars, structured schemes, f16 and bf16.
        let spec = scratch.root + "/spec.json"
        try #"""
            {"seed": 3, "tensors": [
              {"name": "w", "shape": [8, 12], "scheme": "normal", "dtype": "bf16",
               "parts": [{"rows": [2, 5], "columns": [1, 4], "scheme": "uniform", "low": 5, "high": 6}, {"block": [3, 4], "dim": 1, "scheme": "ones"}]},
              {"name": "q", "shape": [12, 6], "scheme": "orthogonal", "gain": 2, "parts": [{"rows": [0, 1], "scheme": "zeros"}]},
              {"name": "lstm", "shape": [16, 4], "scheme": "orthogonal", "blocks": 4, "dtype": "f16"},
              {"name": "s", "shape": [9, 7], "scheme": "sparse", "sparsity": 0.4},
              {"name": "conv", "shape": [4, 2, 3, 3], "scheme": "dirac", "groups": 2, "dtype": "f64"},
              {"name": "b", "shape": [4], "scheme": "uniform-fan-in", "fan-of": "conv"},
              {"name": "count", "shape": [], "scheme": "zeros", "dtype": "i64"},
              {"name": "mask", "shape": [2, 3], "scheme": "ones", "dtype": "bool"},
              {"name": "scale", "shape": [], "scheme": "constant", "value": 0.5, "shard-dim": null}
            ]}
            """#.write(toFile: spec, atomically: true, encoding: .utf8)
        let plan = try ModelPlan(spec: spec)
        try Self.checkFills(plan, in: scratch, name: "spec.safetensors")
        try Self.checkFills(try plan.sharded(1, of: 2), in: scratch, name: "spec.1-of-2.safetensors")
    }

    /// The dtype: the config's when it names one, else f32; `dtype:` for
    /// every floating-point tensor — the CLI's `--dtype` — integers keep theirs.
    @Test func dtypeComesFromTheConfigThenTheCaller() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let plain = try Self.config(Self.llama, "plain.json", in: scratch)
        let typed = try Self.config(Self.llama.replacingOccurrences(of: #""model_type""#, with: #""dtype": "float16", "model_type""#),
                                    "typed.json", in: scratch)
        #expect(Set(try ModelPlan(config: plain).tensors.map(\.dtype)) == [.f32])
        #expect(Set(try ModelPlan(config: typed).tensors.map(\.dtype)) == [.f16])
        #expect(Set(try ModelPlan(config: typed, dtype: .f64).tensors.map(\.dtype)) == [.f64])
        let counter = ModelManifest([.init(name: "bn.weight", shape: [4]), .init(name: "bn.num_batches_tracked", shape: [], dtype: .i64)])
        let batchNorm = try ModelPlan(manifest: counter, rules: RuleSet(named: "torch-defaults"), dtype: .bf16)
        #expect(batchNorm.tensors.map(\.dtype) == [.bf16, .i64])
        let error = try #require(throws: ModelError.self) { try ModelPlan(config: plain, dtype: .i32) }
        #expect(error.key == "dtype")
    }

    /// Lookup by name, and every misuse a typed error before a byte is written.
    @Test func lookupAndMisuse() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let plan = try ModelPlan(config: try Self.config(Self.llama, "llama.json", in: scratch))
        let embedding = try #require(plan.tensor(named: "model.embed_tokens.weight"))
        #expect(embedding.shape == [40, 16] && embedding.dtype == .f32 && embedding.layout == .torch)
        #expect(embedding.scheme == "normal --mean 0 --std 0.02")
        #expect(embedding.stream == RandomStream(seed: PlannedTensor.seed(forName: "model.embed_tokens.weight", seed: 0),
                                                 stream: PlannedTensor.stream(forName: "model.embed_tokens.weight")))
        #expect(embedding.parts.map(\.region) == [TensorRegion([2 ..< 3, 0 ..< 16])] && embedding.parts.first?.scheme == "zeros")
        #expect(plan.tensor(named: "model.layers.0.self_attn.q_proj.bias")?.scheme == "zeros")
        #expect(plan.tensor(named: "no.such.weight") == nil && plan.ruleSet == "hf-llama")

        var buffer = [UInt8](repeating: 0xA5, count: 40 * 16 * 4)
        let error = try #require(throws: ModelError.self) { try buffer.withUnsafeMutableBytes { try plan.fill("no.such.weight", into: $0) } }
        #expect(error.key == "no.such.weight" && error.source == nil)
        // The wrong size, a region outside the tensor, the wrong element type: refused, nothing written.
        #expect(throws: WeightInitError.self) { try buffer.withUnsafeMutableBytes { try embedding.fill(UnsafeMutableRawBufferPointer(rebasing: $0[1...])) } }
        #expect(throws: WeightInitError.self) {
            try buffer.withUnsafeMutableBytes { try embedding.fill(UnsafeMutableRawBufferPointer(rebasing: $0[..<64]), region: TensorRegion([39 ..< 41, 0 ..< 8])) }
        }
        var doubles = [Double](repeating: 0, count: 40 * 16)
        #expect(throws: WeightInitError.self) { try doubles.withUnsafeMutableBufferPointer { try embedding.fill($0) } }
        #expect(buffer.allSatisfy { $0 == 0xA5 } && doubles.allSatisfy { $0 == 0 })
        #expect(throws: WeightInitError.self) { try plan.sharded(2, of: 2) }
        #expect(throws: WeightInitError.self) { try plan.sharded(0, of: 2, dimension: 2) }
        let tooMany = try #require(throws: ModelError.self) { try plan.sharded(0, of: 17) }
        #expect(tooMany.key == "model.embed_tokens.weight" || tooMany.reason.contains("cannot split"), "\(tooMany)")
    }

    /// A tensor's scheme text parses back, through the engine's scheme
    /// parser (the C ABI's and Python's), to the tensor's initializer.
    @Test func schemeTextParsesBackToTheInitializer() throws {
        for plan in [try ModelPlan(spec: example("mlp-lstm.json")), try ModelPlan(spec: example("resnet18.json"))] {
            for tensor in plan.tensors where tensor.dtype.isFloatingPoint {
                let shape = tensor.shape.isEmpty ? [1] : tensor.shape
                #expect(try SchemeText(parsing: tensor.scheme).initializer(shape: shape) == tensor.initializer, "\(tensor.scheme)")
                for part in tensor.parts {
                    #expect(try SchemeText(parsing: part.scheme).initializer(shape: part.region.shape) == part.initializer)
                }
            }
        }
    }

    /// Variables from a JSON object's text, as a config gives them: a
    /// plan of a list of tensors reads them as the config's plan does.
    @Test func variablesFromJSONText() throws {
        let text = #"{"model_type": "mistral", "initializer_range": 0.5, "pad_token_id": 1, "tie_word_embeddings": false, "eos_token_id": null, "architectures": ["X"]}"#
        let variables = try RuleValue.variables(json: Array(text.utf8))
        #expect(variables == ["initializer_range": .number(0.5), "pad_token_id": .number(1),
                              "tie_word_embeddings": .bool(false), "eos_token_id": .null])
        let plan = try ModelPlan(manifest: ModelManifest([.init(name: "embed_tokens.weight", shape: [4, 3])]),
                                 rules: RuleSet(named: "hf-llama"), variables: variables)
        let tensor = try #require(plan.tensor(named: "embed_tokens.weight"))
        #expect(tensor.scheme == "normal --mean 0 --std 0.5" && tensor.parts.map(\.region) == [TensorRegion([1 ..< 2, 0 ..< 3])])
        #expect(throws: ModelError.self) { try RuleValue.variables(json: Array("[1]".utf8)) }
    }

    /// Errors say which input was wrong, and where in it.
    @Test func errorsNameTheirSource() throws {
        let rules = try #require(throws: ModelError.self) { try RuleSet(json: Array(#"{"rules": [{"match": "*", "scheme": 1}]}"#.utf8), name: "r.json") }
        #expect(rules.source == .rules("r.json") && rules.reason.contains("rule 1"), "\(rules)")
        let unknown = try #require(throws: ModelError.self) { try RuleSet(named: "hf-mistral") }
        #expect(unknown.key == "hf-mistral" && unknown.description.contains("built-in: torch-defaults"))
        let config = try #require(throws: ModelError.self) {
            try ModelConfig(json: Array(#"{"model_type": "gpt2", "vocab_size": 8}"#.utf8), path: "c.json").manifest()
        }
        #expect(config.source == .config("c.json") && config.key == "n_positions", "\(config)")
        #expect(config.description == #"config 'c.json': gpt2 needs "n_positions" (an integer ≥ 1)"#)
        let noRule = try #require(throws: ModelError.self) {
            try ModelPlan(manifest: ModelManifest([.init(name: "fc.scale", shape: [4])]), rules: RuleSet(named: "hf-llama"))
        }
        #expect(noRule.source == nil && noRule.key == "fc.scale" && noRule.reason.contains("no rule of hf-llama applies"), "\(noRule)")
        #expect(noRule.kind == .invalidInput)
        #expect(throws: WeightInitError.self) { try ModelPlan(checkpoint: "/nonexistent/model.safetensors", rules: RuleSet(named: "torch-defaults")) }
    }
}
