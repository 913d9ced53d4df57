import Dispatch
import Foundation
import Testing
@_spi(Plumbing) @testable import WeightInit

/// The LAPACK layer checked the LAPACK way: ‖QᵀQ − I‖ and ‖A − QR‖ relative to
/// n·ε and ‖A‖, for Float and Double.
@Suite struct LinearAlgebraTests {
    /// A column-major m×n Gaussian matrix.
    static func gaussian<T: BLASScalar>(_: T.Type, m: Int, n: Int, seed: UInt64) throws -> [T] {
        var a = [T](repeating: 0, count: m * n)
        try RandomStream(seed: seed).fill(&a, with: .normal(mean: 0, std: 1))
        return a
    }

    /// ‖QᵀQ − I‖∞ / (m·ε) for the column-major m×n matrix q (m ≥ n), through syrk.
    static func orthonormalityResidual<T: BLASScalar>(_ q: [T], m: Int, n: Int) -> Double {
        var gram = [T](repeating: 0, count: n * n)
        T.syrk(transpose: true, n: Int32(n), k: Int32(m), alpha: 1, a: q, lda: Int32(m), beta: 0, c: &gram, ldc: Int32(n))
        var worst = 0.0
        for i in 0..<n {
            var rowSum = 0.0
            for j in 0..<n {
                let g = Double(i <= j ? gram[j * n + i] : gram[i * n + j])  // upper triangle is stored
                rowSum += abs(g - (i == j ? 1 : 0))
            }
            worst = max(worst, rowSum)
        }
        return worst / (Double(m) * Double(T.ulpOfOne))
    }

    /// ‖A − B‖₁ / (‖A‖₁·k·ε), column-major m×n.
    static func relativeResidual<T: BLASScalar>(_ a: [T], _ b: [T], m: Int, n: Int, k: Int) -> Double {
        var diff = 0.0, norm = 0.0
        for j in 0..<n {
            var d = 0.0, s = 0.0
            for i in 0..<m {
                d += abs(Double(a[j * m + i]) - Double(b[j * m + i]))
                s += abs(Double(a[j * m + i]))
            }
            diff = max(diff, d)
            norm = max(norm, s)
        }
        return diff / (norm * Double(k) * Double(T.ulpOfOne))
    }

    func qrReconstructs<T: BLASScalar>(_ type: T.Type, m: Int, n: Int) throws {
        let a = try Self.gaussian(T.self, m: m, n: n, seed: 7)
        var f = a
        var tau = [T](repeating: 0, count: n)
        try f.withUnsafeMutableBufferPointer { f in
            try tau.withUnsafeMutableBufferPointer { tau in
                let (pa, pt) = (f.baseAddress!, tau.baseAddress!)
                let lwork = max(try LAPACK.geqrfWorkspace(m: m, n: n, a: pa, lda: m, tau: pt),
                                try LAPACK.orgqrWorkspace(m: m, n: n, k: n, a: pa, lda: m, tau: pt))
                #expect(lwork >= n)
                var work = [T](repeating: 0, count: lwork)
                try work.withUnsafeMutableBufferPointer { work in
                    try LAPACK.geqrf(m: m, n: n, a: pa, lda: m, tau: pt, work: work)
                }
                // Save R (n×n, upper) before orgqr overwrites it.
                var r = [T](repeating: 0, count: n * n)
                for j in 0..<n { for i in 0...j { r[j * n + i] = pa[j * m + i] } }
                try work.withUnsafeMutableBufferPointer { work in
                    try LAPACK.orgqr(m: m, n: n, k: n, a: pa, lda: m, tau: pt, work: work)
                }
                var qr = [T](repeating: 0, count: m * n)
                T.gemm(transposeA: false, transposeB: false, m: Int32(m), n: Int32(n), k: Int32(n),
                       alpha: 1, a: pa, lda: Int32(m), b: r, ldb: Int32(n), beta: 0, c: &qr, ldc: Int32(m))
                #expect(Self.relativeResidual(a, qr, m: m, n: n, k: m) < 10)
            }
        }
        #expect(Self.orthonormalityResidual(f, m: m, n: n) < 10)
    }

    func lqReconstructs<T: BLASScalar>(_ type: T.Type, m: Int, n: Int) throws {
        // m < n: A = LQ with Q m×n of orthonormal rows, i.e. Qᵀ has orthonormal columns.
        let a = try Self.gaussian(T.self, m: m, n: n, seed: 8)
        var f = a
        var tau = [T](repeating: 0, count: m)
        try f.withUnsafeMutableBufferPointer { f in
            try tau.withUnsafeMutableBufferPointer { tau in
                let (pa, pt) = (f.baseAddress!, tau.baseAddress!)
                let lwork = max(try LAPACK.gelqfWorkspace(m: m, n: n, a: pa, lda: m, tau: pt),
                                try LAPACK.orglqWorkspace(m: m, n: n, k: m, a: pa, lda: m, tau: pt))
                #expect(lwork >= m)
                var work = [T](repeating: 0, count: lwork)
                try work.withUnsafeMutableBufferPointer { try LAPACK.gelqf(m: m, n: n, a: pa, lda: m, tau: pt, work: $0) }
                var l = [T](repeating: 0, count: m * m)
                for j in 0..<m { for i in j..<m { l[j * m + i] = pa[j * m + i] } }
                try work.withUnsafeMutableBufferPointer { try LAPACK.orglq(m: m, n: n, k: m, a: pa, lda: m, tau: pt, work: $0) }
                var lq = [T](repeating: 0, count: m * n)
                T.gemm(transposeA: false, transposeB: false, m: Int32(m), n: Int32(n), k: Int32(m),
                       alpha: 1, a: l, lda: Int32(m), b: pa, ldb: Int32(m), beta: 0, c: &lq, ldc: Int32(m))
                #expect(Self.relativeResidual(a, lq, m: m, n: n, k: n) < 10)
            }
        }
        // Q's rows orthonormal ⇔ QQᵀ = I: syrk without transpose.
        var gram = [T](repeating: 0, count: m * m)
        T.syrk(transpose: false, n: Int32(m), k: Int32(n), alpha: 1, a: f, lda: Int32(m), beta: 0, c: &gram, ldc: Int32(m))
        var worst = 0.0
        for i in 0..<m { for j in i..<m { worst = max(worst, abs(Double(gram[j * m + i]) - (i == j ? 1 : 0))) } }
        #expect(worst / (Double(n) * Double(T.ulpOfOne)) < 10)
    }

