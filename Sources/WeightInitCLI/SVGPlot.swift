#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@_spi(Plumbing) import WeightInit
import WeightInitAnalysis

/// A small SVG line chart: axes, ticks, grid, legend, solid or dashed lines.
/// Written by hand so the tool needs no plotting dependency; the output is
/// plain SVG 1.1 that browsers and `rsvg-convert` render alike.
struct SVGPlot {
    struct Series {
        let label: String
        let color: String
        let dashed: Bool
        /// Points in data coordinates; y = ±∞ is off the scale and drawn on the
        /// top or bottom edge with a marker.
        let points: [(x: Double, y: Double)]
        /// Whether the legend lists this series (a forward/backward pair shares one entry).
        let inLegend: Bool
    }

    var title: String
    var subtitle: String
    var xLabel: String
    var yLabel: String
    /// y values are log10 of the quantity: ticks are labelled 10ᵏ.
    var logarithmicY: Bool
    var series: [Series]
    /// Extra legend lines explaining line styles: (text, dashed).
    var styleLegend: [(String, dashed: Bool)]
    /// Text for the off-scale marker in the legend, shown only if a point is off scale.
    var offScaleNote: String

    /// Axis and marker colour.
    static let ink = "#333"
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]

    // Geometry, in SVG user units (px).
    private let plotWidth = 560.0, plotHeight = 380.0
    private let left = 78.0, top = 62.0, bottom = 58.0, gap = 24.0
    private let characterWidth = 6.8   // of 12 px sans-serif text, generously

    func svg() -> String {
        let finite = series.flatMap(\.points).filter { $0.y.isFinite }
        let xs = series.flatMap(\.points).map(\.x)
        let (xMin, xMax) = Self.range(xs.min() ?? 0, xs.max() ?? 1)
        var (yLow, yHigh) = Self.range(finite.map(\.y).min() ?? 0, finite.map(\.y).max() ?? 0)
        if logarithmicY {
            // Whole decades, at least two: a stable signal should look flat,
            // not show its sampling noise magnified to fill the plot.
            (yLow, yHigh) = (yLow.rounded(.down), yHigh.rounded(.up))
            if yHigh - yLow < 2 { (yLow, yHigh) = (yLow - 1, yHigh + 1) }
        }
        let xTicks = Self.ticks(xMin, xMax, maxCount: 11)
        let yTicks = Self.ticks(yLow, yHigh, maxCount: 9, minimumStep: logarithmicY ? 1 : 0)
        let (x0, x1) = (xTicks.first!, xTicks.last!), (y0, y1) = (yTicks.first!, yTicks.last!)
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotWidth }
        func py(_ y: Double) -> Double {
            if y == .infinity { return top }
            if y == -.infinity || y.isNaN { return top + plotHeight }
            return top + (y1 - y) / (y1 - y0) * plotHeight
        }

        let legendLabels = series.filter(\.inLegend).map(\.label) + styleLegend.map(\.0) + [offScaleNote]
        let legendWidth = 44 + characterWidth * Double(legendLabels.map(\.count).max() ?? 0)
        let width = left + plotWidth + gap + legendWidth + 16
        let height = top + plotHeight + bottom
        var out: [String] = []
        out.append(#"<svg xmlns="http://www.w3.org/2000/svg" width="\#(n(width))" height="\#(n(height))" viewBox="0 0 \#(n(width)) \#(n(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">"#)
        out.append(#"<rect width="100%" height="100%" fill="white"/>"#)
        out.append(text(left, 24, title, size: 16, weight: "bold"))
        out.append(text(left, 44, subtitle, size: 12, fill: "#555"))

        // Grid and ticks.
        for t in xTicks {
            out.append(line(px(t), top, px(t), top + plotHeight, stroke: "#e5e5e5"))
            out.append(line(px(t), top + plotHeight, px(t), top + plotHeight + 5, stroke: "#333"))
            out.append(text(px(t), top + plotHeight + 19, Self.label(t), anchor: "middle"))
        }
        for t in yTicks {
            out.append(line(left, py(t), left + plotWidth, py(t), stroke: t == 0 && logarithmicY ? "#bbb" : "#e5e5e5"))
            out.append(line(left - 5, py(t), left, py(t), stroke: "#333"))
            if logarithmicY {
                out.append(#"<text x="\#(n(left - 9))" y="\#(n(py(t) + 4))" text-anchor="end">10<tspan dy="-6" font-size="9">\#(escape(Self.label(t)))</tspan></text>"#)
            } else {
                out.append(text(left - 9, py(t) + 4, Self.label(t), anchor: "end"))
            }
        }
        out.append(#"<rect x="\#(n(left))" y="\#(n(top))" width="\#(n(plotWidth))" height="\#(n(plotHeight))" fill="none" stroke="\#(Self.ink)"/>"#)
        out.append(text(left + plotWidth / 2, height - 14, xLabel, anchor: "middle"))
        out.append(#"<text transform="translate(20 \#(n(top + plotHeight / 2))) rotate(-90)" text-anchor="middle">\#(escape(yLabel))</text>"#)

        // Lines, clipped to the plot area. Runs of off-scale points are not
        // drawn along the edge (that would read as a value): the line steps to
        // the edge where it leaves or re-enters the scale, with a marker there.
        out.append(#"<clipPath id="plot"><rect x="\#(n(left - 5))" y="\#(n(top - 5))" width="\#(n(plotWidth + 10))" height="\#(n(plotHeight + 10))"/></clipPath>"#)
        out.append(#"<g clip-path="url(#plot)" fill="none" stroke-width="2" stroke-linejoin="round">"#)
        var offScale = false
        for s in series {
            let dash = s.dashed ? #" stroke-dasharray="7 4""# : ""
            var run: [String] = []
            var markers: [(Double, Double)] = []
            func flush() {
                if run.count >= 2 { out.append(#"<polyline points="\#(run.joined(separator: " "))" stroke="\#(s.color)"\#(dash)/>"#) }
                run = []
            }
            for (index, point) in s.points.enumerated() {
                if point.y.isFinite {
                    run.append("\(n(px(point.x))),\(n(py(point.y)))")
                    continue
                }
                let previousFinite = index > 0 && s.points[index - 1].y.isFinite
                let nextFinite = index + 1 < s.points.count && s.points[index + 1].y.isFinite
                if previousFinite || nextFinite { markers.append((px(point.x), py(point.y))) }
                if previousFinite { run.append("\(n(px(point.x))),\(n(py(point.y)))") }
                flush()
                if nextFinite { run.append("\(n(px(point.x))),\(n(py(point.y)))") }
            }
            flush()
            for (x, y) in markers {
                offScale = true
                out.append(#"<circle cx="\#(n(x))" cy="\#(n(y))" r="4" fill="white" stroke="\#(s.color)"/>"#)
            }
        }
        out.append("</g>")

        // Legend, right of the plot.
        var y = top + 6
        let lx = left + plotWidth + gap
        for s in series where s.inLegend {
            out.append(line(lx, y, lx + 28, y, stroke: s.color, width: 3))
            out.append(text(lx + 36, y + 4, s.label))
            y += 20
        }
        y += 8
        for (label, dashed) in styleLegend {
            out.append(line(lx, y, lx + 28, y, stroke: "#444", width: 2, dashed: dashed))
            out.append(text(lx + 36, y + 4, label))
            y += 20
        }
        if offScale {
            out.append(#"<circle cx="\#(n(lx + 14))" cy="\#(n(y))" r="4" fill="white" stroke="\#(Self.ink)" stroke-width="2"/>"#)
            out.append(text(lx + 36, y + 4, offScaleNote))
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: Scales

    /// A non-empty range around [low, high].
    static func range(_ low: Double, _ high: Double) -> (Double, Double) {
        low < high ? (low, high) : (low - 1, high + 1)
    }

    /// Round tick values covering [low, high]: a step of 1, 2 or 5 × 10ᵏ giving
    /// at most `maxCount` ticks, the first ≤ low and the last ≥ high.
    static func ticks(_ low: Double, _ high: Double, maxCount: Int, minimumStep: Double = 0) -> [Double] {
        let span = high - low
        var magnitude = pow10(Int((span / Double(maxCount - 1)).log10Floor))
        while true {
            for factor in [1.0, 2, 5] where factor * magnitude >= minimumStep {
                let step = factor * magnitude
                let first = (low / step).rounded(.down), last = (high / step).rounded(.up)
                if last - first + 1 <= Double(maxCount) {
                    return stride(from: first, through: last, by: 1).map { $0 * step }
                }
            }
            magnitude *= 10
        }
    }

    static func pow10(_ k: Int) -> Double {
        var result = 1.0
        for _ in 0 ..< abs(k) { result *= 10 }
        return k < 0 ? 1 / result : result
    }

    /// A tick label: integers without a decimal point, others to 3 significant digits.
    static func label(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return "\(Int(value))" }
        return formatC("%.3g", value)
    }

    // MARK: Elements

    private func n(_ value: Double) -> String { formatC("%.1f", value) }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
                      width: Double = 1, dashed: Bool = false) -> String {
        #"<line x1="\#(n(x1))" y1="\#(n(y1))" x2="\#(n(x2))" y2="\#(n(y2))" stroke="\#(stroke)" stroke-width="\#(n(width))"\#(dashed ? #" stroke-dasharray="7 4""# : "")/>"#
    }

    private func text(_ x: Double, _ y: Double, _ content: String, size: Double = 12, weight: String = "normal",
                      anchor: String = "start", fill: String = "#222") -> String {
        #"<text x="\#(n(x))" y="\#(n(y))" font-size="\#(n(size))" font-weight="\#(weight)" text-anchor="\#(anchor)" fill="\#(fill)">\#(escape(content))</text>"#
    }

    private func escape(_ text: String) -> String {
        var result = ""
        for c in text {
            switch c {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(c)
            }
        }
        return result
    }
}

private extension Double {
    /// ⌊log10(self)⌋ for self > 0, by repeated division (exact for powers of ten).
    var log10Floor: Int {
        guard self > 0, isFinite else { return 0 }
        var k = 0, v = self
        while v >= 10 { v /= 10; k += 1 }
        while v < 1 { v *= 10; k -= 1 }
        return k
    }
}

/// The plot of a `propagate` run: log10(std) against layer.
struct PropagationPlot {
    let experiment: Experiment
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
