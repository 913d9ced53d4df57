// swift-tools-version: 6.1
//
// Fuzz target for the file readers (NPY, safetensors) and the spec parser,
// in its own package so the main build never compiles it. Build and run
// with ./run.sh.

import PackageDescription

let package = Package(
    name: "WeightInitFuzz",
    dependencies: [
        .package(name: "swift-weight-init", path: "../.."),
    ],
    targets: [
        // libFuzzer entry point: calls every reader and the spec parser on the input bytes.
        .executableTarget(
            name: "ReaderFuzz",
            dependencies: [
                .product(name: "WeightInit", package: "swift-weight-init"),
                // The model spec parser (`weightinit generate --spec`), reached through SPI.
                .product(name: "WeightInitModels", package: "swift-weight-init"),
            ],
            path: "Sources/ReaderFuzz"
        ),
    ]
)
