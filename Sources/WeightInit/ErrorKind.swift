/// What an error says about a run: the caller's input was wrong, or a valid
/// request failed while it was being carried out.
///
/// The command-line tools exit with status 64 for ``invalidInput`` and 1 for
/// ``failure``; a program using the library can tell its user the same thing.
public enum ErrorKind: Sendable, Equatable {
    /// Fix the input: an argument or parameter outside its domain, a shape
    /// the scheme cannot take, a value that does not fit the element type, or
    /// a named file that is missing, of the wrong kind (a directory, device,
    /// FIFO, socket or symbolic link where a regular file is needed), too
    /// large or malformed.
    case invalidInput
    /// The request was valid but could not be carried out here and now: the
    /// file system refused or failed (permissions, read-only, full, I/O
    /// error), memory ran short, LAPACK or MPI failed, an output stream broke.
    case failure
}

/// An error that says which ``ErrorKind`` it is — a property of the error
/// itself, so nothing has to guess it from a message or an exit status.
public protocol KindedError: Error {
    var kind: ErrorKind { get }
}

extension WeightInitError: KindedError {
    public var kind: ErrorKind {
        switch self {
        case .invalidShape, .invalidParameter, .invalidScheme, .tooLarge, .invalidFile, .malformedFile: .invalidInput
        case .lapack, .kernelUnavailable, .io: .failure
        }
    }
}
