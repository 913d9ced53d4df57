import ArgumentParser
@_spi(Plumbing) import WeightInit
import WeightInitModels
import WeightInitAnalysis

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
    /// A tensor with parts follows no one law: only its statistics are
    /// printed (each part is its scheme's, as the metadata records).
    init(_ job: PlannedTensor, source: String, isBlock: Bool = false) {
        let composed = !job.parts.isEmpty
        scheme = composed ? "\(job.schemeName) with \(job.parts.count) part\(job.parts.count == 1 ? "" : "s")" : job.schemeName
        self.source = source
        distribution = composed ? nil : try? job.initializer.distribution(shape: job.fillShape, layout: job.layout)
        switch job.initializer {
        case _ where composed: constant = nil
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
        ks = tensor.dtype.isFloatingPoint
            ? expectation?.distribution.map { KolmogorovSmirnov.test(accumulator.sample, against: $0, storedAs: tensor.dtype) }
            : nil
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
        switch tensor.dtype {
        case .f64: Double.ulpOfOne
        case .f32: Double(Float.ulpOfOne)
        case .f16: 0x1p-10
        case .bf16: 0x1p-7
        case .i64, .i32, .u8, .bool: 0   // integers hold their constants exactly
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
            "\(TerminalText.escaped(tensor.name, limit: 256)): shape \(tensor.shape.isEmpty ? "[] (scalar)" : tensor.shape.map(String.init).joined(separator: ",")), "
                + "dtype \(tensor.dtype.rawValue), \(s.count) values",
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
            ("dtype", .string(tensor.dtype.rawValue)),
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
