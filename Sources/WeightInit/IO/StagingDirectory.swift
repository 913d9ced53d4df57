import _WeightInitSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A hidden directory inside a destination directory where a set of files
/// that belong together — a sharded checkpoint's shards, index and config —
/// is written whole before any of it replaces what the destination holds:
/// readers see the old set until ``commit(_:into:removing:)`` renames the
/// new files in (the index last), never a mix that an interruption left.
///
/// Named like a temporary file, `.<name>.wi-<host>-<pid>-<random>.tmp`,
/// so a killed run's directory is recognised by ``TemporaryFile/stale(in:)``
/// (`weightinit clean DIR`), and carrying a marker file
/// (``markerName``) from its first moment, so that `clean` tells it from a
/// user's directory that happens to have such a name; registered so
/// SIGINT, SIGTERM and SIGHUP remove it with what it holds
/// (``TemporaryFile/removeOnSignals()``) — until the commit, which signals
/// cannot cut short (see ``commit(_:into:removing:)``).
@_spi(Plumbing) public final class StagingDirectory {
    public let path: String
    private let slot: Int32
    private let owned: Bool
    private var finished = false

    /// The empty file every staging directory holds from its creation: the
    /// sign that weightinit made it.
    public static let markerName = ".weightinit-staging"
    /// The commit's journal: written (atomically) before the first file
    /// moves, removed after the last step, so a staging directory that
    /// holds it belongs to a commit that was under way when its process
    /// died, which ``finishCommit(_:)`` completes.
    public static let journalName = ".weightinit-commit"

    private init(path: String, slot: Int32, owned: Bool) {
        (self.path, self.slot, self.owned) = (path, slot, owned)
    }

