/// Orthogonal initialisation: a Haar-distributed (uniformly random) matrix
/// with orthonormal rows or columns, times `gain`.
///
/// Saxe, McClelland & Ganguli, "Exact solutions to the nonlinear dynamics of
/// learning in deep linear neural networks", ICLR 2014. Also known as
/// PyTorch `torch.nn.init.orthogonal_`, Keras `Orthogonal`, JAX
/// `jax.nn.initializers.orthogonal`.
///
/// A tensor of shape (rows, d₁, d₂, …) is the rows × cols matrix W,
/// cols = d₁·d₂·…, in C order. If rows ≤ cols the rows of W are orthonormal
/// (W Wᵀ = gain²·I), otherwise its columns are (Wᵀ W = gain²·I).
///
/// Algorithm: W starts as the Gaussian G, the standard normal values of
/// `stream` at flat indices 0 ..< rows·cols; it is replaced, in place, by the
/// Q factor of the QR decomposition of G (rows > cols) or of Gᵀ (rows ≤ cols)
/// with the signs of diag(R) folded in — the Gram–Schmidt orthonormalisation
/// of G's columns or rows (details below).
///
/// ```swift
/// let w: [Float] = try Initializer.orthogonal(gain: 2.0.squareRoot())
///     .makeArray(shape: [256, 128], seed: 42)
/// ```
public enum Orthogonal {
    /// Fills `buffer`, a tensor of `shape` (≥ 2-D, flattened to
    /// shape[0] × ∏shape[1...], C order), with a Haar-distributed orthogonal
    /// matrix times `gain` (finite, ≥ 0).
    ///
    /// Float and Double are computed in their own precision; Float16 and
    /// BFloat16 are computed in Float (in a temporary Float copy) and rounded.
    public static func fill<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], gain: Double, method: OrthogonalMethod,
        stream: RandomStream, options: FillOptions
    ) throws {
        let (rows, cols) = try matrixShape(shape, elementCount: buffer.count, elementSize: MemoryLayout<T>.stride)
        switch method {
        case .qr: try fillQR(buffer, rows: rows, cols: cols, gain: gain, stream: stream, options: options)
        }
    }

    /// Fills the row-major rows × cols matrix `buffer` with a Haar-distributed
    /// orthogonal matrix times `gain`: normal sampling from `stream`, then
    /// ``orthogonalize(_:rows:cols:gain:options:)``.
    public static func fill<T: BLASScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, gain: Double,
        stream: RandomStream, options: FillOptions = FillOptions()
    ) throws {
        try fill(buffer, rows: rows, cols: cols, gain: gain, stream: stream, options: options, signFix: true)
    }

    /// The QR step alone: replaces the row-major rows × cols matrix `buffer`
    /// (normally standard Gaussian) by its orthogonal factor with the signs of
    /// diag(R) folded in, times `gain`. Extra memory: min(rows, cols) scalars
    /// twice and LAPACK's workspace.
    ///
    /// Benchmarks use this to time the linear algebra without the sampling.
    public static func orthogonalize<T: BLASScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, gain: Double,
        options: FillOptions = FillOptions()
    ) throws {
        try orthogonalize(buffer, rows: rows, cols: cols, gain: gain, options: options, signFix: true)
    }

    // MARK: Internals (signFix: false exists only to test that the sign fix matters)

    static func fill<T: BLASScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, gain: Double,
        stream: RandomStream, options: FillOptions, signFix: Bool
    ) throws {
        try validate(buffer.count, rows: rows, cols: cols, gain: gain)
        try stream.fill(buffer, with: .normal(mean: 0, std: 1), options: options)
        try orthogonalize(buffer, rows: rows, cols: cols, gain: gain, options: options, signFix: signFix)
    }

    static func orthogonalize<T: BLASScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, gain: Double,
        options: FillOptions, signFix: Bool
    ) throws {
        try validate(buffer.count, rows: rows, cols: cols, gain: gain)
        // gain 0: every entry +0 (scaling Q by 0 would leave −0 where Q < 0).
        guard gain != 0 else { return buffer.update(repeating: 0) }
        guard let a = buffer.baseAddress else { return }
        // A row-major rows × cols buffer is, unchanged, the column-major
        // cols × rows matrix A = Wᵀ (leading dimension cols), which LAPACK takes
        // as is — no transposed copy.
        let m = cols, n = rows, lda = cols, k = min(m, n)
        let wide = rows <= cols  // A tall (m ≥ n): QR. A wide (m < n): LQ.

        let tau = UnsafeMutableBufferPointer<T>.allocate(capacity: k)
        defer { tau.deallocate() }
        let scale = UnsafeMutableBufferPointer<T>.allocate(capacity: k)
        defer { scale.deallocate() }
        tau.initialize(repeating: 0)

        try BLASThreads.with(options.threads) {
            let t = tau.baseAddress!
            // One workspace, the larger of the two routines' optimal sizes.
            let lwork = wide
                ? max(try LAPACK.geqrfWorkspace(m: m, n: n, a: a, lda: lda, tau: t),
                      try LAPACK.orgqrWorkspace(m: m, n: n, k: k, a: a, lda: lda, tau: t))
                : max(try LAPACK.gelqfWorkspace(m: m, n: n, a: a, lda: lda, tau: t),
                      try LAPACK.orglqWorkspace(m: m, n: n, k: k, a: a, lda: lda, tau: t))
            let work = UnsafeMutableBufferPointer<T>.allocate(capacity: lwork)
            defer { work.deallocate() }

            if wide {
                // A = QR, Q cols×rows with orthonormal columns: W = Qᵀ has orthonormal rows.
                try LAPACK.geqrf(m: m, n: n, a: a, lda: lda, tau: t, work: work)
            } else {
                // A = LQ, Q cols×rows with orthonormal rows: W = Qᵀ has orthonormal
                // columns. G = Aᵀ = Qᵀ·Lᵀ, so this is the QR decomposition of G
                // itself, with R = Lᵀ.
                try LAPACK.gelqf(m: m, n: n, a: a, lda: lda, tau: t, work: work)
            }

            // QR is unique only up to Q → QD, R → DR with D = diag(±1), and
            // LAPACK's Householder convention picks D from the data (R_ii is
            // minus the sign of the column's leading entry times its norm),
            // so its Q is *not* Haar-distributed:
            // its diagonal leans negative. Requiring diag(R) > 0 makes the
            // decomposition unique; then for any fixed orthogonal H, HG has the
            // law of G and QR(HG) = (HQ)R, so Q's law is invariant under H — the
            // Haar measure (Mezzadri, "How to generate random matrices from the
            // classical compact groups", Notices AMS 54(5), 2007). Hence
            // Q ← Q·diag(sign R_ii), for L the same with sign L_ii. The
            // diagonal must be read now, before orgqr/orglq overwrite it.
            // sign(0) = +1: a zero R_ii happens only with probability 0.
            let g = T(gain)
            for i in 0..<k {
                let d = a[i * lda + i]
                scale[i] = signFix && d < 0 ? -g : g
            }

            if wide {
                try LAPACK.orgqr(m: m, n: n, k: k, a: a, lda: lda, tau: t, work: work)
            } else {
                try LAPACK.orglq(m: m, n: n, k: k, a: a, lda: lda, tau: t, work: work)
            }
        }
        // sign·gain in one pass. Column i of Q (QR) is row i of W; row i of Q
        // (LQ) is column i of W.
        applyScale(buffer, rows: rows, cols: cols, scale: UnsafeBufferPointer(scale), perRow: wide)
    }

    /// W[r][c] *= scale[r] (`perRow`) or scale[c], row by row so every access is contiguous.
    private static func applyScale<T: BLASScalar>(
        _ w: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, scale: UnsafeBufferPointer<T>, perRow: Bool
    ) {
        for r in 0..<rows {
            let row = UnsafeMutableBufferPointer(rebasing: w[(r * cols)..<((r + 1) * cols)])
            if perRow {
                let s = scale[r]
                for c in 0..<cols { row[c] *= s }
            } else {
                for c in 0..<cols { row[c] *= scale[c] }
            }
        }
    }

    /// Dispatches a WeightScalar buffer to the Float or Double path.
    private static func fillQR<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, gain: Double,
        stream: RandomStream, options: FillOptions
    ) throws {
        switch T.format {
        case .f32:
            try buffer.withMemoryRebound(to: Float.self) {
                try fill($0, rows: rows, cols: cols, gain: gain, stream: stream, options: options)
            }
        case .f64:
            try buffer.withMemoryRebound(to: Double.self) {
                try fill($0, rows: rows, cols: cols, gain: gain, stream: stream, options: options)
            }
        case .f16, .bf16:
            // No half-precision LAPACK: compute in Float, then round. The only
            // case that needs a second rows×cols array.
            try validate(buffer.count, rows: rows, cols: cols, gain: gain)
            let temp = UnsafeMutableBufferPointer<Float>.allocate(capacity: buffer.count)
            defer { temp.deallocate() }
            temp.initialize(repeating: 0)
            try fill(temp, rows: rows, cols: cols, gain: gain, stream: stream, options: options)
            for i in 0..<buffer.count { buffer[i] = T(rounding: Double(temp[i])) }
        }
    }

    // MARK: Argument checks

    /// (rows, cols) of a ≥ 2-D shape whose element count is `elementCount`.
    static func matrixShape(_ shape: [Int], elementCount: Int, elementSize: Int) throws -> (rows: Int, cols: Int) {
        guard shape.count >= 2 else {
            throw WeightInitError.invalidShape(shape, reason: "orthogonal needs ≥ 2 dimensions")
        }
        let count = try Shape.elementCount(shape, elementSize: elementSize)
        guard elementCount == count else {
            throw WeightInitError.invalidShape(
                shape, reason: "the buffer holds \(elementCount) elements, the shape needs \(count)")
        }
        return (shape[0], count / shape[0])
    }

    static func validate(_ count: Int, rows: Int, cols: Int, gain: Double) throws {
        guard rows >= 1, cols >= 1 else {
            throw WeightInitError.invalidShape([rows, cols], reason: "every dimension must be ≥ 1")
        }
        let (product, overflow) = rows.multipliedReportingOverflow(by: cols)
        guard !overflow else { throw WeightInitError.tooLarge(shape: [rows, cols], reason: "the element count overflows Int") }
        guard count == product else {
            throw WeightInitError.invalidShape(
                [rows, cols], reason: "the buffer holds \(count) elements, the matrix needs \(product)")
        }
        guard gain.isFinite, gain >= 0 else {
            throw WeightInitError.invalidParameter("gain", value: "\(gain)", reason: "must be finite and ≥ 0")
        }
        _ = try LAPACK.lapackInts([rows, cols])
    }
}
