/// Delta-orthogonal initialisation of a convolution: zero everywhere except
/// the spatial centre tap, which holds a Haar-random out × in matrix with
/// orthonormal columns times `gain`.
///
/// Xiao, Bahri, Sohl-Dickstein, Schoenholz & Pennington, "Dynamical isometry
/// and a mean field theory of CNNs: how to train 10,000-layer vanilla
/// convolutional neural networks", ICML 2018 (Algorithm 2). With HᵀH = I the
/// layer maps every input channel vector isometrically, so the input–output
/// Jacobian of a deep linear CNN is orthogonal at initialisation. Also known
/// as `ConvolutionDeltaOrthogonal` (TensorFlow).
///
/// Shape: a 3-, 4- or 5-D weight in `layout` — PyTorch (out, in, k…) or Keras
/// (k…, in, out). The centre of an axis of size k is index k / 2 (rounded
/// down, as PyTorch's `dirac_`). Needs out ≥ in (an out × in matrix with
/// orthonormal columns exists only then).
///
/// Stream: the centre matrix H is exactly `Initializer.orthogonal(gain:)` of
/// shape (out, in) from the same stream — it reads the indices an (out, in)
/// tensor would, whatever the kernel size.
///
/// ```swift
/// let w: [Float] = try Initializer.deltaOrthogonal(gain: 1)
///     .makeArray(shape: [128, 64, 3, 3], seed: 7)
/// ```
package enum DeltaOrthogonal {
    /// Fills `buffer`, a convolution weight of `shape` in `layout`, as described above.
    package static func fill<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], layout: Layout = .torch, gain: Double,
        stream: RandomStream, options: FillOptions = FillOptions()
    ) throws {
        _ = try Shape.checkBuffer(count: buffer.count, holds: shape, elementSize: MemoryLayout<T>.stride)
        try fill(buffer, shape: shape, region: .whole(shape), layout: layout, gain: gain, stream: stream,
                 options: options)
    }

    /// Fills `buffer` with the block `region` of that weight, in C order
    /// (shape, region and buffer count checked by the caller). Costs the
    /// out × in centre matrix — its QR is global — and the region, never the
    /// whole weight: the centre matrix must fit in memory, the weight need not.
    static func fill<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, shape: [Int], region: TensorRegion, layout: Layout, gain: Double,
        stream: RandomStream, options: FillOptions
    ) throws {
        let (inputAxis, outputAxis) = try check(shape: shape, layout: layout)
        let (outputs, inputs) = (shape[outputAxis], shape[inputAxis])
        let centreCount = try Shape.elementCount([outputs, inputs], elementSize: MemoryLayout<T>.stride)
        let centreMatrix = UnsafeMutableBufferPointer<T>.allocate(capacity: centreCount)
        defer { centreMatrix.deallocate() }
        centreMatrix.initialize(repeating: T(rounding: 0))
        try Orthogonal.fill(centreMatrix, shape: [outputs, inputs], gain: gain, method: .default,
                            stream: stream, options: options)

        buffer.update(repeating: T(rounding: 0))
        var index = shape.map { $0 / 2 }  // the centre tap, k / 2, on every receptive axis
        for o in region.ranges[outputAxis] {
            for i in region.ranges[inputAxis] {
                index[outputAxis] = o
                index[inputAxis] = i
                // nil on every (o, i) when the region misses the centre tap.
                if let offset = region.offset(of: index) { buffer[offset] = centreMatrix[o * inputs + i] }
            }
        }
    }

    /// The (input, output) axes, after checking rank and out ≥ in (the
    /// gain is ``Initializer/validate()``'s).
    @discardableResult
    static func check(shape: [Int], layout: Layout) throws -> (input: Int, output: Int) {
        guard (3...5).contains(shape.count) else {
            throw WeightInitError.invalidShape(shape, reason: "delta-orthogonal needs a 3-, 4- or 5-D convolution weight")
        }
        guard shape.allSatisfy({ $0 >= 1 }) else {
            throw WeightInitError.invalidShape(shape, reason: "every dimension must be ≥ 1")
        }
        let axes = try layout.axes(rank: shape.count, shape: shape)
        let (outputs, inputs) = (shape[axes.output], shape[axes.input])
        guard outputs >= inputs else {
            throw WeightInitError.invalidShape(
                shape, reason: "delta-orthogonal needs out ≥ in channels (an out × in centre with orthonormal "
                    + "columns); got out = \(outputs), in = \(inputs)")
        }
        return axes
    }
}
