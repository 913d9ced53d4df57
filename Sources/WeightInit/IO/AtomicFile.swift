#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old file or the complete new
/// one, never a partial file: the bytes go to a temporary file in the same
/// directory (so the final `rename(2)` stays on one file system and is atomic),
/// which is flushed and then renamed over `path`, and the directory is
/// flushed after the rename, so a returned write survives a power cut. On
/// any error, including one thrown by the caller's body, the temporary file
/// is removed.
///
/// The destination must be a new name in an existing directory or an existing
/// regular file, which keeps its permission bits (and, when run as root, its
/// owner and group); a directory, device, FIFO, socket or symbolic link is
/// refused with ``WeightInitError/invalidFile(path:reason:)`` before anything
/// is written. Temporary files are named `.<name>.wi-<host>-<pid>-<random>.tmp`,
/// fitting any destination name the file system accepts, so one left behind
/// by a killed process can be recognised and removed (`weightinit clean`).
@_spi(Plumbing) public enum AtomicFile {
    /// Sink for the bytes of the file being written (through ``StagedWriter``).
    @_spi(Plumbing) public struct Writer {
        fileprivate let staged: StagedWriter

        /// Appends `bytes` to the file.
        @_spi(Plumbing) public func write(_ bytes: UnsafeRawBufferPointer) throws {
            try staged.append(bytes)
        }

        /// Appends `bytes` to the file.
        @_spi(Plumbing) public func write(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try write($0) }
        }

        /// Whether a writer thread runs beside the caller (``StagedWriter/writesBehind``).
        var writesBehind: Bool { staged.writesBehind }

        /// Appends up to `maxBytes` bytes that `fill` writes straight into
        /// the file's write buffer (see ``StagedWriter/appendInPlace(maxBytes:elementSize:_:)``);
        /// returns how many it wrote.
        func appendInPlace(maxBytes: Int, elementSize: Int, _ fill: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int {
            try staged.appendInPlace(maxBytes: maxBytes, elementSize: elementSize, fill)
        }
    }

    /// Creates or replaces the file at `path` with what `body` writes.
    /// `expectedBytes`, the file's size if known, lets a large file go by
    /// direct I/O with a writer thread (``StagedWriter``).
    @_spi(Plumbing) public static func write(to path: String, expectedBytes: Int? = nil, _ body: (Writer) throws -> Void) throws {
        try write(to: path, expectedBytes: expectedBytes, calls: .system, body)
    }

    /// ``write(to:expectedBytes:_:)`` through a test's stand-ins for the system calls.
    static func write(to path: String, expectedBytes: Int?, calls: StagedWriter.SystemCalls,
                      _ body: (Writer) throws -> Void) throws {
        let file = try TemporaryFile.create(beside: path)
        let staged = StagedWriter(descriptor: file.descriptor, path: path, expectedBytes: expectedBytes, calls: calls)
        do {
            try body(Writer(staged: staged))
            try staged.finish()
            // Flushed before the rename so a crash cannot leave a renamed but empty file.
            try file.commit(sync: true)
        } catch {
            // No write may be pending when the descriptor closes.
            staged.cancel()
            file.discard()
            throw error
        }
    }

    /// Checks, without writing anything, that ``write(to:_:)`` can be expected
    /// to succeed: `path` is a new name in an existing, writable directory, or
    /// an existing regular file. Lets a caller fail before expensive work; the
    /// write itself checks again and reports any error.
    @_spi(Plumbing) public static func checkDestination(_ path: String) throws {
        try TemporaryFile.checkDestination(path)
    }

    /// `(directory, name)`; the directory is "." for a bare name.
    package static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    static func ioError(_ path: String, _ action: String, _ code: Int32) -> WeightInitError {
        .io(path: path, reason: "\(action): \(String(cString: strerror(code)))")
    }
}

// `read` and `close` are shadowed inside the file types; these name the
// system calls explicitly.

func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}

func systemClose(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}
