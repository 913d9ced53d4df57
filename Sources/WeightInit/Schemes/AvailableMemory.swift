#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory that can be allocated now without swapping. The library refuses
/// tensors larger than physical memory; the tool also refuses ones larger than
/// what is available, because touching more than that gets the process killed
/// by the OOM killer — a crash instead of an error message.
package enum AvailableMemory {
    /// `MemAvailable` from /proc/meminfo in bytes, or nil where it is unknown.
    package static func bytes() -> UInt64? {
        guard let file = fopen("/proc/meminfo", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            guard text.hasPrefix("MemAvailable:") else { continue }
            // "MemAvailable:   24160700 kB"
            let fields = text.dropFirst("MemAvailable:".count).split(separator: " ")
            guard fields.count == 2, fields[1].hasPrefix("kB"), let kibibytes = UInt64(fields[0]) else { return nil }
            return kibibytes.multipliedReportingOverflow(by: 1024).overflow ? nil : kibibytes * 1024
        }
        return nil
    }
}
