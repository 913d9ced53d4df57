@_spi(Plumbing) import WeightInit

extension DistributedOrthogonal {
    /// Writes the stack as one `.npy` file of `shape` (C order; its element
    /// count must be count·rows·cols, e.g. (rows, cols) or (count, rows, cols))
    /// in `format`. Collective, through ``SharedFile``: rank 0 writes
    /// `NPY.header`, every rank its tiles through the block-cyclic view.
    ///
    /// Because X_b = W_bᵀ is column-major m × n = cols × rows, its column-major
    /// order is W_b's row-major order: the file holds the row-major W's
    /// without any transpose. `format` is T's own, or f16 for T = Float
    /// (rounded to nearest, ties to even, as single-process orthogonal does);
    /// bf16 has no numpy dtype and is refused by `NPY.header`.
    public func writeNPY(to path: String, shape: [Int], format: DType, session: MPISession) throws {
        let header = try session.collectively { () throws -> [UInt8] in
            let elements = try Shape.elementCount(shape, elementSize: format.byteCount)
            guard elements == count * rows * cols else {
                throw WeightInitError.invalidShape(
                    shape, reason: "the stack holds \(count)×\(rows)×\(cols) elements, the shape needs \(elements)")
            }
            guard format == T.dtype || (T.self == Float.self && format == .f16) else {
                throw WeightInitError.invalidParameter(
                    "dtype", value: format.rawValue, reason: "\(T.dtype.rawValue) results are written as \(T.dtype.rawValue)"
                        + (T.self == Float.self ? " or f16" : ""))
            }
            return try NPY.header(shape: shape, dtype: format)
        }
        try withFileBytes(format) { bytes in
            try SharedFile.write(session: session, to: path) { file in
                try file.writeAt(0, session.isRoot ? header : [])
                try file.setBlockCyclicView(displacement: header.count, layout: layout, element: format.mpiDatatype)
                try file.writeAll(bytes, element: format.mpiDatatype, elementSize: format.byteCount)
            }
        }
    }

    /// The local tiles in `format`: as they are, or rounded to Float16.
    private func withFileBytes(_ format: DType, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard format != T.dtype else { return try body(UnsafeRawBufferPointer(local)) }
        #if arch(x86_64) || arch(arm64)
        let half = local.map { Float16(rounding: $0.doubleValue) }
        try half.withUnsafeBytes(body)
        #else
        throw WeightInitMPIError.unsupported("Float16 is not available on this architecture")
        #endif
    }
}
