import ArgumentParser
import Dispatch
import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One row: a scheme's (or the bits baseline's) best time on one path, with
/// the baselines of its shape and path.
struct BenchResult {
    let scheme: String
    /// The concrete kernel path the row ran on.
    let path: String
    let shape: [Int]
    let elements: Int
    let bytes: Int
    let seconds: Double
    /// The bits-only fill of the same element count, path and threads.
    let bitsSeconds: Double
    /// memset of `bytes`.
    var memsetSeconds: Double?

    var gvaluesPerSecond: Double { Double(elements) / seconds / 1e9 }
    var gbPerSecond: Double { Double(bytes) / seconds / 1e9 }
    var memsetGBPerSecond: Double { Double(bytes) / (memsetSeconds ?? .nan) / 1e9 }
    /// Fill values/s ÷ bits words/s (same element count).
    var ratioToBits: Double { bitsSeconds / seconds }
    /// Fill throughput ÷ memset throughput.
    var ratioToMemset: Double { (memsetSeconds ?? .nan) / seconds }
}
