import Foundation
import Plotting
import Workbench

/// `plot front`, `plot sweep` and `plot hv`: in the terminal, or to an SVG file.
enum PlotCommands {
    static let to = Option<FilePath>.path("to", "write the plot to a file instead of the terminal: FILE.svg a standalone SVG, FILE.txt the terminal drawing without colour")
    static let ascii = Option<Flag>.flag("ascii", "ASCII characters only (no braille)")
    static let width = Option<Int>("width", 30...4000, "columns in the terminal, pixels in SVG (default 72 / 720)")
    static let height = Option<Int>("height", 10...4000, "rows in the terminal, pixels in SVG (default 22 / 440)")
    static let yRange = Option<ClosedRange<Double>>.span("y", "the vertical axis from A to B: accuracy as a fraction or in % ('y 0.9..1' or 'y 90..100'), hypervolume as a fraction; default: the data's extent")
    static let options: [any OptionDeclaration] = [to, ascii, width, height, yRange]

    static var commands: [Command] {
        [
            Command(
                name: "plot front", usage: "plot front [to FILE.svg] [ascii] [width W] [height H] [y A..B]",
                summary: "Plot size against accuracy: the Pareto front, homogeneous 2..8-bit and the current bits",
                details: "The front is drawn as a staircase (the region it attains), homogeneous configurations and the current one as their own markers. Accuracy is on the validation split, the one the search optimised.",
                examples: ["plot front", "plot front y 90..100", "plot front to front.svg"],
                options: options,
                parse: parse,
                run: { interpreter, parsed in
                    let session = interpreter.session
                    let workspace = session.workspace
                    let state = try workspace.requireSearch()
                    guard let sizeIndex = state.problem.index(of: .size) else {
                        throw CommandError("this search did not minimise size; 'plot front' draws size against accuracy")
                    }
                    var series = [
                        Series(name: "mixed-precision front", points: state.front.map { Point(x: $0.objectives[sizeIndex], y: state.problem.accuracy($0.objectives) * 100) },
                               style: .stepLinePoints(.dot), color: .blue),
                        Series(name: "homogeneous 2..8-bit", points: state.homogeneous.map { Point(x: $0.objectives[sizeIndex], y: state.problem.accuracy($0.objectives) * 100) },
                               style: .points(.diamond), color: .orange, labels: state.homogeneous.map { "\($0.bits)-bit" }),
                    ]
                    let current = try workspace.evaluate(workspace.bits)
                    series.append(Series(name: "current (\(workspace.bits.uniformWidth.map { "\($0)-bit" } ?? "mixed"))",
                                         points: [Point(x: Double(current.size), y: current.accuracy.validation * 100)], style: .points(.star), color: .red))
                    let plot = Plot(title: "\(state.context.task): size against validation accuracy", xLabel: "model size (bytes)",
                                    yLabel: "validation accuracy (%)", series: series)
                    try draw(plot, options: parsed, session: session, percentAxis: true)
                }
            ),
            Command(
                name: "plot sweep", usage: "plot sweep [to FILE.svg] [ascii] [width W] [height H] [y A..B]",
                summary: "Plot the last sweep: accuracy against the swept width, with float accuracy for reference",
                examples: ["sweep h.add in 2..8; plot sweep"],
                options: options,
                parse: parse,
                run: { interpreter, parsed in
                    let session = interpreter.session
                    guard let sweep = session.workspace.lastSweep else {
                        throw CommandError("no sweep yet: run 'sweep PATTERN in 2..8' first")
                    }
                    let widths = sweep.points.map { Double($0.bits) }
                    let span = (widths.min() ?? 2)...(widths.max() ?? 8)
                    let plot = Plot(
                        title: "sweep of \(sweep.pattern) (the rest as set)", xLabel: "\(sweep.pattern) width (bits)", yLabel: "validation accuracy (%)",
                        series: [
                            Series(name: "quantized", points: sweep.points.map { Point(x: Double($0.bits), y: $0.accuracy.validation * 100) }, style: .linePoints(.dot), color: .blue),
                            Series(name: "float", points: [Point(x: span.lowerBound, y: sweep.floatAccuracy * 100), Point(x: span.upperBound, y: sweep.floatAccuracy * 100)],
                                   style: .line, color: .gray),
                        ])
                    try draw(plot, options: parsed, session: session, percentAxis: true)
                }
            ),
            Command(
                name: "plot hv", usage: "plot hv [to FILE.svg] [ascii] [width W] [height H] [y A..B]",
                summary: "Plot the search's hypervolume per generation",
                examples: ["evolve 20 gens; plot hv"],
                options: options,
                parse: parse,
                run: { interpreter, parsed in
                    let session = interpreter.session
                    let state = try session.workspace.requireSearch()
                    let points = state.hypervolumeHistory.map { Point(x: Double($0.generation), y: $0.hypervolume) }
                    let plot = Plot(title: "\(state.context.task): hypervolume per generation", xLabel: "generation", yLabel: "hypervolume (fraction of box)",
                                    series: [
                                        Series(name: "mixed-precision search", points: points, style: .linePoints(.dot), color: .blue),
                                        Series(name: "homogeneous 2..8-bit", points: [Point(x: points.first?.x ?? 0, y: state.homogeneousHypervolume), Point(x: points.last?.x ?? 1, y: state.homogeneousHypervolume)],
                                               style: .line, color: .orange),
                                    ])
                    try draw(plot, options: parsed, session: session)
                }
            ),
        ]
    }

    /// The file kinds `plot ... to` writes, by extension.
    enum FileKind: String, CaseIterable {
        case svg, txt
    }

    /// Reads the options; a `to` file of a kind gq does not write is refused before anything runs.
    static func parse(_ arguments: Arguments) throws -> ParsedOptions {
        let parsed = try arguments.options(options)
        if let file = parsed[to] {
            let kind = URL(fileURLWithPath: file.path).pathExtension.lowercased()
            guard FileKind(rawValue: kind) != nil else {
                let index = arguments.words.firstIndex(of: "to").map { $0 + 1 }
                throw CommandError("gq writes plots as .svg or .txt (the terminal drawing), not '\(kind.isEmpty ? "no extension" : "." + kind)': name the file FILE.svg or FILE.txt", argument: index)
            }
        }
        return parsed
    }

    /// `percentAxis`: the y axis is accuracy in %, so a span within 0…1 is read as fractions,
    /// as the language's accuracy variables are.
    private static func draw(_ plot: Plot, options parsed: ParsedOptions, session: Session, percentAxis: Bool = false) throws {
        var plot = plot
        if let span = parsed[yRange] {
            plot.yRange = percentAxis && span.upperBound <= 1 ? (span.lowerBound * 100)...(span.upperBound * 100) : span
        }
        let style: TerminalStyle = parsed.has(ascii) || !session.io.useUnicode ? .ascii : .braille
        func terminal(color: Bool) -> [String] {
            TerminalPlot.render(plot, width: parsed[width] ?? 72, height: parsed[height] ?? 22, style: style, color: color)
        }
        guard let path = parsed[to]?.path else {
            terminal(color: session.io.useColor).forEach(session.io.out)
            return
        }
        let file = ModelFileCommands.FileArgument(word: path, path: path)
        switch FileKind(rawValue: URL(fileURLWithPath: path).pathExtension.lowercased()) {
        case .txt:
            try file.write(terminal(color: false).joined(separator: "\n") + "\n", argument: nil)
        default:
            try file.write(SVGPlot.render(plot, width: parsed[width] ?? 720, height: parsed[height] ?? 440), argument: nil)
        }
        session.io.out("wrote \(path)")
    }
}
