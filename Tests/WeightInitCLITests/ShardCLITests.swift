import Foundation
import Testing
@_spi(Plumbing) import WeightInit

/// `generate --shard i/n [--shard-dim d]`: every block written alone, and the
/// blocks concatenated equal to the unsharded output, byte for byte.
@Suite struct ShardCLITests {
    /// A scheme, a shape and the counts to split it into (including counts
    /// that do not divide the dimension).
    struct Case: CustomStringConvertible {
        let scheme: [String]
        let shape: [Int]
        let dtype: String
        var description: String { "\(scheme.joined(separator: " ")) \(shape) \(dtype)" }
    }

    static let cases: [Case] = [
        Case(scheme: ["xavier-uniform"], shape: [10, 7], dtype: "f32"),
        Case(scheme: ["kaiming-normal", "--nonlinearity", "relu"], shape: [9, 8], dtype: "f16"),
        Case(scheme: ["truncated-normal", "--std", "0.02"], shape: [8, 11], dtype: "f64"),
        Case(scheme: ["lecun-normal", "--truncated"], shape: [7, 5, 3, 3], dtype: "f32"),
        Case(scheme: ["orthogonal"], shape: [12, 9], dtype: "f32"),
        Case(scheme: ["sparse", "--sparsity", "0.5"], shape: [10, 9], dtype: "f32"),
        Case(scheme: ["eye"], shape: [7, 9], dtype: "f32"),
        Case(scheme: ["dirac"], shape: [6, 4, 3, 3], dtype: "f32"),
        Case(scheme: ["constant", "--value", "0.25"], shape: [5, 8], dtype: "f16"),
    ]

    static let counts = [1, 2, 3, 4, 7]

