import Foundation
import Testing

/// `generate orthogonal --method/--blocks` and `generate delta-orthogonal`,
/// read back with numpy.
@Suite struct OrthogonalCLITests {
    /// A repr'd number, NaN (failing every comparison) if it is not one.
    func number(_ repr: String) -> Double { Double(repr) ?? .nan }

    func generate(_ arguments: [String], in scratch: Scratch) throws -> CLI.Result {
        let result = try CLI.run(["generate"] + arguments, in: scratch)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return result
    }

    /// max |W Wᵀ − g²I| (wide) or |Wᵀ W − g²I| (tall) of a 2-D array, as a
    /// Python float (numpy 2 prints its own scalars as `np.float64(…)`).
    static func orthogonality(_ array: String, gain: Double) -> String {
        "float((lambda m: abs((m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m) - \(gain * gain) * numpy.eye(min(m.shape))).max())"
            + "(\(array).reshape(\(array).shape[0], -1).astype(numpy.float64)))"
    }

    @Test func methodsAreOrthogonalAndDiffer() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        for method in ["qr", "householder"] {
            _ = try generate(["orthogonal", "--method", method, "--shape", "48,20", "--seed", "5",
                              "--output", "\(method).npy"], in: scratch)
        }
        _ = try generate(["orthogonal", "--shape", "48,20", "--seed", "5", "--output", "default.npy"], in: scratch)
        let values = try Numpy.evaluate([
            Self.orthogonality("load('qr.npy')", gain: 1),
            Self.orthogonality("load('householder.npy')", gain: 1),
            "float(abs(load('qr.npy') - load('householder.npy')).max())",
            "bool((load('default.npy') == load('householder.npy')).all())",
        ], in: scratch.output)
        #expect(number(values[0]) < 1e-5)
        #expect(number(values[1]) < 1e-5)
        #expect(number(values[2]) > 0.1, "the methods read the stream differently")
        #expect(values[3] == "True", "householder is the default")
    }

    /// LSTM: 4 gate blocks of 16 × 16, each orthogonal times the gain.
    @Test func blocksAreEachOrthogonal() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try generate(["orthogonal", "--blocks", "4", "--gain", "2", "--shape", "64,16", "--output", "w.npy"], in: scratch)
        let blocks = (0..<4).map { Self.orthogonality("load('w.npy')[\($0 * 16):\(($0 + 1) * 16)]", gain: 2) }
        let values = try Numpy.evaluate(blocks + [Self.orthogonality("load('w.npy')", gain: 2)], in: scratch.output)
        for value in values.prefix(4) { #expect(number(value) < 1e-4) }
        #expect(number(values[4]) > 1, "the stacked weight as a whole is not orthogonal")
    }

    @Test(arguments: [(["--shape", "8,4,3,3"], "w[:, :, 1, 1]", "w[:, :, [0, 2], :]"),
                      (["--shape", "3,3,4,8", "--layout", "keras"], "w[1, 1].T", "w[[0, 2], :, :, :]")])
    func deltaOrthogonal(shape: [String], centre: String, offCentre: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try generate(["delta-orthogonal", "--gain", "1.5", "--output", "w.npy"] + shape, in: scratch)
        let w = "load('w.npy')"
        let values = try Numpy.evaluate([
            Self.orthogonality(centre.replacingOccurrences(of: "w", with: w), gain: 1.5),
            "bool((\(offCentre.replacingOccurrences(of: "w", with: w)) == 0).all())",
            "int((\(w) != 0).sum())",
        ], in: scratch.output)
        #expect(number(values[0]) < 1e-5)
        #expect(values[1] == "True")
        #expect((Int(values[2]) ?? .max) <= 32)
    }

    @Test(arguments: [
        (["orthogonal", "--method", "svd", "--shape", "4,4"], "unknown --method 'svd'; known: qr, householder"),
        (["orthogonal", "--blocks", "3", "--shape", "16,4"], "must divide the 16 rows"),
        (["orthogonal", "--blocks", "4", "--shape", "16,8"], "square blocks"),
        (["orthogonal", "--blocks", "0", "--shape", "16,4"], "must be ≥ 1"),
        (["delta-orthogonal", "--shape", "4,8,3,3"], "out ≥ in"),
        (["normal", "--blocks", "2", "--shape", "4,4"], "--blocks"),
    ])
    func badArguments(arguments: [String], mentions: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CLI.run(["generate"] + arguments + ["--output", "w.npy"], in: scratch)
        #expect(result.status != 0)
        #expect(result.stderr.contains(mentions), "\(arguments): \(result.stderr)")
        #expect(try scratch.contents().isEmpty, "no file after an error")
    }
}
