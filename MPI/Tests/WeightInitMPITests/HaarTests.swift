import Testing
@_spi(Plumbing) import WeightInit

/// The distributed matrices are Haar-distributed: statistics of many small
/// matrices, each itself spread over the grid (8 × 8 in 4 × 4 blocks on
/// 2 × 2 ranks), written with --count.
@Suite(.enabled(if: MPIRun.isAvailable, "mpirun is not on PATH: weightinit-mpi cannot be run"))
struct HaarTests {
    static let count = 4000, n = 8

    @Test("trace: mean 0, variance 1; diagonal signs unbiased", arguments: [2, 4])
    func traceAndSigns(ranks: Int) throws {
        let directory = try Scratch()
        let (q, shape) = try MPIRun.orthogonal(
            Double.self, ranks: ranks, ["--shape", "\(Self.n),\(Self.n)", "--count", "\(Self.count)", "--seed", "2024",
                                        "--dtype", "f64"], in: directory)
        #expect(shape == [Self.count, Self.n, Self.n])
        let (count, n) = (Double(Self.count), Self.n)
        let diagonals = (0 ..< Self.count).map { b in (0 ..< n).map { i in q[b * n * n + i * n + i] } }

        // For Haar O(n), n ≥ 4, the trace's first four moments are those of
        // N(0, 1) (Diaconis & Shahshahani, "On the eigenvalues of random
        // matrices", J. Appl. Probab. 31A, 1994): mean 0, variance 1, and the
        // sample variance's own variance (E t⁴ − 1)/N = 2/N. Bounds: 5
        // standard errors, fixed seed.
        let traces = diagonals.map { $0.reduce(0, +) }
        let mean = traces.reduce(0, +) / count
        let variance = traces.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (count - 1)
        #expect(abs(mean) < 5 * (1 / count).squareRoot(), "trace mean \(mean)")
        #expect(abs(variance - 1) < 5 * (2 / count).squareRoot(), "trace variance \(variance)")

        // Without the sign fix LAPACK's convention makes Q_ii lean negative
        // (single-process: mean trace −1.26 at 6 × 6). Per position i, the
        // signs are ±1 with mean 0 (SE 1/√N), and Q_ii has mean 0 and
        // variance 1/n (SE 1/√(nN)).
        for i in 0 ..< n {
            let signs = diagonals.map { $0[i] < 0 ? -1.0 : 1.0 }.reduce(0, +) / count
            let values = diagonals.map { $0[i] }.reduce(0, +) / count
            #expect(abs(signs) < 5 / count.squareRoot(), "mean sign of Q_\(i)\(i): \(signs)")
            #expect(abs(values) < 5 / (Double(n) * count).squareRoot(), "mean Q_\(i)\(i): \(values)")
        }
    }
}
