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

    /// `mpirun -q --oversubscribe -n ranks weightinit-mpi arguments` in `directory`.
    ///
    /// -q: mpirun adds no banner of its own when a rank exits non-zero, so
    /// stderr holds exactly what weightinit-mpi wrote. --oversubscribe: 4
    /// ranks on a 2-core machine. The environment allows running as root (CI
    /// containers) and turns off the CMA single-copy mechanism, whose
    /// ptrace-based transfers containers often forbid (with a warning on stderr).
    static func run(ranks: Int, _ arguments: [String], in directory: Scratch,
                    environment extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun!)
        process.arguments = ["-q", "--oversubscribe", "-n", "\(ranks)", try executable()] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory.output)
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
        environment.merge(extra) { $1 }
        process.environment = environment
        let (stdout, stderr) = (directory.root + "/stdout", directory.root + "/stderr")
        for path in [stdout, stderr] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
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
