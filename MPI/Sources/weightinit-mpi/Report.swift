import ArgumentParser
@_spi(Plumbing) import WeightInit
import WeightInitCLI
import WeightInitMPI

#if canImport(Glibc)
import Glibc
#endif

// CommandLineError, ExitStatus: weightinit's own (WeightInitCLI), so both
// tools say the same things the same way.
extension CommandLineError: InvalidArgumentError {}

/// The exit status for `error`, after printing it — when `printing` (rank 0)
/// — as exactly one `error: …` line on stderr. Help and version requests go
/// to stdout as ArgumentParser formats them, with status 0.
func report(_ error: any Error, printing: Bool) -> Int32 {
    let message: String
    let status: Int32
    switch error {
    case is CollectiveFailure, is WeightInitError, is WeightInitMPIError, is InvalidArgumentError:
        message = String(describing: error)
        status = isInvalidArgument(error) ? ExitStatus.usage : ExitStatus.failure
    default:
        let code = WeightInitMPICommand.exitCode(for: error)
        if code == .success {
            if printing { print(WeightInitMPICommand.fullMessage(for: error)) }
            return 0
        }
        // ArgumentParser's message may go on with "Help:"/"Usage:" lines; the first says what was wrong.
        let full = WeightInitMPICommand.message(for: error)
        message = full.split(separator: "\n").first.map(String.init) ?? "\(error)"
        status = code.rawValue == ExitCode.validationFailure.rawValue ? ExitStatus.usage : ExitStatus.failure
    }
    if printing {
        // One write(2) of the whole line: never interleaved with other output.
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        let line = Array("error: \(oneLine)\n".utf8)
        line.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
    return status
}
