import ArgumentParser
@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `weightinit clean DIR`: removes the temporary files that killed writes
/// left behind, and finishes a checkpoint commit a killed run left halfway.
struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove the temporary files that killed writes left in a directory; finish an interrupted checkpoint commit.",
        discussion: """
            weightinit and weightinit-mpi write each file as a hidden temporary file beside \
            it, .<name>.wi-<host>-<pid>-<random>.tmp, and rename it into place when it is \
            complete; a sharded checkpoint (--max-shard-size) is written whole into a hidden \
            staging directory of the same form inside its directory, then moved into place. \
            SIGINT, SIGTERM and SIGHUP remove them before the process exits (or, during \
            a checkpoint's final moves, let the moves finish first); SIGKILL, a crash or \
            a power cut cannot. clean removes the temporary files and staging directories \
            in DIR written on this host by a process that no longer exists, and lists the \
            others — still being written, or written on another host (clean them there) — \
            without touching them. A staging directory whose process died while moving the \
            checkpoint in (it holds the commit's journal; the directory may hold old and new \
            shards side by side) is not removed but finished: its remaining files are moved \
            in, the index last, and the earlier checkpoint's leftovers removed. A directory \
            is only touched if it is empty or weightinit's (its .weightinit-staging marker, \
            regular files only, owned by you); a file by its name alone. Nothing else in \
            DIR is looked at.

            Examples:
              weightinit clean .
              weightinit clean checkpoints --dry-run
            """
    )

    @Argument(help: "The directory to clean (not recursive).")
    var directory: String

    @Flag(name: .customLong("dry-run"), help: "Only list what would be removed.")
    var dryRun = false

    func run() throws {
        var removed = 0, bytes = 0, finished = 0
        for leftover in try TemporaryFile.stale(in: directory) {
            let path = TerminalText.escaped(leftover.path, limit: 512)
            guard leftover.isStale else {
                print("kept \(path): \(leftover.reason)")
                continue
            }
            if leftover.contents == .committing {
                // The run died mid-commit: the new checkpoint is complete in here; finish moving it in.
                let moved = dryRun ? 0 : try StagingDirectory.finishCommit(leftover.path)
                print(dryRun ? "would finish \(path): a commit interrupted while moving files in, \(leftover.reason)"
                    : "finished \(path): a commit interrupted while moving files in, \(leftover.reason); moved the \(moved) "
                        + "file\(moved == 1 ? "" : "s") still staged into place and removed the earlier files it replaces")
                finished += 1
                continue
            }
            if !dryRun, leftover.isDirectory {
                TemporaryFile.removeStagingDirectory(leftover.path)
            } else if !dryRun, unlink(leftover.path) != 0, errno != ENOENT {
                throw WeightInitError.io(path: leftover.path, reason: "cannot remove: \(String(cString: strerror(errno)))")
            }
            print("\(dryRun ? "would remove" : "removed") \(path): \(leftover.bytes) bytes, \(leftover.reason)")
            removed += 1
            bytes += leftover.bytes
        }
        let files = removed == 1 ? "1 temporary file" : "\(removed) temporary files"
        let commits = finished == 0 ? "" : "; \(dryRun ? "would finish" : "finished") \(finished) interrupted commit\(finished == 1 ? "" : "s")"
        print("\(dryRun ? "would remove" : "removed") \(files) (\(bytes) bytes) in \(TerminalText.escaped(directory, limit: 512))\(commits)")
    }
}
