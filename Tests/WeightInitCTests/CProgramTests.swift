import Foundation
import Testing
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

/// One fill through the C ABI, with the `Initializer` the Swift API uses
/// for the same scheme.
struct ABICase {
    let text: String
    let initializer: Initializer
    let shape: [Int]
    var layout: Layout = .torch

    /// The C ABI's layout enum and axes.
    var layoutFields: [String] {
        switch layout {
        case .torch: ["0", "0", "0"]
        case .keras: ["1", "0", "0"]
        case let .axes(input, output): ["2", "\(input)", "\(output)"]
        }
    }

    /// A block that is neither whole nor aligned to anything: every dimension
    /// from 1 where it has more than one index (the last index dropped when
    /// it has more than two).
    var region: TensorRegion {
        TensorRegion(shape.map { $0 == 1 ? 0 ..< 1 : 1 ..< ($0 > 2 ? $0 - 1 : $0) })
    }

    /// Every scheme of the table, with parameters away from the defaults and
    /// each layout, plus a tensor large enough for the parallel fill.
    static let all: [ABICase] = [
        ABICase(text: "zeros", initializer: .zeros, shape: [3, 5]),
        ABICase(text: "ones", initializer: .ones, shape: [2, 3, 4]),
        ABICase(text: "constant --value 0.25", initializer: .constant(0.25), shape: [7]),
        ABICase(text: "uniform --low -0.5 --high 2", initializer: .uniform(low: -0.5, high: 2), shape: [33, 17]),
        ABICase(text: "uniform-fan-in", initializer: .uniformFanIn, shape: [6, 4, 3]),
        ABICase(text: "normal --mean 1 --std 0.02", initializer: .normal(mean: 1, std: 0.02), shape: [129]),
        ABICase(text: "truncated-normal --std 0.5 --low -0.3 --high 0.9",
                initializer: .truncatedNormal(mean: 0, std: 0.5, low: -0.3, high: 0.9), shape: [40, 9]),
        ABICase(text: "truncated-normal --mean 1 --sigmas 3",
                initializer: .truncatedNormal(mean: 1, std: 1, low: -2, high: 4), shape: [10, 10]),
        // PyTorch's trunc_normal_: absolute bounds [-2, 2] whatever the std.
        ABICase(text: "trunc-normal --std 0.02", initializer: .truncatedNormal(mean: 0, std: 0.02, low: -2, high: 2), shape: [50]),
        // Explicit fans: a 1-D bias with its weight's fan_in, U(±1/√64).
        ABICase(text: "uniform-fan-in --fan-in 64", initializer: .uniform(low: -0.125, high: 0.125), shape: [30]),
        ABICase(text: "xavier-uniform --gain 1.5", initializer: .xavierUniform(gain: 1.5), shape: [3, 3, 4, 8],
                layout: .keras),
        ABICase(text: "glorot-normal --truncated", initializer: .xavierNormal(gain: 1, truncated: true), shape: [20, 30]),
        ABICase(text: "kaiming-uniform --mode fan-out --nonlinearity leaky-relu --negative-slope 0.2",
                initializer: .kaimingUniform(mode: .fanOut, nonlinearity: .leakyRelu(negativeSlope: 0.2)), shape: [16, 8, 3]),
        ABICase(text: "he-normal --truncated --mode fan_avg", initializer: .kaimingNormal(mode: .fanAvg, truncated: true),
                shape: [5, 3, 7], layout: .axes(input: -2, output: 0)),
        ABICase(text: "kaiming-normal --nonlinearity tanh --gain 0.7",
                initializer: .kaimingNormal(nonlinearity: .tanh, gain: 0.7), shape: [12, 12]),
        ABICase(text: "lecun-uniform", initializer: .lecunUniform, shape: [9, 11]),
        ABICase(text: "lecun-normal --truncated", initializer: .lecunNormal(truncated: true), shape: [3, 3, 5, 6],
                layout: .keras),
        ABICase(text: "variance-scaling --scale 2 --mode fan-avg --distribution uniform",
                initializer: .varianceScaling(scale: 2, mode: .fanAvg, distribution: .uniform), shape: [10, 20]),
        ABICase(text: "variance-scaling", initializer: .varianceScaling(), shape: [10, 20]),
        ABICase(text: "orthogonal --gain 2", initializer: .orthogonal(gain: 2), shape: [6, 10]),
        ABICase(text: "orthogonal --method qr --blocks 4", initializer: .orthogonal(gain: 1, method: .qr, blocks: 4),
                shape: [16, 4]),
        ABICase(text: "orthogonal", initializer: .orthogonal(), shape: [4, 3, 5]),
        ABICase(text: "delta-orthogonal --gain 1.2", initializer: .deltaOrthogonal(gain: 1.2), shape: [6, 4, 3, 3]),
        ABICase(text: "eye --gain 3", initializer: .eye(gain: 3), shape: [4, 6]),
        ABICase(text: "identity", initializer: .eye(), shape: [5, 3]),
        ABICase(text: "dirac --groups 2", initializer: .dirac(groups: 2), shape: [4, 3, 3]),
        ABICase(text: "sparse --sparsity 0.3 --std 0.1", initializer: .sparse(sparsity: 0.3, std: 0.1), shape: [10, 4]),
        // 90 000 elements: above the 2¹⁶ serial threshold, so the fill runs on worker threads.
        ABICase(text: "normal", initializer: .normal(), shape: [300, 300]),
    ]
}

