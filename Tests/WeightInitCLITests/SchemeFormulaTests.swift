import Foundation
import Testing

/// The distribution each scheme should produce, worked out here from the
/// papers' formulas and the fans of the shape — independently of the library.
enum Reference {
    /// (fan_in, fan_out) of `shape`: torch (out, in, kernel…), keras
    /// (kernel…, in, out), each times the product of the kernel dimensions.
    static func fans(_ shape: [Int], keras: Bool = false) -> (fanIn: Double, fanOut: Double) {
        let (input, output) = keras ? (shape.count - 2, shape.count - 1) : (1, 0)
        let receptive = shape.indices.filter { $0 != input && $0 != output }.reduce(1) { $0 * shape[$1] }
        return (Double(shape[input] * receptive), Double(shape[output] * receptive))
    }

    static func phi(_ x: Double) -> Double { exp(-x * x / 2) / (2 * Double.pi).squareRoot() }
    static func Phi(_ x: Double) -> Double { (1 + erf(x / 2.0.squareRoot())) / 2 }

    /// Mean and standard deviation of N(mean, std²) truncated to [low, high]
    /// (Johnson, Kotz & Balakrishnan, "Continuous Univariate Distributions", §10.1).
    static func truncatedMoments(mean: Double, std: Double, low: Double, high: Double) -> (mean: Double, std: Double) {
        let (a, b) = ((low - mean) / std, (high - mean) / std)
        let z = Phi(b) - Phi(a)
        let shift = (phi(a) - phi(b)) / z
        let variance = 1 + (a * phi(a) - b * phi(b)) / z - shift * shift
        return (mean + std * shift, std * variance.squareRoot())
    }

    /// Keras truncates at ±2σ' with σ' = σ/c, c the standard deviation of a
    /// standard normal truncated to [−2, 2], so the samples have std σ.
    static let kerasCorrection = truncatedMoments(mean: 0, std: 1, low: -2, high: 2).std
}

/// The distribution a run must match.
enum Expected: Sendable {
    case uniform(low: Double, high: Double)
    case normal(mean: Double, std: Double)
    case truncated(mean: Double, std: Double, low: Double, high: Double)

    static func symmetricUniform(_ bound: Double) -> Expected { .uniform(low: -bound, high: bound) }
    /// Keras' truncated normal with standard deviation `std` after truncation.
    static func kerasTruncated(_ std: Double) -> Expected {
        let s = std / Reference.kerasCorrection
        return .truncated(mean: 0, std: s, low: -2 * s, high: 2 * s)
    }

    /// Mean and standard deviation of the values.
    var moments: (mean: Double, std: Double) {
        switch self {
        case let .uniform(low, high): ((low + high) / 2, (high - low) / 12.0.squareRoot())
        case let .normal(mean, std): (mean, std)
        case let .truncated(mean, std, low, high): Reference.truncatedMoments(mean: mean, std: std, low: low, high: high)
        }
    }

    var bounds: (low: Double, high: Double)? {
        switch self {
        case let .uniform(low, high), let .truncated(_, _, low, high): (low, high)
        case .normal: nil
        }
    }
}

/// One sampling run: the arguments after `generate`, and what must come out.
struct FormulaCase: Sendable, CustomTestStringConvertible {
    let arguments: [String]
    let shape: [Int]
    let expected: Expected
    var dtype = "float32"

    var testDescription: String { (arguments + ["--shape", shape.map(String.init).joined(separator: ",")]).joined(separator: " ") }
    var scheme: String { arguments[0] }
}

/// Every sampling scheme and alias, read back with numpy and compared with
/// the formula: shape, dtype, mean and standard deviation within six standard
/// errors, and for bounded distributions every value inside the bounds and
/// the extremes close to them.
@Suite struct SchemeFormulaTests {
    static let linear = [64, 200]   // torch: fan_in 200, fan_out 64
    static let (fanIn, fanOut) = (200.0, 64.0)
    static let conv = [32, 16, 3, 3]  // torch: fan_in 16·9 = 144, fan_out 32·9 = 288
    static let convKeras = [3, 3, 16, 32]
    static let worked = [50, 100]   // torch: fan_in 100, fan_out 50 (the seeds' examples)

