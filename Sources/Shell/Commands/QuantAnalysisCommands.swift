import Foundation
import Workbench

/// Seeing and fixing the effects of quantization: `sweep`, `show error`, `trace`, `finetune`, configuration files.
enum QuantAnalysisCommands {
    private static let finetuneDefaults = FineTuningOptions()
    static let epochs = Option<Int>("epochs", 1...100_000, "epochs to run (default \(finetuneDefaults.epochs)); the best on validation is kept")
    static let lr = Option<Float>("lr", Double.leastNonzeroMagnitude...Double.infinity, "Adam learning rate of the weights (default \(Value.format(Double(finetuneDefaults.learningRate))))")
    static let rangeLR = Option<Float>("range_lr", 0...Double.infinity, "learning rate of the activation ranges, 0 keeps them fixed (default \(Value.format(Double(finetuneDefaults.rangeLearningRate))))")
    static let batch = Option<Int>("batch", 1...1_000_000, "sequences per batch (default \(finetuneDefaults.batchSize))").valueNamed("B")
    static let seed = Option<UInt64>.seed("seed of the shuffling (default: the session seed)")
    static let ranges = Option<FineTuningRanges>("ranges", "start the activation ranges from MSE calibration at these widths (default), or from the current ones (default when continuing from fine-tuned weights)")
    static let bptt = Option<Int>("bptt", 1...1_000_000_000, "truncated back-propagation through time: gradients run through each sequence's last N steps, from the state its earlier steps leave in the fake-quant arithmetic (held constant), so memory follows N instead of the sequence length (default: whole sequences, or the longest N that fits when they would pass the memory limit)")
    static let finetuneOptions: [any OptionDeclaration] = [epochs, lr, rangeLR, batch, seed, ranges, bptt]
    static let sequences = Option<Int>("sequences", 1...1_000_000, "validation sequences to compare (default 64)")

    static var commands: [Command] {
        [
            Command(
                name: "sweep", operands: "PATTERN in A..B",
                summary: "Evaluate each width of some operators with the rest fixed",
                details: "Sets the operators PATTERN matches (a name, a group or a glob, as in 'set bits') to each width from A to B in turn, the others staying as they are, and prints quantized validation and test accuracy and size for each. The current bits are left unchanged. The result is kept for 'plot sweep'; Ctrl-C stops after the current width and keeps the widths done.",
                examples: ["sweep h.add in 2..8", "sweep gate.* in 2..6", "sweep cell in 2..8"],
                completion: .operatorThenIn,
                parse: parseSweep,
                run: sweep
            ),
            Command(
                name: "show error",
                summary: "Per-operator error of the integer model against float (SQNR, max error)",
                details: "Runs the first N validation sequences (default 64) through the float model and the integer model of the current bits and compares every operator's output at every step: signal-to-quantization-noise ratio in dB (10·log10 of signal power over error power; higher is better) and the largest absolute error. Errors accumulate along the cell and over time, so each row shows what reaches that operator, not only its own rounding. When the input quantizer is what sets them (a 16-bit input would raise the median operator's SQNR by 3 dB or more), a note says so, with its range.",
                examples: ["show error", "set bits gate.z=3; show error sequences 200"],
                options: [sequences],
                parse: { try $0.options() },
                run: showError
            ),
            Command(
                name: "trace", operands: "[N]",
                summary: "One sequence's hidden state over time, float against quantized",
                details: "Runs validation sequence N (default 0) through the float and the integer model of the current bits and prints, step by step, the root-mean-square and largest difference of the hidden state, with sparklines of its first 16 units (float, then quantized; ▁ is −1, █ is +1), so the drift of the recurrent state is visible.",
                examples: ["trace", "set bits h.add=3; trace 5"],
                parse: parseTrace,
                run: trace
            ),
            Command(
                name: "finetune",
                summary: "Quantization-aware training of the current bits (fake-quant, straight-through)",
                details: "Starts from the float weights (or the last fine-tuned ones) and trains with every operator's output rounded to its integer grid in the forward pass and gradients passed straight through the rounding; the activation ranges start from an MSE calibration at the current widths (or where they are, with 'ranges current') and are learned too unless range_lr is 0. After each epoch the integer model is evaluated on validation, and the best epoch is kept (never worse than where it started). Back-propagation runs through whole sequences, or through each sequence's last N steps with 'bptt N' (the earlier steps run forward in the same arithmetic and their state is held constant); when whole sequences would pass the memory limit (GQ_MAX_TRAINING_MEMORY or the process's own), the longest N that fits is chosen and said. 'eval', 'sweep' and the rest then use these weights until the model changes or 'reset finetune'. Ctrl-C stops after the current batch.",
                examples: ["set bits all=4; finetune", "finetune epochs 20 lr 0.0005", "finetune bptt 2000"],
                options: finetuneOptions,
                publishes: ["finetune_accuracy"],
                parse: { try $0.options() },
                run: finetune
            ),
            Command(
                name: "reset finetune",
                summary: "Drop fine-tuned weights and return to the float model's",
                examples: ["reset finetune"],
                run: { interpreter in interpreter.session.workspace.dropFineTuning() }
            ),
            Command(
                name: "save config", operands: "FILE",
                summary: "Save the bits, options, ranges and weights as safetensors",
                details: "The weights in use (fine-tuned or float) under PyTorch names, with the bit widths, quantization options and calibrated ranges in the file's metadata, so 'load config' rebuilds exactly the same integer model without the calibration data. Written to a temporary file and renamed.",
                examples: ["save config gate4.safetensors"],
                completion: .paths,
                parse: ModelFileCommands.file(),
                run: saveConfig
            ),
            Command(
                name: "load config", operands: "FILE",
                summary: "Load a configuration saved by 'save config' (bits, options, ranges, weights)",
                details: "Sets the bits and options and uses the file's weights and ranges for quantized evaluation; the float model stays as it is unless there is none, in which case the file's weights become the model.",
                examples: ["load config gate4.safetensors"],
                completion: .paths,
                parse: ModelFileCommands.file(),
                run: loadConfig
            ),
        ]
    }

