import Foundation
import Testing

/// Standard output that cannot be written (a full disk, here /dev/full):
/// status 1 and one line on stderr, not silent success.
@Suite struct OutputFailureTests {
    @Test(arguments: [
        ["stats", "w.npy"], ["stats", "w.npy", "--json"], ["generate", "ones", "--shape", "4", "--output", "v.npy"],
        ["recommend", "--activation", "relu"], ["clean", "."], ["generate", "--help"],
    ])
    func fullStandardOutput(_ arguments: [String]) throws {
        guard FileManager.default.isWritableFile(atPath: "/dev/full") else {
            print("OutputFailureTests: no /dev/full here; skipped")
            return
        }
        let scratch = try Scratch()
        defer { scratch.remove() }
        try #require(try CLI.run(["generate", "normal", "--shape", "64,64", "--output", "w.npy"], in: scratch).status == 0)
        let result = try CLI.run(arguments, in: scratch, standardOutput: "/dev/full")
        #expect(result.status == 1, "\(arguments): \(result.stderr)")
        #expect(result.stderr == "error: cannot write to standard output: No space left on device\n")
    }
}
