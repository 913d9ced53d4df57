import Foundation
import Testing

/// Runs the built `weightinit` executable.
enum CLI {
    struct Result {
        /// The exit status, or minus the signal that killed the process.
        let status: Int32
        let stdout: String
        let stderr: String

        var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }
    }

    struct NotFound: Error, CustomStringConvertible {
        let candidates: [String]
        var description: String {
            "the weightinit executable was not found (build it with `swift build --build-tests`, "
                + "or set WEIGHTINIT_EXECUTABLE); looked in: \(candidates.joined(separator: ", "))"
        }
    }

    /// The executable built with the tests: beside the test runner in the same
    /// build-products directory (so debug tests run the debug build), else under
    /// the package's `.build`, or `$WEIGHTINIT_EXECUTABLE` if set.
    static func executable() throws -> String {
        if let path = ProcessInfo.processInfo.environment["WEIGHTINIT_EXECUTABLE"] { return path }
        var directories: [URL] = []
        if let runner = Bundle.main.executableURL { directories.append(runner.resolvingSymlinksInPath().deletingLastPathComponent()) }
        directories += Bundle.allBundles.map { $0.bundleURL.resolvingSymlinksInPath().deletingLastPathComponent() }
        // Tests/WeightInitCLITests/Support.swift → package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        directories += ["debug", "release"].map { root.appendingPathComponent(".build/\($0)") }
        let candidates = directories.map { $0.appendingPathComponent("weightinit").path }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotFound(candidates: candidates)
        }
        return found
    }

    /// Runs `weightinit arguments` with `directory` as the working directory.
    /// stdout and stderr go to files outside `directory`, so the directory
    /// holds only what weightinit wrote — unless `standardOutput` names
    /// another file to write stdout to (such as /dev/full); `standardInput`
    /// is a file to read stdin from (default: none, /dev/null).
    static func run(_ arguments: [String], in directory: Scratch, standardOutput: String? = nil,
                    standardInput: String? = nil) throws -> Result {
        let process = try start(arguments, in: directory, standardOutput: standardOutput, standardInput: standardInput)
        return try finish(process, in: directory)
    }

    /// Starts `weightinit arguments` as ``run(_:in:standardOutput:standardInput:)``
    /// does, without waiting for it; ``finish(_:in:)`` collects the result.
    static func start(_ arguments: [String], in directory: Scratch, standardOutput: String? = nil,
                      standardInput: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory.output)
        let (stdout, stderr) = (directory.root + "/stdout", directory.root + "/stderr")
        for path in [stdout, stderr] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: standardOutput ?? stdout))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        process.standardInput = standardInput.map { FileHandle(forReadingAtPath: $0) ?? FileHandle.nullDevice }
            ?? FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits for a process from ``start(_:in:standardOutput:standardInput:)``
    /// and reads what it printed.
    static func finish(_ process: Process, in directory: Scratch) throws -> Result {
        process.waitUntilExit()
        return Result(
            // Killed by a signal: its number, negated — never a status the tool chose.
            status: process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus,
            stdout: try String(contentsOfFile: directory.root + "/stdout", encoding: .utf8),
            stderr: try String(contentsOfFile: directory.root + "/stderr", encoding: .utf8))
    }
}

/// A scratch area: `output` is where weightinit runs and writes; `root` holds
/// it and the captured streams.
struct Scratch {
    let root: String
    var output: String { root + "/out" }

    init() throws {
        root = NSTemporaryDirectory() + "weightinit-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { output + "/" + name }
    func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: output).sorted() }

    func remove() {
        // A test may have made a subdirectory read-only.
        if let items = FileManager.default.enumerator(atPath: output) {
            for case let item as String in items {
                try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: output + "/" + item)
            }
        }
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// Reads files back with numpy, the reference reader for `.npy`.
enum Numpy {
    struct Unavailable: Error, CustomStringConvertible {
        let detail: String
        var description: String {
            "python3 with numpy is required to read the CLI's output back (bash .ci/setup installs it): \(detail)"
        }
    }

    struct ScriptFailed: Error, CustomStringConvertible {
        let stderr: String
        var description: String { "numpy check failed: \(stderr)" }
    }

