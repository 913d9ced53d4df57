import CMPI
@_spi(Plumbing) import WeightInit

#if canImport(Glibc)
import Glibc
#endif

/// One file written by every rank together with MPI-IO, which appears at its
/// destination only if every rank succeeded — never partially written.
///
/// ``write(session:to:_:)`` is collective: rank 0 checks the destination and
/// creates an exclusive temporary file beside it (same directory, so the
/// final `rename` is atomic), broadcasts its name, and every rank opens it.
/// The destination and the temporary file follow the single-process
/// writer's rules (`AtomicFile`): a new name or a regular file, which keeps
/// its mode; a temporary name that fits any destination name and tells a
/// stale file from a live one; removed on SIGINT, SIGTERM and SIGHUP by the
/// signal handler of whichever rank handles one first (every rank registers
/// it).
/// The body then writes through the methods below, each collective and each
/// ending with an agreement (``MPISession/agree(_:)``), so an error on any
/// rank is thrown on every rank at the same step. At the end the file is
/// synced and closed; rank 0 renames it into place if every rank succeeded,
/// and otherwise removes it.
///
/// ```swift
/// try SharedFile.write(session: session, to: "w.npy") { file in
///     try file.writeAt(0, session.isRoot ? header : [])
///     try file.setBlockCyclicView(displacement: header.count, layout: layout, element: cmpi_float())
///     try file.writeAll(UnsafeRawBufferPointer(tiles), element: cmpi_float(), elementSize: 4)
/// }
/// ```
///
/// Data goes out in MPI's "native" representation, which is the `.npy`
/// little-endian one only on little-endian hosts; big-endian hosts are refused.
public final class SharedFile {
    public let destination: String
    /// The temporary file's path, the same on every rank.
    public let temporary: String
    private let session: MPISession
    /// Rank 0's hold on the temporary file: it renames or removes it.
    private let owned: TemporaryFile?
    /// The other ranks' registration of the temporary file with their signal
    /// handlers: whichever rank a signal ends first removes it.
    private let watch: Int32?
    /// Open MPI's file-locking probe beside the file (`<temporary>.locktest.<rank>`,
    /// created and removed within MPI_File_open), registered so a signal that
    /// lands inside that window removes it too.
    private let lockTest: Int32
    private var handle: MPI_File?
    private var fileType: MPI_Datatype?

    private init(session: MPISession, destination: String, temporary: String, owned: TemporaryFile?) {
        (self.session, self.destination, self.temporary, self.owned) = (session, destination, temporary, owned)
        watch = owned == nil ? TemporaryFile.removeOnSignals(temporary) : nil
        lockTest = TemporaryFile.removeOnSignals(temporary + ".locktest.\(session.rank)")
    }

    deinit {
        if let watch { TemporaryFile.stopRemovingOnSignals(watch) }
        TemporaryFile.stopRemovingOnSignals(lockTest)
    }

    /// Writes the file at `path` with `body` (see the type's description).
    /// Collective. `body` may throw only errors every rank throws alike —
    /// those of this type's methods, or of ``MPISession/collectively(_:)``.
    public static func write(session: MPISession, to path: String, _ body: (SharedFile) throws -> Void) throws {
        #if _endian(big)
        throw WeightInitMPIError.unsupported("MPI-IO writes native byte order; .npy files here are little-endian")
        #endif
        var owned: TemporaryFile?
        try session.collectively {
            if session.isRoot { owned = try TemporaryFile.create(beside: path) }
        }
        let file = SharedFile(session: session, destination: path, temporary: try session.broadcast(owned?.path ?? ""),
                              owned: owned)
        do {
            try file.open()
            try body(file)
            try file.close()
        } catch {
            file.abandon()
            throw error
        }
        // The data was synced by MPI_File_sync; the commit gives it the old file's mode,
        // renames it and flushes the directory, so the rename is durable too.
        // Every rank keeps the file registered until the rename is agreed on.
        try withExtendedLifetime(file) {
            try session.collectively { try owned?.commit(sync: false) }
        }
    }

    // MARK: Collective steps

    /// Writes `bytes` (this rank's; empty on ranks with nothing to write) at
    /// byte `offset` of the current view (`MPI_File_write_at_all`). Collective.
    public func writeAt(_ offset: Int, _ bytes: [UInt8]) throws {
        try session.collectively {
            try bytes.withUnsafeBytes { buffer in
                try check(MPI_File_write_at_all(handle, MPI_Offset(offset), buffer.baseAddress, Int32(buffer.count),
                                                cmpi_byte(), cmpi_status_ignore()), "MPI_File_write_at_all")
            }
        }
    }

    /// Writes `bytes` at byte `offset` of the file from this rank alone
    /// (`MPI_File_write_at`, independent I/O, in pieces of at most 2³⁰ bytes so
    /// counts fit MPI's int), before any view is set. Not collective: ranks
    /// may call it any number of times, so a failure is only this rank's —
    /// agree on it (``MPISession/agree(_:)``) before the next collective step.
    public func writeIndependently(at offset: Int, _ bytes: UnsafeRawBufferPointer) throws {
        let piece = 1 << 30
        var done = 0
        while done < bytes.count {
            let count = min(piece, bytes.count - done)
            try check(MPI_File_write_at(handle, MPI_Offset(offset + done), bytes.baseAddress! + done, Int32(count),
                                        cmpi_byte(), cmpi_status_ignore()), "MPI_File_write_at")
            done += count
        }
        if let failure = injectedFailure() { throw failure }
    }

