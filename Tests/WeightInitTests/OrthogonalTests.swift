import Foundation
import Testing
@_spi(Plumbing) @testable import WeightInit

@Suite struct OrthogonalTests {
    // MARK: Helpers

    /// A rows×cols orthogonal matrix from the low-level entry point.
    static func matrix<T: BLASScalar>(
        _: T.Type, rows: Int, cols: Int, gain: Double = 1, seed: UInt64, method: OrthogonalMethod = .qr,
        signFix: Bool = true
    ) throws -> [T] {
        var w = [T](repeating: 0, count: rows * cols)
        try w.withUnsafeMutableBufferPointer {
            try Orthogonal.fill($0, rows: rows, cols: cols, gain: gain, method: method, stream: RandomStream(seed: seed),
                                options: FillOptions(), signFix: signFix)
        }
        return w
    }

    /// ‖G − gain²·I‖∞ / (gain²·max(rows, cols)·ε), G = WWᵀ (rows ≤ cols) or WᵀW,
    /// G computed by syrk in T's precision — LAPACK's orthogonality test.
    static func residual<T: BLASScalar>(_ w: [T], rows: Int, cols: Int, gain: Double = 1) -> Double {
        // Row-major W is column-major A = Wᵀ (cols×rows, lda = cols):
        // WWᵀ = AᵀA, WᵀW = AAᵀ.
        let wide = rows <= cols
        let k = min(rows, cols)
        var gram = [T](repeating: 0, count: k * k)
        T.syrk(transpose: wide, n: Int32(k), k: Int32(max(rows, cols)), alpha: 1, a: w, lda: Int32(cols),
               beta: 0, c: &gram, ldc: Int32(k))
        var worst = 0.0
        for i in 0..<k {
            var rowSum = 0.0
            for j in 0..<k {
                let g = Double(i <= j ? gram[j * k + i] : gram[i * k + j])
                rowSum += abs(g - (i == j ? gain * gain : 0))
            }
            worst = max(worst, rowSum)
        }
        return worst / (gain * gain * Double(max(rows, cols)) * Double(T.ulpOfOne))
    }

    static let shapes: [[Int]] = [[64, 64], [100, 37], [37, 100], [64, 32, 3, 3], [1, 1], [1, 5], [5, 1]]

    func orthogonal<T: BLASScalar>(_: T.Type, shape: [Int], method: OrthogonalMethod) throws {
        let w: [T] = try Initializer.orthogonal(method: method).makeArray(shape: shape, seed: 2014)
        let rows = shape[0], cols = w.count / rows
        let r = Self.residual(w, rows: rows, cols: cols)
        #expect(r < 10, "\(T.self) \(method) \(shape): ‖G − I‖∞/(nε) = \(r)")
    }

    // MARK: Orthogonality

    @Test(arguments: OrthogonalMethod.allCases, shapes + [[300, 300], [256, 1, 5, 5], [513, 200]])
    func orthonormal(method: OrthogonalMethod, shape: [Int]) throws {
        try orthogonal(Float.self, shape: shape, method: method)
        try orthogonal(Double.self, shape: shape, method: method)
    }

