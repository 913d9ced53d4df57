#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WeightInit
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
        /// Indices of points that get a marker wherever they are (off-scale
        /// points get one anyway where the line leaves or re-enters the scale).
        var marked: Set<Int> = []
        /// Line width in px (default 2); wider lines drawn first stay
        /// visible under narrower ones that coincide with them.
        var width: Double? = nil
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
    /// A fixed y range (log10 of it for a logarithmic axis), extended to
    /// whole ticks; `nil`: from the data. Panels compared side by side share one.
    var yRange: (low: Double, high: Double)? = nil
    /// Whether the plot has a legend at its right (panels of a grid share one).
    var hasLegend = true
    var geometry = Geometry()

    /// Sizes, in SVG user units (px).
    struct Geometry {
        var plotWidth = 560.0
        var plotHeight = 380.0
        /// Margins around the plot area: tick labels left, title and subtitle
        /// above, x labels below; `gap` between the plot area and the legend.
        var left = 78.0, top = 62.0, bottom = 58.0, gap = 24.0
        var titleSize = 16.0

        /// Whether a title wider than the plot breaks onto a second line.
        var wrapsTitle = false

        /// A panel of a grid: a small plot area, room for a title of two lines, no legend.
        static let panel = Geometry(plotWidth: 250, plotHeight: 150, left: 60, top: 46, bottom: 44, gap: 0,
                                    titleSize: 12, wrapsTitle: true)
        /// A panel without a title, under another.
        static let untitledPanel = Geometry(plotWidth: 250, plotHeight: 150, left: 60, top: 16, bottom: 44, gap: 0,
                                            titleSize: 12)
    }

    /// The title as drawn: one line, or two broken at a space when it is
    /// wider than the plot area and the geometry wraps titles.
    private var titleLines: [String] {
        let fits = Int((geometry.plotWidth + 10) / (geometry.titleSize * 0.62))
        guard geometry.wrapsTitle, title.count > fits else { return title.isEmpty ? [] : [title] }
        let words = title.split(separator: " ")
        var first = ""
        for word in words {
            guard first.isEmpty || first.count + 1 + word.count <= fits else { break }
            first += (first.isEmpty ? "" : " ") + word
        }
        return [first, String(title.dropFirst(first.count + 1))]
    }

    /// Axis and marker colour.
    static let ink = "#333"
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]

    private var characterWidth: Double { 6.8 }   // of 12 px sans-serif text, generously

    /// The plot as an SVG document.
    func svg() -> String {
        let (width, height, body) = elements(clipID: "plot")
        return ([Self.header(width: width, height: height)] + body + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    /// An entry of a grid's shared legend: a line sample or a marker, and its text.
    struct LegendEntry {
        let text: String
        let color: String
        let dashed: Bool
        let marker: Bool
    }

    /// Panels in rows, under one title, with one legend along the bottom.
    static func grid(_ rows: [[SVGPlot]], title: String, subtitle: String, legend: [LegendEntry]) -> String {
        let header = 58.0, footer = 40.0, margin = 10.0
        var y = header, width = 0.0, body: [String] = [#"<rect width="100%" height="100%" fill="white"/>"#]
        body.append(##"<text x="\##(formatC("%.1f", margin))" y="24" font-size="16" font-weight="bold" fill="#222">\##(escape(title))</text>"##)
        body.append(##"<text x="\##(formatC("%.1f", margin))" y="44" font-size="12" fill="#555">\##(escape(subtitle))</text>"##)
        for (r, row) in rows.enumerated() {
            var x = 0.0, height = 0.0
            for (c, plot) in row.enumerated() {
                let panel = plot.elements(clipID: "plot\(r)-\(c)")
                body.append(#"<g transform="translate(\#(formatC("%.1f", x)) \#(formatC("%.1f", y)))">"#)
                body += panel.body
                body.append("</g>")
                x += panel.width
                height = max(height, panel.height)
            }
            width = max(width, x)
            y += height
        }
        // The legend, left to right along the bottom.
        var x = margin
        let ly = y + footer / 2
        for entry in legend {
            if entry.marker {
                body.append(#"<circle cx="\#(formatC("%.1f", x + 14))" cy="\#(formatC("%.1f", ly))" r="4" fill="white" stroke="\#(entry.color)" stroke-width="2"/>"#)
            } else {
                let dash = entry.dashed ? #" stroke-dasharray="7 4""# : ""
                body.append(#"<line x1="\#(formatC("%.1f", x))" y1="\#(formatC("%.1f", ly))" x2="\#(formatC("%.1f", x + 28))" y2="\#(formatC("%.1f", ly))" stroke="\#(entry.color)" stroke-width="2"\#(dash)/>"#)
            }
            body.append(##"<text x="\##(formatC("%.1f", x + 36))" y="\##(formatC("%.1f", ly + 4))" font-size="12" fill="#222">\##(escape(entry.text))</text>"##)
            x += 36 + 6.8 * Double(entry.text.count) + 24
        }
        width = max(width, x)
        return ([Self.header(width: width, height: y + footer)] + body + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    private static func header(width: Double, height: Double) -> String {
        let (w, h) = (formatC("%.1f", width), formatC("%.1f", height))
        return #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(w)" height="\#(h)" viewBox="0 0 \#(w) \#(h)" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">"#
    }

    /// Everything inside the `<svg>` element, and the size it takes; the
    /// clip path is named `clipID`, unique within the document.
    private func elements(clipID: String) -> (width: Double, height: Double, body: [String]) {
        let (plotWidth, plotHeight) = (geometry.plotWidth, geometry.plotHeight)
        let (left, top, bottom, gap) = (geometry.left, geometry.top, geometry.bottom, geometry.gap)
        let finite = series.flatMap(\.points).filter { $0.y.isFinite }
        let xs = series.flatMap(\.points).map(\.x)
        let (xMin, xMax) = Self.range(xs.min() ?? 0, xs.max() ?? 1)
        var (yLow, yHigh) = yRange ?? Self.range(finite.map(\.y).min() ?? 0, finite.map(\.y).max() ?? 0)
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
        let legendWidth = hasLegend ? 44 + characterWidth * Double(legendLabels.map(\.count).max() ?? 0) : 0
        let width = left + plotWidth + gap + legendWidth + 16
        let height = top + plotHeight + bottom
        var out: [String] = []
        out.append(#"<rect width="\#(n(width))" height="\#(n(height))" fill="white"/>"#)
        for (index, line) in titleLines.enumerated() {
            let y = geometry.titleSize + 8 + Double(index) * (geometry.titleSize + 3)
            out.append(text(left, y, line, size: geometry.titleSize, weight: "bold"))
        }
        if !subtitle.isEmpty { out.append(text(left, 44, subtitle, size: 12, fill: "#555")) }

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
        out.append(#"<clipPath id="\#(clipID)"><rect x="\#(n(left - 5))" y="\#(n(top - 5))" width="\#(n(plotWidth + 10))" height="\#(n(plotHeight + 10))"/></clipPath>"#)
        out.append(#"<g clip-path="url(#\#(clipID))" fill="none" stroke-width="2" stroke-linejoin="round">"#)
        var offScale = false
        for s in series {
            let dash = (s.dashed ? #" stroke-dasharray="7 4""# : "") + (s.width.map { #" stroke-width="\#(n($0))""# } ?? "")
            var run: [String] = []
            var markers: [(Double, Double)] = []
            func flush() {
                if run.count >= 2 { out.append(#"<polyline points="\#(run.joined(separator: " "))" stroke="\#(s.color)"\#(dash)/>"#) }
                run = []
            }
            for (index, point) in s.points.enumerated() {
                if point.y.isFinite {
                    run.append("\(n(px(point.x))),\(n(py(point.y)))")
                    if s.marked.contains(index) { markers.append((px(point.x), py(point.y))) }
                    continue
                }
                let previousFinite = index > 0 && s.points[index - 1].y.isFinite
                let nextFinite = index + 1 < s.points.count && s.points[index + 1].y.isFinite
                if previousFinite || nextFinite || s.marked.contains(index) { markers.append((px(point.x), py(point.y))) }
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
        guard hasLegend else { return (width, height, out) }
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
        return (width, height, out)
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

    private func escape(_ text: String) -> String { Self.escape(text) }

    private static func escape(_ text: String) -> String {
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
