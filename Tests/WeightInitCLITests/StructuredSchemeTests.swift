import Foundation
import Testing

/// Schemes whose output is fixed (zeros, ones, constant, eye, dirac) or
/// structured (sparse), compared with references built by numpy.
@Suite struct StructuredSchemeTests {
    /// A run and a Python expression, over `w` (the array read back), that
    /// must be `True`.
    struct Case: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let check: String
        var testDescription: String { arguments.joined(separator: " ") }
        var scheme: String { arguments[0] }
    }

    /// PyTorch's `dirac_` written out for torch layout (out, in, k…):
    /// w[g·(out/groups) + d, d, centre] = 1 for d < min(out/groups, in).
    static let prelude = """
        def dirac(shape, groups):
            w = numpy.zeros(shape)
            per = shape[0] // groups
            centre = tuple(k // 2 for k in shape[2:])
            for g in range(groups):
                for d in range(min(per, shape[1])):
                    w[(g * per + d, d) + centre] = 1
            return w
        """

    static let cases: [Case] = [
        Case(arguments: ["zeros", "--shape", "3,4,5"], check: "w.shape == (3, 4, 5) and w.dtype == numpy.float32 and (w == 0).all()"),
        Case(arguments: ["ones", "--shape", "7", "--dtype", "f64"], check: "w.shape == (7,) and w.dtype == numpy.float64 and (w == 1).all()"),
        Case(arguments: ["constant", "--value", "-0.375", "--shape", "2,3", "--dtype", "f16"],
             check: "w.dtype == numpy.float16 and (w == -0.375).all()"),
        Case(arguments: ["eye", "--shape", "3,5", "--gain", "0.5"], check: "(w == 0.5 * numpy.eye(3, 5)).all()"),
        Case(arguments: ["identity", "--shape", "6,4"], check: "(w == numpy.eye(6, 4)).all()"),
        Case(arguments: ["eye", "--shape", "4,4", "--layout", "keras", "--gain", "2"], check: "(w == 2 * numpy.eye(4)).all()"),
        Case(arguments: ["dirac", "--shape", "8,4,3,3", "--groups", "2"],
             check: "w.shape == (8, 4, 3, 3) and (w == dirac((8, 4, 3, 3), 2)).all()"),
        Case(arguments: ["dirac", "--shape", "5,3,4"], check: "(w == dirac((5, 3, 4), 1)).all()"),
        Case(arguments: ["dirac", "--shape", "4,6,3,3,3", "--groups", "2"],
             check: "(w == dirac((4, 6, 3, 3, 3), 2)).all()"),
        // Keras layout (k…, in, out): the torch weight with its axes reversed.
        Case(arguments: ["dirac", "--shape", "3,3,4,8", "--groups", "2", "--layout", "keras"],
             check: "(w == dirac((8, 4, 3, 3), 2).transpose(2, 3, 1, 0)).all()"),
        Case(arguments: ["dirac", "--shape", "3,4,8,3", "--groups", "2", "--in-axis", "1", "--out-axis", "2"],
             check: "(w == dirac((8, 4, 3, 3), 2).transpose(2, 1, 0, 3)).all()"),
        // Sparse: exactly ⌈sparsity·rows⌉ zeros in every column (⌈25.5⌉ = 26),
        // the rest N(0, std²) — six standard errors of the standard deviation.
        Case(arguments: ["sparse", "--shape", "100,60", "--sparsity", "0.255"],
             check: "w.shape == (100, 60) and ((w == 0).sum(axis=0) == 26).all() "
                + "and abs(w[w != 0].std() - 0.01) < 6 * 0.01 / (2 * 74 * 60) ** 0.5"),
        Case(arguments: ["sparse", "--shape", "40,30", "--sparsity", "0.1", "--std", "2", "--dtype", "f64"],
             check: "w.dtype == numpy.float64 and ((w == 0).sum(axis=0) == 4).all() "
                + "and abs(w[w != 0].std() - 2) < 6 * 2 / (2 * 36 * 30) ** 0.5"),
        Case(arguments: ["sparse", "--shape", "10,5", "--sparsity", "1"], check: "(w == 0).all()"),
        Case(arguments: ["sparse", "--shape", "10,5", "--sparsity", "0"], check: "(w != 0).all()"),
    ]

    @Test func exactAndStructuredOutputs() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // A failed run is reported and left out; the others are still checked.
        var written: [Int] = []
        for (index, run) in Self.cases.enumerated() {
            let result = try CLI.run(["generate"] + run.arguments + ["--seed", "9", "--output", "s\(index).npy"], in: scratch)
            #expect(result.status == 0, "\(run.testDescription): \(result.stderr)")
            if result.status == 0 { written.append(index) }
        }
        let verdicts = try Numpy.evaluate(
            written.map { "(lambda w: bool(\(Self.cases[$0].check)))(load('s\($0).npy'))" },
            in: scratch.output, prelude: Self.prelude)
        #expect(verdicts.count == written.count)
        for (index, verdict) in zip(written, verdicts) {
            #expect(verdict == "True", "\(Self.cases[index].testDescription): \(Self.cases[index].check)")
        }
    }
}

/// Every scheme name and alias the tool accepts has a read-back test.
@Suite struct SchemeCoverageTests {
    @Test func everyNameAndAliasIsTested() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // The unknown-scheme error lists every accepted name.
        let result = try CLI.run(["generate", "no-such-scheme", "--shape", "2,2", "--output", "w.npy"], in: scratch)
        let line = String(result.stderrLines.first ?? "")
        let marker = "known schemes: "
        let listed = try #require(line.range(of: marker).map { line[$0.upperBound...] }, "stderr: \(result.stderr)")
        let accepted = Set(listed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(accepted.count >= 23)
        let tested = Set(SchemeFormulaTests.cases.map(\.scheme))
            .union(StructuredSchemeTests.cases.map(\.scheme))
            .union(["orthogonal", "delta-orthogonal"])  // GenerateTests.orthogonal, OrthogonalCLITests
        #expect(accepted.subtracting(tested).isEmpty, "untested: \(accepted.subtracting(tested).sorted())")
        #expect(tested.subtracting(accepted).isEmpty, "not accepted: \(tested.subtracting(accepted).sorted())")
    }
}