    @Test(arguments: [(50, 20), (20, 20), (1, 1), (97, 3)])
    func qr(m: Int, n: Int) throws {
        try qrReconstructs(Float.self, m: m, n: n)
        try qrReconstructs(Double.self, m: m, n: n)
    }

    @Test(arguments: [(20, 50), (3, 97), (1, 4)])
    func lq(m: Int, n: Int) throws {
        try lqReconstructs(Float.self, m: m, n: n)
        try lqReconstructs(Double.self, m: m, n: n)
    }

    @Test func infoBecomesTypedError() {
        #expect(throws: WeightInitError.lapack(routine: "sgeqrf", info: -4)) {
            try LAPACK.check(-4, routine: "geqrf", Float.self)
        }
        #expect(throws: WeightInitError.lapack(routine: "dorglq", info: 2)) {
            try LAPACK.check(2, routine: "orglq", Double.self)
        }
        #expect(throws: Never.self) { try LAPACK.check(0, routine: "geqrf", Float.self) }
    }

    /// A workspace below LAPACK's minimum (lwork ≥ n) comes back from LAPACK
    /// itself as an illegal argument 8 (LAPACKE counts the layout argument).
    @Test func tooSmallWorkspaceIsReported() throws {
        let (m, n) = (8, 6)
        var a = try Self.gaussian(Double.self, m: m, n: n, seed: 1)
        var tau = [Double](repeating: 0, count: n)
        var work = [Double](repeating: 0, count: 1)
        #expect(throws: WeightInitError.lapack(routine: "dgeqrf", info: -8)) {
            try a.withUnsafeMutableBufferPointer { a in
                try tau.withUnsafeMutableBufferPointer { tau in
                    try work.withUnsafeMutableBufferPointer { work in
                        try LAPACK.geqrf(m: m, n: n, a: a.baseAddress!, lda: m, tau: tau.baseAddress!, work: work)
                    }
                }
            }
        }
    }

    @Test func dimensionsBeyondLAPACKIntAreTooLarge() {
        #expect(throws: WeightInitError.self) { try LAPACK.lapackInts([3, Int(Int32.max) + 1]) }
        #expect((try? LAPACK.lapackInts([3, Int(Int32.max)])) == [3, Int32.max])
    }

    /// The count outside any section, read inside a shared one: other tests
    /// run in parallel and may be inside a section that changed the count
    /// (every small orthogonal fill pins one thread), so a bare read races.
    static func settledCount() throws -> Int { try BLASThreads.with(nil) { BLASThreads.current } }

    @Test func threadScopeRestoresTheCount() throws {
        let before = try Self.settledCount()
        let inside = try BLASThreads.with(1) { BLASThreads.current }
        #expect(inside == 1)
        #expect(try Self.settledCount() == before)
        #expect(try BLASThreads.with(nil) { BLASThreads.current } == before)
        #expect(throws: WeightInitError.invalidParameter("threads", value: "0", reason: "must be ≥ 1")) {
            try BLASThreads.with(0) {}
        }
    }

    /// Concurrent sections see the count they asked for, and the count is
    /// restored afterwards (without the lock, interleaved set/restore pairs
    /// leave a wrong count behind).
    @Test func concurrentThreadScopesDoNotInterfere() throws {
        let before = try Self.settledCount()
        let requests: [Int?] = [1, 2, nil, 3, 1, nil, 2, 4]
        let wrong = UnsafeMutableBufferPointer<Int>.allocate(capacity: 64)
        defer { wrong.deallocate() }
        wrong.initialize(repeating: 0)
        nonisolated(unsafe) let results = wrong
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let requested = requests[i % requests.count]
            // The pause makes sections overlap, as real LAPACK calls would.
            let seen = try? BLASThreads.with(requested) { () -> Int in
                usleep(2_000)
                return BLASThreads.current
            }
            results[i] = seen == (requested ?? before) ? 0 : 1
        }
        #expect(wrong.reduce(0, +) == 0)
        #expect(try Self.settledCount() == before)
    }

    /// A fill inside a benchmark's `BLASThreads.with(1)` neither deadlocks nor
    /// changes the count; asking for another count inside is an error.
    @Test func sectionsNest() throws {
        let before = try Self.settledCount()
        let seen = try BLASThreads.with(1) {
            try BLASThreads.with(nil) { try BLASThreads.with(1) { BLASThreads.current } }
        }
        #expect(seen == 1)
        #expect(try Self.settledCount() == before)
        #expect(throws: WeightInitError.self) {
            try BLASThreads.with(1) { try BLASThreads.with(2) {} }
        }
        var w = [Double](repeating: 0, count: 12)
        try BLASThreads.with(1) {
            try w.withUnsafeMutableBufferPointer {
                try Orthogonal.fill($0, rows: 3, cols: 4, gain: 1, stream: RandomStream(seed: 1),
                                    options: FillOptions(threads: 1))
            }
        }
        #expect(w.contains { $0 != 0 })
    }
}
