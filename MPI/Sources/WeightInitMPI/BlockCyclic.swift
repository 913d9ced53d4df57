/// One dimension of a 2-D block-cyclic distribution, as ScaLAPACK and
/// MPI_Type_create_darray (MPI_DISTRIBUTE_CYCLIC with argument `blockSize`)
/// define it: indices are cut into blocks of `blockSize`, block b goes to
/// process b mod `processes`, the first block to process 0.
///
/// Indices here are 0-based; ScaLAPACK's tools (`numroc_`, `indxg2l_`) are
/// 1-based, and the tests check that both agree.
public struct BlockCyclic: Sendable, Equatable {
    /// Global length of the dimension.
    public let count: Int
    public let blockSize: Int
    public let processes: Int
    /// This process's coordinate along the dimension, 0 ..< processes.
    public let process: Int

    public init(count: Int, blockSize: Int, processes: Int, process: Int) {
        precondition(count >= 0 && blockSize >= 1 && processes >= 1 && (0 ..< processes).contains(process))
        self.count = count
        self.blockSize = blockSize
        self.processes = processes
        self.process = process
    }

    /// How many indices this process owns (ScaLAPACK's NUMROC): every process
    /// gets ⌊blocks / processes⌋ whole blocks, the first blocks mod processes
    /// one more, and the process after them the last partial block.
    public var localCount: Int {
        let blocks = count / blockSize
        var local = blocks / processes * blockSize
        let extra = blocks % processes
        if process < extra {
            local += blockSize
        } else if process == extra {
            local += count % blockSize
        }
        return local
    }

    /// The process that owns global index `global`.
    public func owner(of global: Int) -> Int { global / blockSize % processes }

    /// The local index of global index `global` on its owner.
    public func localIndex(of global: Int) -> Int {
        global / (blockSize * processes) * blockSize + global % blockSize
    }

    /// The global index of this process's local index `local`.
    public func globalIndex(of local: Int) -> Int {
        (local / blockSize * processes + process) * blockSize + local % blockSize
    }

    /// This process's blocks in local order: where each starts locally and
    /// globally, and its length (the last may be partial).
    public var localBlocks: [(local: Int, global: Int, count: Int)] {
        stride(from: 0, to: localCount, by: blockSize).map { local in
            let global = globalIndex(of: local)
            return (local, global, min(blockSize, count - global))
        }
    }
}
