// Line charts for the benchmark report as standalone SVG: log or linear axes, one polyline per
// series, reference lines and error bars. Nothing but Foundation's `String(format:)`, so the
// report can draw its figures wherever it runs, and the same data always gives the same bytes.
import Foundation

/// A line chart: what `SVGPlot.render` draws.
public struct Plot: Sendable, Codable, Equatable {
    public enum Scale: String, Sendable, Codable { case linear, log }
    public var title: String
    /// With units, e.g. "n (inputs)".
    public var xLabel: String
    /// With units, e.g. "time / primal time".
    public var yLabel: String
    public var xScale: Scale
    public var yScale: Scale
    public var series: [Series]
    /// Reference lines across the plot.
    public var guides: [Guide]

    public init(
        title: String, xLabel: String, yLabel: String, xScale: Scale = .log, yScale: Scale = .log,
        series: [Series], guides: [Guide] = []
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.series = series
        self.guides = guides
    }
}

/// One line of a plot; its points are joined in the order given.
public struct Series: Sendable, Codable, Equatable {
    public var name: String
    public var points: [PlotPoint]
    /// Drawn dashed, e.g. for peers or theoretical lines.
    public var dashed: Bool

    public init(name: String, points: [PlotPoint], dashed: Bool = false) {
        self.name = name
        self.points = points
        self.dashed = dashed
    }
}

public struct PlotPoint: Sendable, Codable, Equatable {
    public var x: Double, y: Double
    /// An optional vertical error bar from `low` to `high` (e.g. min..max of the repetitions).
    public var low: Double?, high: Double?

    public init(x: Double, y: Double, low: Double? = nil, high: Double? = nil) {
        self.x = x
        self.y = y
        self.low = low
        self.high = high
    }
}

/// A labelled reference line: `horizontal` at y = value, `vertical` at x = value.
public struct Guide: Sendable, Codable, Equatable {
    public enum Axis: String, Sendable, Codable { case horizontal, vertical }
    public var axis: Axis
    public var value: Double
    /// E.g. "target 2.5".
    public var label: String

    public init(axis: Axis, value: Double, label: String) {
        self.axis = axis
        self.value = value
        self.label = label
    }
}

/// Renders a `Plot` as a standalone SVG document.
///
/// Axis ranges come from the points, their error bars and the guides. A value an axis cannot
/// show (NaN, infinite, or not positive on a log axis) is left out, together with its point; a
/// line is broken where a point is left out. Log axes that span a decade or more are snapped
/// to whole decades and labelled 10ᵏ; linear axes get 1-2-5 steps. The legend is a column to
/// the right of the plot area, so it never covers data.
public enum SVGPlot {
    /// Okabe–Ito, colourblind-safe; the yellow darkened so it reads on white.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#B8A200", "#000000"]
    enum Marker: CaseIterable { case circle, square, triangle, diamond }

