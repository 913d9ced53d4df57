@_spi(Plumbing) import WeightInit
import WeightInitAnalysis

/// What `train` measured, as the tables and the JSON its `--help` describes.
struct TrainingReport {
    let setup: TrainingSetup
    let labels: [String]
    let results: [TrainingResult]
    /// The same training without hidden layers.
    let baseline: TrainingResult

    var summary: String {
        "two spirals, \(setup.samples) training + \(setup.samples) held-out points; \(setup.depth) hidden "
            + "\(setup.activation.name) layers of \(setup.width) units, linear output; SGD lr \(formatC("%g", setup.learningRate)), "
            + "momentum \(formatC("%g", setup.momentum)), batch \(setup.batch); \(setup.epochs) epochs; seed \(setup.seed)"
    }

    // MARK: Tables

    /// Per-epoch curves, then per-layer gradient norms and distinct units,
    /// then one summary row per scheme (last, where a terminal shows it).
    var table: String {
        var lines = ["# \(summary)"]
        lines += curves + [""] + gradientNorms + [""] + distinctUnits + [""] + outcomes
        return lines.joined(separator: "\n")
    }

    private var curves: [String] {
        let widths = labels.map { max(Self.curveGroup, $0.count) }
        func row(_ first: String, _ cells: (Int) -> String) -> String {
            pad(first, 5) + labels.indices.map { "   " + pad(cells($0), widths[$0]) }.joined()
        }
        var lines = ["# held-out loss and accuracy, then training loss and accuracy, after each epoch (0: as initialised)"]
        lines.append(row("") { labels[$0] })
        lines.append(row("epoch") { _ in
            [pad("held-out", 10), pad("acc", 6), pad("train", 10), pad("acc", 6)].joined(separator: " ")
        })
        for epoch in 0 ... setup.epochs {
            lines.append(row("\(epoch)") { index in
                let r = results[index]
                guard epoch < r.heldOutLoss.count else { return "" }
                return [pad(Self.loss(r.heldOutLoss[epoch]), 10), pad(Self.accuracy(r.heldOutAccuracy[epoch]), 6),
                        pad(Self.loss(r.trainingLoss[epoch]), 10), pad(Self.accuracy(r.trainingAccuracy[epoch]), 6)]
                    .joined(separator: " ")
            })
        }
        return lines
    }

    /// Width of one scheme's four numbers in the curves table.
    private static let curveGroup = 10 + 1 + 6 + 1 + 10 + 1 + 6

    private var gradientNorms: [String] {
        let widths = labels.map { max(11, $0.count) }
        var lines = ["# norm of the loss gradient of each weight matrix at the first step (layer \(setup.depth + 1): output)"]
        lines.append(pad("layer", 5) + labels.indices.map { "   " + pad(labels[$0], widths[$0]) }.joined())
        for layer in 0 ... setup.depth {
            lines.append(pad("\(layer + 1)", 5) + labels.indices.map {
                "   " + pad(formatC("%.3e", results[$0].firstStepGradientNorms[layer]), widths[$0])
            }.joined())
        }
        return lines
    }

    private var distinctUnits: [String] {
        let widths = labels.map { max(11, $0.count) }
        var lines = ["# distinct units per hidden layer (incoming weights and bias differ by > 1e-4 of the layer's largest), start -> end"]
        lines.append(pad("layer", 5) + labels.indices.map { "   " + pad(labels[$0], widths[$0]) }.joined())
        for layer in 0 ..< setup.depth {
            lines.append(pad("\(layer + 1)", 5) + labels.indices.map {
                "   " + pad("\(results[$0].distinctUnitsAtStart[layer]) -> \(results[$0].distinctUnitsAtEnd[layer])", widths[$0])
            }.joined())
        }
        return lines
    }

    private var outcomes: [String] {
        let target = formatC("%.2f", setup.targetAccuracy)
        let headers = ["held-out loss start", "end", "accuracy end", "best", "reached \(target) at", "diverged at"]
        func cells(_ r: TrainingResult) -> [String] {
            [Self.loss(r.heldOutLoss.first!), Self.loss(r.heldOutLoss.last!), Self.accuracy(r.heldOutAccuracy.last!),
             Self.accuracy(r.heldOutAccuracy.max()!), r.epochsToTarget.map { "epoch \($0)" } ?? "never",
             r.divergedEpoch.map { "epoch \($0)" } ?? "-"]
        }
        let rows = [("scheme", headers)] + zip(labels, results).map { ($0, cells($1)) }
            + [("linear baseline", cells(baseline))]
        let labelWidth = rows.map(\.0.count).max()!
        let widths = headers.indices.map { column in rows.map { $0.1[column].count }.max()! }
        return ["# outcome per scheme; the linear baseline is the same training without hidden layers"]
            + rows.map { label, cells in
                label + String(repeating: " ", count: labelWidth - label.count)
                    + cells.indices.map { "   " + pad(cells[$0], widths[$0]) }.joined()
            }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// A loss: 4 decimals, or 4 significant digits when large; "inf" once diverged.
    static func loss(_ value: Double) -> String {
        guard value.isFinite else { return "inf" }
        return value < 1000 ? formatC("%.4f", value) : formatC("%.3e", value)
    }

    static func accuracy(_ value: Double) -> String { formatC("%.3f", value) }

    // MARK: JSON

    /// The object documented in `train --help`.
    var json: String {
        func curves(_ r: TrainingResult) -> [(String, JSONValue)] {
            [("loss", .array(r.heldOutLoss.map(JSONValue.number))),
             ("accuracy", .array(r.heldOutAccuracy.map(JSONValue.number))),
             ("train_loss", .array(r.trainingLoss.map(JSONValue.number))),
             ("train_accuracy", .array(r.trainingAccuracy.map(JSONValue.number)))]
        }
        let runs = zip(labels, results).map { label, r in
            JSONValue.object([("scheme", .string(label))] + curves(r) + [
                ("epochs_to_target", r.epochsToTarget.map { JSONValue.number($0) } ?? .null),
                ("diverged_epoch", r.divergedEpoch.map { JSONValue.number($0) } ?? .null),
                ("distinct_units_start", .array(r.distinctUnitsAtStart.map { JSONValue.number($0) })),
                ("distinct_units_end", .array(r.distinctUnitsAtEnd.map { JSONValue.number($0) })),
                ("first_step_grad_norm", .array(r.firstStepGradientNorms.map(JSONValue.number))),
            ])
        }
        return JSONValue.object([
            ("task", .string("two-spirals")), ("activation", .string(setup.activation.name)),
            ("depth", .number(setup.depth)), ("width", .number(setup.width)), ("epochs", .number(setup.epochs)),
            ("lr", .number(setup.learningRate)), ("momentum", .number(setup.momentum)), ("batch", .number(setup.batch)),
            ("samples", .number(setup.samples)), ("target_accuracy", .number(setup.targetAccuracy)),
            ("seed", .number(setup.seed)), ("threads", setup.threads.map { JSONValue.number($0) } ?? .null),
            ("linear_baseline", .object(curves(baseline))),
            ("runs", .array(runs)),
        ]).serialized
    }
}
