import Testing

/// `--help` output: every subcommand shows examples, `generate` lists every scheme.
@Suite struct HelpTests {
    /// The help text with shell line continuations joined, so a wrapped
    /// example reads as the one command line it is.
    static func joined(_ help: String) -> String {
        help.replacingOccurrences(of: #" \\\n +"#, with: " ", options: .regularExpression)
    }

    @Test(arguments: [["--help"], ["-h"], []])
    func rootHelpShowsExamples(arguments: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(arguments, in: scratch)
        #expect(result.status == 0)
        let help = Self.joined(result.stdout)
        #expect(help.contains("weightinit generate orthogonal --shape 512,256 --seed 42 --output w.npy"))
        #expect(help.contains("weightinit generate kaiming-normal --shape 256,128 --nonlinearity relu --output w.npy"))
        #expect(help.contains("weightinit recommend --activation relu"))
        #expect(help.contains("generate") && help.contains("recommend"))
    }

    @Test(arguments: [["generate", "--help"], ["help", "generate"]])
    func generateHelpListsSchemesAndExamples(arguments: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(arguments, in: scratch)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let help = Self.joined(result.stdout)
        #expect(help.contains("Examples:"))
        #expect(help.contains("weightinit generate orthogonal --shape 512,256 --seed 42 --output w.npy"))
        #expect(help.contains("weightinit generate kaiming-normal --shape 256,128 --nonlinearity relu --output w.npy"))
        for names in [
            "zeros", "ones", "constant", "uniform", "uniform-fan-in", "normal", "truncated-normal",
            "xavier-uniform, glorot-uniform", "xavier-normal, glorot-normal", "kaiming-uniform, he-uniform",
            "kaiming-normal, he-normal", "lecun-uniform", "lecun-normal", "variance-scaling", "orthogonal",
            "eye, identity", "dirac", "sparse",
        ] {
            #expect(help.contains("\n  \(names)\n"), "scheme \(names) missing from the help")
        }
        // Defaults come from the table.
        #expect(help.contains("--mode fan-in, --nonlinearity relu"))
        #expect(help.contains("--scale 1, --mode fan-in, --distribution truncated-normal"))
        #expect(help.contains("--sparsity (required), --std 0.01"))
        for option in ["--shape", "--seed", "--stream", "--dtype", "--layout", "--in-axis", "--out-axis", "--threads",
                       "--output", "--gain", "--mean", "--std", "--low", "--high", "--sigmas", "--value", "--scale",
                       "--mode", "--nonlinearity", "--negative-slope", "--truncated", "--distribution", "--groups",
                       "--sparsity"] {
            #expect(help.contains(option + " "), "option \(option) missing from the help")
        }
        #expect(try scratch.contents().isEmpty)
    }

    @Test(arguments: [["recommend", "--help"], ["help", "recommend"]])
    func recommendHelpShowsExamples(arguments: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(arguments, in: scratch)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.contains("Examples:"))
        #expect(result.stdout.contains("weightinit recommend --activation relu\n"))
        #expect(result.stdout.contains("--json"))
        #expect(result.stdout.contains("relu, leaky-relu"))
    }
}
