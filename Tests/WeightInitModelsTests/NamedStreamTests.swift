import Foundation
import Testing
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

/// Stream format 3: the stream and the Philox key a tensor (or part) draws
/// from when its name gives them — known answers from the FNV reference's
/// test vectors and an independent Python computation, names whose 32-bit
/// streams collide planned without a complaint and with different values,
/// and tensors that would still share a key and stream refused by name.
@Suite struct NamedStreamTests {
    /// FNV-1a-64 of "", "a" and "foobar" are the FNV reference's test vectors
    /// (cbf29ce484222325, af63dc4c8601ec8c, 85944171f73967e8); their 32-bit
    /// FNV-1a are 811c9dc5, e40c292c, bf9cf968. The key keeps the seed's low
    /// half and flips its high half by the 64-bit hash's high half.
    @Test func keysAndStreamsOfKnownNames() {
        #expect(PlannedTensor.seed(forName: "", seed: 0) == 0xCBF2_9CE4_0000_0000)
        #expect(PlannedTensor.seed(forName: "a", seed: 0) == 0xAF63_DC4C_0000_0000)
        #expect(PlannedTensor.seed(forName: "foobar", seed: 42) == 0x8594_4171_0000_002A)
        #expect(PlannedTensor.seed(forName: "foobar", seed: .max) == 0x7A6B_BE8E_FFFF_FFFF)
        #expect(PlannedTensor.stream(forName: "") == 0x811C_9DC5)
        #expect(PlannedTensor.stream(forName: "a") == 0xE40C_292C)
        #expect(PlannedTensor.stream(forName: "foobar") == 0xBF9C_F968)
        // UTF-8 bytes, as written: "é" is c3 a9 (from Python: fnv1a64("é".encode()) >> 32).
        #expect(PlannedTensor.seed(forName: "é", seed: 0) == 0x0AC2_1707_0000_0000)
    }