    // MARK: - sweep

    /// A `sweep` line, read: the pattern and the widths in order.
    struct SweepRequest {
        var pattern: String
        var widths: [Int]
    }

    static func parseSweep(_ arguments: Arguments) throws -> SweepRequest {
        let usage = arguments.usage
        guard arguments.count >= 1 else { throw CommandError("'sweep' needs an operator pattern and widths: \(usage)") }
        let pattern = arguments[0]
        do {
            // Checked again against the network in use when it runs (`Workspace.sweep`).
            try BitWidths.resolveForAnyCell(pattern)
        } catch {
            throw CommandError(QuantCommands.message(for: error, among: BitWidths.checkingNetworks(for: pattern)), argument: 0)
        }
        guard arguments.count >= 2 else { throw CommandError("'sweep' needs 'in' and widths after the pattern: \(usage)") }
        guard arguments[1] == "in" else {
            throw CommandError("expected 'in' after the pattern, got '\(arguments[1])': \(usage)", argument: 1)
        }
        guard arguments.count >= 3 else { throw CommandError("'sweep' needs widths after 'in', such as 2..8: \(usage)") }
        var widths: [Int] = []
        for index in 2..<arguments.count {
            let word = arguments[index]
            let ends = Interpreter.integerSpan(word) ?? Int(word).map { ($0, $0) }
            guard let (first, last) = ends else {
                throw CommandError("expected widths such as 2..8 or 4, got '\(word)': \(usage)", argument: index)
            }
            // Name the end the user wrote (20 in 2..20), not the first width past the limit;
            // the ends are checked before any list is built.
            if max(first, last) > BitWidths.allowed.upperBound {
                throw CommandError("\(max(first, last)) bits is out of range: widths run from 2 to 16", argument: index)
            }
            if min(first, last) < BitWidths.allowed.lowerBound {
                throw CommandError("\(min(first, last)) bits is out of range: widths run from 2 to 16", argument: index)
            }
            widths += first <= last ? Array(first...last) : Array((last...first).reversed())
        }
        return SweepRequest(pattern: pattern, widths: widths)
    }

