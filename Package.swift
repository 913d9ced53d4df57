// swift-tools-version: 6.1
//
// swift-weight-init: neural-network weight initialisation, counter-based and
// bit-reproducible. The targets below are layered bottom-up:
//   system modules (OpenBLAS, LAPACKE) → sampling kernels (Philox, Box–Muller)
//   → WeightInit (linear algebra, distributions, schemes and their text, file formats)
//   → WeightInitAnalysis (statistics, KS, orthogonality, propagation,
//     training, recommendations) and WeightInitModels (specs, rules, manifests
//     from configs and checkpoints, model plans, checkpoint writers)
//   → the CLI, and the C ABI (libWeightInitC.so, which Python loads) over the
//     engine and the models library alone.

import PackageDescription

let package = Package(
    name: "swift-weight-init",
    products: [
        .library(name: "WeightInit", targets: ["WeightInit"]),
        .library(name: "WeightInitAnalysis", targets: ["WeightInitAnalysis"]),
        .library(name: "WeightInitModels", targets: ["WeightInitModels"]),
        .executable(name: "weightinit", targets: ["weightinit"]),
        // The CLI's commands as a library, so the MPI package (MPI/) runs the
        // same spec parsing and file layout; no stable API.
        .library(name: "_WeightInitCLI", targets: ["WeightInitCLI"]),
        // The tools' test helpers, for the MPI package's tests; no stable API.
        .library(name: "_WeightInitTestSupport", targets: ["_WeightInitTestSupport"]),
        // The C ABI (Sources/CWeightInit/include/weightinit.h) as a shared
        // library, libWeightInitC.so; `make install` installs it as
        // libweightinit.so.1 with the header and weightinit.pc. (The product
        // cannot be called "weightinit": the tool has that name.)
        .library(name: "WeightInitC", type: .dynamic, targets: ["WeightInitC"]),
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

        // The atomic writes' platform shims: removal of the temporary files of
        // interrupted writes when SIGINT, SIGTERM or SIGHUP ends the process (a
        // signal handler must be async-signal-safe, so it and its registry of
        // paths are C), and direct I/O and write-behind for large files
        // (O_DIRECT, sync_file_range: GNU extensions Swift's Glibc does not import).
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

        // MARK: Analysis, a layer above the engine

        // Statistics and tests of filled tensors, propagation and training
        // experiments and recommendations: what `stats`, `--check`,
        // `propagate` and `train` print. A program that only initialises
        // weights links the engine alone.
        .target(
            name: "WeightInitAnalysis",
            dependencies: ["WeightInit"],
            path: "Sources/WeightInitAnalysis"
        ),

        // MARK: Models, a layer above the engine

        // Whole models: specs, rules from tensor names to schemes, manifests
        // (the tensors a Hugging Face config or a checkpoint's header lists),
        // model plans that fill any tensor or region into the caller's memory,
        // and the checkpoint writers (one file, Hugging Face shards with their
        // index, tensor-parallel shards).
        .target(
            name: "WeightInitModels",
            dependencies: ["WeightInit"],
            path: "Sources/WeightInitModels"
        ),

        // MARK: The command-line tool

        // The subcommands (generate, recommend, stats, propagate, train, bench), spec
        // parsing and the file writer; `weightinit` is only their entry point.
        .target(
            name: "WeightInitCLI",
            dependencies: [
                "WeightInit",
                "WeightInitAnalysis",
                "WeightInitModels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/WeightInitCLI"
        ),
        .executableTarget(
            name: "weightinit",
            dependencies: ["WeightInitCLI"],
            path: "Sources/weightinit"
        ),

        // MARK: The C ABI

        // The public C header and the little of the ABI written in C (versions,
        // status names, the thread-local last error).
        .target(
            name: "CWeightInit",
            path: "Sources/CWeightInit"
        ),
        // The rest of the ABI in Swift: schemes parsed once by the engine's
        // scheme table (so C and Python accept exactly what `generate`
        // accepts), fills by the engine. It links the engine and the models
        // library only — no argument parser, no command. Python (python/)
        // loads the shared library with ctypes.
        .target(
            name: "WeightInitC",
            dependencies: ["CWeightInit", "WeightInit", "WeightInitModels"],
            path: "Sources/WeightInitC"
        ),

        // MARK: Tests

        // What the tests of this package and of the nested MPI package share to
        // run the built tools: scratch directories, runs with captured output,
        // jobs started as a shell starts them, the README's exit-status
        // table; and a fixed-seed generator for random test cases. A product
        // only so MPI/ can use it; no stable API.
        .target(
            name: "_WeightInitTestSupport",
            path: "Tests/_WeightInitTestSupport"
        ),
        .testTarget(
            name: "WeightInitTests",
            dependencies: ["WeightInit", "_WeightInitKernels", "COpenBLAS", "CLAPACKE", "_WeightInitTestSupport"],
            path: "Tests/WeightInitTests"
        ),
        .testTarget(
            name: "WeightInitModelsTests",
            dependencies: ["WeightInitModels", "WeightInit", "_WeightInitTestSupport"],
            path: "Tests/WeightInitModelsTests",
            exclude: ["Manifests"]
        ),
        .testTarget(
            name: "WeightInitAnalysisTests",
            dependencies: ["WeightInitAnalysis", "WeightInit"],
            path: "Tests/WeightInitAnalysisTests"
        ),
        .testTarget(
            name: "WeightInitCLITests",
            dependencies: ["weightinit", "WeightInitCLI", "WeightInit", "WeightInitModels", "_WeightInitTestSupport"],
            path: "Tests/WeightInitCLITests",
            exclude: ["ModelBytes"]
        ),
        // Compiles C and C++ programs against weightinit.h, links them to the
        // built libWeightInitC.so, runs them and compares with the Swift API.
        .testTarget(
            name: "WeightInitCTests",
            dependencies: ["WeightInit", "WeightInitModels", "_WeightInitTestSupport"],
            path: "Tests/WeightInitCTests",
            exclude: ["Programs"]
        ),
    ]
)