    /// Creates the staging directory in `directory`, named after `name`,
    /// with its marker.
    public static func create(in directory: String, for name: String) throws -> StagingDirectory {
        for _ in 0 ..< 16 {
            let path = directory + "/" + TemporaryFile.temporaryName(for: name, in: directory)
            // Registered before it exists, so no signal falls between.
            let slot = wi_cleanup_register_kind(path, Int32(WI_CLEANUP_DIRECTORY))
            if mkdir(path, 0o700) == 0 {
                let staging = StagingDirectory(path: path, slot: slot, owned: true)
                let marker = open(path + "/" + markerName, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
                guard marker >= 0 else {
                    let code = errno
                    staging.discard()
                    throw AtomicFile.ioError(directory, "cannot create a staging directory in '\(directory)'", code)
                }
                systemClose(marker)
                return staging
            }
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

    /// Renames `staged` to `destination` (same file system: atomic), giving
    /// it the mode (and, as root, the owner) of the regular file it
    /// replaces, if any.
    private static func place(_ staged: String, at destination: String) throws {
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
    }

    // MARK: The commit

    /// Moves the staged files `names` into `destination`, in order (the one
    /// that makes the set visible — an index — last), then removes the
    /// files `stale` there (an earlier set's that this one does not name)
    /// and this directory.
    ///
    /// **Signals.** A journal of these steps is written first; then SIGINT,
    /// SIGTERM and SIGHUP are deferred (``TemporaryFile/deferringSignals(_:)``)
    /// from before the first rename until the staging directory is gone: a
    /// signal in between is acted on once the commit is complete (the
    /// process then ends with 128 + n), on whatever thread it landed. So a
    /// catchable signal leaves the old set (it came before: the handler
    /// removed this directory) or the whole new one, never a mix.
    ///
    /// **SIGKILL, a crash, a power cut** (every step is flushed in order):
    /// before the journal, the destination is untouched and this directory
    /// is a stale staging directory; after it, the destination may hold
    /// some new files beside old ones, and this directory with its journal
    /// — ``finishCommit(_:)`` (`weightinit clean`) completes the commit.
    ///
    /// **Errors.** One before the first rename leaves the destination as it
    /// was (the caller discards this directory). One after leaves this
    /// directory with its journal in place, unregistered so no signal
    /// removes it, and is thrown as ``WeightInitError/io(path:reason:)``
    /// saying so; a signal recorded meanwhile is then not acted on (the
    /// error is reported instead).
    public func commit(_ names: [String], into destination: String, removing stale: [String]) throws {
        precondition(owned, "only the process that created a staging directory commits it")
        let journal = Journal(moves: names, removals: stale)
        try AtomicFile.write(to: path + "/" + Self.journalName) { try $0.write(journal.text) }
        try TemporaryFile.deferringSignals {
            var renamed = 0
            do {
                try Self.run(journal, from: path, into: destination, renamed: &renamed)
            } catch {
                guard renamed > 0 else { throw error }
                // Part of the new set is in place: keep the rest for finishCommit.
                finished = true
                wi_cleanup_unregister(slot)
                throw WeightInitError.io(
                    path: destination,
                    reason: "moving the new files into place failed after \(renamed) of \(names.count): \(error); "
                        + "the rest wait in '\(path)' — run `weightinit clean \(destination)` to finish the move once the cause is fixed")
            }
            finished = true
            wi_cleanup_unregister(slot)
        }
    }

    /// The steps of a commit: its file names, checked to be plain names.
    struct Journal: Equatable {
        let moves: [String]
        let removals: [String]
        static let header = "weightinit-commit 1"

        init(moves: [String], removals: [String]) {
            precondition((moves + removals).allSatisfy(Self.isPlainName), "a commit moves and removes plain file names")
            (self.moves, self.removals) = (moves, removals)
        }

        /// A name without a slash, newline or NUL, not `.` or `..`.
        static func isPlainName(_ name: String) -> Bool {
            !name.isEmpty && name != "." && name != ".." && !name.utf8.contains { $0 == 0x2F || $0 == 0x0A || $0 == 0 }
        }

        /// `weightinit-commit 1`, then `move NAME` and `remove NAME` lines.
        var text: [UInt8] {
            Array(([Self.header] + moves.map { "move " + $0 } + removals.map { "remove " + $0 }).map { $0 + "\n" }.joined().utf8)
        }

        /// The journal in `text`, or nil if it is not one.
        init?(parsing text: String) {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.first == Substring(Self.header), lines.last == "" else { return nil }
            lines = Array(lines.dropFirst().dropLast())
            var moves: [String] = [], removals: [String] = []
            for line in lines {
                if line.hasPrefix("move "), removals.isEmpty {
                    moves.append(String(line.dropFirst(5)))
                } else if line.hasPrefix("remove ") {
                    removals.append(String(line.dropFirst(7)))
                } else {
                    return nil
                }
            }
            guard !moves.isEmpty, (moves + removals).allSatisfy(Self.isPlainName) else { return nil }
            (self.moves, self.removals) = (moves, removals)
        }
    }

    /// Carries out `journal` from the staging directory `staging` into
    /// `destination`: each file still in `staging` renamed into place and
    /// the directory flushed, in order (a file no longer there was moved
    /// before); then the stale regular files removed, the directory
    /// flushed (if there were any); then the journal, the marker and
    /// `staging` removed, and the directory flushed again. Runs again safely after an interruption at
    /// any step. Counts the renames in `renamed`.
    private static func run(_ journal: Journal, from staging: String, into destination: String, renamed: inout Int) throws {
        var status = stat()
        for name in journal.moves where lstat(staging + "/" + name, &status) == 0 {
            try place(staging + "/" + name, at: destination + "/" + name)
            renamed += 1
            try TemporaryFile.syncDirectory(destination)
        }
        let moved = Set(journal.moves)
        for name in journal.removals where !moved.contains(name) {
            let stale = destination + "/" + name
            if lstat(stale, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, unlink(stale) != 0, errno != ENOENT {
                throw AtomicFile.ioError(stale, "cannot remove the earlier file", errno)
            }
        }
        if !journal.removals.isEmpty { try TemporaryFile.syncDirectory(destination) }
        // The journal last of what the staging directory holds: until it is
        // gone, the commit can be finished.
        if unlink(staging + "/" + journalName) != 0, errno != ENOENT {
            throw AtomicFile.ioError(staging, "cannot remove the journal", errno)
        }
        remove(staging)
        try TemporaryFile.syncDirectory(destination)
    }

    /// Completes the commit that the journal in the staging directory
    /// `path` describes, into the directory holding it — what `weightinit
    /// clean` does with a staging directory whose process died while
    /// moving files in: every staged file the journal names is moved into
    /// place (the last one last), the stale files it names are removed, and
    /// the staging directory with it. Returns how many files were moved.
    /// The caller judges that the process is gone (``TemporaryFile/stale(in:)``).
    public static func finishCommit(_ path: String) throws -> Int {
        let journalPath = path + "/" + journalName
        let descriptor = open(journalPath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { throw TemporaryFile.fileError(journalPath, "cannot open the journal", errno) }
        defer { systemClose(descriptor) }
        var bytes: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress!, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw AtomicFile.ioError(journalPath, "cannot read the journal", errno) }
            if count == 0 { break }
            bytes += buffer[..<count]
            guard bytes.count <= maxJournalBytes else {
                throw WeightInitError.invalidFile(path: journalPath, reason: "is larger than \(maxJournalBytes) bytes: not a journal weightinit wrote")
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self), let journal = Journal(parsing: text) else {
            throw WeightInitError.invalidFile(path: journalPath, reason: "is not a journal weightinit wrote; the staging directory is left as it is")
        }
        var renamed = 0
        try run(journal, from: path, into: AtomicFile.split(path).directory, renamed: &renamed)
        return renamed
    }

    /// The largest journal read: a line per file of a checkpoint of at
    /// most 2¹⁸ tensors is far below.
    static let maxJournalBytes = 64 << 20

    // MARK: Without a commit

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

    // MARK: Recognising one

    /// What a directory named like a staging directory holds, as `clean`
    /// judges it.
    public enum Contents: Sendable, Equatable {
        /// Nothing: removing it loses nothing (a run killed between mkdir
        /// and its marker, or a user's empty directory).
        case empty
        /// Weightinit's marker and regular files only: a killed run's
        /// staging, whose files nothing names yet.
        case staged
        /// Also the commit's journal: the run died while moving the files
        /// in; ``finishCommit(_:)`` completes it.
        case committing
        /// Anything else — no marker, a subdirectory or another kind of
        /// file, another owner: not touched. The reason says which.
        case foreign(String)
    }

    /// Judges the directory at `path` (see ``Contents``).
    public static func contents(of path: String) -> Contents {
        var status = stat()
        guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else { return .foreign("is not a directory") }
        guard status.st_uid == geteuid() else { return .foreign("is owned by user \(status.st_uid), not this one") }
        guard let stream = opendir(path) else { return .foreign("cannot be read: \(String(cString: strerror(errno)))") }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name != ".", name != ".." else { continue }
            guard lstat(path + "/" + name, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
                return .foreign("holds \(TerminalText.quoted(name, limit: 128)), which is not a regular file (a staging directory holds only files)")
            }
            names.append(name)
        }
        if names.isEmpty { return .empty }
        guard names.contains(markerName) else {
            return .foreign("has no \(markerName) marker")
        }
        return names.contains(journalName) ? .committing : .staged
    }
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

    /// Runs `body` with SIGINT, SIGTERM and SIGHUP deferred: a signal that
    /// arrives meanwhile, on any thread, is only recorded, and acted on when
    /// `body` returns — the registered paths are removed and the process
    /// ends with 128 + n, as if the signal had come just then. A signal that
    /// a handler was already acting on when this is called ends the process
    /// before `body` begins. For a short step that must not be cut in half;
    /// nests (the outermost acts). If `body` throws, a recorded signal is
    /// dropped and the error propagates (it says what was left). Without
    /// ``removeOnSignals()`` it just runs `body`.
    @_spi(Plumbing) public static func deferringSignals<R>(_ body: () throws -> R) throws -> R {
        wi_signals_defer()
        let result: R
        do {
            result = try body()
        } catch {
            _ = wi_signals_resume()
            throw error
        }
        let pending = wi_signals_resume()
        if pending != 0 { wi_signals_exit(pending) }
        return result
    }
}
