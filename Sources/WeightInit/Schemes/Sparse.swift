extension Initializer {
    /// PyTorch `sparse_` (Martens 2010): N(0, std²), then in every column
    /// ⌈sparsity·rows⌉ zeros at rows chosen uniformly without replacement.
    /// The normal values come from the main stream at their flat index, the
    /// zeros from the rank keys of the elements (`SparseRanking`; stream
    /// format "Sparse", version 2) — so a region needs its own normals, its
    /// own keys, and one pass over the keys of its columns for their cuts.
    /// `buffer` holds `region` (checked by the caller) in C order.
    static func fillSparse<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], region: TensorRegion, sparsity: Double, std: Double,
        stream: RandomStream, options: FillOptions
    ) throws {
        let runs = try RegionRuns(shape: shape, region: region)
        let sampler = try SparseSampler<T>(shape: shape, columns: region.ranges[1], sparsity: sparsity, std: std,
                                           stream: stream, options: options)
        try options.cancellation?.check()
        sampler.fill(buffer, runs: runs, elements: 0 ..< buffer.count)
    }
}
