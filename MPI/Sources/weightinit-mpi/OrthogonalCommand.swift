import ArgumentParser
import Foundation
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitCLI
import WeightInitMPI

/// `weightinit-mpi orthogonal`: one (or --count) orthogonal matrices computed
/// by ScaLAPACK over every rank, written collectively into one .npy file.
struct OrthogonalCommand: MPISubcommand {
    static let configuration = CommandConfiguration(
        commandName: "orthogonal",
        abstract: "Write a Haar-random orthogonal matrix (times --gain), computed by ScaLAPACK over all ranks.",
        discussion: """
            The QR method of `weightinit generate orthogonal --method qr`, distributed: a \
            --shape (rows, d1, …) tensor is the rows × cols matrix W, cols = d1·…; its \
            Gaussian is the stream's N(0, 1) at W's own flat indices, so the result equals \
            the single-process QR result up to rounding. Rows are orthonormal if rows ≤ cols, \
            columns otherwise.

            The ranks form a P × Q grid (P ≤ Q, as square as the rank count allows); Wᵀ is \
            spread over it in --block × --block tiles (default 64, smaller for small matrices \
            so that every rank gets a tile). Each rank samples and keeps only its tiles; OpenBLAS \
            runs one thread per rank, so the bits depend only on the grid and the block size.

            --count K writes K independent matrices as one (K, rows, d1, …) array; matrix b \
            reads the stream at its own flat indices of that array (shifted by b·rows·cols), \
            as single-process batches and --blocks do.

            --dtype f16 is computed in f32 and rounded; bf16 has no numpy dtype and is refused.
            """
    )

    @Option(parsing: .unconditional, help: "Shape rows,cols[,…] (each ≥ 1, at least two).")
    var shape: String

    @Option(parsing: .unconditional, help: "Seed (UInt64).")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Stream (UInt32): tells tensors of one seed apart.")
    var stream: UInt32 = 0

    @Option(parsing: .unconditional, help: "Gain, finite and ≥ 0.")
    var gain: Double = 1

    @Option(help: "Element type: f32, f64 or f16.")
    var dtype: DType = .f32

    @Option(parsing: .unconditional, help: "ScaLAPACK block size, ≥ 1 (default: 64, smaller for small matrices).")
    var block: Int?

    @Option(parsing: .unconditional, help: "Write this many matrices, ≥ 1, stacked as (count, shape…).")
    var count: Int?

    @Option(help: "Output .npy file (written only if every rank succeeds).")
    var output: String

    func run(in session: MPISession) throws {
        // MARK: Argument checks: identical on every rank, before any collective call.
        let shape = try ShapeArgument.parse(self.shape)
        guard shape.count >= 2 else {
            throw CommandLineError.usage("invalid --shape '\(self.shape)': orthogonal needs ≥ 2 dimensions")
        }
        if let count, count < 1 { throw CommandLineError.usage("invalid --count \(count): must be ≥ 1") }
        if let block, block < 1 { throw CommandLineError.usage("invalid --block \(block): must be ≥ 1") }
        guard !output.isEmpty else { throw CommandLineError.usage("invalid --output '': give a file name") }
        guard !output.hasSuffix(".safetensors") else {
            throw CommandLineError.usage("invalid --output '\(output)': orthogonal writes .npy files")
        }
        let format = dtype
        _ = try NPY.descr(for: format)   // bf16 and integers: not in a .npy file here
        let fileShape = count.map { [$0] + shape } ?? shape
        let elements = try Shape.elementCount(fileShape, elementSize: format.byteCount)
        let matrices = count ?? 1
        let (rows, cols) = (shape[0], elements / matrices / shape[0])
        let grid = BLACSGrid.shape(processes: session.size)
        let blockSize = block ?? DistributedOrthogonal<Float>.defaultBlockSize(
            m: cols, n: rows, gridRows: grid.rows, gridColumns: grid.columns)
        try DistributedOrthogonal<Float>.validate(rows: rows, cols: cols, count: matrices, gain: gain,
                                                  blockSize: blockSize, gridRows: grid.rows, gridColumns: grid.columns)
        // gain·Q must be finite in the dtype: the single-process scheme's own check.
        try Initializer.orthogonal(gain: gain).validate(shape: [rows, cols], layout: .torch, dtype: format)

        // MARK: Collective work; every failure from here on is agreed on by all ranks.
        try session.collectively {
            if session.isRoot { try AtomicFile.checkDestination(output) }   // fail before the work
        }
        let blacs = try BLACSGrid(session: session)
        let clock = ContinuousClock()
        let start = clock.now
        let random = RandomStream(seed: seed, stream: stream)
        switch format {
        case .f64:
            try DistributedOrthogonal<Double>(rows: rows, cols: cols, count: matrices, gain: gain, stream: random,
                                              blockSize: blockSize, grid: blacs, session: session)
                .writeNPY(to: output, shape: fileShape, format: format, session: session)
        case .f32, .f16, .bf16, .i64, .i32, .u8, .bool:   // integer dtypes were refused above (NPY.descr)
            try DistributedOrthogonal<Float>(rows: rows, cols: cols, count: matrices, gain: gain, stream: random,
                                             blockSize: blockSize, grid: blacs, session: session)
                .writeNPY(to: output, shape: fileShape, format: format, session: session)
        }
        let seconds = (clock.now - start).seconds
        if session.isRoot {
            print("wrote \(shown(output)): orthogonal \(fileShape.map(String.init).joined(separator: "×")) \(format.rawValue), "
                + "gain \(gain), \(session.size) rank\(session.size == 1 ? "" : "s") on a \(blacs.rows)×\(blacs.columns) "
                + "grid, block \(blockSize), \(String(format: "%.3f", seconds)) s")
        }
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}
