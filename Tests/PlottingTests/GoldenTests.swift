import Plotting
import TestSupport
import Testing

private let golden = GoldenFiles()

@Suite("Golden files (rewrite with GQ_UPDATE_GOLDEN=1)")
struct GoldenTests {
    @Test("terminal front plot, braille, no colour")
    func frontBraille() throws {
        let text = TerminalPlot.render(Fixtures.front, width: 72, height: 22, style: .braille, color: false)
        try golden.check(text.joined(separator: "\n") + "\n", against: "front-braille.txt")
    }

    @Test("terminal front plot, braille, colour")
    func frontBrailleColour() throws {
        let text = TerminalPlot.render(Fixtures.front, width: 72, height: 22, style: .braille, color: true)
        try golden.check(text.joined(separator: "\n") + "\n", against: "front-braille-color.txt")
    }

    @Test("terminal front plot, ASCII, no colour")
    func frontASCII() throws {
        let text = TerminalPlot.render(Fixtures.front, width: 72, height: 22, style: .ascii, color: false)
        try golden.check(text.joined(separator: "\n") + "\n", against: "front-ascii.txt")
    }

    @Test("terminal front plot, ASCII, colour")
    func frontASCIIColour() throws {
        let text = TerminalPlot.render(Fixtures.front, width: 72, height: 22, style: .ascii, color: true)
        try golden.check(text.joined(separator: "\n") + "\n", against: "front-ascii-color.txt")
    }

    @Test("terminal hypervolume and sweep plots, braille")
    func otherPlots() throws {
        let hv = TerminalPlot.render(Fixtures.hypervolume, width: 60, height: 16)
        try golden.check(hv.joined(separator: "\n") + "\n", against: "hv-braille.txt")
        let sweep = TerminalPlot.render(Fixtures.sweep, width: 60, height: 16, style: .ascii)
        try golden.check(sweep.joined(separator: "\n") + "\n", against: "sweep-ascii.txt")
    }

    @Test("SVG front, hypervolume and sweep plots")
    func svg() throws {
        try golden.check(SVGPlot.render(Fixtures.front, width: 640, height: 420), against: "front.svg")
        try golden.check(SVGPlot.render(Fixtures.hypervolume, width: 480, height: 320), against: "hv.svg")
        try golden.check(SVGPlot.render(Fixtures.sweep, width: 480, height: 320), against: "sweep.svg")
    }
}