    static let cases: [FormulaCase] = {
        let (i, o) = (fanIn, fanOut)
        let avg = (i + o) / 2
        let leaky = { (slope: Double) in (2 / (1 + slope * slope)).squareRoot() }
        let s = linear
        return [
            FormulaCase(arguments: ["uniform"], shape: s, expected: .uniform(low: 0, high: 1)),
            FormulaCase(arguments: ["uniform", "--low", "-2", "--high", "3"], shape: s, expected: .uniform(low: -2, high: 3)),
            FormulaCase(arguments: ["uniform-fan-in"], shape: s, expected: .symmetricUniform(1 / i.squareRoot())),
            FormulaCase(arguments: ["normal"], shape: s, expected: .normal(mean: 0, std: 1)),
            FormulaCase(arguments: ["normal", "--mean", "0.5", "--std", "2"], shape: s, expected: .normal(mean: 0.5, std: 2)),
            FormulaCase(arguments: ["truncated-normal"], shape: s, expected: .truncated(mean: 0, std: 1, low: -2, high: 2)),
            FormulaCase(arguments: ["truncated-normal", "--mean", "1", "--std", "0.5", "--low", "0.5", "--high", "2.5"],
                        shape: s, expected: .truncated(mean: 1, std: 0.5, low: 0.5, high: 2.5)),
            FormulaCase(arguments: ["truncated-normal", "--std", "2", "--sigmas", "1"], shape: s,
                        expected: .truncated(mean: 0, std: 2, low: -2, high: 2)),
            FormulaCase(arguments: ["truncated-normal", "--low", "-1"], shape: s,
                        expected: .truncated(mean: 0, std: 1, low: -1, high: 2)),
            // PyTorch's trunc_normal_(mean, std, a, b): absolute bounds, [-2, 2] by default.
            FormulaCase(arguments: ["trunc-normal", "--mean", "0.5", "--a", "0", "--b", "1.5"], shape: s,
                        expected: .truncated(mean: 0.5, std: 1, low: 0, high: 1.5)),
            FormulaCase(arguments: ["trunc-normal", "--std", "0.8"], shape: s, expected: .truncated(mean: 0, std: 0.8, low: -2, high: 2)),
            // Explicit fans: a 1-D bias takes its weight's (PyTorch's default bias, U(±1/√fan_in)).
            FormulaCase(arguments: ["uniform-fan-in", "--fan-in", "784"], shape: [4000], expected: .symmetricUniform(1 / 28)),
            FormulaCase(arguments: ["xavier-uniform", "--fan-in", "100", "--fan-out", "50"], shape: [4000],
                        expected: .symmetricUniform(0.2)),
            FormulaCase(arguments: ["kaiming-normal", "--fan-in", "50", "--nonlinearity", "linear"], shape: [40, 100],
                        expected: .normal(mean: 0, std: 1 / 50.0.squareRoot())),
            FormulaCase(arguments: ["xavier-uniform"], shape: s, expected: .symmetricUniform((6 / (i + o)).squareRoot())),
            FormulaCase(arguments: ["glorot-uniform", "--gain", "2"], shape: s,
                        expected: .symmetricUniform(2 * (6 / (i + o)).squareRoot())),
            FormulaCase(arguments: ["xavier-normal"], shape: s, expected: .normal(mean: 0, std: (2 / (i + o)).squareRoot())),
            FormulaCase(arguments: ["xavier-normal", "--gain", "0.5"], shape: s,
                        expected: .normal(mean: 0, std: 0.5 * (2 / (i + o)).squareRoot())),
            FormulaCase(arguments: ["glorot-normal", "--truncated"], shape: s,
                        expected: .kerasTruncated((2 / (i + o)).squareRoot())),
            FormulaCase(arguments: ["kaiming-uniform"], shape: s, expected: .symmetricUniform(2.0.squareRoot() * (3 / i).squareRoot())),
            FormulaCase(arguments: ["he-uniform", "--mode", "fan-out", "--nonlinearity", "tanh"], shape: s,
                        expected: .symmetricUniform(5.0 / 3 * (3 / o).squareRoot())),
            FormulaCase(arguments: ["kaiming-uniform", "--nonlinearity", "leaky-relu", "--negative-slope", "0.2"], shape: s,
                        expected: .symmetricUniform(leaky(0.2) * (3 / i).squareRoot())),
            FormulaCase(arguments: ["kaiming-normal"], shape: s, expected: .normal(mean: 0, std: 2.0.squareRoot() / i.squareRoot())),
            FormulaCase(arguments: ["kaiming-normal", "--mode", "fan-avg", "--nonlinearity", "linear"], shape: s,
                        expected: .normal(mean: 0, std: 1 / avg.squareRoot())),
            FormulaCase(arguments: ["kaiming-normal", "--gain", "3", "--mode", "fan-out"], shape: s,
                        expected: .normal(mean: 0, std: 3 / o.squareRoot())),
            FormulaCase(arguments: ["kaiming-normal", "--nonlinearity", "leaky_relu"], shape: s,
                        expected: .normal(mean: 0, std: leaky(0.01) / i.squareRoot())),
            FormulaCase(arguments: ["he-normal", "--truncated"], shape: s, expected: .kerasTruncated((2 / i).squareRoot())),
            FormulaCase(arguments: ["lecun-uniform"], shape: s, expected: .symmetricUniform((3 / i).squareRoot())),
            FormulaCase(arguments: ["lecun-normal"], shape: s, expected: .normal(mean: 0, std: 1 / i.squareRoot())),
            FormulaCase(arguments: ["lecun-normal", "--truncated"], shape: s, expected: .kerasTruncated(1 / i.squareRoot())),
            FormulaCase(arguments: ["variance-scaling"], shape: s, expected: .kerasTruncated((1 / i).squareRoot())),
            FormulaCase(arguments: ["variance-scaling", "--scale", "2", "--mode", "fan-out", "--distribution", "normal"],
                        shape: s, expected: .normal(mean: 0, std: (2 / o).squareRoot())),
            FormulaCase(arguments: ["variance-scaling", "--mode", "fan-avg", "--distribution", "uniform"], shape: s,
                        expected: .symmetricUniform((3 / avg).squareRoot())),

            // The seeds' worked examples, in f64 so "below the bound" is exact.
            FormulaCase(arguments: ["xavier-uniform", "--dtype", "f64"], shape: worked,
                        expected: .symmetricUniform(0.2), dtype: "float64"),
            FormulaCase(arguments: ["he-uniform", "--dtype", "f64"], shape: worked,
                        expected: .symmetricUniform(0.06.squareRoot()), dtype: "float64"),

            // Convolutions: the same fans from the torch shape, the keras shape
            // and explicit axes (positive and negative).
            FormulaCase(arguments: ["kaiming-uniform"], shape: conv, expected: .symmetricUniform((6.0 / 144).squareRoot())),
            FormulaCase(arguments: ["kaiming-uniform", "--layout", "torch"], shape: conv,
                        expected: .symmetricUniform((6.0 / 144).squareRoot())),
            FormulaCase(arguments: ["he-uniform", "--layout", "keras"], shape: convKeras,
                        expected: .symmetricUniform((6.0 / 144).squareRoot())),
            FormulaCase(arguments: ["xavier-uniform", "--layout", "keras"], shape: convKeras,
                        expected: .symmetricUniform((6.0 / (144 + 288)).squareRoot())),
            FormulaCase(arguments: ["xavier-uniform", "--in-axis", "2", "--out-axis", "3"], shape: convKeras,
                        expected: .symmetricUniform((6.0 / (144 + 288)).squareRoot())),
            FormulaCase(arguments: ["kaiming-normal", "--in-axis", "-2", "--out-axis", "-1", "--mode", "fan-out"],
                        shape: convKeras, expected: .normal(mean: 0, std: (2.0 / 288).squareRoot())),
            FormulaCase(arguments: ["lecun-normal", "--in-axis", "0", "--out-axis", "1"], shape: [200, 64],
                        expected: .normal(mean: 0, std: 1 / i.squareRoot())),

            // Other element types.
            FormulaCase(arguments: ["he-normal", "--dtype", "f16"], shape: s,
                        expected: .normal(mean: 0, std: (2 / i).squareRoot()), dtype: "float16"),
            FormulaCase(arguments: ["lecun-uniform", "--dtype", "f64"], shape: s,
                        expected: .symmetricUniform((3 / i).squareRoot()), dtype: "float64"),
        ]
    }()

