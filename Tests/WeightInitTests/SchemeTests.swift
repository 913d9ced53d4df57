import Foundation
import Testing
@_spi(Plumbing) @testable import WeightInit

/// Every sampling scheme against its theoretical distribution, with the
/// expected parameters computed here from the papers' formulas — not from the
/// library's own code.
@Suite struct SchemeTests {
    enum Expected {
        case uniform(bound: Double)
        case normal(std: Double)
        /// Keras' truncated variant: σ = std/0.8796…, cut at ±2σ.
        case kerasTruncated(std: Double)
    }

    /// (fan_in, fan_out) of the shapes below, by hand.
    static let shapes: [(shape: [Int], layout: Layout, fanIn: Double, fanOut: Double)] = [
        ([64, 200], .torch, 200, 64),            // nn.Linear(200, 64).weight
        ([200, 64], .keras, 200, 64),            // Dense(64) on 200 inputs
        ([32, 16, 3, 3], .torch, 144, 288),      // nn.Conv2d(16, 32, 3)
        ([3, 3, 16, 32], .keras, 144, 288),      // Conv2D(32, 3) on 16 channels
        ([16, 3, 3, 32], .axes(input: 0, output: 3), 144, 288),
    ]

    static func cases(fanIn: Double, fanOut: Double) -> [(String, Initializer, Expected)] {
        let relu = 2.0.squareRoot(), tanh = 5.0 / 3.0
        return [
            ("uniform-fan-in", .uniformFanIn, .uniform(bound: 1 / fanIn.squareRoot())),
            ("xavier-uniform", .xavierUniform(), .uniform(bound: (6 / (fanIn + fanOut)).squareRoot())),
            ("xavier-uniform tanh", .xavierUniform(gain: tanh), .uniform(bound: tanh * (6 / (fanIn + fanOut)).squareRoot())),
            ("xavier-normal", .xavierNormal(), .normal(std: (2 / (fanIn + fanOut)).squareRoot())),
            ("glorot-normal (keras)", .xavierNormal(truncated: true), .kerasTruncated(std: (2 / (fanIn + fanOut)).squareRoot())),
            ("kaiming-uniform", .kaimingUniform(), .uniform(bound: relu * (3 / fanIn).squareRoot())),
            ("kaiming-uniform fan-out", .kaimingUniform(mode: .fanOut), .uniform(bound: relu * (3 / fanOut).squareRoot())),
            ("kaiming-uniform leaky", .kaimingUniform(nonlinearity: .leakyRelu(negativeSlope: 0.2)),
             .uniform(bound: (2 / 1.04).squareRoot() * (3 / fanIn).squareRoot())),
            ("kaiming-normal", .kaimingNormal(), .normal(std: relu / fanIn.squareRoot())),
            ("kaiming-normal selu fan-out", .kaimingNormal(mode: .fanOut, nonlinearity: .selu),
             .normal(std: 0.75 / fanOut.squareRoot())),
            ("he-normal (keras)", .kaimingNormal(truncated: true), .kerasTruncated(std: relu / fanIn.squareRoot())),
            ("lecun-uniform", .lecunUniform, .uniform(bound: (3 / fanIn).squareRoot())),
            ("lecun-normal", .lecunNormal(), .normal(std: 1 / fanIn.squareRoot())),
            ("variance-scaling normal fan-avg", .varianceScaling(scale: 2, mode: .fanAvg, distribution: .normal),
             .normal(std: (2 / ((fanIn + fanOut) / 2)).squareRoot())),
            ("variance-scaling truncated", .varianceScaling(), .kerasTruncated(std: (1 / fanIn).squareRoot())),
            ("variance-scaling uniform fan-out", .varianceScaling(scale: 3, mode: .fanOut, distribution: .uniform),
             .uniform(bound: (9 / fanOut).squareRoot())),
        ]
    }

    @Test(arguments: 0..<shapes.count)
    func samplingSchemesMatchTheory(shapeIndex: Int) throws {
        let (shape, layout, fanIn, fanOut) = Self.shapes[shapeIndex]
        for (k, (name, initializer, expected)) in Self.cases(fanIn: fanIn, fanOut: fanOut).enumerated() {
            let seed = UInt64(1000 + 17 * shapeIndex + k)
            let floats: [Float] = try initializer.makeArray(shape: shape, layout: layout, seed: seed)
            check(floats.map(Double.init), expected, "\(name) \(shape) Float")
            let doubles: [Double] = try initializer.makeArray(shape: shape, layout: layout, seed: seed)
            check(doubles, expected, "\(name) \(shape) Double")
        }
    }

