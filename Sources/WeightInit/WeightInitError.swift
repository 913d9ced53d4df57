/// Everything that can go wrong in WeightInit, each case saying what was wrong
/// and what is allowed, and — through ``kind`` — whether the caller's input
/// was wrong or the work failed.
public enum WeightInitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A tensor shape the operation cannot take (`reason` says what is allowed).
    case invalidShape([Int], reason: String)
    /// A parameter outside its domain, e.g. `invalidParameter("std", value: "-1.0", reason: "must be finite and > 0")`.
    case invalidParameter(String, value: String, reason: String)
    /// Scheme text that names no scheme of the table, an option the scheme
    /// does not take, a required option missing, or a value of the wrong kind
    /// (`"normal --gain 2"`); `scheme` is the scheme's name as given, and
    /// `reason` the whole message, e.g. `--gain does not apply to normal; it takes --mean, --std`.
    case invalidScheme(scheme: String, reason: String)
    /// The tensor would not fit: `elements` values of `bytesPerElement` bytes.
    case tooLarge(shape: [Int], reason: String)
    /// A LAPACK routine returned `info ≠ 0` (negative: argument −info was illegal).
    case lapack(routine: String, info: Int)
    /// The requested kernel path (`WEIGHTINIT_ISA` or an explicit choice) is unknown or not supported by this CPU.
    case kernelUnavailable(String)
    /// A file could not be read or written: the file system refused or
    /// failed (permissions, a read-only or full file system, an I/O error).
    case io(path: String, reason: String)
    /// A file is not in the format it claims (malformed or truncated).
    case malformedFile(path: String, reason: String)
    /// A path names no file that can be used here: it does not exist, or it
    /// is not a regular file (a directory, device, FIFO, socket or symbolic
    /// link), or it is too large or too long a name.
    case invalidFile(path: String, reason: String)

    /// One line; text that came from files or arguments is escaped and long
    /// values are clipped (see `TerminalText`), so printing it is safe.
    public var description: String { TerminalText.escaped(text) }

    private var text: String {
        switch self {
        case let .invalidShape(shape, reason):
            return "invalid shape \(Self.clipped(shape)): \(reason)"
        case let .invalidParameter(name, value, reason):
            return "invalid \(name) \(TerminalText.escaped(value, limit: TerminalText.valueLimit)): \(reason)"
        case let .invalidScheme(_, reason):
            return reason
        case let .tooLarge(shape, reason):
            return "shape \(Self.clipped(shape)) is too large: \(reason)"
        case let .lapack(routine, info):
            return info < 0
                ? "LAPACK \(routine): argument \(-info) had an illegal value"
                : "LAPACK \(routine) failed with info = \(info)"
        case let .kernelUnavailable(name):
            return "kernel path '\(name)' is unknown or not supported by this CPU (scalar, sse2, avx2, avx512, neon)"
        case let .io(path, reason):
            return "\(path): \(reason)"
        case let .malformedFile(path, reason):
            return "\(path): not a valid file: \(reason)"
        case let .invalidFile(path, reason):
            return "\(path): \(reason)"
        }
    }

    /// A shape as messages show it, `512,256`, clipped: one from a file can
    /// have thousands of dimensions.
    private static func clipped(_ shape: [Int]) -> String {
        TerminalText.escaped(shape.map(String.init).joined(separator: ","), limit: TerminalText.valueLimit)
    }
}
