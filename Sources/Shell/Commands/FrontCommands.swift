import Foundation
import Workbench

/// `show front`, `use front`, `save front` and `compare`: reading the result of `evolve`.
enum FrontCommands {
    static let rule = Option<PickRule>("rule", "how the pick is confirmed beyond validation (default \(PickRule.standard.rawValue))")
    static let tolerance = Option<Double>("tolerance", 0...100, "how far below 8-bit's accuracy the pick may be, in points (default \(Value.format(Comparison.defaultTolerance * 100)))")
    static let fineTune = Option<Flag>.flag("finetune", "fine-tune the candidates (as 'finetune' would) before the rule judges them")
    static let epochs = Option<Int>("epochs", 1...100_000, "with finetune: epochs per candidate (default \(FineTuningOptions().epochs))")
    static let compareOptions: [any OptionDeclaration] = [fineTune, rule, tolerance, epochs]
    static let above = Option<Double>("above", 0...1, "only points with at least this validation accuracy (a fraction, e.g. 0.9)")
    static let within = Option<Double>("within", 0...100, "only points within this many points of homogeneous 8-bit's validation accuracy")
    static let frontFilters: [any OptionDeclaration] = [above, within]

    static var commands: [Command] {
        [
            Command(
                name: "show front", usage: "show front [above A] [within P]",
                summary: "List the Pareto front: size, validation and test accuracy, and the bits of each",
                details: "The non-dominated points over every evaluation of the search, smallest first, one row per point: configurations that differ only in widths no objective sees reach the same point, and the row shows the one with the fewest bit operations per step (×N says how many share it). Validation accuracy is what the search optimised; test accuracy is measured here for reporting only. 'above A' keeps points with validation accuracy of at least A (a fraction, as 'accuracy' is); 'within P' keeps those within P points of homogeneous 8-bit's validation accuracy; positions stay those of the whole front, so 'use front K' takes them. Bits are listed in genome order, one column per operator: \(GRUOperator.genome.map { "\($0.shortName)=\($0.name)" }.joined(separator: " ")). In a terminal too narrow for those columns the widths are one digit string per row, in the same order. 'save front' writes every point.",
                examples: ["show front", "show front above 0.9", "show front within 1"],
                options: frontFilters,
                parse: { try $0.options(frontFilters) },
                run: { interpreter, parsed in
                    let session = interpreter.session
                    let state = try session.workspace.requireSearch()
                    var rows = try session.workspace.frontRows()
                    let total = rows.count
                    if let floor = parsed[above] { rows = rows.filter { $0.validationAccuracy >= floor } }
                    if let points = parsed[within] {
                        guard let eight = state.homogeneous.first(where: { $0.bits == 8 }) else {
                            throw CommandError("'within' measures from homogeneous 8-bit, which is outside this search's widths", argument: 0)
                        }
                        let floor = state.problem.accuracy(eight.objectives) - points / 100
                        rows = rows.filter { $0.validationAccuracy >= floor - 1e-12 }
                    }
                    table(rows, state: state, columns: session.io.columns()).forEach(session.io.out)
                    if rows.count < total { session.io.out("\(rows.count) of \(total) points shown") }
                    EvolveCommand.publish(state, in: session)
                }
            ),
            Command(
                name: "use front", usage: "use front K",
                summary: "Make configuration K of the front the current bits",
                details: "K counts from 1, as 'show front' numbers them. 'eval' then measures it.",
                examples: ["use front 1; eval"],
                parse: { arguments -> Int in
                    try arguments.expectCount(1...1, usage: "use front K")
                    guard let k = Int(arguments[0]), k >= 1 else {
                        throw CommandError("expected a front position, a whole number from 1, got '\(arguments[0])'", argument: 0)
                    }
                    return k
                },
                run: { interpreter, k in
                    do {
                        let session = interpreter.session
                        session.changeBits(to: try session.workspace.frontBits(k))
                        session.io.out("bits \(session.workspace.bits)")
                    } catch let error as WorkbenchError {
                        guard case .frontPositionOutOfRange = error else { throw error }
                        throw CommandError(Interpreter.message(for: error), argument: 0)
                    }
                }
            ),
            Command(
                name: "save front", usage: "save front FILE.csv|FILE.json",
                summary: "Write the Pareto front as CSV or JSON",
                details: "One row (or object) per configuration: size in bytes and as a fraction of 8-bit, validation and test accuracy, and each operator's width. Written to a temporary file and renamed.",
                examples: ["save front front.csv", "save front front.json"],
                completion: .paths,
                parse: { arguments -> (ModelFileCommands.FileArgument, FrontFile.Format) in
                    let file = try ModelFileCommands.file(usage: "save front FILE.csv|FILE.json")(arguments)
                    guard let format = FrontFile.Format(rawValue: URL(fileURLWithPath: file.path).pathExtension.lowercased()) else {
                        throw CommandError("name the file .csv or .json, got '\(file.word)'", argument: 0)
                    }
                    return (file, format)
                },
                run: { interpreter, request in
                    let (file, format) = request
                    let rows = try interpreter.session.workspace.frontRows()
                    try file.write(try FrontFile.render(rows, as: format), argument: 0)
                    interpreter.session.io.out("wrote \(rows.count) configurations to \(file.path)")
                }
            ),
            Command(
                name: "compare", usage: "compare [finetune [epochs N]] [rule validation|train|fidelity|margin] [tolerance X]",
                summary: "Mixed against homogeneous precision: hypervolume and the smallest model near 8-bit accuracy, with test beside",
                details: "Prints the hypervolume of the mixed-precision front beside that of homogeneous 2..8-bit, then homogeneous 8-bit and the pick: the smallest mixed configuration of the front within the tolerance (default 0.5 points) of 8-bit's validation accuracy that the rule accepts, each with validation and test accuracy, the size reduction and the test gap (8-bit's test accuracy minus the pick's). The pick is chosen without the test split; test is reported only. Rules: validation (what the search optimised), train (also within the tolerance of 8-bit on the training split, which the search never scored), fidelity (also within the tolerance of 8-bit's agreement with the float model over training and validation), margin (validation with one standard error of the paired difference as extra margin). With finetune, every mixed configuration smaller than 8-bit is a candidate: each one tried is fine-tuned from the search's weights exactly as 'use front K; finetune' would (seed: the session seed), and the rule judges the fine-tuned model against post-training 8-bit; the candidates are bisected by size, so about log2 of their number are fine-tuned. Ctrl-C stops it with the smallest accepted so far. Sets hv, hv_homogeneous, best_index (front position, 0 if none), best_size (bytes, 0 if none), size_reduction (fraction of 8-bit saved), best_accuracy and best_test_accuracy (after fine-tuning with finetune), accuracy_8bit, test_accuracy_8bit and size_8bit (bytes), and test_gap (test_accuracy_8bit − best_test_accuracy).",
                examples: ["evolve 20 gens; compare", "compare finetune", "compare rule train", "compare tolerance 0.01"],
                options: compareOptions,
                parse: { arguments in
                    let parsed = try arguments.options(compareOptions)
                    if parsed[epochs] != nil, parsed[fineTune] == nil {
                        throw CommandError("'epochs' sets the fine-tuning of 'compare finetune'; add 'finetune' or drop it")
                    }
                    return parsed
                },
                run: { interpreter, parsed in
                    let session = interpreter.session
                    let chosenRule = parsed[rule] ?? .standard
                    let chosenTolerance = (parsed[tolerance] ?? Comparison.defaultTolerance * 100) / 100
                    guard parsed[fineTune] != nil else {
                        compare(try session.workspace.compare(rule: chosenRule, tolerance: chosenTolerance), session: session)
                        return
                    }
                    var settings = FineTuningOptions(seed: session.seed)
                    if let n = parsed[epochs] { settings.epochs = n }
                    compare(try compareFineTuned(rule: chosenRule, tolerance: chosenTolerance, settings: settings, session: session),
                            session: session)
                }
            ),
        ]
    }

