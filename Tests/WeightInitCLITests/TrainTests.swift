import Foundation
import Testing

/// `weightinit train`: every output form, reproducibility, and bad input
/// refused cleanly. Tiny networks (a few hundred milliseconds a run in a
/// debug build); the claims themselves are pinned by `TrainingTests` in the
/// analysis layer, at a size where they are measured with margin.
@Suite struct TrainTests {
    /// Small enough to run in a moment, big enough to have every part.
    static let small = ["--depth", "2", "--width", "8", "--samples", "32", "--batch", "8", "--epochs", "3", "--threads", "1"]

    /// Runs `train --json` and returns python's reading of the output:
    /// each expression evaluated with `d` the parsed JSON.
    static func json(_ arguments: [String], _ expressions: [String], in scratch: Scratch) throws -> [String] {
        try CLI.json(["train", "--json"] + arguments, expressions, in: scratch)
    }

    @Test func tablesHaveARowPerEpochLayerAndScheme() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["train"] + Self.small, in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Summary; curves (title, labels, header, epochs 0…3); gradient norms
        // (title, header, 3 layers); distinct units (title, header, 2 layers);
        // outcomes (title, header, 4 schemes, baseline); blank lines between.
        #expect(lines.count == 1 + (3 + 4) + 1 + (2 + 3) + 1 + (2 + 2) + 1 + (2 + 4 + 1), "\(lines)")
        // The default schemes: equal, too small, too large, recommended for ReLU.
        for label in ["zeros", "normal --std 0.01", "normal --std 1", "kaiming-normal --mode fan-in --nonlinearity relu"] {
            #expect(lines[2].contains(label))
            #expect(lines.contains { $0.hasPrefix(label + " ") })
        }
        #expect(lines[3].split(separator: " ") == ["epoch"] + Array(repeating: ["held-out", "acc", "train", "acc"], count: 4).flatMap { $0 })
        #expect(lines[4].hasPrefix("    0 ") && lines[7].hasPrefix("    3 "))
        #expect(lines.last!.hasPrefix("linear baseline "))
        // Zeros: one unit per layer from start to end.
        let distinct = try #require(lines.firstIndex { $0.hasPrefix("# distinct units") })
        #expect(Array(lines[distinct + 2].split(separator: " ").prefix(4)) == ["1", "1", "->", "1"])
        #expect(try scratch.contents().isEmpty)
    }

    @Test func jsonHasEveryFieldPerRun() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // Deep and wide enough for N(0, 1) to overflow at once.
        let values = try Self.json(
            ["--depth", "6", "--width", "32", "--samples", "32", "--batch", "8", "--epochs", "3", "--threads", "1",
             "--scheme", "zeros", "--scheme", "kaiming-normal", "--scheme", "normal --std 1"],
            ["sorted(d)", "[r['scheme'] for r in d['runs']]",
             "[sorted(r) for r in d['runs']][0]",
             "[len(r['loss']) for r in d['runs']], [len(r['accuracy']) for r in d['runs']]",
             "[len(r['distinct_units_start']) for r in d['runs']], [len(r['first_step_grad_norm']) for r in d['runs']]",
             "d['runs'][0]['distinct_units_end'], d['runs'][1]['distinct_units_start']",
             "d['runs'][0]['first_step_grad_norm'] == [0] * 7",
             "d['runs'][2]['diverged_epoch'], d['runs'][2]['loss'][-1], d['runs'][0]['diverged_epoch']",
             "all(r['epochs_to_target'] is None or type(r['epochs_to_target']) is int for r in d['runs'])",
             "len(d['linear_baseline']['loss']), d['depth'], d['epochs'], d['lr'], d['threads']"],
            in: scratch)
        #expect(values == [
            "['activation', 'batch', 'depth', 'epochs', 'linear_baseline', 'lr', 'momentum', 'runs', 'samples', 'seed', 'target_accuracy', 'task', 'threads', 'width']",
            "['zeros', 'kaiming-normal', 'normal --std 1']",
            "['accuracy', 'distinct_units_end', 'distinct_units_start', 'diverged_epoch', 'epochs_to_target', 'first_step_grad_norm', 'loss', 'scheme', 'train_accuracy', 'train_loss']",
            "([4, 4, 2], [4, 4, 2])",
            "([6, 6, 6], [7, 7, 7])",
            "([1, 1, 1, 1, 1, 1], [32, 32, 32, 32, 32, 32])",
            "True",
            "(1, None, None)",
            "True",
            "(4, 6, 3, 0.1, 1)",
        ])
    }

    @Test func plotHasALossAndAnAccuracyPanelPerSchemeAndMarksDivergence() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(
            ["train", "--depth", "6", "--width", "32", "--samples", "32", "--batch", "8", "--epochs", "3",
             "--threads", "1", "--scheme", "kaiming-normal", "--scheme", "normal --std 1", "--plot", "t.svg"], in: scratch)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try scratch.contents() == ["t.svg"])   // no temporary left beside it
        let script = """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            ns = '{http://www.w3.org/2000/svg}'
            print(len(list(root.iter(ns + 'clipPath'))))
            texts = ' '.join(''.join(t.itertext()) for t in root.iter(ns + 'text'))
            print('kaiming-normal' in texts and 'normal --std 1' in texts and 'epoch' in texts and 'linear baseline' in texts)
            # Log axis of the loss panels: ticks at whole decades.
            print(len([t for t in root.iter(ns + 'tspan')]) >= 4)
            # N(0, 1) diverged: markers on its two loss curves and its accuracy
            # curve, plus the legend's.
            print(len(list(root.iter(ns + 'circle'))))
            print(len([l for l in root.iter(ns + 'polyline') if l.get('stroke-dasharray')]) > 0)
            """
        #expect(try Numpy.run(script, [scratch.file("t.svg")]) == "4\nTrue\nTrue\n4\nTrue")
    }

    @Test(arguments: ["1", "2"])
    func outputIsBitReproducibleForASeedAndThreadCount(threads: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var arguments = ["train", "--json", "--activation", "tanh", "--scheme", "xavier-normal", "--scheme", "orthogonal"]
            + Self.small.dropLast(2) + ["--threads", threads]
        let first = try CLI.run(arguments, in: scratch)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(try CLI.run(arguments, in: scratch).stdout == first.stdout)
        arguments += ["--seed", "1"]
        #expect(try CLI.run(arguments, in: scratch).stdout != first.stdout)
    }

    static let badInputs: [(String, [String], String)] = [
        ("depth 0", ["--depth", "0"], "--depth"),
        ("negative width", ["--width", "-3"], "--width"),
        ("epochs 0", ["--epochs", "0"], "--epochs"),
        ("batch 0", ["--batch", "0"], "--batch"),
        ("one sample", ["--samples", "1"], "--samples"),
        ("lr 0", ["--lr", "0"], "--lr"),
        ("negative lr", ["--lr", "-0.1"], "--lr"),
        ("lr nan", ["--lr", "nan"], "--lr"),
        ("lr not a number", ["--lr", "fast"], "--lr"),
        ("momentum 1", ["--momentum", "1"], "--momentum"),
        ("target 0", ["--target", "0"], "--target"),
        ("target above 1", ["--target", "1.5"], "--target"),
        ("zero threads", ["--threads", "0"], "--threads"),
        ("unknown activation", ["--activation", "swish"], "swish"),
        ("slope without leaky-relu", ["--negative-slope", "0.2"], "--negative-slope"),
        ("unknown scheme", ["--scheme", "glorot-gaussian"], "glorot-gaussian"),
        ("nonsense scheme", ["--scheme", "normal --std banana"], "banana"),
        ("scheme without a name", ["--scheme", "--std 1"], "scheme name"),
        ("bad scheme parameter", ["--scheme", "normal --std -1"], "std"),
        ("scheme for other shapes", ["--scheme", "dirac"], "dirac"),
        ("plot not .svg", ["--plot", "p.png"], ".svg"),
    ]

    /// Every mistake in the arguments: exit 64, one line, nothing written
    /// (each run also asks for a plot).
    @Test(arguments: badInputs.indices)
    func badInputFailsWithOneLineExit64AndNoFile(_ index: Int) throws {
        let (name, arguments, mentions) = Self.badInputs[index]
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["train", "--plot", "ok.svg"] + Self.small + arguments, in: scratch)
        #expect(result.status == 64, "\(name)")
        #expect(result.stdout.isEmpty, "\(name): \(result.stdout)")
        #expect(result.stderrLines.count == 1, "\(name): \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(mentions), "\(name): \(result.stderr)")
        #expect(try scratch.contents().isEmpty, "\(name)")
    }

    /// A plot in a directory that does not exist is a wrong input (64, the
    /// README's exit-status table), found before training.
    @Test func plotInAMissingDirectoryFailsBeforeTraining() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["train", "--plot", "missing/p.svg"] + Self.small, in: scratch)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.count == 1 && result.stderr.contains("missing/p.svg"), "\(result.stderr)")
        #expect(try scratch.contents().isEmpty)
    }

    @Test func helpShowsExamplesAndOptions() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["train", "--help"], in: scratch)
        #expect(result.status == 0)
        let help = HelpTests.joined(result.stdout)
        #expect(help.contains("Examples:"))
        #expect(help.contains(#"weightinit train --activation tanh --scheme "normal --std 0.01" --scheme xavier-uniform --plot tanh.svg"#))
        for option in ["--activation", "--scheme", "--depth", "--width", "--epochs", "--lr", "--momentum", "--batch",
                       "--samples", "--target", "--seed", "--threads", "--json", "--plot"] {
            #expect(help.contains(option), "\(option)")
        }
        let root = try CLI.run(["--help"], in: scratch)
        #expect(root.stdout.contains("train"))
    }
}
