#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Element counts of shapes, checked once for every caller: schemes, regions,
/// the file writers and the readers of untrusted headers.
@_spi(Plumbing) public enum Shape {
    /// ∏ shape, checked: every dimension ≥ 1 and the byte count fits in Int
    /// and in physical memory.
    @_spi(Plumbing) public static func elementCount(_ shape: [Int], elementSize: Int) throws -> Int {
        let count = try indexCount(shape)
        guard let bytes = product(shape, times: elementSize) else {
            throw WeightInitError.tooLarge(shape: shape, reason: "the byte count overflows Int")
        }
        let memory = physicalMemory
        guard UInt64(bytes) <= memory else {
            throw WeightInitError.tooLarge(shape: shape, reason: "\(bytes) bytes exceed the \(memory) bytes of memory")
        }
        return count
    }

    /// ∏ shape, checked: at least one dimension, every dimension ≥ 1 and the
    /// count fits in Int — but not against memory. Enough to address the
    /// elements of a tensor that is never held whole (a region of it, a
    /// streamed write): every flat index is then < Int.max < 2⁶⁴, so it is
    /// also a valid stream index.
    package static func indexCount(_ shape: [Int]) throws -> Int {
        guard !shape.isEmpty else { throw WeightInitError.invalidShape(shape, reason: "need at least one dimension") }
        guard shape.allSatisfy({ $0 >= 1 }) else {
            throw WeightInitError.invalidShape(shape, reason: "every dimension must be ≥ 1")
        }
        guard let count = product(shape) else {
            throw WeightInitError.tooLarge(shape: shape, reason: "the element count overflows Int")
        }
        return count
    }

    /// `factor` × ∏ `dimensions`, or nil if a dimension is negative or the
    /// product overflows Int: the one overflow-checked product, which each
    /// caller turns into its own error (a reader's "malformed file", a
    /// scheme's "too large").
    package static func product(_ dimensions: some Sequence<Int>, times factor: Int = 1) -> Int? {
        var result = factor
        for dimension in dimensions {
            guard dimension >= 0 else { return nil }
            let (next, overflow) = result.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            result = next
        }
        return result
    }

    /// ``elementCount(_:elementSize:)`` of `shape`, checked to be the count
    /// of the buffer that is to hold it (`what`: "shape", "region").
    package static func checkBuffer(
        count bufferCount: Int, holds shape: [Int], what: String = "shape", elementSize: Int
    ) throws -> Int {
        let count = try elementCount(shape, elementSize: elementSize)
        guard bufferCount == count else {
            throw WeightInitError.invalidShape(
                shape, reason: "the buffer holds \(bufferCount) elements, the \(what) needs \(count)")
        }
        return count
    }

    package static let physicalMemory: UInt64 = {
        #if canImport(Glibc)
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, size > 0 { return UInt64(pages) * UInt64(size) }
        #endif
        return UInt64.max
    }()
}
