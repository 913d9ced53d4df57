import ArgumentParser
import Dispatch
@_spi(Plumbing) import WeightInit
import WeightInitModels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `weightinit bench`: fill throughput of the main schemes against the
/// generator's own limit (bits) and memset.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the fill throughput of the main schemes against bits-only and a memset of the same bytes.",
        discussion: """
            Fills a --shape tensor with uniform, normal, truncated-normal, xavier-uniform \
            and kaiming-normal, and an --orthogonal-shape one with orthogonal (QR costs \
            O(n³), so it runs smaller). Each is timed --repeat times into the same \
            pre-touched buffer and the best time is kept. Two baselines are measured in \
            the same run, for each shape and path, split over the same threads: "bits", \
            the Philox4x32-10 words themselves stored as u32 (the same kernel path, \
            chunks and threads as a fill, without turning words into values: the \
            generator's limit), and a memset of the fill's bytes. "vs bits" is the \
            fill's values/s ÷ the bits row's words/s, "vs memset" its bytes/s ÷ \
            memset's (1 = as fast as writing zeros).

            --paths runs everything on each listed kernel path (auto, scalar, sse2, \
            avx2, avx512, neon; comma-separated) or on every path this CPU runs (all), \
            side by side. "auto" is the path chosen by calibration or WEIGHTINIT_ISA; \
            the header says which and what the calibration measured.

            --json prints {"machine": {"cpu_model", "flags", "cores", "kernel_path", \
            "kernel_paths_available", "calibration": null or {"chosen", "rounds", \
            "total_seconds", "candidates": [{"path", "seconds"}]}}, "dtype", "threads", \
            "repeat", "results": [{"scheme", "path", "shape", "elements", "bytes", \
            "seconds", "gvalues_per_s", "gb_per_s", "bits_seconds", "ratio_to_bits", \
            "memset_seconds", "memset_gb_per_s", "ratio_to_memset"}]}; "threads" is \
            null for every core; "path" is the concrete path a row ran on.

            Examples:
              weightinit bench
              weightinit bench --shape 1024,1024 --threads 1 --repeat 10
              weightinit bench --paths all --shape 16384,16384 --repeat 3
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

    @Option(help: "Kernel paths to run on: auto, all, or a comma-separated list of scalar, sse2, avx2, avx512, neon.")
    var paths: String = "auto"

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
        let paths = try Self.parsePaths(self.paths)
        let results: [BenchResult]
        switch dtype {
        case .f32: results = try measure(cases, paths: paths, as: Float.self)
        case .f64: results = try measure(cases, paths: paths, as: Double.self)
        case .f16:
            #if arch(x86_64) || arch(arm64)
            results = try measure(cases, paths: paths, as: Float16.self)
            #else
            throw CommandLineError.usage("f16 is not available on this architecture")
            #endif
        case .bf16: results = try measure(cases, paths: paths, as: BFloat16.self)
        case .i64, .i32, .u8, .bool:
            throw CommandLineError.usage("invalid --dtype \(dtype.rawValue): bench samples f32, f64, f16 or bf16")
        }
        let machine = Machine.current()
        print(json ? jsonReport(machine, results) : table(machine, results))
    }

    /// `auto`, `all` or a list of path names, each available here.
    static func parsePaths(_ text: String) throws -> [KernelPath] {
        if text == "all" { return KernelPath.available }
        var paths: [KernelPath] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let path = KernelPath(rawValue: String(name)) else {
                let names = KernelPath.allCases.map(\.rawValue).joined(separator: ", ")
                throw CommandLineError.usage("invalid --paths '\(text)': '\(name)' is not one of \(names), all")
            }
            guard path.isAvailable else {
                throw CommandLineError.usage("invalid --paths '\(text)': \(name) does not run on this machine")
            }
            if !paths.contains(path) { paths.append(path) }
        }
        return paths
    }

    private func measure<T: WeightScalar>(_ cases: [(String, Initializer, [Int])], paths: [KernelPath],
                                          as type: T.Type) throws -> [BenchResult] {
        var memsetSeconds: [[Int]: Double] = [:]
        var results: [BenchResult] = []
        for path in paths {
            let options = FillOptions(threads: threads, path: path)
            let pathName = try path.resolved.rawValue
            var bitsSeconds: [[Int]: Double] = [:]
            for (index, (name, initializer, shape)) in cases.enumerated() {
                let count = try Shape.elementCount(shape, elementSize: MemoryLayout<T>.stride)
                let bytes = count * MemoryLayout<T>.stride
                try checkMemory(bytes: max(bytes, count * 4), shape: shape)
                if bitsSeconds[shape] == nil {
                    // The limit for this shape and path: the bare words, in a buffer of their own.
                    let words = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: count)
                    defer { words.deallocate() }
                    memset(words.baseAddress!, 0, count * 4)
                    let seconds = try timed { try RandomStream(seed: seed)._fillBits(words, options: options) }
                    bitsSeconds[shape] = seconds
                    if index == 0 {
                        results.append(BenchResult(
                            scheme: "bits", path: pathName, shape: shape, elements: count, bytes: count * 4,
                            seconds: seconds, bitsSeconds: seconds, memsetSeconds: nil))
                    }
                }
                let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
                defer { buffer.deallocate() }
                let raw = UnsafeMutableRawBufferPointer(buffer)
                // Touch every page first, so no run pays for page faults.
                memset(raw.baseAddress!, 0, bytes)
                if memsetSeconds[shape] == nil {
                    memsetSeconds[shape] = best(of: self.repeat) { parallelMemset(raw, threads: threads) }
                }
                let seconds = try timed { try initializer.fill(buffer, shape: shape, seed: seed, options: options) }
                results.append(BenchResult(
                    scheme: name, path: pathName, shape: shape, elements: count, bytes: bytes, seconds: seconds,
                    bitsSeconds: bitsSeconds[shape]!, memsetSeconds: memsetSeconds[shape]!))
            }
        }
        // The bits rows compare with memset of their own 4-byte words.
        for (k, r) in results.enumerated() where r.scheme == "bits" {
            let words = UnsafeMutableRawBufferPointer.allocate(byteCount: r.bytes, alignment: 64)
            defer { words.deallocate() }
            memset(words.baseAddress!, 0, r.bytes)
            results[k].memsetSeconds = best(of: self.repeat) { parallelMemset(words, threads: threads) }
        }
        return results
    }

    /// The best of --repeat runs of a fill that may throw.
    private func timed(_ body: () throws -> Void) throws -> Double {
        var failure: (any Error)?
        let seconds = best(of: self.repeat) {
            do { try body() } catch { failure = error }
        }
        if let failure { throw failure }
        return seconds
    }

    private func checkMemory(bytes: Int, shape: [Int]) throws {
        if let available = AvailableMemory.bytes(), UInt64(bytes) > available {
            // Memory short now is the machine's state, not a wrong input (status 1).
            throw CommandFailure(
                "shape \(shape.map(String.init).joined(separator: ",")): \(bytes) bytes exceed the \(available) bytes of memory available now")
        }
    }

    private func table(_ machine: Machine, _ results: [BenchResult]) -> String {
        var lines = [
            "cpu: \(machine.cpuModel), \(machine.cores) cores, flags: \(machine.flags.joined(separator: " "))",
            "kernel path: \(machine.kernelPath)\(machine.calibrationSummary), dtype \(dtype.rawValue), "
                + "threads \(threads.map(String.init) ?? "all"), best of \(self.repeat)",
        ]
        let header = ["scheme", "path", "shape", "ms", "Gvalues/s", "GB/s", "vs bits", "memset GB/s", "vs memset"]
        let rows = results.map { r in
            [r.scheme, r.path, r.shape.map(String.init).joined(separator: ","), formatC("%.2f", r.seconds * 1e3),
             formatC("%.3f", r.gvaluesPerSecond), formatC("%.2f", r.gbPerSecond), formatC("%.3f", r.ratioToBits),
             formatC("%.2f", r.memsetGBPerSecond), formatC("%.3f", r.ratioToMemset)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        for row in [header] + rows {
            lines.append(row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column <= 1 ? cell + padding : padding + cell
            }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    private func jsonReport(_ machine: Machine, _ results: [BenchResult]) -> String {
        let calibration: JSONValue = machine.calibration.map { c in
            .object([
                ("chosen", .string(c.chosen.rawValue)), ("rounds", .number(c.rounds)),
                ("total_seconds", .number(c.totalSeconds)),
                ("candidates", .array(c.candidates.map {
                    .object([("path", .string($0.path.rawValue)), ("seconds", .number($0.seconds))])
                })),
            ])
        } ?? .null
        let machineObject = JSONValue.object([
            ("cpu_model", .string(machine.cpuModel)), ("flags", .array(machine.flags.map(JSONValue.string))),
            ("cores", .number(machine.cores)), ("kernel_path", .string(machine.kernelPath)),
            ("kernel_paths_available", .array(machine.availablePaths.map(JSONValue.string))),
            ("calibration", calibration),
        ])
        let rows = results.map { r in
            JSONValue.object([
                ("scheme", .string(r.scheme)), ("path", .string(r.path)), ("shape", .array(r.shape.map(JSONValue.number))),
                ("elements", .number(r.elements)), ("bytes", .number(r.bytes)),
                ("seconds", .number(r.seconds)), ("gvalues_per_s", .number(r.gvaluesPerSecond)),
                ("gb_per_s", .number(r.gbPerSecond)),
                ("bits_seconds", .number(r.bitsSeconds)), ("ratio_to_bits", .number(r.ratioToBits)),
                ("memset_seconds", .number(r.memsetSeconds ?? .nan)), ("memset_gb_per_s", .number(r.memsetGBPerSecond)),
                ("ratio_to_memset", .number(r.ratioToMemset)),
            ])
        }
        return JSONValue.object([
            ("machine", machineObject), ("dtype", .string(dtype.rawValue)),
            ("threads", threads.map(JSONValue.number) ?? .null), ("repeat", .number(self.repeat)),
            ("results", .array(rows)),
        ]).serialized
    }
}
