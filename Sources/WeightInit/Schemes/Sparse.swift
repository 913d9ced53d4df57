extension Initializer {
    /// PyTorch `sparse_` (Martens 2010): N(0, std²), then in every column
    /// ⌈sparsity·rows⌉ zeros at rows chosen uniformly without replacement.
    /// The normal values come from the main stream at their flat index, the
    /// zero positions of column j from ``RandomStream/randomSubset(of:count:column:)``
    /// — so each column is reproducible on its own.
    static func fillSparse<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], sparsity: Double, std: Double,
        stream: RandomStream, options: FillOptions
    ) throws {
        let (rows, cols) = (shape[0], shape[1])
        // The same double arithmetic as PyTorch's math.ceil(sparsity * rows).
        let zerosPerColumn = Int((sparsity * Double(rows)).rounded(.up))
        // Check the subset sampler's arguments before the first write.
        _ = try stream.randomSubset(of: rows, count: zerosPerColumn, column: cols - 1)
        try stream.fill(buffer, with: .normal(mean: 0, std: std), options: options)
        let zero = T(rounding: 0)
        for column in 0..<cols {
            for row in try stream.randomSubset(of: rows, count: zerosPerColumn, column: column) {
                buffer[row * cols + column] = zero
            }
        }
    }
}
