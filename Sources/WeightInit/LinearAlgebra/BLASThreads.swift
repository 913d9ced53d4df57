import COpenBLAS

/// OpenBLAS's worker-thread count, which BLAS-3 calls inside LAPACK use.
///
/// The count is process-wide state of OpenBLAS, not of a call: concurrent
/// fills that ask for different counts race on it. That changes speed only;
/// the values do not depend on it in the routines WeightInit calls.
public enum BLASThreads {
    /// The number of threads OpenBLAS currently uses.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` with OpenBLAS limited to `threads` and restores the previous
    /// count afterwards. `nil` (``FillOptions/threads``'s default, "every
    /// core") leaves OpenBLAS as it is: it starts with one thread per core, or
    /// `OPENBLAS_NUM_THREADS`.
    public static func with<R>(_ threads: Int?, _ body: () throws -> R) throws -> R {
        guard let threads else { return try body() }
        guard threads >= 1, let requested = Int32(exactly: threads) else {
            throw WeightInitError.invalidParameter("threads", value: "\(threads)", reason: "must be ≥ 1")
        }
        let previous = openblas_get_num_threads()
        guard requested != previous else { return try body() }
        openblas_set_num_threads(requested)
        defer { openblas_set_num_threads(previous) }
        return try body()
    }
}
