@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitCLI
import WeightInitMPI

#if canImport(Glibc)
import Glibc
#endif

// Every rank runs this same program with the same arguments. MPI starts
// first, so every rank knows whether it is rank 0 — the only one that
// prints; arguments are parsed and checked identically on every rank, and
// every rank finalises MPI before it exits with the common status (mpirun
// passes that status on; run it with `-q` so it adds no banner of its own).
let session: MPISession
do {
    session = try MPISession.start()
} catch {
    exit(report(error, printing: true))
}
// After MPI_Init, so no handler of MPI's replaces it: SIGINT, SIGTERM and
// SIGHUP remove this rank's temporary file (rank 0 owns the shared file's)
// and end the rank with 128 + the signal number, which mpirun passes on.
TemporaryFile.removeOnSignals()
let status = runCommand(Array(CommandLine.arguments.dropFirst()), in: session)
session.finalize()
// Rank 0's summary line must really reach standard output (status 1 if not).
exit(flushStandardOutput(status: status))
