@_spi(Plumbing) import WeightInit

/// What can go wrong in the distributed layer, each case saying what failed.
/// Errors of the single-process library (``WeightInitError``) pass through
/// unchanged; a failure agreed on by every rank is a ``CollectiveFailure``,
/// which keeps the ``ErrorKind`` of the error it reports.
public enum WeightInitMPIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An MPI call returned `code` ≠ MPI_SUCCESS; `message` is MPI_Error_string's text.
    case mpi(function: String, code: Int32, message: String)
    /// A ScaLAPACK routine returned `info` ≠ 0 (negative: argument −info, or
    /// −(100·i + j) for entry j of descriptor argument i, was illegal).
    case scalapack(routine: String, info: Int)
    /// The process grid cannot be made, or BLACS numbered its processes in
    /// another order than MPI (the file view would then place tiles wrongly).
    case grid(String)
    /// Something this host or build cannot do.
    case unsupported(String)

    public var description: String {
        switch self {
        case let .mpi(function, code, message):
            return "\(function) failed (MPI error \(code)): \(message)"
        case let .scalapack(routine, info):
            return info < 0
                ? "ScaLAPACK \(routine): argument \(Self.argumentName(info)) had an illegal value"
                : "ScaLAPACK \(routine) failed with info = \(info)"
        case let .grid(reason):
            return "process grid: \(reason)"
        case let .unsupported(reason):
            return reason
        }
    }

    /// ScaLAPACK's encoding of a bad argument: info = −i for argument i, or
    /// −(100·i + j) for entry j of the descriptor that is argument i.
    static func argumentName(_ info: Int) -> String {
        let code = -info
        return code >= 100 ? "\(code / 100) (descriptor entry \(code % 100))" : "\(code)"
    }
}

extension WeightInitMPIError: KindedError {
    /// Every case is a failure of MPI, ScaLAPACK or the host (exit status 1);
    /// wrong arguments are ``WeightInitError``s or the tool's own errors.
    public var kind: ErrorKind { .failure }
}

/// The ``ErrorKind`` of any error: its own (``KindedError``), or a failure
/// for an error that does not say.
func kind(of error: any Error) -> ErrorKind {
    (error as? any KindedError)?.kind ?? .failure
}
