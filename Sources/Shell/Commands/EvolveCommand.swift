import Foundation
import Quantization
import Search

/// `evolve`: NSGA-II over the 17 operators' widths, minimising validation error and size.
enum EvolveCommand {
    static let options: [OptionSpec] = [
        OptionSpec("pop", .integer(4...10_000), "population size (default 32)"),
        OptionSpec("seed", .integer(0...Int.max), "seed of the search (default: the session seed)"),
        OptionSpec("objectives", .word(["error,size", "error,bitops", "error,size,bitops"]), "what to minimise (default error,size)"),
        OptionSpec("bits", .word(["2..8", "2..6", "3..8", "4..8", "2..16"]), "widths each operator may take (default 2..8)"),
        OptionSpec("checkpoint", .path, "file the population is saved to after every generation"),
        OptionSpec("fresh", .flag, "start a new search even when one can be continued"),
        OptionSpec("homogeneous", .word(["yes", "no"]), "seed the first population with homogeneous 2..8-bit (default yes)"),
    ]

    static var commands: [Command] {
        [
            Command(
                name: "evolve",
                usage: "evolve N gens [pop P] [seed S] [objectives error,size] [bits 2..8] [checkpoint F] [fresh]  |  evolve resume FILE",
                summary: "Search per-operator bit widths with NSGA-II for the size/accuracy Pareto front",
                details: "Each configuration is the current one ('set bits', 'set quant') with the 17 cell operators' widths chosen by the search; input and fc stay as set. Objectives are minimised on the validation split: error = 1 − accuracy of the bit-exact integer model, size = bytes of the C export, bitops = bit operations per step. Test accuracy is only reported ('show front'). Every evaluation is memoised and the population is evaluated on all cores; the same seed gives the same front at any thread count. The population is written to the checkpoint after every generation (atomically), so a killed run loses at most one generation: 'evolve resume FILE' continues it. 'evolve' again on the same model continues the session's search for N more generations. Ctrl-C stops after the evaluations under way and keeps the population. Sets hv and hv_homogeneous (hypervolume as a fraction of the box up to 8-bit size and error 1) and front_size.",
                examples: ["evolve 20 gens pop 32 seed 1", "evolve 10 gens", "evolve resume evolve-digits.json"],
                options: options,
                completion: .words(["resume"]),
                run: run
            ),
        ]
    }

    private static func run(_ interpreter: Interpreter, _ arguments: Arguments) throws {
        let session = interpreter.session
        if arguments.count >= 1, arguments[0] == "resume" {
            try arguments.expectCount(2...2, usage: "evolve resume FILE")
            try resume(session, from: URL(fileURLWithPath: arguments.path(1)))
            return
        }
        guard arguments.count >= 2, let generations = Int(arguments[0]), generations >= 0,
              ["gens", "gen", "generations"].contains(arguments[1]) else {
            if arguments.count >= 1, Int(arguments[0]) == nil {
                throw CommandError("expected a number of generations, as in 'evolve 20 gens', got '\(arguments[0])'", argument: 0)
            }
            if arguments.count >= 2 {
                throw CommandError("expected 'gens' after the number, as in 'evolve \(arguments[0]) gens', got '\(arguments[1])'", argument: 1)
            }
            throw CommandError("'evolve' needs a number of generations: evolve N gens [pop P] [seed S]")
        }
        let parsed = try arguments.options(options, from: 2)
        let objectives = (parsed.choice("objectives") ?? "error,size").split(separator: ",").compactMap { SearchObjective(rawValue: String($0)) }
        let widths = Interpreter.integerRange(parsed.choice("bits") ?? "2..8") ?? SearchProblem.defaultWidths

        let problem = try SearchProblem(session: session, objectives: objectives, widths: widths, targetGeneration: generations)
        // Continue the session's search when nothing that defines it has changed.
        if !parsed.has("fresh"), let current = session.search,
           current.context.fingerprint == problem.context.fingerprint, current.context.objectives == objectives,
           current.search.space == problem.space,
           parsed.integer("pop").map({ $0 == current.search.options.populationSize }) ?? true,
           parsed.integer("seed").map({ UInt64($0) == current.search.options.seed }) ?? true {
            let target = current.search.generation + generations
            let state = SearchState(search: current.search, context: current.context.with(targetGeneration: target), inputs: current.inputs,
                                    checkpointURL: parsed.path("checkpoint").map(URL.init(fileURLWithPath:)) ?? current.checkpointURL,
                                    homogeneous: current.homogeneous)
            state.testAccuracy = current.testAccuracy
            session.search = state
            session.io.out("continuing the search from generation \(current.search.generation) to \(target)")
            try drive(state, in: session)
            return
        }
        let homogeneousWidths = (2...8).filter { widths.contains($0) }
        let homogeneousGenomes = homogeneousWidths.map { [Int](repeating: $0, count: GRUOperator.genome.count) }
        var searchOptions = NSGA2Options()
        searchOptions.populationSize = parsed.integer("pop") ?? 32
        searchOptions.seed = parsed.integer("seed").map(UInt64.init) ?? session.seed
        searchOptions.referencePoint = problem.context.reference
        if parsed.choice("homogeneous") != "no" { searchOptions.initialGenomes = homogeneousGenomes }
        let search: NSGA2
        do {
            search = try NSGA2(space: problem.space, options: searchOptions, objectiveCount: objectives.count, evaluate: problem.evaluate)
        } catch {
            throw CommandError(error.description)
        }
        let checkpoint = parsed.path("checkpoint").map(URL.init(fileURLWithPath:))
            ?? defaultCheckpoint(task: problem.context.task, fingerprint: problem.context.fingerprint)
        // Generation 0 holds the homogeneous genomes (unless 'homogeneous no'): take their
        // values from the search's cache rather than evaluating them a second time.
        let interrupt = session.interrupt
        _ = search.initialize(shouldStop: { interrupt.isPending() })
        let homogeneous = zip(homogeneousWidths, homogeneousGenomes).map { ($0, search.cache.peek($1) ?? problem.evaluate($1)) }
        let state = SearchState(search: search, context: problem.context, inputs: problem.inputs, checkpointURL: checkpoint, homogeneous: homogeneous)
        session.search = state
        session.io.out("evolving \(objectives.map(\.rawValue).joined(separator: " and ")) of \(GRUOperator.genome.count) operators at \(widths.first ?? 2)..\(widths.last ?? 8) bits: population \(searchOptions.populationSize), \(generations) generations, seed \(searchOptions.seed); checkpoint \(checkpoint.path)")
        try drive(state, in: session)
    }

