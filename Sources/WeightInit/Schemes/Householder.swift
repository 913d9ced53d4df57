/// Stewart's generator of Haar-random orthogonal matrices: the Householder
/// reflectors that `?geqrf` would compute from a Gaussian matrix, built
/// directly from fresh Gaussian vectors of decreasing length.
///
/// G. W. Stewart, "The efficient generation of random orthogonal matrices
/// with an application to condition estimators", SIAM J. Numer. Anal. 17(3),
/// 1980. Why it is exact: `?geqrf` on a Gaussian m×k matrix computes H₁ from
/// column 1 (Gaussian in ℝᵐ) and applies it to the rest; because the Gaussian
/// law is invariant under the orthogonal H₁ and the columns are independent,
/// the trailing (m−1)×(k−1) block of H₁G is again Gaussian and independent of
/// H₁. Induction: the reflectors of a QR of G have the law of reflectors
/// computed from independent Gaussian vectors of lengths m, m−1, …, m−k+1, and
/// so do the signs of diag(R) (R_jj = βⱼ below). Q·diag(sign βⱼ) is then the
/// sign-fixed QR factor of a Gaussian matrix — Haar (see `Orthogonal`).
/// The trailing block is never formed: half the normals, no `?geqrf`.
enum Householder {
    /// Writes the k = min(rows, cols) reflectors of a Haar-random matrix into
    /// the row-major rows × cols buffer `w` in `?geqrf`/`?gelqf` storage, their
    /// `tau` into `tau`, and sign(βⱼ)·`gain` into `scale`.
    ///
    /// On entry `w` must hold standard normals at every entry of the
    /// reflector trapezoid (``sampleReflectorEntries(_:rows:cols:stream:startIndex:options:)``):
    /// reflector j is row j, columns j..< cols, if rows ≤ cols (LAPACK's column j
    /// of A = Wᵀ, for `?orgqr`), column j, rows j..< rows, otherwise (row j of
    /// A, for `?orglq`). Other entries are neither read nor needed.
    static func makeReflectors<T: BLASScalar>(
        _ w: UnsafeMutablePointer<T>, rows: Int, cols: Int, gain: T,
        tau: UnsafeMutablePointer<T>, scale: UnsafeMutablePointer<T>
    ) {
        let wide = rows <= cols
        let k = min(rows, cols), length = wide ? cols : rows, stride = wide ? 1 : cols
        for j in 0..<k {
            let sign = reflector(w + j * (cols + 1), count: length - j, stride: stride, tau: &tau[j])
            scale[j] = sign < 0 ? -gain : gain
        }
    }

    /// `?larfg` on x = (α, x₂, …) (`count` entries `stride` apart): H·x = β·e₁
    /// with H = I − τ·v·vᵀ, v = (1, x₂/(α−β), …); overwrites x₂… with v₂…,
    /// leaves α in place (`?orgqr` never reads it) and returns sign(β).
    ///
    /// β = −sign(α)·‖x‖, τ = (β−α)/β, so α − β never cancels. If x₂… = 0
    /// (always so for the last reflector of a square matrix, a 1×1 step), H = I
    /// (τ = 0) and β = α: the step still contributes the random sign of α.
    /// Dropping it — taking +1 for the last column — is a known bias bug: Q's
    /// determinant then follows sign(Q₁₁) (n = 2) instead of being independent.
    /// Norms accumulate in Double; a zero vector (probability 0) gives +1.
    @inline(__always)
    static func reflector<T: BLASScalar>(_ x: UnsafeMutablePointer<T>, count: Int, stride: Int, tau: inout T) -> Int {
        let alpha = Double(x.pointee)
        var tailSquares = 0.0
        var p = x
        for _ in 1..<max(count, 1) {
            p += stride
            let v = Double(p.pointee)
            tailSquares += v * v
        }
        guard tailSquares > 0 else {
            tau = 0
            return alpha < 0 ? -1 : 1
        }
        let norm = (alpha * alpha + tailSquares).squareRoot()
        let beta = alpha < 0 ? norm : -norm
        tau = T((beta - alpha) / beta)
        let inverse = T(1 / (alpha - beta))
        p = x
        for _ in 1..<count {
            p += stride
            p.pointee *= inverse
        }
        return beta < 0 ? -1 : 1
    }

    /// Fills exactly the reflector entries of the row-major rows × cols matrix
    /// `w` with the standard normals of `stream` at their own flat indices
    /// (offset by `startIndex`): row r, columns r..< cols (rows ≤ cols), or
    /// columns 0...min(r, cols − 1) (rows > cols). Each run is contiguous in
    /// both memory and stream index, so it is one `fill` call per row.
    static func sampleReflectorEntries<T: BLASScalar>(
        _ w: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, stream: RandomStream,
        startIndex: UInt64, options: FillOptions
    ) throws {
        let wide = rows <= cols
        for r in 0..<rows {
            let range = wide ? (r * cols + r)..<((r + 1) * cols) : (r * cols)..<(r * cols + min(r + 1, cols))
            try stream.fill(UnsafeMutableBufferPointer(rebasing: w[range]), with: .normal(mean: 0, std: 1),
                            startIndex: startIndex + UInt64(range.lowerBound), options: options)
        }
    }

    /// Up to this many entries (e.g. 64 × 64) Q is formed by ``formQ(_:m:k:tau:)``
    /// instead of `?orgqr`, whose fixed per-call cost (argument checks,
    /// `ilaenv` block-size lookups, one BLAS-2 call per column) dominates for
    /// small matrices — 10 000 8 × 8 matrices took ~2.5 µs each through LAPACK.
    /// Part of the reproducibility contract: changing it changes bits.
    static let smallMatrixEntries = 4096

    /// `?org2r` for the column-major m × k matrix `a` (lda = m) holding
    /// reflectors below its diagonal: overwrites it with the first k columns
    /// of H₀H₁⋯H_{k−1}. Unblocked, in T's precision; for small matrices only.
    static func formQ<T: BLASScalar>(_ a: UnsafeMutablePointer<T>, m: Int, k: Int, tau: UnsafeMutablePointer<T>) {
        for j in stride(from: k - 1, through: 0, by: -1) {
            let t = tau[j], v = a + j * m  // v[j] = 1 implicitly, v[j+1 ..< m] stored
            // Columns j+1 ..< k already hold H_{j+1}⋯ applied to e_c; apply H_j.
            if t != 0 {
                for c in (j + 1)..<max(j + 1, k) {
                    let column = a + c * m
                    var dot = column[j]
                    for i in (j + 1)..<m { dot += v[i] * column[i] }
                    let scaled = t * dot
                    column[j] -= scaled
                    for i in (j + 1)..<m { column[i] -= scaled * v[i] }
                }
            }
            // Column j = H_j e_j = e_j − τ v.
            for i in (j + 1)..<max(j + 1, m) { v[i] = -t * v[i] }
            v[j] = 1 - t
            for i in 0..<j { v[i] = 0 }
        }
    }
}
