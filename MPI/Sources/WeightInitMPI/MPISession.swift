import CMPI

/// This process's part in an MPI job over MPI_COMM_WORLD: initialised once,
/// finalised once, with the few collectives the distributed layer needs.
///
/// Every method that says *collective* must be called by every rank, in the
/// same order. MPI errors are returned to the caller (MPI_ERRORS_RETURN) and
/// thrown as ``WeightInitMPIError/mpi(function:code:message:)`` instead of
/// aborting the job, so a failure can be agreed on and reported (see
/// ``agree(_:)``).
///
/// ```swift
/// let session = try MPISession.start()
/// defer { session.finalize() }
/// let total = try session.allreduce(Int64(localCount), .sum)
/// ```
public final class MPISession {
    /// This process's rank in MPI_COMM_WORLD, 0 ..< size.
    public let rank: Int
    /// The number of processes.
    public let size: Int
    /// Rank 0, which reports and owns the file system's side of shared files.
    public var isRoot: Bool { rank == 0 }

    /// Set by ``BLACSGrid`` so that ``finalize()`` also frees the BLACS.
    var usesBLACS = false
    private var finalized = false

    // MPI may be initialised once per process: a second session would be a bug.
    nonisolated(unsafe) private static var started = false

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Initialises MPI (MPI_THREAD_FUNNELED: only the calling thread makes
    /// MPI calls; sampling may use worker threads of its own).
    public static func start() throws -> MPISession {
        guard !started else {
            throw WeightInitMPIError.unsupported("MPI is already initialised in this process")
        }
        started = true
        var provided: Int32 = 0
        try check(MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided), "MPI_Init_thread")
        try check(MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return()), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0, size: Int32 = 0
        try check(MPI_Comm_rank(cmpi_comm_world(), &rank), "MPI_Comm_rank")
        try check(MPI_Comm_size(cmpi_comm_world(), &size), "MPI_Comm_size")
        return MPISession(rank: Int(rank), size: Int(size))
    }

    /// Frees the BLACS (if used) and finalises MPI. Collective; idempotent.
    public func finalize() {
        guard !finalized else { return }
        finalized = true
        if usesBLACS { BLACSGrid.exitBLACS() }
        _ = MPI_Finalize()
    }

    // MARK: Collectives

    /// Waits until every rank has arrived. Collective.
    public func barrier() throws {
        try Self.check(MPI_Barrier(cmpi_comm_world()), "MPI_Barrier")
    }

    /// Replaces `values` on every rank by their element-wise reduction over
    /// all ranks. Collective; every rank passes the same count.
    public func allreduce<T: MPIScalar>(_ values: inout [T], _ reduction: MPIReduction) throws {
        guard let count = Int32(exactly: values.count) else {
            throw WeightInitMPIError.unsupported("allreduce of \(values.count) values exceeds MPI's 32-bit count")
        }
        try values.withUnsafeMutableBytes { buffer in
            try Self.check(MPI_Allreduce(cmpi_in_place(), buffer.baseAddress, count, T.mpiDatatype, reduction.op,
                                         cmpi_comm_world()), "MPI_Allreduce")
        }
    }

    /// The reduction of `value` over all ranks, on every rank. Collective.
    public func allreduce<T: MPIScalar>(_ value: T, _ reduction: MPIReduction) throws -> T {
        var values = [value]
        try allreduce(&values, reduction)
        return values[0]
    }

    /// Makes every rank's `bytes` equal to those of `root` (any length). Collective.
    public func broadcast(_ bytes: inout [UInt8], from root: Int = 0) throws {
        var length = [Int64(bytes.count)]
        try broadcastRaw(&length, from: root)
        if rank != root { bytes = [UInt8](repeating: 0, count: Int(length[0])) }
        try broadcastRaw(&bytes, from: root)
    }

    /// `root`'s string, on every rank. Collective.
    public func broadcast(_ string: String, from root: Int = 0) throws -> String {
        var bytes = Array(string.utf8)
        try broadcast(&bytes, from: root)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func broadcastRaw<T: MPIScalar>(_ values: inout [T], from root: Int) throws {
        guard let count = Int32(exactly: values.count) else {
            throw WeightInitMPIError.unsupported("broadcast of \(values.count) values exceeds MPI's 32-bit count")
        }
        try values.withUnsafeMutableBytes { buffer in
            // MPI_Bcast wants a non-null buffer even for zero elements on some builds.
            var dummy: UInt8 = 0
            let address = buffer.baseAddress ?? withUnsafeMutablePointer(to: &dummy) { UnsafeMutableRawPointer($0) }
            try Self.check(MPI_Bcast(address, count, T.mpiDatatype, Int32(root), cmpi_comm_world()), "MPI_Bcast")
        }
    }

    // MARK: Errors

    /// Throws ``WeightInitMPIError/mpi(function:code:message:)`` unless `code` is MPI_SUCCESS.
    static func check(_ code: Int32, _ function: String) throws {
        guard code != MPI_SUCCESS else { return }
        throw WeightInitMPIError.mpi(function: function, code: code, message: errorString(code))
    }

    /// MPI_Error_string's text for `code`.
    static func errorString(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        guard MPI_Error_string(code, &buffer, &length) == MPI_SUCCESS else { return "unknown error" }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
