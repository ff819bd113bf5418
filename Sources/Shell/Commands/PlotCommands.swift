import Foundation
import Plotting
import TextMatching
import Workbench

/// `plot front`, `plot sweep` and `plot hv`: in the terminal, or to an SVG file.
enum PlotCommands {
    static let to = Option<FilePath>.path("to", "write the plot to a file instead of the terminal: FILE.svg a standalone SVG, FILE.txt the terminal drawing without colour").valueNamed("FILE.svg|FILE.txt")
    static let ascii = Option<Flag>.flag("ascii", "ASCII characters only (no braille)")
    static let width = Option<Int>("width", 30...4000, "columns in the terminal, pixels in SVG (default 72 / 720)").valueNamed("W")
    static let height = Option<Int>("height", 10...4000, "rows in the terminal, pixels in SVG (default 22 / 440)").valueNamed("H")
    static let yRange = Option<ClosedRange<Double>>.span("y", "the vertical axis from A to B: accuracy as a fraction or in % ('y 0.9..1' or 'y 90..100'), hypervolume as a fraction; default: the data's extent")
    static let options: [any OptionDeclaration] = [to, ascii, width, height, yRange]

    static var commands: [Command] {
        [
            Command(
                name: "plot front", operands: "[X [Y]]",
                summary: "Plot the Pareto front, homogeneous 2..8-bit and the current bits: size (or any cost) against accuracy",
                details: "X and Y name the axes: \(FrontAxis.names.joined(separator: ", ")) (accuracy and error on the validation split, the one the search optimised; costs as 'show front' reports them, latency and ram for the search's core from the device cost model). By default X is the cost 'compare' minimises (size, or latency for a search that minimised latency and not size) and Y is accuracy: 'plot front latency' draws latency against accuracy, 'plot front size latency' size against latency. The front of a two-objective search drawn on its own two axes is a staircase (the region it attains); any other view of it, or a front of more objectives, is drawn as points, since a point that looks dominated there is better in an objective off the plot. Homogeneous configurations and the current one have their own markers. Under limits the front holds only configurations that meet them.",
                examples: ["plot front", "plot front y 90..100", "plot front latency accuracy", "plot front to front.svg"],
                options: options,
                parse: parseFront,
                run: { interpreter, request in
                    let session = interpreter.session
                    let workspace = session.workspace
                    let state = try workspace.requireSearch()
                    let problem = state.problem
                    if state.front.isEmpty, let infeasibility = state.infeasibility {
                        session.io.out(infeasibility.message)
                        return
                    }
                    guard let defaultCost = Comparison.defaultCost(for: problem.objectives) ?? problem.objectives.first(where: { $0.role == .cost }) else {
                        throw CommandError("this search minimised no cost; 'plot front' draws a cost against accuracy")
                    }
                    let x = request.x ?? .cost(defaultCost), y = request.y ?? .accuracy
                    func value(_ axis: FrontAxis, _ genome: [Int], _ objectives: [Double]) -> Double {
                        switch axis {
                        case .accuracy: return problem.accuracy(objectives) * 100
                        case .error: return (1 - problem.accuracy(objectives)) * 100
                        case .cost(let quantity): return problem.value(of: quantity, genome: genome, objectives: objectives)
                        }
                    }
                    // The staircase is the attained region only on the search's own two axes, cost across.
                    let own: Bool
                    if case .cost(let quantity) = x, y != x, y.isValidation, problem.objectives.count == 2, problem.index(of: quantity) != nil {
                        own = true
                    } else {
                        own = false
                    }
                    let frontName = own || problem.objectives.count <= 2 ? "mixed-precision front" : "mixed-precision front (\(problem.objectives.count) objectives)"
                    var series = [
                        Series(name: frontName, points: state.front.map { Point(x: value(x, $0.genome, $0.objectives), y: value(y, $0.genome, $0.objectives)) },
                               style: own ? .stepLinePoints(.dot) : .points(.dot), color: .blue),
                        Series(name: "homogeneous 2..8-bit", points: state.homogeneous.map {
                                   let genome = problem.homogeneous($0.bits)
                                   return Point(x: value(x, genome, $0.objectives), y: value(y, genome, $0.objectives))
                               },
                               style: .points(.diamond), color: .orange, labels: state.homogeneous.map { "\($0.bits)-bit" }),
                    ]
                    let current = try workspace.evaluate(workspace.bits)
                    // On what the front was judged on, so the point sits among them.
                    let currentAccuracy = problem.judge.kind == .validation ? current.accuracy.validation
                        : problem.judge.evaluator.accuracy(try workspace.quantizedModel(workspace.bits))
                    func currentValue(_ axis: FrontAxis) throws -> Double {
                        switch axis {
                        case .accuracy: return currentAccuracy * 100
                        case .error: return (1 - currentAccuracy) * 100
                        case .cost(let quantity) where quantity == .size: return Double(current.size)
                        case .cost(let quantity): return try workspace.cost(quantity, of: workspace.bits, core: problem.core)
                        }
                    }
                    series.append(Series(name: "current (\(workspace.bits.uniformWidth.map { "\($0)-bit" } ?? "mixed"))",
                                         points: [Point(x: try currentValue(x), y: try currentValue(y))], style: .points(.star), color: .red))
                    let judge = problem.judge.label
                    var title = "\(state.context.task): \(x.title(judge: judge)) against \(y.title(judge: judge))"
                    if x.dependsOnCore || y.dependsOnCore { title += " on \(problem.core.label)" }
                    let plot = Plot(title: title, xLabel: x.axisLabel(judge: judge), yLabel: y.axisLabel(judge: judge), series: series)
                    try draw(plot, options: request.options, session: session, percentAxis: y.isValidation)
                }
            ),
            Command(
                name: "plot sweep",
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
                name: "plot hv",
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

    /// A quantity `plot front` puts on an axis: validation accuracy or error, or a cost.
    enum FrontAxis: Equatable {
        case accuracy, error
        case cost(SearchObjective)

        static var names: [String] { ["accuracy", "error"] + SearchObjective.catalog.filter { $0.role == .cost }.map(\.name) }

        init?(_ word: String) {
            switch word {
            case "accuracy": self = .accuracy
            case "error": self = .error
            default:
                guard let quantity = SearchObjective.named(word), quantity.role == .cost else { return nil }
                self = .cost(quantity)
            }
        }

        /// Accuracy or error in %, on the validation split.
        var isValidation: Bool {
            if case .cost = self { return false }
            return true
        }

        var dependsOnCore: Bool {
            if case .cost(let quantity) = self { return quantity.dependsOnCore }
            return false
        }

        /// `judge`: what accuracy was measured on, "validation" or "judged" (`JudgingSet.label`).
        func axisLabel(judge: String) -> String {
            switch self {
            case .accuracy: return "\(judge) accuracy (%)"
            case .error: return "\(judge) error (%)"
            case .cost(let quantity): return quantity.axis
            }
        }

        /// The plot title's word: "size against validation accuracy".
        func title(judge: String) -> String {
            switch self {
            case .accuracy: return "\(judge) accuracy"
            case .error: return "\(judge) error"
            case .cost(let quantity): return quantity.name
            }
        }
    }

    /// `plot front`'s line: up to two axis names, then the plot options.
    struct FrontRequest {
        var x: FrontAxis?
        var y: FrontAxis?
        var options: ParsedOptions
    }

    static func parseFront(_ arguments: Arguments) throws -> FrontRequest {
        var axes: [FrontAxis] = []
        while axes.count < 2, axes.count < arguments.count, let axis = FrontAxis(arguments[axes.count]) {
            axes.append(axis)
        }
        if axes.count == 2, axes[0] == axes[1] || (axes[0].isValidation && axes[1].isValidation) {
            throw CommandError("'plot front' needs two different quantities, one across and one up, got '\(arguments[0])' and '\(arguments[1])'", argument: 1)
        }
        let names = options.map(\.spec.name)
        if axes.count < arguments.count, axes.count < 2, !names.contains(arguments[axes.count]) {
            let word = arguments[axes.count]
            throw CommandError("'\(word)' is neither a quantity to plot (\(FrontAxis.names.joined(separator: ", "))) nor an option of 'plot front'\(Suggestion.didYouMean(word, among: FrontAxis.names + names))",
                               argument: axes.count)
        }
        let parsed = try parse(arguments, from: axes.count)
        return FrontRequest(x: axes.first, y: axes.count > 1 ? axes[1] : nil, options: parsed)
    }

    /// The file kinds `plot ... to` writes, by extension.
    enum FileKind: String, CaseIterable {
        case svg, txt
    }

    /// Reads the options; a `to` file of a kind gq does not write is refused before anything runs.
    static func parse(_ arguments: Arguments) throws -> ParsedOptions {
        try parse(arguments, from: 0)
    }

    static func parse(_ arguments: Arguments, from start: Int) throws -> ParsedOptions {
        let parsed = try arguments.options(from: start)
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
