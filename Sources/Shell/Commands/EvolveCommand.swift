import Foundation
import Workbench

/// `evolve`: NSGA-II over the cell operators' widths, minimising validation error and size
/// (or any objectives of `SearchObjective.catalog`), optionally under limits on its costs.
enum EvolveCommand {
    /// The width ranges `evolve bits` offers.
    enum WidthRange: String, CaseIterable, Sendable {
        case paper = "2..8", twoToSix = "2..6", threeToEight = "3..8", fourToEight = "4..8", wide = "2..16"

        var widths: [Int] { Interpreter.integerRange(rawValue) ?? QuantizationProblem.defaultWidths }
    }

    /// `yes` or `no`.
    enum Answer: String, CaseIterable, Sendable {
        case yes, no
    }

    static let pop = Option<Int>("pop", 4...10_000, "population size (default \(EvolveRequest.defaultPopulation))").valueNamed("P")
    static let seed = Option<UInt64>.seed("seed of the search (default: the session seed)")
    static let objectives = Option<String>(
        spec: OptionSpec("objectives", .list(SearchObjective.catalog.map(\.name)), "what to minimise, a comma-separated list with error in it, in any combination (default \(SearchObjective.defaultList.map(\.name).joined(separator: ","))): \(SearchObjective.catalog.map { "\($0.name) = \($0.label)" }.joined(separator: "; "))"),
        convert: { $0 })
    static let core = Option<TargetCore>("core", "the microcontroller core latency and RAM are estimated for (default \(EvolveRequest.defaultCore.rawValue)): \(TargetCore.allCases.map { "\($0.rawValue) = \($0.label)" }.joined(separator: ", "))")
    /// One bound per cost that declares a limit keyword (`flash`, `ram`, `latency`), in catalog order.
    static let limits: [(quantity: SearchObjective, option: Option<Int>)] = SearchObjective.limited.compactMap { quantity in
        guard let limit = quantity.limit else { return nil }
        let help = "keep every front member's \(quantity.label) at or under this"
        switch limit.amount {
        case .bytes: return (quantity, Option<Int>.bytes(limit.keyword, 1...Int.max, help + " many bytes (k = 1024, M = 1024 × 1024), minimised or not"))
        case .count: return (quantity, Option<Int>(limit.keyword, 1...Int.max, help + " many \(quantity.unit), minimised or not"))
        }
    }
    static let bits = Option<WidthRange>("bits", "widths each operator may take (default 2..8)")
    static let checkpoint = Option<FilePath>.path("checkpoint", "file the population is saved to after every generation")
    static let fresh = Option<Flag>.flag("fresh", "start a new search even when one can be continued")
    static let homogeneous = Option<Answer>("homogeneous", "seed the first population with homogeneous 2..8-bit (default yes)")
    static let judge = Option<JudgingSet.Kind>("judge", "what accuracy is measured on (default \(EvolveRequest.defaultJudge.rawValue)): noisy = validation plus noisy copies of the training split as hard as unseen data for the float model (its validation loss; after a refit, the loss of models trained the same way on four fifths of the labelled data on the fifth they did not see), validation = the validation split alone")
    static let options: [any OptionDeclaration] = [pop, seed, objectives, core] + limits.map(\.option) + [bits, judge, checkpoint, fresh, homogeneous]

    /// The limits as help's sentence: "'flash BYTES' (model size), ...".
    static var limitSentence: String {
        limits.map { "'\($0.option.spec.placeholder)' (\($0.quantity.label))" }.joined(separator: ", ")
    }

    /// An `evolve` line, read.
    enum Request {
        case run(EvolveRequest)
        case resume(path: String)
        /// `evolve resume` alone: list the saved runs.
        case listRuns
    }

