extension Initializer {
    /// PyTorch `sparse_` (Martens 2010): N(0, std²), then in every column
    /// ⌈sparsity·rows⌉ zeros at rows chosen uniformly without replacement.
    /// The normal values come from the main stream at their flat index, the
    /// zero positions of column j from `RandomStream/randomSubset(of:count:column:)`
    /// — so each column is reproducible on its own, and a region needs only
    /// its own normals and the subsets of its own columns (the zeros among
    /// them that fall in its rows). `buffer` holds `region` (checked by the
    /// caller) in C order.
    static func fillSparse<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], region: TensorRegion, sparsity: Double, std: Double,
        stream: RandomStream, options: FillOptions
    ) throws {
        let rows = shape[0]
        let (rowRange, columnRange) = (region.ranges[0], region.ranges[1])
        // The same double arithmetic as PyTorch's math.ceil(sparsity * rows).
        let zerosPerColumn = Int((sparsity * Double(rows)).rounded(.up))
        // Check the subset sampler's arguments and the fill before the first write.
        _ = try stream.randomSubset(of: rows, count: zerosPerColumn, column: columnRange.upperBound - 1)
        let runs = try RegionRuns(shape: shape, region: region)
        try RegionSampler<T>(stream: stream, distribution: .normal(mean: 0, std: std), options: options)
            .fill(buffer, runs: runs, elements: 0 ..< buffer.count)
        let zero = T(rounding: 0)
        for column in columnRange {
            for row in try stream.randomSubset(of: rows, count: zerosPerColumn, column: column) where rowRange.contains(row) {
                buffer[(row - rowRange.lowerBound) * columnRange.count + (column - columnRange.lowerBound)] = zero
            }
        }
    }
}