    static func sweep(_ interpreter: Interpreter, _ request: SweepRequest) throws {
        let session = interpreter.session
        let workspace = session.workspace
        _ = try workspace.quantizationInputs()  // a task, a model that fits it, a calibration
        session.io.out("sweep \(request.pattern) (others: \(workspace.bits)); float validation \(percent(try workspace.floatAccuracy().validation))")
        var meter = ProgressMeter(io: session.io)
        let result = try workspace.sweep(request.pattern, widths: request.widths) { point, done in
            meter.update(fraction: Double(done) / Double(request.widths.count), label: "sweep", detail: "\(point.bits) bits: \(percent(point.accuracy.validation))")
        }
        meter.finish()
        var rows: [[String]] = [["bits", "validation", "test", "size (bytes)", "of 8-bit"]]
        for point in result.points {
            rows.append([String(point.bits), percent(point.accuracy.validation), percent(point.accuracy.test), String(point.size),
                         String(format: "%.1f %%", point.sizeRatio * 100)])
        }
        table(rows, rightAligned: [0, 1, 2, 3, 4]).forEach(session.io.out)
        if !result.isComplete {
            session.io.out("interrupted after \(result.points.count) of \(result.requestedWidths.count) widths; kept those")
        }
    }

    // MARK: - show error

    static func showError(_ interpreter: Interpreter, _ parsed: ParsedOptions) throws {
        let session = interpreter.session
        let report = try session.workspace.operatorErrors(sequences: parsed[sequences] ?? 64)
        var rows: [[String]] = [["operator", "bits", "SQNR (dB)", "max error"]]
        for row in report.rows {
            rows.append([row.name, String(row.bits), row.sqnr.map { String(format: "%.1f", $0) } ?? "exact", String(format: "%.4g", row.maxError)])
        }
        session.io.out("error against float on \(report.sequences) validation sequence\(report.sequences == 1 ? "" : "s"), bits \(session.workspace.bits)")
        table(rows, rightAligned: [1, 2, 3]).forEach(session.io.out)
        if let note = try inputNote(report.rows, sequences: report.sequences, workspace: session.workspace) { session.io.out(note) }
    }

    /// When the input quantizer's error is what the table shows (with a 16-bit input the
    /// cell's median SQNR rises by 3 dB or more), say so with its range, rather than let
    /// the rows blame the cell.
    static func inputNote(_ rows: [OperatorError], sequences: Int, workspace: Workspace) throws -> String? {
        let bits = workspace.bits
        guard bits[.input] < 16 else { return nil }
        var precise = bits
        precise[.input] = 16
        func median(_ rows: [OperatorError]) -> Double? {
            let values = rows.filter(\.inCell).compactMap(\.sqnr).sorted()
            return values.isEmpty ? nil : values[values.count / 2]
        }
        guard let now = median(rows), let then = median(try workspace.operatorErrors(sequences: sequences, configuration: precise).rows),
              then - now >= 3 else { return nil }
        let range = try workspace.quantizationInputs().calibration.range(.input, bits: bits[.input])
        return String(format: "note: the input quantizer sets these errors: with a 16-bit input the median operator's SQNR is %.1f dB instead of %.1f. Its range, ±%.4g, is set by the widest standardised input values ('show quant'); 'set quant range percentile' clips them, more input bits ('set bits input=10') keep them.", then, now, range)
    }

    // MARK: - trace

    static func parseTrace(_ arguments: Arguments) throws -> Int {
        try arguments.expectCount(0...1)
        guard arguments.count == 1 else { return 0 }
        guard let n = Int(arguments[0]), n >= 0 else {
            throw CommandError("the sequence number must be a whole number ≥ 0, got '\(arguments[0])'", argument: 0)
        }
        return n
    }

    static func trace(_ interpreter: Interpreter, _ index: Int) throws {
        let session = interpreter.session
        let workspace = session.workspace
        let trace: StateTrace
        do {
            trace = try workspace.trace(sequence: index)
        } catch WorkbenchError.sequenceOutOfRange(let index, let count) {
            throw CommandError(WorkbenchError.sequenceOutOfRange(index: index, count: count).errorDescription ?? "", argument: 0)
        }
        let names = try workspace.requireTask().classNames
        func name(_ c: Int) -> String { c < names.count ? names[c] : String(c) }
        let hidden = trace.float.first?.count ?? 0
        session.io.out("validation sequence \(index): label \(name(trace.label)), float predicts \(name(trace.floatPrediction)), quantized predicts \(name(trace.quantizedPrediction)); \(trace.float.count) steps, hidden \(hidden), bits \(workspace.bits)")
        let units = min(16, hidden)
        var rows: [[String]] = [["step", "rms h", "rms Δh", "max |Δh|", "float h[0..<\(units)]", "quantized"]]
        for t in trace.float.indices {
            let f = trace.float[t], qv = trace.quantized[t]
            let rms = (f.map { $0 * $0 }.reduce(0, +) / Double(f.count)).squareRoot()
            let diffs = zip(f, qv).map { $0 - $1 }
            let rmsDiff = (diffs.map { $0 * $0 }.reduce(0, +) / Double(diffs.count)).squareRoot()
            let maxDiff = diffs.map(abs).max() ?? 0
            rows.append([String(t + 1), String(format: "%.3f", rms), String(format: "%.4f", rmsDiff), String(format: "%.4f", maxDiff),
                         sparkline(Array(f.prefix(units))), sparkline(Array(qv.prefix(units)))])
        }
        table(rows, rightAligned: [0, 1, 2, 3]).forEach(session.io.out)
    }

