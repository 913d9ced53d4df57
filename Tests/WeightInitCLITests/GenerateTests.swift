import Foundation
import Testing

/// Good runs of `weightinit generate`, read back with numpy.
@Suite struct GenerateTests {
    /// Runs `weightinit generate arguments` in `scratch`; expects success and
    /// the one-line summary naming the output, shape and dtype.
    func generate(_ arguments: [String], in scratch: Scratch) throws -> CLI.Result {
        let result = try CLI.run(["generate"] + arguments, in: scratch)
        try #require(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.split(separator: "\n").count == 1, "stdout: \(result.stdout)")
        return result
    }

    @Test func normalFloat32() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try generate(
            ["normal", "--shape", "128,64", "--seed", "42", "--mean", "0.5", "--std", "2", "--output", "w.npy"], in: scratch)
        #expect(result.stdout.contains("w.npy") && result.stdout.contains("shape 128,64") && result.stdout.contains("dtype f32"))

        let (shape, dtype, values) = try Numpy.load(scratch.file("w.npy"), ["d.mean()", "d.std()"])
        #expect(shape == "(128, 64)")
        #expect(dtype == "float32")
        // Six standard errors: σ/√n for the mean, σ/√(2n) for the standard deviation.
        let n = 128.0 * 64
        #expect(abs(values[0] - 0.5) < 6 * 2 / n.squareRoot())
        #expect(abs(values[1] - 2) < 6 * 2 / (2 * n).squareRoot())
        #expect(try scratch.contents() == ["w.npy"])
    }

    @Test func uniformFloat64ThreeDimensions() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try generate(
            ["uniform", "--shape", "10,20,30", "--low", "-2", "--high", "3", "--dtype", "f64", "--output", "u.npy"], in: scratch)
        let (shape, dtype, values) = try Numpy.load(scratch.file("u.npy"), ["d.min()", "d.max()", "d.mean()"])
        #expect(shape == "(10, 20, 30)")
        #expect(dtype == "float64")
        #expect(values[0] >= -2 && values[1] < 3)
        #expect(abs(values[2] - 0.5) < 6 * (5 / 12.0.squareRoot()) / 6000.0.squareRoot())
    }

    #if arch(x86_64) || arch(arm64)
    @Test func normalFloat16() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try generate(["normal", "--shape", "32,32", "--dtype", "f16", "--output", "h.npy"], in: scratch)
        #expect(result.stdout.contains("dtype f16"))
        let (shape, dtype, values) = try Numpy.load(scratch.file("h.npy"), ["numpy.isfinite(d).all()", "d.std()"])
        #expect(shape == "(32, 32)")
        #expect(dtype == "float16")
        #expect(values[0] == 1)
        #expect(abs(values[1] - 1) < 6 / 2048.0.squareRoot())
    }
    #endif

    @Test(arguments: [
        (["zeros"], 0.0), (["ones"], 1.0), (["constant", "--value", "-0.375"], -0.375),
    ])
    func constantSchemes(arguments: [String], expected: Double) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try generate(arguments + ["--shape", "3,4,5", "--output", "c.npy"], in: scratch)
        let (shape, _, values) = try Numpy.load(scratch.file("c.npy"), ["d.min()", "d.max()"])
        #expect(shape == "(3, 4, 5)")
        #expect(values == [expected, expected])
    }

    /// The values depend on seed and stream, never on the thread count.
    @Test func reproducible() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let base = ["normal", "--shape", "300,500", "--seed", "7"]
        _ = try generate(base + ["--threads", "1", "--output", "a.npy"], in: scratch)
        _ = try generate(base + ["--threads", "2", "--output", "b.npy"], in: scratch)
        _ = try generate(base + ["--stream", "1", "--output", "c.npy"], in: scratch)
        _ = try generate(["normal", "--shape", "300,500", "--seed", "8", "--output", "d.npy"], in: scratch)
        let read = { try Data(contentsOf: URL(fileURLWithPath: scratch.file($0))) }
        #expect(try read("a.npy") == read("b.npy"))
        #expect(try read("a.npy") != read("c.npy"))
        #expect(try read("a.npy") != read("d.npy"))
    }

    @Test func layoutIsRecordedAndOutputReplaced() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try generate(["zeros", "--shape", "2,3", "--output", "w.npy"], in: scratch)
        let result = try generate(["ones", "--shape", "4,5", "--layout", "keras", "--output", "w.npy"], in: scratch)
        #expect(result.stdout.contains("layout keras"))
        let (shape, _, values) = try Numpy.load(scratch.file("w.npy"), ["d.min()"])
        #expect(shape == "(4, 5)" && values == [1])
        #expect(try scratch.contents() == ["w.npy"])
    }

    /// Keras' and PyTorch's spellings (`_`, capitals) name the same schemes and choices.
    @Test func kerasSpellings() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let arguments = ["--shape", "8,4", "--seed", "5", "--output"]
        _ = try generate(["glorot_uniform"] + arguments + ["a.npy"], in: scratch)
        _ = try generate(["xavier-uniform"] + arguments + ["b.npy"], in: scratch)
        _ = try generate(["He_Normal", "--mode", "fan_out", "--nonlinearity", "Leaky_ReLU"] + arguments + ["c.npy"], in: scratch)
        _ = try generate(["kaiming-normal", "--mode", "fan-out", "--nonlinearity", "leaky-relu"] + arguments + ["d.npy"],
                         in: scratch)
        let read = { try Data(contentsOf: URL(fileURLWithPath: scratch.file($0))) }
        #expect(try read("a.npy") == read("b.npy"))
        #expect(try read("c.npy") == read("d.npy"))
    }

    // MARK: Orthogonal (needs Orthogonal.fill, implemented on the ortho branch)

    /// max |W Wᵀ − gain² I| for a wide matrix (rows orthonormal) or
    /// max |Wᵀ W − gain² I| for a tall one, after flattening to rows × rest.
    static let orthogonalityError =
        "(lambda m: abs((m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m) - G * numpy.eye(min(m.shape))).max())"
        + "(d.reshape(d.shape[0], -1))"

    @Test(arguments: [
        (["256,512"], 1.0, "(256, 512)"),
        (["512,256"], 1.0, "(512, 256)"),
        (["64,64"], 1.0, "(64, 64)"),
        (["32,8,3", "--gain", "2"], 2.0, "(32, 8, 3)"),
    ])
    func orthogonal(shape: [String], gain: Double, numpyShape: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try generate(["orthogonal", "--seed", "3", "--output", "q.npy", "--shape"] + shape, in: scratch)
        let error = Self.orthogonalityError.replacingOccurrences(of: "G", with: "\(gain * gain)")
        let (readShape, dtype, values) = try Numpy.load(scratch.file("q.npy"), [error])
        #expect(readShape == numpyShape)
        #expect(dtype == "float32")
        #expect(values[0] < 1e-5 * gain * gain, "max |WWᵀ − gain²I| = \(values[0])")
    }
}
