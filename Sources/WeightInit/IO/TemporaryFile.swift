import _WeightInitSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The temporary file of an atomic write: created beside its destination
/// (same directory, so the final `rename(2)` is atomic), filled, then renamed
/// over the destination by ``commit(sync:)`` or removed by ``discard()``.
/// ``AtomicFile`` writes through it; the MPI package's shared file too.
///
/// **Destinations.** Only a new name in an existing directory, or an existing
/// regular file, is accepted (``checkDestination(_:)``); a directory, device,
/// FIFO, socket or symbolic link — `/dev/null`, `/dev/stdout`,
/// `/proc/self/fd/1` — is refused with
/// ``WeightInitError/invalidFile(path:reason:)`` before anything is created,
/// and again just before the rename. A replaced file keeps its permission
/// bits, and its owner and group when the process runs as root.
///
/// **Name.** `.<name>.wi-<host>-<pid>-<random>.tmp`, where `<name>` is the
/// destination's name cut short (at a character boundary) so that the whole
/// name fits the directory's `NAME_MAX` — every name the file system accepts
/// as a destination also gets a temporary file — `<host>` 8 hex digits of
/// FNV-1a of the host name, `<pid>` the writing process and `<random>` 8 hex
/// digits. So a temporary file that outlived its process (SIGKILL, a crash,
/// a power cut) is recognisable: ``stale(in:)`` finds those of this host
/// whose process is gone, and `weightinit clean DIR` removes them.
///
/// **Signals.** While the file exists its path is registered where a signal
/// handler can read it; after ``removeOnSignals()`` (the tools call it first
/// thing) SIGINT, SIGTERM and SIGHUP remove every registered file and end
/// the process with status 128 + the signal number — at once, or, inside
/// ``deferringSignals(_:)`` (a checkpoint's final moves), when that step is
/// done.
@_spi(Plumbing) public final class TemporaryFile {
    /// The path the file is renamed to.
    public let destination: String
    /// The temporary file's own path.
    public let path: String
    /// Open for writing until ``commit(sync:)`` or ``discard()``.
    public private(set) var descriptor: Int32
    /// The registry slot (-1: not registered).
    private let slot: Int32
    /// Committed or discarded.
    private var finished = false
    /// The file being replaced, if the destination is an existing regular file.
    private let replaced: stat?

    private init(destination: String, path: String, descriptor: Int32, slot: Int32, replaced: stat?) {
        (self.destination, self.path, self.descriptor, self.slot, self.replaced) = (destination, path, descriptor, slot, replaced)
    }

    /// Installs the handler that removes every registered temporary file on
    /// SIGINT, SIGTERM or SIGHUP (see the type's description), and unblocks
    /// them on the calling thread (a parent's blocked mask is inherited). A
    /// signal ignored on entry (nohup) stays ignored. For programs, not
    /// libraries: it changes what those signals do to the whole process;
    /// call it on the main thread before starting others.
    public static func removeOnSignals() {
        _ = wi_cleanup_install()
    }

    /// Registers `path` — another process's temporary file — for removal by
    /// this process's signal handler too, until ``stopRemovingOnSignals(_:)``
    /// with the returned token. Every MPI rank does this for the shared file
    /// rank 0 created: whichever rank a signal ends first removes it, before
    /// mpirun, seeing that rank exit, kills the others with SIGKILL.
    public static func removeOnSignals(_ path: String) -> Int32 {
        wi_cleanup_register(path)
    }

    /// Ends a registration of ``removeOnSignals(_:)``.
    public static func stopRemovingOnSignals(_ token: Int32) {
        wi_cleanup_unregister(token)
    }

