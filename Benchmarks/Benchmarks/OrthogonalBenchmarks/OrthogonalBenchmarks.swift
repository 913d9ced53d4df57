// Orthogonal init: both methods (QR, Householder) beside the raw LAPACK
// baseline sgeqrf + sorgqr on the same Gaussian matrix and memset / memcpy of
// the same bytes, all measured in the same run so results read as ratios.
// Square f32 512² … 8192² (8192²: one iteration), 4096² f64, a tall matrix
// (orglq path), the LSTM gate blocks 4·1024 × 1024, and 10 000 8 × 8 matrices.
//
//     swift package benchmark --target OrthogonalBenchmarks --filter '2048'

import Benchmark
import Foundation
@_spi(Plumbing) import WeightInit

/// A page-touched buffer of `count` scalars, allocated per benchmark so that
/// peak resident memory shows what each one needs.
func touchedBuffer<T: Numeric>(_: T.Type, count: Int) -> UnsafeMutableBufferPointer<T> {
    let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
    buffer.initialize(repeating: 1)
    return buffer
}

/// The standard Gaussian of seed 42, the input of the raw-LAPACK baseline.
func gaussian<T: BLASScalar>(_: T.Type, count: Int) throws -> UnsafeMutableBufferPointer<T> {
    let buffer = touchedBuffer(T.self, count: count)
    try RandomStream(seed: 42).fill(buffer, with: .normal(mean: 0, std: 1))
    return buffer
}

/// Raw `?geqrf` + `?orgqr` of the n×n Gaussian, workspace allocated outside
/// the loop: LAPACK's own speed. Each iteration first copies the Gaussian in
/// (memcpy of the same bytes, timed separately below: < 2 % of the total).
func rawQR<T: BLASScalar>(_: T.Type, side: Int, threads: Int? = nil, _ benchmark: Benchmark) throws {
    let count = side * side
    let source = try gaussian(T.self, count: count), a = touchedBuffer(T.self, count: count)
    defer { source.deallocate(); a.deallocate() }
    let tau = touchedBuffer(T.self, count: side)
    defer { tau.deallocate() }
    let (pa, pt) = (a.baseAddress!, tau.baseAddress!)
    let lwork = max(try LAPACK.geqrfWorkspace(m: side, n: side, a: pa, lda: side, tau: pt),
                    try LAPACK.orgqrWorkspace(m: side, n: side, k: side, a: pa, lda: side, tau: pt))
    let work = touchedBuffer(T.self, count: lwork)
    defer { work.deallocate() }
    try BLASThreads.with(threads) {
        for _ in benchmark.scaledIterations {
            _ = a.update(fromContentsOf: source)
            try LAPACK.geqrf(m: side, n: side, a: pa, lda: side, tau: pt, work: work)
            try LAPACK.orgqr(m: side, n: side, k: side, a: pa, lda: side, tau: pt, work: work)
            blackHole(a[0])
        }
    }
}

/// The whole fill (sampling + linear algebra) by `method`.
func orthogonal<T: BLASScalar>(
    _: T.Type, rows: Int, cols: Int, method: OrthogonalMethod, threads: Int? = nil, _ benchmark: Benchmark
) throws {
    let w = touchedBuffer(T.self, count: rows * cols)
    defer { w.deallocate() }
    for _ in benchmark.scaledIterations {
        try Orthogonal.fill(w, rows: rows, cols: cols, gain: 1, method: method, stream: RandomStream(seed: 42),
                            options: FillOptions(threads: threads))
        blackHole(w[0])
    }
}

