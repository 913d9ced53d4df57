import ArgumentParser
@_spi(Plumbing) import WeightInit
import WeightInitAnalysis

/// `weightinit stats FILE`: what a weight file holds, and how well it matches
/// the scheme that made it.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print statistics of the tensors in a .npy or .safetensors file.",
        usage: "weightinit stats <file> [--tensor <name>] [--json] [--scheme <scheme> [<scheme options>]]",
        discussion: """
            For each tensor: shape, dtype, mean, std (population), min, max and the \
            fraction of zeros. When the scheme is known — from the metadata weightinit \
            writes into .safetensors files, or from --scheme and its options — also the \
            expected mean, std and bounds, the Kolmogorov–Smirnov statistic D with its \
            asymptotic p-value against the scheme's law rounded to the tensor's dtype \
            (so f16 and bf16 are judged fairly), and for orthogonal matrices \
            ‖QᵀQ − gain²·I‖_F / gain².

            --json prints one JSON object per tensor, one per line.

            Examples:
              weightinit stats model.safetensors
              weightinit stats w.npy --scheme kaiming-normal --nonlinearity relu
              weightinit stats model.safetensors --tensor fc1.weight --json
            """
    )

    @Argument(help: "A .npy or .safetensors file (told apart by content).")
    var file: String

    @Option(help: "Only this tensor of a multi-tensor file.")
    var tensor: String?

    @Flag(help: "One JSON object per tensor per line.")
    var json = false

    @Option(help: "The scheme the values should follow (overrides the file's metadata).")
    var scheme: String?

    @Option(help: "How fans are read from the shape for --scheme: torch or keras (default torch).")
    var layout: LayoutArgument?

    @OptionGroup(title: "Scheme options (with --scheme)") var schemeOptions: SchemeOptions

    func run() throws {
        let contents = try TensorFile.index(file)
        // Nothing to report is an error, not empty output: a script reading
        // --json lines would otherwise take it for success.
        guard !contents.tensors.isEmpty else { throw CommandLineError.usage("\(file) holds no tensors") }
        var tensors = contents.tensors
        if let tensor {
            tensors = tensors.filter { $0.name == tensor }
            guard !tensors.isEmpty else {
                let names = contents.tensors.prefix(20).map { TerminalText.quoted($0.name) }.joined(separator: ", ")
                let more = contents.tensors.count > 20 ? " and \(contents.tensors.count - 20) more" : ""
                throw CommandLineError.usage("no tensor \(TerminalText.quoted(tensor)) in \(file); it has: \(names)\(more)")
            }
        }
        if scheme == nil, !schemeOptions.given.isEmpty || layout != nil {
            throw CommandLineError.usage("scheme options and --layout need --scheme")
        }
        for stored in tensors {
            let expectation = try expectation(for: stored, metadata: contents.metadata)
            let report = try TensorReport(stored, in: file, expectation: expectation)
            print(json ? report.json.serialized : report.text)
        }
    }

    /// The scheme from --scheme, else from the file's metadata record, else none.
    private func expectation(for stored: TensorFile.Located, metadata: [String: String]) throws -> Expectation? {
        if let scheme {
            let job = try TensorJob(
                name: stored.name, scheme: scheme, given: schemeOptions.given, shape: stored.shape, format: stored.format,
                layout: layout?.layout ?? .torch, stream: RandomStream(seed: 0))
            return Expectation(job, source: "--scheme")
        }
        guard let text = metadata[TensorJob.metadataKey(stored.name)] else { return nil }
        // The record is a spec entry without name, shape and dtype.
        guard case let .object(members)? = try? JSONParser.parse(Array(text.utf8)) else {
            throw WeightInitError.malformedFile(path: file, reason: "metadata of \(TerminalText.quoted(stored.name)) is not a JSON object")
        }
        // A block (generate --shard) records the full shape, which the fans come from.
        var shape = JSONValue.array(stored.shape.map { .number(String($0)) })
        let isBlock = members.contains { $0.key == TensorJob.fullShapeKey }
        if let full = members.first(where: { $0.key == TensorJob.fullShapeKey })?.value { shape = full }
        let blockKeys = [TensorJob.shardKey, TensorJob.fullShapeKey, "shard-dim"]
        let entry = JSONValue.object(members.filter { !blockKeys.contains($0.key) } + [
            ("name", .string(stored.name)), ("shape", shape),
        ])
        let job: TensorJob
        do {
            job = try Spec.job(entry, index: 0, defaults: Spec.Defaults(seed: 0, layout: .torch, format: stored.format))
        } catch {
            throw WeightInitError.malformedFile(path: file, reason: "metadata of \(TerminalText.quoted(stored.name)): \(error)")
        }
        return Expectation(job, source: "metadata", isBlock: isBlock)
    }
}

