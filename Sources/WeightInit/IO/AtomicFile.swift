#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old file or the complete new
/// one, never a partial file: the bytes go to a temporary file in the same
/// directory (so the final `rename(2)` stays on one file system and is atomic),
/// which is flushed and then renamed over `path`. On any error, including one
/// thrown by the caller's body, the temporary file is removed.
@_spi(Plumbing) public enum AtomicFile {
    /// Sink for the bytes of the file being written.
    @_spi(Plumbing) public struct Writer {
        fileprivate let descriptor: Int32
        /// The final path, used in error messages.
        fileprivate let path: String

        /// Appends `bytes` to the file.
        @_spi(Plumbing) public func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard var next = bytes.baseAddress else { return }
            var remaining = bytes.count
            while remaining > 0 {
                let written = systemWrite(descriptor, next, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFile.ioError(path, "cannot write", errno)
                }
                next += written
                remaining -= written
            }
        }

        /// Appends `bytes` to the file.
        @_spi(Plumbing) public func write(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try write($0) }
        }
    }

    /// Creates or replaces the file at `path` with what `body` writes.
    @_spi(Plumbing) public static func write(to path: String, _ body: (Writer) throws -> Void) throws {
        let (directory, name) = split(path)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw WeightInitError.io(path: path, reason: "not a file name")
        }
        let (descriptor, temporary) = try createTemporary(in: directory, for: name, path: path)
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            let writer = Writer(descriptor: descriptor, path: path)
            try body(writer)
            // Flush before the rename so a crash cannot leave a renamed but empty file.
            guard fsync(descriptor) == 0 else { throw ioError(path, "cannot flush", errno) }
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw ioError(path, "cannot close", errno) }
        guard rename(temporary, path) == 0 else { throw ioError(path, "cannot replace", errno) }
        renamed = true
    }

    /// Checks, without writing anything, that ``write(to:_:)`` can be expected
    /// to succeed: `path` names a file (not a directory) in an existing,
    /// writable directory. Lets a caller fail before expensive work; the write
    /// itself still reports any error.
    @_spi(Plumbing) public static func checkDestination(_ path: String) throws {
        let (directory, name) = split(path)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw WeightInitError.io(path: path, reason: "not a file name")
        }
        var status = stat()
        guard stat(directory, &status) == 0 else { throw ioError(path, "cannot use directory '\(directory)'", errno) }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw WeightInitError.io(path: path, reason: "'\(directory)' is not a directory")
        }
        guard access(directory, W_OK) == 0 else { throw ioError(path, "cannot write in '\(directory)'", errno) }
        if stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            throw WeightInitError.io(path: path, reason: "is a directory")
        }
    }

    /// `(directory, name)`; the directory is "." for a bare name.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// A new, exclusive temporary file beside the target: `.<name>.tmp-<pid>-<n>`.
    private static func createTemporary(
        in directory: String, for name: String, path: String
    ) throws -> (Int32, String) {
        var status = stat()
        guard stat(directory, &status) == 0 else {
            throw ioError(path, "cannot use directory '\(directory)'", errno)
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw WeightInitError.io(path: path, reason: "'\(directory)' is not a directory")
        }
        for _ in 0 ..< 16 {
            let suffix = String(UInt32.random(in: 0 ... .max), radix: 16)
            let temporary = "\(directory)/.\(name).tmp-\(getpid())-\(suffix)"
            // 0o666 minus the umask: the permissions a plain `open` would give the file.
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if descriptor >= 0 { return (descriptor, temporary) }
            if errno == EEXIST || errno == EINTR { continue }
            throw ioError(path, "cannot create a file in '\(directory)'", errno)
        }
        throw WeightInitError.io(path: path, reason: "cannot find a free temporary name in '\(directory)'")
    }

    static func ioError(_ path: String, _ action: String, _ code: Int32) -> WeightInitError {
        .io(path: path, reason: "\(action): \(String(cString: strerror(code)))")
    }
}

// `read`, `write` and `close` are shadowed inside the file types; these name
// the system calls explicitly.

func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}

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
