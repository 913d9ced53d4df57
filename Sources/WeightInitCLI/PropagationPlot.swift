#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WeightInit
import WeightInitAnalysis

/// The plot of a `propagate` run: log10(std) against layer.
struct PropagationPlot {
    let experiment: PropagationExperiment
    let labels: [String]
    let results: [PropagationResult]

    func svg() -> String {
        var series: [SVGPlot.Series] = []
        for (index, (label, result)) in zip(labels, results).enumerated() {
            let color = SVGPlot.palette[index % SVGPlot.palette.count]
            for (values, dashed) in [(result.forwardStd, false), (result.backwardStd, true)] {
                series.append(SVGPlot.Series(
                    label: label, color: color, dashed: dashed,
                    points: values.enumerated().map { (x: Double($0.offset), y: Self.log10OrInfinite($0.element)) },
                    inLegend: !dashed))
            }
        }
        return SVGPlot(
            title: "Signal scale through \(experiment.depth) dense \(experiment.activation.name) layers",
            subtitle: "width \(experiment.width), batch \(experiment.batch), seed \(experiment.seed), \(experiment.dtype.rawValue)",
            xLabel: "layer (0 = input)", yLabel: "standard deviation (log scale)", logarithmicY: true,
            series: series,
            styleLegend: [("forward: activations", false), ("backward: gradients", true)],
            offScaleNote: "off scale: overflow (top), 0 (bottom)"
        ).svg()
    }

    /// log10 of a standard deviation; +∞ for an overflow, −∞ for 0.
    static func log10OrInfinite(_ std: Double) -> Double {
        guard std.isFinite else { return .infinity }
        guard std > 0 else { return -.infinity }
        return log10(std)
    }
}
