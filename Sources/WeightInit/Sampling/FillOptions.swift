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