    static var commands: [Command] {
        [
            Command(
                name: "evolve",
                operands: "N gens",
                alternatives: ["resume [FILE]"],
                summary: "Search per-operator bit widths with NSGA-II for the size/accuracy Pareto front, or any objectives and limits",
                details: "Each configuration is the current one ('set bits', 'set quant') with the cell operators' widths chosen by the search (17 a GRU layer, 21 an LSTM layer); input and fc stay as set. Objectives are minimised in any combination that includes error: error = 1 − accuracy of the bit-exact integer model, measured ('judge') on the validation split plus noisy copies of the training split, made as hard for the float model as unseen data (the same mean cross-entropy as on validation, or after a refit as five models trained the same way scored on the labelled sequences each did not see; up to 8 copies of each, in all up to 4096 sequences of 128 steps or 4096 sequences, whichever is more, seeded by the session seed): on a small task many times more evidence than validation, none of it scored before (docs/selection.md); 'judge validation' measures on the validation split alone, size = bytes of the C export, bitops = bit operations per step, latency = instructions of one time step of the exported C on the core named by 'core' (default \(EvolveRequest.defaultCore.rawValue)), from the device cost model (instructions, not cycles; an estimate), ram = bytes of that step's state plus scratch. Limits bound every front member, whether or not the limited cost is an objective: \(limitSentence); bytes take k (1024) and M (1024 × 1024). A configuration over a limit is infeasible. NSGA-II ranks by Deb's constrained domination, as pymoo does: a feasible configuration beats an infeasible one, of two infeasible ones the smaller total violation wins, and two feasible ones compare by Pareto dominance; each limit's violation is max(0, value / limit − 1), a fraction of the limit, so the sum mixes bytes and instructions sensibly. The front holds feasible configurations only; while none is, 'show front' and 'compare' say so and how near the search came. Test accuracy is only reported ('show front'). Every evaluation is memoised and the population is evaluated on all cores; the same seed gives the same front at any thread count. After every generation the checkpoint gets one line with what the generation changed (population and new evaluations), and now and then the whole state, written atomically; a killed run loses at most one generation: 'evolve resume FILE' continues it. Without 'checkpoint F' each run gets a new file in ~/.local/state/gq/evolve (or $XDG_STATE_HOME/gq/evolve) named by task, model, seed, population and start time, so no run overwrites another's; 'evolve resume' alone lists them, and a new search on a model with an unfinished run says how to continue that run. 'evolve' again on the same model continues the session's search for N more generations. Ctrl-C stops after the evaluations under way and keeps the population. The core, like the objectives and limits, is part of the search: it is saved with the checkpoint, and 'evolve' with another core (for latency or ram) starts a new search. Sets hv and hv_homogeneous (hypervolume as a fraction of the reference box: error up to 1, each cost up to 1.1 × homogeneous 8-bit, so 8-bit itself counts; for error and size this is pymoo's hypervolume with reference (1, 1.1) on sizes divided by 8-bit's, divided by 1.1) and front_size.",
                examples: ["evolve 20 gens pop 32 seed 1", "evolve 10 gens", "evolve 40 gens objectives error,size,latency core m3",
                           "evolve 40 gens flash 16k ram 1k latency 40000", "evolve resume evolve-digits.json"],
                options: options,
                completion: .words(["resume"]),
                publishes: published,
                parse: parse,
                run: run
            ),
        ]
    }

