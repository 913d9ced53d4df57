import Foundation
import Testing

/// The README's exit-status table, as the tests of both tools walk it.
public enum ExitStatusTable {
    /// One example command of a row, with the row's status.
    public struct Example: Sendable, CustomStringConvertible, CustomTestStringConvertible {
        public let status: Int32
        public let command: String
        public var description: String { "\(status): \(command)" }
        public var testDescription: String { description }
    }

    /// The rows of the table under "### Exit status" of the README at `path`:
    /// (status, examples), the examples being the code spans of the third
    /// column, `\|` unescaped.
    public static func rows(readme path: String) throws -> [(status: Int32, examples: [String])] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
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

    /// The examples of every row whose command `belongs` accepts.
    public static func examples(readme path: String, where belongs: (String) -> Bool) -> [Example] {
        ((try? rows(readme: path)) ?? []).flatMap { row in
            row.examples.filter(belongs).map { Example(status: row.status, command: $0) }
        }
    }

    /// Runs `example` under `sh -c` in `scratch`'s empty output directory,
    /// with `executables` (name → path) linked into a directory first on
    /// PATH, started as a shell starts a job (``Spawned``): its status and
    /// stderr.
    public static func run(
        _ example: Example, in scratch: Scratch, executables: [String: String], environment extra: [String: String] = [:]
    ) throws -> (status: Int32, stderr: String) {
        let bin = scratch.root + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: false)
        for (name, path) in executables {
            try FileManager.default.createSymbolicLink(atPath: bin + "/" + name, withDestinationPath: path)
        }
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { $1 }
        environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let stderr = scratch.root + "/stderr"
        let status = try Spawned(["/bin/sh", "-c", example.command], in: scratch.output, environment: environment,
                                 stdout: scratch.root + "/stdout", stderr: stderr).wait()
        return (status, try String(contentsOfFile: stderr, encoding: .utf8))
    }
}
