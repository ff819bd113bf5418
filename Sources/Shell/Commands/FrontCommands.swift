import Foundation
import Workbench

/// `show front`, `use front`, `save front` and `compare`: reading the result of `evolve`.
enum FrontCommands {
    static let rule = Option<PickRule>("rule", "how the pick is confirmed (default \(PickRule.standard.rawValue); with finetune \(PickRule.standardForFineTuning.rawValue))")
    static let tolerance = Option<Double>("tolerance", 0...100, "how far below 8-bit's accuracy the pick may be, in points (default \(Value.format(Comparison.defaultTolerance * 100)))")
    static let fineTune = Option<Flag>.flag("finetune", "fine-tune the candidates (as 'finetune' would) before the rule judges them")
    static let epochs = Option<Int>("epochs", 1...100_000, "with finetune: epochs per candidate (default \(FineTuningOptions().epochs))").requiring(fineTune)
    static let by = Option<SearchObjective>(
        spec: OptionSpec("by", .word(SearchObjective.catalog.filter { $0.role == .cost }.map(\.name)),
                         "the cost the pick minimises, one the search minimised (default: size, or latency for a search that minimised latency and not size)"),
        convert: { SearchObjective.named($0) })
    static let compareOptions: [any OptionDeclaration] = [fineTune, rule, tolerance, by, epochs]
    static let above = Option<Double>("above", 0...1, "only points with at least this accuracy on what the search judged (a fraction, e.g. 0.9)").valueNamed("A")
    static let within = Option<Double>("within", 0...100, "only points within this many points of homogeneous 8-bit's accuracy on what the search judged").valueNamed("P")
    static let frontFilters: [any OptionDeclaration] = [above, within]