    /// The front as a table: one column per operator when it fits in `columns` (or
    /// always, without a terminal), else the compact form with the widths as one digit
    /// string per row (10 and up as a, b, …) and a legend.
    static func table(_ rows: [FrontRow], state: QuantizationSearch, columns: Int? = nil) -> [String] {
        let shortNames = GRUOperator.genome.map(\.shortName)
        let head = "  #   size (B)  of 8-bit  val acc  test acc  "
        func figures(_ row: FrontRow) -> String {
            String(row.position).leftPadded(3) + String(row.size).leftPadded(11)
                + String(format: "%8.1f %%%7.1f %%%8.1f %%", row.sizeRatio * 100, row.validationAccuracy * 100, row.testAccuracy * 100) + "  "
        }
        let fixedWidths = "input \(state.context.inputBits), fc \(state.context.fcBits) bits"
        func shared(_ row: FrontRow) -> String { row.configurations > 1 ? "  ×\(row.configurations)" : "" }
        let sharedNote = rows.contains { $0.configurations > 1 }
            ? "; ×N: N configurations reach that point, the one shown has the fewest bit operations" : ""
        let full = head + shortNames.map { $0.padding(toLength: 3, withPad: " ", startingAt: 0) }.joined(separator: " ")
        if let columns, full.count > columns - 1 {
            let digits = "0123456789abcdefg"
            func digit(_ bits: Int) -> Character {
                digits[digits.index(digits.startIndex, offsetBy: min(max(bits, 0), 16))]
            }
            var lines = [head + "bits"]
            lines += rows.map { figures($0) + String($0.genome.map(digit)) + shared($0) }
            let legend = "bits: one digit per operator, in order " + shortNames.joined(separator: " ")
                + (rows.contains { $0.genome.contains { $0 >= 10 } } ? " (a = 10, b = 11, …)" : "") + "; \(fixedWidths); 'help show front' names them" + sharedNote
            return lines + TextWrapping.wrap(legend, width: columns - 1, rest: "  ")
        }
        var lines = [full]
        lines += rows.map { figures($0) + $0.genome.map { String($0).leftPadded(3) }.joined(separator: " ") + shared($0) }
        let legend = "columns: " + GRUOperator.genome.map { "\($0.shortName)=\($0.name)" }.joined(separator: " ") + "; " + fixedWidths + sharedNote
        return lines + TextWrapping.wrap(legend, width: columns.map { $0 - 1 }, rest: "  ")
    }

