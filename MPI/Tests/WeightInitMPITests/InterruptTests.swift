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
        var ranks: [pid_t] = []
        while try temporaries(directory).count < expected || ranks.count < 2 {
            guard job.isRunning else {
                let result = try job.wait()
                Issue.record("the job ended before it was interrupted: \(result.status) \(result.stderr)")
                return result
            }
            ranks = job.ranks()
            usleep(1000)
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
        var ranks: [pid_t] = []
        func writingSecondShard() -> Bool {
            guard let items = FileManager.default.enumerator(atPath: directory.file("model")) else { return false }
            for case let item as String in items where item.contains(".model-00002-of-00003.safetensors.wi-") {
                if ((try? FileManager.default.attributesOfItem(atPath: directory.file("model/" + item))[.size] as? Int) ?? 0) > 1 << 20 { return true }
            }
            return false
        }
        while !writingSecondShard() || ranks.count < 2 {
            guard job.isRunning else {
                let result = try job.wait()
                Issue.record("the job ended before it was interrupted: \(result.status) \(result.stderr)")
                return
            }
            ranks = job.ranks()
            usleep(1000)
        }
        for rank in ranks { kill(rank, signal) }
        let result = try job.wait()
        #expect(result.status == 128 + signal, "\(result.stderr)")
        let after = try snapshot()
        #expect(after == before, "\(after.keys.sorted())")
    }
}
