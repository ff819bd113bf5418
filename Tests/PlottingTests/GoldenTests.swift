import Testing
import Plotting

@Suite("Golden files (rewrite with GQ_UPDATE_GOLDEN=1)")
struct GoldenTests {
    @Test("terminal front plot, braille, no colour")
    func frontBraille() throws {
        let text = TerminalPlot.render(Fixtures.front, width: 72, height: 22, style: .braille, color: false)
        try GoldenFiles.check(text.joined(separator: "\n") + "\n", against: "front-braille.txt")
    }

    @Test("terminal front plot, braille, colour")
    func frontBrailleColour() throws {
        let text = TerminalPlot.render(Fixtures.front, width: 72, height: 22, style: .braille, color: true)
        try GoldenFiles.check(text.joined(separator: "\n") + "\n", against: "front-braille-color.txt")
    }

    @Test("terminal front plot, ASCII, no colour")
    func frontASCII() throws {
        let text = TerminalPlot.render(Fixtures.front, width: 72, height: 22, style: .ascii, color: false)
        try GoldenFiles.check(text.joined(separator: "\n") + "\n", against: "front-ascii.txt")
    }

    @Test("terminal front plot, ASCII, colour")
    func frontASCIIColour() throws {
        let text = TerminalPlot.render(Fixtures.front, width: 72, height: 22, style: .ascii, color: true)
        try GoldenFiles.check(text.joined(separator: "\n") + "\n", against: "front-ascii-color.txt")
    }

    @Test("terminal hypervolume and sweep plots, braille")
    func otherPlots() throws {
        let hv = TerminalPlot.render(Fixtures.hypervolume, width: 60, height: 16)
        try GoldenFiles.check(hv.joined(separator: "\n") + "\n", against: "hv-braille.txt")
        let sweep = TerminalPlot.render(Fixtures.sweep, width: 60, height: 16, style: .ascii)
        try GoldenFiles.check(sweep.joined(separator: "\n") + "\n", against: "sweep-ascii.txt")
    }

    @Test("SVG front, hypervolume and sweep plots")
    func svg() throws {
        try GoldenFiles.check(SVGPlot.render(Fixtures.front, width: 640, height: 420), against: "front.svg")
        try GoldenFiles.check(SVGPlot.render(Fixtures.hypervolume, width: 480, height: 320), against: "hv.svg")
        try GoldenFiles.check(SVGPlot.render(Fixtures.sweep, width: 480, height: 320), against: "sweep.svg")
    }
}
