import ArgumentParser
import Foundation
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitCLI
import WeightInitMPI

/// `weightinit-mpi bench`: per-rank wall time of the distributed paths for a
/// fixed total size, or (`--single`) of the threaded single-process library
/// on the same problems, so that scaling and overhead can be compared.
struct BenchCommand: MPISubcommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the distributed normal fill and orthogonal init for a fixed total size.",
        discussion: """
            (a) normal fill: --elements values in total, each rank filling its contiguous row \
            block (1/size of the flat index range) with one thread. (b) orthogonal: the \
            ScaLAPACK QR method on each --sizes n × n matrix, sampling included, file \
            writing not. Each is run --repeat times; a run's time is the slowest rank's \
            (max over ranks, MPI_MAX) and the mean over ranks is shown beside it; the best \
            run is reported.

            --single (one rank only) times the same problems through the single-process \
            library instead — RandomStream.fill and Orthogonal.fill(method: .qr) — with \
            --threads threads, the baseline for the ratios.

            Examples:
              mpirun -q -n 4 weightinit-mpi bench --sizes 2048,4096
              mpirun -q -n 1 weightinit-mpi bench --single --threads 2
            """
    )

    @Option(parsing: .unconditional, help: "Total values of the normal fill (default 2^28).")
    var elements: Int = 1 << 28

    @Option(parsing: .unconditional, help: "Orthogonal sizes n (n × n), comma-separated.")
    var sizes: String = "2048"

    @Option(help: "Element type: f32 or f64.")
    var dtype: DType = .f32

    @Option(parsing: .unconditional, help: "ScaLAPACK block size (default: as orthogonal).")
    var block: Int?

    @Option(parsing: .unconditional, help: "Timed runs, ≥ 1; the best is reported.")
    var `repeat`: Int = 3

    @Flag(help: "Time the single-process library instead (run with one rank).")
    var single = false

    @Option(parsing: .unconditional, help: "Threads for --single, ≥ 1 (default 1).")
    var threads: Int = 1

    func run(in session: MPISession) throws {
        let sizes = try ShapeArgument.parse(self.sizes, option: "--sizes")
        guard elements >= 1 else { throw CommandLineError.usage("invalid --elements \(elements): must be ≥ 1") }
        guard self.repeat >= 1 else { throw CommandLineError.usage("invalid --repeat \(self.repeat): must be ≥ 1") }
        guard threads >= 1 else { throw CommandLineError.usage("invalid --threads \(threads): must be ≥ 1") }
        if let block, block < 1 { throw CommandLineError.usage("invalid --block \(block): must be ≥ 1") }
        guard dtype == .f32 || dtype == .f64 else {
            throw CommandLineError.usage("invalid --dtype \(dtype.rawValue): bench times f32 or f64")
        }
        guard !single || session.size == 1 else {
            throw CommandLineError.usage("--single times one process: run it with one rank, not \(session.size)")
        }
        switch dtype {
        case .f64: try measure(Double.self, sizes: sizes, session: session)
        default: try measure(Float.self, sizes: sizes, session: session)
        }
    }

    private func measure<T: ScaLAPACKScalar & BLASScalar>(_: T.Type, sizes: [Int], session: MPISession) throws {
        let grid = single ? nil : try BLACSGrid(session: session)
        if session.isRoot {
            let how = single
                ? "single process, library path, \(threads) thread\(threads == 1 ? "" : "s")"
                : "\(session.size) rank\(session.size == 1 ? "" : "s") on a \(grid!.rows)×\(grid!.columns) grid, 1 thread each"
            print("weightinit-mpi bench: \(how), \(T.dtype.rawValue), best of \(self.repeat)")
            print("task                       size          max s     mean s")
        }
        let fill = try best { try timeFill(T.self, session: session) }
        report("normal fill", "\(elements)", fill, session: session)
        for n in sizes {
            let blockSize = block ?? DistributedOrthogonal<T>.defaultBlockSize(
                m: n, n: n, gridRows: grid?.rows ?? 1, gridColumns: grid?.columns ?? 1)
            let times = try best { try timeOrthogonal(T.self, n: n, blockSize: blockSize, grid: grid, session: session) }
            report(single ? "orthogonal QR (LAPACK)" : "orthogonal QR (nb \(blockSize))", "\(n)x\(n)", times,
                   session: session)
        }
    }

    /// The run with the smallest maximum over ranks, as (max, mean).
    private func best(_ run: () throws -> (max: Double, mean: Double)) throws -> (max: Double, mean: Double) {
        var best = (max: Double.infinity, mean: Double.infinity)
        for _ in 0 ..< self.repeat {
            let times = try run()
            if times.max < best.max { best = times }
        }
        return best
    }

    /// Times `body` on every rank between two barriers: (max, mean) over ranks.
    private func timed(_ session: MPISession, _ body: () throws -> Void) throws -> (max: Double, mean: Double) {
        try session.barrier()
        let clock = ContinuousClock()
        let start = clock.now
        try session.collectively(body)
        let elapsed = (clock.now - start).seconds
        let slowest = try session.allreduce(elapsed, .max)
        let total = try session.allreduce(elapsed, .sum)
        return (slowest, total / Double(session.size))
    }

    private func timeFill<T: ScaLAPACKScalar>(_: T.Type, session: MPISession) throws -> (max: Double, mean: Double) {
        // This rank's row block of the flat index range.
        let first = elements * session.rank / session.size, end = elements * (session.rank + 1) / session.size
        var buffer = [T](repeating: 0, count: end - first)   // touched before the clock starts
        let options = FillOptions(threads: single ? threads : 1)
        return try timed(session) {
            try RandomStream(seed: 1).fill(&buffer, with: .normal(mean: 0, std: 1), startIndex: UInt64(first),
                                           options: options)
        }
    }

    private func timeOrthogonal<T: ScaLAPACKScalar & BLASScalar>(
        _: T.Type, n: Int, blockSize: Int, grid: BLACSGrid?, session: MPISession
    ) throws -> (max: Double, mean: Double) {
        guard let grid else {
            var buffer = [T](repeating: 0, count: n * n)
            return try timed(session) {
                try buffer.withUnsafeMutableBufferPointer {
                    try Orthogonal.fill($0, rows: n, cols: n, gain: 1, method: .qr, stream: RandomStream(seed: 1),
                                        options: FillOptions(threads: threads))
                }
            }
        }
        return try timed(session) {
            _ = try DistributedOrthogonal<T>(rows: n, cols: n, gain: 1, stream: RandomStream(seed: 1),
                                             blockSize: blockSize, grid: grid, session: session)
        }
    }

    private func report(_ task: String, _ size: String, _ times: (max: Double, mean: Double), session: MPISession) {
        guard session.isRoot else { return }
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(1, width - text.count)) }
        print(pad(task, 27) + pad(size, 12) + String(format: "%9.4f  %9.4f", times.max, times.mean))
    }
}
