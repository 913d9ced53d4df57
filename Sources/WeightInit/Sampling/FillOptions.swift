#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How a fill is split over threads. None of these change any value.
public struct FillOptions: Sendable {
    /// Worker threads (≥ 1); `nil` uses every active core.
    public var threads: Int?
    /// Elements per work item (≥ 1).
    public var chunkSize: Int
    /// Kernel implementation.
    public var path: KernelPath
    /// Fills of fewer elements run on the calling thread: below about 64k
    /// elements, waking workers costs more than it saves.
    public var serialThreshold: Int
    /// Asked between chunks of the work before a region fill writes (see
    /// ``FillCancellation``); `nil`: the fill runs to the end.
    @_spi(Plumbing) public var cancellation: FillCancellation?

    public init(threads: Int? = nil, chunkSize: Int = 1 << 16, path: KernelPath = .automatic,
                serialThreshold: Int = 1 << 16) {
        self.threads = threads
        self.chunkSize = chunkSize
        self.path = path
        self.serialThreshold = serialThreshold
    }
}

extension FillOptions {
    /// The cores a fill with `threads == nil` uses, counted once per process:
    /// counting reads cgroup files (about 13 µs), which a 64 × 64 fill from
    /// C or Python would otherwise pay on every call.
    static let activeCores = ProcessInfo.processInfo.activeProcessorCount

    /// The thread count (every active core for `nil`) and chunk size, checked.
    ///
    /// - Throws: ``WeightInitError/invalidParameter(_:value:reason:)`` for
    ///   `threads < 1` or `chunkSize < 1`.
    func validatedSplit() throws -> (threads: Int, chunkSize: Int) {
        let threads = self.threads ?? Self.activeCores
        guard threads >= 1 else {
            throw WeightInitError.invalidParameter("threads", value: "\(threads)", reason: "must be ≥ 1")
        }
        guard chunkSize >= 1 else {
            throw WeightInitError.invalidParameter("chunkSize", value: "\(chunkSize)", reason: "must be ≥ 1")
        }
        return (threads, chunkSize)
    }
}

/// A caller's request to stop a fill before it writes — the C ABI's
/// `weightinit_fill_region_cancellable`, which Python's long fills use so
/// that Ctrl-C stops them.
///
/// A region fill asks `isRequested` before it starts, every
/// 2¹⁶ keys or so of sparse's pass over its
/// columns' keys (the work that costs in proportion to the full tensor's
/// rows rather than to the region), and once more just before it writes the
/// first value; if it is then true the fill throws ``FillCancelled`` and has
/// written nothing. Once values are being written the fill completes: that
/// costs in proportion to the region alone. `isRequested` may be called from
/// any of the fill's threads.
@_spi(Plumbing) public struct FillCancellation: Sendable {
    let isRequested: @Sendable () -> Bool

    @_spi(Plumbing) public init(_ isRequested: @escaping @Sendable () -> Bool) {
        self.isRequested = isRequested
    }

    /// Throws ``FillCancelled`` if cancellation is requested.
    func check() throws {
        if isRequested() { throw FillCancelled() }
    }
}

/// A fill stopped by its ``FillCancellation`` before it wrote anything.
@_spi(Plumbing) public struct FillCancelled: Error, KindedError, CustomStringConvertible {
    @_spi(Plumbing) public init() {}

    @_spi(Plumbing) public var description: String { "the fill was cancelled; nothing was written" }

    /// Not the input's fault: the request was withdrawn while it ran.
    @_spi(Plumbing) public var kind: ErrorKind { .failure }
}