    static var commands: [Command] {
        [
            Command(
                name: "show front",
                summary: "List the Pareto front: size, judged, validation and test accuracy, and the bits of each",
                details: "The non-dominated points over every evaluation of the search, smallest first, one row per point, with a column for each other cost the search minimised or bounded (bit operations, latency in instructions per step, RAM in bytes; latency and RAM for the search's core, from the device cost model). Under limits ('evolve ... flash 16k') every point meets them all; while no configuration does, it says so, and how near the search came, instead of listing any: configurations that differ only in widths no objective sees reach the same point, and the row shows the one with the fewest bit operations per step (×N says how many share it). 'judged' is the accuracy the search optimised, on the validation split plus noisy copies of the training split ('help evolve'; a search with 'judge validation' shows validation alone); validation accuracy follows it, and test accuracy is measured here for reporting only. In a narrow terminal the compact form drops the validation column. 'above A' keeps points with judged accuracy of at least A (a fraction, as 'accuracy' is); 'within P' keeps those within P points of homogeneous 8-bit's validation accuracy; positions stay those of the whole front, so 'use front K' takes them. Bits are listed in genome order, one column per operator: \(GRUOperator.genome.map { "\($0.shortName)=\($0.name)" }.joined(separator: " ")). In a terminal too narrow for those columns the widths are one digit string per row, in the same order. 'save front' writes every point.",
                examples: ["show front", "show front above 0.9", "show front within 1"],
                options: frontFilters,
                publishes: EvolveCommand.published,
                parse: { try $0.options() },
                run: { interpreter, parsed in
                    let session = interpreter.session
                    let state = try session.workspace.requireSearch()
                    var rows = try session.workspace.frontRows()
                    if rows.isEmpty, let infeasibility = state.infeasibility {
                        session.io.out(infeasibility.message)
                        EvolveCommand.publish(state, in: session)
                        return
                    }
                    let total = rows.count
                    // Filters read what the search judged on, the accuracy the front was chosen by.
                    func judged(_ row: FrontRow) -> Double { row.judgedAccuracy ?? row.validationAccuracy }
                    if let floor = parsed[above] { rows = rows.filter { judged($0) >= floor } }
                    if let points = parsed[within] {
                        guard let eight = state.homogeneous.first(where: { $0.bits == 8 }) else {
                            throw CommandError("'within' measures from homogeneous 8-bit, which is outside this search's widths", argument: 0)
                        }
                        let floor = state.problem.accuracy(eight.objectives) - points / 100
                        rows = rows.filter { judged($0) >= floor - 1e-12 }
                    }
                    table(rows, state: state, columns: session.io.columns()).forEach(session.io.out)
                    if rows.count < total { session.io.out("\(rows.count) of \(total) points shown") }
                    EvolveCommand.publish(state, in: session)
                }
            ),
            Command(
                name: "use front", operands: "K",
                summary: "Make configuration K of the front the current bits",
                details: "K counts from 1, as 'show front' numbers them. 'eval' then measures it.",
                examples: ["use front 1; eval"],
                parse: { arguments -> Int in
                    try arguments.expectCount(1...1)
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
                name: "save front", operands: "FILE.csv|FILE.json",
                summary: "Write the Pareto front as CSV or JSON",
                details: "One row (or object) per configuration: size in bytes and as a fraction of 8-bit, each other cost the search minimised or bounded under its objective name (bitops, latency in instructions per step, ram in bytes) and, with latency or ram, the core they were estimated for (core), validation and test accuracy, and each operator's width. Under limits every row meets them; with none feasible it writes nothing and says why. Written to a temporary file and renamed.",
                examples: ["save front front.csv", "save front front.json"],
                completion: .paths,
                parse: { arguments -> (ModelFileCommands.FileArgument, FrontFile.Format) in
                    let file = try ModelFileCommands.file()(arguments)
                    guard let format = FrontFile.Format(rawValue: URL(fileURLWithPath: file.path).pathExtension.lowercased()) else {
                        throw CommandError("name the file .csv or .json, got '\(file.word)'", argument: 0)
                    }
                    return (file, format)
                },
                run: { interpreter, request in
                    let (file, format) = request
                    let rows = try interpreter.session.workspace.frontRows()
                    if rows.isEmpty, let infeasibility = try interpreter.session.workspace.requireSearch().infeasibility {
                        throw CommandError(infeasibility.message)
                    }
                    try file.write(try FrontFile.render(rows, as: format), argument: 0)
                    interpreter.session.io.out("wrote \(rows.count) configurations to \(file.path)")
                }
            ),
            Command(
                name: "compare",
                summary: "Mixed against homogeneous precision: hypervolume and the smallest model near 8-bit accuracy, with test beside",
                details: "Prints the hypervolume of the mixed-precision front beside that of homogeneous 2..8-bit, then homogeneous 8-bit and the pick: the smallest configuration (a mixed one of the front, or a homogeneous width below 8 bits) within the tolerance (default 0.5 points) of 8-bit's accuracy on what the search judged (by default the validation split plus noisy copies of the training split, see 'help evolve'; the first line names it) that the rule accepts, each with that accuracy, validation and test accuracy, the size reduction and the test gap (8-bit's test accuracy minus the pick's). 'by COST' picks the configuration with the least of another cost the search minimised instead of the smallest (by default size; for a search that minimised latency and not size, latency): 'compare by latency' after 'evolve ... objectives error,size,latency' picks the fewest instructions per step. Costs the search minimised or bounded besides are printed beside; under limits every candidate meets them. The pick is chosen without the test split; test is reported only. Rules: noisy (the default: on validation plus a fresh draw of noisy training copies, which the search never scored, the pick's accuracy minus 8-bit's, averaged within each original sequence, must be at least −tolerance plus one standard error over the original sequences (a 'fresh noise' line reports it), and a candidate whose whole 95 % interval against 8-bit on the clean labelled data (validation; after a refit, training + validation) lies below −tolerance is turned down however the copies read; when the copies carry no noise they are what the search judged, and the clean data's whole interval must lie above −tolerance instead), validation (what the search judged, nothing more), train (also within the tolerance of 8-bit on the training split), fidelity (also within the tolerance of 8-bit's agreement with the float model over training and validation), margin (the validation split's paired difference with one standard error as extra margin; the default with finetune, whose training would flatter it on copies of the training split). Then (not yet with finetune) the evidence: the pick's validation accuracy minus 8-bit's, sequence by sequence, with a 95 % interval (Agresti and Min's, for paired proportions) and what one sequence is worth; when the interval is wider than the tolerance on either side, a second line says the data cannot resolve the tolerance, so the claim is not established (docs/selection.md). With finetune, every mixed configuration smaller than 8-bit is a candidate: each one tried is fine-tuned from the search's weights exactly as 'use front K; finetune' would (seed: the session seed), and the rule judges the fine-tuned model against post-training 8-bit; the candidates are bisected by size, so about log2 of their number are fine-tuned. Ctrl-C stops it with the smallest accepted so far. Sets hv, hv_homogeneous, best_index (front position; 0 if none, or if the pick is homogeneous), best_bits (the width of a homogeneous pick, 0 otherwise), best_size (bytes, 0 if none), size_reduction (fraction of 8-bit saved), best_accuracy (validation) and best_test_accuracy (after fine-tuning with finetune), best_judged_accuracy (what the search judged), accuracy_8bit (validation), judged_accuracy_8bit, test_accuracy_8bit and size_8bit (bytes), test_gap (test_accuracy_8bit − best_test_accuracy), best_difference (the pick minus 8-bit on validation) with best_difference_low and best_difference_high (its 95 % interval) and resolved (1 when the interval is within the tolerance; zeros with finetune, which does not measure them yet), best_noisy_difference and best_noisy_error (the fresh-noise difference and its standard error); for each other cost the search used, best_COST, COST_8bit and COST_reduction (best_latency, latency_8bit, latency_reduction, ...).",
                examples: ["evolve 20 gens; compare", "compare finetune", "compare rule train", "compare tolerance 0.01", "compare by latency"],
                options: compareOptions,
                publishes: comparePublished,
                parse: { try $0.options() },
                run: { interpreter, parsed in
                    let session = interpreter.session
                    let chosenRule = parsed[rule] ?? (parsed[fineTune] != nil ? .standardForFineTuning : .standard)
                    let chosenTolerance = (parsed[tolerance] ?? Comparison.defaultTolerance * 100) / 100
                    let cost = parsed[by]
                    guard parsed[fineTune] != nil else {
                        compare(try session.workspace.compare(rule: chosenRule, tolerance: chosenTolerance, by: cost), session: session)
                        return
                    }
                    var settings = FineTuningOptions(seed: session.seed)
                    if let n = parsed[epochs] { settings.epochs = n }
                    compare(try compareFineTuned(rule: chosenRule, tolerance: chosenTolerance, by: cost, settings: settings, session: session),
                            session: session)
                }
            ),
        ]
    }

    /// The front as a table: one column per operator when it fits in `columns` (or
    /// always, without a terminal), else the compact form with the widths as one digit
    /// string per row (10 and up as a, b, …) and a legend. Each other cost the search used
    /// (bit operations, latency, RAM) gets a column after the size's.
    static func table(_ rows: [FrontRow], state: QuantizationSearch, columns: Int? = nil) -> [String] {
        let network = state.problem.network
        let shortNames = network.genome.map(network.shortName(of:))
        let extra = state.problem.quantities.filter { $0 != .size }
        let widths = extra.map { max($0.column.count, 8) }
        let judged = rows.contains { $0.judgedAccuracy != nil }
        // Judged beyond validation, the compact form shows what the search judged on in place of validation.
        func head(ratio: Bool, validation: Bool = true) -> String {
            "  #   size (B)" + (ratio ? "  of 8-bit" : "") + zip(extra, widths).map { "  " + $0.column.leftPadded($1) }.joined()
                + (judged ? "   judged" : "") + (validation ? "  val acc" : "") + "  test acc  "
        }
        func figures(_ row: FrontRow, ratio: Bool, validation: Bool = true) -> String {
            var line = String(row.position).leftPadded(3) + String(row.size).leftPadded(11)
            if ratio { line += String(format: "%8.1f %%", row.sizeRatio * 100) }
            for (quantity, width) in zip(extra, widths) {
                line += "  " + (row.cost(quantity).map { String(Int64($0.rounded())) } ?? "-").leftPadded(width)
            }
            if judged { line += String(format: "%7.1f %%", (row.judgedAccuracy ?? row.validationAccuracy) * 100) }
            if validation { line += String(format: "%7.1f %%", row.validationAccuracy * 100) }
            return line + String(format: "%8.1f %%", row.testAccuracy * 100) + "  "
        }
        var fixedWidths = "input \(state.context.inputBits), fc \(state.context.fcBits) bits"
        if judged { fixedWidths += "; judged: accuracy on \(state.problem.judge.summary), what the search minimised error on" }
        if let core = state.problem.deviceCore {
            fixedWidths += "; \(extra.filter(\.dependsOnCore).map(\.name).joined(separator: " and ")) on \(core.label), from the device cost model"
        }
        if !state.constraints.isEmpty {
            fixedWidths += "; every point meets " + SearchConstraint.list(state.constraints)
        }
        func shared(_ row: FrontRow) -> String { row.configurations > 1 ? "  ×\(row.configurations)" : "" }
        let sharedNote = rows.contains { $0.configurations > 1 }
            ? "; ×N: N configurations reach that point, the one shown has the fewest bit operations" : ""
        // A stack's names carry their layer's digit: 4 characters for 1-z.
        let column = shortNames.map(\.count).max() ?? 3
        let full = head(ratio: true) + shortNames.map { $0.padding(toLength: column, withPad: " ", startingAt: 0) }.joined(separator: " ")
        if let columns, full.count > columns - 1 {
            let digits = "0123456789abcdefg"
            func digit(_ bits: Int) -> Character {
                digits[digits.index(digits.startIndex, offsetBy: min(max(bits, 0), 16))]
            }
            // With cost columns the compact row may still not fit: the ratio to 8-bit goes first.
            let validation = !judged
            let ratio = head(ratio: true, validation: validation).count + shortNames.count <= columns - 1
            var lines = [head(ratio: ratio, validation: validation) + "bits"]
            lines += rows.map { figures($0, ratio: ratio, validation: validation) + String($0.genome.map(digit)) + shared($0) }
            let legend = "bits: one digit per operator, in order " + shortNames.joined(separator: " ")
                + (rows.contains { $0.genome.contains { $0 >= 10 } } ? " (a = 10, b = 11, …)" : "") + "; \(fixedWidths); 'help show front' names them" + sharedNote
            return lines + TextWrapping.wrap(legend, width: columns - 1, rest: "  ")
        }
        var lines = [full]
        lines += rows.map { figures($0, ratio: true) + $0.genome.map { String($0).leftPadded(column) }.joined(separator: " ") + shared($0) }
        let legend = "columns: " + network.genome.map { "\(network.shortName(of: $0))=\(network.name(of: $0))" }.joined(separator: " ")
            + "; " + fixedWidths + sharedNote
        return lines + TextWrapping.wrap(legend, width: columns.map { $0 - 1 }, rest: "  ")
    }

    /// `4321 bytes, 41234 instructions, 320 bytes of RAM`: a pick's costs, size first, then
    /// the others the search used in catalog order.
    static func costs(_ pick: Comparison.Pick) -> String {
        let others = SearchObjective.catalog.filter { $0 != .size && pick.costs[$0] != nil }
        return ([String(format: "%.0f bytes", pick.size)] + others.map { quantity in
            String(format: "%.0f %@", pick.costs[quantity] ?? 0, quantity == .ram ? "bytes of RAM" : quantity.unit)
        }).joined(separator: ", ")
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
        case .notMinimised(let cost) where cost == .size:
            io.out("this search did not minimise size ('evolve ... objectives error,size'): no size comparison")
            return
        case .notMinimised(let cost):
            io.out("this search did not minimise \(cost.name) ('evolve ... objectives error,\(cost.name)'): no \(cost.name) comparison")
            return
        case .noFeasibleConfiguration(let infeasibility):
            io.out(infeasibility.message)
            publishPick(comparison, session: session)
            return
        case nil:
            break
        }
        guard let eight = comparison.eightBit else { return }
        let points = Value.format(comparison.tolerance * 100)
        let judged = comparison.judge.label
        if comparison.judge.kind != .validation { io.out("judged on    \(comparison.judge.summary)") }
        let cost = comparison.cost
        let bySize = cost == .size
        // With a judging set beyond validation, validation's figure follows the judged one.
        func test(_ pick: Comparison.Pick) -> String {
            (pick.validationAccuracy.map { "validation \(percent($0)), " } ?? "") + "test " + (pick.testAccuracy.map { percent($0) } ?? "-")
        }
        func reduction(_ pick: Comparison.Pick) -> Double { eight.cost > 0 ? 1 - pick.cost / eight.cost : 0 }
        if bySize, eight.costs.count <= 1 {
            io.out(String(format: "homogeneous 8-bit: %.0f bytes, %@ %@, %@", eight.size, judged, percent(eight.accuracy), test(eight)))
        } else {
            io.out("homogeneous 8-bit: \(costs(eight)), \(judged) \(percent(eight.accuracy)), \(test(eight))")
        }
        if let core = comparison.core {
            let device = SearchObjective.catalog.filter { $0.dependsOnCore && eight.costs[$0] != nil }.map(\.name).joined(separator: " and ")
            io.out("\(device) for \(core.label), from the device cost model (instructions, not cycles)")
        }
        session.publish([("accuracy_8bit", eight.validationAccuracy ?? eight.accuracy), ("judged_accuracy_8bit", eight.accuracy),
                         ("test_accuracy_8bit", eight.testAccuracy ?? 0), ("size_8bit", eight.size)])
        if let homogeneous = comparison.smallestHomogeneous {
            // A plain compare's candidates include it: cheaper than the pick (or with no pick), the rule turned it down.
            let turnedDown = comparison.fineTuning == nil && comparison.best.map { homogeneous.pick.cost < $0.pick.cost } ?? true
                ? " (turned down by rule \(comparison.rule.rawValue))" : ""
            if bySize {
                io.out(String(format: "smallest homogeneous within %@ points: %d-bit, %.0f bytes: %.1f %% smaller%@", points, homogeneous.bits, homogeneous.pick.size,
                              (1 - homogeneous.pick.size / eight.size) * 100, turnedDown))
            } else {
                io.out(String(format: "least %@ of the homogeneous within %@ points: %d-bit, %.0f %@: %.1f %% less%@", cost.name, points, homogeneous.bits,
                              homogeneous.pick.cost, cost.unit, reduction(homogeneous.pick) * 100, turnedDown))
            }
        }
        let confirmed = comparison.rule == .validation ? "" : ", confirmed by rule \(comparison.rule.rawValue)"
        if let trail = comparison.fineTuning {
            compareFineTuned(comparison, eight: eight, trail: trail, confirmed: confirmed, session: session)
            return
        }
        let cheaper = bySize ? "smaller" : "cheaper"
        let turnedDown = comparison.rejected > 0 ? " (\(comparison.rejected) \(cheaper) one\(comparison.rejected == 1 ? "" : "s") within \(points) points \(comparison.judge.kind == .validation ? "on validation" : "judged") turned down)" : ""
        guard let best = comparison.best else {
            io.out("no mixed configuration on the front and no narrower homogeneous width within \(points) points of homogeneous 8-bit (\(percent(eight.accuracy)) \(judged))\(confirmed)\(turnedDown)")
            if let clean = comparison.noiselessClean {
                io.out("resolution   the fresh copies carry no noise (the float model is as sure of validation as of its training sequences), so they repeat what the search judged; \(clean) clean sequences cannot show any candidate within \(points) points, so none is claimed")
            }
            publishPick(comparison, session: session)
            return
        }
        // A homogeneous pick: every cheaper mixed candidate was turned down (or there was none).
        let which = comparison.pickedWidth.map { "homogeneous \($0)-bit" } ?? "front \(best.position)"
        let mixed = comparison.pickedWidth == nil
        let kind = mixed ? "mixed" : "configuration"
        if bySize, best.pick.costs.count <= 1 {
            io.out(String(format: "smallest %@ within %@ points%@: %@, %.0f bytes, %@ %@, %@: %.1f %% smaller than 8-bit%@",
                          kind, points, confirmed, which, best.pick.size, judged, percent(best.pick.accuracy), test(best.pick), comparison.sizeReduction * 100, turnedDown))
        } else if bySize {
            io.out(String(format: "smallest %@ within %@ points%@: %@, %@, %@ %@, %@: %.1f %% smaller than 8-bit%@",
                          kind, points, confirmed, which, costs(best.pick), judged, percent(best.pick.accuracy), test(best.pick), comparison.sizeReduction * 100, turnedDown))
        } else {
            io.out(String(format: "least %@ of the %@ within %@ points%@: %@, %@, %@ %@, %@: %.1f %% less %@ than 8-bit, %.1f %% smaller%@",
                          cost.name, mixed ? "mixed" : "configurations", points, confirmed, which, costs(best.pick), judged, percent(best.pick.accuracy), test(best.pick),
                          reduction(best.pick) * 100, cost.name, comparison.sizeReduction * 100, turnedDown))
        }
        if let width = comparison.pickedWidth {
            io.out("the pick is homogeneous: every cell operator at \(width) bits (input and fc as set); no mixed configuration \(cheaper) than it passed")
        }
        io.out(String(format: "test gap     %+.1f points (8-bit test minus the pick's; chosen without the test split)", (comparison.testGap ?? 0) * 100))
        if let evidence = comparison.evidence {
            self.evidence(evidence, tolerance: comparison.tolerance, decidedElsewhere: comparison.rule == .noisy, io: io)
        }
        if let noisy = comparison.noisyEvidence {
            let over = noisy.copies == 0 ? "\(noisy.validationCount) validation sequences (no training sequences to copy)"
                : noisy.noise == 0 ? "\(noisy.validationCount) validation and \(noisy.trainingCount) training sequences without noise (training is as hard as unseen data for the float model, so these are what the search judged on)"
                : "\(noisy.validationCount) validation and \(noisy.trainingCount) × \(noisy.copies) training sequences with noise the search never saw"
            io.out(String(format: "fresh noise  pick minus 8-bit %+.1f points (standard error %.1f) on %@",
                          noisy.difference * 100, noisy.standardError * 100, over))
        }
        publishPick(comparison, session: session)
    }

