import ArgumentParser
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `weightinit clean DIR`: removes the temporary files that killed writes
/// left behind.
struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove the temporary files that killed writes left in a directory.",
        discussion: """
            weightinit and weightinit-mpi write each file as a hidden temporary file beside \
            it, .<name>.wi-<host>-<pid>-<random>.tmp, and rename it into place when it is \
            complete; a sharded checkpoint (--max-shard-size) is written whole into a hidden \
            staging directory of the same form inside its directory, then moved into place. \
            SIGINT, SIGTERM and SIGHUP remove them before the process exits; \
            SIGKILL, a crash or a power cut cannot. clean removes the temporary files and \
            staging directories in DIR written on this host by a process that no longer \
            exists, and lists the others — still being written, or written on another host (clean them there) \
            — without touching them. Nothing else in DIR is looked at.

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
        var removed = 0, bytes = 0
        for leftover in try TemporaryFile.stale(in: directory) {
            let path = TerminalText.escaped(leftover.path, limit: 512)
            guard leftover.isStale else {
                print("kept \(path): \(leftover.reason)")
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
        print("\(dryRun ? "would remove" : "removed") \(files) (\(bytes) bytes) in \(TerminalText.escaped(directory, limit: 512))")
    }
}
