// swift-tools-version: 6.1
//
// Benchmarks for swift-weight-init, in a package of their own so that users of
// the library never build the benchmark dependency. Run from this folder:
//
//     swift package benchmark                      # everything
//     swift package benchmark --target FillBenchmarks
//     swift package benchmark --target OrthogonalBenchmarks --filter '2048'
//
// Every benchmark group carries its own baseline (bits-only Philox, memset /
// memcpy, raw LAPACK) measured in the same run, so results are reported as
// ratios.

import PackageDescription

let package = Package(
    name: "WeightInitBenchmarks",
    dependencies: [
        .package(name: "swift-weight-init", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", .upToNextMinor(from: "1.38.1"),
                 traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "FillBenchmarks",
            dependencies: [
                .product(name: "WeightInit", package: "swift-weight-init"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/FillBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Orthogonal init (QR vs Householder) against raw sgeqrf + sorgqr,
        // memset and memcpy of the same bytes.
        .executableTarget(
            name: "OrthogonalBenchmarks",
            dependencies: [
                .product(name: "WeightInit", package: "swift-weight-init"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/OrthogonalBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
