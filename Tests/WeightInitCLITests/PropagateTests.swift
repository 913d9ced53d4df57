import Foundation
import Testing

/// `weightinit propagate`: the claim shown by measurement, in every output
/// form, and bad input refused cleanly. Small networks, so each run takes a
/// fraction of a second in a debug build.
@Suite struct PropagateTests {
    /// Runs `propagate --json` and returns python's reading of the output:
    /// each expression evaluated with `d` the parsed JSON.
    static func json(_ arguments: [String], _ expressions: [String], in scratch: Scratch) throws -> [String] {
        try CLI.json(["propagate", "--json"] + arguments, expressions, in: scratch)
    }

    @Test func tableHasOneRowPerLayerAndAColumnPairPerScheme() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["propagate", "--activation", "tanh", "--depth", "4", "--width", "16", "--batch", "8"], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3 + 5)
        // The default schemes: too small, too large, recommended for tanh.
        for label in ["normal --std 0.01", "normal --std 1", "xavier-uniform --gain 1.6666666666666667"] {
            #expect(lines[1].contains(label))
        }
        #expect(lines[2].split(separator: " ") == ["layer"] + Array(repeating: ["forward", "backward"], count: 3).flatMap { $0 })
        #expect(lines.last!.hasPrefix("    4 "))
        #expect(try scratch.contents().isEmpty)
    }

    @Test func smallWeightsVanishThroughTanh() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let values = try Self.json(
            ["--activation", "tanh", "--scheme", "normal --std 0.01", "--depth", "50", "--width", "64", "--batch", "16"],
            ["d['scheme']", "len(d['forward_std']), len(d['backward_std'])", "d['forward_std'][-1] < 1e-6",
             "0.9 < d['forward_std'][0] < 1.1", "d['backward_std'][0] < 1e-6"],
            in: scratch)
        #expect(values == ["normal --std 0.01", "(51, 51)", "True", "True", "True"])
    }

    @Test func severalSchemesGiveAnArrayInOrderWithNullForOverflow() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let values = try Self.json(
            ["--activation", "relu", "--scheme", "normal --std 1", "--scheme", "normal  --std=0.0884",
             "--depth", "50", "--width", "256", "--batch", "4"],
            ["[o['scheme'] for o in d]",
             // Width 256, std 1: overflows Float (JSON null) after exploding past 1e6.
             "d[0]['forward_std'][-1] is None and max(x for x in d[0]['forward_std'] if x is not None) > 1e6",
             // std √(2/256) = 0.0884 is Kaiming's: stable.
             "all(0.1 <= x <= 10 for x in d[1]['forward_std'] + d[1]['backward_std'])"],
            in: scratch)
        #expect(values == ["['normal --std 1', 'normal --std=0.0884']", "True", "True"])
    }

    @Test func schemesFromTheTableWithTheirParameters() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let size = ["--depth", "30", "--width", "64", "--batch", "16"]
        let relu = try Self.json(
            ["--activation", "relu", "--scheme", "kaiming-normal", "--scheme", "he_normal --mode fan-out --truncated"] + size,
            ["[o['scheme'] for o in d]", "all(0.1 <= x <= 10 for o in d for x in o['forward_std'] + o['backward_std'])"],
            in: scratch)
        #expect(relu == ["['kaiming-normal', 'he_normal --mode fan-out --truncated']", "True"])
        let selu = try Self.json(
            ["--activation", "selu", "--scheme", "lecun-normal"] + size,
            ["all(0.8 <= x <= 1.2 for x in d['forward_std'])"], in: scratch)
        #expect(selu == ["True"])
    }

    @Test func plotIsAnSVGWithALinePerSchemeAndPass() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(
            ["propagate", "--activation", "relu", "--scheme", "normal --std 0.01", "--scheme", "normal --std 1",
             "--depth", "30", "--width", "64", "--batch", "8", "--plot", "p.svg"], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try scratch.contents() == ["p.svg"])   // no temporary left beside it
        let script = """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            ns = '{http://www.w3.org/2000/svg}'
            lines = root.iter(ns + 'polyline')
            print(len([l for l in lines if l.get('stroke-dasharray')]) > 0)
            texts = ' '.join(''.join(t.itertext()) for t in root.iter(ns + 'text'))
            print('normal --std 0.01' in texts and 'normal --std 1' in texts and 'layer' in texts)
            # Log axis: ticks at whole decades (the exponents), in order.
            exponents = [int(t.text) for t in root.iter(ns + 'tspan')]
            print(len(exponents) >= 3 and exponents == sorted(exponents))
            # At width 64 std 1 grows ×5.7 a layer (1e22 at layer 30) and std 0.01
            # shrinks ×0.057 (1e-38): both stay finite, so no off-scale markers.
            print(len(list(root.iter(ns + 'circle'))) == 0)
            """
        #expect(try Numpy.run(script, [scratch.file("p.svg")]) == "True\nTrue\nTrue\nTrue")
    }

    @Test func plotMarksWhereALineLeavesTheScale() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // Width 256, std 1, ReLU: Float overflows near layer 37.
        let result = try CLI.run(
            ["propagate", "--activation", "relu", "--scheme", "normal --std 1", "--depth", "50", "--width", "256",
             "--batch", "2", "--plot", "o.svg"], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let svg = try String(contentsOfFile: scratch.file("o.svg"), encoding: .utf8)
        #expect(svg.contains("<circle") && svg.contains("off scale: overflow (top)"))
    }

    static let badInputs: [(String, [String], String)] = [
        ("depth 0", ["--depth", "0"], "--depth"),
        ("negative width", ["--width", "-1"], "--width"),
        ("batch 0", ["--batch", "0"], "--batch"),
        ("unknown activation", ["--activation", "swish"], "swish"),
        ("unknown scheme", ["--scheme", "glorot-gaussian"], "glorot-gaussian"),
        ("scheme without a name", ["--scheme", "--std 1"], "scheme name"),
        ("bad scheme parameter", ["--scheme", "normal --std -1"], "std"),
        ("parameter of another scheme", ["--scheme", "zeros --gain 2"], "--gain"),
        ("unknown scheme option", ["--scheme", "kaiming-normal --foo 1"], "--foo"),
        ("flag with a value", ["--scheme", "xavier-normal --truncated 1"], "--truncated"),
        ("choice without a value", ["--scheme", "kaiming-normal --mode"], "--mode"),
        ("unknown choice", ["--scheme", "kaiming-normal --mode fan-sideways"], "fan-sideways"),
        ("plot not .svg", ["--plot", "p.png"], ".svg"),
        ("plot in a missing directory", ["--plot", "missing/p.svg"], "missing/p.svg"),
        ("plot in /proc", ["--plot", "/proc/p.svg"], "/proc/p.svg"),
        ("zero threads", ["--threads", "0"], "--threads"),
        ("slope without leaky-relu", ["--activation", "relu", "--negative-slope", "0.2"], "--negative-slope"),
    ]

    @Test(arguments: badInputs.indices)
    func badInputFailsWithOneLineAndNoFile(_ index: Int) throws {
        let (name, arguments, mentions) = Self.badInputs[index]
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["propagate", "--depth", "3", "--width", "8", "--batch", "4"] + arguments, in: scratch)
        #expect(result.status != 0, "\(name)")
        #expect(result.stdout.isEmpty, "\(name): \(result.stdout)")
        #expect(result.stderrLines.count == 1, "\(name): \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(mentions), "\(name): \(result.stderr)")
        #expect(try scratch.contents().isEmpty, "\(name)")
        #expect(!FileManager.default.fileExists(atPath: "/proc/p.svg"))
    }

    @Test func helpShowsExamples() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["propagate", "--help"], in: scratch)
        #expect(result.status == 0)
        #expect(result.stdout.contains("Examples:"))
        #expect(result.stdout.contains(#"--scheme "normal --std 0.01" --scheme xavier-normal --plot tanh.svg"#))
        for option in ["--activation", "--scheme", "--depth", "--width", "--batch", "--seed", "--json", "--plot"] {
            #expect(result.stdout.contains(option))
        }
    }
}
