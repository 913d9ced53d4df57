import Testing

/// `--help` output: every subcommand shows an example, `generate` lists every scheme.
@Suite struct HelpTests {
    @Test(arguments: [["--help"], ["-h"], []])
    func rootHelpShowsAnExample(arguments: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(arguments, in: scratch)
        #expect(result.status == 0)
        #expect(result.stdout.contains("weightinit generate orthogonal --shape 512,256 --seed 42 --output w.npy"))
        #expect(result.stdout.contains("generate"))
    }

    @Test(arguments: [["generate", "--help"], ["help", "generate"]])
    func generateHelpListsSchemesAndExamples(arguments: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(arguments, in: scratch)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.contains("Examples:"))
        #expect(result.stdout.contains("weightinit generate orthogonal --shape 512,256 --seed 42 --output w.npy"))
        for scheme in ["orthogonal", "zeros", "ones", "constant", "uniform", "normal"] {
            #expect(result.stdout.contains("\n  \(scheme) "), "scheme \(scheme) missing from the help")
        }
        for option in ["--shape", "--seed", "--stream", "--dtype", "--layout", "--threads", "--output", "--gain"] {
            #expect(result.stdout.contains(option))
        }
        #expect(try scratch.contents().isEmpty)
    }
}
