import Foundation
import Testing
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

/// Whole models from the command line: manifests from configs and
/// checkpoints, Hugging Face shards, parts, integer tensors and scalars,
/// and the bad inputs of each, read back with the library's own reader.
@Suite struct ModelCLITests {
    /// A small Llama with biases, a padding row and untied embeddings.
    static let llama = #"{"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": 40, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "attention_bias": true, "pad_token_id": 2}"#

    func write(_ text: String, _ name: String, in scratch: Scratch) throws -> String {
        let path = scratch.root + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func tensors(_ paths: [String]) throws -> [String: StoredTensor] {
        var tensors: [String: StoredTensor] = [:]
        for path in paths {
            for tensor in try TensorFile.read(path).tensors { tensors[tensor.name] = tensor }
        }
        return tensors
    }

    @Test func configToShardedDirectoryAndBack() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = try write(Self.llama, "config.json", in: scratch)
        let sharded = try CLI.run(["generate", "--config", config, "--max-shard-size", "4KB", "--output", "model", "--seed", "5"], in: scratch)
        try #require(sharded.status == 0, "\(sharded.stderr)")
        #expect(sharded.stdout.hasPrefix("wrote model: 29 tensors from --config \(config), rules hf-llama ("), "\(sharded.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.file("model")).sorted()
        let shards = files.filter { $0.hasPrefix("model-") }
        #expect(shards.count > 3 && shards.first == "model-00001-of-000\(shards.count < 10 ? "0" : "")\(shards.count).safetensors")
        #expect(files == ["config.json"] + shards + ["model.safetensors.index.json"])
        #expect(try String(contentsOfFile: scratch.file("model/config.json"), encoding: .utf8) == Self.llama, "copied verbatim")
        // Each shard at most 4 kB of tensor data unless one tensor alone is larger (the embedding: 40·16·4 bytes).
        for shard in shards {
            let sizes = try TensorFile.index(scratch.file("model/" + shard)).tensors.map(\.byteCount)
            #expect(sizes.reduce(0, +) <= 4000 || sizes.count == 1, "\(shard): \(sizes)")
        }
        // The index: total_size and weight_map, as transformers writes them.
        let index = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: scratch.file("model/model.safetensors.index.json")))) as? [String: Any])
        let map = try #require(index["weight_map"] as? [String: String])
        let all = try tensors(shards.map { scratch.file("model/" + $0) })
        #expect(Set(map.keys) == Set(all.keys) && map.count == 29)
        #expect((index["metadata"] as? [String: Int])?["total_size"] == all.values.reduce(0) { $0 + $1.bytes.count })
        for (name, file) in map { #expect(try TensorFile.index(scratch.file("model/" + file)).tensors.contains { $0.name == name }) }

        // One file holds the same tensors, byte for byte.
        let single = try CLI.run(["generate", "--config", config, "--output", "one.safetensors", "--seed", "5", "--quiet"], in: scratch)
        try #require(single.status == 0, "\(single.stderr)")
        let one = try tensors([scratch.file("one.safetensors")])
        #expect(one.mapValues(\.bytes) == all.mapValues(\.bytes))
        // The padding row is zero, the rest of the embedding is not.
        let embedding = try #require(one["model.embed_tokens.weight"]).doubleValues()
        #expect(embedding[32 ..< 48].allSatisfy { $0 == 0 } && !embedding[0 ..< 32].contains(0))

        // --like the sharded index (its headers only), with hf-llama but no config: the same tensors, but for the
        // padding row, which only the config's pad_token_id asks for (the rule set's default is null).
        let like = try CLI.run(["generate", "--like", "model/model.safetensors.index.json", "--rules", "hf-llama", "--seed", "5",
                                "--output", "like.safetensors", "--quiet"], in: scratch)
        try #require(like.status == 0, "\(like.stderr)")
        var fromIndex = try tensors([scratch.file("like.safetensors")])
        let removed = fromIndex.removeValue(forKey: "model.embed_tokens.weight")
        let unpadded = try #require(removed).doubleValues()
        #expect(fromIndex.mapValues(\.bytes) == one.filter { $0.key != "model.embed_tokens.weight" }.mapValues(\.bytes))
        #expect(!unpadded.contains(0) && Array(unpadded[48...]) == Array(embedding[48...]))
    }

    /// The element type: the config's `dtype` when it names one (the test
    /// config does not), else the spec's default, else f32; `--dtype` over all.
    @Test func aConfigWithoutDtypeTakesTheSpecs() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try write(Self.llama, "config.json", in: scratch)
        let typed = Self.llama.replacingOccurrences(of: #""model_type""#, with: #""dtype": "float16", "model_type""#)
        _ = try write(typed, "typed.json", in: scratch)
        for (spec, arguments, expected) in [
            (#"{"config": "config.json"}"#, [String](), DType.f32),
            (#"{"config": "config.json", "dtype": "bf16"}"#, [], .bf16),
            (#"{"config": "typed.json", "dtype": "bf16"}"#, [], .f16),
            (#"{"config": "config.json", "dtype": "bf16"}"#, ["--dtype", "f64"], .f64),
        ] {
            let path = try write(spec, "spec.json", in: scratch)
            let run = try CLI.run(["generate", "--spec", path, "--output", "m.safetensors", "--quiet"] + arguments, in: scratch)
            try #require(run.status == 0, "\(spec): \(run.stderr)")
            let formats = Set(try TensorFile.index(scratch.file("m.safetensors")).tensors.map(\.dtype))
            #expect(formats == [expected], "\(spec) \(arguments)")
        }
    }

    @Test func likeAnIndexReadsEveryShardsHeader() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = try write(Self.llama, "config.json", in: scratch)
        try #require(try CLI.run(["generate", "--config", config, "--max-shard-size", "4KB", "--output", "model", "--quiet"], in: scratch).status == 0)
        // Variables from the config, the layout from the index.
        let like = try CLI.run(["generate", "--like", "model/model.safetensors.index.json", "--config", config,
                                "--output", "like.safetensors", "--quiet"], in: scratch)
        try #require(like.status == 0, "\(like.stderr)")
        let direct = try CLI.run(["generate", "--config", config, "--output", "direct.safetensors", "--quiet"], in: scratch)
        try #require(direct.status == 0)
        let fromIndex = try tensors([scratch.file("like.safetensors")]), fromConfig = try tensors([scratch.file("direct.safetensors")])
        #expect(fromIndex.mapValues(\.bytes) == fromConfig.mapValues(\.bytes))
        // Shard order, then data order: the tensors in the index's file order.
        #expect(try TensorFile.index(scratch.file("like.safetensors")).tensors.count == 29)
    }

    @Test func singleShardAndTensorParallelShards() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = try write(Self.llama, "config.json", in: scratch)
        let whole = try CLI.run(["generate", "--config", config, "--max-shard-size", "5GB", "--output", "whole", "--quiet"], in: scratch)
        try #require(whole.status == 0, "\(whole.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.file("whole")).sorted() == ["config.json", "model.safetensors"])
        // Tensor parallelism: block 1 of 2 of every tensor along rows, in HF shards.
        let block = try CLI.run(["generate", "--config", config, "--shard", "1/2", "--max-shard-size", "3KB", "--output", "rank1",
                                 "--quiet"], in: scratch)
        try #require(block.status == 0, "\(block.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.file("rank1")).filter { $0.hasPrefix("model-") }
        let blocks = try tensors(files.map { scratch.file("rank1/" + $0) })
        let full = try tensors([scratch.file("whole/model.safetensors")])
        for (name, tensor) in full {
            let part = try #require(blocks[name])
            #expect(part.shape[0] == tensor.shape[0] / 2, "\(name)")
            // Row block 1 is the second half of the flat data.
            #expect(Array(tensor.bytes[(tensor.bytes.count / 2)...]) == part.bytes, "\(name)")
        }
    }

    /// Stream format 3 (issue 21, item 5): two names of a large MoE layout
    /// whose 32-bit streams collide (FNV-1a-32 4209153643 for both) are
    /// written, each from the key its name gives — stream format 2 refused
    /// the model ("same stream"), which a run from a config cannot resolve —
    /// and each equals `generate` of its scheme with `--seed <key> --stream
    /// <stream>`, which the file's metadata records. A stream and seed
    /// crafted onto a named tensor's are refused, naming both.
    @Test func namesWhoseStreamsCollideAreWrittenFromTheirKeys() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let names = ["model.layers.6.mlp.experts.692.down_proj.weight", "model.layers.252.mlp.experts.80.down_proj.weight"]
        let entries = names.map { #"{"name": "\#($0)", "shape": [16, 8], "scheme": "normal", "std": 0.02}"# }
        let spec = try write(#"{"seed": 11, "tensors": [\#(entries.joined(separator: ", "))]}"#, "moe.json", in: scratch)
        let result = try CLI.run(["generate", "--spec", spec, "--output", "moe.safetensors", "--quiet"], in: scratch)
        try #require(result.status == 0, "\(result.stderr)")
        let stored = try tensors([scratch.file("moe.safetensors")])
        for (index, name) in names.enumerated() {
            let key = PlannedTensor.seed(forName: name, seed: 11), stream = PlannedTensor.stream(forName: name)
            #expect(stream == 4_209_153_643)
            let output = "\(index).npy"
            let single = try CLI.run(["generate", "normal", "--std", "0.02", "--shape", "16,8", "--seed", "\(key)",
                                      "--stream", "\(stream)", "--output", output, "--quiet"], in: scratch)
            try #require(single.status == 0, "\(single.stderr)")
            #expect(try TensorFile.read(scratch.file(output)).tensors[0].bytes == stored[name]?.bytes, "\(name)")
        }
        #expect(stored[names[0]]?.bytes != stored[names[1]]?.bytes)
        let metadata = try TensorFile.read(scratch.file("moe.safetensors")).metadata
        #expect(metadata["weightinit.stream_format_version"] == "3")
        #expect(metadata["weightinit.tensor." + names[1]]?.contains(#""seed":\#(PlannedTensor.seed(forName: names[1], seed: 11)),"stream":4209153643"#) == true,
                "\(metadata["weightinit.tensor." + names[1]] ?? "no record")")

        let crafted = #"{"name": "v", "shape": [16, 8], "scheme": "zeros", "seed": \#(PlannedTensor.seed(forName: names[0], seed: 11)), "stream": 4209153643}"#
        let refused = try write(#"{"seed": 11, "tensors": [\#(entries[0]), \#(crafted)]}"#, "crafted.json", in: scratch)
        let failed = try CLI.run(["generate", "--spec", refused, "--output", "crafted.safetensors"], in: scratch)
        #expect(failed.status == 64 && failed.stderr.contains(#"tensors "\#(names[0])" and "v" would draw the same values"#), "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("crafted.safetensors")))
    }

    /// Parts: the tensor's own values stay what they are without the part;
    /// a part holds what its scheme gives a tensor of its shape on its own
    /// stream (FNV-1a of "name[slice]"); sharded blocks concatenate to the whole.
    @Test func partsComposeOverTheTensorsOwnValues() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let parts = #"[{"rows": [2, 5], "columns": [1, 4], "scheme": "uniform", "low": 5, "high": 6}, {"block": [3, 4], "dim": 1, "scheme": "ones"}]"#
        let spec = try write(#"{"seed": 3, "tensors": [{"name": "w", "shape": [8, 12], "scheme": "normal", "parts": \#(parts)}]}"#,
                             "parts.json", in: scratch)
        let plain = try write(#"{"seed": 3, "tensors": [{"name": "w", "shape": [8, 12], "scheme": "normal"}]}"#, "plain.json", in: scratch)
        for (file, output) in [(spec, "parts.safetensors"), (plain, "plain.safetensors")] {
            let result = try CLI.run(["generate", "--spec", file, "--output", output, "--check", "--quiet"], in: scratch)
            try #require(result.status == 0, "\(result.stderr)")
        }
        let w = try #require(try tensors([scratch.file("parts.safetensors")])["w"]).doubleValues()
        let base = try #require(try tensors([scratch.file("plain.safetensors")])["w"]).doubleValues()
        let alone: [Float] = try Initializer.uniform(low: 5, high: 6).makeArray(
            shape: [3, 3], seed: PlannedTensor.seed(forName: "w[2:5, 1:4]", seed: 3), stream: PlannedTensor.stream(forName: "w[2:5, 1:4]"))
        for row in 0 ..< 8 {
            for column in 0 ..< 12 {
                let value = w[row * 12 + column]
                if column >= 9 {
                    #expect(value == 1, "block 3 of 4 along columns")
                } else if (2 ..< 5).contains(row), (1 ..< 4).contains(column) {
                    #expect(value == Double(alone[(row - 2) * 3 + column - 1]))
                } else {
                    #expect(value == base[row * 12 + column])
                }
            }
        }
        // Blocks of either dimension concatenate to the whole, byte for byte.
        for dimension in 0 ... 1 {
            var blocks: [[Double]] = []
            for index in 0 ..< 3 {
                let output = "w.\(dimension).\(index).safetensors"
                let result = try CLI.run(["generate", "--spec", spec, "--shard", "\(index)/3", "--shard-dim", "\(dimension)",
                                          "--output", output, "--quiet"], in: scratch)
                try #require(result.status == 0, "\(result.stderr)")
                blocks.append(try #require(try tensors([scratch.file(output)])["w"]).doubleValues())
            }
            if dimension == 0 {
                #expect(blocks.flatMap { $0 } == w)
            } else {
                var rows: [Double] = []
                for row in 0 ..< 8 {
                    for block in blocks { rows += block[row * 4 ..< (row + 1) * 4] }
                }
                #expect(rows == w)
            }
        }
    }

    /// A lone module's saved state_dict — names without a prefix — taken
    /// `--like` it with torch-defaults (names and shapes recorded from torch
    /// in the models tests' manifests; the checkpoint's data is never read).
    @Test(arguments: ["lstm", "gru", "linear", "conv2d", "batchnorm2d", "layernorm", "embedding", "multiheadattention",
                      "multiheadattention-kv"])
    func loneModuleLikeItsStateDict(module: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let manifest = try ModelManifest(checkpoint: try Self.checkpoint(of: "lone-" + module, in: scratch))
        let result = try CLI.run(["generate", "--like", scratch.root + "/lone-\(module).safetensors", "--rules", "torch-defaults",
                                  "--output", "init.safetensors", "--check", "--quiet"], in: scratch)
        try #require(result.status == 0, "\(result.stderr)")
        #expect(try TensorFile.index(scratch.file("init.safetensors")).tensors.map(\.name) == manifest.tensors.map(\.name))
    }

    /// A .safetensors file of zeros holding the tensors a recorded manifest lists.
    static func checkpoint(of manifest: String, in scratch: Scratch) throws -> String {
        let url = CLI.package.appendingPathComponent("Tests/WeightInitModelsTests/Manifests/\(manifest).json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let rows = try #require(json["tensors"] as? [[Any]])
        let entries = try rows.map { row in
            let dtype = try #require(row[2] as? String)
            return TensorEntry(name: try #require(row[0] as? String), shape: try #require(row[1] as? [Int]),
                               dtype: try #require(DType(rawValue: dtype)))
        }
        let path = scratch.root + "/\(manifest).safetensors"
        try TensorFile.write(to: path, format: .safetensors, tensors: entries) { index, sink in
            try [UInt8](repeating: 0, count: try entries[index].byteCount()).withUnsafeBytes { try sink.write($0) }
        }
        return path
    }

    @Test func integerTensorsAndScalars() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let spec = try write(#"""
            {"tensors": [
              {"name": "count", "shape": [], "scheme": "zeros", "dtype": "i64"},
              {"name": "ids", "shape": [3], "scheme": "constant", "value": -7, "dtype": "i32"},
              {"name": "mask", "shape": [2, 2], "scheme": "ones", "dtype": "bool"},
              {"name": "bytes", "shape": [4], "scheme": "constant", "value": 255, "dtype": "u8"},
              {"name": "scale", "shape": [], "scheme": "constant", "value": 0.5}
            ]}
            """#, "ints.json", in: scratch)
        let result = try CLI.run(["generate", "--spec", spec, "--output", "ints.safetensors", "--check"], in: scratch)
        try #require(result.status == 0, "\(result.stderr)")
        let read = try tensors([scratch.file("ints.safetensors")])
        #expect(read["count"]?.dtype == .i64 && read["count"]?.shape == [] && read["count"]?.bytes == [UInt8](repeating: 0, count: 8))
        #expect(read["ids"]?.bytes == Array(repeating: withUnsafeBytes(of: Int32(-7).littleEndian, Array.init), count: 3).flatMap { $0 })
        #expect(read["mask"]?.dtype == .bool && read["mask"]?.bytes == [1, 1, 1, 1])
        #expect(read["bytes"]?.bytes == [255, 255, 255, 255])
        #expect(read["scale"]?.doubleValues() == [0.5] && read["scale"]?.shape == [])
        let stats = try CLI.run(["stats", "ints.safetensors", "--tensor", "count"], in: scratch)
        #expect(stats.stdout.hasPrefix("count: shape [] (scalar), dtype i64, 1 values"), "\(stats.stdout)")
        // One tensor from the command line too.
        let single = try CLI.run(["generate", "ones", "--shape", "3", "--dtype", "u8", "--output", "u.safetensors", "--quiet"], in: scratch)
        try #require(single.status == 0, "\(single.stderr)")
        let ones = try tensors([scratch.file("u.safetensors")])["weight"]
        #expect(ones?.bytes == [1, 1, 1])
    }

    /// Bad model input: one `error:` line, status 64, no file written.
    @Test(arguments: [
        ("unknown family", [#"{"model_type": "mistral", "vocab_size": 8}"#], ["--config", "F0"], "unsupported model_type \"mistral\""),
        ("config missing a field", [#"{"model_type": "gpt2", "vocab_size": 8, "n_positions": 4, "n_layer": 1, "n_head": 2}"#],
         ["--config", "F0"], "gpt2 needs \"n_embd\""),
        ("a tensor no rule matches", [#"{"rules": {"rules": [{"match": "*.weight", "scheme": "zeros"}]}, "tensors": [{"name": "fc.weight", "shape": [2, 2]}, {"name": "fc.bias", "shape": [2]}]}"#],
         ["--spec", "F0"], "tensor \"fc.bias\" (shape [2]): no rule of the spec's rules applies to it"),
        ("no rules at all", [#"{"tensors": [{"name": "w", "shape": [2]}]}"#], ["--spec", "F0"], "no \"scheme\", and no rules"),
        ("overlapping parts", [#"{"tensors": [{"name": "b", "shape": [8], "scheme": "zeros", "parts": [{"rows": [0, 4], "scheme": "ones"}, {"rows": [3, 5], "scheme": "ones"}]}]}"#],
         ["--spec", "F0"], "parts 1 [0:4] and 2 [3:5] overlap"),
        ("a part outside the tensor", [#"{"tensors": [{"name": "b", "shape": [8], "scheme": "zeros", "parts": [{"rows": [6, 10], "scheme": "ones"}]}]}"#],
         ["--spec", "F0"], "part [6:10] is outside the tensor of shape 8"),
        ("a block that does not divide", [#"{"tensors": [{"name": "b", "shape": [10], "scheme": "zeros", "parts": [{"block": [1, 4], "scheme": "ones"}]}]}"#],
         ["--spec", "F0"], "of a dimension divisible by n"),
        ("an integer dtype with a sampling scheme", [#"{"tensors": [{"name": "n", "shape": [], "scheme": "normal", "dtype": "i64"}]}"#],
         ["--spec", "F0"], "normal samples floating-point values; a tensor of dtype i64 takes only zeros, ones or constant"),
        ("a constant an integer dtype cannot hold", [#"{"tensors": [{"name": "n", "shape": [2], "scheme": "constant", "value": 300, "dtype": "u8"}]}"#],
         ["--spec", "F0"], "is not a u8 value"),
        ("fan-of a missing tensor", [#"{"tensors": [{"name": "b", "shape": [4], "scheme": "uniform-fan-in", "fan-of": "w"}]}"#],
         ["--spec", "F0"], "\"fan-of\" names \"w\", which is not a tensor of this model"),
        ("a part with fan-of and fan-in", [#"{"tensors": [{"name": "w", "shape": [4, 3], "scheme": "zeros"}, {"name": "b", "shape": [4], "scheme": "zeros", "parts": [{"rows": [0, 2], "scheme": "uniform-fan-in", "fan-of": "w", "fan-in": 5}]}]}"#],
         ["--spec", "F0"], "part 1: \"fan-of\" and \"fan-in\"/\"fan-out\" both give the fans; give one"),
        ("a bias without fans", [#"{"tensors": [{"name": "b", "shape": [4], "scheme": "uniform-fan-in"}]}"#],
         ["--spec", "F0"], "uniform-fan-in needs at least 2 dimensions"),
        ("an unknown variable", [#"{"tensors": [{"name": "w", "shape": [4], "scheme": "normal", "std": "initializer_range"}]}"#],
         ["--spec", "F0"], "unknown variable initializer_range"),
        ("an unknown rule set", [#"{"tensors": [{"name": "w", "shape": [2]}]}"#], ["--spec", "F0", "--rules", "hf-gpt3"], "unknown rule set 'hf-gpt3'"),
        ("a bad rule", [#"{"rules": [{"match": "*", "scheme": "zeros", "colour": 1}]}"#, #"{"tensors": [{"name": "w", "shape": [2]}]}"#],
         ["--spec", "F1", "--rules", "F0"], "rule 1: unknown key \"colour\""),
        ("a shape the layout contradicts", [#"{"model_type": "gpt2", "vocab_size": 8, "n_positions": 4, "n_embd": 8, "n_layer": 1, "n_head": 2}"#, #"{"config": "F0", "tensors": [{"name": "transformer.wte.weight", "shape": [8, 9]}]}"#],
         ["--spec", "F1"], "differs from the manifest's"),
        ("a bad shard size", [#"{"model_type": "gpt2"}"#], ["--config", "F0", "--max-shard-size", "lots"], "invalid --max-shard-size 'lots'"),
        ("shards of one tensor", [], ["ones", "--shape", "2", "--max-shard-size", "1GB"], "--max-shard-size goes with --spec, --like or --config"),
        ("rules without tensors", [], ["ones", "--shape", "2", "--rules", "hf-gpt2"], "--rules goes with --spec, --like or --config"),
        ("an integer --dtype over a model", [#"{"tensors": [{"name": "w", "shape": [2], "scheme": "zeros"}]}"#],
         ["--spec", "F0", "--dtype", "i64"], "cannot be i64: give f32, f64, f16 or bf16"),
        ("an index naming a missing shard", [#"{"metadata": {}, "weight_map": {"w": "model-00001-of-00002.safetensors"}}"#],
         ["--like", "F0", "--rules", "torch-defaults"], "model-00001-of-00002.safetensors: cannot open"),
    ] as [(String, [String], [String], String)])
    func badModelInput(name: String, files: [String], arguments: [String], mentions: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var paths: [String: String] = [:]
        for (index, text) in files.enumerated() {
            let suffix = text.contains("weight_map") ? ".index.json" : ".json"
            paths["F\(index)"] = try write(text.replacingOccurrences(of: "\"F0\"", with: "\"f0.json\""), "f\(index)\(suffix)", in: scratch)
        }
        let output = arguments.contains("--max-shard-size") ? "model" : "m.safetensors"
        let result = try CLI.run(["generate"] + arguments.map { paths[$0] ?? $0 } + ["--output", output], in: scratch)
        #expect(result.status == 64, "\(name): \(result.stderr)")
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("error: "), "\(name): \(result.stderr)")
        #expect(result.stderr.contains(mentions), "\(name): \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try scratch.contents().isEmpty, "\(name): no file left")
    }
}
