import ArgumentParser
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitCLI
import WeightInitMPI

/// The exit status for `error`, after printing it — when `printing` (rank 0)
/// — as exactly one `error: …` line on stderr (weightinit's own, escaped and
/// clipped). The error's kind decides the status: 64 when the input was
/// wrong, 1 for a failure (``KindedError``: weightinit's errors, the
/// library's, ``WeightInitMPIError``, and ``CollectiveFailure``, which keeps
/// the kind of the error it carries across ranks). Help and version requests
/// go to stdout as ArgumentParser formats them, with status 0.
func report(_ error: any Error, printing: Bool) -> Int32 {
    let message: String
    let status: Int32
    if let error = error as? any KindedError {
        message = WeightInitCLI.message(for: error)
        status = ExitStatus.status(for: error.kind)
    } else {
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
    if printing { writeErrorLine(message) }
    return status
}