    static func compare(_ comparison: Comparison, session: Session) {
        let io = session.io
        let hv = comparison.hypervolume, hvHomogeneous = comparison.homogeneousHypervolume
        io.out(String(format: "hypervolume  mixed %.4f   homogeneous 2..8-bit %.4f   (%+.1f %%)", hv, hvHomogeneous,
                      hvHomogeneous > 0 ? (hv / hvHomogeneous - 1) * 100 : 0))
        session.publish([("hv", hv), ("hv_homogeneous", hvHomogeneous)])
        switch comparison.limitation {
        case .noEightBit:
            io.out("homogeneous 8-bit is outside this search's widths: no size comparison")
            return
        case .sizeNotMinimised:
            io.out("this search did not minimise size ('evolve ... objectives error,size'): no size comparison")
            return
        case nil:
            break
        }
        guard let eight = comparison.eightBit else { return }
        let points = Value.format(comparison.tolerance * 100)
        func test(_ pick: Comparison.Pick) -> String { pick.testAccuracy.map { percent($0) } ?? "-" }
        io.out(String(format: "homogeneous 8-bit: %.0f bytes, validation %@, test %@", eight.size, percent(eight.accuracy), test(eight)))
        session.publish([("accuracy_8bit", eight.accuracy), ("test_accuracy_8bit", eight.testAccuracy ?? 0), ("size_8bit", eight.size)])
        if let homogeneous = comparison.smallestHomogeneous {
            io.out(String(format: "smallest homogeneous within %@ points: %d-bit, %.0f bytes: %.1f %% smaller", points, homogeneous.bits, homogeneous.pick.size, (1 - homogeneous.pick.size / eight.size) * 100))
        }
        let confirmed = comparison.rule == .validation ? "" : ", confirmed by rule \(comparison.rule.rawValue)"
        if let trail = comparison.fineTuning {
            compareFineTuned(comparison, eight: eight, trail: trail, confirmed: confirmed, session: session)
            return
        }
        let turnedDown = comparison.rejected > 0 ? " (\(comparison.rejected) smaller one\(comparison.rejected == 1 ? "" : "s") within \(points) points on validation turned down)" : ""
        guard let best = comparison.best else {
            io.out("no mixed configuration on the front within \(points) points of homogeneous 8-bit (\(percent(eight.accuracy)) validation)\(confirmed)\(turnedDown)")
            publishPick(comparison, session: session)
            return
        }
        io.out(String(format: "smallest mixed within %@ points%@: front %d, %.0f bytes, validation %@, test %@: %.1f %% smaller than 8-bit%@",
                      points, confirmed, best.position, best.pick.size, percent(best.pick.accuracy), test(best.pick), comparison.sizeReduction * 100, turnedDown))
        io.out(String(format: "test gap     %+.1f points (8-bit test minus the pick's; chosen without the test split)", (comparison.testGap ?? 0) * 100))
        publishPick(comparison, session: session)
    }

