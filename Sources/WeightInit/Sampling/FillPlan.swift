import _WeightInitKernels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch

/// A fill checked once and reusable: the distribution, kernel path, thread
/// count and chunk size are validated and converted to the kernel's form when
/// the plan is made, so each later `fill(_:startIndex:)` (e.g. one per shard
/// of a tensor) only runs the kernel, chunk by chunk.
///
/// The output does not depend on how the work is split: element `j` of the
/// buffer is always the value at flat index `startIndex + j` (<doc:StreamFormatSpecification>),
/// for any thread count, chunk size and kernel path.
///
/// ```swift
/// let plan = try FillPlan<Float>(stream: RandomStream(seed: 3), distribution: .normal(mean: 0, std: 0.02))
/// try plan.fill(shard0, startIndex: 0)
/// try plan.fill(shard1, startIndex: UInt64(shard0.count))
/// ```
package struct FillPlan<Scalar: WeightScalar>: Sendable {
    package let stream: RandomStream
    package let distribution: Distribution
    /// Worker threads for large fills (≥ 1; a fill never uses more than one per chunk).
    package let threads: Int
    /// Elements per work item (≥ 1).
    package let chunkSize: Int
    /// Fills of fewer elements run on the calling thread.
    package let serialThreshold: Int
    private let params: wi_params
    private let isa: Int32

    /// Checks everything a fill needs.
    ///
    /// - Throws: ``WeightInitError/invalidParameter(_:value:reason:)`` for a
    ///   bad distribution parameter, `threads < 1` or `chunkSize < 1`;
    ///   ``WeightInitError/kernelUnavailable(_:)`` if `options.path` cannot run here.
    package init(stream: RandomStream, distribution: Distribution, options: FillOptions = FillOptions()) throws {
        let (threads, chunkSize) = try options.validatedSplit()
        var params = try distribution.validatedKernelParameters(format: Scalar.dtype)
        let isa = try options.path.resolvedKernelISA()
        // A fill of zero elements runs the kernel's own parameter preparation
        // and writes nothing: whatever it rejects (a truncated-normal window
        // that holds no value of the format, say) is rejected here, before
        // any output.
        var scratch: UInt64 = 0
        let status = wi_fill(&scratch, Scalar.dtype.kernelFormat, 0, 0, stream.seed, stream.stream, &params, isa)
        guard status == 0 else {
            throw status == -1
                ? WeightInitError.kernelUnavailable(options.path.rawValue)
                : WeightInitError.invalidParameter(
                    "distribution", value: "\(distribution)", reason: "not supported by the sampling kernels (status \(status))")
        }
        self.stream = stream
        self.distribution = distribution
        self.threads = threads
        self.chunkSize = chunkSize
        self.serialThreshold = options.serialThreshold
        self.params = params
        self.isa = isa
    }

    /// Fills `buffer` with the values at flat indices
    /// `startIndex ..< startIndex + buffer.count`.
    ///
    /// - Throws: ``WeightInitError/invalidParameter(_:value:reason:)`` if that
    ///   range passes 2⁶⁴ (before writing anything).
    package func fill(_ buffer: UnsafeMutableBufferPointer<Scalar>, startIndex: UInt64 = 0) throws {
        try checkIndexRange(startIndex: startIndex, count: buffer.count)
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        let address = UInt(bitPattern: base), stride = MemoryLayout<Scalar>.stride
        parallelChunks(count: buffer.count, threads: threads, chunkSize: chunkSize, serialThreshold: serialThreshold) {
            first, count in
            run(at: address + UInt(first * stride), startIndex: startIndex + UInt64(first), count: count)
        }
    }

    /// Fills `array` (see ``fill(_:startIndex:)-(UnsafeMutableBufferPointer<Scalar>,_)``).
    package func fill(_ array: inout [Scalar], startIndex: UInt64 = 0) throws {
        try array.withUnsafeMutableBufferPointer { try fill($0, startIndex: startIndex) }
    }

    func checkIndexRange(startIndex: UInt64, count: Int) throws {
        // The last index, startIndex + count − 1, must be ≤ 2⁶⁴ − 1.
        guard count == 0 || UInt64(count - 1) <= UInt64.max - startIndex else {
            throw WeightInitError.invalidParameter(
                "startIndex", value: "\(startIndex)", reason: "startIndex + count (\(count)) must be ≤ 2⁶⁴")
        }
    }

    /// One kernel call: `count` values from `startIndex` into the memory at `address`.
    private func run(at address: UInt, startIndex: UInt64, count: Int) {
        var params = self.params
        let status = wi_fill(UnsafeMutableRawPointer(bitPattern: address), Scalar.dtype.kernelFormat,
                             startIndex, count, stream.seed, stream.stream, &params, isa)
        precondition(status == 0, "wi_fill rejected parameters it accepted when the plan was made (status \(status))")
    }
}

/// Calls `body(first, count)` for the chunks `first ..< first + count` of
/// `0 ..< total` (`chunkSize` elements each, the last one shorter), on up to
/// `threads` workers — or once, on the calling thread, for one worker or
/// fewer than `serialThreshold` elements.
///
/// Static striding (worker w takes chunks w, w + workers, …) needs no shared
/// counter; every chunk costs the same, so it balances to within one chunk
/// per worker. Chunks are disjoint, so no two calls write one element.
func parallelChunks(count total: Int, threads: Int, chunkSize: Int, serialThreshold: Int,
                  _ body: @Sendable (_ first: Int, _ count: Int) -> Void) {
    guard total > 0 else { return }
    let chunkCount = total / chunkSize + (total % chunkSize == 0 ? 0 : 1)
    let workers = min(threads, chunkCount)
    if workers == 1 || total < serialThreshold {
        body(0, total)
        return
    }
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        var chunk = worker
        while chunk < chunkCount {
            let first = chunk * chunkSize
            body(first, min(chunkSize, total - first))
            chunk += workers
        }
    }
}
