import Foundation
import Testing

/// Interrupted `weightinit-mpi generate`: every rank's handler removes its
/// temporary file (rank 0 owns the shared one), the old destination stays
/// byte for byte, and the status says which signal ended the run.
@Suite(.enabled(if: MPIRun.isAvailable, "mpirun is not on PATH: weightinit-mpi cannot be run"))
struct InterruptTests {
    /// 3.6 GB of normals in one shared file (or 1.8 GB per rank with
    /// --per-rank): seconds of work; the signal comes after a few MB.
    static let spec = #"{"tensors": [{"name": "w", "shape": [30000, 30000], "scheme": "normal"}]}"#

    static func temporaries(_ directory: Scratch) throws -> [String] {
        try directory.contents().filter { $0.hasPrefix(".") && $0.contains(".tmp") }
    }

    /// Starts 2 ranks, waits (polling) until `expected` temporary files exist
    /// and both ranks are up, then sends `signal` to the ranks — or to
    /// mpirun — and returns mpirun's result.
    static func interrupt(_ arguments: [String], temporaries expected: Int, signal: Int32, toMPIRun: Bool,
                          in directory: Scratch) throws -> MPIRun.Result {
        let job = try MPIJob(ranks: 2, arguments, in: directory)
        guard let ranks = try job.awaitRanks({ try temporaries(directory).count >= expected && $0.count == 2 }) else {
            return try job.wait()
        }
        if toMPIRun {
            kill(job.pid, signal)
        } else {
            // As a batch system signals a job's processes (or a terminal its foreground group).
            for rank in ranks { kill(rank, signal) }
        }
        return try job.wait()
    }

    func prepare(_ directory: Scratch, output: String) throws -> (spec: String, before: Data) {
        let spec = directory.root + "/big.json"
        try Self.spec.write(toFile: spec, atomically: true, encoding: .utf8)
        let small = directory.root + "/small.json"
        try #"{"tensors": [{"name": "w", "shape": [3], "scheme": "ones"}]}"#.write(toFile: small, atomically: true, encoding: .utf8)
        let first = try MPIRun.run(ranks: 1, ["generate", "--spec", small, "--output", output], in: directory)
        try #require(first.status == 0, "\(first.stderr)")
        return (spec, try Data(contentsOf: URL(fileURLWithPath: directory.file(output))))
    }

    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    @Test("Signal to both ranks, shared file: status 128 + n, no temporary file, the old file kept", arguments: signals)
    func signalToTheRanks(signal: Int32) throws {
        let directory = try Scratch()
        let (spec, before) = try prepare(directory, output: "m.safetensors")
        let result = try Self.interrupt(["generate", "--spec", spec, "--output", "m.safetensors"], temporaries: 1,
                                        signal: signal, toMPIRun: false, in: directory)
        #expect(result.status == 128 + signal, "\(result.stderr)")
        #expect(try directory.contents() == ["m.safetensors"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("m.safetensors"))) == before)
    }

    /// Ctrl-C at mpirun: it forwards SIGTERM to every rank, which clean up;
    /// mpirun itself then exits with a status of its own choosing (1).
    @Test func sigintToMPIRun() throws {
        let directory = try Scratch()
        let (spec, before) = try prepare(directory, output: "m.safetensors")
        let result = try Self.interrupt(["generate", "--spec", spec, "--output", "m.safetensors"], temporaries: 1,
                                        signal: SIGINT, toMPIRun: true, in: directory)
        #expect(result.status != 0)
        #expect(try directory.contents() == ["m.safetensors"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("m.safetensors"))) == before)
    }

    /// --per-rank: each rank's own temporary file goes.
    @Test func sigtermPerRank() throws {
        let directory = try Scratch()
        let spec = directory.root + "/big.json"
        try Self.spec.write(toFile: spec, atomically: true, encoding: .utf8)
        let result = try Self.interrupt(["generate", "--spec", spec, "--per-rank", "--output", "m.safetensors"],
                                        temporaries: 2, signal: SIGTERM, toMPIRun: false, in: directory)
        #expect(result.status == 143, "\(result.stderr)")
        #expect(try directory.contents().isEmpty)
    }

