/// Orthogonal initialisation (Saxe et al. 2014) — to be written (QR path).
public enum Orthogonal {
    /// Fills `buffer` (shape ≥ 2-D, flattened to rows × ∏rest, C order) with a
    /// Haar-distributed orthogonal matrix times `gain`.
    public static func fill<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], gain: Double, method: OrthogonalMethod,
        stream: RandomStream, options: FillOptions
    ) throws {
        throw WeightInitError.invalidShape(shape, reason: "orthogonal is not implemented yet")
    }
}
