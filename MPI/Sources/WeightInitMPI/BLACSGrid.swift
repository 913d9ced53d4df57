import CScaLAPACK

/// A BLACS process grid of every rank: P × Q processes, P ≤ Q and as square
/// as the rank count allows (P the largest divisor of it ≤ √size: 1 → 1×1,
/// 2 → 1×2, 4 → 2×2, 6 → 2×3, a prime p → 1×p).
///
/// Processes are numbered row by row ("Row" order): rank = row·Q + column.
/// That is the order MPI_Type_create_darray assumes for its process grid, so
/// a file view made from the same P, Q and block size places every tile
/// where ScaLAPACK keeps it. ``init(session:)`` checks the numbering.
public final class BLACSGrid {
    /// The BLACS context (a handle, like a communicator).
    public let context: Int32
    /// P and Q.
    public let rows: Int, columns: Int
    /// This process's coordinates.
    public let row: Int, column: Int

    /// The grid shape for `processes` ranks.
    public static func shape(processes: Int) -> (rows: Int, columns: Int) {
        precondition(processes >= 1)
        var rows = 1
        var candidate = 1
        while candidate * candidate <= processes {
            if processes % candidate == 0 { rows = candidate }
            candidate += 1
        }
        return (rows, processes / rows)
    }

    /// Makes the grid of all `session.size` ranks. Collective.
    public init(session: MPISession) throws {
        let (p, q) = Self.shape(processes: session.size)
        var context: Int32 = 0
        Cblacs_get(-1, 0, &context)
        Cblacs_gridinit(&context, "Row", Int32(p), Int32(q))
        session.usesBLACS = true
        var nprow: Int32 = 0, npcol: Int32 = 0, myrow: Int32 = 0, mycol: Int32 = 0
        Cblacs_gridinfo(context, &nprow, &npcol, &myrow, &mycol)
        self.context = context
        (rows, columns, row, column) = (Int(nprow), Int(npcol), Int(myrow), Int(mycol))
        // BLACS numbers processes by their MPI_COMM_WORLD rank in Open MPI's
        // build; were that ever not so, tiles would land in the wrong places
        // of the file, so check (on every rank, then agree).
        let expected = (session.rank / q, session.rank % q)
        let error: WeightInitMPIError? = (rows, columns) != (p, q) || (row, column) != expected
            ? .grid("BLACS put rank \(session.rank) at (\(row), \(column)) of \(rows)×\(columns), "
                + "expected \(expected) of \(p)×\(q)")
            : nil
        try session.agree(error)
    }

    deinit { Cblacs_gridexit(context) }

    /// The distribution of an `count`-long row dimension over the grid's rows.
    public func rowDistribution(count: Int, blockSize: Int) -> BlockCyclic {
        BlockCyclic(count: count, blockSize: blockSize, processes: rows, process: row)
    }

    /// The distribution of an `count`-long column dimension over the grid's columns.
    public func columnDistribution(count: Int, blockSize: Int) -> BlockCyclic {
        BlockCyclic(count: count, blockSize: blockSize, processes: columns, process: column)
    }

    /// Frees the BLACS but leaves MPI running (MPISession finalises it).
    static func exitBLACS() { Cblacs_exit(1) }
}
