import ArgumentParser
import WeightInit

/// `weightinit generate <scheme>`: one tensor into one `.npy` file.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate one weight tensor and write it to a .npy file.",
        usage: "weightinit generate <scheme> --shape <d1,d2,...> --output <path> [<options>]",
        discussion: """
            Schemes (name, aliases; parameters with their defaults):
            \(SchemeEntry.helpText)

            Fans: --layout torch reads (out, in, kernel…), keras (kernel…, in, out); \
            --in-axis/--out-axis name the axes instead (JAX style, negative from the end).

            Examples:
              weightinit generate kaiming-normal --shape 256,128 --nonlinearity relu \\
                  --output w.npy
              weightinit generate he-uniform --shape 3,3,16,32 --layout keras \\
                  --output conv.npy
              weightinit generate xavier-uniform --shape 3,3,16,32 \\
                  --in-axis -2 --out-axis -1 --output conv.npy
              weightinit generate truncated-normal --shape 768,3072 --std 0.02 \\
                  --dtype f16 --output mlp.npy
              weightinit generate variance-scaling --shape 512,256 --scale 2 \\
                  --mode fan-avg --distribution uniform --output v.npy
              weightinit generate orthogonal --shape 512,256 --seed 42 --output w.npy
              weightinit generate sparse --shape 100,50 --sparsity 0.9 --output s.npy

            The values depend only on the scheme, its parameters, --shape, the layout, \
            --seed, --stream and --dtype, never on --threads.
            """
    )

    @Argument(help: "The scheme: \(SchemeEntry.allNames.joined(separator: ", ")).")
    var scheme: String

    @Option(parsing: .unconditional, help: "Comma-separated dimensions, each ≥ 1, e.g. 512,256.")
    var shape: String

    @Option(parsing: .unconditional, help: "Seed of the random stream.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Stream number, to draw several tensors from one seed.")
    var stream: UInt32 = 0

    @Option(help: "Element type: f32, f64 or f16 (bf16 has no .npy dtype).")
    var dtype: DType = .f32

    @Option(help: "How fans are read from the shape: torch (out, in, kernel…) or keras (kernel…, in, out); default torch.")
    var layout: LayoutArgument?

    @Option(name: .customLong("in-axis"), parsing: .unconditional,
            help: "Input axis for the fans, with --out-axis, instead of --layout (negative counts from the end).")
    var inAxis: Int?

    @Option(name: .customLong("out-axis"), parsing: .unconditional, help: "Output axis for the fans, with --in-axis.")
    var outAxis: Int?

    @Option(parsing: .unconditional, help: "Worker threads, ≥ 1 (default: every core).")
    var threads: Int?

    @Option(help: "The .npy file to write; replaced atomically.")
    var output: String

    // MARK: Scheme parameters (which schemes take which: SchemeTable.swift)

    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.gain))) var gain: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.mean))) var mean: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.std))) var std: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.low))) var low: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.high))) var high: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.sigmas))) var sigmas: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.value))) var value: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.scale))) var scale: Double?
    @Option(help: ArgumentHelp(SchemeEntry.optionHelp(.mode))) var mode: String?
    @Option(help: ArgumentHelp(SchemeEntry.optionHelp(.nonlinearity))) var nonlinearity: String?
    @Option(name: .customLong("negative-slope"), parsing: .unconditional,
            help: ArgumentHelp(SchemeEntry.optionHelp(.negativeSlope))) var negativeSlope: Double?
    @Flag(help: ArgumentHelp(SchemeEntry.optionHelp(.truncated))) var truncated = false
    @Option(help: ArgumentHelp(SchemeEntry.optionHelp(.distribution))) var distribution: String?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.groups))) var groups: Int?
    @Option(help: ArgumentHelp(SchemeEntry.optionHelp(.method))) var method: String?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.blocks))) var blocks: Int?
    @Option(parsing: .unconditional, help: ArgumentHelp(SchemeEntry.optionHelp(.sparsity))) var sparsity: Double?

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
              + "dtype \(dtype.rawValue), layout \(request.layout.summary), seed \(seed), stream \(stream)")
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
        if dtype == .bf16 {
            // NPY.descr refuses bf16 too; say here what to do instead.
            throw CommandLineError.usage(
                "--dtype bf16 cannot go in a .npy file (numpy has no bfloat16 dtype); "
                    + "bf16 needs .safetensors (coming) — use f32, f64 or f16 for .npy")
        }
        _ = try NPY.descr(for: dtype.format)
        let layout = try resolvedLayout(shape: shape)
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
        // Every scheme's own checks (fans, ranks, groups, bounds) before any file is touched.
        _ = try initializer.distribution(shape: shape, layout: layout)
        try AtomicFile.checkDestination(output)
        return Request(
            initializer: initializer, shape: shape, format: dtype.format, layout: layout,
            stream: RandomStream(seed: seed, stream: stream), options: FillOptions(threads: threads), output: output)
    }

    /// `--layout`, or `--in-axis`/`--out-axis` (both, and not with `--layout`).
    private func resolvedLayout(shape: [Int]) throws -> Layout {
        switch (layout, inAxis, outAxis) {
        case (_, nil, nil): return layout?.layout ?? .torch
        case (nil, let input?, let output?):
            let layout = Layout.axes(input: input, output: output)
            // Checks the axes against the shape whether or not the scheme uses fans.
            _ = try Fans(shape: shape, layout: layout)
            return layout
        case (nil, _, _): throw CommandLineError.usage("--in-axis and --out-axis go together; give both")
        case (_?, _, _): throw CommandLineError.usage("--in-axis/--out-axis replace --layout; give one or the other")
        }
    }

    private func parameterOption(_ parameter: SchemeParameter) -> ParameterValue? {
        let number: (Double?) -> ParameterValue? = { $0.map(ParameterValue.number) }
        let text: (String?) -> ParameterValue? = { $0.map(ParameterValue.text) }
        switch parameter {
        case .gain: return number(gain)
        case .mean: return number(mean)
        case .std: return number(std)
        case .low: return number(low)
        case .high: return number(high)
        case .sigmas: return number(sigmas)
        case .value: return number(value)
        case .scale: return number(scale)
        case .negativeSlope: return number(negativeSlope)
        case .sparsity: return number(sparsity)
        case .mode: return text(mode)
        case .nonlinearity: return text(nonlinearity)
        case .distribution: return text(distribution)
        case .groups: return groups.map(ParameterValue.integer)
        case .method: return text(method)
        case .blocks: return blocks.map(ParameterValue.integer)
        case .truncated: return truncated ? .on : nil
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

extension Layout {
    /// How the summary line names the layout.
    var summary: String {
        switch self {
        case .torch: "torch"
        case .keras: "keras"
        case let .axes(input, output): "axes in \(input) out \(output)"
        }
    }
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
