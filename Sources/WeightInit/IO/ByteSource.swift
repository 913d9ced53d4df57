#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random-access input for the file readers: a file on disk, or bytes in
/// memory (the fuzz target and the unit tests for malformed input). Readers
/// check every offset and length against ``size`` before reading, so a
/// hostile header can never make them allocate more than the input holds.
protocol ByteSource {
    /// Bytes in the input.
    var size: Int { get }
    /// Exactly `count` bytes at `offset`; callers ensure `offset + count ≤ size`.
    func read(at offset: Int, count: Int) throws -> [UInt8]
}

/// Bytes in memory.
struct MemorySource: ByteSource {
    let bytes: [UInt8]
    let path: String

    var size: Int { bytes.count }

    func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= bytes.count - count else {
            throw WeightInitError.malformedFile(path: path, reason: "read of \(count) bytes at \(offset) is out of bounds")
        }
        return Array(bytes[offset ..< offset + count])
    }
}

/// A regular file opened for reading, with its size at opening; errors become
/// ``WeightInitError/invalidFile(path:reason:)`` (missing, not a regular
/// file) or ``WeightInitError/io(path:reason:)`` (the file system refused).
///
/// Only regular files are read, and finding out never blocks: the path is
/// checked with `stat` first (so a device is not even opened), then opened
/// with `O_NONBLOCK` — opening a FIFO for reading would otherwise wait for a
/// writer forever — and checked again with `fstat` on the descriptor, which
/// is what is read.
struct InputFile: ByteSource {
    let descriptor: Int32
    let path: String
    let size: Int

    init(path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else { throw TemporaryFile.fileError(path, "cannot open", errno) }
        try Self.checkRegular(status, path: path)
        descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw TemporaryFile.fileError(path, "cannot open", errno) }
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            systemClose(descriptor)
            throw AtomicFile.ioError(path, "cannot stat", code)
        }
        do { try Self.checkRegular(status, path: path) } catch {
            systemClose(descriptor)
            throw error
        }
        self.path = path
        size = Int(status.st_size)
    }

    private static func checkRegular(_ status: stat, path: String) throws {
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw WeightInitError.invalidFile(
                path: path, reason: "is \(TemporaryFile.describe(status.st_mode)), not a regular file; only regular files are read")
        }
    }

    func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size - count else {
            throw WeightInitError.malformedFile(path: path, reason: "read of \(count) bytes at \(offset) is out of bounds")
        }
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            while initialized < count {
                let got = pread(descriptor, buffer.baseAddress! + initialized, count - initialized,
                                off_t(offset + initialized))
                if got < 0, errno == EINTR { continue }
                guard got > 0 else {
                    throw got == 0
                        ? WeightInitError.io(path: path, reason: "the file ended early (it changed while being read)")
                        : AtomicFile.ioError(path, "cannot read", errno)
                }
                initialized += got
            }
        }
    }

    func close() { systemClose(descriptor) }

    /// Opens the file at `path`, passes it to `body` and closes it again,
    /// however `body` ends.
    static func withOpened<R>(_ path: String, _ body: (InputFile) throws -> R) throws -> R {
        let file = try InputFile(path: path)
        defer { file.close() }
        return try body(file)
    }
}
