import _WeightInitSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A hidden directory inside a destination directory where a set of files
/// that belong together — a sharded checkpoint's shards, index and config —
/// is written whole before any of it replaces what the destination holds:
/// readers see the old set until ``move(_:to:)`` renames the new files in
/// (the index last), never a mix that an interruption left.
///
/// Named like a temporary file, `.<name>.wi-<host>-<pid>-<random>.tmp`,
/// so a killed run's directory is recognised by ``TemporaryFile/stale(in:)``
/// (`weightinit clean DIR`); registered so SIGINT, SIGTERM and SIGHUP remove
/// it with what it holds (``TemporaryFile/removeOnSignals()``).
@_spi(Plumbing) public final class StagingDirectory {
    public let path: String
    private let slot: Int32
    private let owned: Bool
    private var finished = false

    private init(path: String, slot: Int32, owned: Bool) {
        (self.path, self.slot, self.owned) = (path, slot, owned)
    }

    /// Creates the staging directory in `directory`, named after `name`.
    public static func create(in directory: String, for name: String) throws -> StagingDirectory {
        for _ in 0 ..< 16 {
            let path = directory + "/" + TemporaryFile.temporaryName(for: name, in: directory)
            // Registered before it exists, so no signal falls between.
            let slot = wi_cleanup_register_kind(path, Int32(WI_CLEANUP_DIRECTORY))
            if mkdir(path, 0o700) == 0 { return StagingDirectory(path: path, slot: slot, owned: true) }
            let code = errno
            wi_cleanup_unregister(slot)
            if code == EEXIST || code == EINTR { continue }
            throw AtomicFile.ioError(directory, "cannot create a staging directory in '\(directory)'", code)
        }
        throw WeightInitError.io(path: directory, reason: "cannot find a free staging name")
    }

    /// Another process's staging directory (an MPI rank writing into rank
    /// 0's), registered so a signal ending this process removes it too;
    /// only its creator moves files out of it or removes it otherwise.
    public static func adopt(_ path: String) -> StagingDirectory {
        StagingDirectory(path: path, slot: wi_cleanup_register_kind(path, Int32(WI_CLEANUP_DIRECTORY)), owned: false)
    }

    /// Renames `name` from this directory to `destination` (same file
    /// system: atomic), giving it the mode (and, as root, the owner) of the
    /// regular file it replaces, if any, then flushes the destination's
    /// directory, as every atomic write does: files moved in order reach the
    /// disk in that order.
    public func move(_ name: String, to destination: String) throws {
        let staged = path + "/" + name
        var replaced = stat()
        if lstat(destination, &replaced) == 0, (replaced.st_mode & S_IFMT) == S_IFREG {
            if geteuid() == 0, chown(staged, replaced.st_uid, replaced.st_gid) != 0 {
                throw AtomicFile.ioError(destination, "cannot give the new file the old one's owner", errno)
            }
            if chmod(staged, replaced.st_mode & 0o7777) != 0 {
                throw AtomicFile.ioError(destination, "cannot give the new file the old one's mode", errno)
            }
        }
        guard rename(staged, destination) == 0 else { throw AtomicFile.ioError(destination, "cannot replace", errno) }
        try TemporaryFile.syncDirectory(AtomicFile.split(destination).directory)
    }

    /// Removes the (by now empty) directory and ends its registration.
    public func finish() {
        guard !finished else { return }
        finished = true
        if owned { _ = rmdir(path) }
        wi_cleanup_unregister(slot)
    }

    /// Removes the directory with whatever it still holds (files only), if
    /// this process created it, and ends its registration. Idempotent.
    public func discard() {
        guard !finished else { return }
        finished = true
        if owned { Self.remove(path) }
        wi_cleanup_unregister(slot)
    }

    /// Removes the files in `path`, then `path`.
    static func remove(_ path: String) {
        if let stream = opendir(path) {
            var names: [String] = []
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != ".", name != ".." { names.append(name) }
            }
            closedir(stream)
            for name in names { unlink(path + "/" + name) }
        }
        rmdir(path)
    }

    deinit { discard() }
}

extension TemporaryFile {
    /// Registers `directory` — one this run created for its output — for
    /// removal on SIGINT, SIGTERM and SIGHUP if it is empty by then; the
    /// token ends the registration (``stopRemovingOnSignals(_:)``).
    @_spi(Plumbing) public static func removeOnSignalsIfEmpty(directory: String) -> Int32 {
        wi_cleanup_register_kind(directory, Int32(WI_CLEANUP_EMPTY_DIRECTORY))
    }

    /// Removes a stale staging directory ``stale(in:)`` found (files in it, then it).
    @_spi(Plumbing) public static func removeStagingDirectory(_ path: String) {
        StagingDirectory.remove(path)
    }
}
