import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The final moves of a sharded checkpoint (its commit), interrupted at an
/// exact point: strace(1) injects a signal (or an error) into the rename
/// that moves shard k of 6 into the directory — no timing involved. A
/// catchable signal must leave exactly the old checkpoint or exactly the
/// new one, never a mix and never a staging directory; SIGKILL can leave a
/// mix, which `weightinit clean` finishes into the new checkpoint.
@Suite(.enabled(if: Trace.available, "needs a working strace")) struct CommitTests {
    /// A Llama of 2 layers: with 4500-byte shards, 6 shard files, the index and config.json.
    static let config = DurabilityTests.config
    static let shardSize = "4500"
    static let shards = 6

    struct Setup {
        let scratch: Scratch
        let config: String
        /// The checkpoint that was there (nil: a new directory).
        let old: [String: Data]?
        /// The checkpoint the run writes.
        let new: [String: Data]
        /// The rename calls up to the one moving each shard in: system call name and count.
        let moves: [String: (call: String, count: Int)]
        let directory = "model"

        func generate(seed: Int) -> [String] {
            ["generate", "--config", config, "--max-shard-size", CommitTests.shardSize, "--seed", "\(seed)", "--output", directory,
             "--quiet"]
        }

        /// Everything in the checkpoint directory, hidden entries included.
        func state() throws -> [String: Data]? {
            try directorySnapshot(scratch.file(directory))
        }

        func shard(_ k: Int) -> String { "model-0000\(k)-of-0000\(CommitTests.shards).safetensors" }

        /// strace's options that act on the rename moving shard `k` in.
        func inject(_ action: String, atShard k: Int) -> String {
            let move = moves[shard(k)]!
            return "inject=\(move.call):\(action):when=\(move.count)"
        }
    }

    static func snapshot(_ directory: String) throws -> [String: Data] {
        try #require(try directorySnapshot(directory))
    }

    /// Writes the new checkpoint once under strace into a directory of its
    /// own (its bytes, and the order of the renames), then, if `existing`,
    /// the old checkpoint (another seed) into the directory the test uses.
    static func setUp(existing: Bool) throws -> Setup {
        let scratch = try Scratch()
        let config = scratch.root + "/config.json"
        try Self.config.write(toFile: config, atomically: true, encoding: .utf8)
        let reference = scratch.root + "/reference"
        let traced = try Trace.run(["generate", "--config", config, "--max-shard-size", shardSize, "--seed", "2", "--output", reference,
                                    "--quiet"], in: scratch)
        try #require(traced.status == 0, "\(traced.stderr)")
        let new = try snapshot(reference)
        try #require(new.count == shards + 2, "\(new.keys.sorted())")
        let moves = Strace.renames(into: reference, in: traced.log)
        try #require(moves.count == shards + 2, "the moves into the directory: \(moves.keys.sorted())")
        var setup = Setup(scratch: scratch, config: config, old: nil, new: new, moves: moves)
        if existing {
            let first = try CLI.run(setup.generate(seed: 1), in: scratch)
            try #require(first.status == 0, "\(first.stderr)")
            setup = Setup(scratch: scratch, config: config, old: try setup.state(), new: new, moves: moves)
            try #require(setup.old != new && setup.old?.count == new.count)
        }
        return setup
    }

    /// Runs `arguments` under strace with `options` (an injection), in the scratch output.
    static func traced(_ options: [String], _ arguments: [String], in scratch: Scratch) throws -> (result: CLI.Result, log: String) {
        let log = scratch.root + "/inject.log"
        let result = try ToolRun.finish(try Trace.start(Strace.renames + options, arguments, log: log, in: scratch), in: scratch)
        return (result, try String(contentsOfFile: log, encoding: .utf8))
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let signal: Int32
        let shard: Int
        let existing: Bool
        var testDescription: String {
            "\(CommitTests.names[signal]!) after shard \(shard) of 6 moved, \(existing ? "over an older checkpoint" : "into a new directory")"
        }
    }

    static let names: [Int32: String] = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP"]

    static let cases: [Case] = [SIGINT, SIGTERM, SIGHUP].flatMap { signal in
        [1, 3].flatMap { shard in [true, false].map { Case(signal: signal, shard: shard, existing: $0) } }
    }

    /// The signal reaches the committing thread right after shard k's
    /// rename (strace delivers it on that call): before, the handler removed
    /// the staging directory with the shards not yet moved, and exited —
    /// shards 1…k new beside the old rest under the old index.
    @Test("A signal during the moves: the whole new checkpoint, then 128 + n", arguments: cases)
    func signalDuringTheMoves(_ test: Case) throws {
        let setup = try Self.setUp(existing: test.existing)
        defer { setup.scratch.remove() }
        let signal = Self.names[test.signal]!
        let (result, log) = try Self.traced(["-e", setup.inject("signal=\(signal)", atShard: test.shard)], setup.generate(seed: 2),
                                            in: setup.scratch)
        #expect(log.contains("--- \(signal) "), "the signal was delivered: \(log.suffix(2000))")
        #expect(result.status == 128 + test.signal, "\(result.stderr)")
        let state = try setup.state()
        #expect(state == setup.new, "exactly the new checkpoint, nothing else: \(state.map { $0.keys.sorted() } ?? [])")
    }

    /// The same, with the signal sent from outside to the whole process
    /// while it is held right after a move (strace stops it there with
    /// SIGSTOP): the kernel hands it to any thread.
    @Test("A signal sent to the process during the moves", arguments: [SIGTERM, SIGINT])
    func processSignalDuringTheMoves(signal: Int32) throws {
        let setup = try Self.setUp(existing: true)
        defer { setup.scratch.remove() }
        let log = setup.scratch.root + "/inject.log"
        let strace = try Trace.start(Strace.renames + ["-e", setup.inject("signal=SIGSTOP", atShard: 3)], setup.generate(seed: 2),
                                     log: log, in: setup.scratch)
        // Wait (polling) until strace reports the tool held there, in a group stop that SIGCONT ends.
        // Whatever goes wrong below, nothing stays stopped.
        defer { if strace.isRunning { Self.children(of: strace.processIdentifier).forEach { kill($0, SIGKILL) } } }
        while !Self.isHeld(log) {
            guard strace.isRunning else { break }
            usleep(1000)
        }
        let child = Self.children(of: strace.processIdentifier).first
        try #require(child != nil && strace.isRunning, "the run stopped after the third shard's move")
        let held = try #require(try setup.state())
        #expect(held[setup.shard(3)] == setup.new[setup.shard(3)] && held[setup.shard(4)] == setup.old?[setup.shard(4)],
                "held in the middle of the moves")
        kill(child!, signal)
        kill(child!, SIGCONT)
        let result = try ToolRun.finish(strace, in: setup.scratch)
        #expect(result.status == 128 + signal, "\(result.stderr)")
        #expect(try setup.state() == setup.new)
    }

    /// SIGKILL after shard 3's move (strace delivers it on entering shard
    /// 4's rename, which SIGKILL never lets run) leaves a mix and the
    /// staging directory with its journal. A new run into the directory refuses
    /// (it would replace files the interrupted commit still has to move,
    /// and `clean` would later move them over the new checkpoint);
    /// `weightinit clean` finishes the commit: exactly the new checkpoint.
    @Test("SIGKILL during the moves: clean finishes the commit", arguments: [true, false])
    func sigkillThenClean(existing: Bool) throws {
        let setup = try Self.setUp(existing: existing)
        defer { setup.scratch.remove() }
        let (result, _) = try Self.traced(["-e", setup.inject("signal=SIGKILL", atShard: 4)], setup.generate(seed: 2), in: setup.scratch)
        #expect(result.status == -SIGKILL || result.status == 128 + SIGKILL, "\(result.stderr)")
        let left = try #require(try setup.state())
        let staging = left.keys.filter { $0.hasPrefix(".model.safetensors.wi-") && $0.hasSuffix(".tmp") }
        try #require(staging.count == 1, "\(left.keys.sorted())")
        let journal = setup.scratch.file(setup.directory + "/" + staging[0] + "/.weightinit-commit")
        #expect(FileManager.default.fileExists(atPath: journal))
        for k in 1 ... 3 { #expect(left[setup.shard(k)] == setup.new[setup.shard(k)], "shard \(k) moved") }
        #expect(left[setup.shard(4)] == setup.old?[setup.shard(4)], "shard 4 still the old one (or none): a mix")

        let again = try CLI.run(setup.generate(seed: 3), in: setup.scratch)
        #expect(again.status == 64, "\(again.stderr)")
        #expect(again.stderrLines.count == 1 && again.stderr.contains("weightinit clean"), "\(again.stderr)")

        let dry = try CLI.run(["clean", setup.directory, "--dry-run"], in: setup.scratch)
        #expect(dry.stdout.contains("would finish \(setup.directory)/\(staging[0])"), "\(dry.stdout)")
        #expect(try setup.state() == left)
        let clean = try CLI.run(["clean", setup.directory], in: setup.scratch)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("finished \(setup.directory)/\(staging[0]): "), "\(clean.stdout)")
        #expect(clean.stdout.contains("moved the 5 files still staged"), "\(clean.stdout)")
        #expect(try setup.state() == setup.new)
    }

    /// An I/O error on a move: before any file moved, the directory is as it
    /// was (the staging directory removed, a new directory too); after, the
    /// error says how far it got and the staging directory stays, with its
    /// journal, for `clean` to finish.
    @Test("An error during the moves", arguments: [1, 3])
    func errorDuringTheMoves(shard: Int) throws {
        let setup = try Self.setUp(existing: true)
        defer { setup.scratch.remove() }
        let (result, _) = try Self.traced(["-e", setup.inject("error=EIO", atShard: shard)], setup.generate(seed: 2), in: setup.scratch)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        if shard == 1 {
            #expect(try setup.state() == setup.old)
            return
        }
        #expect(result.stderr.contains("failed after 2 of 8") && result.stderr.contains("weightinit clean model"), "\(result.stderr)")
        let clean = try CLI.run(["clean", setup.directory], in: setup.scratch)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(try setup.state() == setup.new)
    }

    @Test func errorBeforeAnyMoveRemovesANewDirectory() throws {
        let setup = try Self.setUp(existing: false)
        defer { setup.scratch.remove() }
        let (result, _) = try Self.traced(["-e", setup.inject("error=EIO", atShard: 1)], setup.generate(seed: 2), in: setup.scratch)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(try setup.scratch.contents().isEmpty)
    }

    // MARK: Processes

    /// Whether strace's `log` says a tracee is in the group stop of a SIGSTOP.
    static func isHeld(_ log: String) -> Bool {
        (try? String(contentsOfFile: log, encoding: .utf8))?.contains("--- stopped by SIGSTOP ---") ?? false
    }

    static func children(of pid: pid_t) -> [pid_t] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { pid_t($0) }
    }
}