    func check(_ x: [Double], _ expected: Expected, _ label: String) {
        let n = Double(x.count)
        let cdf: (Double) -> Double
        let std: Double
        var bound = Double.infinity
        switch expected {
        case let .uniform(b):
            cdf = { min(1, max(0, ($0 + b) / (2 * b))) }
            std = b / 3.0.squareRoot()
            bound = b
            #expect(x.allSatisfy { $0 >= -b && $0 < b }, "\(label): value outside [−\(b), \(b))")
        case let .normal(s):
            cdf = { Statistics.normalCDF($0 / s) }
            std = s
        case let .kerasTruncated(s):
            let sigma = s / 0.87962566103423978
            bound = 2 * sigma
            cdf = { Statistics.truncatedNormalCDF($0, mean: 0, std: sigma, low: -bound, high: bound) }
            std = s  // the correction makes the truncated std the intended one
            #expect(x.allSatisfy { abs($0) <= bound }, "\(label): value outside ±2σ")
        }
        let d = Statistics.ksStatistic(x, cdf: cdf)
        #expect(d < Statistics.ksCritical(n: x.count), "\(label): KS D = \(d)")
        let mean = Statistics.mean(x)
        #expect(abs(mean) < 6 * std / n.squareRoot(), "\(label): mean \(mean)")
        let sampleStd = Statistics.variance(x).squareRoot()
        #expect(abs(sampleStd / std - 1) < 6 / (2 * n).squareRoot() + 1e-3, "\(label): std \(sampleStd) vs \(std)")
        _ = bound
    }

    // MARK: The seeds' worked examples

    @Test func xavierUniformWorkedExample() throws {
        // fan_in 100, fan_out 50 → √(6/150) = 0.2.
        let d = try Initializer.xavierUniform().distribution(shape: [50, 100])
        guard case let .uniform(low, high) = d else { Issue.record("not uniform: \(String(describing: d))"); return }
        #expect(abs(high - 0.2) < 1e-15 && low == -high)
    }

    @Test func heUniformWorkedExample() throws {
        // fan_in 100: √2·√(3/100) = √0.06 ≈ 0.2449.
        let d = try Initializer.kaimingUniform().distribution(shape: [64, 100])
        guard case let .uniform(low, high) = d else { Issue.record("not uniform: \(String(describing: d))"); return }
        #expect(abs(high - 0.06.squareRoot()) < 1e-15 && low == -high)
        #expect((high * 1000).rounded() / 1000 == 0.245)
    }

    // MARK: Fans and gains

    @Test func fans() throws {
        #expect(try Fans(shape: [64, 200]) == Fans(fanIn: 200, fanOut: 64))
        #expect(try Fans(shape: [32, 16, 3, 3]) == Fans(fanIn: 144, fanOut: 288))
        #expect(try Fans(shape: [3, 3, 16, 32], layout: .keras) == Fans(fanIn: 144, fanOut: 288))
        #expect(try Fans(shape: [5, 7, 2], layout: .keras) == Fans(fanIn: 35, fanOut: 10))
        #expect(try Fans(shape: [16, 3, 3, 32], layout: .axes(input: 0, output: -1)) == Fans(fanIn: 144, fanOut: 288))
        #expect(throws: WeightInitError.self) { try Fans(shape: [10]) }
        #expect(throws: WeightInitError.self) { try Fans(shape: [4, 4], layout: .axes(input: 1, output: 1)) }
        #expect(throws: WeightInitError.self) { try Fans(shape: [4, 4], layout: .axes(input: 0, output: 2)) }
    }