/// One line of the C program's case file, and the bytes the Swift API gives for it.
struct FillLine {
    let abiCase: ABICase
    let format: DType
    let region: TensorRegion?
    let seed: UInt64
    let stream: UInt32
    let threads: Int

    var line: String {
        func dims(_ values: [Int]) -> String { values.map(String.init).joined(separator: ",") }
        let dtype = ["f32": "0", "f64": "1", "f16": "2", "bf16": "3"][format.rawValue]!
        let bounds = region.map { [dims($0.ranges.map(\.lowerBound)), dims($0.ranges.map(\.upperBound))] } ?? ["-", "-"]
        return ([abiCase.text, dtype, dims(abiCase.shape)] + abiCase.layoutFields
            + ["\(seed)", "\(stream)", "\(threads)"] + bounds).joined(separator: "\t")
    }

    func expectedBytes() throws -> [UInt8] {
        switch format {
        case .f32: try bytes(Float.self)
        case .f64: try bytes(Double.self)
        case .f16: try bytes(Float16.self)
        case .bf16: try bytes(BFloat16.self)
        case .i64, .i32, .u8, .bool: preconditionFailure("the C ABI fills floating-point dtypes")
        }
    }

    private func bytes<T: WeightScalar>(_: T.Type) throws -> [UInt8] {
        let values: [T] = if let region {
            try abiCase.initializer.makeArray(shape: abiCase.shape, region: region, layout: abiCase.layout, seed: seed, stream: stream)
        } else {
            try abiCase.initializer.makeArray(shape: abiCase.shape, layout: abiCase.layout, seed: seed, stream: stream)
        }
        return values.withUnsafeBytes { Array($0) }
    }

    /// Every case × dtype, whole and as a region, with its own seed and stream
    /// and thread counts 0 (every core), 1 and 2.
    static let all: [FillLine] = ABICase.all.enumerated().flatMap { index, abiCase in
        DType.floatingPoint.enumerated().flatMap { f, format in
            [nil, abiCase.region].enumerated().map { r, region in
                FillLine(abiCase: abiCase, format: format, region: region, seed: UInt64(1000 + index),
                         stream: UInt32(index * 8 + f * 2 + r), threads: (index + f + r) % 3)
            }
        }
    }
}