    /// A sharded checkpoint over an earlier one: a signal to both ranks while
    /// the second of three shards is written leaves the earlier one byte for
    /// byte and no staging directory; rank 0's first shard was complete, and
    /// was written into the staging directory, not the checkpoint's.
    @Test("Signal to both ranks during a sharded write: the old checkpoint kept", arguments: [SIGTERM, SIGHUP])
    func signalDuringShards(signal: Int32) throws {
        let directory = try Scratch()
        let small = directory.root + "/small.json"
        try #"{"tensors": [{"name": "w", "shape": [3], "scheme": "ones"}, {"name": "v", "shape": [300], "scheme": "ones"}]}"#
            .write(toFile: small, atomically: true, encoding: .utf8)
        let first = try MPIRun.run(ranks: 2, ["generate", "--spec", small, "--max-shard-size", "1KB", "--output", "model"], in: directory)
        try #require(first.status == 0, "\(first.stderr)")
        func snapshot() throws -> [String: Data] {
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.file("model")) {
                files[name] = try Data(contentsOf: URL(fileURLWithPath: directory.file("model/" + name)))
            }
            return files
        }
        let before = try snapshot()
        try #require(before.count == 3, "\(before.keys.sorted())")
        // Shards: a (small), b (3.6 GB, rank 1), c (small, rank 0).
        let spec = directory.root + "/long.json"
        try #"{"tensors": [{"name": "a", "shape": [200], "scheme": "zeros"}, {"name": "c", "shape": [200], "scheme": "zeros"}, {"name": "b", "shape": [30000, 30000], "scheme": "normal"}]}"#
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let job = try MPIJob(ranks: 2, ["generate", "--spec", spec, "--max-shard-size", "1KB", "--output", "model"], in: directory)
        func writingSecondShard() -> Bool {
            guard let items = FileManager.default.enumerator(atPath: directory.file("model")) else { return false }
            for case let item as String in items where item.contains(".model-00002-of-00003.safetensors.wi-") {
                if ((try? FileManager.default.attributesOfItem(atPath: directory.file("model/" + item))[.size] as? Int) ?? 0) > 1 << 20 { return true }
            }
            return false
        }
        guard let ranks = try job.awaitRanks({ writingSecondShard() && $0.count == 2 }) else { return }
        for rank in ranks { kill(rank, signal) }
        let result = try job.wait()
        #expect(result.status == 128 + signal, "\(result.stderr)")
        let after = try snapshot()
        #expect(after == before, "\(after.keys.sorted())")
    }
}

/// The final moves of a sharded checkpoint, which rank 0 makes once every
/// rank has written its shards, interrupted at an exact point: strace(1)
/// on rank 0 stops it with SIGSTOP right after the rename that moves shard
/// k of 6 in; then the test signals both ranks (as a batch system does),
/// waits until rank 1 has handled its signal, and lets rank 0 go on. Before,
/// rank 1's handler removed the staging directory with the shards not yet
/// moved and exited, and mpirun killed rank 0: old and new shards under the
/// old index. Now every rank defers the signal until the commit is agreed
/// on: exactly the new checkpoint, then 128 + n.
@Suite(.enabled(if: MPIRun.isAvailable && Strace.works, "needs mpirun and a working strace"))
struct CommitInterruptTests {
    /// A Llama of 2 layers: with 4500-byte shards, 6 shard files (rank 0
    /// writes 1, 3, 5; rank 1 writes 2, 4, 6), the index and config.json.
    static let config = #"{"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": 40, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2}"#

    static func arguments(_ config: String, seed: Int, output: String) -> [String] {
        ["generate", "--config", config, "--max-shard-size", "4500", "--seed", "\(seed)", "--output", output, "--quiet"]
    }

    /// A launcher that runs rank 0 under strace with `options`, the other ranks as they are.
    static func launcher(_ options: [String], log: String) -> [String] {
        let quoted = ([Strace.path, "-f", "-qq", "-o", log] + Strace.renames + options).map { "'\($0)'" }
        return ["/bin/sh", "-c", "if [ \"$OMPI_COMM_WORLD_RANK\" = 0 ]; then exec \(quoted.joined(separator: " ")) \"$@\"; fi; exec \"$@\"", "sh"]
    }

