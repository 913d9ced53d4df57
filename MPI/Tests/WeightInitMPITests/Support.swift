import Foundation
import Testing
@_exported import _WeightInitTestSupport
@_spi(Plumbing) import WeightInit

/// Runs the built `weightinit-mpi` under `mpirun`.
enum MPIRun {
    /// `mpirun` from PATH, or nil: then every test that needs it is skipped.
    static let mpirun: String? = BuiltExecutable.onPath("mpirun")

    /// Whether mpirun was found; if not, the reason is printed once (a
    /// skipped test's comment is easy to miss in the log).
    static let isAvailable: Bool = {
        guard mpirun == nil else { return true }
        print("WeightInitMPITests: mpirun is not on PATH, so the tests that run weightinit-mpi are skipped "
            + "(install openmpi-bin; bash .ci/setup does)")
        return false
    }()

    typealias Result = ToolResult

    /// The executable built with the tests (see `BuiltExecutable`), or
    /// `$WEIGHTINIT_MPI_EXECUTABLE`.
    static func executable() throws -> String {
        // MPI/Tests/WeightInitMPITests/Support.swift → MPI/.
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try BuiltExecutable.find("weightinit-mpi", variable: "WEIGHTINIT_MPI_EXECUTABLE", package: package,
                                        hint: "build it with `swift build --build-tests --package-path MPI`")
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

    /// Calls `body` with ``environment`` and a session directory of Open
    /// MPI's own for this run, removed afterwards. Tests run in parallel, and
    /// with one shared base (/tmp) a finishing mpirun removes the empty
    /// top-level session directory while another is creating its job's
    /// directory in it, which then fails with `ORTE_ERROR_LOG … session_dir.c`
    /// (seen here in 4 of 75 runs of three parallel loops of `mpirun -n 1
    /// true`; none in 75 with a base each). A short path under /tmp, not the
    /// test's scratch directory: Open MPI's sockets live in it, and a socket's
    /// path is limited to 107 bytes.
    static func withSessionDirectory<R>(_ body: ([String: String]) throws -> R) throws -> R {
        let session = try SessionDirectory()
        defer { session.remove() }
        return try body(session.environment)
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
        try withSessionDirectory { environment in
            try ToolRun.run(mpirun!, ["-q", "--oversubscribe", "-n", "\(ranks)", try executable()] + arguments,
                            in: directory, environment: environment.merging(extra) { $1 }, standardOutput: standardOutput)
        }
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
    /// Open MPI's session directory for this job (``MPIRun/withSessionDirectory(_:)``), removed with the job.
    private let session: SessionDirectory
    /// mpirun's wait status once reaped.
    private var status: Int32?

    var pid: pid_t { process.pid }

    /// `launcher`, if given, runs each rank: `launcher… weightinit-mpi arguments…`.
    init(ranks: Int, _ arguments: [String], in directory: Scratch, launcher: [String] = []) throws {
        self.directory = directory
        session = try SessionDirectory()
        let argv = [MPIRun.mpirun!, "-q", "--oversubscribe", "-n", "\(ranks)"] + launcher + [try MPIRun.executable()] + arguments
        process = try Spawned(argv, in: directory.output, environment: session.environment,
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

    /// Polls (every millisecond) until `ready` holds for the ranks `find`
    /// lists (default: ``ranks()``) and returns them; or, if the job ends
    /// first, records an issue saying so and returns nil.
    func awaitRanks(_ ready: ([pid_t]) throws -> Bool, find: (MPIJob) -> [pid_t] = { $0.ranks() }) throws -> [pid_t]? {
        var ranks: [pid_t] = []
        while try !ready(ranks) {
            guard isRunning else {
                let result = try wait()
                Issue.record("the job ended before it was interrupted: \(result.status) \(result.stderr)")
                return nil
            }
            ranks = find(self)
            usleep(1000)
        }
        return ranks
    }

    /// Every weightinit-mpi process below mpirun, however deep (a rank
    /// may run under a launcher such as strace).
    func descendants() -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var parent: [pid_t: pid_t] = [:], ranks: [pid_t] = []
        for candidate in entries.compactMap({ pid_t($0) }) {
            guard let stat = try? String(contentsOfFile: "/proc/\(candidate)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, let ppid = pid_t(fields[1]) else { continue }
            parent[candidate] = ppid
            if stat.contains("(weightinit-mpi)") { ranks.append(candidate) }
        }
        return ranks.filter { rank in
            var current = rank
            while let next = parent[current], next > 1 {
                if next == pid { return true }
                current = next
            }
            return false
        }
    }

    /// Waits for mpirun: its exit status (or minus the signal that ended it).
    func wait() throws -> MPIRun.Result {
        if status == nil { status = process.wait() }
        return MPIRun.Result(status: status!,
                             stdout: try ToolRun.capturedOutput(of: directory), stderr: try ToolRun.capturedError(of: directory))
    }
}

// MARK: Open MPI's session directory

/// A new directory under /tmp for Open MPI's session files
/// (`OMPI_MCA_orte_tmpdir_base`), removed by ``remove()`` or with the value.
final class SessionDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/wi-mpi.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        path = String(cString: made)
    }

    deinit { remove() }

    /// ``MPIRun/environment`` with Open MPI's session files here.
    var environment: [String: String] {
        var environment = MPIRun.environment
        environment["OMPI_MCA_orte_tmpdir_base"] = path
        return environment
    }

    /// Removes the directory; safe to call again.
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