    /// The pick against 8-bit on validation with its interval, and, when the interval is
    /// wider than the tolerance, that the data cannot establish the claim.
    /// `decidedElsewhere`: the rule read more than validation (the fresh noisy copies), so
    /// validation's resolution is context, not the verdict.
    static func evidence(_ evidence: PairedEvidence, tolerance: Double, decidedElsewhere: Bool = false, io: ShellIO) {
        let interval = evidence.interval
        io.out(String(format: "evidence     pick minus 8-bit on validation %+.1f points, 95 %% interval %+.1f to %+.1f, over %d sequences (one is %.2g points)",
                      evidence.difference * 100, interval.lowerBound * 100, interval.upperBound * 100, evidence.count, evidence.resolution * 100))
        guard !evidence.resolves(tolerance) else { return }
        let half = (interval.upperBound - interval.lowerBound) / 2 * 100
        if decidedElsewhere {
            io.out(String(format: "resolution   %d validation sequences alone cannot resolve %@ points (the difference is known only to about ±%.1f points); the rule decided on the fresh noisy copies below",
                          evidence.count, Value.format(tolerance * 100), half))
            return
        }
        io.out(String(format: "resolution   %d validation sequences cannot resolve %@ points: the difference is known only to about ±%.1f points, so 'within %@ points' is not established by this data",
                      evidence.count, Value.format(tolerance * 100), half, Value.format(tolerance * 100)))
    }

