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
/// Two methods (``OrthogonalMethod``), both exactly Haar:
/// - ``OrthogonalMethod/householder`` (default): Stewart's reflectors from
///   Gaussian vectors of decreasing length, then `?orgqr`/`?orglq`.
/// - ``OrthogonalMethod/qr``: W starts as the Gaussian G (stream indices
///   0 ..< rows·cols) and is replaced in place by the Q factor of the QR
///   decomposition of G (rows > cols) or Gᵀ (rows ≤ cols) with the signs of
///   diag(R) folded in — the Gram–Schmidt orthonormalisation of G.
///
/// ```swift
/// let w: [Float] = try Initializer.orthogonal(gain: 2.0.squareRoot())
///     .makeArray(shape: [256, 128], seed: 42)
/// let lstm: [Float] = try Initializer.orthogonal(blocks: 4)   // 4 gates
///     .makeArray(shape: [4 * 256, 256], seed: 42)
/// ```
@_spi(Plumbing) public enum Orthogonal {
    /// Fills `buffer`, a tensor of `shape` (≥ 2-D, flattened to
    /// shape[0] × ∏shape[1...], C order), with a Haar-distributed orthogonal
    /// matrix times `gain` (finite, ≥ 0) — or, with `blocks` = k > 1, with k
    /// stacked independent h × h orthogonal blocks (shape[0] = k·h, ∏shape[1...] = h).
    ///
    /// Float and Double are computed in their own precision; Float16 and
    /// BFloat16 are computed in Float (in a temporary Float copy) and rounded.
    @_spi(Plumbing) public static func fill<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], gain: Double, method: OrthogonalMethod,
        blocks: Int = 1, stream: RandomStream, options: FillOptions
    ) throws {
        let (rows, cols) = try matrixShape(shape, elementCount: buffer.count, elementSize: MemoryLayout<T>.stride)
        try checkBlocks(shape: shape, blocks: blocks)
        if blocks == 1 {
            try validate(buffer.count, rows: rows, cols: cols, gain: gain)
            try inComputePrecision(buffer, rows: rows, cols: cols,
                                   SingleFill(rows: rows, cols: cols, gain: gain, method: method, stream: stream,
                                              options: options))
        } else {
            try fillBatch(buffer, count: blocks, rows: rows / blocks, cols: cols, gain: gain, method: method,
                          stream: stream, options: options)
        }
    }

    /// Fills the row-major rows × cols matrix `buffer` with a Haar-distributed
    /// orthogonal matrix times `gain`, by `method`.
    ///
    /// OpenBLAS runs on one thread when min(rows, cols) < ``threadingThreshold``
    /// (bits then independent of `options.threads`), on `options.threads` above.
    @_spi(Plumbing) public static func fill<T: BLASScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, gain: Double,
        method: OrthogonalMethod = .default, stream: RandomStream, options: FillOptions = FillOptions()
    ) throws {
        try fill(buffer, rows: rows, cols: cols, gain: gain, method: method, stream: stream, options: options,
                 signFix: true)
    }

    /// The QR step alone: replaces the row-major rows × cols matrix `buffer`
    /// (normally standard Gaussian) by its orthogonal factor with the signs of
    /// diag(R) folded in, times `gain`. Extra memory: min(rows, cols) scalars
    /// twice and LAPACK's workspace.
    ///
    /// Benchmarks use this to time the linear algebra without the sampling.
    package static func orthogonalize<T: BLASScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, gain: Double,
        options: FillOptions = FillOptions()
    ) throws {
        try validate(buffer.count, rows: rows, cols: cols, gain: gain)
        let threads = try blasThreads(rows: rows, cols: cols, requested: options.threads)
        guard gain != 0 else { return buffer.update(repeating: 0) }
        let scratch = try Scratch<T>(rows: rows, cols: cols, method: .qr)
        try BLASThreads.with(threads) {
            try transform(buffer.baseAddress!, rows: rows, cols: cols, gain: T(gain), method: .qr,
                          scratch: scratch, signFix: true)
        }
    }

    /// Below this min(rows, cols), OpenBLAS is pinned to one thread whatever
    /// ``FillOptions/threads`` says: threading buys little there and its
    /// reductions change the last bits with the thread count (see
    /// the Reproducibility section of `Orthogonal`).
    package static let threadingThreshold = 1024

    // MARK: Internals (signFix: false exists only to test that the sign fix matters)

    static func fill<T: BLASScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, gain: Double, method: OrthogonalMethod,
        stream: RandomStream, options: FillOptions, signFix: Bool
    ) throws {
        try validate(buffer.count, rows: rows, cols: cols, gain: gain)
        let threads = try blasThreads(rows: rows, cols: cols, requested: options.threads)
        // gain 0: every entry +0 (scaling Q by 0 would leave −0 where Q < 0).
        guard gain != 0 else { return buffer.update(repeating: 0) }
        let scratch = try Scratch<T>(rows: rows, cols: cols, method: method)
        if let copy = scratch.transposed?.baseAddress {
            // Tall Householder: computed in the column-major copy, then W = the
            // copy transposed back, sign·gain fused into that pass.
            try tallHouseholder(rows: rows, cols: cols, gain: T(gain), stream: stream, options: options,
                                scratch: scratch, threads: threads)
            transpose(copy, rows: cols, cols: rows, into: buffer.baseAddress!, rowScale: scratch.scale.baseAddress!)
            return
        }
        try sampleAndTransform(buffer, rows: rows, cols: cols, gain: gain, method: method, stream: stream,
                               options: options, threads: threads, scratch: scratch, signFix: signFix, scaling: true)
    }

    /// ``fill(_:rows:cols:gain:method:stream:options:)`` without its last
    /// pass, for a matrix that is not tall Householder and a gain that is not
    /// 0: `buffer` holds W with every row (`perRow`, the case rows ≤ cols) or
    /// every column still to be multiplied by its entry of the returned
    /// scratch's `scale` — the product the fill would store.
    static func fillUnscaled<T: BLASScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, gain: Double, method: OrthogonalMethod,
        stream: RandomStream, options: FillOptions
    ) throws -> (scratch: Scratch<T>, perRow: Bool) {
        try validate(buffer.count, rows: rows, cols: cols, gain: gain)
        precondition(gain != 0 && !usesTransposedCopy(rows: rows, cols: cols, method: method))
        let threads = try blasThreads(rows: rows, cols: cols, requested: options.threads)
        let scratch = try Scratch<T>(rows: rows, cols: cols, method: method)
        try sampleAndTransform(buffer, rows: rows, cols: cols, gain: gain, method: method, stream: stream,
                               options: options, threads: threads, scratch: scratch, signFix: true, scaling: false)
        return (scratch, rows <= cols)
    }

    /// The Gaussian into `buffer`, then its decomposition in place, in the
    /// BLAS section: what ``fill`` and ``fillUnscaled`` share for every
    /// matrix but a tall Householder one.
    private static func sampleAndTransform<T: BLASScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, gain: Double, method: OrthogonalMethod,
        stream: RandomStream, options: FillOptions, threads: Int?, scratch: Scratch<T>, signFix: Bool, scaling: Bool
    ) throws {
        try sample(buffer, rows: rows, cols: cols, method: method, stream: stream, startIndex: 0, options: options)
        try inBLASSection(rows: rows, cols: cols, method: method, threads: threads) {
            try transform(buffer.baseAddress!, rows: rows, cols: cols, gain: T(gain), method: method,
                          scratch: scratch, signFix: signFix, scaling: scaling)
        }
    }

    /// Runs `body` with OpenBLAS on `threads` — except for small Householder
    /// matrices, which never reach BLAS: they skip the section, whose
    /// exclusive lock would serialise concurrent small fills.
    static func inBLASSection(rows: Int, cols: Int, method: OrthogonalMethod, threads: Int?, _ body: () throws -> Void) throws {
        guard method == .qr || rows * cols > Householder.smallMatrixEntries else { return try body() }
        try BLASThreads.with(threads, body)
    }

    /// Householder on a tall matrix (rows > cols): leaves in `scratch`'s
    /// column-major copy B = Wᵀ (the row-major cols × rows matrix) the
    /// orthonormal Q without its signs, and sign·gain per column of W in
    /// `scratch.scale` — W[r][c] = B[c][r]·scale[c] (`transpose(_:rows:cols:into:rowScale:)`).
    ///
    /// The Gaussian reflector entries of W (row r, columns 0...min(r, cols − 1),
    /// at their own flat indices) are sampled a slab of rows at a time and
    /// stored transposed, so W's own layout is never needed: W's column
    /// reflectors are B's contiguous row reflectors, `?orgqr` runs on B
    /// (rows × cols column-major, lda = rows) — OpenBLAS's `?orglq` in place
    /// is 2.4–3.5× slower (4096 × 1024 f32, 1–2 threads, measured) — and the
    /// entries outside the trapezoid are neither read nor needed.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func tallHouseholder<T: BLASScalar>(
        rows: Int, cols: Int, gain: T, stream: RandomStream, options: FillOptions, scratch: Scratch<T>, threads: Int?
    ) throws {
        let copy = scratch.transposed!.baseAddress!
        let slabRows = 64
        let slab = UnsafeMutableBufferPointer<T>.allocate(capacity: slabRows * cols)
        defer { slab.deallocate() }
        for r0 in stride(from: 0, to: rows, by: slabRows) {
            let r1 = min(r0 + slabRows, rows)
            // Rows from cols − 1 on are whole rows: one fill for all of them.
            let full = max(r0, min(r1, cols - 1))
            for r in r0 ..< full {
                try stream.fill(UnsafeMutableBufferPointer(rebasing: slab[(r - r0) * cols ..< (r - r0) * cols + r + 1]),
                                with: .normal(mean: 0, std: 1), startIndex: UInt64(r * cols), options: options)
            }
            if full < r1 {
                try stream.fill(UnsafeMutableBufferPointer(rebasing: slab[(full - r0) * cols ..< (r1 - r0) * cols]),
                                with: .normal(mean: 0, std: 1), startIndex: UInt64(full * cols), options: options)
            }
            for c in 0 ..< min(cols, r1) {
                let column = copy + c * rows
                for r in max(r0, c) ..< r1 { column[r] = slab[(r - r0) * cols + c] }
            }
        }
        try inBLASSection(rows: rows, cols: cols, method: .householder, threads: threads) {
            Householder.makeReflectors(copy, rows: cols, cols: rows, gain: gain, tau: scratch.tau.baseAddress!,
                                       scale: scratch.scale.baseAddress!)
            try formHouseholderQ(copy, m: rows, k: cols, tau: scratch.tau.baseAddress!, work: scratch.work)
        }
    }

    /// Writes the Gaussian entries `method` reads, at their own flat indices
    /// (+ `startIndex`): all of them for QR, the reflector trapezoid for Householder.
    static func sample<T: BLASScalar>(
        _ w: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, method: OrthogonalMethod,
        stream: RandomStream, startIndex: UInt64, options: FillOptions
    ) throws {
        switch method {
        case .qr:
            try stream.fill(w, with: .normal(mean: 0, std: 1), startIndex: startIndex, options: options)
        case .householder:
            try Householder.sampleReflectorEntries(w, rows: rows, cols: cols, stream: stream,
                                                   startIndex: startIndex, options: options)
        }
    }

    /// OpenBLAS threads for one rows × cols matrix: 1 below the threshold.
    /// A requested count is checked even when it is not used.
    static func blasThreads(rows: Int, cols: Int, requested: Int?) throws -> Int? {
        try checkThreads(requested)
        return min(rows, cols) < threadingThreshold ? 1 : requested
    }

    static func checkThreads(_ threads: Int?) throws {
        if let threads, threads < 1 {
            throw WeightInitError.invalidParameter("threads", value: "\(threads)", reason: "must be ≥ 1")
        }
    }

    /// `tau`, the per-row/column scale and one LAPACK workspace — the larger
    /// of the optimal sizes of the routines `method` runs on a rows × cols
    /// problem — allocated once and reused (a batch reuses it per worker).
    /// Memory is checked against physical memory before anything is allocated.
    final class Scratch<T: BLASScalar> {
        let tau: UnsafeMutableBufferPointer<T>
        let scale: UnsafeMutableBufferPointer<T>
        let work: UnsafeMutableBufferPointer<T>
        /// Householder, rows > cols only: the column-major rows × cols copy
        /// `?orgqr` works on (see `Orthogonal/transform(_:rows:cols:gain:method:scratch:signFix:)`).
        let transposed: UnsafeMutableBufferPointer<T>?

        /// `withMatrix`: the rows × cols matrix itself is in memory too (it must
        /// fit beside its scratch) — all but a tall Householder matrix written
        /// to a file, which lives in the copy alone.
        init(rows: Int, cols: Int, method: OrthogonalMethod, withMatrix: Bool = true) throws {
            let lwork = try Orthogonal.workspaceCount(T.self, rows: rows, cols: cols, method: method)
            let k = min(rows, cols)
            let copy = Orthogonal.usesTransposedCopy(rows: rows, cols: cols, method: method) ? rows * cols : 0
            try Orthogonal.checkFits(shape: [rows, cols], scalars: [withMatrix ? rows * cols : 0, lwork, k, k, copy],
                                     scalarSize: MemoryLayout<T>.stride)
            tau = .allocate(capacity: k)
            tau.initialize(repeating: 0)
            scale = .allocate(capacity: k)
            scale.initialize(repeating: 0)
            work = .allocate(capacity: lwork)
            work.initialize(repeating: 0)
            if copy > 0 {
                let t = UnsafeMutableBufferPointer<T>.allocate(capacity: copy)
                t.initialize(repeating: 0)
                transposed = t
            } else {
                transposed = nil
            }
        }

        deinit {
            tau.deallocate()
            scale.deallocate()
            work.deallocate()
            transposed?.deallocate()
        }
    }

    /// Householder on a tall matrix runs `?orgqr` on a transposed copy
    /// rather than `?orglq` in place: OpenBLAS's `?orglq` is 2.4–3.5× slower
    /// than `?orgqr` (4096 × 1024 f32, 1–2 threads, measured), which outweighs
    /// two transposes — at the cost of a second rows × cols array.
    static func usesTransposedCopy(rows: Int, cols: Int, method: OrthogonalMethod) -> Bool {
        method == .householder && rows > cols
    }

    /// LAPACK's optimal workspace for `method` on a rows × cols problem
    /// (queries only: LAPACK reads no matrix entry when lwork = −1).
    static func workspaceCount<T: BLASScalar>(_: T.Type, rows: Int, cols: Int, method: OrthogonalMethod) throws -> Int {
        let m = cols, n = rows, k = min(rows, cols), wide = rows <= cols
        // LAPACK computes lwork = (dimension)·nb in its 32-bit integers, so a
        // query for a huge problem overflows and returns garbage: refuse
        // before asking (nb ≤ 64 in reference LAPACK and OpenBLAS).
        let (bound, overflow) = max(m, n).multipliedReportingOverflow(by: 64)
        guard !overflow, bound <= Int(LAPACKInt.max) else {
            throw WeightInitError.tooLarge(
                shape: [rows, cols], reason: "LAPACK's workspace (up to 64·\(max(m, n)) scalars) exceeds its 32-bit lapack_int")
        }
        var dummy = T.zero, dummyTau = T.zero
        return try withUnsafeMutablePointer(to: &dummy) { a in
            try withUnsafeMutablePointer(to: &dummyTau) { t in
                if usesTransposedCopy(rows: rows, cols: cols, method: method) {
                    return try LAPACK.orgqrWorkspace(m: rows, n: cols, k: cols, a: a, lda: rows, tau: t)
                }
                let generate = wide
                    ? try LAPACK.orgqrWorkspace(m: m, n: n, k: k, a: a, lda: m, tau: t)
                    : try LAPACK.orglqWorkspace(m: m, n: n, k: k, a: a, lda: m, tau: t)
                guard method == .qr else { return generate }
                let factor = wide
                    ? try LAPACK.geqrfWorkspace(m: m, n: n, a: a, lda: m, tau: t)
                    : try LAPACK.gelqfWorkspace(m: m, n: n, a: a, lda: m, tau: t)
                return max(generate, factor)
            }
        }
    }

    /// Turns `w` (holding the Gaussian entries `method` reads) into gain·Q in
    /// place. The caller has fixed OpenBLAS's thread count.
    ///
    /// A row-major rows × cols buffer is, unchanged, the column-major
    /// cols × rows matrix A = Wᵀ (leading dimension cols), which LAPACK takes
    /// as is — no transposed copy. rows ≤ cols: A is tall and `?orgqr` gives
    /// it orthonormal columns (W's rows); rows > cols: A is wide and `?orglq`
    /// gives it orthonormal rows (W's columns).
    // Specialised: callers outside the module reach this through
    // unspecialised generic code, where every `Double(x)` and `*=` in the
    // reflector and scaling loops would go through witness tables (measured:
    // ~300 ms of a 2048² fill that should cost a few ms).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func transform<T: BLASScalar>(
        _ w: UnsafeMutablePointer<T>, rows: Int, cols: Int, gain: T, method: OrthogonalMethod,
        scratch: Scratch<T>, signFix: Bool, scaling: Bool = true
    ) throws {
        let m = cols, n = rows, k = min(rows, cols), wide = rows <= cols
        let tau = scratch.tau.baseAddress!, scale = scratch.scale.baseAddress!
        precondition(scratch.transposed == nil, "tall Householder goes through tallHouseholder")
        switch method {
        case .qr:
            try OrthogonalQR.factor(w, rows: rows, cols: cols, gain: gain, tau: tau, scale: scale,
                                    work: scratch.work, signFix: signFix)
        case .householder:
            Householder.makeReflectors(w, rows: rows, cols: cols, gain: gain, tau: tau, scale: scale)
        }
        if method == .householder, wide {
            try formHouseholderQ(w, m: m, k: k, tau: tau, work: scratch.work)
        } else if wide {
            try LAPACK.orgqr(m: m, n: n, k: k, a: w, lda: m, tau: tau, work: scratch.work)
        } else {
            try LAPACK.orglq(m: m, n: n, k: k, a: w, lda: m, tau: tau, work: scratch.work)
        }
        // sign·gain in one pass. Column i of Q (orgqr) is row i of W; row i of
        // Q (orglq) is column i of W. (`scaling: false`: the caller applies
        // it, as `Orthogonal.write` does while copying W out.)
        if scaling { applyScale(w, rows: rows, cols: cols, scale: scale, perRow: wide) }
    }

    /// Q of Householder's reflectors (column-major m × k, lda = m): the
    /// direct kernel for small matrices, `?orgqr` otherwise.
    private static func formHouseholderQ<T: BLASScalar>(
        _ a: UnsafeMutablePointer<T>, m: Int, k: Int, tau: UnsafeMutablePointer<T>, work: UnsafeMutableBufferPointer<T>
    ) throws {
        if m * k <= Householder.smallMatrixEntries {
            Householder.formQ(a, m: m, k: k, tau: tau)
        } else {
            try LAPACK.orgqr(m: m, n: k, k: k, a: a, lda: m, tau: tau, work: work)
        }
    }

    /// dst = src transposed, src row-major rows × cols (row r at
    /// src + r·`sourceStride`, default cols), dst row-major cols × rows, src
    /// row r times `rowScale[r]` if given; in square tiles so both sides stay
    /// in cache.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func transpose<T: BLASScalar>(
        _ src: UnsafeMutablePointer<T>, rows: Int, cols: Int, sourceStride: Int? = nil, into dst: UnsafeMutablePointer<T>,
        rowScale: UnsafeMutablePointer<T>?
    ) {
        let tile = 32, stride = sourceStride ?? cols
        for r0 in Swift.stride(from: 0, to: rows, by: tile) {
            let r1 = min(r0 + tile, rows)
            for c0 in Swift.stride(from: 0, to: cols, by: tile) {
                let c1 = min(c0 + tile, cols)
                for r in r0..<r1 {
                    let s = rowScale?[r] ?? 1
                    let row = src + r * stride
                    for c in c0..<c1 { dst[c * rows + r] = row[c] * s }
                }
            }
        }
    }

    /// W[r][c] *= scale[r] (`perRow`) or scale[c], row by row so every access is contiguous.
    private static func applyScale<T: BLASScalar>(
        _ w: UnsafeMutablePointer<T>, rows: Int, cols: Int, scale: UnsafeMutablePointer<T>, perRow: Bool
    ) {
        for r in 0..<rows {
            let row = w + r * cols
            if perRow {
                let s = scale[r]
                for c in 0..<cols { row[c] *= s }
            } else {
                for c in 0..<cols { row[c] *= scale[c] }
            }
        }
    }

    // MARK: Precision

    /// Runs `body` on `buffer` itself (Float, Double) or, for Float16 and
    /// BFloat16 (no half-precision LAPACK), on a temporary Float copy that is
    /// then rounded to nearest, ties to even — the only case that needs a
    /// second rows × cols array (checked against memory first).
    static func inComputePrecision<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, rows: Int, cols: Int, _ operation: some PrecisionGeneric
    ) throws {
        switch T.dtype {
        case .f32:
            try buffer.withMemoryRebound(to: Float.self) { try operation($0) }
        case .f64:
            try buffer.withMemoryRebound(to: Double.self) { try operation($0) }
        case .i64, .i32, .u8, .bool:
            preconditionFailure("a WeightScalar is a floating-point type")
        case .f16, .bf16:
            try checkFits(shape: [rows, cols], scalars: [buffer.count], scalarSize: MemoryLayout<Float>.stride)
            let temp = UnsafeMutableBufferPointer<Float>.allocate(capacity: buffer.count)
            defer { temp.deallocate() }
            temp.initialize(repeating: 0)
            try operation(temp)
            for i in 0..<buffer.count { buffer[i] = T(rounding: Double(temp[i])) }
        }
    }

    /// An operation written once for both LAPACK precisions (Swift closures
    /// cannot be generic).
    protocol PrecisionGeneric {
        func callAsFunction<S: BLASScalar>(_ w: UnsafeMutableBufferPointer<S>) throws
    }

    struct SingleFill: PrecisionGeneric {
        let rows: Int, cols: Int, gain: Double, method: OrthogonalMethod, stream: RandomStream, options: FillOptions
        func callAsFunction<S: BLASScalar>(_ w: UnsafeMutableBufferPointer<S>) throws {
            try Orthogonal.fill(w, rows: rows, cols: cols, gain: gain, method: method, stream: stream, options: options)
        }
    }

    // MARK: Argument checks

    /// (rows, cols) of a ≥ 2-D shape whose element count is `elementCount`.
    static func matrixShape(_ shape: [Int], elementCount: Int, elementSize: Int) throws -> (rows: Int, cols: Int) {
        guard shape.count >= 2 else {
            throw WeightInitError.invalidShape(shape, reason: "orthogonal needs ≥ 2 dimensions")
        }
        let count = try Shape.checkBuffer(count: elementCount, holds: shape, elementSize: elementSize)
        return (shape[0], count / shape[0])
    }

    /// `blocks` = k ≥ 1; k > 1 needs shape[0] = k·h and ∏shape[1...] = h.
    static func checkBlocks(shape: [Int], blocks: Int) throws {
        guard blocks >= 1 else {
            throw WeightInitError.invalidParameter("blocks", value: "\(blocks)", reason: "must be ≥ 1")
        }
        guard blocks > 1, shape.count >= 2, shape.allSatisfy({ $0 >= 1 }) else { return }
        guard let cols = Shape.product(shape.dropFirst()) else {
            throw WeightInitError.tooLarge(shape: shape, reason: "the element count overflows Int")
        }
        let rows = shape[0]
        guard rows % blocks == 0 else {
            throw WeightInitError.invalidParameter(
                "blocks", value: "\(blocks)", reason: "must divide the \(rows) rows (shape[0] = blocks·h)")
        }
        guard cols == rows / blocks else {
            throw WeightInitError.invalidShape(
                shape, reason: "\(blocks) blocks of \(rows / blocks) rows need \(rows / blocks) columns (square "
                    + "blocks: shape (blocks·h, h)), not \(cols)")
        }
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

    /// Throws `tooLarge` unless ∑`scalars` · `scalarSize` bytes (the matrix
    /// and its scratch) fit in physical memory — before any scratch is allocated.
    static func checkFits(shape: [Int], scalars: [Int], scalarSize: Int, memory: UInt64 = Shape.physicalMemory) throws {
        var bytes = 0
        for count in scalars {
            let (b, o1) = count.multipliedReportingOverflow(by: scalarSize)
            let (sum, o2) = bytes.addingReportingOverflow(b)
            guard !o1, !o2 else {
                throw WeightInitError.tooLarge(shape: shape, reason: "the scratch byte count overflows Int")
            }
            bytes = sum
        }
        guard UInt64(bytes) <= memory else {
            throw WeightInitError.tooLarge(
                shape: shape, reason: "orthogonal needs \(bytes) bytes for the matrix and its scratch, more than the \(memory) bytes of memory")
        }
    }
}