    /// A planned tensor's values are the engine's fill from (key, stream),
    /// the constants computed by hand in Python (fnv1a64("fc1.weight") =
    /// 0fc5ab63896269ed, fnv1a32 = 515206ad); its part's from the key and
    /// stream of "fc1.weight[0:2, 0:3]"; an explicit "stream" keeps the seed
    /// as the key. The metadata record holds the key and stream, so it
    /// regenerates the tensor.
    @Test func plannedValuesComeFromTheNamesKeyAndStream() throws {
        let spec = #"""
            {"seed": 42, "tensors": [
              {"name": "fc1.weight", "shape": [4, 6], "scheme": "normal",
               "parts": [{"rows": [0, 2], "columns": [0, 3], "scheme": "uniform", "low": -1, "high": 1}]},
              {"name": "fc1.bias", "shape": [6], "scheme": "normal", "stream": 7},
              {"name": "fc2.bias", "shape": [6], "scheme": "normal", "seed": 9, "stream": 7}]}
            """#
        let plan = try ModelSpec.plan(bytes: Array(spec.utf8), source: "spec")
        let weight = try #require(plan.tensor(named: "fc1.weight"))
        #expect(weight.stream == RandomStream(seed: 42 ^ 0x0FC5_AB63_0000_0000, stream: 0x5152_06AD))
        let part = try #require(weight.parts.first)
        #expect(part.stream == RandomStream(seed: PlannedTensor.seed(forName: "fc1.weight[0:2, 0:3]", seed: 42),
                                            stream: PlannedTensor.stream(forName: "fc1.weight[0:2, 0:3]")))
        #expect(plan.tensor(named: "fc1.bias")?.stream == RandomStream(seed: 42, stream: 7))
        #expect(plan.tensor(named: "fc2.bias")?.stream == RandomStream(seed: 9, stream: 7))

        var filled = [Float](repeating: 0, count: 24)
        try filled.withUnsafeMutableBufferPointer { try weight.fill($0) }
        var expected: [Float] = try Initializer.normal().makeArray(shape: [4, 6], seed: 42 ^ 0x0FC5_AB63_0000_0000, stream: 0x5152_06AD)
        let block: [Float] = try Initializer.uniform(low: -1, high: 1).makeArray(shape: [2, 3], seed: part.stream.seed,
                                                                                 stream: part.stream.stream)
        for row in 0 ..< 2 { for column in 0 ..< 3 { expected[row * 6 + column] = block[row * 3 + column] } }
        #expect(filled == expected)

        // The record, a spec entry with the key as "seed" and the stream, rebuilds the same tensor.
        let record = weight.record.serialized
        #expect(record.contains("\"seed\":\(42 ^ 0x0FC5_AB63_0000_0000 as UInt64)") && record.contains("\"stream\":\(0x5152_06AD)"),
                "\(record)")
        let rebuilt = try PlannedTensor.recorded(record, name: "fc1.weight", shape: [4, 6], dtype: .f32).tensor
        #expect(rebuilt.stream == weight.stream && rebuilt.parts.map(\.stream) == weight.parts.map(\.stream))
    }

    /// Two expert weights of a 65 000-tensor MoE layout share a 32-bit
    /// stream (found by search; FNV-1a-32 = 4209153643 for both): stream
    /// format 2 refused such a plan ("same stream"), with no way to resolve
    /// it from a config; now both are planned, with different keys and values.
    @Test func namesWhoseStreamsCollideDrawDifferentValues() throws {
        let names = ["model.layers.6.mlp.experts.692.down_proj.weight", "model.layers.252.mlp.experts.80.down_proj.weight"]
        #expect(names.map(PlannedTensor.stream(forName:)) == [4_209_153_643, 4_209_153_643])
        let manifest = ModelManifest(names.map { ModelManifest.Tensor(name: $0, shape: [8, 8]) })
        let rules = try RuleSet(json: Array(#"{"rules": [{"match": "*.weight", "scheme": "normal"}]}"#.utf8), name: "test")
        let plan = try ModelPlan(manifest: manifest, rules: rules, seed: 5)
        #expect(plan.tensors[0].stream.stream == plan.tensors[1].stream.stream)
        #expect(plan.tensors[0].stream.seed != plan.tensors[1].stream.seed)
        var first = [Float](repeating: 0, count: 64), second = first
        try first.withUnsafeMutableBufferPointer { try plan.tensors[0].fill($0) }
        try second.withUnsafeMutableBufferPointer { try plan.tensors[1].fill($0) }
        #expect(zip(first, second).allSatisfy { $0 != $1 })
    }

    /// Tensors or parts that would draw the same values are refused, naming
    /// both and saying how to resolve it: explicit streams with one seed, an
    /// explicit stream and seed crafted to be a named tensor's key and
    /// stream, and a part crafted onto another tensor.
    @Test(arguments: [
        (#"[{"name": "a", "shape": [4], "scheme": "normal", "stream": 3}, {"name": "b", "shape": [4], "scheme": "normal", "stream": 3}]"#,
         #"tensors "a" and "b" would draw the same values (key 1, stream 3)"#),
        (#"[{"name": "w", "shape": [4], "scheme": "normal"}, {"name": "v", "shape": [4], "scheme": "normal", "seed": \#(PlannedTensor.seed(forName: "w", seed: 1)), "stream": \#(PlannedTensor.stream(forName: "w"))}]"#,
         #"tensors "w" and "v" would draw the same values"#),
        (#"[{"name": "w", "shape": [4, 4], "scheme": "zeros", "parts": [{"rows": [0, 2], "scheme": "normal", "stream": 9}]}, {"name": "v", "shape": [4], "scheme": "normal", "stream": 9}]"#,
         #"tensors "w[0:2, 0:4]" and "v" would draw the same values (key 1, stream 9)"#),
    ])
    func coincidingKeysAndStreamsAreRefused(tensors: String, message: String) throws {
        let error = try #require(throws: ModelError.self) {
            try ModelSpec.plan(bytes: Array(#"{"seed": 1, "tensors": \#(tensors)}"#.utf8), source: "spec")
        }
        #expect(error.reason.contains(message), "\(error.reason)")
        #expect(error.reason.hasSuffix(#"give one of them an explicit "stream" (a number no other tensor of the seed uses) in the spec's "tensors""#))
        // One seed apart, the same streams are different Philox streams: accepted.
        let apart = tensors.replacingOccurrences(of: #""stream": 3}]"#, with: #""stream": 3, "seed": 2}]"#)
        if apart != tensors { _ = try ModelSpec.plan(bytes: Array(#"{"seed": 1, "tensors": \#(apart)}"#.utf8), source: "spec") }
    }

    /// `unmatched: .skip` leaves tensors no rule applies to out of the plan,
    /// while a bias may still take a skipped weight's fans.
    @Test func unmatchedTensorsAreSkippedOnRequest() throws {
        let manifest = ModelManifest([.init(name: "fc.weight", shape: [10, 64]), .init(name: "fc.bias", shape: [10]),
                                      .init(name: "odd", shape: [3])])
        let rules = try RuleSet(json: Array(#"{"rules": [{"match": "*.bias", "scheme": "uniform-fan-in", "fan-of": "$1.weight"}]}"#.utf8),
                                name: "biases")
        let error = try #require(throws: ModelError.self) { try ModelPlan(manifest: manifest, rules: rules) }
        #expect(error.key == "fc.weight" && error.reason.contains("no rule of biases applies"))
        let plan = try ModelPlan(manifest: manifest, rules: rules, unmatched: .skip)
        #expect(plan.tensors.map(\.name) == ["fc.bias"])
        #expect(plan.tensors[0].scheme == "uniform-fan-in --fan-in 64 --fan-out 10")
        // A manifest naming a tensor twice is refused, whatever the rules.
        let twice = ModelManifest([.init(name: "fc.bias", shape: [10]), .init(name: "fc.bias", shape: [10])])
        #expect(throws: ModelError.self) { try ModelPlan(manifest: twice, rules: rules, unmatched: .skip) }
    }
}
