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
    typealias Example = ExitStatusTable.Example

    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md").path

    /// The examples of the table that run weightinit-mpi.
    static let examples = ExitStatusTable.examples(readme: readme) { $0.contains("weightinit-mpi") }

    @Test func everyStatusHasAnExample() {
        #expect(Set(Self.examples.map(\.status)) == [0, 64, 1], "\(Self.examples)")
    }

    @Test(arguments: examples)
    func example(_ example: Example) throws {
        let directory = try Scratch()
        let (status, errors) = try MPIRun.withSessionDirectory { environment in
            try ExitStatusTable.run(
                example, in: directory, executables: ["weightinit-mpi": try MPIRun.executable()],
                environment: environment.merging(["OMPI_MCA_rmaps_base_oversubscribe": "1"]) { $1 })
        }
        #expect(status == example.status, "stderr: \(errors)")
        if example.status != 0 {
            #expect(errors.split(separator: "\n").count == 1 && errors.hasPrefix("error: "), "one line from rank 0: \(errors)")
        }
        #expect(try directory.contents().filter { $0.hasPrefix(".") }.isEmpty, "no temporary file left")
    }
}
