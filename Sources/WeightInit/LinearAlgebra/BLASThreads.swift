import COpenBLAS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenBLAS's worker-thread count, which the BLAS-3 calls inside LAPACK use.
///
/// The count is process-wide state of OpenBLAS, not of a call. It changes the
/// last bits of LAPACK results (measured: a 256 × 256 orthogonal fill differs
/// in most entries between 1 and 2 threads), so results are bit-reproducible
/// only at a fixed count. To keep concurrent callers from seeing each other's
/// count, ``with(_:_:)`` holds a process-wide readers–writer lock: sections
/// that keep the current count share it, a section that changes the count
/// runs alone. Do not nest these sections.
public enum BLASThreads {
    /// The number of threads OpenBLAS currently uses.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` with OpenBLAS limited to `threads` and restores the previous
    /// count afterwards. `nil` (``FillOptions/threads``'s default, "every
    /// core") keeps OpenBLAS's count: one thread per core unless
    /// `OPENBLAS_NUM_THREADS` says otherwise.
    public static func with<R>(_ threads: Int?, _ body: () throws -> R) throws -> R {
        guard let threads else {
            lock.lockShared()
            defer { lock.unlock() }
            return try body()
        }
        guard threads >= 1, let requested = Int32(exactly: threads) else {
            throw WeightInitError.invalidParameter("threads", value: "\(threads)", reason: "must be ≥ 1")
        }
        lock.lockExclusive()
        defer { lock.unlock() }
        let previous = openblas_get_num_threads()
        guard requested != previous else { return try body() }
        openblas_set_num_threads(requested)
        defer { openblas_set_num_threads(previous) }
        return try body()
    }

    private static let lock = ReadersWriterLock()
}

/// A pthread readers–writer lock on a stable heap address.
private final class ReadersWriterLock: @unchecked Sendable {
    private let rw: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        rw = .allocate(capacity: 1)
        rw.initialize(to: pthread_rwlock_t())
        precondition(pthread_rwlock_init(rw, nil) == 0, "pthread_rwlock_init failed")
    }

    deinit {
        pthread_rwlock_destroy(rw)
        rw.deallocate()
    }

    func lockShared() { precondition(pthread_rwlock_rdlock(rw) == 0, "pthread_rwlock_rdlock failed") }
    func lockExclusive() { precondition(pthread_rwlock_wrlock(rw) == 0, "pthread_rwlock_wrlock failed") }
    func unlock() { precondition(pthread_rwlock_unlock(rw) == 0, "pthread_rwlock_unlock failed") }
}
