@_spi(Plumbing) import WeightInitCLI
@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// SIGINT, SIGTERM and SIGHUP remove the temporary file of a write in progress
// and exit with 128 + the signal number; installed before any thread starts.
TemporaryFile.removeOnSignals()

// Parse and run by hand rather than through `ParsableCommand.main()`, so that
// every error — the parser's included — is reported as one `error: …` line
// (see `report(_:)`) instead of a message followed by usage text; then make
// sure standard output was really written.
var status: Int32 = 0
do {
    var command = try WeightInitCommand.parseAsRoot()
    try command.run()
} catch where WeightInitCommand.exitCode(for: error) == .success {
    // --help, --version: ArgumentParser's text, on stdout.
    print(WeightInitCommand.fullMessage(for: error))
} catch {
    status = report(error)
}
exit(flushStandardOutput(status: status))