    /// Every variable `compare` may set: the pick's, 8-bit's, and for each cost a search can
    /// use besides size, best_COST, COST_8bit and COST_reduction.
    static let comparePublished = ["hv", "hv_homogeneous", "accuracy_8bit", "judged_accuracy_8bit", "test_accuracy_8bit", "size_8bit",
                                   "best_index", "best_bits", "best_size", "size_reduction", "best_accuracy", "best_judged_accuracy", "best_test_accuracy", "test_gap",
                                   "best_difference", "best_difference_low", "best_difference_high", "resolved", "best_noisy_difference", "best_noisy_error"]
        + SearchObjective.catalog.filter { $0 != .size && $0.role == .cost }.flatMap { ["best_\($0.name)", "\($0.name)_8bit", "\($0.name)_reduction"] }

    /// The pick's variables, the same for `compare` and `compare finetune`; zeros when there
    /// is no pick. Each cost besides size the search used gets best_COST, COST_8bit and COST_reduction.
    static func publishPick(_ comparison: Comparison, session: Session) {
        let best = comparison.best
        session.publish([("best_index", Double(best?.position ?? 0)), ("best_bits", Double(comparison.pickedWidth ?? 0)), ("best_size", best?.pick.size ?? 0),
                         ("size_reduction", comparison.sizeReduction),
                         ("best_accuracy", best.map { $0.pick.validationAccuracy ?? $0.pick.accuracy } ?? 0),
                         ("best_judged_accuracy", best?.pick.accuracy ?? 0),
                         ("best_test_accuracy", best?.pick.testAccuracy ?? 0), ("test_gap", comparison.testGap ?? 0)])
        // What validation can say about the pick against 8-bit; zeros, and not resolved, without a pick.
        let evidence = comparison.evidence
        session.publish([("best_difference", evidence?.difference ?? 0), ("best_difference_low", evidence?.interval.lowerBound ?? 0),
                         ("best_difference_high", evidence?.interval.upperBound ?? 0),
                         ("resolved", evidence?.resolves(comparison.tolerance) == true ? 1 : 0),
                         ("best_noisy_difference", comparison.noisyEvidence?.difference ?? 0),
                         ("best_noisy_error", comparison.noisyEvidence?.standardError ?? 0)])
        let others = SearchObjective.catalog.filter { $0 != .size && comparison.eightBit?.costs[$0] != nil }
        session.publish(others.flatMap { quantity in
            [("best_\(quantity.name)", best?.pick.costs[quantity] ?? 0), ("\(quantity.name)_8bit", comparison.eightBit?.costs[quantity] ?? 0),
             ("\(quantity.name)_reduction", comparison.reduction(of: quantity))]
        })
    }
}