    /// The case's fans, recomputed from its own arguments, agree with the
    /// fixed fans its expectation was written with — guards the table above.
    @Test func referenceFans() {
        #expect(Reference.fans(Self.linear) == (200, 64))
        #expect(Reference.fans(Self.conv) == (144, 288))
        #expect(Reference.fans(Self.convKeras, keras: true) == (144, 288))
        #expect(Reference.fans(Self.worked) == (100, 50))
        #expect(abs(Reference.kerasCorrection - 0.8796256610342398) < 1e-12)
    }

    @Test func everySamplingSchemeMatchesItsFormula() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // A failed run is reported and left out; the others are still checked.
        var written: [Int] = []
        for (index, run) in Self.cases.enumerated() {
            let arguments = ["generate"] + run.arguments
                + ["--shape", run.shape.map(String.init).joined(separator: ","), "--seed", "\(index + 1)",
                   "--output", "c\(index).npy"]
            let result = try CLI.run(arguments, in: scratch)
            #expect(result.status == 0, "\(run.testDescription): \(result.stderr)")
            if result.status == 0 { written.append(index) }
        }
        let summaries = try Numpy.summaries(written.map { scratch.file("c\($0).npy") })
        #expect(summaries.count == written.count)
        for (index, summary) in zip(written, summaries) {
            check(Self.cases[index], summary)
        }
    }

    func check(_ run: FormulaCase, _ summary: Numpy.Summary) {
        let label = Comment(rawValue: run.testDescription)
        #expect(summary.shape == run.shape, label)
        #expect(summary.dtype == run.dtype, label)
        let n = Double(summary.count)
        let (mean, std) = run.expected.moments
        // Six standard errors: σ/√n for the mean, σ/√(2n) for the standard
        // deviation (exact for the normal, larger than needed for lighter tails);
        // plus the rounding of f16.
        let rounding = run.dtype == "float16" ? std * 0x1p-10 : 0
        #expect(abs(summary.mean - mean) < 6 * std / n.squareRoot() + rounding,
                "\(label): mean \(summary.mean), expected \(mean)")
        #expect(abs(summary.std - std) < 6 * std / (2 * n).squareRoot() + rounding,
                "\(label): std \(summary.std), expected \(std)")
        guard let (low, high) = run.expected.bounds else { return }
        // f32 may round a bound to the nearest float; f64 must respect it exactly.
        let slack = run.dtype == "float64" ? 0 : max(abs(low), abs(high)) * 0x1p-23
        #expect(summary.min >= low - slack, "\(label): min \(summary.min) below \(low)")
        #expect(summary.max <= high + slack, "\(label): max \(summary.max) above \(high)")
        if case .uniform = run.expected {
            #expect(summary.max < high || run.dtype != "float64", "\(label): max \(summary.max) reaches \(high)")
            // With n ≥ 5000 draws the extremes lie within 0.5 % of the width of
            // the bounds except with probability below e^-25.
            let near = (high - low) * 0.005
            #expect(summary.max > high - near && summary.min < low + near,
                    "\(label): extremes [\(summary.min), \(summary.max)] not near [\(low), \(high))")
        } else {
            // Truncated normals put mass near the bounds too, less than uniform.
            let near = (high - low) * 0.05
            #expect(summary.max > high - near && summary.min < low + near,
                    "\(label): extremes [\(summary.min), \(summary.max)] not near [\(low), \(high)]")
        }
    }
}
