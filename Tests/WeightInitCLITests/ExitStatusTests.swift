import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// 64 when the input is wrong, 1 when the work failed: the cases that used
/// to drift from that rule.
@Suite struct ExitStatusTests {
    @Test func missingSpecIsAnInputError() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["generate", "--spec", "missing.json", "--output", "m.safetensors"], in: scratch)
        #expect(result.status == 64)
        #expect(result.stderr == "error: missing.json: cannot open: No such file or directory\n")
    }

    @Test func oversizeSpecIsAnInputError() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let spec = scratch.root + "/big.json"
        // 16 MiB + 1 of spaces: valid JSON would follow, but it is never read.
        try #require(FileManager.default.createFile(atPath: spec, contents: Data(repeating: 0x20, count: (16 << 20) + 1)))
        let result = try CLI.run(["generate", "--spec", spec, "--output", "m.safetensors"], in: scratch)
        #expect(result.status == 64)
        #expect(result.stderr.contains("16777217 bytes is more than the 16777216 bytes allowed"), "\(result.stderr)")
    }

    /// A file larger than the free space is refused before writing, as a
    /// failure of the environment (status 1), with a message about the
    /// file — not "shape 4 is too large" for a spec of four tensors. The
    /// tensors are sized from the free space now, so the test never writes.
    @Test func freeSpaceIsAFailureNotAnInputError() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var info = statvfs()
        try #require(statvfs(scratch.output, &info) == 0 && info.f_blocks > 0)
        let free = UInt64(info.f_bavail) * UInt64(info.f_frsize)
        // Four f64 tensors of ⌈free/16⌉ elements each: twice the free space.
        let elements = free / 16 + 1
        let spec = scratch.root + "/four.json"
        let tensors = (0 ..< 4).map { #"{"name": "t\#($0)", "shape": [\#(elements)], "scheme": "normal"}"# }
        try #"{"dtype": "f64", "tensors": [\#(tensors.joined(separator: ", "))]}"#.write(toFile: spec, atomically: true, encoding: .utf8)
        let result = try CLI.run(["generate", "--spec", spec, "--output", "m.safetensors"], in: scratch)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: m.safetensors: the file needs "), "\(result.stderr)")
        #expect(!result.stderr.contains("shape 4"))
        #expect(try scratch.contents().isEmpty)
    }

    /// A safetensors file with no tensors: a clear error, in text and JSON
    /// mode alike, not empty output and success.
    @Test(arguments: [[], ["--json"]])
    func statsOfAFileWithNoTensors(_ flags: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = FileManager.default.createFile(atPath: scratch.file("empty.safetensors"),
                                           contents: Data(StatsTests.safetensors("{}      ", data: 0)))
        let result = try CLI.run(["stats", "empty.safetensors"] + flags, in: scratch)
        #expect(result.status == 64)
        #expect(result.stderr == "error: empty.safetensors holds no tensors\n")
        #expect(result.stdout.isEmpty)
    }

    /// generate --check judging the file wrong is a failure; a stats input
    /// that is not a tensor file is a wrong input.
    @Test func malformedInputIsAnInputError() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = FileManager.default.createFile(atPath: scratch.file("junk.npy"), contents: Data("not a tensor".utf8))
        let result = try CLI.run(["stats", "junk.npy"], in: scratch)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("error: junk.npy: not a valid file: "), "\(result.stderr)")
    }
}