/// What a scheme predicts for a tensor.
struct Expectation {
    let scheme: String
    /// Where the scheme came from: "metadata", "--scheme" or "generate".
    let source: String
    let distribution: Distribution?
    let constant: Double?
    let orthogonalGain: Double?
    /// Stacked orthogonal blocks (LSTM/GRU gates): each is checked alone.
    let orthogonalBlocks: Int

    /// `isBlock`: the tensor is one block of `job`'s shape, so its rows or
    /// columns are not orthonormal on their own and only moments are judged.
    init(_ job: TensorJob, source: String, isBlock: Bool = false) {
        scheme = job.scheme
        self.source = source
        distribution = try? job.initializer.distribution(shape: job.shape, layout: job.layout)
        switch job.initializer {
        case .zeros: constant = 0
        case .ones: constant = 1
        case let .constant(value): constant = value
        default: constant = nil
        }
        if case let .orthogonal(gain, _, blocks) = job.initializer, !isBlock, job.region == nil {
            (orthogonalGain, orthogonalBlocks) = (gain, blocks)
        } else {
            (orthogonalGain, orthogonalBlocks) = (nil, 1)
        }
    }
}

/// The statistics of one tensor, printed as text or JSON, and what `--check` flags.
struct TensorReport {
    /// The KS test runs on at most this many values (every k-th by flat
    /// index): sorting is the only step that needs them all at once, and
    /// 4M values resolve D to about 0.001.
    static let ksSampleLimit = 1 << 22

    let tensor: TensorFile.Located
    let statistics: TensorStatistics
    let expectation: Expectation?
    let ks: KolmogorovSmirnov.Result?
    let orthogonalityError: Double?

    /// Reads `tensor` of the file at `path` chunk by chunk: memory is one
    /// chunk plus the KS sample, except for the orthogonality check, which
    /// needs the whole matrix (as generating it did).
    init(_ tensor: TensorFile.Located, in path: String, expectation: Expectation?) throws {
        self.tensor = tensor
        self.expectation = expectation
        var accumulator = TensorStatistics.Accumulator(
            expectedCount: tensor.elementCount, sampleLimit: expectation?.distribution == nil ? nil : Self.ksSampleLimit)
        var gain: Double?
        if let g = expectation?.orthogonalGain, g > 0, tensor.shape.count >= 2, tensor.elementCount > 0 { gain = g }
        var matrix: [Double] = []
        try TensorFile.forEachChunk(of: tensor, in: path) { chunk in
            accumulator.add(chunk)
            if gain != nil { matrix += chunk }
        }
        statistics = accumulator.statistics
        // Against the law of the stored values: f16/bf16 rounding is far
        // coarser than what millions of values resolve (StoredDistribution).
        ks = expectation?.distribution.map {
            KolmogorovSmirnov.test(accumulator.sample, against: $0, storedAs: tensor.format)
        }
        // Flattened as the orthogonal scheme flattens: rows × ∏ rest, cut
        // into its stacked blocks of rows; the error is the largest block's.
        let blocks = expectation?.orthogonalBlocks ?? 1
        orthogonalityError = try gain.map { gain in
            let rows = tensor.shape[0] / max(1, blocks), columns = matrix.count / tensor.shape[0]
            return try (0 ..< max(1, blocks)).map { block in
                try Orthogonality.error(Array(matrix[block * rows * columns ..< (block + 1) * rows * columns]),
                                        rows: rows, columns: columns, gain: gain)
            }.max() ?? 0
        }
    }

    /// Unit roundoff-scale ε of the stored format, for the orthogonality ratio.
    private var epsilon: Double {
        switch tensor.format {
        case .f64: Double.ulpOfOne
        case .f32: Double(Float.ulpOfOne)
        case .f16: 0x1p-10
        case .bf16: 0x1p-7
        }
    }

