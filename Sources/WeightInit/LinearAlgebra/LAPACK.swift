/// Checked column-major LAPACK routines over `BLASScalar`: dimensions are
/// converted to ``LAPACKInt`` (too large → ``WeightInitError/tooLarge(shape:reason:)``)
/// and a non-zero `info` becomes ``WeightInitError/lapack(routine:info:)``.
///
/// Each routine comes with a workspace query (`lwork = −1`) that returns the
/// optimal `lwork`, so a caller can query every routine it will run, allocate
/// the largest workspace once and pass it to all of them:
///
/// ```swift
/// let lwork = max(try LAPACK.geqrfWorkspace(m: m, n: n, a: a, lda: m, tau: tau),
///                 try LAPACK.orgqrWorkspace(m: m, n: n, k: n, a: a, lda: m, tau: tau))
/// let work = UnsafeMutableBufferPointer<Float>.allocate(capacity: lwork)
/// defer { work.deallocate() }
/// try LAPACK.geqrf(m: m, n: n, a: a, lda: m, tau: tau, work: work)
/// try LAPACK.orgqr(m: m, n: n, k: n, a: a, lda: m, tau: tau, work: work)
/// ```
@_spi(Plumbing) public enum LAPACK {
    // MARK: QR

    /// `?geqrf`: the m×n matrix `a` = QR (`tau` holds min(m, n) scalars).
    @_spi(Plumbing) public static func geqrf<T: BLASScalar>(
        m: Int, n: Int, a: UnsafeMutablePointer<T>, lda: Int, tau: UnsafeMutablePointer<T>,
        work: UnsafeMutableBufferPointer<T>
    ) throws {
        let (m, n, lda) = try lapackInts(m, n, lda)
        try run("geqrf", T.self, work) { T.geqrf(m: m, n: n, a: a, lda: lda, tau: tau, work: $0, lwork: $1) }
    }

    /// The optimal `lwork` of ``geqrf(m:n:a:lda:tau:work:)``.
    @_spi(Plumbing) public static func geqrfWorkspace<T: BLASScalar>(
        m: Int, n: Int, a: UnsafeMutablePointer<T>, lda: Int, tau: UnsafeMutablePointer<T>
    ) throws -> Int {
        let (m, n, lda) = try lapackInts(m, n, lda)
        return try query("geqrf", T.self) { T.geqrf(m: m, n: n, a: a, lda: lda, tau: tau, work: $0, lwork: $1) }
    }

    /// `?orgqr`: overwrites `a` (from ``geqrf(m:n:a:lda:tau:work:)`` with `k`
    /// reflectors) with the m×n matrix Q of orthonormal columns.
    @_spi(Plumbing) public static func orgqr<T: BLASScalar>(
        m: Int, n: Int, k: Int, a: UnsafeMutablePointer<T>, lda: Int, tau: UnsafePointer<T>,
        work: UnsafeMutableBufferPointer<T>
    ) throws {
        let (m, n, k, lda) = try lapackInts(m, n, k, lda)
        try run("orgqr", T.self, work) { T.orgqr(m: m, n: n, k: k, a: a, lda: lda, tau: tau, work: $0, lwork: $1) }
    }

    /// The optimal `lwork` of ``orgqr(m:n:k:a:lda:tau:work:)``.
    @_spi(Plumbing) public static func orgqrWorkspace<T: BLASScalar>(
        m: Int, n: Int, k: Int, a: UnsafeMutablePointer<T>, lda: Int, tau: UnsafePointer<T>
    ) throws -> Int {
        let (m, n, k, lda) = try lapackInts(m, n, k, lda)
        return try query("orgqr", T.self) { T.orgqr(m: m, n: n, k: k, a: a, lda: lda, tau: tau, work: $0, lwork: $1) }
    }

    // MARK: LQ

    /// `?gelqf`: the m×n matrix `a` = LQ (`tau` holds min(m, n) scalars).
    @_spi(Plumbing) public static func gelqf<T: BLASScalar>(
        m: Int, n: Int, a: UnsafeMutablePointer<T>, lda: Int, tau: UnsafeMutablePointer<T>,
        work: UnsafeMutableBufferPointer<T>
    ) throws {
        let (m, n, lda) = try lapackInts(m, n, lda)
        try run("gelqf", T.self, work) { T.gelqf(m: m, n: n, a: a, lda: lda, tau: tau, work: $0, lwork: $1) }
    }