    static func shard(_ k: Int) -> String { "model-0000\(k)-of-00006.safetensors" }

    struct Case: CustomTestStringConvertible, Sendable {
        let signal: Int32
        let shard: Int
        let existing: Bool
        var testDescription: String {
            "\([SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"][signal]!) to both ranks after shard \(shard) of 6 moved, "
                + (existing ? "over an older checkpoint" : "into a new directory")
        }
    }

    static let cases: [Case] = [SIGINT, SIGTERM, SIGHUP].flatMap { signal in
        [1, 3].flatMap { shard in [true, false].map { Case(signal: signal, shard: shard, existing: $0) } }
    }

    @Test("A signal to both ranks during rank 0's moves: the whole new checkpoint, then 128 + n", arguments: cases)
    func signalDuringTheMoves(_ test: Case) throws {
        let directory = try Scratch()
        defer { directory.remove() }
        let config = directory.root + "/config.json"
        try Self.config.write(toFile: config, atomically: true, encoding: .utf8)
        // The new checkpoint, and the order of rank 0's renames.
        let reference = directory.root + "/reference", log = directory.root + "/rank0.log"
        let traced = try MPIJob(ranks: 2, Self.arguments(config, seed: 2, output: reference), in: directory,
                                launcher: Self.launcher([], log: log)).wait()
        try #require(traced.status == 0, "\(traced.stderr)")
        let new = try #require(try directorySnapshot(reference))
        try #require(new.count == 8, "\(new.keys.sorted())")
        let move = Strace.renames(into: reference, in: try String(contentsOfFile: log, encoding: .utf8))[Self.shard(test.shard)]
        let target = try #require(move, "rank 0 moved shard \(test.shard) in")
        let output = directory.file("model")
        var old: [String: Data]?
        if test.existing {
            let first = try MPIRun.run(ranks: 2, Self.arguments(config, seed: 1, output: "model"), in: directory)
            try #require(first.status == 0, "\(first.stderr)")
            old = try directorySnapshot(output)
            try #require(old != new)
        }

        let job = try MPIJob(ranks: 2, Self.arguments(config, seed: 2, output: "model"), in: directory,
                             launcher: Self.launcher(["-e", "inject=\(target.call):signal=SIGSTOP:when=\(target.count)"], log: log))
        // Wait (polling) until strace reports rank 0 held right after the move,
        // in a group stop that SIGCONT ends, and both ranks are up.
        // Whatever goes wrong below, no rank stays stopped.
        defer { job.descendants().forEach { kill($0, SIGKILL) } }
        let isHeld = { (try? String(contentsOfFile: log, encoding: .utf8))?.contains("--- stopped by SIGSTOP ---") ?? false }
        guard let ranks = try job.awaitRanks({ $0.count == 2 && isHeld() }, find: { $0.descendants() }) else { return }
        let held = try #require(ranks.first { ProcessStatus($0)?.isStopped == true }, "rank 0 is stopped")
        let others = ranks.filter { $0 != held }
        let middle = try #require(try directorySnapshot(output))
        #expect(middle[Self.shard(test.shard)] == new[Self.shard(test.shard)]
            && middle[Self.shard(test.shard + 1)] == old?[Self.shard(test.shard + 1)], "held in the middle of the moves")
        for rank in others + [held] { kill(rank, test.signal) }
        // Until rank 1 has taken its signal (handled it, or been ended by it).
        while others.contains(where: { ProcessStatus($0)?.isPending(test.signal) == true }) { usleep(1000) }
        kill(held, SIGCONT)
        let result = try job.wait()
        #expect(result.status == 128 + test.signal, "\(result.stderr)")
        let after = try directorySnapshot(output)
        #expect(after == new, "exactly the new checkpoint, nothing else: \(after.map { $0.keys.sorted() } ?? [])")
    }
}

