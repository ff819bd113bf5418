import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Plotting

@Suite("Rendering: well-formed SVG, ASCII only, degenerate input")
struct RenderingTests {
    static let degenerate: [(String, Plot)] = [
        ("no series", Plot(title: "empty", xLabel: "x", yLabel: "y")),
        ("an empty series", Plot(series: [Series(name: "nothing", points: [Point](), style: .stepLinePoints(.dot), color: .blue)])),
        ("one point", Plot(series: [Series(name: "one", points: [(x: 3, y: 4)], style: .linePoints(.dot), color: .blue)])),
        ("all points equal", Plot(series: [Series(name: "same", points: Array(repeating: (x: 2.0, y: 2.0), count: 5), style: .stepLinePoints(.cross), color: .red)])),
        ("all x equal", Plot(series: [Series(name: "vertical", points: [(x: 1, y: 0), (x: 1, y: 10)], style: .line, color: .green)])),
        ("non-finite points", Plot(series: [Series(name: "nan", points: [(x: .nan, y: 1), (x: 1, y: .infinity), (x: 2, y: 3)], style: .linePoints(.star), color: .gray)])),
        ("points outside a fixed range", Plot(series: [Series(name: "far", points: [(x: -1e300, y: 0.5), (x: 0.5, y: 0.5), (x: 1e300, y: 1e300)], style: .linePoints(.square), color: .black)],
                                              xRange: 0 ... 1, yRange: 0 ... 1)),
        ("an inverted fixed range", Plot(series: [Series(name: "p", points: [(x: 1, y: 1)], style: .points(.plus), color: .cyan)], xRange: 5 ... 5)),
    ]

    @Test("degenerate plots render without crashing, in every style", arguments: 0 ..< degenerate.count)
    func degenerateInput(index: Int) throws {
        let (name, plot) = Self.degenerate[index]
        for style in TerminalStyle.allCases {
            for color in [false, true] {
                let lines = TerminalPlot.render(plot, width: 50, height: 14, style: style, color: color)
                #expect(lines.count >= 8, "\(name)")
            }
        }
        try expectWellFormed(SVGPlot.render(plot, width: 300, height: 200))
        if plot.isEmpty {
            #expect(TerminalPlot.render(plot, width: 50, height: 14).joined().contains("(no data)"))
        }
    }

    @Test("a tiny requested size still gives a readable plot")
    func tinySize() throws {
        let lines = TerminalPlot.render(Fixtures.front, width: 5, height: 2, style: .ascii)
        #expect(lines.count > 3)
        try expectWellFormed(SVGPlot.render(Fixtures.front, width: 10, height: 10))
    }

    @Test("ASCII style uses only ASCII characters, and no escapes without colour")
    func asciiOnly() {
        for plot in [Fixtures.front, Fixtures.hypervolume, Fixtures.sweep] + Self.degenerate.map(\.1) {
            let plain = TerminalPlot.render(plot, width: 64, height: 18, style: .ascii, color: false).joined(separator: "\n")
            #expect(plain.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F || $0 == "\n" })
            let coloured = TerminalPlot.render(plot, width: 64, height: 18, style: .ascii, color: true).joined(separator: "\n")
            #expect(coloured.unicodeScalars.allSatisfy { $0.isASCII })
        }
    }

    @Test("colour only when asked; then every series' colour appears")
    func colour() {
        let plain = TerminalPlot.render(Fixtures.front, style: .braille, color: false).joined()
        #expect(!plain.contains("\u{1B}"))
        let coloured = TerminalPlot.render(Fixtures.front, style: .braille, color: true).joined()
        for c in [PlotColor.blue, .orange, .red] { #expect(coloured.contains("\u{1B}[\(c.ansiCode)m")) }
    }

    @Test("the terminal plot fits the requested size and shows every part")
    func layout() {
        let lines = TerminalPlot.render(Fixtures.front, width: 72, height: 22, style: .braille)
        #expect(lines.count == 22)
        #expect(lines.allSatisfy { $0.count <= 72 })
        let text = lines.joined(separator: "\n")
        for part in ["Pareto front", "model size (bytes)", "validation accuracy (%)", "─●─ mixed precision (front)",
                     "× homogeneous 2..8 bits", "◆ current", "└", "┬", "┤", "3000", "90"] {
            #expect(text.contains(part), "missing \(part)")
        }
        // Each series has its own marker on the canvas.
        for marker in ["●", "×", "◆"] { #expect(lines.dropLast(2).joined().contains(marker)) }
        let ascii = TerminalPlot.render(Fixtures.front, width: 72, height: 22, style: .ascii).joined(separator: "\n")
        for part in ["-o- mixed precision (front)", "x homogeneous 2..8 bits", "# current"] { #expect(ascii.contains(part)) }
    }

    @Test("SVG is well-formed XML with escaped text, distinct marker shapes and a staircase")
    func svgContent() throws {
        let svg = SVGPlot.render(Fixtures.sweep)
        let elements = try expectWellFormed(svg)
        #expect(svg.contains("Sweep &lt;gate.z&gt; &amp; friends"))
        #expect(elements["polyline", default: 0] == 2)
        #expect(elements["polygon", default: 0] == 8)   // 7 triangles + the legend sample
        #expect(!svg.contains("href"))                   // standalone: no links, images or fonts

        let front = SVGPlot.render(Fixtures.front)
        let frontElements = try expectWellFormed(front)
        #expect(frontElements["circle", default: 0] == 6 + 1)   // the front's dots + legend
        #expect(frontElements["path", default: 0] == 7 + 1)     // the homogeneous crosses + legend
        #expect(frontElements["polygon", default: 0] == 1 + 1)  // the current diamond + legend

        let stairs = SVGPlot.render(Plot(series: [Series(name: "s", points: [(x: 3, y: 3), (x: 1, y: 1), (x: 2, y: 2)], style: .stepLine, color: .blue)]))
        let polyline = try #require(stairs.split(separator: "\n").first { $0.hasPrefix("<polyline") })
        let coordinates = polyline.split(separator: "\"")[1].split(separator: " ")
        #expect(coordinates.count == 5)   // 1,1 → 2,1 → 2,2 → 3,2 → 3,3
        #expect(SVGPlot.render(Fixtures.front) == front)   // deterministic
    }

    @Test("XML escaping covers the special characters and drops forbidden controls")
    func escaping() {
        #expect(SVGPlot.escape("a<b & \"c\" 'd'>\u{07}") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
    }

    /// Parses `svg` and returns how many of each element it holds.
    @discardableResult
    private func expectWellFormed(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Int] {
        let counter = ElementCounter()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = counter
        let ok = parser.parse()
        #expect(ok, "SVG is not well-formed: \(parser.parserError.map { "\($0)" } ?? "?")", sourceLocation: sourceLocation)
        #expect(counter.counts["svg"] == 1, sourceLocation: sourceLocation)
        return counter.counts
    }
}

private final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        counts[elementName, default: 0] += 1
    }
}

@Suite("Point labels in SVG")
struct PointLabelTests {
    @Test("each labelled point gets its label beside it; points outside the range get none")
    func labels() {
        let series = Series(name: "homogeneous", points: [Point(x: 1, y: 10), Point(x: 2, y: 20), Point(x: 3, y: 99)],
                            style: .points(.diamond), color: .orange, labels: ["2-bit", "3-bit", "4-bit"])
        let svg = SVGPlot.render(Plot(series: [series], yRange: 0...50), width: 400, height: 300)
        #expect(svg.contains(">2-bit</text>") && svg.contains(">3-bit</text>"))
        #expect(!svg.contains(">4-bit</text>"))
    }
}
