import WeightInitCLI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Parse and run by hand rather than through `ParsableCommand.main()`, so that
// every error — the parser's included — is reported as one `error: …` line
// (see `report(_:)`) instead of a message followed by usage text.
do {
    var command = try WeightInitCommand.parseAsRoot()
    try command.run()
} catch {
    exit(report(error))
}
