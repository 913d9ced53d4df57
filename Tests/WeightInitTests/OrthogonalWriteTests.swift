import Testing
@_spi(Plumbing) @testable import WeightInit

/// `Orthogonal.write`: the bytes of the in-memory fill, for every method,
/// orientation (wide rows scaled per row, tall QR per column, tall
/// Householder through its copy), size (the small direct kernel and LAPACK),
/// gain 0, stacked blocks, element type, region and chunk size.
@Suite struct OrthogonalWriteTests {
    static let cases: [(Initializer, [Int])] = [
        (.orthogonal(gain: 2, method: .householder), [29, 37]), (.orthogonal(gain: 2, method: .householder), [37, 29]),
        (.orthogonal(gain: 2, method: .householder), [70, 90]), (.orthogonal(gain: 0.5, method: .householder), [90, 70]),
        (.orthogonal(gain: 2, method: .qr), [29, 37]), (.orthogonal(gain: 2, method: .qr), [90, 70]),
        (.orthogonal(gain: 0), [20, 30]), (.orthogonal(gain: 1.5, blocks: 3), [24, 8]),
        (.orthogonal(gain: 1, method: .qr), [12, 3, 2, 2]),
    ]

    @Test(arguments: cases.indices)
    func writeEqualsFill(_ index: Int) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try forEachFormat { type in try check(type, Self.cases[index].0, shape: Self.cases[index].1, directory) }
    }

    private func check<T: WeightScalar>(_: T.Type, _ initializer: Initializer, shape: [Int],
                                        _ directory: ScratchDirectory) throws {
        let regions = [TensorRegion.whole(shape), try .shard(1, of: 3, along: 1, shape: shape),
                       try .shard(2, of: 3, along: 0, shape: shape)]
        for region in regions {
            let values: [T] = try initializer.makeArray(shape: shape, region: region, seed: 6, stream: 4)
            for chunkBytes in [6, 1 << 20] {
                let path = directory.file("o.safetensors")
                try TensorFile.write(to: path, format: .safetensors,
                                     tensors: [TensorEntry(name: "w", shape: region.shape, dtype: T.dtype)]) { _, sink in
                    try initializer.write(T.self, shape: shape, region: region, randomStream: RandomStream(seed: 6, stream: 4),
                                          chunkBytes: chunkBytes, to: sink)
                }
                #expect(try TensorFile.read(path).tensors[0].bytes == values.withUnsafeBytes { Array($0) },
                        "\(initializer) \(shape) \(T.dtype) \(region) chunk \(chunkBytes)")
            }
        }
    }
}
