import WeightInit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WeightInitAnalysis

/// The plot of a `train` run: every scheme's learning curves side by side,
/// one column per scheme (at most four to a row) — loss on a shared log
/// scale above, held-out accuracy below — with the linear baseline in grey
/// in every panel and a circle where a run diverged. Panels rather than one
/// chart, because runs that learn nothing coincide and would hide each other.
struct TrainingPlot {
    let report: TrainingReport

    static let baselineColor = "#999"
    static let targetColor = "#bbb"
    static let columns = 4
    /// log10 of the highest loss on the scale.
    static let lossCeiling = 1.0

    func svg() -> String {
        let setup = report.setup, baseline = report.baseline
        // One loss scale for every panel, so the panels compare at a glance.
        let logs = (report.results + [baseline]).flatMap { $0.heldOutLoss + $0.trainingLoss }
            .filter(\.isFinite).map(Self.log10OrInfinite)
        // The scale stops at 10: a loss above it (an exploding network
        // starts at 10⁵ and more) would squeeze every other curve flat; its
        // line leaves the panel at the top.
        let lossRange = (low: min((logs.min() ?? -1).rounded(.down), -1), high: Self.lossCeiling)

        func points(_ values: [Double], log: Bool) -> [(x: Double, y: Double)] {
            values.enumerated().map { (x: Double($0.offset), y: log ? Self.log10OrInfinite($0.element) : $0.element) }
        }
        func panels(_ index: Int) -> (loss: SVGPlot, accuracy: SVGPlot) {
            let (label, result) = (report.labels[index], report.results[index])
            let color = SVGPlot.palette[index % SVGPlot.palette.count]
            let marked = Set(result.divergedEpoch.map { [$0] } ?? [])
            let loss = SVGPlot(
                title: label, subtitle: "", xLabel: "epoch", yLabel: "loss (log scale)", logarithmicY: true,
                series: [
                    .init(label: "baseline", color: Self.baselineColor, dashed: false,
                          points: points(baseline.heldOutLoss, log: true), inLegend: false),
                    .init(label: label, color: color, dashed: true,
                          points: points(result.trainingLoss, log: true), inLegend: false, marked: marked),
                    .init(label: label, color: color, dashed: false,
                          points: points(result.heldOutLoss, log: true), inLegend: false, marked: marked),
                ],
                styleLegend: [], offScaleNote: "", yRange: lossRange, hasLegend: false, geometry: .panel)
            let accuracy = SVGPlot(
                title: "", subtitle: "", xLabel: "epoch", yLabel: "held-out accuracy", logarithmicY: false,
                series: [
                    .init(label: "target", color: Self.targetColor, dashed: true,
                          points: [(0, setup.targetAccuracy), (Double(setup.epochs), setup.targetAccuracy)], inLegend: false),
                    .init(label: "baseline", color: Self.baselineColor, dashed: false,
                          points: points(baseline.heldOutAccuracy, log: false), inLegend: false),
                    .init(label: label, color: color, dashed: false,
                          points: points(result.heldOutAccuracy, log: false), inLegend: false, marked: marked),
                ],
                styleLegend: [], offScaleNote: "", yRange: (0, 1), hasLegend: false, geometry: .untitledPanel)
            return (loss, accuracy)
        }

        var rows: [[SVGPlot]] = []
        for start in stride(from: 0, to: report.results.count, by: Self.columns) {
            let group = (start ..< min(start + Self.columns, report.results.count)).map(panels)
            rows += [group.map(\.loss), group.map(\.accuracy)]
        }
        return SVGPlot.grid(
            rows,
            title: "Training from each initialisation: \(setup.depth) hidden \(setup.activation.name) layers of \(setup.width) units",
            subtitle: "two spirals, \(setup.samples) training + \(setup.samples) held-out points; SGD lr "
                + "\(formatC("%g", setup.learningRate)), momentum \(formatC("%g", setup.momentum)), batch \(setup.batch); "
                + "seed \(setup.seed); losses above 10 leave the panel at the top",
            legend: [
                .init(text: "held-out set", color: SVGPlot.ink, dashed: false, marker: false),
                .init(text: "training set", color: SVGPlot.ink, dashed: true, marker: false),
                .init(text: "linear baseline (no hidden layer), held-out", color: Self.baselineColor, dashed: false, marker: false),
                .init(text: "target accuracy \(formatC("%g", setup.targetAccuracy))", color: Self.targetColor, dashed: true, marker: false),
                .init(text: "diverged: loss not finite", color: SVGPlot.ink, dashed: false, marker: true),
            ])
    }

    /// log10 of a loss; +∞ once the run diverged (drawn on the top edge).
    static func log10OrInfinite(_ loss: Double) -> Double {
        guard loss.isFinite else { return .infinity }
        return log10(max(loss, 1e-30))
    }
}