    @Test func gainTable() {
        for n: Nonlinearity in [.linear, .identity, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d,
                                .convTranspose3d, .sigmoid] {
            #expect(Gain.recommended(for: n) == 1)
        }
        #expect(Gain.recommended(for: .tanh) == 5.0 / 3.0)
        #expect(Gain.recommended(for: .relu) == 2.0.squareRoot())
        #expect(Gain.recommended(for: .leakyRelu()) == (2 / (1 + 0.0001)).squareRoot())
        #expect(Gain.recommended(for: .leakyRelu(negativeSlope: 1)) == 1)
        #expect(Gain.recommended(for: .selu) == 0.75)
        #expect(Nonlinearity(name: "leaky_relu", negativeSlope: 0.3) == .leakyRelu(negativeSlope: 0.3))
        #expect(Nonlinearity(name: "conv_transpose2d") == .convTranspose2d)
        #expect(Nonlinearity(name: "softplus") == nil)
        // Every name parses back to its nonlinearity, in any case and spelling.
        for n in Nonlinearity.allCases {
            #expect(Nonlinearity(name: n.name) == n)
            #expect(Nonlinearity(name: n.name.uppercased().replacingOccurrences(of: "-", with: "_")) == n)
        }
        #expect(Set(Nonlinearity.allCases.map(\.name)).count == Nonlinearity.allCases.count)
    }

    // MARK: Exact schemes

    @Test func constantSchemes() throws {
        #expect(try Initializer.zeros.makeArray(shape: [3, 4], seed: 0) == [Float](repeating: 0, count: 12))
        #expect(try Initializer.ones.makeArray(shape: [5], seed: 0) == [Double](repeating: 1, count: 5))
        #expect(try Initializer.constant(0.1).makeArray(shape: [2, 2], seed: 9) == [Float](repeating: 0.1, count: 4))
        let bf: [BFloat16] = try Initializer.constant(0.1).makeArray(shape: [2], seed: 0)
        #expect(bf.map(\.bitPattern) == [0x3DCD, 0x3DCD])
        let h: [Float16] = try Initializer.ones.makeArray(shape: [3], seed: 0)
        #expect(h == [1, 1, 1])
    }

    @Test func eye() throws {
        let w: [Float] = try Initializer.eye(gain: 2).makeArray(shape: [2, 3], seed: 0)
        #expect(w == [2, 0, 0, 0, 2, 0])
        let t: [Double] = try Initializer.eye().makeArray(shape: [3, 2], seed: 0)
        #expect(t == [1, 0, 0, 1, 0, 0])
    }

    @Test func dirac() throws {
        // torch (out 4, in 2, 3, 3), 2 groups: (g·2 + d, d, 1, 1) = 1 for d < 2.
        let w: [Float] = try Initializer.dirac(groups: 2).makeArray(shape: [4, 2, 3, 3], seed: 0)
        var expected = [Float](repeating: 0, count: 72)
        for (o, i) in [(0, 0), (1, 1), (2, 0), (3, 1)] { expected[o * 18 + i * 9 + 4] = 1 }
        #expect(w == expected)
        // 3-D, more inputs than outputs: (o, o, 1) for o < 2.
        let v: [Double] = try Initializer.dirac().makeArray(shape: [2, 3, 3], seed: 0)
        var e3 = [Double](repeating: 0, count: 18)
        e3[0 * 9 + 0 * 3 + 1] = 1
        e3[1 * 9 + 1 * 3 + 1] = 1
        #expect(v == e3)
        // Keras layout (k, k, in, out): the same kernel transposed.
        let k: [Float] = try Initializer.dirac().makeArray(shape: [3, 3, 2, 2], layout: .keras, seed: 0)
        var ek = [Float](repeating: 0, count: 36)
        for d in 0..<2 { ek[(1 * 3 + 1) * 4 + d * 2 + d] = 1 }
        #expect(k == ek)
    }

    // MARK: Bad parameters

