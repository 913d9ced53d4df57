import Foundation
import Testing
@_spi(Plumbing) @testable import WeightInit

/// The Householder method against its specification (WeightInit.docc/Orthogonal.md):
/// an independent, plain-Double reference built from the stream values at the
/// documented indices.
@Suite struct OrthogonalHouseholderTests {
    /// Reference: P = H₁⋯H_k·[I_k; 0]·diag(sign βⱼ), L = max(rows, cols),
    /// k = min(rows, cols), reflector j from the stream values at flat
    /// indices `offset` + j·cols + j + i (rows ≤ cols: row j) or
    /// `offset` + (j + i)·cols + j (rows > cols: column j), i = 0 ..< L − j.
    /// W = Pᵀ (rows ≤ cols) or P (rows > cols), times gain.
    /// The Gaussian is the stream's in `T` (Float normals are not Double normals rounded).
    static func reference<T: BLASScalar>(
        _: T.Type = Double.self, rows: Int, cols: Int, gain: Double, seed: UInt64, offset: Int = 0
    ) throws -> [Double] {
        var gT = [T](repeating: 0, count: offset + rows * cols)
        try RandomStream(seed: seed).fill(&gT, with: .normal(mean: 0, std: 1))
        let g = gT.map { Double($0) }
        let wide = rows <= cols, length = max(rows, cols), k = min(rows, cols)
        var p = [[Double]](repeating: [Double](repeating: 0, count: k), count: length)  // p[row][col]
        for j in 0..<k { p[j][j] = 1 }
        var signs = [Double](repeating: 1, count: k)
        var reflectors: [(v: [Double], tau: Double)] = []
        for j in 0..<k {
            let x = (0..<(length - j)).map { i in g[offset + (wide ? j * cols + j + i : (j + i) * cols + j)] }
            let tail = x.dropFirst().reduce(0) { $0 + $1 * $1 }
            if tail == 0 {
                signs[j] = x[0] < 0 ? -1 : 1
                reflectors.append(([1], 0))
                continue
            }
            let norm = (x[0] * x[0] + tail).squareRoot()
            let beta = x[0] < 0 ? norm : -norm
            signs[j] = beta < 0 ? -1 : 1
            reflectors.append(([1] + x.dropFirst().map { $0 / (x[0] - beta) }, (beta - x[0]) / beta))
        }
        // Apply H_k first, H₁ last; Hⱼ touches rows j… only.
        for j in stride(from: k - 1, through: 0, by: -1) {
            let (v, tau) = reflectors[j]
            for c in 0..<k {
                let dot = v.indices.reduce(0.0) { $0 + v[$1] * p[j + $1][c] }
                for i in v.indices { p[j + i][c] -= tau * v[i] * dot }
            }
        }
        var w = [Double](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            for c in 0..<cols {
                w[r * cols + c] = gain * (wide ? p[c][r] * signs[r] : p[r][c] * signs[c])
            }
        }
        return w
    }

    @Test(arguments: [(5, 5), (4, 9), (9, 4), (1, 1), (1, 6), (6, 1), (40, 40), (17, 60), (70, 90), (90, 70)])
    func matchesTheReference(rows: Int, cols: Int) throws {
        let expected = try Self.reference(rows: rows, cols: cols, gain: 1.5, seed: 31)
        var w = [Double](repeating: .nan, count: rows * cols)  // entries outside the trapezoid are never read
        try w.withUnsafeMutableBufferPointer {
            try Orthogonal.fill($0, rows: rows, cols: cols, gain: 1.5, method: .householder, stream: RandomStream(seed: 31))
        }
        let worst = zip(w, expected).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-12, "\(rows)×\(cols): max |W − reference| = \(worst)")
    }

    /// Float follows the same spec (to Float rounding), on both sides of the
    /// small-matrix cut-off and both orientations.
    @Test(arguments: [(12, 20), (20, 12), (70, 90), (90, 70)])
    func floatMatchesTheReference(rows: Int, cols: Int) throws {
        let expected = try Self.reference(Float.self, rows: rows, cols: cols, gain: 1, seed: 8)
        var w = [Float](repeating: 0, count: rows * cols)
        try w.withUnsafeMutableBufferPointer {
            try Orthogonal.fill($0, rows: rows, cols: cols, gain: 1, method: .householder, stream: RandomStream(seed: 8))
        }
        let worst = zip(w, expected).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-4, "\(rows)×\(cols): max |W − reference| = \(worst)")
    }

    /// Half the normals: a square matrix reads n(n+1)/2 of its n² indices, so
    /// changing the stream value of an entry below the diagonal (never read)
    /// changes nothing — checked by the reference's index map above and here
    /// by the count of trapezoid entries the sampler writes.
    @Test func samplesOnlyTheTrapezoid() throws {
        for (rows, cols) in [(6, 6), (4, 9), (9, 4)] {
            var w = [Double](repeating: .nan, count: rows * cols)
            try w.withUnsafeMutableBufferPointer {
                try Householder.sampleReflectorEntries($0, rows: rows, cols: cols, stream: RandomStream(seed: 1),
                                                       startIndex: 0, options: FillOptions())
            }
            let k = min(rows, cols), length = max(rows, cols)
            let expected = (0..<k).reduce(0) { $0 + length - $1 }
            #expect(w.filter { !$0.isNaN }.count == expected)
        }
    }
}
