import CWeightInit
@_spi(Plumbing) import WeightInit

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
        // One line, as the CLI's `error:` lines (a shape's message could hold a newline of the caller's text).
        failure.message.split(whereSeparator: \.isNewline).joined(separator: " ")
            .withCString { weightinit_internal_set_last_error($0) }
        return failure.status
    }
}

/// `pointer`, or a `WEIGHTINIT_ERROR_NULL_POINTER` failure naming the argument.
func required<P>(_ pointer: P?, _ argument: String) throws -> P {
    guard let pointer else { throw ABIFailure(WEIGHTINIT_ERROR_NULL_POINTER, "\(argument) is NULL") }
    return pointer
}
