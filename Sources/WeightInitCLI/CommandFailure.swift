import ArgumentParser
import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A valid command that failed while working, outside the library: the disk
/// or memory is short now, an output stream cannot be written (exit status 1).
struct CommandFailure: Error, CustomStringConvertible, KindedError {
    let description: String

    init(_ description: String) { self.description = description }

    var kind: ErrorKind { .failure }
}
