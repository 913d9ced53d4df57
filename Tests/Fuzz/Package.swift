// swift-tools-version: 6.1
//
// Fuzz targets, in their own package so the main build never compiles
// them: ReaderFuzz (the file readers, NPY and safetensors, and the spec
// parser) and ModelFuzz (rules files, name patterns, config.json and the C
// ABI's scheme text). Build and run with ./run.sh [ReaderFuzz|ModelFuzz].

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
        // libFuzzer entry point: rules, name patterns, configs and the C ABI's scheme parser.
        .executableTarget(
            name: "ModelFuzz",
            dependencies: [
                .product(name: "WeightInit", package: "swift-weight-init"),
                .product(name: "WeightInitModels", package: "swift-weight-init"),
                // weightinit_scheme_parse and friends, called as the C ABI's Swift entry points.
                .product(name: "WeightInitC", package: "swift-weight-init"),
            ],
            path: "Sources/ModelFuzz"
        ),
    ]
)
