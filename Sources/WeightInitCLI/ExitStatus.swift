import ArgumentParser
@_spi(Plumbing) import WeightInit
import WeightInitModels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exit statuses (sysexits.h's EX_USAGE for input): 0 success, 64 the input
/// is wrong, 1 a failure while working, 128 + n the signal n ended the run
/// (130 SIGINT, 143 SIGTERM, 129 SIGHUP; the temporary file is removed).
/// The README's exit-status table lists what falls under each.
@_spi(Plumbing) public enum ExitStatus {
    @_spi(Plumbing) public static let usage: Int32 = 64
    @_spi(Plumbing) public static let failure: Int32 = 1

    /// The status for an error of `kind`.
    @_spi(Plumbing) public static func status(for kind: ErrorKind) -> Int32 {
        switch kind {
        case .invalidInput: usage
        case .failure: failure
        }
    }
}

/// Reports `error` as exactly one line, `error: …`, on stderr and returns the
/// exit status. Help and version requests are printed by ArgumentParser as usual.
package func report(_ error: any Error) -> Int32 {
    let (message, status) = errorLine(error)
    writeErrorLine(message)
    return status
}

/// Writes `error: message` on stderr as one line — escaped and clipped (see
/// `TerminalText`), so text from files can neither reach the terminal raw nor
/// break the line — in one write(2): unbuffered, and never interleaved.
@_spi(Plumbing) public func writeErrorLine(_ message: String) {
    let line = Array("error: \(TerminalText.escaped(message, limit: TerminalText.lineLimit))\n".utf8)
    line.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// An error that says its kind, worded for the command line: a model's
/// input named by its option (``ModelError/commandLineMessage``), anything
/// else by its own description.
@_spi(Plumbing) public func message(for error: any KindedError) -> String {
    (error as? ModelError)?.commandLineMessage ?? String(describing: error)
}

/// What ``report(_:)`` prints for `error` — one line, without `error: ` —
/// and the exit status: the error's own kind (``KindedError``) decides
/// between 64 and 1; ArgumentParser's errors are 64 when they are about the
/// arguments. For tools built on these commands (weightinit-mpi reports on
/// one rank only).
package func errorLine(_ error: any Error) -> (message: String, status: Int32) {
    if let error = error as? any KindedError {
        return (message(for: error), ExitStatus.status(for: error.kind))
    }
    // ArgumentParser's own errors: its message may carry "Help:" and
    // "Usage:" lines after the first; the first line says what was wrong.
    let code = WeightInitCommand.exitCode(for: error)
    if code == .success { WeightInitCommand.exit(withError: error) }
    let full = WeightInitCommand.message(for: error)
    let message = full.split(separator: "\n").first.map(String.init) ?? "\(error)"
    return (message, code.rawValue == ExitCode.validationFailure.rawValue ? ExitStatus.usage : ExitStatus.failure)
}
