import ArgumentParser
@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mistake in the arguments that the parser itself cannot see.
public enum CommandLineError: Error, CustomStringConvertible {
    case usage(String)

    public var description: String {
        switch self {
        case let .usage(message): message
        }
    }
}

/// Exit statuses (sysexits.h): 0 success, 64 bad arguments, 1 failure while
/// generating or writing.
public enum ExitStatus {
    public static let usage: Int32 = 64
    public static let failure: Int32 = 1
}

/// Reports `error` as exactly one line, `error: …`, on stderr and returns the
/// exit status. Help and version requests are printed by ArgumentParser as usual.
public func report(_ error: any Error) -> Int32 {
    let (message, status) = errorLine(error)
    // One write(2) of the whole line: unbuffered, and never interleaved.
    let line = Array("error: \(message)\n".utf8)
    line.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    return status
}

/// What ``report(_:)`` prints for `error` — one line, without `error: ` —
/// and the exit status: 64 for invalid arguments, 1 for a failure. For tools
/// built on these commands (weightinit-mpi reports on one rank only).
public func errorLine(_ error: any Error) -> (message: String, status: Int32) {
    let message: String
    let status: Int32
    switch error {
    case let error as CommandLineError:
        (message, status) = (error.description, ExitStatus.usage)
    case let error as WeightInitError:
        message = error.description
        switch error {
        case .invalidShape, .invalidParameter, .tooLarge: status = ExitStatus.usage
        case .lapack, .kernelUnavailable, .io, .malformedFile: status = ExitStatus.failure
        }
    default:
        // ArgumentParser's own errors: its message may carry "Help:" and
        // "Usage:" lines after the first; the first line says what was wrong.
        let code = WeightInitCommand.exitCode(for: error)
        if code == .success { WeightInitCommand.exit(withError: error) }
        let full = WeightInitCommand.message(for: error)
        message = full.split(separator: "\n").first.map(String.init) ?? "\(error)"
        status = code.rawValue == ExitCode.validationFailure.rawValue ? ExitStatus.usage : ExitStatus.failure
    }
    return (message.replacingNewlines(), status)
}

extension String {
    /// The text on one line, so a message can never break the one-line contract.
    func replacingNewlines() -> String {
        split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
