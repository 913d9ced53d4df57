// swift-tools-version: 6.1
//
// swift-weight-init: neural-network weight initialisation, counter-based and
// bit-reproducible. The targets below are layered bottom-up:
//   system modules (OpenBLAS, LAPACKE) → sampling kernels (Philox, Box–Muller)
//   → WeightInit (linear algebra, distributions, schemes, file formats) → CLI.

import PackageDescription

let package = Package(
    name: "swift-weight-init",
    products: [
        .library(name: "WeightInit", targets: ["WeightInit"]),
        .executable(name: "weightinit", targets: ["weightinit"]),
        // The CLI's commands as a library, so the MPI package (MPI/) runs the
        // same spec parsing and file layout; no stable API.
        .library(name: "_WeightInitCLI", targets: ["WeightInitCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", .upToNextMinor(from: "1.8.2")),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", .upToNextMinor(from: "1.5.0")),
    ],
    targets: [
        // MARK: System libraries (Debian packages, found through pkg-config)

        .systemLibrary(
            name: "COpenBLAS",
            path: "Modules/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CLAPACKE",
            path: "Modules/CLAPACKE",
            pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev"])]
        ),

        // MARK: Sampling kernels (C; no stable API)

        // Philox4x32-10 and the uniform / normal / truncated-normal block
        // kernels, written once and compiled per ISA with function-level
        // target attributes; dispatch happens at run time.
        .target(
            name: "_WeightInitKernels",
            path: "Sources/_WeightInitKernels"
        ),

        // MARK: Platform shims (C; no stable API)

        // Removes the temporary files of interrupted writes when SIGINT,
        // SIGTERM or SIGHUP ends the process: a signal handler must be
        // async-signal-safe, so it and its registry of paths are C.
        .target(
            name: "_WeightInitSignals",
            path: "Sources/_WeightInitSignals"
        ),

        // MARK: The library

        .target(
            name: "WeightInit",
            dependencies: ["COpenBLAS", "CLAPACKE", "_WeightInitKernels", "_WeightInitSignals"],
            path: "Sources/WeightInit"
        ),

        // MARK: The command-line tool

        // The subcommands (generate, recommend, stats, propagate, bench), spec
        // parsing and the file writer; `weightinit` is only their entry point.
        .target(
            name: "WeightInitCLI",
            dependencies: [
                "WeightInit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/WeightInitCLI"
        ),
        .executableTarget(
            name: "weightinit",
            dependencies: ["WeightInitCLI"],
            path: "Sources/weightinit"
        ),

        // MARK: Tests

        .testTarget(
            name: "WeightInitTests",
            dependencies: ["WeightInit", "_WeightInitKernels", "COpenBLAS", "CLAPACKE"],
            path: "Tests/WeightInitTests"
        ),
        .testTarget(
            name: "WeightInitCLITests",
            dependencies: ["weightinit", "WeightInit"],
            path: "Tests/WeightInitCLITests"
        ),
    ]
)