    /// ▁…█ for values from −1 to +1.
    static func sparkline(_ values: [Double]) -> String {
        let marks = Array("▁▂▃▄▅▆▇█")
        return String(values.map { v in
            let position = Int(((min(max(v, -1), 1) + 1) / 2 * Double(marks.count - 1)).rounded())
            return marks[position]
        })
    }

    // MARK: - finetune

    static func finetune(_ interpreter: Interpreter, _ parsed: ParsedOptions) throws {
        let session = interpreter.session
        let workspace = session.workspace
        let task = try workspace.requireTask()
        _ = try workspace.quantizationInputs()
        var settings = FineTuningOptions(seed: parsed[seed] ?? session.seed)
        if let v = parsed[epochs] { settings.epochs = v }
        if let v = parsed[lr] { settings.learningRate = v }
        if let v = parsed[rangeLR] { settings.rangeLearningRate = v }
        if let v = parsed[batch] { settings.batchSize = v }
        if let v = parsed[bptt] { settings.bptt = v }
        session.io.out("fine-tuning \(workspace.bits) on \(task.name): \(task.train.count) train sequences, \(settings.epochs) epoch\(settings.epochs == 1 ? "" : "s")")
        var meter = ProgressMeter(io: session.io)
        let observer = FineTuningObserver(
            truncated: { session.io.out($0.description) },
            progress: { epoch, batch, batchCount, loss in
                let fraction = (Double(epoch - 1) + Double(batch) / Double(max(batchCount, 1))) / Double(max(settings.epochs, 1))
                meter.update(fraction: fraction, label: "finetune", detail: String(format: "epoch %d/%d loss %.3f", epoch, settings.epochs, loss))
            },
            epochDone: { e in
                meter.finish()
                session.io.out(String(format: "epoch %d: loss %.4f, fake-quant train accuracy %@, integer validation %@",
                                      e.epoch, e.trainLoss, percent(e.trainAccuracy), percent(e.validationAccuracy)))
            })
        let outcome = try workspace.finetune(settings, ranges: parsed[ranges], observer: observer)
        meter.finish()
        let result = outcome.result
        guard outcome.adopted else {
            session.io.out("integer validation accuracy \(percent(result.bestAccuracy)) after fine-tuning is below the \(percent(outcome.startAccuracy)) of the current weights and ranges: kept those")
            session.variables["finetune_accuracy"] = .number(outcome.startAccuracy)
            return
        }
        session.io.out("integer validation accuracy \(percent(outcome.startAccuracy)) → \(percent(result.bestAccuracy)) (best epoch \(result.bestEpoch))\(result.interrupted ? "; interrupted, kept the best so far" : ""); 'eval' now uses these weights")
        session.variables["finetune_accuracy"] = .number(result.bestAccuracy)
    }

    // MARK: - configuration files

    static func saveConfig(_ interpreter: Interpreter, _ file: ModelFileCommands.FileArgument) throws {
        let workspace = interpreter.session.workspace
        _ = try workspace.quantizationInputs()
        let saved: ConfigurationFile
        do {
            saved = try workspace.saveConfiguration(to: URL(fileURLWithPath: file.path))
        } catch {
            throw file.failure(error, writing: true, argument: 0)
        }
        interpreter.session.io.out("saved bits \(saved.bits), options and \(saved.tuned ? "fine-tuned" : "float") weights to \(file.word)")
    }

    static func loadConfig(_ interpreter: Interpreter, _ file: ModelFileCommands.FileArgument) throws {
        let loaded: ConfigurationFile
        do {
            loaded = try interpreter.session.workspace.loadConfiguration(from: URL(fileURLWithPath: file.path), named: file.word)
        } catch {
            throw file.failure(error, writing: false, argument: 0)
        }
        interpreter.session.io.out("loaded bits \(loaded.bits) with its weights and ranges from \(file.word)")
    }
}