    static func parse(_ arguments: Arguments) throws -> Request {
        if arguments.count >= 1, arguments[0] == "resume" {
            try arguments.expectCount(1...2)
            return arguments.count == 1 ? .listRuns : .resume(path: arguments.path(1))
        }
        guard arguments.count >= 2, let generations = Int(arguments[0]), generations >= 0,
              ["gens", "gen", "generations"].contains(arguments[1]) else {
            if arguments.count >= 1, Int(arguments[0]) == nil {
                throw CommandError("expected a number of generations, as in 'evolve 20 gens', got '\(arguments[0])'", argument: 0)
            }
            if arguments.count >= 1, let n = Int(arguments[0]), n < 0 {
                throw CommandError("the number of generations must be 0 or more, got \(n)", argument: 0)
            }
            if arguments.count >= 2 {
                throw CommandError("expected 'gens' after the number, as in 'evolve \(arguments[0]) gens', got '\(arguments[1])'", argument: 1)
            }
            throw CommandError("'evolve' needs a number of generations: \(arguments.usage)")
        }
        let parsed = try arguments.options(from: 2)
        let list: [SearchObjective]
        do {
            list = try SearchObjective.parseList(parsed[objectives] ?? SearchObjective.defaultList.map(\.name).joined(separator: ","))
        } catch {
            throw CommandError(Interpreter.message(for: error))
        }
        var constraints: [SearchConstraint] = []
        for (quantity, option) in limits {
            guard let bound = parsed[option] else { continue }
            do {
                constraints.append(try SearchConstraint(quantity, atMost: Double(bound)))
            } catch {
                throw CommandError(Interpreter.message(for: error))
            }
        }
        return .run(EvolveRequest(
            generations: generations, population: parsed[pop], seed: parsed[seed], objectives: list,
            widths: parsed[bits]?.widths ?? QuantizationProblem.defaultWidths,
            checkpoint: parsed[checkpoint].map { URL(fileURLWithPath: $0.path) },
            fresh: parsed.has(fresh), homogeneousStart: parsed[homogeneous] != .no,
            constraints: constraints, core: parsed[core] ?? EvolveRequest.defaultCore, judge: parsed[judge]))
    }

    private static func run(_ interpreter: Interpreter, _ request: Request) throws {
        let session = interpreter.session
        let workspace = session.workspace
        switch request {
        case .resume(let path):
            let search: QuantizationSearch
            do {
                search = try workspace.resumeSearch(from: URL(fileURLWithPath: path))
            } catch {
                throw CommandError(Interpreter.message(for: error), argument: 1)
            }
            session.io.out("resuming \(path) at generation \(search.generation) of \(search.targetGeneration)")
            try drive(search, in: session)
        case .listRuns:
            listRuns(session)
        case .run(let evolve):
            // Looked for before this run's own file exists.
            let unfinished = evolve.checkpoint == nil ? (try? workspace.unfinishedRuns()) ?? [] : []
            let (search, start) = try workspace.prepareSearch(evolve)
            switch start {
            case .continued(let from):
                session.io.out("continuing the search from generation \(from) to \(search.targetGeneration)")
            case .started:
                if let last = unfinished.first {
                    let others = unfinished.count > 1 ? " (\(unfinished.count - 1) more: 'evolve resume' lists them)" : ""
                    session.io.out("note: an earlier search of this model stopped at generation \(last.generation) of \(last.targetGeneration); 'evolve resume \(last.url.path)' continues it\(others)")
                }
                let widths = evolve.widths
                session.io.out("evolving \(search.objectives.map(\.name).joined(separator: " and ")) of \(search.problem.network.genome.count) operators at \(widths.first ?? 2)..\(widths.last ?? 8) bits\(problemNote(search)): population \(search.search.options.populationSize), \(evolve.generations) generations, seed \(search.search.options.seed); judged on \(search.problem.judge.summary); checkpoint \(search.checkpointURL.path)")
                if let tuned = workspace.tuned {
                    session.io.out("note: the search evaluates the fine-tuned weights in use (\(tuned.note), tuned for \(tuned.bits)); 'reset finetune' searches the float model's")
                }
            }
            try drive(search, in: session)
        }
    }

    /// " under flash ≤ 16384 bytes, latency on Cortex-M4 (DSP)": the limits and the core,
    /// when the search has them.
    static func problemNote(_ search: QuantizationSearch) -> String {
        var note = ""
        if !search.constraints.isEmpty { note += " under " + SearchConstraint.list(search.constraints) }
        if let core = search.problem.deviceCore {
            let device = search.problem.quantities.filter(\.dependsOnCore).map(\.name).joined(separator: " and ")
            note += ", \(device) on \(core.label)"
        }
        return note
    }