// MARK: - compare finetune

extension FrontCommands {
    /// Runs `compare finetune`, printing each candidate as it is judged.
    static func compareFineTuned(rule: PickRule, tolerance: Double, by cost: SearchObjective?, settings: FineTuningOptions, session: Session) throws -> Comparison {
        var meter = ProgressMeter(io: session.io)
        var current = ""
        // Every candidate has the same sequences and batch, so the same window: said once.
        var truncationSaid = false
        let observer = FineTuningObserver(truncated: { truncation in
            guard !truncationSaid else { return }
            truncationSaid = true
            meter.finish()
            session.io.out(truncation.description)
        }, progress: { epoch, batch, batchCount, _ in
            let fraction = (Double(epoch - 1) + Double(batch) / Double(max(batchCount, 1))) / Double(max(settings.epochs, 1))
            meter.update(fraction: fraction, label: "finetune", detail: "\(current), epoch \(epoch)/\(settings.epochs)")
        })
        return try session.workspace.compareFineTuned(
            rule: rule, tolerance: tolerance, by: cost, settings: settings, observer: observer,
            starting: { position, _ in current = "front \(position)" },
            finished: { candidate in
                meter.finish()
                let verdict = candidate.accepted ? "accepted" : "turned down"
                let other = candidate.cost != candidate.size ? String(format: " (%.0f by the compared cost)", candidate.cost) : ""
                session.io.out(String(format: "  front %d: %.0f bytes%@, validation %@ → %@ after fine-tuning: %@", candidate.position,
                                      candidate.size, other, percent(candidate.searchedAccuracy), percent(candidate.accuracy), verdict))
            })
    }

