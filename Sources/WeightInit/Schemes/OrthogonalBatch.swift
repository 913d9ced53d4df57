#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch

extension Orthogonal {
    /// Fills `buffer`, a (count, rows, cols) tensor in C order, with `count`
    /// independent Haar-random rows × cols matrices times `gain` — many small
    /// matrices (e.g. 10 000 of 8 × 8) or the gate blocks of an RNN weight.
    ///
    /// Matrix b reads the stream at its own flat indices of the whole tensor,
    /// b·rows·cols + r·cols + c, exactly as a single fill reads indices
    /// r·cols + c; so matrix b is what ``fill(_:rows:cols:gain:method:stream:options:)``
    /// would produce from the stream shifted by b·rows·cols.
    ///
    /// Work is split into contiguous runs of matrices over `options.threads`
    /// workers (default: every core), each with one scratch allocation and
    /// OpenBLAS pinned to one thread, so the bits do not depend on the thread
    /// count. Float16/BFloat16 are computed in Float and rounded.
    @_spi(Plumbing) public static func fillBatch<T: WeightScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, count: Int, rows: Int, cols: Int, gain: Double = 1,
        method: OrthogonalMethod = .default, stream: RandomStream, options: FillOptions = FillOptions()
    ) throws {
        guard count >= 1 else {
            throw WeightInitError.invalidParameter("count", value: "\(count)", reason: "must be ≥ 1")
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: rows)
        guard !overflow else { throw WeightInitError.tooLarge(shape: [count, rows, cols], reason: "the row count overflows Int") }
        try validate(buffer.count, rows: total, cols: cols, gain: gain)
        try checkThreads(options.threads)
        try inComputePrecision(buffer, rows: total, cols: cols,
                               BatchFill(count: count, rows: rows, cols: cols, gain: gain, method: method,
                                         stream: stream, options: options))
    }

    struct BatchFill: PrecisionGeneric {
        let count: Int, rows: Int, cols: Int, gain: Double, method: OrthogonalMethod, stream: RandomStream
        let options: FillOptions

        func callAsFunction<S: BLASScalar>(_ w: UnsafeMutableBufferPointer<S>) throws {
            guard gain != 0 else { return w.update(repeating: 0) }
            let size = rows * cols
            let workers = min(count, options.threads ?? FillOptions.activeCores)
            // The output and every worker's scratch (at most a matrix-sized
            // copy, tau, signs, workspace): checked before any is made.
            let lwork = try Orthogonal.workspaceCount(S.self, rows: rows, cols: cols, method: method)
            let perWorker = lwork + 2 * min(rows, cols) + size
            try Orthogonal.checkFits(shape: [count, rows, cols],
                                     scalars: [count * size] + Array(repeating: perWorker, count: workers),
                                     scalarSize: MemoryLayout<S>.stride)
            let errors = UnsafeMutableBufferPointer<(any Error)?>.allocate(capacity: workers)
            errors.initialize(repeating: nil)
            defer { errors.deinitialize().deallocate() }
            nonisolated(unsafe) let (output, failures) = (w, errors)
            let (count, rows, cols, gain, method, stream) = (count, rows, cols, gain, method, stream)
            var sampling = options
            sampling.threads = 1
            let samplingOptions = sampling
            try BLASThreads.with(1) {
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    // Contiguous runs: worker i takes matrices [i·count/workers, (i+1)·count/workers).
                    let first = worker * count / workers, end = (worker + 1) * count / workers
                    guard first < end else { return }
                    do {
                        let scratch = try Scratch<S>(rows: rows, cols: cols, method: method)
                        // One sampling call for the whole run: every Gaussian
                        // value sits at its own flat index, so this writes the
                        // same values the per-matrix spec reads (Householder
                        // simply ignores the ones outside its trapezoid).
                        let run = UnsafeMutableBufferPointer(rebasing: output[(first * size)..<(end * size)])
                        try stream.fill(run, with: .normal(mean: 0, std: 1), startIndex: UInt64(first * size),
                                        options: samplingOptions)
                        for b in first..<end {
                            try Orthogonal.transform(output.baseAddress! + b * size, rows: rows, cols: cols,
                                                     gain: S(gain), method: method, scratch: scratch, signFix: true)
                        }
                    } catch {
                        failures[worker] = error
                    }
                }
            }
            if let error = errors.lazy.compactMap({ $0 }).first { throw error }
        }
    }
}