    @Test func badParameters() {
        func fails(_ i: Initializer, _ shape: [Int], layout: Layout = .torch) {
            #expect(throws: WeightInitError.self, "\(i) \(shape)") {
                let _: [Float] = try i.makeArray(shape: shape, layout: layout, seed: 0)
            }
        }
        fails(.xavierUniform(), [10])                       // 1-D: no fans
        fails(.kaimingNormal(), [7])
        fails(.uniformFanIn, [3])
        fails(.lecunNormal(), [3])
        fails(.xavierUniform(gain: -1), [4, 4])
        fails(.xavierNormal(gain: .nan), [4, 4])
        fails(.kaimingUniform(gain: .infinity), [4, 4])
        fails(.kaimingUniform(nonlinearity: .leakyRelu(negativeSlope: .nan)), [4, 4])
        fails(.varianceScaling(scale: 0), [4, 4])
        fails(.uniform(low: 1, high: 1), [4])
        fails(.uniform(low: 2, high: 1), [4])
        fails(.normal(std: 0), [4])
        fails(.normal(std: -1), [4])
        fails(.normal(mean: .nan), [4])
        fails(.truncatedNormal(low: 1, high: -1), [4])
        fails(.constant(.infinity), [4])
        fails(.eye(), [2, 2, 2])
        fails(.dirac(), [4, 4])
        fails(.dirac(groups: 3), [4, 2, 3, 3])
        fails(.dirac(groups: 0), [4, 2, 3, 3])
        fails(.sparse(sparsity: 1.5), [4, 4])
        fails(.sparse(sparsity: 0.1, std: 0), [4, 4])
        fails(.sparse(sparsity: 0.1), [4, 4, 4])
        fails(.zeros, [0, 3])
        fails(.zeros, [-1])
        fails(.zeros, [])
        fails(.zeros, [Int.max, 2])
        fails(.xavierUniform(), [4, 4], layout: .axes(input: 0, output: 0))
    }

    /// A negative slope so large that a² overflows made leaky-relu's gain 0
    /// and the error was about "invalid gain 0.0", a gain never given; the
    /// slope is named now, at validation (parse) time.
    @Test(arguments: [1e200, -1e155, Double.greatestFiniteMagnitude])
    func hugeNegativeSlopeIsNamed(slope: Double) throws {
        for scheme in [Initializer.kaimingNormal(nonlinearity: .leakyRelu(negativeSlope: slope)),
                       .kaimingUniform(nonlinearity: .leakyRelu(negativeSlope: slope), gain: 1)] {
            let error = try #require(throws: WeightInitError.self) { try scheme.validate() }
            let text = "\(error)"
            #expect(text.hasPrefix("invalid negative slope ") && text.contains("a² finite") && !text.contains("gain 0"), "\(text)")
        }
        #expect(throws: Never.self) { try Initializer.kaimingNormal(nonlinearity: .leakyRelu(negativeSlope: 1e150)).validate() }
    }

    /// Scheme numbers are decimal, as torch's and numpy's users write them:
    /// Swift's `Double("0x10")` is 16, and it used to be accepted as such.
    @Test(arguments: ["normal --std 0x10", "normal --std=0X1p-3", "uniform --low -0x1 --high 1", "constant --value +0x0"])
    func hexadecimalNumbersAreRefused(text: String) throws {
        let error = try #require(throws: WeightInitError.self) { try SchemeText(parsing: text) }
        #expect("\(error)".contains("takes a decimal number") && "\(error)".contains("hexadecimal is not accepted"), "\(error)")
        #expect(try SchemeText(parsing: "normal --std 1e-2").given[.std] == .number(0.01))
    }

    @Test func errorsLeaveTheBufferUnchanged() {
        var buffer = [Float](repeating: 7, count: 16)
        _ = buffer.withUnsafeMutableBufferPointer { b in
            #expect(throws: WeightInitError.self) {
                try Initializer.kaimingNormal(gain: -1).fill(b, shape: [4, 4], seed: 1)
            }
        }
        #expect(buffer.allSatisfy { $0 == 7 })
    }
}

@Suite struct SparseSchemeTests {
    @Test(arguments: [(0.1, 50, 7), (0.5, 9, 4), (0.0, 5, 3), (1.0, 6, 2), (0.33, 100, 1)])
    func zerosPerColumn(sparsity: Double, rows: Int, cols: Int) throws {
        let w: [Float] = try Initializer.sparse(sparsity: sparsity, std: 0.5).makeArray(shape: [rows, cols], seed: 3)
        let expectedZeros = Int((sparsity * Double(rows)).rounded(.up))
        for c in 0..<cols {
            let zeros = (0..<rows).filter { w[$0 * cols + c] == 0 }.count
            #expect(zeros == expectedZeros, "column \(c)")
        }
        // The rest is the normal stream, unchanged.
        let normal: [Float] = try Initializer.normal(mean: 0, std: 0.5).makeArray(shape: [rows, cols], seed: 3)
        #expect(zip(w, normal).allSatisfy { $0 == 0 || $0 == $1 })
    }

