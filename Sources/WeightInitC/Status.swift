import CWeightInit
@_spi(Plumbing) import WeightInit
import WeightInitModels

/// A failure the C ABI reports: its status and one line of text.
struct ABIFailure: Error {
    let status: weightinit_status
    let message: String

    init(_ status: weightinit_status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// `error`, thrown by the engine or the scheme table, as a status: the one
    /// place where Swift errors become C statuses.
    init(_ error: any Error) {
        switch error {
        case let failure as ABIFailure:
            self = failure
        case let error as WeightInitError:
            switch error {
            case .invalidShape: self.init(WEIGHTINIT_ERROR_INVALID_SHAPE, error.description)
            // The engine names region errors "region" (TensorRegion) and shard errors
            // "index"/"count" (Shard.range); the other names are scheme parameters.
            case let .invalidParameter(name, _, _) where ["region", "index", "count"].contains(name):
                self.init(WEIGHTINIT_ERROR_INVALID_REGION, error.description)
            case .invalidParameter: self.init(WEIGHTINIT_ERROR_INVALID_PARAMETER, error.description)
            case .invalidScheme: self.init(WEIGHTINIT_ERROR_INVALID_SCHEME, error.description)
            case .tooLarge: self.init(WEIGHTINIT_ERROR_TOO_LARGE, error.description)
            case .lapack, .kernelUnavailable, .io, .malformedFile, .invalidFile:
                self.init(WEIGHTINIT_ERROR_FAILURE, error.description)
            }
        case let error as ModelError:
            // A plan's inputs (a rule set, a config, the tensors), or a failure while writing.
            self.init(error.kind == .invalidInput ? WEIGHTINIT_ERROR_INVALID_MODEL : WEIGHTINIT_ERROR_FAILURE, error.description)
        case let error as FillCancelled:
            self.init(WEIGHTINIT_ERROR_CANCELLED, error.description)
        default:
            self.init(WEIGHTINIT_ERROR_FAILURE, "\(error)")
        }
    }
}

/// Runs `body` and returns its status: `WEIGHTINIT_OK`, or the failure's
/// status with its message stored as the thread's last error. Nothing thrown
/// crosses into C.
func reporting(_ body: () throws -> Void) -> weightinit_status {
    do {
        try body()
        return WEIGHTINIT_OK
    } catch {
        let failure = ABIFailure(error)
        storeLastError(failure.message)
        return failure.status
    }
}

/// Stores `message` as the calling thread's `weightinit_last_error()`: the
/// one place where text leaves the library through the C ABI (and, from
/// there, reaches Python's exceptions), so the one place it is made safe.
/// Messages quote the caller's text (a scheme, a name), which may hold
/// anything; the stored line is escaped and clipped exactly as the CLI's
/// `error:` line — every character a terminal would act on (ESC and the
/// other C0 and C1 controls, DEL, line breaks, bidirectional marks) written
/// as a visible escape (`\u{1B}`, `\n`), and at most
/// `TerminalText.lineLimit` characters kept, then `…(N characters)` — so it
/// is one line, whatever the message held. The C buffer holds the longest
/// such line (weightinit_internal.h).
func storeLastError(_ message: String) {
    TerminalText.escaped(message, limit: TerminalText.lineLimit).withCString { weightinit_internal_set_last_error($0) }
}

/// `pointer`, or a `WEIGHTINIT_ERROR_NULL_POINTER` failure naming the argument.
func required<P>(_ pointer: P?, _ argument: String) throws -> P {
    guard let pointer else { throw ABIFailure(WEIGHTINIT_ERROR_NULL_POINTER, "\(argument) is NULL") }
    return pointer
}
