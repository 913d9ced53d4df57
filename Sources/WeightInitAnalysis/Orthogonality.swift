@_spi(Plumbing) import WeightInit

public enum Orthogonality {
    /// ‖QᵀQ − s·I‖_F / s for a tall matrix (rows ≥ columns), ‖QQᵀ − s·I‖_F / s
    /// for a wide one, where Q is `values` as a C-order `rows × columns`
    /// matrix and s = gain² (the Gram matrix of gain·Q is gain²·I). The Gram
    /// matrix is formed by `?syrk` in Double, so the result measures the stored
    /// values, not the arithmetic of the check.
    public static func error(_ values: [Double], rows: Int, columns: Int, gain: Double = 1) throws -> Double {
        guard rows >= 1, columns >= 1, values.count == rows * columns else {
            throw WeightInitError.invalidShape([rows, columns], reason: "needs \(rows * columns) values, got \(values.count)")
        }
        let n = Swift.min(rows, columns)
        let scale = gain * gain
        guard scale > 0, scale.isFinite else {
            throw WeightInitError.invalidParameter("gain", value: "\(gain)", reason: "must be finite and > 0")
        }
        _ = try Shape.elementCount([n, n], elementSize: MemoryLayout<Double>.stride)
        var gram = [Double](repeating: 0, count: n * n)
        let (lapackN, k, ld) = (try lapackInt(n), try lapackInt(Swift.max(rows, columns)), try lapackInt(columns))
        // The C-order rows×columns matrix is, read column-major, A = Qᵀ
        // (columns × rows, leading dimension `columns`). Tall: QᵀQ = A·Aᵀ;
        // wide: QQᵀ = Aᵀ·A.
        try BLASThreads.with(nil) {
            values.withUnsafeBufferPointer { a in
                gram.withUnsafeMutableBufferPointer { c in
                    Double.syrk(transpose: rows < columns, n: lapackN, k: k, alpha: 1, a: a.baseAddress!, lda: ld,
                                beta: 0, c: c.baseAddress!, ldc: lapackN)
                }
            }
        }
        // Upper triangle, column-major: element (i, j), i ≤ j, at i + j·n.
        var sum = 0.0
        for j in 0 ..< n {
            for i in 0 ... j {
                let deviation = gram[i + j * n] / scale - (i == j ? 1 : 0)
                sum += (i == j ? 1 : 2) * deviation * deviation
            }
        }
        return sum.squareRoot()
    }

    private static func lapackInt(_ value: Int) throws -> LAPACKInt {
        guard let result = LAPACKInt(exactly: value) else {
            throw WeightInitError.tooLarge(shape: [value], reason: "dimension exceeds LAPACK's 32-bit integers")
        }
        return result
    }
}
