import Foundation
import Testing
@_spi(Plumbing) import WeightInit
import WeightInitModels

/// `weightinit-mpi generate`: the shared file is `weightinit generate
/// --spec`'s file byte for byte, and `--per-rank` files are its `--shard
/// rank/size` files, for any number of ranks.
@Suite(.enabled(if: MPIRun.isAvailable, "mpirun is not on PATH: weightinit-mpi cannot be run"))
struct GenerateTests {
    /// Every dtype, sampled schemes with fans, constants, the structured
    /// schemes (built whole by one rank each), tensors with fewer elements
    /// than ranks (replicated when sharded: they cannot be split), an int64
    /// scalar, and tensors with parts (sampled, and one orthogonal part).
    static let spec = """
        {"seed": 21, "tensors": [
          {"name": "embed", "shape": [37, 16], "scheme": "normal", "std": 0.02},
          {"name": "fc1.weight", "shape": [48, 37], "scheme": "kaiming-uniform", "dtype": "f64"},
          {"name": "fc1.bias", "shape": [48], "scheme": "zeros"},
          {"name": "fc2.weight", "shape": [37, 48], "scheme": "xavier-normal", "truncated": true, "dtype": "f16", "shard-dim": 1},
          {"name": "fc2.bias", "shape": [37], "scheme": "constant", "value": 0.5, "dtype": "bf16", "shard-dim": null},
          {"name": "tiny", "shape": [2], "scheme": "uniform", "low": -1, "high": 1, "shard-dim": null},
          {"name": "one", "shape": [1, 1], "scheme": "ones", "shard-dim": null},
          {"name": "lstm.weight_hh", "shape": [64, 16], "scheme": "orthogonal", "blocks": 4},
          {"name": "conv", "shape": [8, 4, 3, 3], "scheme": "dirac"},
          {"name": "skip", "shape": [12, 12], "scheme": "eye", "gain": 2},
          {"name": "sparse", "shape": [20, 9], "scheme": "sparse", "sparsity": 0.3},
          {"name": "head", "shape": [13, 37], "scheme": "lecun-normal", "truncated": true},
          {"name": "bn.num_batches_tracked", "shape": [], "scheme": "zeros", "dtype": "i64"},
          {"name": "lstm.bias_ih_l0", "shape": [64], "scheme": "uniform-fan-in", "fan-of": "lstm.weight_hh",
           "parts": [{"block": [1, 4], "scheme": "ones"}]},
          {"name": "gates", "shape": [24, 10], "scheme": "normal", "parts": [{"rows": [0, 6], "scheme": "orthogonal"},
                                                                             {"columns": [3, 7], "rows": [10, 20], "scheme": "uniform"}]}
        ]}
        """

