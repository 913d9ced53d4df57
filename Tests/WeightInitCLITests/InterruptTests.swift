import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Interrupted writes: SIGINT, SIGTERM and SIGHUP during a real, long
/// `generate` remove the temporary file, leave the old destination byte for
/// byte and exit with 128 + the signal; SIGKILL cannot be caught, and
/// `weightinit clean` removes what it leaves.
@Suite struct InterruptTests {
    /// A write that takes seconds: 3.6 GB of normals (streamed, so memory is
    /// one chunk; the signal arrives after a few MB are written, and the
    /// rest is never written). The free-space check needs that much disk.
    static let longWrite = ["generate", "normal", "--shape", "30000,30000", "--output", "w.npy"]

    /// The temporary files in `directory`: hidden, named with ".tmp" (at the
    /// end today; before the name fitted NAME_MAX, ".tmp-<pid>-<random>").
    static func temporaries(_ scratch: Scratch) throws -> [String] {
        try scratch.contents().filter { $0.hasPrefix(".") && $0.contains(".tmp") }
    }

    /// Starts `arguments`, waits (polling, no fixed sleep) until its temporary
    /// file exists, sends `signal` and returns the result. Records an issue
    /// if the run ended before the signal could be sent.
    static func interrupt(_ arguments: [String], with signal: Int32, in scratch: Scratch) throws -> CLI.Result {
        try CLI.interrupt(arguments, with: signal, in: scratch, awaited: "its temporary file") { try !temporaries(scratch).isEmpty }
    }

    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    @Test("SIGINT, SIGTERM, SIGHUP: status 128 + n, no temporary file, the old file byte for byte",
          arguments: signals)
    func signalDuringGenerate(signal: Int32) throws {
        let status = 128 + signal   // 130, 143, 129
        let scratch = try Scratch()
        defer { scratch.remove() }
        try #require(try CLI.run(["generate", "ones", "--shape", "3", "--output", "w.npy"], in: scratch).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: scratch.file("w.npy")))
        // Three worker threads on any machine: the handler must work whichever thread the signal lands on.
        let result = try Self.interrupt(Self.longWrite + ["--threads", "3"], with: signal, in: scratch)
        #expect(result.status == status, "stderr: \(result.stderr)")
        #expect(try scratch.contents() == ["w.npy"], "the temporary file must be gone")
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.file("w.npy"))) == before)
    }

    /// Orthogonal runs in OpenBLAS's threads, which the library did not start
    /// and whose signal masks it does not control.
    @Test func sigtermDuringOrthogonal() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try Self.interrupt(["generate", "orthogonal", "--shape", "6000,6000", "--dtype", "f64",
                                         "--output", "q.npy"], with: SIGTERM, in: scratch)
        #expect(result.status == 143, "stderr: \(result.stderr)")
        #expect(try scratch.contents().isEmpty)
    }

    @Test("SIGINT during generate --spec: the spec's file is not left half-written")
    func signalDuringSpec() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let spec = scratch.root + "/big.json"
        try #"{"tensors": [{"name": "a", "shape": [30000, 30000], "scheme": "normal"}]}"#
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let result = try Self.interrupt(["generate", "--spec", spec, "--output", "m.safetensors"], with: SIGINT, in: scratch)
        #expect(result.status == 130, "stderr: \(result.stderr)")
        #expect(try scratch.contents().isEmpty)
    }

    /// SIGKILL leaves the temporary file; `clean` recognises it by its name
    /// (this host, a process that is gone) and removes it — and only it: a
    /// live process's file, another host's, and other files stay.
    @Test func cleanRemovesWhatSigkillLeft() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try Self.interrupt(Self.longWrite, with: SIGKILL, in: scratch)
        let left = try Self.temporaries(scratch)
        let all = try scratch.contents()
        try #require(left.count == 1, "SIGKILL leaves the temporary file: \(all)")
        // .w.npy.wi-<host>-<pid>-<random>.tmp
        let fields = left[0].dropLast(".tmp".count).split(separator: "-")
        let host = String(fields[fields.count - 3])
        let live = ".live.npy.wi-\(host)-\(getpid())-0000abcd.tmp"
        let otherHost = ".far.npy.wi-\(host == "00000000" ? "11111111" : "00000000")-1-0000abcd.tmp"
        for name in [live, otherHost, "notes.tmp", ".plain.tmp"] {
            #expect(FileManager.default.createFile(atPath: scratch.file(name), contents: Data([1, 2, 3])))
        }
        let dry = try CLI.run(["clean", ".", "--dry-run"], in: scratch)
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        #expect(dry.stdout.contains("would remove ./\(left[0])"))
        #expect(try scratch.contents().contains(left[0]))

        let result = try CLI.run(["clean", "."], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("removed ./\(left[0])"))
        #expect(result.stdout.contains("kept ./\(live): process \(getpid()) is still running"))
        #expect(result.stdout.contains("kept ./\(otherHost): written on another host"))
        #expect(result.stdout.split(separator: "\n").last?.hasPrefix("removed 1 temporary file (") == true, "\(result.stdout)")
        #expect(try scratch.contents() == [otherHost, live, ".plain.tmp", "notes.tmp"].sorted())
    }

    /// A directory named like a staging directory is removed only if it is
    /// empty or weightinit's: its marker, regular files only. A user's
    /// directory that happens to have such a name (no marker), one with a
    /// subdirectory, are kept and listed with the reason.
    @Test func cleanRemovesOnlyWeightinitsStagingDirectories() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // This host's tag (FNV-1a of the host name, as the names carry it) and a process that is gone.
        var buffer = [CChar](repeating: 0, count: 256)
        #expect(gethostname(&buffer, buffer.count) == 0)
        var hash: UInt32 = 2_166_136_261
        for byte in buffer.prefix(while: { $0 != 0 }).map({ UInt8(bitPattern: $0) }) { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let digits = String(hash, radix: 16)
        let host = String(repeating: "0", count: 8 - digits.count) + digits
        let pid = try Self.finishedProcess()
        func name(_ stem: String) -> String { ".\(stem).wi-\(host)-\(pid)-0000abcd.tmp" }
        let manager = FileManager.default
        for stem in ["users", "empty", "nested", "ours"] {
            try manager.createDirectory(atPath: scratch.file(name(stem)), withIntermediateDirectories: false)
        }
        #expect(manager.createFile(atPath: scratch.file(name("users") + "/thesis.tex"), contents: Data("precious".utf8)))
        #expect(manager.createFile(atPath: scratch.file(name("nested") + "/.weightinit-staging"), contents: Data()))
        try manager.createDirectory(atPath: scratch.file(name("nested") + "/sub"), withIntermediateDirectories: false)
        #expect(manager.createFile(atPath: scratch.file(name("ours") + "/.weightinit-staging"), contents: Data()))
        #expect(manager.createFile(atPath: scratch.file(name("ours") + "/model-00001-of-00002.safetensors"), contents: Data([1, 2])))

        let result = try CLI.run(["clean", "."], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("kept ./\(name("users")): not a staging directory of weightinit's: it has no .weightinit-staging marker"),
                "\(result.stdout)")
        #expect(result.stdout.contains("kept ./\(name("nested")): not a staging directory of weightinit's: it holds \"sub\""), "\(result.stdout)")
        #expect(result.stdout.contains("removed ./\(name("empty")): 0 bytes"), "\(result.stdout)")
        #expect(result.stdout.contains("removed ./\(name("ours")): 2 bytes"), "\(result.stdout)")
        #expect(try scratch.contents() == [name("nested"), name("users")].sorted())
        #expect(manager.contents(atPath: scratch.file(name("users") + "/thesis.tex")) == Data("precious".utf8))
    }

    /// The id of a process that has exited: /bin/true's, run just before.
    static func finishedProcess() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func cleanOfAMissingDirectoryIsAnInputError() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["clean", "missing"], in: scratch)
        #expect(result.status == 64)
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix("error: missing: "), "\(result.stderr)")
    }
}
