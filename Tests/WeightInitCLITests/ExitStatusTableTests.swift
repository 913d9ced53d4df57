import Foundation
import Testing

/// The README's exit-status table, walked: every example of every row runs
/// under `sh -c` in an empty directory, with the built `weightinit` first on
/// PATH, started as a shell starts a job (``Spawned``), and must end with the
/// row's status. (The weightinit-mpi examples
/// are walked by the MPI package's tests.)
@Suite struct ExitStatusTableTests {
    typealias Example = ExitStatusTable.Example

    static let readme = CLI.package.appendingPathComponent("README.md").path

    static let examples = ExitStatusTable.examples(readme: readme) {
        // Commands of weightinit; the rest (weightinit-mpi, names in prose) are not for this walker.
        $0.contains("weightinit ") && !$0.contains("weightinit-mpi")
    }

    /// The table is there, and covers every status the tools use.
    @Test func tableIsComplete() throws {
        let rows = try ExitStatusTable.rows(readme: Self.readme)
        #expect(Set(rows.map(\.status)) == [0, 64, 1, 143, 129, 130], "\(rows.map(\.status))")
        #expect(Self.examples.count >= 20)
        // Rows without a command are said to be tested elsewhere or to depend on the machine.
        #expect(Set(Self.examples.map(\.status)) == [0, 64, 1, 143, 129])
    }

    @Test(arguments: examples)
    func example(_ example: Example) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (status, errors) = try ExitStatusTable.run(example, in: scratch, executables: ["weightinit": try CLI.executable()])
        #expect(status == example.status, "stderr: \(errors)")
        #expect(!(try scratch.contents().contains { $0.hasPrefix(".") && $0.hasSuffix(".tmp") }), "no temporary file left")
    }
}
