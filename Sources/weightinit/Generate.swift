import ArgumentParser
import WeightInit

/// `weightinit generate <scheme>`: one tensor into one `.npy` file.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate one weight tensor and write it to a .npy file.",
        usage: "weightinit generate <scheme> --shape <d1,d2,...> --output <path> [<options>]",
        discussion: """
            Schemes:
            \(SchemeEntry.helpText)

            Examples:
              weightinit generate orthogonal --shape 512,256 --seed 42 --output w.npy
              weightinit generate orthogonal --shape 64,3,3 --gain 1.41 --output c.npy
              weightinit generate normal --shape 768,3072 --std 0.02 --output mlp.npy

            The values depend only on the scheme, its parameters, --shape, --layout, \
            --seed, --stream and --dtype, never on --threads.
            """
    )

    @Argument(help: "The scheme: \(SchemeEntry.all.map(\.name).joined(separator: ", ")).")
    var scheme: String

    @Option(parsing: .unconditional, help: "Comma-separated dimensions, each ≥ 1, e.g. 512,256.")
    var shape: String

    @Option(parsing: .unconditional, help: "Seed of the random stream.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Stream number, to draw several tensors from one seed.")
    var stream: UInt32 = 0

    @Option(help: "Element type: f32, f64 or f16 (bf16 has no .npy dtype).")
    var dtype: DType = .f32

    @Option(help: "How fans are read from the shape: torch (out, in, kernel…) or keras (kernel…, in, out).")
    var layout: LayoutArgument = .torch

    @Option(parsing: .unconditional, help: "Worker threads, ≥ 1 (default: every core).")
    var threads: Int?

    @Option(help: "The .npy file to write; replaced atomically.")
    var output: String

    @Option(parsing: .unconditional, help: "Gain (orthogonal), finite and ≥ 0.") var gain: Double?
    @Option(parsing: .unconditional, help: "Mean (normal).") var mean: Double?
    @Option(parsing: .unconditional, help: "Standard deviation (normal), > 0.") var std: Double?
    @Option(parsing: .unconditional, help: "Lower bound (uniform).") var low: Double?
    @Option(parsing: .unconditional, help: "Upper bound, exclusive (uniform).") var high: Double?
    @Option(parsing: .unconditional, help: "The value (constant).") var value: Double?

    func run() throws {
        let request = try makeRequest()
        switch request.format {
        case .f32: try request.write(Float.self)
        case .f64: try request.write(Double.self)
        case .f16:
            #if arch(x86_64) || arch(arm64)
            try request.write(Float16.self)
            #else
            throw CommandLineError.usage("f16 is not available on this architecture")
            #endif
        case .bf16: try request.write(BFloat16.self)
        }
        print("wrote \(request.output): \(scheme), shape \(request.shape.map(String.init).joined(separator: ",")), "
              + "dtype \(dtype.rawValue), layout \(layout.rawValue), seed \(seed), stream \(stream)")
    }

    /// Checks every argument before any work is done, so bad input fails fast
    /// and never leaves a file behind.
    func makeRequest() throws -> Request {
        let entry = try SchemeEntry.named(scheme)
        let shape = try ShapeArgument.parse(shape)
        if let threads, threads < 1 { throw CommandLineError.usage("invalid --threads \(threads): must be ≥ 1") }
        guard output.hasSuffix(".npy") else {
            throw CommandLineError.usage("invalid --output '\(output)': only .npy files can be written; use a .npy path")
        }
        _ = try NPY.descr(for: dtype.format)
        let count = try Shape.elementCount(shape, elementSize: dtype.format.byteCount)
        let bytes = UInt64(count) * UInt64(dtype.format.byteCount)
        if let available = AvailableMemory.bytes(), bytes > available {
            throw WeightInitError.tooLarge(
                shape: shape, reason: "\(bytes) bytes exceed the \(available) bytes of memory available now")
        }
        let given = Dictionary(uniqueKeysWithValues: SchemeParameter.allCases.compactMap { parameter in
            parameterOption(parameter).map { (parameter, $0) }
        })
        let initializer = try entry.initializer(given: given, shape: shape)
        try AtomicFile.checkDestination(output)
        return Request(
            initializer: initializer, shape: shape, format: dtype.format, layout: layout.layout,
            stream: RandomStream(seed: seed, stream: stream), options: FillOptions(threads: threads), output: output)
    }

    private func parameterOption(_ parameter: SchemeParameter) -> Double? {
        switch parameter {
        case .gain: gain
        case .mean: mean
        case .std: std
        case .low: low
        case .high: high
        case .value: value
        }
    }
}

/// A checked `generate` invocation.
struct Request {
    let initializer: Initializer
    let shape: [Int]
    let format: ScalarFormat
    let layout: Layout
    let stream: RandomStream
    let options: FillOptions
    let output: String

    func write<T: WeightScalar>(_ type: T.Type) throws {
        let values: [T] = try initializer.makeArray(
            shape: shape, layout: layout, seed: stream.seed, stream: stream.stream, options: options)
        try NPY.write(values, shape: shape, to: output)
    }
}

/// `--dtype`.
enum DType: String, CaseIterable, ExpressibleByArgument {
    case f32, f64, f16, bf16

    var format: ScalarFormat { ScalarFormat(rawValue: rawValue)! }
}

/// `--layout`.
enum LayoutArgument: String, CaseIterable, ExpressibleByArgument {
    case torch, keras

    var layout: Layout {
        switch self {
        case .torch: .torch
        case .keras: .keras
        }
    }
}