    /// A complete standalone SVG document (with xmlns, viewBox, width/height).
    public static func render(_ plot: Plot, width: Int = 720, height: Int = 440) -> String {
        let w = Double(max(width, 240)), h = Double(max(height, 160))
        var xs: [Double] = [], ys: [Double] = []
        for series in plot.series {
            for p in series.points where shows(p, plot) {
                xs.append(p.x)
                ys.append(p.y)
                ys += [p.low, p.high].compactMap { $0 }.filter { plottable($0, plot.yScale) }
            }
        }
        if !xs.isEmpty {
            for g in plot.guides {
                let scale = g.axis == .horizontal ? plot.yScale : plot.xScale
                guard plottable(g.value, scale) else { continue }
                if g.axis == .horizontal { ys.append(g.value) } else { xs.append(g.value) }
            }
        }
        let xAxis = axis(xs, scale: plot.xScale), yAxis = axis(ys, scale: plot.yScale)

        // Margins: title on top, tick labels and axis titles left and below, legend on the right.
        let names = plot.series.map { truncated($0.name, to: Int((w * 0.3 - 48) / 6.6)) }
        let legendWidth = xAxis == nil || names.isEmpty ? 0 : 48 + 6.6 * Double(names.map(\.count).max() ?? 0)
        let yLabelWidth = (yAxis?.major.compactMap(\.label).map { 7 * Double($0.count) }.max()) ?? 0
        let left = max(56, yLabelWidth + 40), right = legendWidth > 0 ? legendWidth + 28 : 20
        let frame = Rect(x: left, y: 40, width: max(w - left - right, 40), height: max(h - 40 - 56, 40))

        var svg: [String] = [
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(w))" height="\#(Int(h))" viewBox="0 0 \#(Int(w)) \#(Int(h))" font-family="sans-serif" font-size="12">"#,
            "<title>\(escape(plot.title))</title>",
            ##"<rect width="100%" height="100%" fill="#ffffff"/>"##,
            text(w / 2, 24, truncated(plot.title, to: Int((w - 20) / 8)), size: 14, anchor: "middle", extra: #" font-weight="bold" class="title""#),
            text(frame.midX, h - 14, plot.xLabel, size: 13, anchor: "middle", extra: #" class="axis-title""#),
        ]
        let yTitleX = max(18, left - yLabelWidth - 20)  // just left of the widest tick label
        svg.append(
            text(0, 0, plot.yLabel, size: 13, anchor: "middle",
                 extra: #" transform="translate(\#(num(yTitleX)),\#(num(frame.midY))) rotate(-90)" class="axis-title""#))

        guard let xAxis, let yAxis else {
            svg.append(frame.svg(##" fill="none" stroke="#333333""##))
            svg.append(text(frame.midX, frame.midY, "no data", size: 14, anchor: "middle", extra: ##" fill="#666666""##))
            return (svg + ["</svg>"]).joined(separator: "\n") + "\n"
        }
        let canvas = Canvas(frame: frame, x: xAxis, y: yAxis)
        svg += axes(canvas)

        // Where each series is drawn: its runs of showable points, a line broken at the others.
        let runs = plot.series.map { series in
            series.points.split { !shows($0, plot) }.map { $0.map(canvas.point) }
        }
        let guides = plot.guides.filter { plottable($0.value, $0.axis == .horizontal ? plot.yScale : plot.xScale) }
        for g in guides {
            let (a, b) = canvas.ends(of: g)
            svg.append(line(a.x, a.y, b.x, b.y, ##"stroke="#777777" stroke-dasharray="5 4" class="guide""##))
        }
        for (i, series) in plot.series.enumerated() {
            svg += draw(series, runs: runs[i], index: i, plot: plot, canvas: canvas)
        }
        // Guide labels over the data, but placed where they cover as little as they can.
        let halo = ##" fill="#555555" stroke="#ffffff" stroke-width="3" paint-order="stroke" class="guide-label""##
        let lines = runs.joined().flatMap { run in run.count == 1 ? [(run[0], run[0])] : Array(zip(run, run.dropFirst())) }
        var labels: [Rect] = []
        for (i, g) in guides.enumerated() {
            let others = guides.indices.filter { $0 != i }.map { canvas.ends(of: guides[$0]) }
            let label = placeLabel(g, canvas: canvas, avoiding: lines + others, labels: labels)
            labels.append(label.box)
            svg.append(text(label.x, label.y, g.label, size: 11, anchor: label.anchor, extra: halo))
        }
        if legendWidth > 0 {
            svg += legend(plot, names: names, at: Point(x: frame.maxX + 16, y: frame.y), width: legendWidth)
        }
        return (svg + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    /// Grid at the labelled ticks, the frame, tick marks and tick labels.
    static func axes(_ c: Canvas) -> [String] {
        var svg: [String] = []
        for t in c.x.major where t.label != nil {
            svg.append(line(c.px(t.value), c.frame.y, c.px(t.value), c.frame.maxY, ##"stroke="#e3e3e3" class="grid""##))
        }
        for t in c.y.major where t.label != nil {
            svg.append(line(c.frame.x, c.py(t.value), c.frame.maxX, c.py(t.value), ##"stroke="#e3e3e3" class="grid""##))
        }
        svg.append(c.frame.svg(##" fill="none" stroke="#333333""##))
        let bottom = c.frame.maxY, left = c.frame.x
        for t in c.x.major {
            svg.append(line(c.px(t.value), bottom, c.px(t.value), bottom + (t.label == nil ? 3 : 5), ##"stroke="#333333""##))
            if let label = t.label { svg.append(text(c.px(t.value), bottom + 18, label, anchor: "middle", extra: #" class="tick-label""#)) }
        }
        for v in c.x.minor { svg.append(line(c.px(v), bottom, c.px(v), bottom + 3, ##"stroke="#999999""##)) }
        for t in c.y.major {
            svg.append(line(left - (t.label == nil ? 3 : 5), c.py(t.value), left, c.py(t.value), ##"stroke="#333333""##))
            if let label = t.label { svg.append(text(left - 8, c.py(t.value) + 4, label, anchor: "end", extra: #" class="tick-label""#)) }
        }
        for v in c.y.minor { svg.append(line(left - 3, c.py(v), left, c.py(v), ##"stroke="#999999""##)) }
        return svg
    }

    /// A series: error bars under its line, markers on top.
    static func draw(_ series: Series, runs: [[Point]], index i: Int, plot: Plot, canvas c: Canvas) -> [String] {
        let color = palette[i % palette.count], marker = Marker.allCases[i % Marker.allCases.count]
        var svg = [#"<g class="series" stroke="\#(color)" fill="none">"#]
        for p in series.points where shows(p, plot) {
            let low = p.low.flatMap { plottable($0, plot.yScale) ? $0 : nil } ?? p.y
            let high = p.high.flatMap { plottable($0, plot.yScale) ? $0 : nil } ?? p.y
            guard low != high else { continue }
            let (x, y0, y1) = (c.px(p.x), c.py(low), c.py(high))
            svg.append(line(x, y0, x, y1, #"class="error-bar""#))
            svg.append(line(x - 3, y0, x + 3, y0, #"class="error-bar""#))
            svg.append(line(x - 3, y1, x + 3, y1, #"class="error-bar""#))
        }
        let dash = series.dashed ? #" stroke-dasharray="7 4""# : ""
        for run in runs where run.count > 1 {
            let points = run.map { "\(num($0.x)),\(num($0.y))" }.joined(separator: " ")
            svg.append(#"<polyline points="\#(points)" stroke-width="1.8" stroke-linejoin="round"\#(dash)/>"#)
        }
        svg.append(##"<g fill="\##(color)" stroke="#ffffff" stroke-width="0.8" class="markers">"##)
        svg += runs.joined().map { Self.marker(marker, $0.x, $0.y) }
        return svg + ["</g>", "</g>"]
    }

    /// A column of line samples and names, right of the plot area so it covers no data.
    static func legend(_ plot: Plot, names: [String], at origin: Point, width: Double) -> [String] {
        var svg = [#"<g class="legend">"#]
        svg.append(Rect(x: origin.x, y: origin.y, width: width, height: 12 + 20 * Double(names.count)).svg(##" fill="#ffffff" stroke="#bbbbbb""##))
        for (i, name) in names.enumerated() {
            let color = palette[i % palette.count], x = origin.x, y = origin.y + 16 + 20 * Double(i)
            let dash = plot.series[i].dashed ? #" stroke-dasharray="7 4""# : ""
            svg.append(line(x + 8, y, x + 34, y, #"stroke="\#(color)" stroke-width="1.8"\#(dash)"#))
            svg.append(##"<g fill="\##(color)" stroke="#ffffff" stroke-width="0.8">"## + marker(Marker.allCases[i % Marker.allCases.count], x + 21, y) + "</g>")
            svg.append(text(x + 40, y + 4, name))
        }
        return svg + ["</g>"]
    }

    /// Where a guide's label goes: at an end of its line, on the side that covers the fewest
    /// `obstacles` (segments of lines; a point is a segment from itself to itself) and earlier
    /// labels, preferring the right or top end, above or right of the line.
    static func placeLabel(_ g: Guide, canvas c: Canvas, avoiding obstacles: [(Point, Point)], labels: [Rect]) -> Label {
        let f = c.frame, width = 6.2 * Double(g.label.count), a = c.ends(of: g).0
        let candidates =
            g.axis == .horizontal
            ? [(f.maxX - 4, a.y - 5, "end"), (f.maxX - 4, a.y + 14, "end"), (f.x + 4, a.y - 5, "start"), (f.x + 4, a.y + 14, "start")]
            : [(a.x + 4, f.y + 14, "start"), (a.x - 4, f.y + 14, "end"), (a.x + 4, f.maxY - 6, "start"), (a.x - 4, f.maxY - 6, "end")]
        let placed = candidates.map { x, y, anchor in
            Label(x: x, y: y, anchor: anchor, box: Rect(x: anchor == "end" ? x - width : x, y: y - 10, width: width, height: 13))
        }
        let inside = placed.filter { $0.box.x >= f.x && $0.box.maxX <= f.maxX && $0.box.y >= f.y && $0.box.maxY <= f.maxY }
        let hits = { (l: Label) in
            let r = l.box.inset(by: -3)
            return obstacles.count { r.meets($0.0, $0.1) } + labels.count { r.overlaps($0) }
        }
        return inside.min { hits($0) < hits($1) } ?? placed[0]
    }

    struct Label {
        var x, y: Double
        var anchor: String
        var box: Rect
    }

    // MARK: - Axes

    /// A tick on an axis; a decade between labelled ones has no label.
    struct Tick: Equatable {
        var value: Double
        var label: String?
    }

    struct Axis: Equatable {
        var scale: Plot.Scale
        /// The range shown, in axis units (log10 of the value on a log axis).
        var lo: Double, hi: Double
        var major: [Tick]
        /// Unlabelled ticks at 2..9 × 10ᵏ on a log axis of few decades.
        var minor: [Double] = []

        /// Where `value` lies on the axis, 0 at `lo` and 1 at `hi`.
        func fraction(_ value: Double) -> Double {
            ((scale == .log ? log10(value) : value) - lo) / (hi - lo)
        }
    }

    static func plottable(_ v: Double, _ scale: Plot.Scale) -> Bool {
        v.isFinite && (scale == .linear || v > 0)
    }

    static func shows(_ p: PlotPoint, _ plot: Plot) -> Bool {
        plottable(p.x, plot.xScale) && plottable(p.y, plot.yScale)
    }

    /// The axis showing `values`, or nil if none of them can be shown on `scale`.
    static func axis(_ values: [Double], scale: Plot.Scale) -> Axis? {
        let shown = values.filter { plottable($0, scale) }
        guard let lo = shown.min(), let hi = shown.max() else { return nil }
        return scale == .log ? logAxis(log10(lo), log10(hi)) : linearAxis(lo, hi)
    }

    /// `lo` and `hi` are log10 of the smallest and largest value.
    static func logAxis(_ lo: Double, _ hi: Double) -> Axis {
        var (lo, hi) = (lo, hi)
        if hi - lo < 1e-9 { (lo, hi) = (lo - 0.5, hi + 0.5) }
        guard hi - lo >= 1 - 1e-9 else {
            // Under a decade: 1-2-5 steps of the values, placed on the log scale.
            let pad = 0.05 * (hi - lo)
            (lo, hi) = (lo - pad, hi + pad)
            let (a, b) = (pow(10, lo), pow(10, hi)), step = niceStep(a, b)
            let values = stride(from: (a / step).rounded(.up), through: (b / step).rounded(.down), by: 1)
                .map { $0 * step }.filter { $0 > 0 }
            return Axis(scale: .log, lo: lo, hi: hi, major: ticks(values, step: step))
        }
        let a = Int(floor(lo + 1e-9)), b = Int(ceil(hi - 1e-9)), span = b - a
        let every = span <= 8 ? 1 : (span + 7) / 8  // at most ~9 labels, aligned on 10⁰
        let major = (a...b).map { k in Tick(value: pow(10, Double(k)), label: k % every == 0 ? decadeLabel(k) : nil) }
            .filter { $0.value > 0 && $0.value.isFinite }  // 10⁻³²⁴ and 10³⁰⁹ are not Doubles
        let minor = span <= 4 ? (a..<b).flatMap { k in (2...9).map { Double($0) * pow(10, Double(k)) } }.filter(\.isFinite) : []
        let pad = 0.03 * Double(span)
        return Axis(scale: .log, lo: Double(a) - pad, hi: Double(b) + pad, major: major, minor: minor)
    }

    static func linearAxis(_ lo: Double, _ hi: Double) -> Axis {
        let clamped = { (v: Double) in min(max(v, -1e300), 1e300) }  // so the span stays finite
        var (lo, hi) = (clamped(lo), clamped(hi))
        let magnitude = max(abs(lo), abs(hi))
        if hi - lo <= magnitude * 1e-12 {
            let d = magnitude == 0 ? 1 : magnitude * 0.1
            (lo, hi) = (lo - d, hi + d)
        }
        let step = niceStep(lo, hi)
        let i0 = floor(lo / step + 1e-9), i1 = ceil(hi / step - 1e-9)
        let major = ticks(stride(from: i0, through: i1, by: 1).map { $0 * step }, step: step)
        let pad = 0.03 * (i1 - i0) * step
        return Axis(scale: .linear, lo: i0 * step - pad, hi: i1 * step + pad, major: major)
    }

    /// The smallest 1, 2 or 5 × 10ᵏ whose multiples cover lo...hi with at most 8 ticks.
    static func niceStep(_ lo: Double, _ hi: Double) -> Double {
        let e = floor(log10(hi - lo)) - 1
        for k in 0..<4 {
            for m in [1.0, 2, 5] {
                let step = m * pow(10, e + Double(k))
                if ceil(hi / step - 1e-9) - floor(lo / step + 1e-9) + 1 <= 8 { return step }
            }
        }
        return pow(10, e + 4)
    }

    // MARK: - Formatting

    /// "10³", "10⁻¹²", "10⁰".
    static func decadeLabel(_ k: Int) -> String { "10" + superscript(k) }

    static func superscript(_ n: Int) -> String {
        let digits = Array("⁰¹²³⁴⁵⁶⁷⁸⁹")
        return (n < 0 ? "⁻" : "") + String(String(n.magnitude).map { digits[$0.wholeNumberValue!] })
    }

    /// Ticks at `values`, multiples of `step`, labelled alike: as plain decimals, or all as
    /// m×10ᵏ when the largest is 10⁶ or more or under 10⁻³.
    static func ticks(_ values: [Double], step: Double) -> [Tick] {
        let top = values.map(abs).max() ?? 0
        let scientific = top >= 1e6 || top < 1e-3
        return values.map { Tick(value: $0, label: tickLabel($0, step: step, scientific: scientific)) }
    }

    /// A linear tick label with as many decimals as `step` needs and no float noise
    /// (3 × 0.1 prints as "0.3").
    static func tickLabel(_ v: Double, step: Double, scientific: Bool = false) -> String {
        if abs(v) < step * 1e-6 { return "0" }
        let e = Int(floor(log10(step) + 1e-9))
        guard scientific else { return trimmed(String(format: "%.\(min(max(0, -e), 15))f", v)) }
        let k = Int(floor(log10(abs(v)) + 1e-9))
        let mantissa = trimmed(String(format: "%.\(min(max(0, k - e), 15))f", v / pow(10, Double(k))))
        return (mantissa == "1" ? "" : mantissa == "-1" ? "-" : mantissa + "×") + decadeLabel(k)
    }

    /// A coordinate: at most two decimals, no trailing zeros, never an exponent.
    static func num(_ v: Double) -> String {
        v.isFinite ? trimmed(String(format: "%.2f", v)) : "0"
    }

    /// A `%f` number without trailing zeros after the point, and "0" for "-0".
    static func trimmed(_ s: String) -> String {
        var s = Substring(s)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : String(s)
    }

    static func escape(_ s: String) -> String { JUnitReport.escape(s, attribute: true) }

    static func truncated(_ s: String, to n: Int) -> String {
        s.count <= max(n, 4) ? s : String(s.prefix(max(n, 4) - 1)) + "…"
    }

    // MARK: - Geometry

    struct Point {
        var x, y: Double
    }

    /// The plot area and its axes: where data values are drawn.
    struct Canvas {
        var frame: Rect
        var x, y: Axis

        func px(_ v: Double) -> Double { frame.x + x.fraction(v) * frame.width }
        func py(_ v: Double) -> Double { frame.maxY - y.fraction(v) * frame.height }
        func point(_ p: PlotPoint) -> Point { Point(x: px(p.x), y: py(p.y)) }

        /// A guide's line across the plot area: left to right, or bottom to top.
        func ends(of g: Guide) -> (Point, Point) {
            g.axis == .horizontal
                ? (Point(x: frame.x, y: py(g.value)), Point(x: frame.maxX, y: py(g.value)))
                : (Point(x: px(g.value), y: frame.maxY), Point(x: px(g.value), y: frame.y))
        }
    }

    struct Rect {
        var x, y, width, height: Double
        var maxX: Double { x + width }
        var maxY: Double { y + height }
        var midX: Double { x + width / 2 }
        var midY: Double { y + height / 2 }

        func inset(by d: Double) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }

        func overlaps(_ r: Rect) -> Bool { x < r.maxX && r.x < maxX && y < r.maxY && r.y < maxY }

        /// Whether the segment from `a` to `b` passes through the rectangle (Liang–Barsky).
        func meets(_ a: Point, _ b: Point) -> Bool {
            var (t0, t1) = (0.0, 1.0)
            let (dx, dy) = (b.x - a.x, b.y - a.y)
            for (p, q) in [(-dx, a.x - x), (dx, maxX - a.x), (-dy, a.y - y), (dy, maxY - a.y)] {
                if p == 0 {
                    if q < 0 { return false }
                } else if p < 0 {
                    t0 = max(t0, q / p)
                } else {
                    t1 = min(t1, q / p)
                }
            }
            return t0 <= t1
        }

        func svg(_ attributes: String) -> String {
            #"<rect x="\#(num(x))" y="\#(num(y))" width="\#(num(width))" height="\#(num(height))"\#(attributes)/>"#
        }
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ attributes: String) -> String {
        #"<line x1="\#(num(x1))" y1="\#(num(y1))" x2="\#(num(x2))" y2="\#(num(y2))" \#(attributes)/>"#
    }

    static func text(_ x: Double, _ y: Double, _ s: String, size: Int = 12, anchor: String = "start", extra: String = "") -> String {
        #"<text x="\#(num(x))" y="\#(num(y))" font-size="\#(size)" text-anchor="\#(anchor)"\#(extra)>\#(escape(s))</text>"#
    }

    static func marker(_ kind: Marker, _ x: Double, _ y: Double) -> String {
        let (cx, cy) = (num(x), num(y))
        switch kind {
        case .circle: return #"<circle cx="\#(cx)" cy="\#(cy)" r="3.5"/>"#
        case .square: return Rect(x: x - 3.2, y: y - 3.2, width: 6.4, height: 6.4).svg("")
        case .triangle:
            return #"<path d="M\#(cx),\#(num(y - 4.2))L\#(num(x + 4)),\#(num(y + 2.8))L\#(num(x - 4)),\#(num(y + 2.8))Z"/>"#
        case .diamond:
            return #"<path d="M\#(cx),\#(num(y - 4.5))L\#(num(x + 4.5)),\#(cy)L\#(cx),\#(num(y + 4.5))L\#(num(x - 4.5)),\#(cy)Z"/>"#
        }
    }
}
