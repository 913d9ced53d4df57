import ArgumentParser
import WeightInitMPI

/// `weightinit-mpi`: the root command; the work happens in its subcommands,
/// each an ``MPISubcommand`` in a file of its own. Adding one (such as a
/// `generate` that writes a model spec into one shared safetensors file) is
/// that file plus one entry in `subcommands` below.
struct WeightInitMPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weightinit-mpi",
        abstract: "Write weight tensors from several MPI ranks into one file, bit-reproducible from a seed.",
        discussion: """
            Run under mpirun; every rank takes the same arguments, rank 0 alone prints.

            Examples:
              mpirun -q -n 4 weightinit-mpi orthogonal --shape 4096,4096 --seed 42 --output w.npy
              mpirun -q -n 4 weightinit-mpi generate --spec model.json --output model.safetensors
              mpirun -q -n 2 weightinit-mpi bench

            Exit status: 0 on success, 64 for invalid arguments, 1 for a failure while \
            computing or writing. Errors are one line on stderr, from rank 0; no partial \
            output file is left behind.
            """,
        subcommands: [GenerateCommand.self, OrthogonalCommand.self, BenchCommand.self]
    )
}

/// A subcommand that runs on every rank of `session`. Its arguments must be
/// checked before any collective call, identically on every rank (so all
/// ranks throw the same error, or none); failures after that must be agreed
/// on (``MPISession/agree(_:)``), so every rank throws the same error.
protocol MPISubcommand: ParsableCommand {
    func run(in session: MPISession) throws
}

/// Parses `arguments`, runs the subcommand and returns the exit status;
/// only rank 0 prints help and errors.
func runCommand(_ arguments: [String], in session: MPISession) -> Int32 {
    do {
        var command = try WeightInitMPICommand.parseAsRoot(arguments)
        if let subcommand = command as? any MPISubcommand {
            try subcommand.run(in: session)
        } else {
            try command.run()   // the root alone: ArgumentParser's help
        }
        return 0
    } catch {
        return report(error, printing: session.isRoot)
    }
}
