import ArgumentParser
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

/// `weightinit generate <scheme>`: one tensor into a `.npy` or `.safetensors`
/// file, or `--spec`: several tensors into one `.safetensors` file.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate weight tensors and write them to a .npy or .safetensors file.",
        usage: """
            weightinit generate <scheme> --shape <d1,d2,...> --output <path> [<options>]
              weightinit generate --spec <model.json> --output <model.safetensors> [--seed <seed>]
              weightinit generate (--config <config.json> | --like <checkpoint>) [--rules <name|file>] \
                  [--max-shard-size <size>] --output <model.safetensors | directory>
            """,
        discussion: """
            Schemes (name, aliases; parameters with their defaults):
            \(SchemeEntry.helpText)

            Scheme parameters (each given once; a value may start with -, as in --low -2):
            \(SchemeEntry.parameterHelpText)

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
              weightinit generate normal --shape 4096,4096 --dtype bf16 --output w.safetensors
              weightinit generate --spec model.json --output model.safetensors --check

            A spec is JSON: {"seed": 42, "layout": "torch", "dtype": "f32", "tensors": \
            [{"name": "fc1.weight", "shape": [256, 784], "scheme": "kaiming-normal", \
            "nonlinearity": "relu"}, …]}; each tensor may override seed, layout and \
            dtype (also i64, i32, u8, bool for zeros, ones, constant; "shape": [] is a \
            scalar) and give its scheme's parameters under the option names, "fan-of": \
            another tensor whose fans it takes (a bias its weight's), and "parts": blocks \
            with schemes of their own ({"rows": [h, 2h], "scheme": "ones"}). A tensor's \
            stream is FNV-1a of its name unless it gives "stream", so reordering the \
            spec changes no values. --seed overrides the spec's seed.

            Whole models: --like takes names, shapes and dtypes from a .safetensors \
            checkpoint's header or a model.safetensors.index.json; --config computes them \
            from a Hugging Face config.json (llama, gpt2, bert). --rules (a built-in set: \
            \(BuiltinRuleSets.names.joined(separator: ", ")); or a rules file; default \
            for --config: hf-<model_type>) chooses each tensor's scheme by name; \
            `weightinit rules` lists them and prints one to copy. A spec may carry the \
            same "like", "config" and "rules" keys; its "tensors" then override single \
            tensors. --dtype sets every floating-point tensor's dtype. \
            --max-shard-size 5GB writes --output as a directory of Hugging Face shards \
            (model-00001-of-0000n.safetensors, model.safetensors.index.json) and the \
            config.json, which from_pretrained(directory) loads.
              weightinit generate --config config.json --max-shard-size 5GB --output model/
              weightinit generate --like resnet18.safetensors --rules torchvision-resnet \
                  --output resnet18-init.safetensors

            The output format follows the extension (.npy, .safetensors) or --format. \
            Files are written atomically, sampling schemes in 16 MiB chunks: into a hidden \
            temporary file beside the output, renamed into place when complete. --output must \
            be a new name or a regular file (which keeps its mode); a directory, device, FIFO, \
            socket or symbolic link is refused (status 64). Ctrl-C, SIGTERM and SIGHUP remove \
            the temporary file and leave the old output as it was (status 130, 143, 129); \
            `weightinit clean DIR` removes those a killed run left.

            --spec - reads the spec from standard input; any other --spec must be a regular file.

            The values depend only on the scheme, its parameters, --shape, the layout, \
            --seed, --stream and --dtype, never on --threads.

            --shard i/n writes block i of n of every tensor along --shard-dim (0: rows, \
            1: columns): n blocks of ⌊d/n⌋, the last also taking the remainder. Fans \
            come from the full shape, and the n files concatenated along that dimension \
            are the unsharded output byte for byte (orthogonal builds the whole matrix \
            to cut its block). Tensors without that dimension, or with "shard-dim": null \
            in a spec, are written whole into every shard.
              weightinit generate xavier-uniform --shape 4096,1024 --shard 1/4 \\
                  --output w.1-of-4.npy
            """
    )

    @Argument(help: "The scheme: \(SchemeEntry.allNames.joined(separator: ", ")).")
    var scheme: String?

    @Option(parsing: .unconditional, help: "Comma-separated dimensions, each ≥ 1, e.g. 512,256.")
    var shape: String?

    @Option(help: "A JSON file describing several tensors, instead of <scheme> and --shape; - reads it from standard input.")
    var spec: String?

    @Option(parsing: .unconditional, help: "Seed of the random stream (default 0).")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: "Stream number, to draw several tensors from one seed (default 0).")
    var stream: UInt32?

    @Option(help: "Element type: f32, f64, f16 or bf16 (bf16 only in .safetensors; default f32); also i64, i32, u8, bool for zeros, ones and constant. With a spec or layout: every floating-point tensor's.")
    var dtype: DType?

    @OptionGroup var modelSource: ModelSourceOptions

    @Option(help: "How fans are read from the shape: torch (out, in, kernel…) or keras (kernel…, in, out); default torch.")
    var layout: LayoutArgument?

    @Option(name: .customLong("in-axis"), parsing: .unconditional,
            help: "Input axis for the fans, with --out-axis, instead of --layout (negative counts from the end).")
    var inAxis: Int?

    @Option(name: .customLong("out-axis"), parsing: .unconditional, help: "Output axis for the fans, with --in-axis.")
    var outAxis: Int?

    @Option(parsing: .unconditional, help: "Worker threads, ≥ 1 (default: every core).")
    var threads: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Write only block i of n (numbered from 0), e.g. 1/4: blocks of ⌊d/n⌋ along --shard-dim, the last also takes the remainder.",
        valueName: "i/n"))
    var shard: String?

    @Option(name: .customLong("shard-dim"), parsing: .unconditional,
            help: "The dimension --shard splits: 0 (rows, default) or 1 (columns).")
    var shardDim: Int?

    @Option(help: "The .npy or .safetensors file to write (required); replaced atomically. With --max-shard-size: a directory.")
    var output: String?

    @Option(help: "Output format: npy or safetensors (default: from the --output extension).")
    var format: TensorFileFormat?

    @Flag(help: "Read the file back and print its statistics against the scheme; exit 1 if they do not match.")
    var check = false

    @Flag(help: "No progress bar and no summary line.")
    var quiet = false

    // MARK: Scheme parameters (which schemes take which: the engine's SchemeTable.swift)

    /// The scheme's options (`--std 0.02 --mean 0`), passed as words to the
    /// engine's scheme parser — the one that parses the C ABI's and Python's
    /// scheme text — so `generate` accepts exactly what they accept.
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var schemeOptions: [String] = []

    func run() throws {
        let request = try makeRequest()
        let output = request.output
        let bar = ProgressBar(quiet: quiet)
        defer { bar.finish() }
        if let checkpoint = request.checkpoint {
            try checkpoint.write(options: request.options, progress: bar.update)
        } else {
            try CheckpointFile.write(request.jobs, to: output, format: request.format, options: request.options, progress: bar.update)
        }
        bar.finish()
        if !quiet {
            let shardNote = request.jobs.first?.shard.map { ", " + $0.summary } ?? ""
            let output = TerminalText.escaped(output, limit: 512)
            if let source = request.source {
                let files = request.checkpoint.map { " (\($0.summary))" } ?? ", \(request.format.rawValue)"
                print("wrote \(output): \(request.jobs.count) tensors from \(source)\(files)\(shardNote)")
            } else {
                let job = request.jobs[0]
                let block = job.region.map { " block " + $0.shape.map(String.init).joined(separator: ",") } ?? ""
                print("wrote \(output): \(job.schemeName), shape \(job.shape.map(String.init).joined(separator: ","))\(block), "
                      + "dtype \(job.dtype.rawValue), layout \(job.layout.summary), seed \(job.stream.seed), stream \(job.stream.stream)"
                      + shardNote)
            }
        }
        if check {
            if let checkpoint = request.checkpoint { try WrittenCheck.check(checkpoint) } else { try WrittenCheck.check(request.jobs, at: output) }
        }
    }

    /// Whether the tensors come from a spec or a layout rather than a scheme and --shape.
    private var describesModel: Bool { modelSource.describeModel(spec: spec) }

    /// Checks every argument before any work is done, so bad input fails fast
    /// and never leaves a file behind.
    func makeRequest() throws -> Request {
        // Checked here rather than by the parser, so a missing scheme is named first.
        if !describesModel, scheme == nil {
            throw CommandLineError.usage("missing <scheme>: give a scheme and --shape, or --spec, --like or --config")
        }
        guard let output else { throw CommandLineError.usage("missing --output <path>") }
        if let threads, threads < 1 { throw CommandLineError.usage("invalid --threads \(threads): must be ≥ 1") }
        let maxShardSize = try modelSource.shardSize()
        let format: TensorFileFormat
        if maxShardSize != nil {
            guard describesModel else { throw CommandLineError.usage("--max-shard-size goes with --spec, --like or --config") }
            if let given = self.format, given != .safetensors {
                throw CommandLineError.usage("--max-shard-size writes .safetensors shards; --format \(given.rawValue) does not apply")
            }
            format = .safetensors
        } else {
            guard let known = self.format ?? TensorFileFormat(path: output) else {
                throw CommandLineError.usage(
                    "invalid --output '\(output)': give a .npy or .safetensors path, or --format npy|safetensors"
                        + (describesModel ? ", or --max-shard-size SIZE for a directory of shards" : ""))
            }
            format = known
        }
        if shard == nil, shardDim != nil { throw CommandLineError.usage("--shard-dim goes with --shard i/n") }
        let selection = try shard.map { try ShardArgument.parse($0, dimension: shardDim) }
        if describesModel {
            if scheme != nil || shape != nil || !schemeOptions.isEmpty || stream != nil || layout != nil || inAxis != nil || outAxis != nil {
                throw CommandLineError.usage(
                    "--spec, --like and --config describe the tensors; give no scheme, --shape, scheme options, --stream or layout with them")
            }
            var model = try ModelSpec.plan(spec: spec, overrides: modelSource.overrides(seed: seed, dtype: dtype))
            if let selection { model = try model.sharded(selection) }
            let options = FillOptions(threads: threads), source = modelSource.source(spec: spec, rules: model.ruleSet)
            if let maxShardSize {
                let checkpoint = ShardedCheckpoint(plan: model, directory: output, maxShardSize: maxShardSize)
                try checkpoint.check()
                return Request(jobs: model.tensors, format: format, options: options, output: output, source: source,
                               checkpoint: checkpoint)
            }
            try CheckpointFile.check(model.tensors, format: format, output: output)
            return Request(jobs: model.tensors, format: format, options: options, output: output, source: source)
        }
        if modelSource.rules != nil { throw CommandLineError.usage("--rules goes with --spec, --like or --config") }
        guard let scheme, let shapeText = shape else { throw CommandLineError.usage("give a scheme and --shape, or --spec") }
        let parsed = try SchemeText(words: [scheme] + schemeOptions)
        let shape = try ShapeArgument.parse(shapeText)
        var tensor = try PlannedTensor(
            name: "weight", scheme: parsed.entry.name, given: parsed.given, shape: shape, dtype: dtype ?? .f32,
            layout: try resolvedLayout(shape: shape), stream: RandomStream(seed: seed ?? 0, stream: stream ?? 0))
        if let selection { tensor = try tensor.sharded(selection) }
        try CheckpointFile.check([tensor], format: format, output: output)
        return Request(jobs: [tensor], format: format, options: FillOptions(threads: threads), output: output)
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
}

/// A checked `generate` invocation.
struct Request {
    let jobs: [PlannedTensor]
    let format: TensorFileFormat
    let options: FillOptions
    let output: String
    /// Where a model's tensors came from (nil: a scheme and --shape).
    var source: String? = nil
    /// `--max-shard-size`: the directory of shards.
    var checkpoint: ShardedCheckpoint? = nil
}