    @Test(arguments: cases)
    func concatenatedShardsEqualTheWholeTensor(_ item: Case) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let common = item.scheme + ["--shape", item.shape.map(String.init).joined(separator: ","), "--seed", "11",
                                    "--dtype", item.dtype, "--quiet"]
        let whole = try CLI.run(["generate"] + common + ["--output", "whole.npy"], in: scratch)
        try #require(whole.status == 0, "stderr: \(whole.stderr)")
        var checks: [String] = []
        for dimension in 0...1 {
            for count in Self.counts where count <= item.shape[dimension] {
                var names: [String] = []
                for index in 0 ..< count {
                    let name = "d\(dimension)-\(index)-of-\(count).npy"
                    let result = try CLI.run(["generate"] + common + ["--shard", "\(index)/\(count)",
                                                                      "--shard-dim", "\(dimension)", "--output", name],
                                             in: scratch)
                    try #require(result.status == 0, "\(item) \(name): \(result.stderr)")
                    names.append(name)
                }
                // The rule: ⌊d/n⌋ per block, the last also takes the remainder.
                let size = item.shape[dimension] / count
                let sizes = (0 ..< count).map { $0 == count - 1 ? item.shape[dimension] - size * (count - 1) : size }
                checks.append("check(\(names), \(dimension), \(sizes))")
            }
        }
        let prelude = """
            whole = load("whole.npy")
            def check(names, axis, sizes):
                parts = [load(n) for n in names]
                same = numpy.concatenate(parts, axis=axis).tobytes() == whole.tobytes()
                return same and [p.shape[axis] for p in parts] == sizes and all(p.dtype == whole.dtype for p in parts)
            """
        let results = try Numpy.evaluate(checks, in: scratch.output, prelude: prelude)
        #expect(results == Array(repeating: "True", count: checks.count), "\(item): \(zip(checks, results).map { "\($0) → \($1)" })")
    }

    /// A spec split for tensor parallelism: rows for one weight, columns for
    /// another (its own "shard-dim"), a bias replicated; the shards' tensors
    /// concatenate to the unsharded file's, and each shard passes --check
    /// and stats against the scheme of the full shape.
    @Test func specShardsConcatenateAndCheckAgainstTheFullShape() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let spec = scratch.root + "/tp.json"
        try """
            {"seed": 3, "tensors": [
              {"name": "fc1.weight", "shape": [64, 30], "scheme": "xavier-normal"},
              {"name": "fc1.bias", "shape": [64], "scheme": "zeros"},
              {"name": "fc2.weight", "shape": [30, 64], "scheme": "kaiming-uniform", "shard-dim": 1},
              {"name": "fc2.bias", "shape": [30], "scheme": "normal", "std": 0.1, "shard-dim": null},
              {"name": "lstm.weight_hh", "shape": [64, 16], "scheme": "orthogonal", "blocks": 4, "dtype": "f64"}
            ]}
            """.write(toFile: spec, atomically: true, encoding: .utf8)
        let whole = try CLI.run(["generate", "--spec", spec, "--output", "whole.safetensors", "--quiet"], in: scratch)
        try #require(whole.status == 0, "stderr: \(whole.stderr)")
        let count = 3
        for index in 0 ..< count {
            let result = try CLI.run(["generate", "--spec", spec, "--shard", "\(index)/\(count)", "--check",
                                      "--output", "tp\(index).safetensors"], in: scratch)
            try #require(result.status == 0, "shard \(index): \(result.stderr)")
            #expect(result.stdout.contains("shard \(index)/\(count) along dimension 0"))
            let stats = try CLI.run(["stats", "tp\(index).safetensors", "--json"], in: scratch)
            #expect(stats.status == 0, "stats: \(stats.stderr)")
            // fc1.weight is judged against N(0, 2/(64 + 30)) of the full shape, not of its block.
            let fc1 = stats.stdout.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            }.first { $0["name"] as? String == "fc1.weight" }
            let expected = (fc1?["expected"] as? [String: Any])?["std"] as? Double
            #expect(expected.map { abs($0 - (2.0 / 94).squareRoot()) < 1e-12 } == true, "\(stats.stdout)")
        }
        // A reader of safetensors in a few lines of numpy: 8-byte length, JSON, data.
        let prelude = """
            import json
            def tensors(name):
                raw = open(name, "rb").read()
                n = int.from_bytes(raw[:8], "little")
                header = json.loads(raw[8:8 + n])
                header.pop("__metadata__", None)
                kinds = {"F32": numpy.float32, "F64": numpy.float64}
                return {k: numpy.frombuffer(raw[8 + n + v["data_offsets"][0]: 8 + n + v["data_offsets"][1]],
                                            kinds[v["dtype"]]).reshape(v["shape"]) for k, v in header.items()}
            whole = tensors("whole.safetensors")
            shards = [tensors("tp%d.safetensors" % i) for i in range(3)]
            def joined(name, axis):
                parts = [s[name] for s in shards]
                return parts[0] if axis is None else numpy.concatenate(parts, axis=axis)
            def same(name, axis):
                return joined(name, axis).tobytes() == whole[name].tobytes()
            def replicated(name):
                return all(s[name].tobytes() == whole[name].tobytes() for s in shards)
            """
        let results = try Numpy.evaluate([
            "same('fc1.weight', 0)", "same('fc1.bias', 0)", "same('fc2.weight', 1)", "replicated('fc2.bias')",
            "same('lstm.weight_hh', 0)", "[s['fc2.weight'].shape for s in shards]", "[s['fc1.bias'].shape for s in shards]",
        ], in: scratch.output, prelude: prelude)
        #expect(results == ["True", "True", "True", "True", "True", "[(30, 21), (30, 21), (30, 22)]", "[(21,), (21,), (22,)]"])
    }

    /// A block of a tensor far larger than memory (2⁴⁰ × 4 floats = 16 TiB):
    /// only the block is generated, and it holds the stream's values at its
    /// flat indices.
    @Test func aBlockOfAHugeTensorNeedsOnlyTheBlock() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let rows = 1 << 40, count = 1 << 36
        let result = try CLI.run(["generate", "normal", "--shape", "\(rows),4", "--seed", "5", "--shard", "\(count - 1)/\(count)",
                                  "--output", "last.npy", "--quiet"], in: scratch)
        try #require(result.status == 0, "stderr: \(result.stderr)")
        let stored = try NPY.read(scratch.file("last.npy"))
        #expect(stored.shape == [16, 4])
        var expected = [Float](repeating: 0, count: 64)
        try RandomStream(seed: 5).fill(&expected, with: .normal(mean: 0, std: 1), startIndex: UInt64(rows - 16) * 4)
        #expect(try stored.values(as: Float.self).map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test(arguments: [
        (["--shard", "4/4"], "invalid --shard '4/4'"),
        (["--shard", "1/0"], "invalid --shard '1/0'"),
        (["--shard", "a/b"], "invalid --shard 'a/b'"),
        (["--shard", "1/2/3"], "invalid --shard '1/2/3'"),
        (["--shard", "-1/2"], "invalid --shard '-1/2'"),
        (["--shard", "0/2", "--shard-dim", "2"], "invalid --shard-dim 2"),
        (["--shard-dim", "1"], "--shard-dim goes with --shard"),
        (["--shard", "0/9"], "cannot split dimension 0 of size 8 into 9 shards"),
    ])
    func badShardArgumentsFailWithOneLine(_ extra: [String], _ message: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["generate", "normal", "--shape", "8,3", "--output", "w.npy"] + extra, in: scratch)
        #expect(result.status == 64)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.hasPrefix("error: " + message), "\(result.stderr)")
        #expect(try scratch.contents().isEmpty)
    }

    @Test func badShardDimensionInASpecFailsWithOneLine() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let spec = scratch.root + "/bad.json"
        try #"{"tensors": [{"name": "w", "shape": [4, 4], "scheme": "normal", "shard-dim": 3}]}"#
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let result = try CLI.run(["generate", "--spec", spec, "--shard", "0/2", "--output", "m.safetensors"], in: scratch)
        #expect(result.status == 64)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.contains("\"shard-dim\" must be 0 (rows), 1 (columns) or null"), "\(result.stderr)")
        #expect(try scratch.contents().isEmpty)
    }
}
