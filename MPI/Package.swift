// swift-tools-version: 6.1
//
// swift-weight-init-mpi: the distributed part of swift-weight-init — MPI,
// MPI-IO and ScaLAPACK — in a package of its own, so that building the
// library (`swift build` at the repository root) never needs an MPI
// installation. Layered bottom-up:
//   system modules (Open MPI, ScaLAPACK with BLACS) → WeightInitMPI (session,
//   shared-file writer, BLACS grid, distributed orthogonal) → weightinit-mpi.
//
//     swift build --package-path MPI
//     mpirun -q -n 4 MPI/.build/debug/weightinit-mpi orthogonal --shape 2048,2048 --output w.npy

import PackageDescription

let package = Package(
    name: "swift-weight-init-mpi",
    products: [
        .library(name: "WeightInitMPI", targets: ["WeightInitMPI"]),
        .executable(name: "weightinit-mpi", targets: ["weightinit-mpi"]),
    ],
    dependencies: [
        .package(name: "swift-weight-init", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser.git", .upToNextMinor(from: "1.8.2")),
    ],
    targets: [
        // MARK: System libraries (Debian packages, found through pkg-config)

        // Open MPI's C interface, with accessors for the handles Swift cannot
        // import from its macros (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, …).
        .systemLibrary(
            name: "CMPI",
            path: "Modules/CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        // ScaLAPACK and BLACS (Debian ships no C header: ours declares the
        // routines used here).
        .systemLibrary(
            name: "CScaLAPACK",
            path: "Modules/CScaLAPACK",
            pkgConfig: "scalapack-openmpi",
            providers: [.apt(["libscalapack-openmpi-dev"])]
        ),

        // MARK: The library

        .target(
            name: "WeightInitMPI",
            dependencies: [
                "CMPI",
                "CScaLAPACK",
                .product(name: "WeightInit", package: "swift-weight-init"),
            ],
            path: "Sources/WeightInitMPI"
        ),

        // MARK: The command-line tool

        .executableTarget(
            name: "weightinit-mpi",
            dependencies: [
                "WeightInitMPI",
                .product(name: "WeightInit", package: "swift-weight-init"),
                // generate: the model plans and checkpoint writers of weightinit, its
                // public API and the writers' plumbing (@_spi(Plumbing)) — the same
                // specs, bytes and files.
                .product(name: "WeightInitModels", package: "swift-weight-init"),
                // What the two command-line tools share: the model options, error
                // lines and exit statuses, --check's reports (@_spi(Plumbing)).
                .product(name: "_WeightInitCLI", package: "swift-weight-init"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/weightinit-mpi"
        ),

        // MARK: Tests

        // Runs the built weightinit-mpi under mpirun (1, 2 and 4 ranks) and
        // reads its files with WeightInit's NPY reader; skipped, with the
        // reason printed, where mpirun is not on PATH.
        .testTarget(
            name: "WeightInitMPITests",
            dependencies: [
                "weightinit-mpi",
                "WeightInitMPI",
                "CScaLAPACK",
                .product(name: "WeightInit", package: "swift-weight-init"),
                .product(name: "WeightInitModels", package: "swift-weight-init"),
                .product(name: "_WeightInitTestSupport", package: "swift-weight-init"),
            ],
            path: "Tests/WeightInitMPITests"
        ),
    ]
)
