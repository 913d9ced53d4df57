/// The sampler of `sparse` for a range of columns of a rows × columns
/// tensor: the normals of the main stream, then, piece by piece while they
/// are in cache, the zeros of ``SparseRanking``. Any element range of any
/// region within those columns, in any chunks, on any threads, gets the
/// bytes of the whole tensor.
struct SparseSampler<T: WeightScalar>: Sendable {
    private let normals: RegionSampler<T>
    private let ranking: SparseRanking
    private let isa: Int32

    /// Checks the parameters and `options`, and finds the cuts of `columns`
    /// (one pass over their keys, on `options.threads` workers); chunks are
    /// filled with `fillOptions` (by default `options`).
    init(shape: [Int], columns: Range<Int>, sparsity: Double, std: Double, stream: RandomStream, options: FillOptions,
         fillOptions: FillOptions? = nil) throws {
        let rows = shape[0]
        // The same double arithmetic as PyTorch's math.ceil(sparsity * rows).
        let zerosPerColumn = Int((sparsity * Double(rows)).rounded(.up))
        normals = try RegionSampler(stream: stream, distribution: .normal(mean: 0, std: std), options: fillOptions ?? options)
        ranking = try SparseRanking(stream: stream, rows: rows, columns: shape[1], zerosPerColumn: zerosPerColumn,
                                    columnRange: columns, options: options)
        isa = try options.path.resolvedKernelISA()
    }

    /// Fills `buffer` with the elements `elements` of `runs` (see `RegionSampler`).
    func fill(_ buffer: UnsafeMutableBufferPointer<T>, runs: RegionRuns, elements: Range<Int>) {
        let (ranking, isa) = (ranking, isa)
        normals.fill(buffer, runs: runs, elements: elements) { values, flatIndex, count in
            ranking.applyZeros(to: values, flatIndex: flatIndex, count: count, isa: isa)
        }
    }
}
