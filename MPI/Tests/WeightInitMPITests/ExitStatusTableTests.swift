import Foundation
import Testing

/// The weightinit-mpi examples of the README's exit-status table, walked:
/// each runs under `sh -c` in an empty directory with the built
/// weightinit-mpi first on PATH (and Open MPI allowed to run as root and to
/// oversubscribe), started as a shell starts a job (``Spawned``), and must
/// end with its row's status. The root package's
/// ExitStatusTableTests walk the weightinit examples of the same table.
@Suite(.enabled(if: MPIRun.isAvailable, "mpirun is not on PATH: weightinit-mpi cannot be run"))
struct ExitStatusTableTests {
    struct Example: Sendable, CustomTestStringConvertible {
        let status: Int32
        let command: String
        var testDescription: String { "\(status): \(command)" }
    }

    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md").path

    /// The code spans of the table's third column that run weightinit-mpi,
    /// with their row's status (`\|` unescaped).
    static let examples: [Example] = {
        guard let text = try? String(contentsOfFile: readme, encoding: .utf8) else { return [] }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let heading = lines.firstIndex(of: "### Exit status") else { return [] }
        let table = lines[heading...].drop { !$0.hasPrefix("| Status") }.prefix { $0.hasPrefix("|") }.dropFirst(2)
        return table.flatMap { line -> [Example] in
            var cells: [String] = [], cell = "", previous: Character = " "
            for character in line.dropFirst() {
                if character == "|", previous != "\\" { cells.append(cell); cell = "" } else { cell.append(character) }
                previous = character
            }
            guard cells.count > 2, let status = Int32(cells[0].trimmingCharacters(in: .whitespaces)) else { return [] }
            let spans = cells[2].split(separator: "`", omittingEmptySubsequences: false)
            return stride(from: 1, to: spans.count, by: 2).map { spans[$0].replacingOccurrences(of: "\\|", with: "|") }
                .filter { $0.contains("weightinit-mpi") }.map { Example(status: status, command: $0) }
        }
    }()

    @Test func everyStatusHasAnExample() {
        #expect(Set(Self.examples.map(\.status)) == [0, 64, 1], "\(Self.examples)")
    }

    @Test(arguments: examples)
    func example(_ example: Example) throws {
        let directory = try Scratch()
        let bin = directory.root + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: bin + "/weightinit-mpi", withDestinationPath: try MPIRun.executable())
        var environment = MPIRun.environment
        environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        let stderr = directory.root + "/stderr"
        let status = try Spawned(["/bin/sh", "-c", example.command], in: directory.output, environment: environment,
                                 stdout: "/dev/null", stderr: stderr).wait()
        let errors = try String(contentsOfFile: stderr, encoding: .utf8)
        #expect(status == example.status, "stderr: \(errors)")
        if example.status != 0 {
            #expect(errors.split(separator: "\n").count == 1 && errors.hasPrefix("error: "), "one line from rank 0: \(errors)")
        }
        #expect(try directory.contents().filter { $0.hasPrefix(".") }.isEmpty, "no temporary file left")
    }
}