    /// The optimal `lwork` of ``gelqf(m:n:a:lda:tau:work:)``.
    @_spi(Plumbing) public static func gelqfWorkspace<T: BLASScalar>(
        m: Int, n: Int, a: UnsafeMutablePointer<T>, lda: Int, tau: UnsafeMutablePointer<T>
    ) throws -> Int {
        let (m, n, lda) = try lapackInts(m, n, lda)
        return try query("gelqf", T.self) { T.gelqf(m: m, n: n, a: a, lda: lda, tau: tau, work: $0, lwork: $1) }
    }

    /// `?orglq`: overwrites `a` (from ``gelqf(m:n:a:lda:tau:work:)`` with `k`
    /// reflectors) with the m×n matrix Q of orthonormal rows.
    @_spi(Plumbing) public static func orglq<T: BLASScalar>(
        m: Int, n: Int, k: Int, a: UnsafeMutablePointer<T>, lda: Int, tau: UnsafePointer<T>,
        work: UnsafeMutableBufferPointer<T>
    ) throws {
        let (m, n, k, lda) = try lapackInts(m, n, k, lda)
        try run("orglq", T.self, work) { T.orglq(m: m, n: n, k: k, a: a, lda: lda, tau: tau, work: $0, lwork: $1) }
    }

    /// The optimal `lwork` of ``orglq(m:n:k:a:lda:tau:work:)``.
    @_spi(Plumbing) public static func orglqWorkspace<T: BLASScalar>(
        m: Int, n: Int, k: Int, a: UnsafeMutablePointer<T>, lda: Int, tau: UnsafePointer<T>
    ) throws -> Int {
        let (m, n, k, lda) = try lapackInts(m, n, k, lda)
        return try query("orglq", T.self) { T.orglq(m: m, n: n, k: k, a: a, lda: lda, tau: tau, work: $0, lwork: $1) }
    }

    // MARK: The one place `info` becomes an error

    /// Throws ``WeightInitError/lapack(routine:info:)`` (routine named with its
    /// type letter, e.g. `sgeqrf`) unless `info` is 0. Every LAPACK call goes
    /// through here.
    static func check<T: BLASScalar>(_ info: LAPACKInt, routine: String, _: T.Type) throws {
        guard info == 0 else { throw WeightInitError.lapack(routine: T.lapackPrefix + routine, info: Int(info)) }
    }

    /// Runs `call(work, lwork)` with the caller's workspace.
    private static func run<T: BLASScalar>(
        _ routine: String, _ type: T.Type, _ work: UnsafeMutableBufferPointer<T>,
        _ call: (UnsafeMutablePointer<T>, LAPACKInt) -> LAPACKInt
    ) throws {
        // LAPACK wants a valid pointer even for lwork = 0 (it then reports
        // argument lwork as illegal, which `check` turns into an error).
        var scratch = T.zero
        let lwork = LAPACKInt(clamping: work.count)
        let info = withUnsafeMutablePointer(to: &scratch) { call(work.baseAddress ?? $0, lwork) }
        try check(info, routine: routine, type)
    }

    /// Runs `call(work, −1)`, LAPACK's workspace query, and returns the optimal `lwork`.
    private static func query<T: BLASScalar>(
        _ routine: String, _ type: T.Type, _ call: (UnsafeMutablePointer<T>, LAPACKInt) -> LAPACKInt
    ) throws -> Int {
        var optimal = T.zero
        try check(call(&optimal, -1), routine: routine, type)
        // The size comes back as a floating-point number. In single precision
        // a large lwork may have been rounded down (LAPACK < 3.11 has no
        // SROUNDUP_LWORK), so round up by one ulp's worth to stay on the safe side.
        let value = Double(optimal)
        return max(1, Int((value + value * Double(T.ulpOfOne)).rounded(.up)))
    }

    // MARK: Dimensions

    private static func lapackInts(_ a: Int, _ b: Int, _ c: Int) throws -> (LAPACKInt, LAPACKInt, LAPACKInt) {
        let v = try lapackInts([a, b, c])
        return (v[0], v[1], v[2])
    }

    private static func lapackInts(_ a: Int, _ b: Int, _ c: Int, _ d: Int)
        throws -> (LAPACKInt, LAPACKInt, LAPACKInt, LAPACKInt)
    {
        let v = try lapackInts([a, b, c, d])
        return (v[0], v[1], v[2], v[3])
    }

    /// Every value as a LAPACKInt, or `tooLarge` naming the first that does not fit.
    static func lapackInts(_ values: [Int]) throws -> [LAPACKInt] {
        try values.map { value in
            guard let v = LAPACKInt(exactly: value) else {
                throw WeightInitError.tooLarge(
                    shape: values, reason: "LAPACK dimension \(value) exceeds \(LAPACKInt.max) (32-bit lapack_int)")
            }
            return v
        }
    }
}
