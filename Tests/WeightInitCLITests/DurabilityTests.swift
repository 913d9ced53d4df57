import Foundation
import Testing

/// Every atomic write is durable in order: the directory is flushed after
/// each rename, so a checkpoint's shard names are on disk before its index
/// is renamed into place, and the index's before the tool returns. A power
/// cut cannot be staged in a test; the order of the system calls can, as
/// strace(1) sees them (the test is skipped where strace cannot trace).
@Suite(.enabled(if: Trace.available, "needs a working strace")) struct DurabilityTests {
    /// The renames into `directory` (by destination name) and the flushes
    /// of `directory` itself ("sync"), in the order the tool made them.
    static func steps(_ log: String, directory: String) -> [String] {
        var opened: [String: String] = [:]  // descriptor → path
        var steps: [String] = []
        for line in log.split(separator: "\n") {
            // Lines are "PID syscall(arguments) = result", strace padding before the "=".
            guard let call = line.firstRange(of: /[a-z0-9_]+\(.*\) += -?[0-9]+/) else { continue }
            let text = String(line[call])
            if let match = text.wholeMatch(of: /openat\(AT_FDCWD, "(.*)", [^)]*\) += ([0-9]+)/) {
                opened[String(match.2)] = String(match.1)
            } else if let match = text.wholeMatch(of: /fsync\(([0-9]+)\) += 0/), opened[String(match.1)] == directory {
                steps.append("sync")
            } else if let match = text.wholeMatch(of: /rename(?:at2?)?\((?:AT_FDCWD, )?"(.*)", (?:AT_FDCWD, )?"(.*?)"(?:, [^)]*)?\) += 0/) {
                // Renames into the directory itself (not into a staging directory inside it).
                let destination = String(match.2)
                if destination.hasPrefix(directory + "/"), !destination.dropFirst(directory.count + 1).contains("/") {
                    steps.append(String(destination.dropFirst(directory.count + 1)))
                }
            }
        }
        return steps
    }

    static let config = #"{"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": 40, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2}"#

    /// A sharded checkpoint from a config, moved in from its staging
    /// directory: each shard, then the config, then the index last, each
    /// followed by a flush of the directory before the next rename; then
    /// the staging directory removed and the directory flushed once more.
    @Test func checkpointRenamesAreFlushedInOrder() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let config = scratch.root + "/config.json"
        try Self.config.write(toFile: config, atomically: true, encoding: .utf8)
        let directory = scratch.file("model")
        let result = try Trace.run(["generate", "--config", config, "--max-shard-size", "4KB", "--output", directory, "--quiet"],
                                   in: scratch)
        try #require(result.status == 0, "\(result.stderr)")
        let steps = Self.steps(result.log, directory: directory)
        let shards = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("model-") }.sorted()
        #expect(shards.count > 3)
        let renamed = steps.filter { $0 != "sync" }
        #expect(renamed == shards + ["config.json", "model.safetensors.index.json"], "\(steps)")
        // Every rename is followed by a flush of the directory before anything else is renamed.
        let expected = renamed.flatMap { [$0, "sync"] } + ["sync"]
        #expect(steps == expected, "\(steps)")
    }

    /// A single file: renamed, then its directory flushed.
    @Test func singleFileRenameIsFlushed() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try Trace.run(["generate", "normal", "--shape", "8,8", "--output", scratch.file("w.npy"), "--quiet"],
                                   in: scratch)
        try #require(result.status == 0, "\(result.stderr)")
        #expect(Self.steps(result.log, directory: scratch.output) == ["w.npy", "sync"])
    }
}

/// Runs weightinit under strace, recording file-system calls.
enum Trace {
    static let strace = Strace.path

    /// Whether strace exists and may trace here (ptrace can be forbidden in containers).
    static var available: Bool { Strace.works }

    /// Starts `weightinit arguments` under strace with `options` (what to
    /// trace, what to inject), logging to `log`, without waiting.
    static func start(_ options: [String], _ arguments: [String], log: String, in scratch: Scratch) throws -> Process {
        try ToolRun.start(strace, ["-f", "-qq", "-o", log] + options + [try CLI.executable()] + arguments, in: scratch,
                          environment: environment)
    }

    /// The tests' environment, with LeakSanitizer off for the traced tool:
    /// under AddressSanitizer (`.ci/sanitize`) LeakSanitizer stops the
    /// process with ptrace at exit, which a process strace already traces
    /// cannot do ("LeakSanitizer has encountered a fatal error"). The
    /// later option wins; AddressSanitizer's other checks stay on, and
    /// without a sanitizer the variable is read by nothing.
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["ASAN_OPTIONS"] = (environment["ASAN_OPTIONS"].map { $0 + " " } ?? "") + "detect_leaks=0"
        return environment
    }

    static func run(_ arguments: [String], in scratch: Scratch) throws -> (status: Int32, stderr: String, log: String) {
        let log = scratch.root + "/strace.log"
        let result = try ToolRun.run(
            strace, ["-f", "-qq", "-e", "trace=openat,fsync,rename,renameat,renameat2", "-o", log, try CLI.executable()] + arguments,
            in: scratch, environment: environment)
        return (result.status, result.stderr, try String(contentsOfFile: log, encoding: .utf8))
    }
}