func memoryBaselines(bytes: Int, label: String) {
    Benchmark("memset \(label)") { benchmark in
        let a = touchedBuffer(UInt8.self, count: bytes)
        defer { a.deallocate() }
        for _ in benchmark.scaledIterations {
            memset(a.baseAddress!, 0, bytes)
            blackHole(a[bytes - 1])
        }
    }
    Benchmark("memcpy \(label)") { benchmark in
        let a = touchedBuffer(UInt8.self, count: bytes), b = touchedBuffer(UInt8.self, count: bytes)
        defer { a.deallocate(); b.deallocate() }
        for _ in benchmark.scaledIterations {
            memcpy(b.baseAddress!, a.baseAddress!, bytes)
            blackHole(b[bytes - 1])
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        // CPU time beside wall clock: on a shared machine the 1-thread
        // variants' CPU time is the steadier comparison.
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 10
    )
    let big = Benchmark.Configuration(warmupIterations: 0, maxDuration: .seconds(1), maxIterations: 1)

    for side in [512, 1024, 2048, 4096, 8192] {
        let configuration = side >= 8192 ? big : side >= 4096
            ? Benchmark.Configuration(warmupIterations: 0, maxDuration: .seconds(20), maxIterations: 3)
            : Benchmark.defaultConfiguration
        let label = "\(side)² f32"
        memoryBaselines(bytes: side * side * MemoryLayout<Float>.stride, label: label)
        Benchmark("raw sgeqrf+sorgqr \(label)", configuration: configuration) { try rawQR(Float.self, side: side, $0) }
        for method in OrthogonalMethod.allCases {
            Benchmark("orthogonal \(method) \(label)", configuration: configuration) {
                try orthogonal(Float.self, rows: side, cols: side, method: method, $0)
            }
        }
    }

    // What OpenBLAS threading buys (2 threads vs 1, same run), and the
    // 1-thread ratios (steadier when other jobs share the cores).
    for side in [512, 2048, 4096] {
        let configuration = Benchmark.Configuration(warmupIterations: 0, maxDuration: .seconds(30), maxIterations: 3)
        Benchmark("raw sgeqrf+sorgqr \(side)² f32 1t", configuration: configuration) {
            try rawQR(Float.self, side: side, threads: 1, $0)
        }
        for method in OrthogonalMethod.allCases {
            Benchmark("orthogonal \(method) \(side)² f32 1t", configuration: configuration) {
                try orthogonal(Float.self, rows: side, cols: side, method: method, threads: 1, $0)
            }
        }
    }

    // Double.
    let f64 = Benchmark.Configuration(warmupIterations: 0, maxDuration: .seconds(30), maxIterations: 3)
    memoryBaselines(bytes: 4096 * 4096 * MemoryLayout<Double>.stride, label: "4096² f64")
    Benchmark("raw dgeqrf+dorgqr 4096² f64", configuration: f64) { try rawQR(Double.self, side: 4096, $0) }
    for method in OrthogonalMethod.allCases {
        Benchmark("orthogonal \(method) 4096² f64", configuration: f64) {
            try orthogonal(Double.self, rows: 4096, cols: 4096, method: method, $0)
        }
    }

    // Tall (orglq) and wide (orgqr) with the same element count.
    for method in OrthogonalMethod.allCases {
        Benchmark("orthogonal \(method) 4096×1024 f32 (tall)") {
            try orthogonal(Float.self, rows: 4096, cols: 1024, method: method, $0)
        }
        Benchmark("orthogonal \(method) 1024×4096 f32 (wide)") {
            try orthogonal(Float.self, rows: 1024, cols: 4096, method: method, $0)
        }
    }

    // LSTM: 4 gate blocks of 1024 × 1024.
    for method in OrthogonalMethod.allCases {
        Benchmark("LSTM blocks 4·1024×1024 \(method) f32") { benchmark in
            let w = touchedBuffer(Float.self, count: 4 * 1024 * 1024)
            defer { w.deallocate() }
            for _ in benchmark.scaledIterations {
                try Initializer.orthogonal(method: method, blocks: 4)
                    .fill(w, shape: [4 * 1024, 1024], seed: 42)
                blackHole(w[0])
            }
        }
    }

    // Many small matrices.
    for method in OrthogonalMethod.allCases {
        Benchmark("batch 10000×8×8 \(method) f32") { benchmark in
            let w = touchedBuffer(Float.self, count: 10_000 * 64)
            defer { w.deallocate() }
            for _ in benchmark.scaledIterations {
                try Orthogonal.fillBatch(w, count: 10_000, rows: 8, cols: 8, method: method, stream: RandomStream(seed: 42))
                blackHole(w[0])
            }
        }
    }
    memoryBaselines(bytes: 10_000 * 64 * MemoryLayout<Float>.stride, label: "10000×8×8 f32")
}
