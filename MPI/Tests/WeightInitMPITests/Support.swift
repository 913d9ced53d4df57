import Foundation
import Testing
@_spi(Plumbing) import WeightInit

/// Runs the built `weightinit-mpi` under `mpirun`.
enum MPIRun {
    /// `mpirun` from PATH, or nil: then every test that needs it is skipped.
    static let mpirun: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/mpirun" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Whether mpirun was found; if not, the reason is printed once (a
    /// skipped test's comment is easy to miss in the log).
    static let isAvailable: Bool = {
        guard mpirun == nil else { return true }
        print("WeightInitMPITests: mpirun is not on PATH, so the tests that run weightinit-mpi are skipped "
            + "(install openmpi-bin; bash .ci/setup does)")
        return false
    }()

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String

        var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }
    }

    struct NotFound: Error, CustomStringConvertible {
        let candidates: [String]
        var description: String {
            "weightinit-mpi was not found (build it with `swift build --build-tests --package-path MPI`, or set "
                + "WEIGHTINIT_MPI_EXECUTABLE); looked in: \(candidates.joined(separator: ", "))"
        }
    }

    /// The executable built with the tests: beside the test runner (so debug
    /// tests run the debug build), else under MPI/.build, or
    /// `$WEIGHTINIT_MPI_EXECUTABLE`.
    static func executable() throws -> String {
        if let path = ProcessInfo.processInfo.environment["WEIGHTINIT_MPI_EXECUTABLE"] { return path }
        var directories: [URL] = []
        if let runner = Bundle.main.executableURL { directories.append(runner.resolvingSymlinksInPath().deletingLastPathComponent()) }
        directories += Bundle.allBundles.map { $0.bundleURL.resolvingSymlinksInPath().deletingLastPathComponent() }
        // MPI/Tests/WeightInitMPITests/Support.swift → MPI/.
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        directories += ["debug", "release"].map { package.appendingPathComponent(".build/\($0)") }
        let candidates = directories.map { $0.appendingPathComponent("weightinit-mpi").path }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotFound(candidates: candidates)
        }
        return found
    }

    /// The environment of every run: Open MPI may run as root (CI containers),
    /// without the CMA single-copy mechanism, whose ptrace-based transfers
    /// containers often forbid (with a warning on stderr).
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
        return environment
    }

    /// `mpirun -q --oversubscribe -n ranks weightinit-mpi arguments` in `directory`
    /// (stdout to `standardOutput` if given, such as /dev/full).
    ///
    /// -q: mpirun adds no banner of its own when a rank exits non-zero, so
    /// stderr holds exactly what weightinit-mpi wrote. --oversubscribe: 4
    /// ranks on a 2-core machine. The environment allows running as root (CI
    /// containers) and turns off the CMA single-copy mechanism, whose
    /// ptrace-based transfers containers often forbid (with a warning on stderr).
    static func run(ranks: Int, _ arguments: [String], in directory: Scratch,
                    environment extra: [String: String] = [:], standardOutput: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun!)
        process.arguments = ["-q", "--oversubscribe", "-n", "\(ranks)", try executable()] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory.output)
        var environment = Self.environment
        environment.merge(extra) { $1 }
        process.environment = environment
        let (stdout, stderr) = (directory.root + "/stdout", directory.root + "/stderr")
        for path in [stdout, stderr] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: standardOutput ?? stdout))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: try String(contentsOfFile: stdout, encoding: .utf8),
                      stderr: try String(contentsOfFile: stderr, encoding: .utf8))
    }

    /// Runs `orthogonal arguments --output name` and returns the file's values
    /// (as Double) and shape, after checking it succeeded with a clean stderr.
    static func orthogonal<T: WeightScalar>(
        _: T.Type, ranks: Int, _ arguments: [String], in directory: Scratch, name: String = "w.npy"
    ) throws -> (values: [Double], shape: [Int]) {
        let result = try run(ranks: ranks, ["orthogonal"] + arguments + ["--output", name], in: directory)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        #expect(result.stderr.isEmpty, "stderr must stay clean: \(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 1, "one summary line (rank 0 only): \(result.stdout)")
        let contents = try NPY.read(directory.file(name))
        return (try contents.values(as: T.self).map(\.doubleValue), contents.shape)
    }
}