    private static func resume(_ session: Session, from url: URL) throws {
        let saved: NSGA2Checkpoint
        do {
            saved = try NSGA2Checkpoint.load(from: url)
        } catch {
            throw CommandError(error.description, argument: 1)
        }
        let context = try SearchContext(checkpoint: saved, path: url.path)
        let problem = try SearchProblem(session: session, objectives: context.objectives,
                                        widths: saved.space.allowedValues.first ?? SearchProblem.defaultWidths,
                                        targetGeneration: context.targetGeneration)
        guard saved.space == problem.space else {
            throw CommandError("\(url.path) searches another genome space (\(saved.space.geneCount) genes) than gq's 17 operators at one range of widths", argument: 1)
        }
        guard problem.context.fingerprint == context.fingerprint else {
            throw CommandError("\(url.path) was made with another model, calibration or input/fc widths (task \(context.task)); load that model and settings first", argument: 1)
        }
        let search: NSGA2
        do {
            search = try NSGA2(resuming: saved, evaluate: problem.evaluate)
        } catch {
            throw CommandError(error.description, argument: 1)
        }
        let homogeneous = (2...8).filter { saved.space.allowedValues.first?.contains($0) ?? false }.map { bits in
            (bits, problem.evaluate([Int](repeating: bits, count: GRUOperator.genome.count)))
        }
        let state = SearchState(search: search, context: context, inputs: problem.inputs, checkpointURL: url, homogeneous: homogeneous)
        session.search = state
        session.io.out("resuming \(url.path) at generation \(search.generation) of \(context.targetGeneration)")
        try drive(state, in: session)
    }

    /// Runs generations up to the target, saving after each, with a progress line per generation.
    private static func drive(_ state: SearchState, in session: Session) throws {
        let search = state.search
        let remaining = max(0, state.context.targetGeneration - search.generation)
        var meter = ProgressMeter(io: session.io)
        let start = search.generation
        let interrupt = session.interrupt
        let finished: Bool
        do {
            finished = try search.run(generations: remaining, shouldStop: { interrupt.isPending() }) { report in
                try state.save()
                let done = Double(report.generation - start) / Double(max(remaining, 1))
                let line = String(format: "gen %d/%d  evals %d (+%d cached)  front %d  hv %.4f",
                                  report.generation, state.context.targetGeneration, report.totalEvaluations,
                                  report.cacheHits, report.frontSize, state.hypervolume)
                meter.update(fraction: done, label: "evolve", detail: line)
                if session.io.showsProgress {
                    let eta = done > 0 ? "  ETA " + ProgressMeter.duration(meter.elapsedSeconds * (1 - done) / done) : ""
                    session.io.progress(nil)
                    session.io.out(line + eta)
                }
            }
        } catch let error as SearchError {
            throw CommandError(error.description)  // names the checkpoint file and the reason
        } catch {
            throw CommandError("could not write the checkpoint \(state.checkpointURL.path): \(Interpreter.message(for: error))")
        }
        meter.finish()
        publish(state, in: session)
        let front = state.front
        let summary = "front of \(front.count) configurations, hypervolume \(String(format: "%.4f", state.hypervolume)) (homogeneous \(String(format: "%.4f", state.homogeneousHypervolume))), \(search.cache.count) configurations evaluated in \(ProgressMeter.duration(meter.elapsedSeconds))"
        if finished {
            session.io.out("generation \(search.generation): \(summary); 'show front' lists it")
        } else {
            session.io.out("interrupted at generation \(search.generation): \(summary); 'evolve \(remaining - (search.generation - start)) gens' continues")
        }
    }

    static func publish(_ state: SearchState, in session: Session) {
        session.variables["hv"] = .number(state.hypervolume)
        session.variables["hv_homogeneous"] = .number(state.homogeneousHypervolume)
        session.variables["front_size"] = .number(Double(state.front.count))
    }

    /// `~/.local/state/gq/evolve/TASK-FINGERPRINT.json` (or under `$XDG_STATE_HOME`).
    static func defaultCheckpoint(task: String, fingerprint: String) -> URL {
        let environment = ProcessInfo.processInfo.environment
        let base: URL
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            base = URL(fileURLWithPath: state)
        } else {
            base = HomeDirectory.url.appendingPathComponent(".local/state")
        }
        let safeTask = String(task.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.prefix(40))
        return base.appendingPathComponent("gq/evolve/\(safeTask)-\(fingerprint.prefix(8)).json")
    }
}

extension SearchContext {
    func with(targetGeneration: Int) -> SearchContext {
        var copy = self
        copy.targetGeneration = targetGeneration
        return copy
    }
}
