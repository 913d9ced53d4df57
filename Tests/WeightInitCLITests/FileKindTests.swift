import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What `generate` writes to and what `stats` and `--spec` read: regular
/// files and new names only, checked before any work and without blocking;
/// replaced files keep their mode (and owner, as root); every name the file
/// system accepts works, however long.
@Suite struct FileKindTests {
    /// A destination of the wrong kind, made inside the scratch directory
    /// (never a system path: the old code would have renamed over it).
    enum Kind: String, CaseIterable, Sendable {
        case directory, fifo, socket, symlinkToFile, symlinkToStdout, danglingSymlink, characterDevice

        /// Makes it at `path`; false if this system or user cannot.
        func make(at path: String, in scratch: Scratch) throws -> Bool {
            switch self {
            case .directory: try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            case .fifo: return mkfifo(path, 0o644) == 0
            case .socket: return makeSocket(at: path)
            case .symlinkToFile:
                _ = FileManager.default.createFile(atPath: scratch.file("target.npy"), contents: Data([7]))
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "target.npy")
            case .symlinkToStdout: try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/stdout")
            case .danglingSymlink: try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "nowhere.npy")
            // The null device's numbers (major 1, minor 3, as glibc's makedev
            // packs small ones); only root may make device nodes.
            case .characterDevice: return mknod(path, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0
            }
            return true
        }

        var mentions: String {
            switch self {
            case .directory: "is a directory"
            case .fifo: "is a FIFO"
            case .socket: "is a socket"
            case .symlinkToFile, .symlinkToStdout, .danglingSymlink: "is a symbolic link"
            case .characterDevice: "is a character device"
            }
        }
    }

    /// Every wrong kind: one line naming the kind, status 64, and nothing
    /// created, replaced or written into — the check comes before any work.
    @Test(arguments: Kind.allCases)
    func destinationOfTheWrongKind(_ kind: Kind) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        guard try kind.make(at: scratch.file("w.npy"), in: scratch) else {
            print("FileKindTests: cannot make a \(kind) here (not root?); skipped")
            return
        }
        let before = try scratch.contents()
        let result = try CLI.run(["generate", "normal", "--shape", "64,64", "--output", "w.npy"], in: scratch)
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("error: w.npy: \(kind.mentions)"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try scratch.contents() == before)
        var status = stat()
        #expect(lstat(scratch.file("w.npy"), &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG, "still what it was")
        if kind == .symlinkToFile {
            #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.file("target.npy"))) == Data([7]))
        }
    }

    /// /proc/self/fd/1 is the process's own standard output: a link, refused
    /// as one (the old code tried to create a file in /proc/self/fd).
    @Test func procSelfFdIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["generate", "normal", "--shape", "4,4", "--format", "npy", "--output", "/proc/self/fd/1"],
                                 in: scratch)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("error: /proc/self/fd/1: is a symbolic link"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// The MPI tool's shared writer and the library refuse the same kinds;
    /// so does a directory given with a trailing slash or as `.`.
    @Test(arguments: [".", "..", "sub/"])
    func notAFileName(_ output: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.file("sub"), withIntermediateDirectories: false)
        let result = try CLI.run(["generate", "ones", "--shape", "2", "--format", "npy", "--output", output], in: scratch)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(try scratch.contents() == ["sub"])
    }

    /// Replacing a file keeps its permission bits — and, as root, its owner
    /// and group (nobody:nogroup here) — instead of a fresh 0644 file of root's.
    @Test func replacedFileKeepsModeAndOwner() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.file("w.npy")
        try #require(try CLI.run(["generate", "ones", "--shape", "2", "--output", "w.npy"], in: scratch).status == 0)
        #expect(chmod(path, 0o640) == 0)
        let root = geteuid() == 0
        if root { #expect(chown(path, 65534, 65534) == 0) }
        let result = try CLI.run(["generate", "normal", "--shape", "8,8", "--output", "w.npy"], in: scratch)
        #expect(result.status == 0, "\(result.stderr)")
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o7777 == 0o640)
        #expect(status.st_size == 128 + 8 * 8 * 4, "the new contents")
        if root { #expect(status.st_uid == 65534 && status.st_gid == 65534) }
        #expect(try scratch.contents() == ["w.npy"])
    }

    /// Names up to NAME_MAX (255 bytes here) work: the temporary name is cut
    /// to fit. Multi-byte characters are cut whole.
    @Test(arguments: [236, 250, 255])
    func longNames(_ length: Int) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let stem = String(repeating: "é", count: (length - 4) / 2) + String(repeating: "x", count: (length - 4) % 2)
        let name = stem + ".npy"
        try #require(name.utf8.count == length)
        for arguments in [["generate", "normal", "--shape", "4,4", "--output", name], ["generate", "ones", "--shape", "2", "--output", name]] {
            let result = try CLI.run(arguments, in: scratch)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try scratch.contents() == [name])
        let tooLong = String(repeating: "y", count: 256 - 4) + ".npy"
        let refused = try CLI.run(["generate", "ones", "--shape", "2", "--output", tooLong], in: scratch)
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("at most 255"), "\(refused.stderr)")
    }

    // MARK: Inputs

    /// `stats` and `--spec` on a FIFO: refused at once, status 64. The FIFO
    /// is watched meanwhile: if the tool ever opened it for reading (and so
    /// would wait for a writer forever), a writer is opened to release it and
    /// the test fails instead of hanging.
    @Test(arguments: [["stats", "f.npy"], ["generate", "--spec", "f.npy", "--output", "m.safetensors"]])
    func fifoInputNeverBlocks(_ arguments: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fifo = scratch.file("f.npy")
        try #require(mkfifo(fifo, 0o644) == 0)
        let process = try CLI.start(arguments, in: scratch)
        var blockedOnOpen = false
        while process.isRunning {
            // Succeeds only while a reader has the FIFO open.
            let writer = open(fifo, O_WRONLY | O_NONBLOCK)
            if writer >= 0 {
                blockedOnOpen = true
                close(writer)
            }
            usleep(1000)
        }
        let result = try CLI.finish(process, in: scratch)
        #expect(!blockedOnOpen, "the tool opened the FIFO for reading")
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: f.npy: is a FIFO (named pipe), not a regular file"), "\(result.stderr)")
        #expect(try scratch.contents() == ["f.npy"])
    }

    @Test func directoryAndDeviceInputs() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        for (input, mentions) in [(".", "is a directory"), ("/dev/null", "is a character device")] {
            let result = try CLI.run(["stats", input], in: scratch)
            #expect(result.status == 64)
            #expect(result.stderr.hasPrefix("error: \(input): \(mentions)"), "\(result.stderr)")
        }
    }

    /// `--spec -` reads the spec from standard input, explicitly.
    @Test func specFromStandardInput() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let spec = scratch.root + "/spec.json"
        try #"{"tensors": [{"name": "w", "shape": [4, 3], "scheme": "ones"}]}"#.write(toFile: spec, atomically: true, encoding: .utf8)
        let result = try CLI.run(["generate", "--spec", "-", "--output", "m.safetensors"], in: scratch, standardInput: spec)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "wrote m.safetensors: 1 tensors from standard input, safetensors\n")
        let fromFile = try CLI.run(["generate", "--spec", spec, "--output", "n.safetensors"], in: scratch)
        #expect(fromFile.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.file("m.safetensors")))
            == Data(contentsOf: URL(fileURLWithPath: scratch.file("n.safetensors"))))
    }
}

/// A UNIX-domain socket bound at `path`, left in the file system.
private func makeSocket(at path: String) -> Bool {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in bytes.enumerated() { raw[index] = byte }
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    } == 0
}
