import Foundation
import Testing
@_spi(Plumbing) @testable import WeightInit

/// Haar statistics for both methods, Float and Double, on many small matrices
/// drawn in one batch (fixed seeds; thresholds at 5 standard errors or KS at
/// α = 1e-4, so they cannot flake — and fail by far for the biased variants).
@Suite struct OrthogonalHaarTests {
    /// `count` n×n matrices (batch, seed 2024), as Doubles.
    static func batch<T: BLASScalar>(_: T.Type, n: Int, count: Int, method: OrthogonalMethod, seed: UInt64 = 2024) throws -> [[Double]] {
        var w = [T](repeating: 0, count: count * n * n)
        try w.withUnsafeMutableBufferPointer {
            try Orthogonal.fillBatch($0, count: count, rows: n, cols: n, method: method, stream: RandomStream(seed: seed))
        }
        return (0..<count).map { b in w[(b * n * n)..<((b + 1) * n * n)].map { Double($0) } }
    }

    static let cases: [(OrthogonalMethod, Bool)] = OrthogonalMethod.allCases.flatMap { [($0, false), ($0, true)] }

    static func matrices(_ method: OrthogonalMethod, double: Bool, n: Int, count: Int) throws -> [[Double]] {
        double ? try batch(Double.self, n: n, count: count, method: method)
            : try batch(Float.self, n: n, count: count, method: method)
    }

    /// For Haar O(n), n ≥ 4: E tr = 0, E tr² = 1, E tr⁴ = 3 (Diaconis &
    /// Shahshahani 1994): standard errors 1/√N and √(2/N).
    @Test(arguments: cases)
    func traceMoments(method: OrthogonalMethod, double: Bool) throws {
        let n = 6, count = 5000
        let traces = try Self.matrices(method, double: double, n: n, count: count).map { q in
            (0..<n).reduce(0.0) { $0 + q[$1 * n + $1] }
        }
        let mean = Statistics.mean(traces), variance = Statistics.variance(traces)
        #expect(abs(mean) < 5 / Double(count).squareRoot(), "mean trace \(mean)")
        #expect(abs(variance - 1) < 5 * (2 / Double(count)).squareRoot(), "trace variance \(variance)")
    }

    /// √n·Q₁₁ against the exact law of the first coordinate of a uniform point
    /// on S^{n−1}, density ∝ (1 − x²)^{(n−3)/2}.
    @Test(arguments: cases)
    func firstEntryFollowsTheSphereMarginal(method: OrthogonalMethod, double: Bool) throws {
        let n = 16, count = 3000
        let samples = try Self.matrices(method, double: double, n: n, count: count).map { $0[0] }
        let cdf = OrthogonalTests.sphereMarginalCDF(n: n)
        let d = Statistics.ksStatistic(samples, cdf: cdf)
        #expect(d < Statistics.ksCritical(n: count), "KS D = \(d)")
    }

    /// No sign bias anywhere on the diagonal: E Q_ii = 0, Var Q_ii = 1/n, for
    /// every i — in particular the last one, which a generator that skips the
    /// final 1×1 reflector's sign gets wrong (for n = 2, Q₂₂ = |α|/‖x‖ ≥ 0).
    @Test(arguments: cases)
    func noSignBiasOnTheDiagonal(method: OrthogonalMethod, double: Bool) throws {
        for n in [1, 2, 4] {
            let count = 4000
            let qs = try Self.matrices(method, double: double, n: n, count: count)
            for i in 0..<n {
                let mean = Statistics.mean(qs.map { $0[i * n + i] })
                let standardError = (1 / Double(n * count)).squareRoot()
                #expect(abs(mean) < 5 * standardError, "n = \(n): mean Q[\(i)][\(i)] = \(mean)")
            }
        }
    }

    /// O(2): the first column is uniform on the circle and det = ±1 with
    /// probability ½ each, independent of it. Eigenvalue angles of the
    /// rotations (det +1, eigenvalues e^{±iθ}) are uniform on (−π, π].
    /// The last-sign bug makes det = sign(Q₁₁) always.
    @Test(arguments: cases)
    func twoByTwoRotationAnglesAreUniformAndDetIsIndependent(method: OrthogonalMethod, double: Bool) throws {
        let count = 4000
        let qs = try Self.matrices(method, double: double, n: 2, count: count)
        let dets = qs.map { $0[0] * $0[3] - $0[1] * $0[2] }
        #expect(dets.allSatisfy { abs(abs($0) - 1) < 1e-5 })
        let agreement = zip(qs, dets).map { q, det in (det > 0) == (q[0] > 0) ? 1.0 : -1.0 }
        let standardError = 1 / Double(count).squareRoot()
        #expect(abs(Statistics.mean(agreement)) < 5 * standardError, "E[det·sign Q₁₁] = \(Statistics.mean(agreement))")
        #expect(abs(Statistics.mean(dets)) < 5 * standardError, "E det = \(Statistics.mean(dets))")
        let angles = zip(qs, dets).filter { $1 > 0 }.map { q, _ in atan2(q[2], q[0]) }
        let d = Statistics.ksStatistic(angles) { ($0 + .pi) / (2 * .pi) }
        #expect(d < Statistics.ksCritical(n: angles.count), "KS D = \(d)")
    }

    /// O(3): with d = det Q, R = d·Q is Haar on SO(3), independent of d. Its
    /// rotation angle θ ∈ [0, π] (eigenvalues 1, e^{±iθ}) has density
    /// (1 − cos θ)/π, CDF (θ − sin θ)/π (Weyl's integration formula); Q's
    /// eigenvalues are d·{1, e^{±iθ}}. (The angles of Haar *orthogonal*
    /// eigenvalues are not uniform, unlike the unitary group's.)
    @Test(arguments: cases)
    func threeByThreeEigenvalueAnglesFollowWeyl(method: OrthogonalMethod, double: Bool) throws {
        let count = 4000
        let qs = try Self.matrices(method, double: double, n: 3, count: count)
        var angles: [Double] = [], positive = 0
        for q in qs {
            let det = q[0] * (q[4] * q[8] - q[5] * q[7]) - q[1] * (q[3] * q[8] - q[5] * q[6])
                + q[2] * (q[3] * q[7] - q[4] * q[6])
            let d: Double = det > 0 ? 1 : -1
            if d > 0 { positive += 1 }
            let trace = d * (q[0] + q[4] + q[8])
            angles.append(acos(min(1, max(-1, (trace - 1) / 2))))
        }
        let dStatistic = Statistics.ksStatistic(angles) { ($0 - sin($0)) / .pi }
        #expect(dStatistic < Statistics.ksCritical(n: count), "KS D = \(dStatistic)")
        #expect(abs(Double(positive) / Double(count) - 0.5) < 5 * 0.5 / Double(count).squareRoot())
    }
}
