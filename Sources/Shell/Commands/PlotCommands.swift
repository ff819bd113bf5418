import Foundation
import Plotting
import Quantization

/// `plot front`, `plot sweep` and `plot hv`: in the terminal, or to an SVG file.
enum PlotCommands {
    static let options: [OptionSpec] = [
        OptionSpec("to", .path, "write a standalone SVG file instead of drawing in the terminal"),
        OptionSpec("ascii", .flag, "ASCII characters only (no braille)"),
        OptionSpec("width", .integer(30...4000), "columns in the terminal, pixels in SVG (default 72 / 720)"),
        OptionSpec("height", .integer(10...4000), "rows in the terminal, pixels in SVG (default 22 / 440)"),
    ]

    static var commands: [Command] {
        [
            Command(
                name: "plot front", usage: "plot front [to FILE.svg] [ascii] [width W] [height H]",
                summary: "Plot size against accuracy: the Pareto front, homogeneous 2..8-bit and the current bits",
                details: "The front is drawn as a staircase (the region it attains), homogeneous configurations and the current one as their own markers. Accuracy is on the validation split, the one the search optimised.",
                examples: ["plot front", "plot front to front.svg"],
                options: options,
                run: { interpreter, arguments in
                    let session = interpreter.session
                    _ = try arguments.options(options)  // a typo fails before any evaluation
                    let state = try FrontCommands.requireSearch(session)
                    guard let sizeIndex = state.context.objectives.firstIndex(of: .size) else {
                        throw CommandError("this search did not minimise size; 'plot front' draws size against accuracy")
                    }
                    var series = [
                        Series(name: "mixed-precision front", points: state.front.map { Point(x: $0.objectives[sizeIndex], y: (1 - $0.objectives[0]) * 100) },
                               style: .stepLinePoints(.dot), color: .blue),
                        Series(name: "homogeneous 2..8-bit", points: state.homogeneous.map { Point(x: $0.objectives[sizeIndex], y: (1 - $0.objectives[0]) * 100) },
                               style: .points(.diamond), color: .orange),
                    ]
                    let current = try session.evaluateQuantized(session.quantization.bits)
                    series.append(Series(name: "current (\(session.quantization.bits.uniformWidth.map { "\($0)-bit" } ?? "mixed"))",
                                         points: [Point(x: Double(current.size), y: current.validation * 100)], style: .points(.star), color: .red))
                    let plot = Plot(title: "\(state.context.task): size against validation accuracy", xLabel: "model size (bytes)",
                                    yLabel: "validation accuracy (%)", series: series)
                    try draw(plot, arguments: arguments, session: session)
                }
            ),
            Command(
                name: "plot sweep", usage: "plot sweep [to FILE.svg] [ascii] [width W] [height H]",
                summary: "Plot the last sweep: accuracy against the swept width, with float accuracy for reference",
                examples: ["sweep h.add in 2..8; plot sweep"],
                options: options,
                run: { interpreter, arguments in
                    let session = interpreter.session
                    guard let sweep = session.quantization.lastSweep else {
                        throw CommandError("no sweep yet: run 'sweep PATTERN in 2..8' first")
                    }
                    let widths = sweep.points.map { Double($0.bits) }
                    let span = (widths.min() ?? 2)...(widths.max() ?? 8)
                    let plot = Plot(
                        title: "sweep of \(sweep.pattern) (the rest as set)", xLabel: "\(sweep.pattern) width (bits)", yLabel: "validation accuracy (%)",
                        series: [
                            Series(name: "quantized", points: sweep.points.map { Point(x: Double($0.bits), y: $0.accuracy * 100) }, style: .linePoints(.dot), color: .blue),
                            Series(name: "float", points: [Point(x: span.lowerBound, y: sweep.floatAccuracy * 100), Point(x: span.upperBound, y: sweep.floatAccuracy * 100)],
                                   style: .line, color: .gray),
                        ])
                    try draw(plot, arguments: arguments, session: session)
                }
            ),
            Command(
                name: "plot hv", usage: "plot hv [to FILE.svg] [ascii] [width W] [height H]",
                summary: "Plot the search's hypervolume per generation",
                examples: ["evolve 20 gens; plot hv"],
                options: options,
                run: { interpreter, arguments in
                    let session = interpreter.session
                    let state = try FrontCommands.requireSearch(session)
                    let box = state.context.reference.reduce(1, *)
                    let points = state.search.history.map { Point(x: Double($0.generation), y: box > 0 ? $0.hypervolume / box : 0) }
                    let plot = Plot(title: "\(state.context.task): hypervolume per generation", xLabel: "generation", yLabel: "hypervolume (fraction of box)",
                                    series: [
                                        Series(name: "mixed-precision search", points: points, style: .linePoints(.dot), color: .blue),
                                        Series(name: "homogeneous 2..8-bit", points: [Point(x: points.first?.x ?? 0, y: state.homogeneousHypervolume), Point(x: points.last?.x ?? 1, y: state.homogeneousHypervolume)],
                                               style: .line, color: .orange),
                                    ])
                    try draw(plot, arguments: arguments, session: session)
                }
            ),
        ]
    }

    private static func draw(_ plot: Plot, arguments: Arguments, session: Session) throws {
        let parsed = try arguments.options(options)
        if let path = parsed.path("to") {
            let svg = SVGPlot.render(plot, width: parsed.integer("width") ?? 720, height: parsed.integer("height") ?? 440)
            do {
                try Data(svg.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw CommandError("cannot write \(path): \(Interpreter.message(for: error))")
            }
            session.io.out("wrote \(path)")
            return
        }
        let style: TerminalStyle = parsed.has("ascii") || !session.io.useUnicode ? .ascii : .braille
        TerminalPlot.render(plot, width: parsed.integer("width") ?? 72, height: parsed.integer("height") ?? 22,
                            style: style, color: session.io.useColor).forEach(session.io.out)
    }
}
