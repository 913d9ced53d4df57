// Sampling-engine throughput: uniform, normal and truncated-normal fills of
// 4096² and 16384² Float (and the schemes' he-normal / xavier-uniform in f32
// and bf16), on 1 thread and all threads, beside two baselines measured in
// the same run: "bits", the Philox4x32-10 words themselves stored as u32
// through the same kernel path, chunks and threads (the generator's limit:
// fill ÷ bits is what turning words into values costs), and memset of the
// same bytes. At 16384² every vector path this CPU runs is measured side by
// side; elsewhere the automatic (calibrated) path.

import Benchmark
import Foundation
@_spi(Plumbing) import WeightInit

/// One buffer, allocated and touched once, reused by every benchmark.
final class Arena: @unchecked Sendable {
    static let shared = Arena()
    let bytes = 16384 * 16384 * MemoryLayout<Float>.stride
    let base: UnsafeMutableRawPointer

    init() {
        base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        memset(base, 1, bytes)
    }

    func buffer<T>(_: T.Type, count: Int) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(start: base.bindMemory(to: T.self, capacity: count), count: count)
    }
}

let allThreads = ProcessInfo.processInfo.activeProcessorCount

/// The vector paths this CPU runs (SSE2, and AVX2 and AVX-512 where it has
/// them, on x86; NEON on arm64): every available path but the scalar reference.
let vectorPaths = KernelPath.available.filter { $0 != .scalar }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(4),
        maxIterations: 20
    )
    let arena = Arena.shared

    for side in [4096, 16384] {
        let count = side * side
        let bytes = count * MemoryLayout<Float>.stride

        Benchmark("memset \(side)² f32") { benchmark in
            for _ in benchmark.scaledIterations {
                memset(arena.base, 0, bytes)
                blackHole(arena.base.load(as: UInt8.self))
            }
        }

        let distributions: [(String, Distribution)] = [
            ("uniform", .uniform(low: -1, high: 1)),
            ("normal", .normal(mean: 0, std: 1)),
            ("truncated-normal", .truncatedNormal(mean: 0, std: 1, low: -2, high: 2)),
        ]
        let paths: [KernelPath] = side == 16384 ? vectorPaths : [.automatic]
        for path in paths {
            for threads in Set([1, allThreads]).sorted() {
                let options = FillOptions(threads: threads, path: path)
                Benchmark("bits \(side)² u32 \(path.rawValue) \(threads)t") { benchmark in
                    let buffer = arena.buffer(UInt32.self, count: count)
                    for _ in benchmark.scaledIterations {
                        try RandomStream(seed: 42)._fillBits(buffer, options: options)
                        blackHole(buffer[count - 1])
                    }
                }
                for (name, distribution) in distributions {
                    Benchmark("\(name) \(side)² f32 \(path.rawValue) \(threads)t") { benchmark in
                        let buffer = arena.buffer(Float.self, count: count)
                        for _ in benchmark.scaledIterations {
                            try RandomStream(seed: 42).fill(buffer, with: distribution, options: options)
                            blackHole(buffer[count - 1])
                        }
                    }
                }
            }
        }
    }

    // Schemes run at the engine's speed, with the bf16 conversion fused.
    let side = 4096, count = side * side
    let schemes: [(String, Initializer)] = [
        ("he-normal", .kaimingNormal()), ("xavier-uniform", .xavierUniform()),
    ]
    for (name, scheme) in schemes {
        Benchmark("\(name) \(side)² f32") { benchmark in
            let buffer = arena.buffer(Float.self, count: count)
            for _ in benchmark.scaledIterations {
                try scheme.fill(buffer, shape: [side, side], seed: 7)
                blackHole(buffer[0])
            }
        }
        Benchmark("\(name) \(side)² bf16") { benchmark in
            let buffer = arena.buffer(BFloat16.self, count: count)
            for _ in benchmark.scaledIterations {
                try scheme.fill(buffer, shape: [side, side], seed: 7)
                blackHole(buffer[0])
            }
        }
    }
    Benchmark("memset \(side)² bf16") { benchmark in
        for _ in benchmark.scaledIterations {
            memset(arena.base, 0, count * 2)
            blackHole(arena.base.load(as: UInt8.self))
        }
    }
}