    /// Creates the temporary file for `destination`, after
    /// ``checkDestination(_:)``.
    public static func create(beside destination: String) throws -> TemporaryFile {
        let replaced = try checkDestination(destination)
        let (directory, name) = AtomicFile.split(destination)
        for _ in 0 ..< 16 {
            let path = directory + "/" + temporaryName(for: name, in: directory)
            // Registered before it exists, so no signal can fall between creating and registering.
            let slot = wi_cleanup_register(path)
            // 0o666 minus the umask: the permissions a plain `open` would give a new file.
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o666)
            if descriptor >= 0 {
                return TemporaryFile(destination: destination, path: path, descriptor: descriptor, slot: slot,
                                     replaced: replaced)
            }
            let code = errno
            wi_cleanup_unregister(slot)
            if code == EEXIST || code == EINTR { continue }
            // The destination passed its checks: the file system refuses (or a
            // pseudo file system such as /proc takes no new files).
            throw AtomicFile.ioError(destination, "cannot create a file in '\(directory)'", code)
        }
        throw WeightInitError.io(path: destination, reason: "cannot find a free temporary name in '\(directory)'")
    }

    /// Flushes the file to disk when `sync` (MPI-IO syncs its own), gives it
    /// the replaced file's mode (and owner, as root), closes it and renames
    /// it over the destination — after checking once more that the
    /// destination is still a regular file or absent — then flushes the
    /// directory (``syncDirectory(_:)``), so the rename too survives a power
    /// cut, and writes that follow (an index after its shards) reach the
    /// disk after it. On error before the rename the temporary file is
    /// removed; an error flushing the directory is thrown with the
    /// destination already replaced.
    public func commit(sync: Bool) throws {
        do {
            if sync, fsync(descriptor) != 0 { throw AtomicFile.ioError(destination, "cannot flush", errno) }
            if let replaced {
                // Owner first: chown clears the set-user-ID and set-group-ID bits that chmod then restores.
                if geteuid() == 0, fchown(descriptor, replaced.st_uid, replaced.st_gid) != 0 {
                    throw AtomicFile.ioError(destination, "cannot give the new file the old one's owner", errno)
                }
                if fchmod(descriptor, replaced.st_mode & 0o7777) != 0 {
                    throw AtomicFile.ioError(destination, "cannot give the new file the old one's mode", errno)
                }
            }
            let closing = descriptor
            descriptor = -1
            guard close(closing) == 0 else { throw AtomicFile.ioError(destination, "cannot close", errno) }
            _ = try Self.inspect(destination)
            guard rename(path, destination) == 0 else { throw AtomicFile.ioError(destination, "cannot replace", errno) }
        } catch {
            discard()
            throw error
        }
        finished = true
        wi_cleanup_unregister(slot)
        try Self.syncDirectory(AtomicFile.split(destination).directory)
    }

    /// Flushes `directory`'s entries — the names created, renamed or removed
    /// in it — to disk (`fsync(2)` of the directory): a file's own fsync
    /// does not make its name durable. A file system that cannot sync a
    /// directory (EINVAL) has nothing to flush.
    public static func syncDirectory(_ directory: String) throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw AtomicFile.ioError(directory, "cannot open the directory to flush it", errno) }
        defer { systemClose(descriptor) }
        if fsync(descriptor) != 0, errno != EINVAL {
            throw AtomicFile.ioError(directory, "cannot flush the directory", errno)
        }
    }

    /// Closes and removes the temporary file, unless committed. Idempotent.
    public func discard() {
        guard !finished else { return }
        finished = true
        if descriptor >= 0 {
            systemClose(descriptor)
            descriptor = -1
        }
        unlink(path)
        wi_cleanup_unregister(slot)
    }

    // MARK: Destinations

    /// Checks that `destination` can be written atomically: a name (not `.`,
    /// `..` or ending in `/`) no longer than the directory's `NAME_MAX`, in
    /// an existing directory this process may write, naming nothing yet or a
    /// regular file — whose status is returned. Throws
    /// ``WeightInitError/invalidFile(path:reason:)`` when the path names the
    /// wrong thing, ``WeightInitError/io(path:reason:)`` when the file system
    /// refuses (permissions, read-only).
    @discardableResult
    public static func checkDestination(_ destination: String) throws -> stat? {
        let (directory, name) = AtomicFile.split(destination)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw WeightInitError.invalidFile(path: destination, reason: "not a file name")
        }
        var status = stat()
        guard stat(directory, &status) == 0 else {
            throw fileError(destination, "cannot use directory '\(directory)'", errno)
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw WeightInitError.invalidFile(path: destination, reason: "'\(directory)' is not a directory")
        }
        let longest = nameMax(directory)
        guard name.utf8.count <= longest else {
            throw WeightInitError.invalidFile(
                path: destination, reason: "the name is \(name.utf8.count) bytes long; this file system allows at most \(longest)")
        }
        guard access(directory, W_OK) == 0 else {
            throw fileError(destination, "cannot write in '\(directory)'", errno)
        }
        return try inspect(destination)
    }

    /// What is at `destination` now: nothing, or a regular file (its status).
    private static func inspect(_ destination: String) throws -> stat? {
        var status = stat()
        guard lstat(destination, &status) == 0 else {
            if errno == ENOENT { return nil }
            throw fileError(destination, "cannot inspect", errno)
        }
        if (status.st_mode & S_IFMT) == S_IFREG { return status }
        var reason = "is \(describe(status.st_mode)), not a regular file; only regular files are replaced"
        if (status.st_mode & S_IFMT) == S_IFLNK {
            reason = "is a symbolic link\(linkTarget(destination).map { " to " + TerminalText.quoted($0) } ?? ""), "
                + "not a regular file; name the file itself (links are not followed)"
        }
        throw WeightInitError.invalidFile(path: destination, reason: reason)
    }

    /// "a directory", "a FIFO", … for the file type in `mode`.
    static func describe(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "a special file"
        }
    }

    private static func linkTarget(_ path: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { readlink(path, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
    }

    /// An error of `action` on `path` with `errno` `code`: the path names
    /// nothing usable (missing, not a directory, too long, a loop) →
    /// ``WeightInitError/invalidFile(path:reason:)``; the file system refused
    /// or failed → ``WeightInitError/io(path:reason:)``.
    static func fileError(_ path: String, _ action: String, _ code: Int32) -> WeightInitError {
        let reason = "\(action): \(String(cString: strerror(code)))"
        switch code {
        case ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP, EISDIR, ENXIO: return .invalidFile(path: path, reason: reason)
        default: return .io(path: path, reason: reason)
        }
    }

    // MARK: Names

    /// The longest file name `directory` accepts, in bytes.
    static func nameMax(_ directory: String) -> Int {
        let limit = pathconf(directory, Int32(_PC_NAME_MAX))
        return limit > 0 ? limit : 255
    }

    /// FNV-1a (32-bit) of the host name, 8 hex digits: tells the temporary
    /// files of this host from those another host wrote into a shared
    /// directory, whose processes cannot be seen from here.
    static let hostTag: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        let name = gethostname(&buffer, buffer.count) == 0
            ? buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : ""
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hex8(hash)
    }()

    private static func hex8(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// `.<name>.wi-<host>-<pid>-<random>.tmp`, `<name>` cut so the whole fits
    /// `NAME_MAX` of `directory`.
    static func temporaryName(for name: String, in directory: String, random: UInt32 = .random(in: 0 ... .max)) -> String {
        let suffix = ".wi-\(hostTag)-\(getpid())-\(hex8(random)).tmp"
        let room = max(0, nameMax(directory) - 1 - suffix.utf8.count)
        var kept = Array(name.utf8.prefix(room))
        if kept.count < name.utf8.count {
            // Cut at a character boundary: drop a partial UTF-8 sequence.
            while let last = kept.last, last & 0xC0 == 0x80 { kept.removeLast() }
            if let last = kept.last, last >= 0xC0 { kept.removeLast() }
        }
        return "." + String(decoding: kept, as: UTF8.self) + suffix
    }

    /// The (host tag, process id) of a temporary file's name, or nil if it
    /// is not one.
    static func parse(_ name: String) -> (host: String, pid: pid_t)? {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return nil }
        let fields = name.dropLast(".tmp".count).split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count >= 4 else { return nil }
        let (head, host, pid, random) = (fields[fields.count - 4], fields[fields.count - 3], fields[fields.count - 2],
                                         fields[fields.count - 1])
        func isHex8(_ text: Substring) -> Bool {
            text.utf8.count == 8 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
        }
        guard head.hasSuffix(".wi"), isHex8(host), isHex8(random), !pid.isEmpty, pid.allSatisfy({ $0.isASCII && $0.isNumber }),
              let number = pid_t(pid), number > 0 else { return nil }
        return (String(host), number)
    }

    // MARK: Stale files

    /// A temporary file found by ``stale(in:)``.
    public struct Leftover: Sendable, Equatable {
        /// Its path (the directory joined with its name).
        public let path: String
        public let bytes: Int
        /// The process that wrote it.
        public let pid: Int32
        /// Whether it can be removed: its process is gone and it was written
        /// on this host. Otherwise ``reason`` says why not.
        public let isStale: Bool
        public let reason: String
        /// A staging directory (remove its files, then it), not a file.
        public var isDirectory = false
        /// For a directory, what it holds (``StagingDirectory/contents(of:)``):
        /// one holding a commit's journal is finished, not removed
        /// (``StagingDirectory/finishCommit(_:)``); one that is not
        /// weightinit's is kept whatever its name says.
        public var contents: StagingDirectory.Contents? = nil
        /// Its process runs on this host now.
        public var isRunning = false
    }

    /// The bytes of the files directly in `path`.
    private static func directoryBytes(_ path: String) -> Int {
        guard let stream = opendir(path) else { return 0 }
        defer { closedir(stream) }
        var total = 0, status = stat()
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != "..", lstat(path + "/" + name, &status) == 0 { total += Int(status.st_size) }
        }
        return total
    }

    /// The temporary files (by their names) in `directory`, each judged: stale
    /// when written on this host by a process that no longer exists. A
    /// process id reused by a new process keeps its file (on the safe side);
    /// a file from another host is left to that host. A directory of such a
    /// name is stale only if it is empty or weightinit's staging directory
    /// (``StagingDirectory/contents(of:)``: its marker, regular files only,
    /// this user's); any other is kept, as a user's own.
    public static func stale(in directory: String) throws -> [Leftover] {
        var status = stat()
        guard stat(directory, &status) == 0 else { throw fileError(directory, "cannot open", errno) }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw WeightInitError.invalidFile(path: directory, reason: "is \(describe(status.st_mode)), not a directory")
        }
        guard let stream = opendir(directory) else { throw fileError(directory, "cannot read", errno) }
        defer { closedir(stream) }
        var found: [Leftover] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let (host, pid) = parse(name) else { continue }
            let path = (directory.hasSuffix("/") ? directory : directory + "/") + name
            guard lstat(path, &status) == 0 else { continue }
            // A staging directory (``StagingDirectory``) holds files of its own.
            let isDirectory = (status.st_mode & S_IFMT) == S_IFDIR
            guard (status.st_mode & S_IFMT) == S_IFREG || isDirectory else { continue }
            let bytes = isDirectory ? directoryBytes(path) : Int(status.st_size)
            let contents = isDirectory ? StagingDirectory.contents(of: path) : nil
            let (isStale, reason): (Bool, String)
            let isRunning = host == hostTag && (kill(pid, 0) == 0 || errno == EPERM)
            if case let .foreign(why)? = contents {
                (isStale, reason) = (false, "not a staging directory of weightinit's: it \(why); remove it yourself if it should go")
            } else if host != hostTag {
                (isStale, reason) = (false, "written on another host (tag \(host)); clean it there")
            } else if isRunning {
                (isStale, reason) = (false, "process \(pid) is still running")
            } else {
                (isStale, reason) = (true, "process \(pid) is gone")
            }
            found.append(Leftover(path: path, bytes: bytes, pid: pid, isStale: isStale, reason: reason, isDirectory: isDirectory,
                                  contents: contents, isRunning: isRunning))
        }
        return found.sorted { $0.path < $1.path }
    }
}
