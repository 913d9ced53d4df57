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
/// runs alone. Sections nest (a benchmark may wrap fills in
/// `BLASThreads.with(1)`): an inner section runs inside the outer one and may
/// not ask for a different count.
@_spi(Plumbing) public enum BLASThreads {
    /// The number of threads OpenBLAS currently uses.
    @_spi(Plumbing) public static var current: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` with OpenBLAS limited to `threads` and restores the previous
    /// count afterwards. `nil` (``FillOptions/threads``'s default, "every
    /// core") keeps OpenBLAS's count: one thread per core unless
    /// `OPENBLAS_NUM_THREADS` says otherwise.
    @_spi(Plumbing) public static func with<R>(_ threads: Int?, _ body: () throws -> R) throws -> R {
        if let threads {
            guard threads >= 1, Int32(exactly: threads) != nil else {
                throw WeightInitError.invalidParameter("threads", value: "\(threads)", reason: "must be ≥ 1")
            }
        }
        if let held = heldCount {
            // Nested: the lock is already ours; re-locking would deadlock.
            guard threads == nil || threads == held else {
                throw WeightInitError.invalidParameter(
                    "threads", value: "\(threads!)",
                    reason: "an enclosing BLASThreads section runs OpenBLAS with \(held) threads")
            }
            return try body()
        }
        guard let threads else {
            lock.lockShared()
            defer { lock.unlock() }
            return try $heldCount.withValue(current, operation: body)
        }
        lock.lockExclusive()
        defer { lock.unlock() }
        let previous = openblas_get_num_threads()
        if Int32(threads) != previous { openblas_set_num_threads(Int32(threads)) }
        defer { if Int32(threads) != previous { openblas_set_num_threads(previous) } }
        return try $heldCount.withValue(threads, operation: body)
    }

    private static let lock: ReadersWriterLock = {
        let lock = ReadersWriterLock()
        // fork() copies the lock but only the forking thread: a section that
        // another thread held at that moment would stay locked in the child
        // forever, and the child's first fill would hang. The child gets a
        // fresh lock instead. (Do not fork from *inside* a section: that
        // thread's own unlock would then hit the fresh lock.) OpenBLAS's
        // pthread build shuts its own worker pool down before fork
        // (its `blas_thread_shutdown_` atfork handler) and restarts it on
        // demand; the OpenMP build relies on libgomp, which is not fork-safe.
        pthread_atfork(nil, nil) { BLASThreads.lock.reinitialize() }
        return lock
    }()

    /// The count fixed by the section this thread (or task) is in, if any.
    /// Task-local values fall back to thread-local storage outside tasks.
    @TaskLocal private static var heldCount: Int?
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

    /// For the child of fork(): a lock held by threads that no longer exist
    /// is replaced by an unlocked one.
    func reinitialize() { precondition(pthread_rwlock_init(rw, nil) == 0, "pthread_rwlock_init failed") }

    func lockShared() { precondition(pthread_rwlock_rdlock(rw) == 0, "pthread_rwlock_rdlock failed") }
    func lockExclusive() { precondition(pthread_rwlock_wrlock(rw) == 0, "pthread_rwlock_wrlock failed") }
    func unlock() { precondition(pthread_rwlock_unlock(rw) == 0, "pthread_rwlock_unlock failed") }
}
