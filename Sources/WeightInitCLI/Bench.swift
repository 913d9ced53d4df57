import ArgumentParser
import Dispatch
import WeightInit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `weightinit bench`: fill throughput of the main schemes against memset.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the fill throughput of the main schemes against a memset of the same bytes.",
        discussion: """
            Fills a --shape tensor with uniform, normal, truncated-normal, xavier-uniform \
            and kaiming-normal, and an --orthogonal-shape one with orthogonal (QR costs \
            O(n³), so it runs smaller). Each is timed --repeat times into the same \
            pre-touched buffer and the best time is kept. The baseline, measured in the \
            same run, is a memset of the same bytes split over the same threads; \
            "vs memset" is the fill's throughput ÷ memset's (1 = as fast as writing zeros).

            --json prints {"machine": {"cpu_model", "flags", "cores", "kernel_path"}, \
            "dtype", "threads", "repeat", "results": [{"scheme", "shape", "elements", \
            "bytes", "seconds", "gvalues_per_s", "gb_per_s", "memset_seconds", \
            "memset_gb_per_s", "ratio_to_memset"}]}; "threads" is null for every core.

            Examples:
              weightinit bench
              weightinit bench --shape 1024,1024 --threads 1 --repeat 10
              weightinit bench --dtype bf16 --json
            """
    )

    @Option(parsing: .unconditional, help: "Shape of the sampled tensors.")
    var shape: String = "4096,4096"

    @Option(name: .customLong("orthogonal-shape"), parsing: .unconditional, help: "Shape of the orthogonal tensor.")
    var orthogonalShape: String = "1024,1024"

    @Option(help: "Element type: f32, f64, f16 or bf16.")
    var dtype: DType = .f32

    @Option(parsing: .unconditional, help: "Worker threads, ≥ 1 (default: every core).")
    var threads: Int?

    @Option(parsing: .unconditional, help: "Timed runs per scheme, ≥ 1; the best is reported.")
    var `repeat`: Int = 5

    @Option(parsing: .unconditional, help: "Seed of the fills.")
    var seed: UInt64 = 0

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let shape = try ShapeArgument.parse(self.shape)
        let orthogonalShape = try ShapeArgument.parse(self.orthogonalShape)
        if let threads, threads < 1 { throw CommandLineError.usage("invalid --threads \(threads): must be ≥ 1") }
        guard self.repeat >= 1 else { throw CommandLineError.usage("invalid --repeat \(self.repeat): must be ≥ 1") }
        guard orthogonalShape.count >= 2 else {
            throw CommandLineError.usage("invalid --orthogonal-shape '\(self.orthogonalShape)': orthogonal needs ≥ 2 dimensions")
        }
        let cases: [(String, Initializer, [Int])] = [
            ("uniform", .uniform(), shape),
            ("normal", .normal(), shape),
            ("truncated-normal", .truncatedNormal(), shape),
            ("xavier-uniform", .xavierUniform(), shape),
            ("kaiming-normal", .kaimingNormal(), shape),
            ("orthogonal", .orthogonal(), orthogonalShape),
        ]
        // Shapes the schemes cannot take (fans need ≥ 2 dimensions) fail before any timing.
        for (_, initializer, shape) in cases { _ = try initializer.distribution(shape: shape) }
        let results: [BenchResult]
        switch dtype {
        case .f32: results = try measure(cases, as: Float.self)
        case .f64: results = try measure(cases, as: Double.self)
        case .f16:
            #if arch(x86_64) || arch(arm64)
            results = try measure(cases, as: Float16.self)
            #else
            throw CommandLineError.usage("f16 is not available on this architecture")
            #endif
        case .bf16: results = try measure(cases, as: BFloat16.self)
        }
        let machine = Machine.current()
        print(json ? jsonReport(machine, results) : table(machine, results))
    }

    private func measure<T: WeightScalar>(_ cases: [(String, Initializer, [Int])], as type: T.Type) throws -> [BenchResult] {
        let options = FillOptions(threads: threads)
        var memsetSeconds: [[Int]: Double] = [:]
        var results: [BenchResult] = []
        for (name, initializer, shape) in cases {
            let count = try Shape.elementCount(shape, elementSize: MemoryLayout<T>.stride)
            let bytes = count * MemoryLayout<T>.stride
            if let available = AvailableMemory.bytes(), UInt64(bytes) > available {
                // Memory short now is the machine's state, not a wrong input (status 1).
                throw CommandFailure(
                    "shape \(shape.map(String.init).joined(separator: ",")): \(bytes) bytes exceed the \(available) bytes of memory available now")
            }
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
            defer { buffer.deallocate() }
            let raw = UnsafeMutableRawBufferPointer(buffer)
            // Touch every page first, so no run pays for page faults.
            memset(raw.baseAddress!, 0, bytes)
            if memsetSeconds[shape] == nil {
                memsetSeconds[shape] = best(of: self.repeat) { parallelMemset(raw, threads: threads) }
            }
            let stream = RandomStream(seed: seed)
            var failure: (any Error)?
            let seconds = best(of: self.repeat) {
                do { try initializer.fill(buffer, shape: shape, stream: stream, options: options) } catch { failure = error }
            }
            if let failure { throw failure }
            results.append(BenchResult(
                scheme: name, shape: shape, elements: count, bytes: bytes, seconds: seconds, memsetSeconds: memsetSeconds[shape]!))
        }
        return results
    }

    private func table(_ machine: Machine, _ results: [BenchResult]) -> String {
        var lines = [
            "cpu: \(machine.cpuModel), \(machine.cores) cores, flags: \(machine.flags.joined(separator: " "))",
            "kernel path: \(machine.kernelPath), dtype \(dtype.rawValue), threads \(threads.map(String.init) ?? "all"), "
                + "best of \(self.repeat)",
        ]
        let header = ["scheme", "shape", "ms", "Gvalues/s", "GB/s", "memset GB/s", "vs memset"]
        let rows = results.map { r in
            [r.scheme, r.shape.map(String.init).joined(separator: ","), formatC("%.2f", r.seconds * 1e3),
             formatC("%.3f", r.gvaluesPerSecond), formatC("%.2f", r.gbPerSecond),
             formatC("%.2f", r.memsetGBPerSecond), formatC("%.3f", r.ratioToMemset)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        for row in [header] + rows {
            lines.append(row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    private func jsonReport(_ machine: Machine, _ results: [BenchResult]) -> String {
        let machineFields = [
            "\"cpu_model\": \(jsonString(machine.cpuModel))",
            "\"flags\": [\(machine.flags.map(jsonString).joined(separator: ", "))]",
            "\"cores\": \(machine.cores)",
            "\"kernel_path\": \(jsonString(machine.kernelPath))",
        ]
        let rows = results.map { r in
            "    {" + [
                "\"scheme\": \(jsonString(r.scheme))",
                "\"shape\": [\(r.shape.map(String.init).joined(separator: ", "))]",
                "\"elements\": \(r.elements)", "\"bytes\": \(r.bytes)",
                "\"seconds\": \(jsonNumber(r.seconds))", "\"gvalues_per_s\": \(jsonNumber(r.gvaluesPerSecond))",
                "\"gb_per_s\": \(jsonNumber(r.gbPerSecond))", "\"memset_seconds\": \(jsonNumber(r.memsetSeconds))",
                "\"memset_gb_per_s\": \(jsonNumber(r.memsetGBPerSecond))",
                "\"ratio_to_memset\": \(jsonNumber(r.ratioToMemset))",
            ].joined(separator: ", ") + "}"
        }
        return """
            {
              "machine": {\(machineFields.joined(separator: ", "))},
              "dtype": \(jsonString(dtype.rawValue)), "threads": \(threads.map(String.init) ?? "null"), "repeat": \(self.repeat),
              "results": [
            \(rows.joined(separator: ",\n"))
              ]
            }
            """
    }
}

/// One scheme's best time and its memset baseline.
struct BenchResult {
    let scheme: String
    let shape: [Int]
    let elements: Int
    let bytes: Int
    let seconds: Double
    let memsetSeconds: Double

    var gvaluesPerSecond: Double { Double(elements) / seconds / 1e9 }
    var gbPerSecond: Double { Double(bytes) / seconds / 1e9 }
    var memsetGBPerSecond: Double { Double(bytes) / memsetSeconds / 1e9 }
    /// Fill throughput ÷ memset throughput.
    var ratioToMemset: Double { memsetSeconds / seconds }
}

/// The shortest of `runs` wall-clock times of `body`, in seconds.
func best(of runs: Int, _ body: () -> Void) -> Double {
    var shortest = Double.infinity
    for _ in 0 ..< runs {
        let start = monotonicSeconds()
        body()
        shortest = min(shortest, monotonicSeconds() - start)
    }
    return shortest
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

/// memset of `buffer` split into one contiguous part per thread, like a fill.
func parallelMemset(_ buffer: UnsafeMutableRawBufferPointer, threads: Int?) {
    let parts = max(1, min(threads ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), buffer.count / 65536))
    let base = UInt(bitPattern: buffer.baseAddress!), count = buffer.count
    DispatchQueue.concurrentPerform(iterations: parts) { part in
        let start = count * part / parts, end = count * (part + 1) / parts
        memset(UnsafeMutableRawPointer(bitPattern: base + UInt(start))!, 0, end - start)
    }
}

/// What the numbers were measured on.
struct Machine {
    let cpuModel: String
    /// The SIMD flags the kernels care about, those present.
    let flags: [String]
    let cores: Int
    let kernelPath: String

    static let interestingFlags = ["sse2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "asimd"]

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
        return Machine(
            cpuModel: model, flags: interestingFlags.filter(flags.contains),
            cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), kernelPath: path)
    }
}