    /// The pick's variables, the same for `compare` and `compare finetune`; zeros when there is no pick.
    static func publishPick(_ comparison: Comparison, session: Session) {
        let best = comparison.best
        session.publish([("best_index", Double(best?.position ?? 0)), ("best_size", best?.pick.size ?? 0),
                         ("size_reduction", comparison.sizeReduction), ("best_accuracy", best?.pick.accuracy ?? 0),
                         ("best_test_accuracy", best?.pick.testAccuracy ?? 0), ("test_gap", comparison.testGap ?? 0)])
    }
}

// MARK: - compare finetune

extension FrontCommands {
    /// Runs `compare finetune`, printing each candidate as it is judged.
    static func compareFineTuned(rule: PickRule, tolerance: Double, settings: FineTuningOptions, session: Session) throws -> Comparison {
        var meter = ProgressMeter(io: session.io)
        var current = ""
        let observer = FineTuningObserver(progress: { epoch, batch, batchCount, _ in
            let fraction = (Double(epoch - 1) + Double(batch) / Double(max(batchCount, 1))) / Double(max(settings.epochs, 1))
            meter.update(fraction: fraction, label: "finetune", detail: "\(current), epoch \(epoch)/\(settings.epochs)")
        })
        return try session.workspace.compareFineTuned(
            rule: rule, tolerance: tolerance, settings: settings, observer: observer,
            starting: { position, _ in current = "front \(position)" },
            finished: { candidate in
                meter.finish()
                let verdict = candidate.accepted ? "accepted" : "turned down"
                session.io.out(String(format: "  front %d: %.0f bytes, validation %@ → %@ after fine-tuning: %@", candidate.position,
                                      candidate.size, percent(candidate.searchedAccuracy), percent(candidate.accuracy), verdict))
            })
    }

    static func compareFineTuned(_ comparison: Comparison, eight: Comparison.Pick, trail: FineTuningTrail, confirmed: String, session: Session) {
        let io = session.io
        let points = Value.format(comparison.tolerance * 100)
        let stopped = trail.interrupted ? " (interrupted: the smallest accepted so far)" : ""
        io.out("fine-tuned \(trail.candidates.count) of the front's \(trail.candidateCount) mixed configurations smaller than 8-bit, bisected by size\(stopped)")
        guard let best = comparison.best else {
            io.out("no fine-tuned mixed configuration within \(points) points of homogeneous 8-bit (\(percent(eight.accuracy)) validation)\(confirmed)")
            publishPick(comparison, session: session)
            return
        }
        func test(_ pick: Comparison.Pick?) -> String { pick?.testAccuracy.map { percent($0) } ?? "-" }
        let before = trail.pickBefore
        io.out(String(format: "smallest mixed within %@ points after fine-tuning%@: front %d, %.0f bytes, validation %@ → %@, test %@ → %@: %.1f %% smaller than 8-bit",
                      points, confirmed, best.position, best.pick.size, percent(before?.accuracy ?? best.pick.accuracy), percent(best.pick.accuracy),
                      test(before), test(best.pick), comparison.sizeReduction * 100))
        io.out(String(format: "test gap     %+.1f points (8-bit test minus the fine-tuned pick's; chosen without the test split)", (comparison.testGap ?? 0) * 100))
        io.out("'use front \(best.position); finetune' gives these weights")
        publishPick(comparison, session: session)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