    /// Why the values do not match their scheme (empty: they do), for every
    /// dtype: KS compares with the scheme's law rounded to the stored format.
    var problems: [String] {
        var problems: [String] = []
        if statistics.nonFiniteCount > 0 { problems.append("\(statistics.nonFiniteCount) values are NaN or infinite") }
        guard let expectation else { return problems }
        if let constant = expectation.constant {
            // The stored value is the constant rounded to the format.
            if statistics.min != statistics.max || abs(statistics.min - constant) > abs(constant) * epsilon {
                problems.append("values are not all \(constant)")
            }
        }
        if let distribution = expectation.distribution {
            let (low, high) = distribution.support
            if statistics.min < low || statistics.max > high {
                problems.append("values [\(statistics.min), \(statistics.max)] leave the support [\(low), \(high)]")
            }
            if let ks, ks.count >= 100, ks.pValue < 1e-6 {
                problems.append("KS test rejects \(expectation.scheme): D = \(ks.statistic), p = \(ks.pValue)")
            }
        }
        if let error = orthogonalityError {
            let rows = tensor.shape[0] / max(1, expectation.orthogonalBlocks)
            let ratio = error / (Double(min(rows, statistics.count / tensor.shape[0])) * epsilon)
            if !(ratio < 10) { problems.append("not orthogonal: ‖QᵀQ − I‖_F = \(error), \(ratio)·n·ε") }
        }
        return problems
    }

    var text: String {
        let s = statistics
        var lines = [
            // The name comes from the file: escaped and clipped like any text from outside.
            "\(TerminalText.escaped(tensor.name, limit: 256)): shape \(tensor.shape.map(String.init).joined(separator: ",")), "
                + "dtype \(tensor.format.rawValue), \(s.count) values",
            "  mean \(s.mean)  std \(s.std)  min \(s.min)  max \(s.max)  zeros \(s.zeroFraction)",
        ]
        if s.nonFiniteCount > 0 { lines.append("  non-finite values: \(s.nonFiniteCount)") }
        if let expectation {
            var line = "  scheme \(expectation.scheme) (from \(expectation.source))"
            if let d = expectation.distribution {
                line += ": expected mean \(d.expectedMean)  std \(d.expectedStd)  bounds [\(d.support.low), \(d.support.high)]"
            } else if let constant = expectation.constant {
                line += ": every value \(constant)"
            }
            lines.append(line)
        }
        if let ks {
            let sampled = ks.count < statistics.count - statistics.nonFiniteCount ? ", every \(statistics.count / ks.count)th value" : ""
            lines.append("  Kolmogorov–Smirnov: D \(ks.statistic)  p \(ks.pValue)  (n \(ks.count)\(sampled))")
        }
        if let orthogonalityError {
            lines.append("  orthogonality: ‖QᵀQ − gain²·I‖_F / gain² = \(orthogonalityError)")
        }
        return lines.joined(separator: "\n")
    }

    var json: JSONValue {
        func number(_ value: Double) -> JSONValue { value.isFinite ? .number("\(value)") : .null }
        let s = statistics
        var members: [(key: String, value: JSONValue)] = [
            ("name", .string(tensor.name)),
            ("shape", .array(tensor.shape.map { .number(String($0)) })),
            ("dtype", .string(tensor.format.rawValue)),
            ("count", .number(String(s.count))),
            ("mean", number(s.mean)), ("std", number(s.std)), ("min", number(s.min)), ("max", number(s.max)),
            ("zero_fraction", number(s.zeroFraction)), ("non_finite", .number(String(s.nonFiniteCount))),
        ]
        if let expectation {
            members.append(("scheme", .string(expectation.scheme)))
            members.append(("scheme_source", .string(expectation.source)))
            if let d = expectation.distribution {
                members.append(("expected", .object([
                    ("mean", number(d.expectedMean)), ("std", number(d.expectedStd)),
                    ("low", number(d.support.low)), ("high", number(d.support.high)),
                ])))
            }
        }
        if let ks {
            members.append(("ks", .object([
                ("statistic", number(ks.statistic)), ("p_value", number(ks.pValue)), ("n", .number(String(ks.count))),
            ])))
        }
        if let orthogonalityError { members.append(("orthogonality_error", number(orthogonalityError))) }
        return .object(members)
    }
}

/// `generate --check` found values that do not match their scheme (exit 1).
struct CheckFailure: Error, CustomStringConvertible, KindedError {
    let description: String

    var kind: ErrorKind { .failure }
}