    /// Runs `script` under `python3 -c` with `arguments` in `sys.argv[1...]`;
    /// returns its stdout, trimmed.
    static func run(_ script: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let (stdout, stderr) = (Pipe(), Pipe())
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { throw Unavailable(detail: "cannot start python3: \(error)") }
        // Outputs are a few lines; read both before waiting so neither pipe can fill.
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 127 || err.contains("No module named 'numpy'") {
            throw Unavailable(detail: err.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard process.terminationStatus == 0 else { throw ScriptFailed(stderr: err) }
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `numpy.load(path)` summarised as `(shape, dtype)` plus the values of `expressions` of `a`.
    static func load(_ path: String, _ expressions: [String] = []) throws -> (shape: String, dtype: String, values: [Double]) {
        let script = """
            import sys, numpy
            a = numpy.load(sys.argv[1], allow_pickle=False)
            d = a.astype(numpy.float64)
            print(a.shape)
            print(a.dtype)
            for e in sys.argv[2:]:
                print(repr(float(eval(e))))
            """
        let lines = try run(script, [path] + expressions).split(separator: "\n").map(String.init)
        guard lines.count == 2 + expressions.count else { throw ScriptFailed(stderr: "unexpected output \(lines)") }
        return (lines[0], lines[1], lines.dropFirst(2).map { Double($0) ?? .nan })
    }
}

extension Numpy {
    /// What one file holds, as numpy sees it.
    struct Summary: Decodable {
        let shape: [Int]
        let dtype: String
        let count: Int
        let mean: Double
        let std: Double
        let min: Double
        let max: Double
        /// Exact zeros in each column of a 2-D array (empty otherwise).
        let zerosPerColumn: [Int]
        /// The standard deviation of the values that are not zero.
        let nonzeroStd: Double
    }

    /// Summaries of many files from one python3 call (numpy's import is most
    /// of a call's cost).
    static func summaries(_ paths: [String]) throws -> [Summary] {
        let script = """
            import sys, json, numpy
            out = []
            for path in sys.argv[1:]:
                a = numpy.load(path, allow_pickle=False)
                d = a.astype(numpy.float64)
                nz = d[d != 0]
                out.append(dict(
                    shape=list(a.shape), dtype=str(a.dtype), count=int(d.size),
                    mean=float(d.mean()), std=float(d.std()), min=float(d.min()), max=float(d.max()),
                    zerosPerColumn=[int(z) for z in (d == 0).sum(axis=0)] if d.ndim == 2 else [],
                    nonzeroStd=float(nz.std()) if nz.size else 0.0))
            print(json.dumps(out))
            """
        let output = try run(script, paths)
        return try JSONDecoder().decode([Summary].self, from: Data(output.utf8))
    }

    /// Evaluates each Python expression (with `numpy`, `load(name)` and the
    /// definitions of `prelude` available, names relative to `directory`) and
    /// returns `repr` of each result, in one python3 call.
    static func evaluate(_ expressions: [String], in directory: String, prelude: String = "") throws -> [String] {
        let script = """
            import sys, os, json, numpy
            os.chdir(sys.argv[1])
            load = lambda name: numpy.load(name, allow_pickle=False)
            exec(sys.argv[2])
            for e in sys.argv[3:]:
                print(json.dumps(repr(eval(e))))
            """
        let lines = try run(script, [directory, prelude] + expressions).split(separator: "\n")
        return try lines.map { try JSONDecoder().decode(String.self, from: Data($0.utf8)) }
    }
}

/// A child process started the way a shell starts a job: every signal
/// unblocked and SIGINT, SIGTERM, SIGHUP and SIGCHLD at their default
/// actions, whatever the calling thread's mask. Test runners block nearly
/// every signal on their threads, and a mask is inherited by everything
/// started from there — `sh`'s `wait` then never returns, and no signal
/// reaches the tool.
struct Spawned {
    let pid: pid_t

    /// Starts `argv` in `directory` with `environment`, stdin from /dev/null,
    /// stdout and stderr into the given files.
    init(_ argv: [String], in directory: String, environment: [String: String], stdout: String, stderr: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        // posix_spawn has no working directory of its own: start in it through the shell.
        let command = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory] + argv
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let code = withCStrings(command) { argv in
            withCStrings(envp) { envp in posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp) }
        }
        guard code == 0 else { throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EINVAL) }
        self.pid = pid
    }

    /// Waits for the process: its exit status, or minus the signal that ended it.
    func wait() -> Int32 {
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG by hand (macros Swift does not import).
        return raw & 0x7F == 0 ? (raw >> 8) & 0xFF : -(raw & 0x7F)
    }
}

/// `strings` as a NULL-terminated array of C strings, for `body`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) } + [nil]
    defer { copies.forEach { free($0) } }
    return body(copies)
}