    /// W is exactly the Gram–Schmidt orthonormalisation of the Gaussian G
    /// (stream values at flat index i): G = L·W with L lower triangular with a
    /// positive diagonal (rows ≤ cols), G = W·R with R upper triangular with a
    /// positive diagonal (rows > cols). Catches a wrong transpose or sign.
    @Test(arguments: [(6, 9), (9, 6), (7, 7), (1, 4), (4, 1)])
    func isGramSchmidtOfTheGaussian(rows: Int, cols: Int) throws {
        let seed: UInt64 = 99
        let w = try Self.matrix(Double.self, rows: rows, cols: cols, seed: seed)
        var g = [Double](repeating: 0, count: rows * cols)
        try RandomStream(seed: seed).fill(&g, with: .normal(mean: 0, std: 1))
        if rows <= cols {
            // L = G·Wᵀ (rows×rows).
            for i in 0..<rows {
                for j in 0..<rows {
                    let l = (0..<cols).reduce(0.0) { $0 + g[i * cols + $1] * w[j * cols + $1] }
                    if j > i { #expect(abs(l) < 1e-12, "L[\(i)][\(j)] = \(l)") }
                    if j == i { #expect(l > 0, "L[\(i)][\(i)] = \(l)") }
                }
            }
        } else {
            // R = Wᵀ·G (cols×cols).
            for i in 0..<cols {
                for j in 0..<cols {
                    let r = (0..<rows).reduce(0.0) { $0 + w[$1 * cols + i] * g[$1 * cols + j] }
                    if i > j { #expect(abs(r) < 1e-12, "R[\(i)][\(j)] = \(r)") }
                    if i == j { #expect(r > 0, "R[\(i)][\(i)] = \(r)") }
                }
            }
        }
    }

    // MARK: Gain

    @Test(arguments: OrthogonalMethod.allCases, [0.5, 2.0])
    func gainScales(method: OrthogonalMethod, gain: Double) throws {
        for (rows, cols) in [(37, 100), (100, 37)] {
            let unit = try Self.matrix(Float.self, rows: rows, cols: cols, seed: 3, method: method)
            let scaled = try Self.matrix(Float.self, rows: rows, cols: cols, gain: gain, seed: 3, method: method)
            // Powers of two scale exactly.
            #expect(scaled == unit.map { $0 * Float(gain) })
            #expect(Self.residual(scaled, rows: rows, cols: cols, gain: gain) < 10)
        }
    }

    @Test(arguments: OrthogonalMethod.allCases)
    func zeroGainGivesPositiveZeros(method: OrthogonalMethod) throws {
        let w = try Self.matrix(Double.self, rows: 5, cols: 8, gain: 0, seed: 3, method: method)
        #expect(w.allSatisfy { $0.bitPattern == 0 })
    }

    // MARK: Determinism

    @Test(arguments: OrthogonalMethod.allCases)
    func sameSeedSameBits(method: OrthogonalMethod) throws {
        let scheme = Initializer.orthogonal(gain: 1.5, method: method)
        let a: [Float] = try scheme.makeArray(shape: [64, 32, 3, 3], seed: 11)
        let b: [Float] = try scheme.makeArray(shape: [64, 32, 3, 3], seed: 11)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        let c: [Double] = try scheme.makeArray(shape: [100, 37], seed: 11)
        let d: [Double] = try scheme.makeArray(shape: [100, 37], seed: 11)
        #expect(c.map(\.bitPattern) == d.map(\.bitPattern))
    }

    @Test(arguments: OrthogonalMethod.allCases)
    func differentSeedsDifferentMatrices(method: OrthogonalMethod) throws {
        let scheme = Initializer.orthogonal(method: method)
        let a: [Float] = try scheme.makeArray(shape: [16, 16], seed: 1)
        let b: [Float] = try scheme.makeArray(shape: [16, 16], seed: 2)
        let c: [Float] = try scheme.makeArray(shape: [16, 16], seed: 1, stream: 1)
        #expect(zip(a, b).filter { $0 != $1 }.count > 200)
        #expect(zip(a, c).filter { $0 != $1 }.count > 200)
    }

    /// The two methods read the stream differently, so they give different
    /// (each Haar) matrices; the default is Householder.
    @Test func methodsDiffer() throws {
        let qr: [Float] = try Initializer.orthogonal(method: .qr).makeArray(shape: [16, 16], seed: 1)
        let hh: [Float] = try Initializer.orthogonal(method: .householder).makeArray(shape: [16, 16], seed: 1)
        let byDefault: [Float] = try Initializer.orthogonal().makeArray(shape: [16, 16], seed: 1)
        #expect(zip(qr, hh).filter { $0 != $1 }.count > 200)
        #expect(byDefault == hh)
        #expect(OrthogonalMethod.default == .householder)
    }

    /// `orthogonalize` on the stream's Gaussian is the whole fill.
    @Test func qrStepAloneMatchesFill() throws {
        for (rows, cols) in [(20, 30), (30, 20)] {
            let full = try Self.matrix(Float.self, rows: rows, cols: cols, gain: 0.75, seed: 5)
            var w = [Float](repeating: 0, count: rows * cols)
            try RandomStream(seed: 5).fill(&w, with: .normal(mean: 0, std: 1))
            try w.withUnsafeMutableBufferPointer { try Orthogonal.orthogonalize($0, rows: rows, cols: cols, gain: 0.75) }
            #expect(w.map(\.bitPattern) == full.map(\.bitPattern))
        }
    }

    /// Below ``Orthogonal/threadingThreshold`` OpenBLAS runs on one thread
    /// whatever `threads` says, so the bits do not depend on it (OpenBLAS's
    /// 1- and 2-thread QR differ by ~1e-6 at 256², measured).
    @Test(arguments: OrthogonalMethod.allCases)
    func belowThresholdThreadCountDoesNotChangeBits(method: OrthogonalMethod) throws {
        let (rows, cols) = (256, 256)
        #expect(min(rows, cols) < Orthogonal.threadingThreshold)
        let results = try [1, 2, nil].map { threads in
            var w = [Float](repeating: 0, count: rows * cols)
            try w.withUnsafeMutableBufferPointer {
                try Orthogonal.fill($0, rows: rows, cols: cols, gain: 1, method: method, stream: RandomStream(seed: 21),
                                    options: FillOptions(threads: threads))
            }
            #expect(Self.residual(w, rows: rows, cols: cols) < 10)
            return w.map(\.bitPattern)
        }
        #expect(results[0] == results[1])
        #expect(results[0] == results[2])
    }

    // MARK: Haar distribution

    /// Traces of `count` n×n matrices (QR path, one seed each).
    static func traces(n: Int, count: Int, signFix: Bool) throws -> [Double] {
        try (0..<count).map { seed in
            let w = try matrix(Float.self, rows: n, cols: n, seed: UInt64(seed), method: .qr, signFix: signFix)
            return (0..<n).reduce(0.0) { $0 + Double(w[$1 * n + $1]) }
        }
    }

    /// For Haar O(n), n ≥ 4: E tr = 0, E tr² = 1, E tr⁴ = 3 (Diaconis & Shahshahani
    /// 1994), so the sample mean has standard error 1/√N and the sample
    /// variance √(2/N).
    @Test func traceMomentsAreHaar() throws {
        let count = 5000
        let t = try Self.traces(n: 6, count: count, signFix: true)
        let n = Double(count)
        let mean = Statistics.mean(t), variance = Statistics.variance(t)
        #expect(abs(mean) < 5 / n.squareRoot(), "mean trace \(mean)")
        #expect(abs(variance - 1) < 5 * (2 / n).squareRoot(), "trace variance \(variance)")
    }

    /// Without the sign fix LAPACK's Householder convention biases the diagonal:
    /// the same test fails by a wide margin.
    @Test func withoutSignFixTraceIsBiased() throws {
        let count = 2000
        let t = try Self.traces(n: 6, count: count, signFix: false)
        let mean = Statistics.mean(t)
        #expect(abs(mean) > 20 / Double(count).squareRoot(), "mean trace without sign fix \(mean)")
    }

    /// W₁₁ of a Haar n×n matrix is the first coordinate of a uniform point on
    /// S^{n−1}: density ∝ (1 − x²)^{(n−3)/2}. KS of √n·W₁₁ against that exact law
    /// (the CDF by Simpson's rule), for n = 16 over 3000 seeds.
    @Test func firstEntryFollowsTheSphereMarginal() throws {
        let n = 16, count = 3000
        let samples = try (0..<count).map { seed in
            Double(try Self.matrix(Float.self, rows: n, cols: n, seed: UInt64(10_000 + seed))[0]) * Double(n).squareRoot()
        }
        let cdf = Self.sphereMarginalCDF(n: n)
        let d = Statistics.ksStatistic(samples, cdf: { cdf($0 / Double(n).squareRoot()) })
        #expect(d < Statistics.ksCritical(n: count), "KS D = \(d)")
        // Sanity: the variance of √n·W₁₁ is 1.
        #expect(abs(Statistics.variance(samples) - 1) < 5 * (2.0 / Double(count)).squareRoot())
    }

    /// CDF of x₁ for x uniform on S^{n−1}.
    static func sphereMarginalCDF(n: Int) -> (Double) -> Double {
        let exponent = Double(n - 3) / 2
        func density(_ x: Double) -> Double { pow(max(0, 1 - x * x), exponent) }
        func integral(_ a: Double, _ b: Double) -> Double {
            let steps = 400, h = (b - a) / Double(steps)
            var s = density(a) + density(b)
            for i in 1..<steps { s += density(a + Double(i) * h) * (i % 2 == 1 ? 4 : 2) }
            return s * h / 3
        }
        let total = integral(-1, 1)
        return { x in x <= -1 ? 0 : x >= 1 ? 1 : integral(-1, x) / total }
    }

    // MARK: Half precision

    @Test(arguments: OrthogonalMethod.allCases, [[24, 4, 3], [5, 12]])
    func halfPrecisionIsTheFloatResultRounded(method: OrthogonalMethod, shape: [Int]) throws {
        let scheme = Initializer.orthogonal(gain: 1.25, method: method)
        let reference: [Float] = try scheme.makeArray(shape: shape, seed: 77)
        let bf: [BFloat16] = try scheme.makeArray(shape: shape, seed: 77)
        #expect(bf.map(\.bitPattern) == reference.map { BFloat16($0).bitPattern })
        #if arch(x86_64) || arch(arm64)
        let h: [Float16] = try scheme.makeArray(shape: shape, seed: 77)
        #expect(h.map(\.bitPattern) == reference.map { Float16($0).bitPattern })
        #endif
    }

    // MARK: Bad input

    @Test func badInputThrowsTypedErrors() throws {
        let stream = RandomStream(seed: 0)
        var b = [Float](repeating: 0, count: 12)
        b.withUnsafeMutableBufferPointer { buffer in
            #expect(throws: WeightInitError.invalidShape([12], reason: "orthogonal needs ≥ 2 dimensions")) {
                try Orthogonal.fill(buffer, shape: [12], gain: 1, method: .qr, stream: stream, options: FillOptions())
            }
            for gain in [-1.0, .nan, .infinity] {
                #expect(throws: WeightInitError.invalidParameter("gain", value: "\(gain)", reason: "must be finite and ≥ 0")) {
                    try Orthogonal.fill(buffer, shape: [3, 4], gain: gain, method: .qr, stream: stream, options: FillOptions())
                }
            }
            #expect(throws: WeightInitError.invalidShape([3, 5], reason: "the buffer holds 12 elements, the shape needs 15")) {
                try Orthogonal.fill(buffer, shape: [3, 5], gain: 1, method: .qr, stream: stream, options: FillOptions())
            }
            #expect(throws: WeightInitError.invalidShape([3, 0], reason: "every dimension must be ≥ 1")) {
                try Orthogonal.fill(buffer, shape: [3, 0], gain: 1, method: .qr, stream: stream, options: FillOptions())
            }
            #expect(throws: WeightInitError.invalidShape([5, 3], reason: "the buffer holds 12 elements, the matrix needs 15")) {
                try Orthogonal.fill(buffer, rows: 5, cols: 3, gain: 1, stream: stream)
            }
            #expect(throws: WeightInitError.invalidParameter("gain", value: "-1.0", reason: "must be finite and ≥ 0")) {
                try Orthogonal.orthogonalize(buffer, rows: 3, cols: 4, gain: -1)
            }
            #expect(throws: WeightInitError.invalidParameter("threads", value: "0", reason: "must be ≥ 1")) {
                try Orthogonal.fill(buffer, rows: 3, cols: 4, gain: 1, stream: stream, options: FillOptions(threads: 0))
            }
        }
        // Through the public API, with Initializer's own checks first.
        #expect(throws: WeightInitError.self) {
            let _: [Double] = try Initializer.orthogonal().makeArray(shape: [7], seed: 0)
        }
        #expect(throws: WeightInitError.invalidParameter("gain", value: "nan", reason: "must be finite and ≥ 0")) {
            let _: [Double] = try Initializer.orthogonal(gain: .nan).makeArray(shape: [2, 2], seed: 0)
        }
    }
}