    @Test func zeroPositionsAreUniformAcrossRows() throws {
        // 2000 columns of 10 rows with 3 zeros each: every row is zero with
        // probability 0.3; counts within 6 binomial standard errors.
        let (rows, cols) = (10, 2000)
        let w: [Double] = try Initializer.sparse(sparsity: 0.3).makeArray(shape: [rows, cols], seed: 11)
        let sd = (Double(cols) * 0.3 * 0.7).squareRoot()
        for r in 0..<rows {
            let zeros = (0..<cols).filter { w[r * cols + $0] == 0 }.count
            #expect(abs(Double(zeros) - 0.3 * Double(cols)) < 6 * sd, "row \(r): \(zeros)")
        }
    }
}

/// Parameters checked against the element type: a scheme whose values would
/// be infinite in it is refused with a typed error before anything is
/// written; the largest values that still round to a finite one pass.
@Suite struct ElementTypeRangeTests {
    enum Outcome: Equatable {
        /// An invalid-parameter error, and the buffer untouched.
        case refused
        /// Written, every value finite.
        case finite
        /// Anything else: an infinity written, another error, a touched buffer.
        case wrong
    }

    static func outcome<T: WeightScalar>(_ initializer: Initializer, _: T.Type, shape: [Int] = [4, 4]) -> Outcome {
        var buffer = [T](repeating: T(rounding: 7), count: shape.reduce(1, *))
        do {
            try buffer.withUnsafeMutableBufferPointer {
                try initializer.fill($0, shape: shape, seed: 1)
            }
            return buffer.allSatisfy { $0.doubleValue.isFinite } ? .finite : .wrong
        } catch let error as WeightInitError {
            guard case .invalidParameter = error, error.kind == .invalidInput, buffer.allSatisfy({ $0.doubleValue == 7 })
            else { return .wrong }
            return .refused
        } catch {
            return .wrong
        }
    }

    @Test func constantsAndGainsBeyondTheType() {
        #expect(Self.outcome(.constant(1e39), Float.self) == .refused)
        #expect(Self.outcome(.constant(-1e39), Float.self) == .refused)
        #expect(Self.outcome(.constant(1e39), BFloat16.self) == .refused)
        #expect(Self.outcome(.eye(gain: 1e39), Float.self) == .refused)
        #expect(Self.outcome(.orthogonal(gain: 1e39), Float.self) == .refused)
        #expect(Self.outcome(.deltaOrthogonal(gain: 1e39), Float.self, shape: [4, 4, 3, 3]) == .refused)
        #expect(Self.outcome(.truncatedNormal(mean: 0, std: 1e38, low: -4e38, high: 4e38), Float.self) == .refused)
        #expect(Self.outcome(.constant(3.4e38), Float.self) == .finite)
        #expect(Self.outcome(.constant(1e39), Double.self) == .finite)
        #expect(Self.outcome(.orthogonal(gain: 1e39), Double.self) == .finite)
        #expect(Self.outcome(.truncatedNormal(mean: 0, std: 1, low: -1e39, high: 1e39), Float.self) == .finite)
    }

    #if arch(x86_64) || arch(arm64)
    @Test func halfPrecision() {
        #expect(Self.outcome(.constant(70000), Float16.self) == .refused)
        // 65520 is halfway to 2¹⁶ and rounds (to even) to infinity; 65519 to 65504.
        #expect(Self.outcome(.constant(65520), Float16.self) == .refused)
        #expect(Self.outcome(.constant(65519), Float16.self) == .finite)
        #expect(Self.outcome(.eye(gain: 70000), Float16.self) == .refused)
        #expect(Self.outcome(.orthogonal(gain: 70000), Float16.self) == .refused)
        #expect(Self.outcome(.truncatedNormal(mean: 0, std: 1e5), Float16.self) == .refused)
        #expect(Self.outcome(.orthogonal(gain: 60000), Float16.self) == .finite)
    }
    #endif

    /// The streamed writer and the index-range API check the same way.
    @Test func streamedPathsCheckToo() throws {
        #expect(throws: WeightInitError.self) {
            try Initializer.constant(1e39).forEachChunk(Float.self, shape: [8], indices: 0 ..< 8,
                                                        seed: 0) { _, _ in }
        }
        let path = NSTemporaryDirectory() + "range-\(UUID().uuidString).npy"
        #expect(throws: WeightInitError.self) {
            try TensorFile.write(to: path, format: .npy, tensors: [TensorEntry(name: "w", shape: [8], dtype: .f32)]) { _, sink in
                try Initializer.constant(1e39).write(Float.self, shape: [8], randomStream: RandomStream(seed: 0), to: sink)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
