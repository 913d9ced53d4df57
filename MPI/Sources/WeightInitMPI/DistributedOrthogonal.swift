@_spi(Plumbing) import WeightInit

/// Orthogonal initialisation across MPI ranks: ScaLAPACK's QR of the same
/// Gaussian the single-process QR method uses, each rank sampling and
/// keeping only its own tiles.
///
/// For W of shape rows × cols (a tensor flattened to rows × ∏rest, as in
/// ``Orthogonal``), X = Wᵀ is the column-major m × n matrix, m = cols,
/// n = rows, with X[i, j] = the N(0, 1) value of the stream at flat index
/// j·cols + i — exactly the Gaussian of ``OrthogonalMethod/qr``, read in
/// place. X is spread 2-D block-cyclically (``BlockCyclicLayout``) and
///
/// - rows ≤ cols (X tall): `p?geqrf`, sign(diag R) saved, `p?orgqr`, column j
///   of Q (row j of W) times sign(R_jj)·gain;
/// - rows > cols (X wide): `p?gelqf`, `p?orglq`, row i of Q (column i of W)
///   times sign(L_ii)·gain.
///
/// Fixing the signs makes the factorisation unique (diag R > 0), so the
/// result is the single-process QR result up to rounding, and Haar-distributed
/// (see the QR section of ``Orthogonal``). The diagonal is spread over the
/// ranks that own the blocks (j, j): each rank writes the signs it owns into
/// a vector of zeros and one allreduce (sum) gives every rank all of them.
///
/// A stack of `count` matrices reads matrix b at flat indices shifted by
/// b·rows·cols — the convention of ``Orthogonal/fillBatch(_:count:rows:cols:gain:method:stream:options:)``
/// and of `blocks:`, so the stack is the single-process batch up to rounding.
///
/// OpenBLAS runs on one thread per rank (``BLASThreads``), so for a given
/// grid and block size the bits do not depend on anything else.
public final class DistributedOrthogonal<T: ScaLAPACKScalar> {
    public let rows: Int, cols: Int, count: Int
    public let gain: Double
    public let layout: BlockCyclicLayout
    /// This rank's tiles of every X_b (see ``BlockCyclicLayout``).
    public var local: UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(rebasing: storage[0 ..< layout.localCount])
    }

    // At least one element, so pointers into it are never nil for ranks that
    // own no tile (ScaLAPACK still reads the address).
    private let storage: UnsafeMutableBufferPointer<T>

    /// The default block size: `preferred` (64, a common ScaLAPACK choice
    /// that keeps the BLAS-3 updates efficient), made smaller for small
    /// matrices so that every grid row and column still gets a block.
    public static func defaultBlockSize(m: Int, n: Int, gridRows: Int, gridColumns: Int, preferred: Int = 64) -> Int {
        func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
        return max(1, min(preferred, ceilDiv(m, gridRows), ceilDiv(n, gridColumns)))
    }

    /// Checks the problem without MPI, identically on every rank: sizes
    /// ≥ 1 and within ScaLAPACK's 32-bit integers (the dimensions and the
    /// largest rank's local matrix — process (0, 0)'s), gain finite and ≥ 0.
    public static func validate(rows: Int, cols: Int, count: Int, gain: Double, blockSize: Int,
                                gridRows: Int, gridColumns: Int) throws {
        guard rows >= 1, cols >= 1 else {
            throw WeightInitError.invalidShape([rows, cols], reason: "every dimension must be ≥ 1")
        }
        guard count >= 1 else {
            throw WeightInitError.invalidParameter("count", value: "\(count)", reason: "must be ≥ 1")
        }
        guard blockSize >= 1 else {
            throw WeightInitError.invalidParameter("block size", value: "\(blockSize)", reason: "must be ≥ 1")
        }
        guard gain.isFinite, gain >= 0 else {
            throw WeightInitError.invalidParameter("gain", value: "\(gain)", reason: "must be finite and ≥ 0")
        }
        let limit = Int(Int32.max)
        guard rows <= limit, cols <= limit, count <= limit else {
            throw WeightInitError.tooLarge(shape: [count, rows, cols], reason: "ScaLAPACK and MPI count in 32-bit integers")
        }
        let largest = BlockCyclicLayout(m: cols, n: rows, count: count, blockSize: blockSize,
                                        gridRows: gridRows, gridColumns: gridColumns)
        let (local, overflow) = largest.localRows.multipliedReportingOverflow(by: largest.localColumns)
        guard !overflow, local <= limit else {
            throw WeightInitError.tooLarge(
                shape: [rows, cols], reason: "a rank's \(largest.localRows)×\(largest.localColumns) local part exceeds "
                    + "ScaLAPACK's 32-bit indexing; use more ranks")
        }
    }

    /// Computes `count` independent gain·orthogonal rows × cols matrices
    /// from `stream` on `grid`, block size `blockSize` (see
    /// ``defaultBlockSize(m:n:gridRows:gridColumns:preferred:)``). Collective.
    /// `sampling` sets the threads used for this rank's Gaussian (values do
    /// not depend on it; default one per rank).
    public init(rows: Int, cols: Int, count: Int = 1, gain: Double, stream: RandomStream, blockSize: Int,
                grid: BLACSGrid, session: MPISession, sampling: FillOptions = FillOptions(threads: 1)) throws {
        try Self.validate(rows: rows, cols: cols, count: count, gain: gain, blockSize: blockSize,
                          gridRows: grid.rows, gridColumns: grid.columns)
        (self.rows, self.cols, self.count, self.gain) = (rows, cols, count, gain)
        layout = BlockCyclicLayout(m: cols, n: rows, count: count, blockSize: blockSize, grid: grid)
        storage = .allocate(capacity: max(1, layout.localCount))
        storage.initialize(repeating: 0)
        // gain 0: every entry +0, as single-process (scaling Q by 0 would leave −0).
        guard gain != 0 else { return }
        try session.collectively { try sample(stream, options: sampling) }
        try factor(grid: grid, session: session)
    }

    deinit { storage.deallocate() }

    /// Writes X_b[i, j] = N(0, 1) at stream index b·rows·cols + j·m + i into
    /// this rank's tiles, one fill per contiguous run.
    private func sample(_ stream: RandomStream, options: FillOptions) throws {
        let matrixSize = rows * cols
        for b in 0 ..< count {
            for run in layout.contiguousRuns(matrix: b) {
                try stream.fill(UnsafeMutableBufferPointer(rebasing: storage[run.local ..< run.local + run.count]),
                                with: .normal(mean: 0, std: 1), startIndex: UInt64(b * matrixSize + run.global),
                                options: options)
            }
        }
    }

    /// QR (or LQ), signs, Q, sign·gain — for every matrix. Collective.
    private func factor(grid: BLACSGrid, session: MPISession) throws {
        let (m, n) = (Int32(layout.m), Int32(layout.n))
        let tall = m >= n                          // rows ≤ cols: QR of X
        let k = Int(min(m, n))
        var descriptor = try session.collectively { try layout.descriptor(context: grid.context) }
        // tau is distributed like X's columns (QR) or rows (LQ).
        let tauCount = max(1, tall ? layout.localColumns : layout.localRows)
        var tau = [T](repeating: 0, count: tauCount)
        var signs = [Int32](repeating: 0, count: count * k)
        // ScaLAPACK's info depends only on global arguments, the same on every
        // rank, so a failure is recorded and agreed on after the loop rather
        // than thrown mid-loop (which would leave other ranks in a collective).
        var failure: WeightInitMPIError?
        func record(_ info: Int32, _ routine: String) {
            if info != 0, failure == nil { failure = .scalapack(routine: T.scalapackPrefix + routine, info: Int(info)) }
        }
        try BLASThreads.with(1) {
            let lwork = workspaceCount(m: m, n: n, tall: tall, descriptor: &descriptor, tau: &tau, record: record)
            var work = [T](repeating: 0, count: max(1, lwork))
            let lw = Int32(clamping: work.count)
            for b in 0 ..< count {
                let a = storage.baseAddress! + b * layout.localCountPerMatrix
                if tall {
                    record(T.pgeqrf(m, n, a, descriptor, &tau, &work, lw), "geqrf")
                } else {
                    record(T.pgelqf(m, n, a, descriptor, &tau, &work, lw), "gelqf")
                }
                // The diagonal must be read before p?orgqr/p?orglq overwrite it.
                readSigns(a, k: k, into: &signs, offset: b * k)
                if tall {
                    record(T.porgqr(m, n, n, a, descriptor, tau, &work, lw), "orgqr")
                } else {
                    record(T.porglq(m, n, m, a, descriptor, tau, &work, lw), "orglq")
                }
            }
        }
        try session.agree(failure)
        try session.allreduce(&signs, .sum)
        scale(signs: signs, k: k, tall: tall)
    }

    /// The larger optimal workspace of the two routines (lwork = −1 queries,
    /// which read no matrix entry but are collective: ScaLAPACK checks
    /// arguments across the grid).
    private func workspaceCount(m: Int32, n: Int32, tall: Bool, descriptor: inout [Int32], tau: inout [T],
                                record: (Int32, String) -> Void) -> Int {
        var query = [T](repeating: 0, count: 1)
        let a = storage.baseAddress!
        var sizes: [Int] = []
        if tall {
            record(T.pgeqrf(m, n, a, descriptor, &tau, &query, -1), "geqrf")
            sizes.append(Int(query[0].rounded(.up)))
            record(T.porgqr(m, n, n, a, descriptor, tau, &query, -1), "orgqr")
        } else {
            record(T.pgelqf(m, n, a, descriptor, &tau, &query, -1), "gelqf")
            sizes.append(Int(query[0].rounded(.up)))
            record(T.porglq(m, n, m, a, descriptor, tau, &query, -1), "orglq")
        }
        sizes.append(Int(query[0].rounded(.up)))
        return sizes.max()!
    }

    /// signs[offset + j] = sign(X_jj) (+1 for 0) for the diagonal entries
    /// j < k this rank owns; the others stay 0 for the allreduce to fill.
    private func readSigns(_ a: UnsafeMutablePointer<T>, k: Int, into signs: inout [Int32], offset: Int) {
        let (rowsOf, columnsOf) = (layout.rowDistribution, layout.columnDistribution)
        for j in 0 ..< k where rowsOf.owner(of: j) == rowsOf.process && columnsOf.owner(of: j) == columnsOf.process {
            let entry = a[columnsOf.localIndex(of: j) * layout.leadingDimension + rowsOf.localIndex(of: j)]
            signs[offset + j] = entry < 0 ? -1 : 1
        }
    }

    /// Column j (QR) or row i (LQ) of every local Q times sign·gain.
    private func scale(signs: [Int32], k: Int, tall: Bool) {
        let gain = T(gain)
        let (rowsOf, columnsOf) = (layout.rowDistribution, layout.columnDistribution)
        let lld = layout.leadingDimension
        for b in 0 ..< count {
            let a = storage.baseAddress! + b * layout.localCountPerMatrix
            for localColumn in 0 ..< layout.localColumns {
                let column = a + localColumn * lld
                if tall {
                    let s = signs[b * k + columnsOf.globalIndex(of: localColumn)] < 0 ? -gain : gain
                    for i in 0 ..< layout.localRows { column[i] *= s }
                } else {
                    for i in 0 ..< layout.localRows {
                        column[i] *= signs[b * k + rowsOf.globalIndex(of: i)] < 0 ? -gain : gain
                    }
                }
            }
        }
    }
}