/// A scratch area: `output` is where weightinit-mpi runs and writes; `root`
/// holds it and the captured streams.
final class Scratch {
    let root: String
    var output: String { root + "/out" }

    init() throws {
        root = NSTemporaryDirectory() + "weightinit-mpi-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func file(_ name: String) -> String { output + "/" + name }
    func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: output).sorted() }
}

// MARK: Linear algebra on the results (plain Double: the reference)

/// ‖G − gain²·I‖_F / (gain²·n·ε), G the Gram matrix of W's orthonormal side
/// (W Wᵀ if rows ≤ cols, else Wᵀ W) and n = max(rows, cols): LAPACK's
/// orthogonality test ratio (xORT01 uses ‖I − QᵀQ‖ / (n·ε) too).
func orthogonalityRatio(_ w: [Double], rows: Int, cols: Int, gain: Double, epsilon: Double) -> Double {
    let wide = rows <= cols
    let (k, l) = wide ? (rows, cols) : (cols, rows)
    // entry(a, t): element t of orthonormal vector a.
    func entry(_ a: Int, _ t: Int) -> Double { wide ? w[a * cols + t] : w[t * cols + a] }
    var sum = 0.0
    for a in 0 ..< k {
        for b in a ..< k {
            var dot = 0.0
            for t in 0 ..< l { dot += entry(a, t) * entry(b, t) }
            let residual = dot - (a == b ? gain * gain : 0)
            sum += (a == b ? 1 : 2) * residual * residual
        }
    }
    return sum.squareRoot() / (gain * gain * Double(l) * epsilon)
}

/// The largest |a − b|.
func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

// MARK: A job to interrupt

/// `mpirun -q --oversubscribe -n ranks weightinit-mpi arguments`, started as
/// a shell starts a job (``Spawned``), so that signals reach mpirun and the
/// ranks as they would from a terminal.
final class MPIJob {
    private let process: Spawned
    private let directory: Scratch
    /// mpirun's wait status once reaped.
    private var status: Int32?

    var pid: pid_t { process.pid }

    init(ranks: Int, _ arguments: [String], in directory: Scratch) throws {
        self.directory = directory
        let argv = [MPIRun.mpirun!, "-q", "--oversubscribe", "-n", "\(ranks)", try MPIRun.executable()] + arguments
        process = try Spawned(argv, in: directory.output, environment: MPIRun.environment,
                              stdout: directory.root + "/stdout", stderr: directory.root + "/stderr")
    }

    /// Whether mpirun is still running.
    var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
        status = Spawned.status(raw)
        return false
    }

    /// The ranks: weightinit-mpi processes whose parent is mpirun.
    func ranks() -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { pid_t($0) }.filter { candidate in
            guard let stat = try? String(contentsOfFile: "/proc/\(candidate)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            // pid (comm) state ppid …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid && stat.contains("(weightinit-mpi)")
        }
    }

    /// Waits for mpirun: its exit status (or minus the signal that ended it).
    func wait() throws -> MPIRun.Result {
        if status == nil { status = process.wait() }
        return MPIRun.Result(status: status!,
                             stdout: try String(contentsOfFile: directory.root + "/stdout", encoding: .utf8),
                             stderr: try String(contentsOfFile: directory.root + "/stderr", encoding: .utf8))
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
        return Self.status(raw)
    }

    /// WIFEXITED / WEXITSTATUS / WTERMSIG by hand (macros Swift does not import).
    static func status(_ raw: Int32) -> Int32 {
        raw & 0x7F == 0 ? (raw >> 8) & 0xFF : -(raw & 0x7F)
    }
}

/// `strings` as a NULL-terminated array of C strings, for `body`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) } + [nil]
    defer { copies.forEach { free($0) } }
    return body(copies)
}
