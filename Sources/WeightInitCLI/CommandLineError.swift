import ArgumentParser
import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mistake in the arguments that the parser itself cannot see: the input
/// is wrong (exit status 64).
@_spi(Plumbing) public enum CommandLineError: Error, CustomStringConvertible, KindedError {
    case usage(String)

    @_spi(Plumbing) public var description: String {
        switch self {
        case let .usage(message): message
        }
    }

    @_spi(Plumbing) public var kind: ErrorKind { .invalidInput }
}
