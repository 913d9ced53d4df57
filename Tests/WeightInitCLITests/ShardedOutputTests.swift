import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--max-shard-size --output DIRECTORY` into a directory that already holds
/// a checkpoint, interrupted, killed, or without room: the directory ends
/// with exactly the new checkpoint, or exactly as it was.
@Suite struct ShardedOutputTests {
    static let config = #"{"model_type": "llama", "vocab_size": 64, "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 4, "num_attention_heads": 4}"#

    /// With 1KB shards: a small shard (a), one of 3.6 GB (b: seconds of
    /// writing, streamed), a small one (c) — the signal arriving once the
    /// first is complete.
    static let longSpec = #"{"tensors": [{"name": "a", "shape": [200], "scheme": "zeros"}, {"name": "c", "shape": [200], "scheme": "zeros"}, {"name": "b", "shape": [30000, 30000], "scheme": "normal"}]}"#

    static func write(_ text: String, _ name: String, in scratch: Scratch) throws -> String {
        let path = scratch.root + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func files(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    /// Every file in `directory` and its bytes.
    static func snapshot(_ directory: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try Self.files(directory) { files[name] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)) }
        return files
    }

    /// A checkpoint written over an earlier one leaves none of the earlier
    /// one's files that it does not name: numbered shards of another count
    /// (as save_pretrained removes them), a model.safetensors beside a new
    /// index (from_pretrained would load it instead), an index beside a new
    /// model.safetensors. Other files stay.
    @Test func earlierCheckpointFilesAreReplacedNotLeft() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = try Self.write(Self.config, "config.json", in: scratch)
        func generate(_ size: String) throws -> [String] {
            let result = try CLI.run(["generate", "--config", config, "--max-shard-size", size, "--output", "model", "--quiet"], in: scratch)
            try #require(result.status == 0, "\(result.stderr)")
            return try Self.files(scratch.file("model"))
        }
        let many = try generate("4KB")
        #expect(many.count > 5 && many.contains("model-00001-of-000\(many.count - 2 < 10 ? "0" : "")\(many.count - 2).safetensors"), "\(many)")
        #expect(FileManager.default.createFile(atPath: scratch.file("model/tokenizer.json"), contents: Data("{}".utf8)))
        #expect(FileManager.default.createFile(atPath: scratch.file("model/model-notes.txt"), contents: Data("x".utf8)))
        #expect(try generate("40KB") == ["config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                                         "model-notes.txt", "model.safetensors.index.json", "tokenizer.json"])
        #expect(try generate("1GB") == ["config.json", "model-notes.txt", "model.safetensors", "tokenizer.json"])
        #expect(try generate("40KB") == ["config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                                         "model-notes.txt", "model.safetensors.index.json", "tokenizer.json"])
    }

    /// Only the names the README gives are an earlier checkpoint's: numbered
    /// shards with exactly five digits in each number, as transformers'
    /// `save_pretrained` matches them (`-\d{5}-of-\d{5}`) and
    /// `huggingface_hub` writes them. Six digits (or four), another prefix,
    /// another suffix: a user's file, kept.
    @Test func onlyFiveDigitShardNamesAreStale() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = try Self.write(Self.config, "config.json", in: scratch)
        try FileManager.default.createDirectory(atPath: scratch.file("model"), withIntermediateDirectories: false)
        let stale = ["model-00001-of-00009.safetensors", "model-00009-of-00009.safetensors", "model.safetensors"]
        let kept = ["model-000001-of-000002.safetensors", "model-00001-of-000002.safetensors", "model-0001-of-0002.safetensors",
                    "model-00001-of-00002.safetensors.bak", "model-00001-of-0000x.safetensors", "model-00001_of-00002.safetensors",
                    "my-model-00001-of-00002.safetensors", "model-00001-of-00002-of-00003.safetensors"]
        for name in stale + kept {
            #expect(FileManager.default.createFile(atPath: scratch.file("model/" + name), contents: Data("x".utf8)))
        }
        let result = try CLI.run(["generate", "--config", config, "--max-shard-size", "40KB", "--output", "model", "--quiet"], in: scratch)
        try #require(result.status == 0, "\(result.stderr)")
        #expect(try Self.files(scratch.file("model")) == (kept + ["config.json", "model-00001-of-00002.safetensors",
                                                                  "model-00002-of-00002.safetensors", "model.safetensors.index.json"]).sorted())
    }

    /// Starts a long sharded write into `directory` (in the scratch output),
    /// waits (polling) until its staging directory exists, sends `signal`.
    static func interrupt(_ directory: String, with signal: Int32, in scratch: Scratch) throws -> CLI.Result {
        let spec = try Self.write(Self.longSpec, "long.json", in: scratch)
        return try CLI.interrupt(["generate", "--spec", spec, "--max-shard-size", "1KB", "--output", directory], with: signal,
                                 in: scratch, awaited: "its staging directory") { Self.writingSecondShard(scratch.file(directory)) }
    }

    /// Whether the temporary file of the second shard, anywhere under
    /// `directory`, holds a megabyte yet.
    static func writingSecondShard(_ directory: String) -> Bool {
        guard let items = FileManager.default.enumerator(atPath: directory) else { return false }
        for case let item as String in items where item.contains(".model-00002-of-00003.safetensors.wi-") {
            let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + item)[.size] as? Int) ?? 0
            if size > 1 << 20 { return true }
        }
        return false
    }

    @Test("A signal during a sharded write: the old checkpoint byte for byte, no staging left", arguments: [SIGINT, SIGTERM, SIGHUP])
    func signalKeepsTheOldCheckpoint(signal: Int32) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = try Self.write(Self.config, "config.json", in: scratch)
        try #require(try CLI.run(["generate", "--config", config, "--max-shard-size", "4KB", "--output", "model", "--quiet"], in: scratch).status == 0)
        let before = try Self.snapshot(scratch.file("model"))
        let result = try Self.interrupt("model", with: signal, in: scratch)
        #expect(result.status == 128 + signal, "\(result.stderr)")
        let after = try Self.snapshot(scratch.file("model"))
        #expect(after == before, "\(after.keys.sorted())")
    }

    @Test("A signal during a sharded write into a new directory leaves no directory")
    func signalRemovesTheNewDirectory() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try Self.interrupt("fresh", with: SIGTERM, in: scratch)
        #expect(result.status == 143, "\(result.stderr)")
        #expect(try scratch.contents().isEmpty)
    }

    /// SIGKILL leaves the staging directory (the old checkpoint untouched);
    /// `clean` recognises and removes it.
    @Test func cleanRemovesAKilledRunsStaging() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = try Self.write(Self.config, "config.json", in: scratch)
        try #require(try CLI.run(["generate", "--config", config, "--max-shard-size", "4KB", "--output", "model", "--quiet"], in: scratch).status == 0)
        let before = try Self.snapshot(scratch.file("model"))
        _ = try Self.interrupt("model", with: SIGKILL, in: scratch)
        let staging = try Self.files(scratch.file("model")).filter { $0.hasPrefix(".") }
        try #require(staging.count == 1 && staging[0].hasPrefix(".model.safetensors.wi-") && staging[0].hasSuffix(".tmp"), "\(staging)")
        #expect(try Self.files(scratch.file("model")).filter { !$0.hasPrefix(".") } == before.keys.sorted(), "nothing moved in")
        let clean = try CLI.run(["clean", "model"], in: scratch)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("removed model/\(staging[0]): "), "\(clean.stdout)")
        #expect(try Self.snapshot(scratch.file("model")) == before)
    }

    /// A new directory's file system is its parent's: the free-space check
    /// applies to it too (it was skipped, and a 4 TB checkpoint was started).
    @Test func aNewDirectoryIsCheckedForFreeSpace() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let spec = try Self.write(#"{"tensors": [{"name": "a", "shape": [1000000, 1000000, 1000], "scheme": "zeros", "dtype": "u8"}]}"#, "huge.json", in: scratch)
        let result = try CLI.run(["generate", "--spec", spec, "--max-shard-size", "1TB", "--output", "new/"], in: scratch)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderrLines.count == 1 && result.stderr.contains("bytes free"), "\(result.stderr)")
        #expect(try scratch.contents().isEmpty)
    }
}