    /// `evolve resume` alone: the saved runs, newest first, unfinished ones marked.
    private static func listRuns(_ session: Session) {
        let folder = CheckpointLocation.folder()
        let runs = CheckpointLocation.savedRuns()
        guard !runs.isEmpty else {
            session.io.out("no saved searches in \(folder.path); 'evolve N gens' starts one")
            return
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        session.io.out("saved searches in \(folder.path), newest first ('evolve resume FILE' continues one):")
        for run in runs {
            let state = run.isUnfinished ? "stopped at generation \(run.generation) of \(run.targetGeneration)" : "finished, \(run.generation) generations"
            session.io.out("  \(run.url.lastPathComponent)")
            session.io.out("    \(run.task), pop \(run.population), seed \(run.seed), \(state), saved \(formatter.string(from: run.modified))")
        }
    }

    /// Runs generations up to the target. On a terminal the progress line is redrawn every
    /// generation and kept on screen about twenty times a run (and at the last generation),
    /// so a long search leaves a readable log instead of a line per generation.
    private static func drive(_ state: QuantizationSearch, in session: Session) throws {
        var meter = ProgressMeter(io: session.io)
        let start = state.generation
        let remaining = max(0, state.targetGeneration - start)
        let stride = max(1, remaining / 20)
        let finished = try state.advance(shouldStop: session.interrupt.isPending) { report in
            let done = Double(report.generation - start) / Double(max(remaining, 1))
            // What a person watches first comes first: the meter cuts the end off at 80 columns.
            var line = String(format: "gen %d/%d  hv %.4f  front %d  evals %d (+%d cached)",
                              report.generation, state.targetGeneration, state.normalized(report.hypervolume),
                              state.frontPoints.count, report.totalEvaluations, report.cacheHits)
            if let feasible = report.feasible {
                line += "  feasible \(feasible)/\(state.search.population.count)"
            }
            meter.update(fraction: done, label: "evolve", detail: line)
            let kept = (report.generation - start) % stride == 0 || report.generation == state.targetGeneration
            if session.io.showsProgress, kept {
                let eta = done > 0 ? "  ETA " + ProgressMeter.duration(meter.elapsedSeconds * (1 - done) / done) : ""
                session.io.progress(nil)
                session.io.out(line + eta)
            }
        }
        meter.finish()
        publish(state, in: session)
        let front = state.infeasibility == nil ? "front of \(state.front.count) point\(state.front.count == 1 ? "" : "s")" : "no feasible configuration yet"
        let summary = "\(front), hypervolume \(String(format: "%.4f", state.hypervolume)) (homogeneous \(String(format: "%.4f", state.homogeneousHypervolume))), \(state.search.cache.count) configurations evaluated in \(ProgressMeter.duration(meter.elapsedSeconds))"
        if finished {
            if let infeasibility = state.infeasibility {
                session.io.out("generation \(state.generation): \(summary)")
                session.io.out(infeasibility.message)
            } else {
                session.io.out("generation \(state.generation): \(summary); 'show front' lists it")
            }
        } else {
            session.io.out("interrupted at generation \(state.generation): \(summary); 'evolve \(remaining - (state.generation - start)) gens\(continuationOptions(state))' continues")
        }
    }

    /// The options that define `state`'s search where they differ from the defaults, so that
    /// the suggested 'evolve N gens ...' continues it instead of starting another.
    static func continuationOptions(_ state: QuantizationSearch) -> String {
        let problem = state.problem
        var words: [String] = []
        if problem.objectives != SearchObjective.defaultList { words.append("objectives " + problem.objectives.map(\.name).joined(separator: ",")) }
        if let core = problem.deviceCore, core != EvolveRequest.defaultCore { words.append("core \(core.rawValue)") }
        words += problem.constraints.map { "\($0.keyword) \(SearchConstraint.format($0.bound))" }
        if let widths = problem.space.allowedValues.first, widths != QuantizationProblem.defaultWidths, let low = widths.first, let high = widths.last {
            words.append("bits \(low)..\(high)")
        }
        if problem.judge.kind != EvolveRequest.defaultJudge { words.append("judge \(problem.judge.kind.rawValue)") }
        return words.map { " " + $0 }.joined()
    }

    /// The variables `evolve` (and `show front`) set.
    static let published = ["hv", "hv_homogeneous", "front_size"]

    static func publish(_ state: QuantizationSearch, in session: Session) {
        session.publish([("hv", state.hypervolume), ("hv_homogeneous", state.homogeneousHypervolume), ("front_size", Double(state.front.count))])
    }
}
