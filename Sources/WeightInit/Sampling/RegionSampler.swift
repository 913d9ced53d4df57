#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch

/// A sampling fill of a region of a tensor (``RegionRuns``), checked once:
/// element j of the region gets the value at its flat index in the whole
/// tensor, for any thread count and chunk size.
///
/// The region's elements are cut into work items of `chunkSize` consecutive
/// region elements, shared by up to `threads` workers exactly as
/// `FillPlan` shares a contiguous fill. An item is one piece of a long run
/// (a row block is one run, so this is `FillPlan`'s own split) or a group
/// of short runs (a column block of a matrix: one run per row), so a column
/// block is spread over the threads as well as a row block.
struct RegionSampler<Scalar: WeightScalar>: Sendable {
    /// Checked options: threads, chunk size, serial threshold.
    private let plan: FillPlan<Scalar>
    /// The same fill on one thread: one kernel call per piece of a run.
    private let kernel: FillPlan<Scalar>

    /// Checks the distribution and `options` (see `FillPlan/init(stream:distribution:options:)`).
    init(stream: RandomStream, distribution: Distribution, options: FillOptions) throws {
        plan = try FillPlan(stream: stream, distribution: distribution, options: options)
        var serial = options
        serial.threads = 1
        kernel = try FillPlan(stream: stream, distribution: distribution, options: serial)
    }

    /// What runs on each piece right after it is sampled, while it is in
    /// cache: (its first value, its first flat index, its count).
    typealias Finish = @Sendable (_ values: UnsafeMutablePointer<Scalar>, _ flatIndex: Int, _ count: Int) -> Void

    /// Fills `buffer` with the region's elements `elements` (positions in
    /// the region's C order; `buffer.count == elements.count`), then calls
    /// `finish` on each piece (a run of consecutive flat indices).
    func fill(_ buffer: UnsafeMutableBufferPointer<Scalar>, runs: RegionRuns, elements: Range<Int>, finish: Finish? = nil) {
        precondition(buffer.count == elements.count, "the buffer must hold the elements")
        guard let base = buffer.baseAddress, !elements.isEmpty else { return }
        let count = elements.count, chunkSize = plan.chunkSize
        let itemCount = count / chunkSize + (count % chunkSize == 0 ? 0 : 1)
        let workers = Swift.min(plan.threads, itemCount)
        if workers == 1 || count < plan.serialThreshold {
            return fillPieces(at: UInt(bitPattern: base), runs: runs, elements: elements, finish: finish)
        }
        // As in FillPlan: the address crosses to the workers as an integer;
        // items are disjoint; worker w takes items w, w + workers, …
        let address = UInt(bitPattern: base), stride = MemoryLayout<Scalar>.stride
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var item = worker
            while item < itemCount {
                let first = item * chunkSize  // < count: item < itemCount
                let start = elements.lowerBound + first
                fillPieces(at: address + UInt(first * stride), runs: runs,
                           elements: start ..< start + Swift.min(chunkSize, count - first), finish: finish)
                item += workers
            }
        }
    }

    /// The elements `elements` into the memory at `address`, on this thread.
    private func fillPieces(at address: UInt, runs: RegionRuns, elements: Range<Int>, finish: Finish?) {
        let base = UnsafeMutablePointer<Scalar>(bitPattern: address)!
        runs.forEachPiece(in: elements) { offset, flatIndex, count in
            // Cannot throw: the only check left is that the index range ends
            // by 2⁶⁴, and every flat index is below the tensor's element
            // count, an Int.
            try! kernel.fill(UnsafeMutableBufferPointer(start: base + offset, count: count),
                             startIndex: UInt64(flatIndex))
            finish?(base + offset, flatIndex, count)
        }
    }
}
