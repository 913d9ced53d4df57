import CScaLAPACK

/// A stack of `count` column-major m × n matrices, each spread 2-D
/// block-cyclically in nb × nb blocks over a P × Q process grid (first block
/// on process (0, 0)), as ScaLAPACK stores them and as the file view of
/// ``SharedFile/setBlockCyclicView(displacement:layout:element:)`` reads them.
///
/// This rank holds, for each matrix in turn, its localRows × localColumns
/// tiles, column-major with leading dimension ``leadingDimension``.
public struct BlockCyclicLayout: Sendable, Equatable {
    public let m: Int, n: Int, count: Int, blockSize: Int
    /// The distribution of the m rows over the grid's P rows, and of the n
    /// columns over its Q columns, seen from this rank.
    public let rowDistribution: BlockCyclic, columnDistribution: BlockCyclic

    public init(m: Int, n: Int, count: Int, blockSize: Int, grid: BLACSGrid) {
        self.init(m: m, n: n, count: count, blockSize: blockSize,
                  rowDistribution: grid.rowDistribution(count: m, blockSize: blockSize),
                  columnDistribution: grid.columnDistribution(count: n, blockSize: blockSize))
    }

    /// A layout seen from grid coordinates (row, column) of a P × Q grid;
    /// needs no MPI (argument checks size the largest rank's part with it).
    public init(m: Int, n: Int, count: Int, blockSize: Int, gridRows: Int, gridColumns: Int, row: Int = 0, column: Int = 0) {
        self.init(m: m, n: n, count: count, blockSize: blockSize,
                  rowDistribution: BlockCyclic(count: m, blockSize: blockSize, processes: gridRows, process: row),
                  columnDistribution: BlockCyclic(count: n, blockSize: blockSize, processes: gridColumns, process: column))
    }

    private init(m: Int, n: Int, count: Int, blockSize: Int, rowDistribution: BlockCyclic, columnDistribution: BlockCyclic) {
        (self.m, self.n, self.count, self.blockSize) = (m, n, count, blockSize)
        (self.rowDistribution, self.columnDistribution) = (rowDistribution, columnDistribution)
    }

    public var gridRows: Int { rowDistribution.processes }
    public var gridColumns: Int { columnDistribution.processes }
    public var localRows: Int { rowDistribution.localCount }
    public var localColumns: Int { columnDistribution.localCount }
    /// ScaLAPACK's LLD: localRows, but at least 1.
    public var leadingDimension: Int { max(1, localRows) }
    /// Local elements of one matrix.
    public var localCountPerMatrix: Int { localRows * localColumns }
    /// Local elements of the whole stack.
    public var localCount: Int { localCountPerMatrix * count }

    /// The ScaLAPACK array descriptor of one matrix on `context`, made and
    /// checked by `descinit_`.
    public func descriptor(context: Int32) throws -> [Int32] {
        var descriptor = [Int32](repeating: 0, count: 9)
        var (m, n, nb, zero, context, lld, info) = (Int32(m), Int32(n), Int32(blockSize), Int32(0), context,
                                                    Int32(leadingDimension), Int32(0))
        descinit_(&descriptor, &m, &n, &nb, &nb, &zero, &zero, &context, &lld, &info)
        guard info == 0 else { throw WeightInitMPIError.scalapack(routine: "descinit", info: Int(info)) }
        return descriptor
    }

    /// This rank's elements of matrix `matrix` as runs that are contiguous
    /// both in local memory and in the matrix's column-major global order:
    /// (local offset, global offset = j·m + i, length). One run per local
    /// block of a column, adjacent runs merged (with P = 1 a whole local
    /// column, or several, is one run).
    public func contiguousRuns(matrix: Int) -> [(local: Int, global: Int, count: Int)] {
        var runs: [(local: Int, global: Int, count: Int)] = []
        let blocks = rowDistribution.localBlocks
        let base = matrix * localCountPerMatrix
        for localColumn in 0 ..< localColumns {
            let j = columnDistribution.globalIndex(of: localColumn)
            for block in blocks {
                let local = base + localColumn * leadingDimension + block.local
                let global = j * m + block.global
                if let last = runs.last, last.local + last.count == local, last.global + last.count == global {
                    runs[runs.count - 1].count += block.count
                } else {
                    runs.append((local, global, block.count))
                }
            }
        }
        return runs
    }
}
