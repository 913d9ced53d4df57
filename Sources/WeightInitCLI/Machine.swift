import ArgumentParser
import Dispatch
import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the numbers were measured on.
struct Machine {
    let cpuModel: String
    /// The SIMD flags the kernels care about, those present.
    let flags: [String]
    let cores: Int
    let kernelPath: String
    let availablePaths: [String]
    let calibration: KernelCalibration?

    /// " (calibrated in 0.13 ms: avx512 7.2 µs, avx2 10.3 µs)", or "".
    var calibrationSummary: String {
        guard let calibration else { return "" }
        let times = calibration.candidates.map { "\($0.path.rawValue) \(formatC("%.1f", $0.seconds * 1e6)) µs" }
        return " (calibrated in \(formatC("%.2f", calibration.totalSeconds * 1e3)) ms: best fill "
            + times.joined(separator: ", ") + ")"
    }

    static let interestingFlags = [
        "sse2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512ifma",
        "avx512vbmi", "avx512_vbmi2", "avx512_vnni", "avx512_bf16", "avx512_fp16", "gfni", "vaes", "asimd",
    ]

    static func current() -> Machine {
        var model = "unknown", flags: Set<String> = []
        if let file = fopen("/proc/cpuinfo", "r") {
            defer { fclose(file) }
            var line = [CChar](repeating: 0, count: 8192)
            while fgets(&line, Int32(line.count), file) != nil {
                let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                let parts = text.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else {
                    if !flags.isEmpty, model != "unknown" { break }   // end of the first processor
                    continue
                }
                let key = parts[0].trimmed(), value = parts[1].trimmed()
                if key == "model name" || (key == "Model" && model == "unknown") { model = String(value) }
                if key == "flags" || key == "Features" { flags = Set(value.split(separator: " ").map(String.init)) }
            }
        }
        let path = (try? KernelPath.automatic.resolved.rawValue) ?? "unavailable"
        let automaticIsCalibrated = getenv("WEIGHTINIT_ISA").map { ["", "auto"].contains(String(cString: $0)) } ?? true
        return Machine(
            cpuModel: model, flags: interestingFlags.filter(flags.contains),
            cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), kernelPath: path,
            availablePaths: KernelPath.available.map(\.rawValue),
            calibration: automaticIsCalibrated ? KernelCalibration.current : nil)
    }
}
