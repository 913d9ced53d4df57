import Foundation
import Testing
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

/// ABI 1.1's model plans from C (Programs/plan_test.c): a plan of a tiny
/// Llama config fills every tensor with the bytes of the CLI's checkpoint,
/// a plan of a list of tensors with those of the Swift API, each lists what
/// applies as the Swift plan does, blocks are blocks of the whole, bad
/// inputs return statuses and write nothing, and threads share a plan.
@Suite("Model plans from C")
struct PlanProgramTests {
    /// A tiny Llama (2 layers, hidden 32, odd vocabulary) whose pad row is a
    /// part (pad_token_id 3), so parts are covered.
    static let config = #"""
        {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 97, "hidden_size": 32,
         "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
         "initializer_range": 0.05, "pad_token_id": 3, "tie_word_embeddings": false, "dtype": "float32"}
        """#

    /// One line of a dump: what the C ABI lists for a tensor.
    struct Listed: Equatable, CustomStringConvertible {
        let name: String, shape: [Int], dtype: Int, scheme: String, seed: UInt64, stream: UInt32
        let parts: [String]

        var description: String { "\(name) \(shape) \(dtype) \(scheme) \(seed) \(stream) \(parts)" }

        init(line: Substring) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            name = fields[1]
            shape = fields[2].split(separator: ",").map { Int($0)! }
            dtype = Int(fields[3])!
            scheme = fields[4]
            seed = UInt64(fields[5])!
            stream = UInt32(fields[6])!
            parts = fields[7].isEmpty ? [] : fields[7].split(separator: "|").map(String.init)
        }

        /// What the Swift plan says of the same tensor.
        init(_ tensor: PlannedTensor) {
            func dims(_ values: [Int]) -> String { values.map(String.init).joined(separator: ",") }
            name = tensor.name
            shape = tensor.shape
            dtype = [.f32: 0, .f64: 1, .f16: 2, .bf16: 3, .i64: 4, .i32: 5, .u8: 6, .bool: 7][tensor.dtype]!
            scheme = tensor.scheme
            seed = tensor.stream.seed
            stream = tensor.stream.stream
            parts = tensor.parts.map { part in
                "\(dims(part.region.ranges.map(\.lowerBound))):\(dims(part.region.ranges.map(\.upperBound)));"
                    + "\(part.scheme);\(part.stream.seed);\(part.stream.stream)"
            }
        }
    }

    /// Runs plan_test `arguments` (its last one the output directory), and
    /// returns what it listed and each tensor's bytes.
    static func dump(_ arguments: [String], in scratch: Scratch) throws -> [(Listed, [UInt8])] {
        let program = try Compiler.build("plan_test.c", in: scratch)
        try FileManager.default.createDirectory(atPath: scratch.file("out"), withIntermediateDirectories: true)
        let run = try run(program, arguments + [scratch.file("out")], in: scratch)
        try #require(run.status == 0, "plan_test \(arguments.joined(separator: " ")):\n\(run.stderr)")
        return try run.stdout.split(separator: "\n").enumerated().map { index, line in
            (Listed(line: line), Array(try Data(contentsOf: URL(fileURLWithPath: scratch.file("out/\(index).bin")))))
        }
    }

    /// The built `weightinit`, run in `scratch`.
    static func cli(_ arguments: [String], in scratch: Scratch) throws {
        let tool = try BuiltExecutable.find("weightinit", variable: "WEIGHTINIT_EXECUTABLE", package: Build.root,
                                            hint: "build it with `swift build --build-tests`")
        let run = try run(tool, arguments, in: scratch)
        try #require(run.status == 0, "weightinit \(arguments.joined(separator: " ")): \(run.stderr)")
    }

    @Test("a plan of hf-llama and a tiny Llama config fills every tensor with the CLI checkpoint's bytes",
          arguments: [(dtype: 8, cli: [String]()), (dtype: 3, cli: ["--dtype", "bf16"])])
    func configEqualsTheCheckpoint(dtype: Int, cli: [String]) throws {
        let scratch = try Scratch()
        try Self.config.write(toFile: scratch.file("config.json"), atomically: true, encoding: .utf8)
        let dumped = try Self.dump(["config", scratch.file("config.json"), "-", "\(dtype)", "5"], in: scratch)
        try Self.cli(["generate", "--config", "config.json", "--seed", "5", "--output", "model.safetensors", "--quiet"] + cli,
                     in: scratch)
        let stored = Dictionary(uniqueKeysWithValues: try TensorFile.read(scratch.file("model.safetensors")).tensors.map { ($0.name, $0) })
        let plan = try ModelPlan(config: ModelConfig(path: scratch.file("config.json")), seed: 5,
                                 dtype: dtype == 3 ? .bf16 : nil)
        // Every tensor of the checkpoint, in its order, listed as the Swift plan lists it.
        #expect(dumped.map(\.0.name) == plan.tensors.map(\.name))
        #expect(Set(dumped.map(\.0.name)) == Set(stored.keys))
        #expect(dumped.map(\.0) == plan.tensors.map(Listed.init))
        for (listed, bytes) in dumped {
            #expect(bytes == stored[listed.name]?.bytes, "\(listed.name) differs from the checkpoint")
            #expect(listed.shape == stored[listed.name]?.shape)
        }
        // The pad row is a part: zeros, from its own key and stream.
        let embedding = try #require(dumped.first { $0.0.name == "model.embed_tokens.weight" })
        #expect(embedding.0.parts.count == 1 && embedding.0.parts[0].hasPrefix("3,0:4,32;zeros;"))
        #expect(embedding.0.scheme == "normal --mean 0 --std 0.05")
    }

    /// The rules of the list test: variables, fan-of, parts over orthogonal
    /// and over a fan-in law, and a rule's dtype.
    static let listRules = #"""
        {"variables": {"std": 0.1}, "rules": [
          {"match": "weight_ih_l0", "scheme": "orthogonal", "parts": [{"block": [1, 4], "scheme": "uniform", "low": -1, "high": 1}]},
          {"regex": "bias_(ih|hh)_l0", "scheme": "uniform-fan-in", "fan-of": "weight_hh_l0", "parts": [{"block": [1, 4], "scheme": "ones"}]},
          {"match": "weight_hh_l0", "scheme": "normal", "std": "std"},
          {"match": "fc.weight", "scheme": "kaiming-uniform", "nonlinearity": "relu"},
          {"match": "fc.bias", "scheme": "uniform-fan-in", "fan-of": "fc.weight"},
          {"match": "bn.num_batches_tracked", "dtype": "i64", "scheme": "zeros"},
          {"match": "bn.*", "scheme": "normal", "std": "std * 2"},
          {"match": "odd", "scheme": "xavier-normal"}]}
        """#

    /// plan_test's list (list_tensors in plan_test.c), as a Swift manifest.
    static let manifest = ModelManifest([
        .init(name: "weight_ih_l0", shape: [24, 4]), .init(name: "weight_hh_l0", shape: [24, 6]),
        .init(name: "bias_ih_l0", shape: [24]), .init(name: "bias_hh_l0", shape: [24], dtype: .f64),
        .init(name: "fc.weight", shape: [5, 6]), .init(name: "fc.bias", shape: [5], dtype: .bf16),
        .init(name: "bn.running_mean", shape: [5]), .init(name: "bn.running_var", shape: [5], dtype: .f16),
        .init(name: "bn.num_batches_tracked", shape: []), .init(name: "odd", shape: [3, 3, 2]),
    ])

    @Test("a plan of a list of tensors (rules JSON text, variables, parts, fan-of, dtypes) equals the Swift plan")
    func listEqualsSwift() throws {
        let scratch = try Scratch()
        let variables = #"{"std": 0.5, "model_type": "text is ignored", "nested": {"std": 9}}"#
        let dumped = try Self.dump(["list", Self.listRules, variables, "0", "11"], in: scratch)
        let plan = try ModelPlan(manifest: Self.manifest, rules: RuleSet(json: Array(Self.listRules.utf8), name: "list"),
                                 seed: 11, variables: RuleValue.variables(json: Array(variables.utf8)))
        #expect(dumped.map(\.0) == plan.tensors.map(Listed.init))
        for ((listed, bytes), tensor) in zip(dumped, plan.tensors) {
            var expected = [UInt8](repeating: 0, count: bytes.count)
            try expected.withUnsafeMutableBytes { try tensor.fill($0) }
            #expect(bytes == expected, "\(listed.name)")
        }
        let listed = Dictionary(uniqueKeysWithValues: dumped.map { ($0.0.name, $0.0) })
        // The variables' std (0.5) over the rule set's (0.1); fans from fan-of; the rule's dtype.
        #expect(listed["weight_hh_l0"]?.scheme == "normal --mean 0 --std 0.5")
        #expect(listed["bn.running_var"]?.scheme == "normal --mean 0 --std 1" && listed["bn.running_var"]?.dtype == 2)
        #expect(listed["bias_hh_l0"]?.scheme == "uniform-fan-in --fan-in 6 --fan-out 24" && listed["bias_hh_l0"]?.dtype == 1)
        #expect(listed["bn.num_batches_tracked"]?.dtype == 4 && listed["bn.num_batches_tracked"]?.shape == [])
        #expect(listed["weight_ih_l0"]?.parts.first?.hasPrefix("6,0:12,4;uniform --low -1 --high 1;") == true)
        #expect(listed["bias_ih_l0"]?.parts.first?.hasPrefix("6:12;ones;") == true)
    }

    @Test("torch-defaults plans a lone LSTM's state_dict; a tensor no rule applies to is refused, or skipped on request")
    func torchDefaultsAndUnmatched() throws {
        let scratch = try Scratch()
        let dumped = try Self.dump(["list", "torch-defaults", "-", "1", "0"], in: scratch)
        let plan = try ModelPlan(manifest: Self.manifest, rules: RuleSet(named: "torch-defaults"), unmatched: .skip)
        #expect(dumped.map(\.0) == plan.tensors.map(Listed.init))
        #expect(!dumped.contains { $0.0.name == "odd" } && dumped.count == Self.manifest.tensors.count - 1)
        #expect(dumped.first { $0.0.name == "bias_hh_l0" }?.0.scheme == "uniform-fan-in --fan-in 6 --fan-out 24")
        for ((listed, bytes), tensor) in zip(dumped, plan.tensors) {
            var expected = [UInt8](repeating: 0, count: bytes.count)
            try expected.withUnsafeMutableBytes { try tensor.fill($0) }
            #expect(bytes == expected, "\(listed.name)")
        }
        // Without WEIGHTINIT_PLAN_SKIP_UNMATCHED, "odd" is refused by name.
        let program = try Compiler.build("plan_test.c", in: scratch)
        let refused = try run(program, ["list", "torch-defaults", "-", "0", "0", scratch.file("out")], in: scratch)
        #expect(refused.status == 2 && refused.stderr.contains(#""odd""#) && refused.stderr.contains("no rule of torch-defaults applies"),
                "\(refused.stderr)")
    }

    @Test("every bad input returns its status, writes nothing and sets a one-line message")
    func errors() throws {
        let scratch = try Scratch()
        try Self.config.write(toFile: scratch.file("config.json"), atomically: true, encoding: .utf8)
        let run = try run(try Compiler.build("plan_test.c", in: scratch), ["errors", scratch.file("config.json")], in: scratch)
        #expect(run.status == 0, "plan_test errors:\n\(run.stderr)\n\(run.stdout)")
        #expect(run.stdout.hasSuffix("0 failures\n"))
    }

    @Test("8 threads fill from one plan at once while others create and free plans")
    func concurrentPlanFills() throws {
        let scratch = try Scratch()
        try Self.config.write(toFile: scratch.file("config.json"), atomically: true, encoding: .utf8)
        let run = try run(try Compiler.build("plan_test.c", in: scratch), ["threads", scratch.file("config.json")], in: scratch)
        #expect(run.status == 0, "plan_test threads:\n\(run.stderr)")
        #expect(run.stdout.contains("8 threads"))
    }
}