    func writeSpec(in directory: Scratch) throws -> String {
        let path = directory.root + "/model.json"
        try Self.spec.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test("One shared file equals weightinit's, for 1 to 4 ranks", arguments: [1, 2, 3, 4])
    func sharedFileEqualsSingleProcess(ranks: Int) throws {
        let directory = try Scratch()
        let spec = try writeSpec(in: directory)
        // What `weightinit generate --spec` writes, by the same code, in this process.
        try ModelPlan(spec: spec).write(to: directory.root + "/reference.safetensors")
        // 40-byte chunks: every tensor is cut into many independent writes per rank.
        let result = try MPIRun.run(ranks: ranks, ["generate", "--spec", spec, "--output", "model.safetensors"],
                                    in: directory, environment: ["WEIGHTINIT_WRITE_CHUNK_BYTES": "40"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.hasPrefix("wrote model.safetensors: 15 tensors from "), "\(result.stdout)")
        #expect(result.stdout.split(separator: "\n").count == 1, "one line, rank 0 only")
        #expect(try bytes(directory.file("model.safetensors")) == bytes(directory.root + "/reference.safetensors"))
        #expect(try directory.contents() == ["model.safetensors"], "no temporary file left")
    }

    @Test("--per-rank files equal weightinit's --shard rank/size files", arguments: [(2, 0), (4, 0), (3, 1)])
    func perRankFilesEqualShards(ranks: Int, dimension: Int) throws {
        let directory = try Scratch()
        let spec = try writeSpec(in: directory)
        let result = try MPIRun.run(ranks: ranks, ["generate", "--spec", spec, "--per-rank", "--shard-dim", "\(dimension)",
                                                   "--check", "--output", "model.safetensors"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        for rank in 0 ..< ranks {
            let reference = directory.root + "/reference\(rank).safetensors"
            try ModelPlan(spec: spec).sharded(rank, of: ranks, dimension: dimension).write(to: reference)
            #expect(try bytes(directory.file("model.rank\(rank)-of-\(ranks).safetensors")) == bytes(reference),
                    "rank \(rank) of \(ranks) along \(dimension)")
        }
        #expect(try directory.contents().count == ranks)
    }

    /// A Hugging Face checkpoint directory from a config: shard file k by
    /// rank k mod size, then the index and config — weightinit's files.
    @Test("--max-shard-size: the directory weightinit writes, for 1 to 3 ranks", arguments: [1, 2, 3])
    func shardedCheckpointEqualsSingleProcess(ranks: Int) throws {
        let directory = try Scratch()
        let config = directory.root + "/config.json"
        try #"{"model_type": "gpt2", "vocab_size": 40, "n_positions": 16, "n_embd": 16, "n_layer": 2, "n_head": 2, "tie_word_embeddings": false}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        try ModelPlan(config: try ModelConfig(path: config)).writeCheckpoint(to: directory.root + "/reference", maxShardSize: 3000)
        let result = try MPIRun.run(ranks: ranks, ["generate", "--config", config, "--max-shard-size", "3KB", "--check",
                                                   "--output", "model"], in: directory, environment: ["WEIGHTINIT_WRITE_CHUNK_BYTES": "100"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("wrote model: 29 tensors from --config"), "\(result.stdout)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.root + "/reference").sorted()
        let shards = names.filter { $0.hasPrefix("model-") }
        #expect(names == ["config.json"] + shards + ["model.safetensors.index.json"] && shards.count > 3, "\(names)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("model")).sorted() == names)
        for name in names {
            #expect(try bytes(directory.file("model/" + name)) == bytes(directory.root + "/reference/" + name), "\(name)")
        }
    }

    /// Over an earlier checkpoint: rank 0 removes the earlier files the new
    /// one does not name (numbered shards of another count, a
    /// model.safetensors beside the new index), and nothing else.
    @Test func shardedCheckpointReplacesAnEarlierOne() throws {
        let directory = try Scratch()
        let config = directory.root + "/config.json"
        try #"{"model_type": "gpt2", "vocab_size": 40, "n_positions": 16, "n_embd": 16, "n_layer": 2, "n_head": 2}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        func generate(_ size: String) throws -> [String] {
            let result = try MPIRun.run(ranks: 2, ["generate", "--config", config, "--max-shard-size", size, "--output", "model"], in: directory)
            try #require(result.status == 0, "\(result.stderr)")
            return try FileManager.default.contentsOfDirectory(atPath: directory.file("model")).sorted()
        }
        #expect(try generate("2KB").count > 6)
        #expect(FileManager.default.createFile(atPath: directory.file("model/tokenizer.json"), contents: Data("{}".utf8)))
        #expect(try generate("1GB") == ["config.json", "model.safetensors", "tokenizer.json"])
        #expect(try generate("20KB") == ["config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                                         "model.safetensors.index.json", "tokenizer.json"])
    }

    @Test("--check reads the shared file back on rank 0 and judges every tensor")
    func checkPasses() throws {
        let directory = try Scratch()
        let spec = try writeSpec(in: directory)
        let result = try MPIRun.run(ranks: 2, ["generate", "--spec", spec, "--check", "--output", "m.safetensors"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Kolmogorov"), "\(result.stdout)")
        #expect(result.stdout.components(separatedBy: "fc1.weight: shape").count == 2, "printed once: \(result.stdout)")
    }

    static let badArguments: [(arguments: [String], message: String, status: Int32)] = [
        // A missing spec or output directory is a wrong input, as in weightinit (it was status 1).
        (["--spec", "missing.json", "--output", "m.safetensors"], "missing.json: cannot open", 64),
        (["--spec", "SPEC", "--output", "m.npy"], "invalid --output 'm.npy': a spec is written to a .safetensors file", 64),
        (["--spec", "SPEC", "--output", "m.safetensors", "--shard-dim", "1"], "--shard-dim goes with --per-rank", 64),
        (["--spec", "SPEC", "--per-rank", "--shard-dim", "2", "--output", "m.safetensors"], "invalid --shard-dim 2", 64),
        (["--spec", "SPEC", "--threads", "0", "--output", "m.safetensors"], "invalid --threads 0", 64),
        (["--spec", "BAD", "--output", "m.safetensors"], "invalid --spec", 64),
        (["--spec", "SPEC", "--output", "missing/m.safetensors"], "missing/m.safetensors: cannot use directory", 64),
        // Only rank 0 has standard input.
        (["--spec", "-", "--output", "m.safetensors"], "invalid --spec -: every rank reads the spec", 64),
        (["--spec", "FIFO", "--output", "m.safetensors"], "FIFO: is a FIFO (named pipe), not a regular file", 64),
        (["--spec", "HUGE", "--output", "m.safetensors"], #"invalid --spec '"#, 64),
    ]

    @Test("Bad input: one error line from rank 0, its status, no file", arguments: 0 ..< badArguments.count)
    func badArgument(index: Int) throws {
        let (arguments, message, status) = Self.badArguments[index]
        let directory = try Scratch()
        let spec = try writeSpec(in: directory)
        let bad = directory.root + "/bad.json", huge = directory.root + "/huge.json", fifo = directory.root + "/fifo.json"
        try #"{"tensors": [{"name": "w", "shape": [3, 4], "scheme": "nope"}]}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        // Values that would be infinite in f16: refused before any work.
        try #"{"tensors": [{"name": "b", "shape": [4], "scheme": "constant", "value": 70000, "dtype": "f16"}]}"#
            .write(toFile: huge, atomically: true, encoding: .utf8)
        #expect(mkfifo(fifo, 0o644) == 0)
        let resolved = arguments.map { ["SPEC": spec, "BAD": bad, "HUGE": huge, "FIFO": fifo][$0] ?? $0 }
        let result = try MPIRun.run(ranks: 4, ["generate"] + resolved, in: directory)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderrLines.count == 1, "exactly one line, from rank 0 only: \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: " + message.replacingOccurrences(of: "FIFO:", with: fifo + ":")),
                "\(result.stderr)")
        #expect(try directory.contents().isEmpty)
    }

    @Test("A write failing on one rank: status 1, rank 0 reports it, no file")
    func failingRankLeavesNoSharedFile() throws {
        let directory = try Scratch()
        let spec = try writeSpec(in: directory)
        let result = try MPIRun.run(ranks: 4, ["generate", "--spec", spec, "--output", "m.safetensors"],
                                    in: directory, environment: ["WEIGHTINIT_MPI_TEST_FAIL_RANK": "2"])
        #expect(result.status == 1)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: rank 2: "), "\(result.stderr)")
        #expect(try directory.contents().isEmpty)
    }

    @Test("--per-rank: one rank's destination of the wrong kind — status 64, no rank writes its file")
    func oneBadDestinationStopsEveryRank() throws {
        let directory = try Scratch()
        let spec = try writeSpec(in: directory)
        try FileManager.default.createDirectory(atPath: directory.file("m.rank2-of-4.safetensors"), withIntermediateDirectories: false)
        let result = try MPIRun.run(ranks: 4, ["generate", "--spec", spec, "--per-rank", "--output", "m.safetensors"], in: directory)
        #expect(result.status == 64)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        // An input error names its file, not the rank.
        #expect(result.stderr.hasPrefix("error: m.rank2-of-4.safetensors: is a directory"), "\(result.stderr)")
        #expect(try directory.contents() == ["m.rank2-of-4.safetensors"])
    }

    /// The summary line cannot be written: status 1 and one line on stderr,
    /// not silent success. Run as a singleton (no mpirun): under mpirun the
    /// ranks' output goes through mpirun, whose own write errors are its
    /// business (Open MPI 4 ignores them).
    @Test func fullStandardOutput() throws {
        let directory = try Scratch()
        let spec = try writeSpec(in: directory)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try MPIRun.executable())
        process.arguments = ["generate", "--spec", spec, "--output", directory.file("m.safetensors")]
        let session = try SessionDirectory()
        process.environment = session.environment
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        session.remove()
        #expect(process.terminationStatus == 1)
        #expect(text == "error: cannot write to standard output: No space left on device\n")
    }

    /// A spec's hostile tensor name reaches stderr escaped.
    @Test func hostileNameIsEscaped() throws {
        let directory = try Scratch()
        let spec = directory.root + "/hostile.json"
        try #"{"tensors": [{"name": "\u001b]0;pwned\u0007", "shape": [2, 2], "scheme": "nope"}]}"#
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let result = try MPIRun.run(ranks: 2, ["generate", "--spec", spec, "--output", "m.safetensors"], in: directory)
        #expect(result.status == 64)
        #expect(!result.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(result.stderr.debugDescription)")
        #expect(result.stderr.contains(#"tensor "\u{1B}]0;pwned\u{7}""#), "\(result.stderr)")
    }
}
