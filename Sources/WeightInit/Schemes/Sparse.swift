extension Initializer {
    static func fillSparse<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], sparsity: Double, std: Double,
        stream: RandomStream, options: FillOptions
    ) throws {
        throw WeightInitError.invalidShape(shape, reason: "sparse: waiting for the subset sampler")
    }
}
