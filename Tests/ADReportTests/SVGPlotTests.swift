import Foundation
import Testing

@testable import ADReport

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("SVG plots")
struct SVGPlotTests {
    /// The elements of an SVG document in order, with their attributes and text; nil if it is
    /// not well-formed XML.
    final class Elements: NSObject, XMLParserDelegate {
        struct Element {
            var name: String
            var attributes: [String: String]
            var text = ""
        }
        var all: [Element] = []
        private var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            all.append(Element(name: name, attributes: attributes))
            open.append(all.count - 1)
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let i = open.last { all[i].text += string }
        }

        static func parse(_ svg: String) -> [Element]? {
            let parser = XMLParser(data: Data(svg.utf8))
            let elements = Elements()
            parser.delegate = elements
            return parser.parse() ? elements.all : nil
        }
    }

    static func elements(_ svg: String) throws -> [Elements.Element] {
        try #require(Elements.parse(svg), "the SVG is well-formed XML")
    }

    static func texts(_ svg: String, class name: String) throws -> [String] {
        try elements(svg).filter { $0.name == "text" && $0.attributes["class"] == name }.map(\.text)
    }

    static let ratio = Plot(
        title: "Gradient cost", xLabel: "n (inputs)", yLabel: "time / primal time",
        series: [
            Series(name: "reverse", points: [PlotPoint(x: 3, y: 2.1, low: 1.9, high: 2.4), PlotPoint(x: 2e5, y: 3.2)]),
            Series(name: "forward", points: [PlotPoint(x: 3, y: 4), PlotPoint(x: 2e5, y: 6e5)], dashed: true),
        ],
        guides: [Guide(axis: .horizontal, value: 2.5, label: "target 2.5")])

    // MARK: The document

    @Test func isAStandaloneWellFormedSVGDocument() throws {
        let svg = SVGPlot.render(Self.ratio, width: 800, height: 500)
        let root = try #require(try Self.elements(svg).first)
        #expect(root.name == "svg")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(root.attributes["width"] == "800")
        #expect(root.attributes["height"] == "500")
        #expect(root.attributes["viewBox"] == "0 0 800 500")
        #expect(try Self.texts(svg, class: "title") == ["Gradient cost"])
        #expect(try Self.texts(svg, class: "axis-title") == ["n (inputs)", "time / primal time"])
    }

    @Test func seriesAreLinesWithMarkersAndALegendEntry() throws {
        let elements = try Self.elements(SVGPlot.render(Self.ratio))
        #expect(elements.filter { $0.name == "polyline" }.count == 2)
        #expect(elements.filter { $0.name == "polyline" && $0.attributes["stroke-dasharray"] != nil }.count == 1, "forward is dashed")
        #expect(elements.filter { $0.name == "circle" }.count == 2 + 1, "two markers and the legend sample of series 1")
        #expect(elements.filter { $0.name == "rect" && $0.attributes["width"] == "6.4" }.count == 2 + 1, "squares for series 2")
        let legend = try #require(elements.firstIndex { $0.attributes["class"] == "legend" })
        #expect(elements[legend...].filter { $0.name == "text" }.map(\.text) == ["reverse", "forward"])
    }

    @Test func numbersInCoordinatesHaveAtMostTwoDecimalsAndNoExponent() throws {
        let svg = SVGPlot.render(Self.ratio)
        let coordinates = ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "width", "height"]
        for element in try Self.elements(svg) {
            for name in coordinates {
                guard let value = element.attributes[name], !value.hasSuffix("%") else { continue }
                #expect(Double(value) != nil && !value.contains("e"), "\(element.name) \(name)=\(value)")
                #expect((value.split(separator: ".").dropFirst().first?.count ?? 0) <= 2, "\(element.name) \(name)=\(value)")
            }
        }
    }

    @Test func pointListsAndPathsUseShortNumbersToo() throws {
        var plot = Self.ratio
        plot.series.append(Series(name: "third", points: [PlotPoint(x: 7, y: 7), PlotPoint(x: 70, y: 7)]))
        plot.series.append(Series(name: "fourth", points: [PlotPoint(x: 1.0 / 3, y: 1.0 / 7)]))
        let elements = try Self.elements(SVGPlot.render(plot))
        let lists = elements.compactMap { $0.attributes["points"] ?? $0.attributes["d"] }
        #expect(elements.filter { $0.name == "path" }.count == (2 + 1) + (1 + 1), "triangles and a diamond, with their legend samples")
        let numbers = lists.flatMap { $0.split { " ,MLZ".contains($0) } }
        #expect(numbers.count > 20)
        for n in numbers {
            #expect(Double(n) != nil && !n.contains("e") && (n.split(separator: ".").dropFirst().first?.count ?? 0) <= 2, "\(n)")
        }
    }

    @Test func longTitlesAndNamesAreShortenedToFit() throws {
        let plot = Plot(
            title: String(repeating: "title ", count: 40), xLabel: "x", yLabel: "y",
            series: [Series(name: String(repeating: "name ", count: 20), points: [PlotPoint(x: 1, y: 1)])])
        let svg = SVGPlot.render(plot, width: 400, height: 300)
        let title = try #require(try Self.texts(svg, class: "title").first)
        #expect(title.hasSuffix("…") && title.count < 60)
        let legend = try Self.elements(svg).drop { $0.attributes["class"] != "legend" }.filter { $0.name == "text" }
        #expect(legend.count == 1 && legend[0].text.hasSuffix("…") && legend[0].text.count < 25)
        #expect(svg.contains("<title>" + plot.title + "</title>"), "the document title keeps it whole")
    }

    @Test func outputIsDeterministic() {
        #expect(SVGPlot.render(Self.ratio) == SVGPlot.render(Self.ratio))
        #expect(SVGPlot.render(Self.ratio) != SVGPlot.render(Self.ratio, width: 721), "and depends on the input")
    }

    @Test func textIsEscaped() throws {
        let plot = Plot(
            title: "\"quoted\" & 'single'", xLabel: "x", yLabel: "y",
            series: [Series(name: "<a & b>", points: [PlotPoint(x: 1, y: 1), PlotPoint(x: 10, y: 100)])])
        let svg = SVGPlot.render(plot)
        #expect(svg.contains("&lt;a &amp; b&gt;"))
        #expect(!svg.contains("<a & b>"))
        #expect(svg.contains("&quot;quoted&quot; &amp; &apos;single&apos;"))
        let legend = try Self.elements(svg).drop { $0.attributes["class"] != "legend" }
        #expect(legend.filter { $0.name == "text" }.map(\.text) == ["<a & b>"])
    }

    // MARK: Guides and error bars

    @Test func guidesAreDrawnWithTheirLabel() throws {
        var plot = Self.ratio
        plot.guides.append(Guide(axis: .vertical, value: 1e3, label: "n = 1000"))
        let elements = try Self.elements(SVGPlot.render(plot))
        let guides = elements.filter { $0.name == "line" && $0.attributes["class"] == "guide" }
        try #require(guides.count == 2)
        #expect(guides[0].attributes["y1"] == guides[0].attributes["y2"], "horizontal")
        #expect(guides[1].attributes["x1"] == guides[1].attributes["x2"], "vertical")
        #expect(elements.filter { $0.attributes["class"] == "guide-label" }.map(\.text) == ["target 2.5", "n = 1000"])
    }

    @Test func guidesWidenTheRange() throws {
        let plot = Plot(
            title: "", xLabel: "", yLabel: "", xScale: .linear, yScale: .linear,
            series: [Series(name: "s", points: [PlotPoint(x: 0, y: 0), PlotPoint(x: 1, y: 1)])],
            guides: [Guide(axis: .horizontal, value: 5, label: "five")])
        #expect(try Self.texts(SVGPlot.render(plot), class: "tick-label").contains("5"))
    }

    @Test func guideLabelsMoveOffTheData() throws {
        let axis = try #require(SVGPlot.axis([0, 10], scale: .linear))
        let canvas = SVGPlot.Canvas(frame: SVGPlot.Rect(x: 50, y: 40, width: 400, height: 300), x: axis, y: axis)
        let guide = Guide(axis: .horizontal, value: 5, label: "target")
        let free = SVGPlot.placeLabel(guide, canvas: canvas, avoiding: [], labels: [])
        #expect(free.anchor == "end" && free.y < canvas.py(5), "right end, above the line")
        #expect(free.box.maxX <= canvas.frame.maxX)

        let across = (SVGPlot.Point(x: free.box.midX, y: free.box.y - 20), SVGPlot.Point(x: free.box.midX, y: free.box.maxY))
        let moved = SVGPlot.placeLabel(guide, canvas: canvas, avoiding: [across], labels: [])
        #expect(moved.anchor == "end" && moved.y > canvas.py(5), "right end, below the line")
        #expect(!moved.box.inset(by: -3).meets(across.0, across.1))

        let marker = SVGPlot.Point(x: free.box.midX, y: free.box.midY)
        #expect(SVGPlot.placeLabel(guide, canvas: canvas, avoiding: [(marker, marker)], labels: []).y > canvas.py(5))
        let second = SVGPlot.placeLabel(guide, canvas: canvas, avoiding: [], labels: [free.box])
        #expect(!second.box.overlaps(free.box), "nor on another label")

        let vertical = SVGPlot.placeLabel(Guide(axis: .vertical, value: 10, label: "at the right"), canvas: canvas, avoiding: [], labels: [])
        #expect(vertical.anchor == "end" && vertical.box.maxX <= canvas.frame.maxX, "left of a line at the right edge")
    }

    @Test func errorBarsAreAVerticalLineWithTwoCaps() throws {
        let elements = try Self.elements(SVGPlot.render(Self.ratio))
        let bars = elements.filter { $0.name == "line" && $0.attributes["class"] == "error-bar" }
        try #require(bars.count == 3, "one point of the plot has an error bar")
        #expect(bars[0].attributes["x1"] == bars[0].attributes["x2"])
        #expect(bars[0].attributes["y1"] != bars[0].attributes["y2"])
        #expect(bars[1].attributes["y1"] == bars[1].attributes["y2"] && bars[1].attributes["y1"] == bars[0].attributes["y1"])
        #expect(bars[2].attributes["y1"] == bars[2].attributes["y2"] && bars[2].attributes["y1"] == bars[0].attributes["y2"])
    }

    @Test func errorBarsWidenTheRange() {
        let axis = SVGPlot.axis([2, 3, 0.05, 40], scale: .log)
        #expect(axis?.major.first?.value == 0.01)
        #expect(axis?.major.last?.value == 100)
    }

    // MARK: Values an axis cannot show

    @Test func nanInfinityAndNonPositiveValuesAreLeftOutOnLogAxes() throws {
        let plot = Plot(
            title: "t", xLabel: "x", yLabel: "y",
            series: [
                Series(name: "s", points: [
                    PlotPoint(x: 1, y: 10), PlotPoint(x: 2, y: .nan), PlotPoint(x: 3, y: 0), PlotPoint(x: -4, y: 5),
                    PlotPoint(x: 5, y: .infinity), PlotPoint(x: 10, y: 100, low: -1, high: .nan), PlotPoint(x: 20, y: 1000),
                ])
            ],
            guides: [Guide(axis: .horizontal, value: -1, label: "negative"), Guide(axis: .vertical, value: .nan, label: "nan")])
        let svg = SVGPlot.render(plot)
        #expect(!svg.lowercased().contains("nan"))
        #expect(!svg.lowercased().contains("inf"))
        let elements = try Self.elements(svg)
        let markers = elements.filter { $0.name == "circle" }
        #expect(markers.count == 3 + 1, "three points shown, and the legend sample")
        let lines = elements.filter { $0.name == "polyline" }.map { $0.attributes["points"]?.split(separator: " ").count }
        #expect(lines == [2], "the line breaks at the dropped points; a lone point is a marker only")
        #expect(!elements.contains { $0.attributes["class"] == "guide" || $0.attributes["class"] == "error-bar" })
        let labels = try Self.texts(svg, class: "tick-label")
        #expect(labels == ["10⁰", "10¹", "10²", "10¹", "10²", "10³"], "x from 1 to 20, y from 10 to 1000")
    }

    @Test func nanAndInfinityAreLeftOutOnLinearAxes() {
        let axis = SVGPlot.axis([-.infinity, .nan, -2, 0, 3, .infinity], scale: .linear)
        #expect(axis?.major.map(\.label) == ["-2", "-1", "0", "1", "2", "3"])
    }

    @Test(arguments: [
        [] as [PlotPoint],
        [PlotPoint(x: .nan, y: 1), PlotPoint(x: 1, y: -1), PlotPoint(x: 0, y: 1)],
    ])
    func aPlotWithoutShowableDataSaysSo(points: [PlotPoint]) throws {
        let plot = Plot(
            title: "Empty", xLabel: "x", yLabel: "y", series: points.isEmpty ? [] : [Series(name: "s", points: points)],
            guides: [Guide(axis: .horizontal, value: 2, label: "g")])
        let svg = SVGPlot.render(plot)
        let elements = try Self.elements(svg)
        #expect(elements.contains { $0.name == "text" && $0.text == "no data" })
        #expect(elements.contains { $0.name == "rect" && $0.attributes["fill"] == "none" }, "the frame")
        #expect(!elements.contains { $0.name == "polyline" || $0.name == "circle" })
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }

    @Test(arguments: [Plot.Scale.linear, .log])
    func hugeAndTinyValuesDoNotBreakTheDocument(scale: Plot.Scale) throws {
        let (big, small) = (Double.greatestFiniteMagnitude, Double.leastNonzeroMagnitude)
        let plot = Plot(
            title: "", xLabel: "", yLabel: "", xScale: scale, yScale: scale,
            series: [
                Series(name: "s", points: [PlotPoint(x: small, y: 1e-300), PlotPoint(x: big, y: 2e-300)]),
                Series(name: "t", points: [PlotPoint(x: 2e300, y: 2e300), PlotPoint(x: big, y: big)]),
            ])
        let svg = SVGPlot.render(plot)
        _ = try Self.elements(svg)
        #expect(!svg.contains("nan") && !svg.contains("inf"))
        for values in [[small, big], [2e300, big]] + (scale == .linear ? [[-big, -2e300]] : []) {
            let axis = try #require(SVGPlot.axis(values, scale: scale))
            #expect(axis.lo.isFinite && axis.hi.isFinite && axis.lo < axis.hi)
            #expect(!axis.major.isEmpty && axis.major.allSatisfy { $0.value.isFinite && (scale == .linear || $0.value > 0) })
        }
    }

    // MARK: Ranges

    @Test func logAxisSnapsToWholeDecades() throws {
        let axis = try #require(SVGPlot.axis([3, 2e5], scale: .log))
        #expect(axis.major.map(\.label) == ["10⁰", "10¹", "10²", "10³", "10⁴", "10⁵", "10⁶"])
        #expect(zip(axis.major.map(\.value), [1, 10, 1e2, 1e3, 1e4, 1e5, 1e6]).allSatisfy { abs($0 / $1 - 1) < 1e-12 })
        #expect(axis.lo < 0 && axis.hi > 6, "padded a little beyond the outer decades")
        #expect(axis.lo > -0.5 && axis.hi < 6.5)
        #expect(axis.minor.isEmpty, "six decades: no minor ticks")
    }

    @Test func dataOnDecadesIsNotWidenedByAnotherDecade() throws {
        let axis = try #require(SVGPlot.axis([1e-16, 1], scale: .log))
        #expect(axis.major.first?.value == 1e-16)
        #expect(axis.major.last?.value == 1)
    }

    @Test func fewDecadesHaveMinorTicksAtTwoToNine() throws {
        let axis = try #require(SVGPlot.axis([1, 256], scale: .log))
        #expect(axis.major.map(\.label) == ["10⁰", "10¹", "10²", "10³"])
        #expect(axis.minor.count == 3 * 8)
        #expect(axis.minor.prefix(8) == [2, 3, 4, 5, 6, 7, 8, 9])
    }

    @Test func manyDecadesLabelEverySecondOrThirdDecade() throws {
        let sixteen = try #require(SVGPlot.axis([1e-16, 1], scale: .log))
        #expect(sixteen.major.count == 17)
        #expect(sixteen.major.compactMap(\.label) == stride(from: -16, through: 0, by: 2).map { SVGPlot.decadeLabel($0) })
        let twenty = try #require(SVGPlot.axis([1e-20, 1], scale: .log))
        #expect(twenty.major.compactMap(\.label) == stride(from: -18, through: 0, by: 3).map { SVGPlot.decadeLabel($0) })
        let eight = try #require(SVGPlot.axis([1e-8, 1], scale: .log))
        #expect(eight.major.count == 9)
        #expect(eight.major.allSatisfy { $0.label != nil })
    }

    @Test func aSinglePointOrEqualValuesGiveARealRange() throws {
        for scale in [Plot.Scale.log, .linear] {
            for values in [[5.0], [5, 5, 5], [0.001]] {
                let axis = try #require(SVGPlot.axis(values, scale: scale))
                #expect(axis.hi - axis.lo > 0.1 * (scale == .log ? 1 : abs(values[0])))
                #expect(axis.major.compactMap(\.label).count >= 2)
                #expect((0.05...0.95).contains(axis.fraction(values[0])), "\(scale) \(values)")
            }
        }
        let zero = try #require(SVGPlot.axis([0, 0], scale: .linear))
        #expect(zero.major.map(\.label) == ["-1", "-0.5", "0", "0.5", "1"])
    }

    @Test func underADecadeTheLogAxisHasPlainNiceTicks() throws {
        let axis = try #require(SVGPlot.axis([2, 8], scale: .log))
        let labels = axis.major.compactMap(\.label)
        #expect(labels.count >= 3)
        #expect(labels.allSatisfy { !$0.contains("10⁰") && Double($0) != nil }, "\(labels)")
        #expect(axis.major.allSatisfy { (0...1).contains(axis.fraction($0.value)) })
    }

    // MARK: Tick labels

    @Test func decadeLabelsUseSuperscripts() {
        #expect(SVGPlot.decadeLabel(3) == "10³")
        #expect(SVGPlot.decadeLabel(-12) == "10⁻¹²")
        #expect(SVGPlot.decadeLabel(0) == "10⁰")
        #expect(SVGPlot.decadeLabel(-1) == "10⁻¹")
        #expect(SVGPlot.superscript(1234567890) == "¹²³⁴⁵⁶⁷⁸⁹⁰")
    }

    @Test func linearTicksAreNiceAndCleanlyLabelled() throws {
        let axis = try #require(SVGPlot.axis([0, 0.3], scale: .linear))
        #expect(axis.major.map(\.label) == ["0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.3"])
        let tenths = try #require(SVGPlot.axis([0, 0.7], scale: .linear))
        #expect(tenths.major.map(\.label) == ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"])
        #expect(SVGPlot.tickLabel(3 * 0.1, step: 0.1) == "0.3")
        #expect(SVGPlot.tickLabel(-0.1 + 0.1, step: 0.1) == "0")
        #expect(SVGPlot.axis([17, 83], scale: .linear)?.major.map(\.label) == ["0", "20", "40", "60", "80", "100"])
        #expect(SVGPlot.axis([1, 1.0001], scale: .linear)?.major.map(\.label) == ["1", "1.00002", "1.00004", "1.00006", "1.00008", "1.0001"])
    }

    @Test(arguments: [(0.0, 0.3), (17, 83), (-3, 1e4), (1e6, 5e6), (0.00012, 0.00031), (1, 1.0001), (-7e-7, 7e-7)])
    func linearAxesHaveFiveToEightTicksCoveringTheData(lo: Double, hi: Double) throws {
        let axis = try #require(SVGPlot.axis([lo, hi], scale: .linear))
        #expect((4...8).contains(axis.major.count), "\(axis.major.map(\.label))")
        #expect(axis.major.first!.value <= lo && axis.major.last!.value >= hi)
        #expect(Set(axis.major.compactMap(\.label)).count == axis.major.count, "distinct labels: \(axis.major.map(\.label))")
        #expect(axis.major.allSatisfy { !($0.label ?? "").contains("000000") }, "\(axis.major.map(\.label))")
    }

    @Test func largeAndSmallLinearLabelsUsePowersOfTen() throws {
        #expect(SVGPlot.tickLabel(2e6, step: 1e6, scientific: true) == "2×10⁶")
        #expect(SVGPlot.tickLabel(1e6, step: 5e5, scientific: true) == "10⁶")
        #expect(SVGPlot.tickLabel(1.5e6, step: 5e5, scientific: true) == "1.5×10⁶")
        #expect(SVGPlot.tickLabel(-2e-5, step: 1e-5, scientific: true) == "-2×10⁻⁵")
        #expect(SVGPlot.tickLabel(0, step: 1e-5, scientific: true) == "0")
        #expect(SVGPlot.tickLabel(250, step: 50) == "250")
        let big = try #require(SVGPlot.axis([0, 5e6], scale: .linear))
        #expect(big.major.map(\.label) == ["0", "10⁶", "2×10⁶", "3×10⁶", "4×10⁶", "5×10⁶"])
        let small = try #require(SVGPlot.axis([0, 3e-4], scale: .linear))
        #expect(small.major.map(\.label) == ["0", "5×10⁻⁵", "10⁻⁴", "1.5×10⁻⁴", "2×10⁻⁴", "2.5×10⁻⁴", "3×10⁻⁴"])
    }

    @Test func coordinatesAreShort() {
        #expect(SVGPlot.num(12.5) == "12.5")
        #expect(SVGPlot.num(12) == "12")
        #expect(SVGPlot.num(1 / 3) == "0.33")
        #expect(SVGPlot.num(-0.001) == "0")
        #expect(SVGPlot.num(1e-20) == "0")
        #expect(SVGPlot.num(.nan) == "0")
    }
}