@Suite("The C ABI from C and C++")
struct CProgramTests {
    @Test("every scheme × dtype, whole and as a region, equals the Swift API's bytes")
    func fillsEqualSwift() throws {
        let scratch = try Scratch()
        let program = try Compiler.build("abi_test.c", in: scratch)
        let lines = FillLine.all
        try lines.map(\.line).joined(separator: "\n").write(toFile: scratch.file("cases.tsv"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: scratch.file("out"), withIntermediateDirectories: true)
        let run = try run(program, ["fill", scratch.file("cases.tsv"), scratch.file("out")], in: scratch)
        try #require(run.status == 0, "abi_test fill failed: \(run.stderr)")
        var differing: [String] = []
        for (index, line) in lines.enumerated() {
            let written = try Data(contentsOf: URL(fileURLWithPath: scratch.file("out/\(index).bin")))
            if Array(written) != (try line.expectedBytes()) {
                differing.append("\(line.abiCase.text) \(line.format.rawValue) \(line.region.map { "\($0)" } ?? "whole")")
            }
        }
        #expect(differing.isEmpty, "C and Swift bytes differ: \(differing.joined(separator: "; "))")
        #expect(lines.count == ABICase.all.count * 8)
        // Every scheme of the table is covered.
        let covered = Set(ABICase.all.map { try? SchemeText(parsing: $0.text).entry.name })
        #expect(Set(SchemeEntry.all.map(\.name)).subtracting(covered.compactMap { $0 }).isEmpty)
    }

    @Test("weightinit_scheme_describe prints the table's command line for the scheme")
    func describeMatchesTheTable() throws {
        let scratch = try Scratch()
        let program = try Compiler.build("abi_test.c", in: scratch)
        let lines = ABICase.all.map { FillLine(abiCase: $0, format: .f32, region: nil, seed: 1, stream: 0, threads: 1) }
        try lines.map(\.line).joined(separator: "\n").write(toFile: scratch.file("cases.tsv"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: scratch.file("out"), withIntermediateDirectories: true)
        let run = try run(program, ["fill", scratch.file("cases.tsv"), scratch.file("out")], in: scratch)
        try #require(run.status == 0, "abi_test fill failed: \(run.stderr)")
        let described = run.stdout.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 2).last.map(String.init) ?? "" }
        #expect(described == ABICase.all.map { SchemeEntry.commandLine(for: $0.initializer) })
    }

    @Test("every bad input returns its status, writes nothing and sets a message")
    func errors() throws {
        let scratch = try Scratch()
        let run = try run(try Compiler.build("abi_test.c", in: scratch), ["errors"], in: scratch)
        #expect(run.status == 0, "abi_test errors:\n\(run.stderr)\n\(run.stdout)")
        #expect(run.stdout.hasSuffix("0 failures\n"))
    }

    @Test("8 threads at once give the single-thread bytes, each with its own last error")
    func concurrentCalls() throws {
        let scratch = try Scratch()
        let program = try Compiler.build("abi_test.c", in: scratch)
        // One dtype per case (cycling), whole and as a region: every scheme runs concurrently with every other.
        let lines = FillLine.all.enumerated().filter { index, line in
            DType.floatingPoint.firstIndex(of: line.format)! == (index / 8) % 4
        }.map(\.element)
        // Under a sanitizer (.ci/sanitize) each of these fills costs about a
        // hundred times as much: a sample, the 300 × 300 fill on worker threads among it.
        let sample = Compiler.sanitizer == nil ? lines
            : lines.enumerated().filter { $0.offset % 20 == 0 || $0.offset >= lines.count - 2 }.map(\.element)
        try sample.map(\.line).joined(separator: "\n").write(toFile: scratch.file("cases.tsv"), atomically: true, encoding: .utf8)
        let run = try run(program, ["threads", scratch.file("cases.tsv")], in: scratch)
        #expect(run.status == 0, "abi_test threads:\n\(run.stderr)")
        #expect(run.stdout.contains("8 threads"))
    }

    @Test("the header compiles as C++17 and a C++ program runs against the library")
    func cxx() throws {
        let scratch = try Scratch()
        let run = try run(try Compiler.build("header_test.cpp", cxx: true, in: scratch), [], in: scratch)
        #expect(run.status == 0, "header_test:\n\(run.stderr)")
        #expect(run.stdout.contains("size_bytes is 3"))
    }
}
