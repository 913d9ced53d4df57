import CScaLAPACK
import Testing
import WeightInitMPI

/// The distribution arithmetic, against ScaLAPACK's own tools (pure Fortran
/// functions: no MPI needed, so these run without mpirun too).
struct BlockCyclicTests {
    static let cases: [(count: Int, blockSize: Int, processes: Int)] = [
        (1, 1, 1), (10, 3, 1), (10, 3, 2), (10, 3, 4), (96, 48, 2), (100, 7, 3), (5, 64, 2), (130, 16, 2),
    ]

    @Test("localCount, owner, local and global indices agree with numroc_, indxg2p_, indxg2l_",
          arguments: 0 ..< cases.count)
    func matchesScaLAPACK(index: Int) {
        let (count, blockSize, processes) = Self.cases[index]
        var (n, nb, source, procs) = (Int32(count), Int32(blockSize), Int32(0), Int32(processes))
        for process in 0 ..< processes {
            let distribution = BlockCyclic(count: count, blockSize: blockSize, processes: processes, process: process)
            var p = Int32(process)
            #expect(distribution.localCount == Int(numroc_(&n, &nb, &p, &source, &procs)))
            for local in 0 ..< distribution.localCount {
                var global = Int32(distribution.globalIndex(of: local) + 1)
                #expect(Int(indxg2p_(&global, &nb, &p, &source, &procs)) == process)
                #expect(Int(indxg2l_(&global, &nb, &p, &source, &procs)) == local + 1)
                #expect(distribution.owner(of: Int(global) - 1) == process)
                #expect(distribution.localIndex(of: Int(global) - 1) == local)
            }
        }
    }

    @Test("Contiguous runs cover every element of the stack exactly once", arguments: [(1, 1), (1, 2), (2, 2), (2, 3)])
    func runsCoverEverything(grid: (rows: Int, columns: Int)) {
        let (m, n, count, blockSize) = (13, 9, 2, 4)
        var seen = [Int](repeating: 0, count: count * m * n)
        for row in 0 ..< grid.rows {
            for column in 0 ..< grid.columns {
                let layout = BlockCyclicLayout(m: m, n: n, count: count, blockSize: blockSize, gridRows: grid.rows,
                                               gridColumns: grid.columns, row: row, column: column)
                var local = Set<Int>()
                for b in 0 ..< count {
                    for run in layout.contiguousRuns(matrix: b) {
                        for k in 0 ..< run.count {
                            seen[b * m * n + run.global + k] += 1
                            local.insert(run.local + k)
                        }
                    }
                }
                #expect(local == Set(0 ..< layout.localCount), "every local slot of (\(row), \(column)) filled once")
            }
        }
        #expect(seen.allSatisfy { $0 == 1 })
    }

    @Test("Grid shapes: P ≤ Q, as square as possible")
    func gridShapes() {
        let expected = [1: (1, 1), 2: (1, 2), 3: (1, 3), 4: (2, 2), 6: (2, 3), 8: (2, 4), 9: (3, 3), 12: (3, 4), 16: (4, 4)]
        for (processes, shape) in expected {
            let (rows, columns) = BLACSGrid.shape(processes: processes)
            #expect(rows == shape.0 && columns == shape.1, "\(processes) processes")
        }
    }

    @Test("The default block size is 64, smaller so small matrices reach every rank")
    func defaultBlockSize() {
        #expect(DistributedOrthogonal<Float>.defaultBlockSize(m: 4096, n: 4096, gridRows: 2, gridColumns: 2) == 64)
        #expect(DistributedOrthogonal<Float>.defaultBlockSize(m: 8, n: 8, gridRows: 2, gridColumns: 2) == 4)
        #expect(DistributedOrthogonal<Float>.defaultBlockSize(m: 96, n: 96, gridRows: 1, gridColumns: 2) == 48)
        #expect(DistributedOrthogonal<Float>.defaultBlockSize(m: 1, n: 1, gridRows: 2, gridColumns: 2) == 1)
    }
}