    static func compareFineTuned(_ comparison: Comparison, eight: Comparison.Pick, trail: FineTuningTrail, confirmed: String, session: Session) {
        let io = session.io
        let points = Value.format(comparison.tolerance * 100)
        let bySize = comparison.cost == .size
        let stopped = trail.interrupted ? " (interrupted: the smallest accepted so far)" : ""
        let cheaper = bySize ? "smaller than 8-bit, bisected by size" : "with less \(comparison.cost.name) than 8-bit, bisected by \(comparison.cost.name)"
        io.out("fine-tuned \(trail.candidates.count) of the front's \(trail.candidateCount) mixed configurations \(cheaper)\(stopped)")
        guard let best = comparison.best else {
            io.out("no fine-tuned mixed configuration within \(points) points of homogeneous 8-bit (\(percent(eight.accuracy)) validation)\(confirmed)")
            publishPick(comparison, session: session)
            return
        }
        func test(_ pick: Comparison.Pick?) -> String { pick?.testAccuracy.map { percent($0) } ?? "-" }
        let before = trail.pickBefore
        let figures = bySize && best.pick.costs.count <= 1 ? String(format: "%.0f bytes", best.pick.size) : costs(best.pick)
        let saving = bySize ? String(format: "%.1f %% smaller than 8-bit", comparison.sizeReduction * 100)
            : String(format: "%.1f %% less %@ than 8-bit, %.1f %% smaller", comparison.reduction(of: comparison.cost) * 100, comparison.cost.name, comparison.sizeReduction * 100)
        let what = bySize ? "smallest mixed" : "least \(comparison.cost.name) of the mixed"
        io.out(String(format: "%@ within %@ points after fine-tuning%@: front %d, %@, validation %@ → %@, test %@ → %@: %@",
                      what, points, confirmed, best.position, figures, percent(before?.accuracy ?? best.pick.accuracy), percent(best.pick.accuracy),
                      test(before), test(best.pick), saving))
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
