/// The factorisation step of ``OrthogonalMethod/qr``: `?geqrf` (rows ≤ cols)
/// or `?gelqf` (rows > cols) of the Gaussian in place, and the signs of the
/// triangular factor's diagonal.
enum OrthogonalQR {
    /// Factors the column-major A = Wᵀ (cols × rows, lda = cols) held by the
    /// row-major rows × cols buffer `w`, leaving the reflectors for
    /// `?orgqr`/`?orglq`, and writes sign(R_ii)·`gain` (`signFix`) or `gain`
    /// into `scale`.
    ///
    /// rows ≤ cols: A = QR, Q cols × rows with orthonormal columns, so W = Qᵀ
    /// has orthonormal rows. rows > cols: A = LQ, and G = Aᵀ = Qᵀ·Lᵀ is the QR
    /// decomposition of G itself, with R = Lᵀ.
    static func factor<T: BLASScalar>(
        _ w: UnsafeMutablePointer<T>, rows: Int, cols: Int, gain: T, tau: UnsafeMutablePointer<T>,
        scale: UnsafeMutablePointer<T>, work: UnsafeMutableBufferPointer<T>, signFix: Bool
    ) throws {
        let m = cols, n = rows, lda = cols, k = min(rows, cols)
        if rows <= cols {
            try LAPACK.geqrf(m: m, n: n, a: w, lda: lda, tau: tau, work: work)
        } else {
            try LAPACK.gelqf(m: m, n: n, a: w, lda: lda, tau: tau, work: work)
        }
        // QR is unique only up to Q → QD, R → DR with D = diag(±1), and
        // LAPACK's Householder convention picks D from the data (R_ii is
        // minus the sign of the column's leading entry times its norm),
        // so its Q is *not* Haar-distributed: its diagonal leans negative.
        // Requiring diag(R) > 0 makes the decomposition unique; then for any
        // fixed orthogonal H, HG has the law of G and QR(HG) = (HQ)R, so Q's
        // law is invariant under H — the Haar measure (Mezzadri, "How to
        // generate random matrices from the classical compact groups",
        // Notices AMS 54(5), 2007). Hence Q ← Q·diag(sign R_ii), for L the
        // same with sign L_ii. The diagonal must be read now, before
        // orgqr/orglq overwrite it. sign(0) = +1 (probability 0).
        for i in 0..<k {
            scale[i] = signFix && w[i * lda + i] < 0 ? -gain : gain
        }
    }
}
