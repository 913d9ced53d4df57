import Foundation
import Testing

/// One kind of bad input to `weightinit generate`.
struct BadInput: Sendable, CustomTestStringConvertible {
    /// What the output path is made to be before the run.
    enum Setup: Sendable { case none, readOnlyDirectory, directoryAtOutput }

    let name: String
    let arguments: [String]
    let status: Int32
    /// Text the error line must contain.
    let mentions: String
    var setup: Setup = .none

    var testDescription: String { name }

    static func generate(
        _ name: String, _ arguments: [String], status: Int32 = 64, mentions: String, setup: Setup = .none
    ) -> BadInput {
        BadInput(name: name, arguments: ["generate"] + arguments, status: status, mentions: mentions, setup: setup)
    }

    static let all: [BadInput] = [
        .generate("unknown scheme", ["glorot", "--shape", "4,4", "--output", "w.npy"],
                  mentions: "known schemes: orthogonal, zeros, ones, constant, uniform, normal"),
        .generate("empty shape", ["normal", "--shape", "", "--output", "w.npy"], mentions: "--shape"),
        .generate("empty dimension", ["normal", "--shape", "512,,256", "--output", "w.npy"], mentions: "dimension 2 is empty"),
        .generate("zero dimension", ["normal", "--shape", "512,0", "--output", "w.npy"], mentions: "must be ≥ 1"),
        .generate("negative dimension", ["normal", "--shape", "-3,4", "--output", "w.npy"], mentions: "must be ≥ 1"),
        .generate("negative dimension with =", ["normal", "--shape=4,-3", "--output", "w.npy"], mentions: "must be ≥ 1"),
        .generate("non-numeric dimension", ["normal", "--shape", "4,abc", "--output", "w.npy"], mentions: "not an integer"),
        .generate("fractional dimension", ["normal", "--shape", "4,2.5", "--output", "w.npy"], mentions: "not an integer"),
        .generate("dimension beyond Int", ["normal", "--shape", "99999999999999999999,2", "--output", "w.npy"],
                  mentions: "does not fit in Int"),
        .generate("element count overflows Int", ["normal", "--shape", "4294967296,4294967296,4", "--output", "w.npy"],
                  mentions: "overflows Int"),
        .generate("more than physical memory", ["normal", "--shape", "1000000,1000000", "--output", "w.npy"],
                  mentions: "memory"),
        .generate("negative gain", ["orthogonal", "--shape", "4,4", "--gain", "-1", "--output", "w.npy"], mentions: "gain"),
        .generate("NaN gain", ["orthogonal", "--shape", "4,4", "--gain", "nan", "--output", "w.npy"], mentions: "gain"),
        .generate("infinite gain", ["orthogonal", "--shape", "4,4", "--gain", "inf", "--output", "w.npy"], mentions: "gain"),
        .generate("1-D orthogonal", ["orthogonal", "--shape", "512", "--output", "w.npy"], mentions: "at least 2 dimensions"),
        .generate("missing directory", ["normal", "--shape", "4,4", "--output", "missing/w.npy"], status: 1,
                  mentions: "missing/w.npy"),
        .generate("unwritable directory", ["normal", "--shape", "4,4", "--output", "locked/w.npy"], status: 1,
                  mentions: "w.npy", setup: .readOnlyDirectory),
        .generate("output is a directory", ["normal", "--shape", "4,4", "--output", "taken.npy"], status: 1,
                  mentions: "is a directory", setup: .directoryAtOutput),
        .generate("output not .npy", ["normal", "--shape", "4,4", "--output", "w.txt"], mentions: ".npy"),
        .generate("unknown dtype", ["normal", "--shape", "4,4", "--dtype", "f8", "--output", "w.npy"], mentions: "f8"),
        .generate("bf16 in .npy", ["normal", "--shape", "4,4", "--dtype", "bf16", "--output", "w.npy"], mentions: "bfloat16"),
        .generate("unknown layout", ["normal", "--shape", "4,4", "--layout", "jax", "--output", "w.npy"], mentions: "jax"),
        .generate("zero threads", ["normal", "--shape", "4,4", "--threads", "0", "--output", "w.npy"], mentions: "--threads"),
        .generate("negative threads", ["normal", "--shape", "4,4", "--threads", "-2", "--output", "w.npy"], mentions: "--threads"),
        .generate("negative seed", ["normal", "--shape", "4,4", "--seed", "-1", "--output", "w.npy"], mentions: "--seed"),
        .generate("seed beyond UInt64", ["normal", "--shape", "4,4", "--seed", "18446744073709551616", "--output", "w.npy"],
                  mentions: "--seed"),
        .generate("stream beyond UInt32", ["normal", "--shape", "4,4", "--stream", "4294967296", "--output", "w.npy"],
                  mentions: "--stream"),
        .generate("zero std", ["normal", "--shape", "4,4", "--std", "0", "--output", "w.npy"], mentions: "std"),
        .generate("empty uniform interval", ["uniform", "--shape", "4,4", "--low", "1", "--high", "1", "--output", "w.npy"],
                  mentions: "low < high"),
        .generate("constant without value", ["constant", "--shape", "4,4", "--output", "w.npy"], mentions: "--value"),
        .generate("non-finite constant", ["constant", "--shape", "4,4", "--value", "inf", "--output", "w.npy"], mentions: "finite"),
        .generate("parameter of another scheme", ["zeros", "--shape", "4,4", "--gain", "2", "--output", "w.npy"],
                  mentions: "--gain does not apply to zeros"),
        .generate("missing output", ["normal", "--shape", "4,4"], mentions: "--output"),
        .generate("missing shape", ["normal", "--output", "w.npy"], mentions: "--shape"),
        .generate("missing scheme", [], mentions: "scheme"),
        .generate("unknown option", ["normal", "--shape", "4,4", "--output", "w.npy", "--fast"], mentions: "--fast"),
        BadInput(name: "unknown subcommand", arguments: ["generat"], status: 64, mentions: "generat"),
    ]
}

