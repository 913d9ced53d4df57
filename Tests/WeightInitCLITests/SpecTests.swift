import Foundation
import Testing

/// `generate --spec`: several tensors into one safetensors file.
@Suite struct SpecTests {
    /// The example spec shipped in docs/examples.
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/examples/mlp-lstm.json").path

    func write(_ spec: String, to name: String = "model.json", in scratch: Scratch) throws -> String {
        let path = scratch.root + "/" + name
        try spec.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func exampleSpecWritesEveryTensorAndPassesCheck() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["generate", "--spec", Self.example, "--output", "model.safetensors", "--check"], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.hasPrefix("wrote model.safetensors: 9 tensors"))
        #expect(result.stdout.contains("orthogonality"))
        #expect(try scratch.contents() == ["model.safetensors"])
        let stats = try CLI.run(["stats", "model.safetensors", "--json"], in: scratch)
        #expect(stats.status == 0)
        let names = stats.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["name"] as? String
        }
        #expect(names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "embedding.weight", "lstm.weight_ih_l0",
                          "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0"])
    }

    /// Streams and keys come from the names: reordering the spec changes no
    /// tensor, and each tensor equals `generate` of the same scheme with
    /// `--stream <FNV-1a-32 of the name>` and `--seed <the seed with its high
    /// half flipped by FNV-1a-64 of the name>` (stream format 3).
    @Test func reorderingChangesNoValuesAndMatchesSingleGenerate() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let a = #"{"name": "a", "shape": [20, 30], "scheme": "kaiming-uniform", "mode": "fan-out"}"#
        let b = #"{"name": "b", "shape": [30], "scheme": "normal", "std": 0.5, "dtype": "f64"}"#
        let forward = try write(#"{"seed": 4, "tensors": [\#(a), \#(b)]}"#, to: "f.json", in: scratch)
        let backward = try write(#"{"seed": 4, "tensors": [\#(b), \#(a)]}"#, to: "b.json", in: scratch)
        for (spec, output) in [(forward, "f.safetensors"), (backward, "b.safetensors")] {
            let result = try CLI.run(["generate", "--spec", spec, "--output", output], in: scratch)
            try #require(result.status == 0, "stderr: \(result.stderr)")
        }
        // FNV-1a of "a": (2166136261 ^ 0x61) · 16777619 mod 2³²; FNV-1a-64 of "a" is
        // 0xaf63dc4c8601ec8c (the FNV reference's test vector), so the key is 4 ^ 0xaf63dc4c_00000000.
        let stream = String((UInt32(2_166_136_261) ^ 0x61) &* 16_777_619)
        let key = String(UInt64(4) ^ 0xAF63_DC4C_0000_0000)
        let single = try CLI.run(["generate", "kaiming-uniform", "--mode", "fan-out", "--shape", "20,30", "--seed", key,
                                  "--stream", stream, "--output", "a.npy"], in: scratch)
        try #require(single.status == 0, "stderr: \(single.stderr)")
        guard SafetensorsPython.available else { return }
        let script = """
            import sys, numpy
            from safetensors.numpy import load_file
            f, b, a = load_file(sys.argv[1]), load_file(sys.argv[2]), numpy.load(sys.argv[3])
            print(all(numpy.array_equal(f[k], b[k]) for k in "ab"), numpy.array_equal(f["a"], a), f["b"].dtype)
            """
        #expect(try Numpy.run(script, [scratch.file("f.safetensors"), scratch.file("b.safetensors"), scratch.file("a.npy")])
            == "True True float64")
    }

    @Test func seedFlagOverridesTheSpecSeed() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let spec = try write(#"{"seed": 1, "tensors": [{"name": "w", "shape": [16], "scheme": "normal"}]}"#, in: scratch)
        for (seed, output) in [([String](), "one.safetensors"), (["--seed", "2"], "two.safetensors")] {
            try #require(try CLI.run(["generate", "--spec", spec, "--output", output] + seed, in: scratch).status == 0)
        }
        let one = try Data(contentsOf: URL(fileURLWithPath: scratch.file("one.safetensors")))
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.file("two.safetensors"))) != one)
    }

    /// Each bad spec: exit ≠ 0, one stderr line naming the problem, no file.
    @Test(arguments: [
        ("{\"tensors\": [", "not valid JSON"),
        ("[]", "must be a JSON object"),
        (#"{"tensors": []}"#, "empty"),
        (#"{"seeds": 1, "tensors": []}"#, "unknown key \"seeds\""),
        (#"{"tensors": [{"name": "w", "shape": [4], "scheme": "gaussian"}]}"#, "unknown scheme 'gaussian'"),
        (#"{"tensors": [{"name": "w", "shape": [4], "scheme": "normal", "stdev": 1}]}"#, "unknown key \"stdev\""),
        (#"{"tensors": [{"name": "w", "shape": [4], "scheme": "normal", "std": true}]}"#, "\"std\" must be a number"),
        (#"{"tensors": [{"name": "w", "shape": [4], "scheme": "normal", "std": "sigma"}]}"#, "unknown variable sigma"),
        (#"{"tensors": [{"name": "w", "shape": [4], "scheme": "normal"}, {"name": "w", "shape": [2], "scheme": "zeros"}]}"#, "used twice"),
        (#"{"tensors": [{"name": "w", "shape": [0], "scheme": "zeros"}]}"#, "integers ≥ 1"),
        (#"{"tensors": [{"name": "w", "shape": [4], "scheme": "orthogonal"}]}"#, "at least 2 dimensions"),
        (#"{"tensors": [{"name": "w", "shape": [4], "scheme": "zeros", "dtype": "f8"}]}"#, "\"dtype\" must be one of"),
        (#"{"tensors": [{"shape": [4], "scheme": "zeros"}]}"#, "\"name\" must be a non-empty string"),
        (#"{"tensors": [{"name": "a", "shape": [4], "scheme": "zeros", "stream": 1}, {"name": "b", "shape": [4], "scheme": "ones", "stream": 1}]}"#, "would draw the same values (key 0, stream 1); give one of them an explicit \"stream\""),
    ])
    func malformedSpec(spec: String, mentions: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = try write(spec, in: scratch)
        let result = try CLI.run(["generate", "--spec", path, "--output", "model.safetensors"], in: scratch)
        #expect(result.status != 0)
        #expect(result.stderrLines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(mentions), "stderr: \(result.stderr)")
        #expect(try scratch.contents().isEmpty)
    }

    @Test func specWithSchemeOrShapeIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["generate", "normal", "--spec", Self.example, "--output", "m.safetensors"], in: scratch)
        #expect(result.status == 64)
        #expect(result.stderrLines.count == 1 && result.stderr.contains("--spec"))
        let npy = try CLI.run(["generate", "--spec", Self.example, "--output", "m.npy"], in: scratch)
        #expect(npy.status == 64 && npy.stderr.contains("one tensor"))
        #expect(try scratch.contents().isEmpty)
    }
}
