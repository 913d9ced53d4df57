import Foundation
import Testing

/// The README's exit-status table, walked: every example of every row runs
/// under `sh -c` in an empty directory, with the built `weightinit` first on
/// PATH, started as a shell starts a job (``Spawned``), and must end with the
/// row's status. (The weightinit-mpi examples
/// are walked by the MPI package's tests.)
@Suite struct ExitStatusTableTests {
    struct Example: Sendable, CustomTestStringConvertible {
        let status: Int32
        let command: String
        var testDescription: String { "\(status): \(command)" }
    }

    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md").path

    /// The rows of the table under "### Exit status": (status, examples),
    /// the examples being the code spans of the third column, `\|` unescaped.
    static func rows() throws -> [(status: Int32, examples: [String])] {
        let lines = try String(contentsOfFile: readme, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        guard let heading = lines.firstIndex(of: "### Exit status") else { return [] }
        let table = lines[heading...].drop { !$0.hasPrefix("| Status") }.prefix { $0.hasPrefix("|") }.dropFirst(2)
        return table.map { line in
            // Cells split at | not escaped as \|.
            var cells: [String] = [], cell = "", previous: Character = " "
            for character in line.dropFirst() {
                if character == "|", previous != "\\" { cells.append(cell); cell = "" } else { cell.append(character) }
                previous = character
            }
            let status = Int32(cells[0].trimmingCharacters(in: .whitespaces)) ?? -1
            let spans = cells.count > 2 ? cells[2].split(separator: "`", omittingEmptySubsequences: false) : []
            let examples = stride(from: 1, to: spans.count, by: 2).map { spans[$0].replacingOccurrences(of: "\\|", with: "|") }
            return (status, examples)
        }
    }

    static let examples: [Example] = ((try? rows()) ?? []).flatMap { row in
        // Commands of weightinit; the rest (weightinit-mpi, names in prose) are not for this walker.
        row.examples.filter { $0.contains("weightinit ") && !$0.contains("weightinit-mpi") }
            .map { Example(status: row.status, command: $0) }
    }

    /// The table is there, and covers every status the tools use.
    @Test func tableIsComplete() throws {
        let rows = try Self.rows()
        #expect(Set(rows.map(\.status)) == [0, 64, 1, 143, 129, 130], "\(rows.map(\.status))")
        #expect(Self.examples.count >= 20)
        // Rows without a command are said to be tested elsewhere or to depend on the machine.
        #expect(Set(Self.examples.map(\.status)) == [0, 64, 1, 143, 129])
    }

    @Test(arguments: examples)
    func example(_ example: Example) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bin = scratch.root + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: bin + "/weightinit", withDestinationPath: try CLI.executable())
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let stderr = scratch.root + "/stderr"
        let status = try Spawned(["/bin/sh", "-c", example.command], in: scratch.output, environment: environment,
                                 stdout: scratch.root + "/stdout", stderr: stderr).wait()
        let errors = try String(contentsOfFile: stderr, encoding: .utf8)
        #expect(status == example.status, "stderr: \(errors)")
        #expect(!(try scratch.contents().contains { $0.hasPrefix(".") && $0.hasSuffix(".tmp") }), "no temporary file left")
    }
}