@Suite struct GenerateErrorTests {
    /// Every bad input: one `error: …` line on stderr, nothing on stdout, the
    /// documented exit status, and no file left behind — neither the output
    /// nor a temporary.
    @Test(arguments: BadInput.all)
    func badInputFailsCleanly(_ input: BadInput) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var expectedFiles: [String] = []
        var arguments = input.arguments
        switch input.setup {
        case .none: break
        case .readOnlyDirectory:
            let locked = scratch.file("locked")
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked)
            expectedFiles = ["locked"]
            // root ignores permission bits; then use /proc, where nobody can create files.
            if FileManager.default.createFile(atPath: locked + "/probe", contents: nil) {
                try FileManager.default.removeItem(atPath: locked + "/probe")
                arguments = arguments.map { $0 == "locked/w.npy" ? "/proc/w.npy" : $0 }
            }
        case .directoryAtOutput:
            try FileManager.default.createDirectory(atPath: scratch.file("taken.npy"), withIntermediateDirectories: false)
            expectedFiles = ["taken.npy"]
        }

        let result = try CLI.run(arguments, in: scratch)

        #expect(result.status == input.status)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.count == 1, "stderr: \(result.stderr)")
        let line = String(result.stderrLines.first ?? "")
        #expect(line.hasPrefix("error: "), "stderr: \(result.stderr)")
        #expect(line.contains(input.mentions), "stderr: \(result.stderr)")
        #expect(try scratch.contents() == expectedFiles)
        if input.setup == .readOnlyDirectory {
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.file("locked")).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: "/proc/w.npy"))
        }
        if input.setup == .directoryAtOutput {
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.file("taken.npy")).isEmpty)
        }
    }

    /// A failed run leaves an existing file at the output path untouched.
    @Test func failedRunKeepsTheExistingFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(try CLI.run(["generate", "ones", "--shape", "2,2", "--output", "w.npy"], in: scratch).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: scratch.file("w.npy")))
        let result = try CLI.run(["generate", "normal", "--shape", "2,2", "--std", "-1", "--output", "w.npy"], in: scratch)
        #expect(result.status == 64)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.file("w.npy"))) == before)
        #expect(try scratch.contents() == ["w.npy"])
    }
}