    /// Makes the rest of the file, from byte `displacement` on, the
    /// (count, n, m) C-order stack of `layout`'s matrices — their column-major
    /// order — and this rank's view of it exactly its tiles, in the order
    /// ``BlockCyclicLayout`` keeps them: MPI_Type_create_darray over
    /// (m, n, count), Fortran order, CYCLIC(nb) × CYCLIC(nb) × NONE on a
    /// P × Q × 1 process grid (row-major, like the BLACS grid). Collective.
    public func setBlockCyclicView(displacement: Int, layout: BlockCyclicLayout, element: MPI_Datatype) throws {
        try session.collectively {
            var sizes = [Int32(layout.m), Int32(layout.n), Int32(layout.count)]
            var distributions = [MPI_DISTRIBUTE_CYCLIC, MPI_DISTRIBUTE_CYCLIC, MPI_DISTRIBUTE_NONE].map { Int32($0) }
            var blocks = [Int32(layout.blockSize), Int32(layout.blockSize), Int32(MPI_DISTRIBUTE_DFLT_DARG)]
            var grid = [Int32(layout.gridRows), Int32(layout.gridColumns), 1]
            var type: MPI_Datatype?
            try check(MPI_Type_create_darray(Int32(session.size), Int32(session.rank), 3, &sizes, &distributions,
                                             &blocks, &grid, MPI_ORDER_FORTRAN, element, &type),
                      "MPI_Type_create_darray")
            freeFileType()
            fileType = type
            try check(MPI_Type_commit(&fileType), "MPI_Type_commit")
            try check(MPI_File_set_view(handle, MPI_Offset(displacement), element, fileType, "native",
                                        cmpi_info_null()), "MPI_File_set_view")
        }
    }

    /// Writes `bytes`, whole elements of `element` (`elementSize` bytes each),
    /// through the current view from its start (`MPI_File_write_all`, in
    /// pieces of at most 2²⁶ elements so counts fit MPI's 32-bit int; every
    /// rank makes as many calls as the rank with the most). Collective.
    public func writeAll(_ bytes: UnsafeRawBufferPointer, element: MPI_Datatype, elementSize: Int) throws {
        let piece = 1 << 26
        let count = bytes.count / elementSize
        let calls = try session.allreduce(Int64((count + piece - 1) / piece), .max)
        try session.collectively {
            var failure: (any Error)? = injectedFailure()
            for call in 0 ..< Int(calls) {
                // Keep calling after a failure: the other ranks' calls are collective too.
                let start = min(call * piece, count), end = min(start + piece, count)
                let code = MPI_File_write_all(handle, bytes.baseAddress.map { $0 + start * elementSize },
                                              Int32(end - start), element, cmpi_status_ignore())
                if failure == nil {
                    do { try check(code, "MPI_File_write_all") } catch { failure = error }
                }
            }
            if let failure { throw failure }
        }
    }

    // MARK: Open, close, abandon

    private func open() throws {
        try session.collectively {
            var file: MPI_File?
            try check(MPI_File_open(cmpi_comm_world(), temporary, MPI_MODE_WRONLY, cmpi_info_null(), &file),
                      "MPI_File_open")
            handle = file
        }
    }

    /// Syncs and closes (both collective); the data is on disk before the rename.
    private func close() throws {
        try session.collectively {
            try check(MPI_File_sync(handle), "MPI_File_sync")
        }
        try session.collectively {
            var file = handle
            handle = nil
            try check(MPI_File_close(&file), "MPI_File_close")
        }
        freeFileType()
    }

    /// After an agreed failure: closes if still open, and rank 0 removes the
    /// temporary file. Collective; reports nothing (the failure is already known).
    private func abandon() {
        if handle != nil {
            var file = handle
            handle = nil
            _ = MPI_File_close(&file)
        }
        freeFileType()
        owned?.discard()
    }

    private func freeFileType() {
        if fileType != nil {
            var type = fileType
            fileType = nil
            _ = MPI_Type_free(&type)
        }
    }

    /// Test hook: with `WEIGHTINIT_MPI_TEST_FAIL_RANK=r` in the environment,
    /// rank r's ``writeAll(_:element:elementSize:)`` and
    /// ``writeIndependently(at:_:)`` fail after writing their data — how the
    /// tests show that one rank's failure is reported by rank
    /// 0 and leaves no file behind. Nothing else reads the variable.
    private func injectedFailure() -> (any Error)? {
        guard let value = getenv("WEIGHTINIT_MPI_TEST_FAIL_RANK").map({ String(cString: $0) }),
              Int(value) == session.rank else { return nil }
        return WeightInitError.io(path: destination, reason: "injected failure (WEIGHTINIT_MPI_TEST_FAIL_RANK=\(value))")
    }

    private func check(_ code: Int32, _ function: String) throws {
        guard code != MPI_SUCCESS else { return }
        throw WeightInitError.io(path: destination, reason: "\(function): \(MPISession.errorString(code))")
    }
}
