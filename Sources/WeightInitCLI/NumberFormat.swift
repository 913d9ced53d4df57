import ArgumentParser
import WeightInit
import WeightInitAnalysis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A standard deviation for the table: 4 significant digits, "overflow" for ∞.
func formatStd(_ value: Double) -> String {
    value.isFinite ? formatC("%.3e", value) : "overflow"
}

/// `printf`-style formatting of one number.
func formatC(_ format: String, _ value: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
