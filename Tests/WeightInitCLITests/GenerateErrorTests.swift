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
                  mentions: "known schemes: zeros, ones, constant, uniform, uniform-fan-in, normal, truncated-normal, "
                    + "trunc-normal, xavier-uniform, glorot-uniform"),
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
        .generate("more than physical memory", ["orthogonal", "--shape", "1000000,1000000", "--output", "w.npy"],
                  mentions: "memory"),
        // Streamed: no memory needed, but the disk is short — a failure of the environment.
        .generate("more than the free disk space", ["normal", "--shape", "100000000,100000000", "--output", "w.npy"],
                  status: 1, mentions: "file system has"),
        .generate("negative gain", ["orthogonal", "--shape", "4,4", "--gain", "-1", "--output", "w.npy"], mentions: "gain"),
        .generate("NaN gain", ["orthogonal", "--shape", "4,4", "--gain", "nan", "--output", "w.npy"], mentions: "gain"),
        .generate("infinite gain", ["orthogonal", "--shape", "4,4", "--gain", "inf", "--output", "w.npy"], mentions: "gain"),
        .generate("1-D orthogonal", ["orthogonal", "--shape", "512", "--output", "w.npy"], mentions: "at least 2 dimensions"),
        // A path that names no usable file is a wrong input; a directory the
        // system will not let us write in is a failure.
        .generate("missing directory", ["normal", "--shape", "4,4", "--output", "missing/w.npy"],
                  mentions: "missing/w.npy"),
        .generate("unwritable directory", ["normal", "--shape", "4,4", "--output", "locked/w.npy"], status: 1,
                  mentions: "w.npy", setup: .readOnlyDirectory),
        .generate("output is a directory", ["normal", "--shape", "4,4", "--output", "taken.npy"],
                  mentions: "is a directory", setup: .directoryAtOutput),
        .generate("output not .npy", ["normal", "--shape", "4,4", "--output", "w.txt"], mentions: ".npy"),
        .generate("unknown dtype", ["normal", "--shape", "4,4", "--dtype", "f8", "--output", "w.npy"], mentions: "f8"),
        .generate("bf16 in .npy", ["normal", "--shape", "4,4", "--dtype", "bf16", "--output", "w.npy"], mentions: "bf16 needs .safetensors"),
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
        // Scheme parameters.
        .generate("unknown nonlinearity", ["kaiming-normal", "--shape", "4,4", "--nonlinearity", "swish", "--output", "w.npy"],
                  mentions: "unknown --nonlinearity 'swish'; known: linear"),
        .generate("unknown mode", ["he-uniform", "--shape", "4,4", "--mode", "fan_sideways", "--output", "w.npy"],
                  mentions: "unknown --mode 'fan_sideways'; known: fan-in, fan-out, fan-avg"),
        .generate("unknown distribution", ["variance-scaling", "--shape", "4,4", "--distribution", "cauchy", "--output", "w.npy"],
                  mentions: "unknown --distribution 'cauchy'; known: normal, truncated-normal, uniform"),
        .generate("negative slope without leaky-relu", ["kaiming-uniform", "--shape", "4,4", "--negative-slope", "0.2",
                                                         "--output", "w.npy"], mentions: "only to --nonlinearity leaky-relu"),
        .generate("negative slope with tanh", ["he-normal", "--shape", "4,4", "--nonlinearity", "tanh", "--negative-slope", "0.2",
                                                "--output", "w.npy"], mentions: "not tanh"),
        .generate("NaN negative slope", ["he-normal", "--shape", "4,4", "--nonlinearity", "leaky-relu", "--negative-slope", "nan",
                                          "--output", "w.npy"], mentions: "negative slope"),
        .generate("negative slope on xavier", ["xavier-uniform", "--shape", "4,4", "--negative-slope", "0.2", "--output", "w.npy"],
                  mentions: "--negative-slope does not apply to xavier-uniform"),
        .generate("truncated on a uniform scheme", ["kaiming-uniform", "--shape", "4,4", "--truncated", "--output", "w.npy"],
                  mentions: "--truncated does not apply to kaiming-uniform"),
        .generate("mode on xavier", ["glorot-normal", "--shape", "4,4", "--mode", "fan-in", "--output", "w.npy"],
                  mentions: "--mode does not apply to xavier-normal"),
        .generate("sigmas with low", ["truncated-normal", "--shape", "4,4", "--sigmas", "2", "--low", "-1", "--output", "w.npy"],
                  mentions: "--sigmas and --low/--high"),
        .generate("sigmas with high", ["truncated-normal", "--shape", "4,4", "--sigmas", "2", "--high", "1", "--output", "w.npy"],
                  mentions: "--sigmas and --low/--high"),
        .generate("zero sigmas", ["truncated-normal", "--shape", "4,4", "--sigmas", "0", "--output", "w.npy"], mentions: "sigmas"),
        .generate("truncation bounds reversed", ["truncated-normal", "--shape", "4,4", "--low", "1", "--high", "-1",
                                                  "--output", "w.npy"], mentions: "truncation bounds"),
        .generate("truncated-normal zero std", ["truncated-normal", "--shape", "4,4", "--std", "0", "--output", "w.npy"],
                  mentions: "std"),
        .generate("sparsity 1.5", ["sparse", "--shape", "4,4", "--sparsity", "1.5", "--output", "w.npy"], mentions: "sparsity"),
        .generate("negative sparsity", ["sparse", "--shape", "4,4", "--sparsity", "-0.1", "--output", "w.npy"], mentions: "sparsity"),
        .generate("sparse without sparsity", ["sparse", "--shape", "4,4", "--output", "w.npy"], mentions: "sparse needs --sparsity"),
        .generate("sparse zero std", ["sparse", "--shape", "4,4", "--sparsity", "0.5", "--std", "0", "--output", "w.npy"],
                  mentions: "std"),
        .generate("sparse on 3-D", ["sparse", "--shape", "4,4,4", "--sparsity", "0.5", "--output", "w.npy"],
                  mentions: "2-D"),
        .generate("groups not dividing out-channels", ["dirac", "--shape", "6,4,3,3", "--groups", "4", "--output", "w.npy"],
                  mentions: "must divide the 6 output channels"),
        .generate("zero groups", ["dirac", "--shape", "6,4,3,3", "--groups", "0", "--output", "w.npy"], mentions: "groups"),
        .generate("fractional groups", ["dirac", "--shape", "6,4,3,3", "--groups", "1.5", "--output", "w.npy"],
                  mentions: "--groups"),
        .generate("dirac on 2-D", ["dirac", "--shape", "4,4", "--output", "w.npy"], mentions: "3-, 4- or 5-D"),
        .generate("dirac on 6-D", ["dirac", "--shape", "2,2,1,1,1,1", "--output", "w.npy"], mentions: "3-, 4- or 5-D"),
        .generate("eye on 3-D", ["eye", "--shape", "4,4,4", "--output", "w.npy"], mentions: "eye needs a 2-D shape"),
        .generate("identity on 1-D", ["identity", "--shape", "4", "--output", "w.npy"], mentions: "2-D"),
        .generate("xavier on 1-D", ["xavier-uniform", "--shape", "64", "--output", "w.npy"], mentions: "at least 2 dimensions"),
        .generate("he-normal on 1-D", ["he-normal", "--shape", "64", "--output", "w.npy"], mentions: "at least 2 dimensions"),
        .generate("uniform-fan-in on 1-D", ["uniform-fan-in", "--shape", "64", "--output", "w.npy"],
                  mentions: "at least 2 dimensions"),
        .generate("zero xavier gain", ["xavier-normal", "--shape", "4,4", "--gain", "0", "--output", "w.npy"], mentions: "gain"),
        .generate("negative kaiming gain", ["kaiming-normal", "--shape", "4,4", "--gain", "-1", "--output", "w.npy"],
                  mentions: "gain"),
        .generate("zero variance scale", ["variance-scaling", "--shape", "4,4", "--scale", "0", "--output", "w.npy"],
                  mentions: "scale"),
        .generate("uniform with std", ["uniform", "--shape", "4,4", "--std", "1", "--output", "w.npy"],
                  mentions: "--std does not apply to uniform; it takes --low, --high"),
        // Layouts.
        .generate("in-axis equals out-axis", ["xavier-uniform", "--shape", "4,4", "--in-axis", "0", "--out-axis", "0",
                                               "--output", "w.npy"], mentions: "distinct axes"),
        .generate("in-axis equals out-axis, counted from the end", ["zeros", "--shape", "4,4", "--in-axis", "-2",
                                                                   "--out-axis", "0", "--output", "w.npy"],
                  mentions: "distinct axes"),
        .generate("out-axis beyond the rank", ["he-uniform", "--shape", "4,4", "--in-axis", "0", "--out-axis", "2",
                                                "--output", "w.npy"], mentions: "distinct axes of a rank-2 tensor"),
        .generate("axes on a 1-D shape", ["ones", "--shape", "4", "--in-axis", "0", "--out-axis", "-1", "--output", "w.npy"],
                  mentions: "at least 2 dimensions"),
        .generate("in-axis alone", ["he-uniform", "--shape", "4,4", "--in-axis", "1", "--output", "w.npy"],
                  mentions: "--in-axis and --out-axis go together"),
        .generate("out-axis alone", ["he-uniform", "--shape", "4,4", "--out-axis", "0", "--output", "w.npy"],
                  mentions: "--in-axis and --out-axis go together"),
        .generate("axes with --layout", ["he-uniform", "--shape", "4,4", "--layout", "keras", "--in-axis", "0",
                                         "--out-axis", "1", "--output", "w.npy"], mentions: "replace --layout"),
        // recommend.
        BadInput(name: "unknown activation", arguments: ["recommend", "--activation", "softplus"], status: 64,
                 mentions: "unknown --activation 'softplus'; known: linear, identity, conv1d"),
        BadInput(name: "unknown activation, JSON", arguments: ["recommend", "--activation", "softplus", "--json"], status: 64,
                 mentions: "known: linear"),
        BadInput(name: "recommend without activation", arguments: ["recommend"], status: 64, mentions: "--activation"),
        BadInput(name: "recommend with a bad shape", arguments: ["recommend", "--activation", "relu", "--shape", "4,0"],
                 status: 64, mentions: "must be ≥ 1"),
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
