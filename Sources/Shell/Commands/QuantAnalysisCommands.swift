import Datasets
import Foundation
import GRU
import Quantization

/// Seeing and fixing the effects of quantization: `sweep`, `show error`, `trace`, `finetune`, configuration files.
enum QuantAnalysisCommands {
    static let finetuneOptions: [OptionSpec] = {
        let d = FineTuningOptions()
        return [
            OptionSpec("epochs", .integer(1...100_000), "epochs to run (default \(d.epochs)); the best on validation is kept"),
            OptionSpec("lr", .real(Double.leastNonzeroMagnitude...Double.infinity), "Adam learning rate of the weights (default \(Value.format(Double(d.learningRate))))"),
            OptionSpec("range_lr", .real(0...Double.infinity), "learning rate of the activation ranges, 0 keeps them fixed (default \(Value.format(Double(d.rangeLearningRate))))"),
            OptionSpec("batch", .integer(1...1_000_000), "sequences per batch (default \(d.batchSize))"),
            OptionSpec("seed", .integer(0...Int.max), "seed of the shuffling (default: the session seed)"),
            OptionSpec("ranges", .word(["mse", "current"]), "start the activation ranges from MSE calibration at these widths (default), or from the current ones (default when continuing from fine-tuned weights)"),
        ]
    }()

    static var commands: [Command] {
        [
            Command(
                name: "sweep", usage: "sweep PATTERN in A..B",
                summary: "Evaluate each width of some operators with the rest fixed",
                details: "Sets the operators PATTERN matches (a name, a group or a glob, as in 'set bits') to each width from A to B in turn, the others staying as they are, and prints quantized validation and test accuracy and size for each. The current bits are left unchanged. The result is kept for 'plot sweep'; Ctrl-C stops after the current width and keeps the widths done.",
                examples: ["sweep h.add in 2..8", "sweep gate.* in 2..6", "sweep cell in 2..8"],
                completion: .operatorPatterns,
                run: sweep
            ),
            Command(
                name: "show error", usage: "show error [sequences N]",
                summary: "Per-operator error of the integer model against float (SQNR, max error)",
                details: "Runs the first N validation sequences (default 64) through the float model and the integer model of the current bits and compares every operator's output at every step: signal-to-quantization-noise ratio in dB (10·log10 of signal power over error power; higher is better) and the largest absolute error. Errors accumulate along the cell and over time, so each row shows what reaches that operator, not only its own rounding.",
                examples: ["show error", "set bits gate.z=3; show error sequences 200"],
                options: [OptionSpec("sequences", .integer(1...1_000_000), "validation sequences to compare (default 64)")],
                run: showError
            ),
            Command(
                name: "trace", usage: "trace [N]",
                summary: "One sequence's hidden state over time, float against quantized",
                details: "Runs validation sequence N (default 0) through the float and the integer model of the current bits and prints, step by step, the root-mean-square and largest difference of the hidden state, with sparklines of its first 16 units (float, then quantized; ▁ is −1, █ is +1), so the drift of the recurrent state is visible.",
                examples: ["trace", "set bits h.add=3; trace 5"],
                run: trace
            ),
            Command(
                name: "finetune", usage: "finetune [epochs N] [lr X] [range_lr X] [batch B] [seed S] [ranges mse|current]",
                summary: "Quantization-aware training of the current bits (fake-quant, straight-through)",
                details: "Starts from the float weights (or the last fine-tuned ones) and trains with every operator's output rounded to its integer grid in the forward pass and gradients passed straight through the rounding; the activation ranges start from an MSE calibration at the current widths (or where they are, with 'ranges current') and are learned too unless range_lr is 0. After each epoch the integer model is evaluated on validation, and the best epoch is kept (never worse than where it started). 'eval', 'sweep' and the rest then use these weights until the model changes or 'reset finetune'. Ctrl-C stops after the current batch.",
                examples: ["set bits all=4; finetune", "finetune epochs 20 lr 0.0005"],
                options: finetuneOptions,
                run: finetune
            ),
            Command(
                name: "reset finetune", usage: "reset finetune",
                summary: "Drop fine-tuned weights and return to the float model's",
                examples: ["reset finetune"],
                run: { interpreter, arguments in
                    try arguments.expectCount(0...0, usage: "reset finetune")
                    interpreter.session.quantization.tuned = nil
                    interpreter.session.quantization.optionsChanged(recalibrate: false)
                }
            ),
            Command(
                name: "save config", usage: "save config FILE",
                summary: "Save the bits, options, ranges and weights as safetensors",
                details: "The weights in use (fine-tuned or float) under PyTorch names, with the bit widths, quantization options and calibrated ranges in the file's metadata, so 'load config' rebuilds exactly the same integer model without the calibration data. Written to a temporary file and renamed.",
                examples: ["save config gate4.safetensors"],
                completion: .paths,
                run: saveConfig
            ),
            Command(
                name: "load config", usage: "load config FILE",
                summary: "Load a configuration saved by 'save config' (bits, options, ranges, weights)",
                details: "Sets the bits and options and uses the file's weights and ranges for quantized evaluation; the float model stays as it is unless there is none, in which case the file's weights become the model.",
                examples: ["load config gate4.safetensors"],
                completion: .paths,
                run: loadConfig
            ),
        ]
    }

    // MARK: - sweep

    static func sweep(_ interpreter: Interpreter, _ arguments: Arguments) throws {
        let usage = "sweep PATTERN in A..B"
        guard arguments.count >= 1 else { throw CommandError("'sweep' needs an operator pattern and widths: \(usage)") }
        let pattern = arguments[0]
        do {
            _ = try BitWidths.resolve(pattern)
        } catch {
            throw CommandError(QuantCommands.message(for: error), argument: 0)
        }
        guard arguments.count >= 2 else { throw CommandError("'sweep' needs 'in' and widths after the pattern: \(usage)") }
        guard arguments[1] == "in" else {
            throw CommandError("expected 'in' after the pattern, got '\(arguments[1])': \(usage)", argument: 1)
        }
        guard arguments.count >= 3 else { throw CommandError("'sweep' needs widths after 'in', such as 2..8: \(usage)") }
        var widths: [Int] = []
        for index in 2..<arguments.count {
            let word = arguments[index]
            let values = Interpreter.integerRange(word) ?? Int(word).map { [$0] }
            guard let values else {
                throw CommandError("expected widths such as 2..8 or 4, got '\(word)': \(usage)", argument: index)
            }
            for b in values where !BitWidths.allowed.contains(b) {
                throw CommandError("\(b) bits is out of range: widths run from 2 to 16", argument: index)
            }
            widths += values
        }
        let session = interpreter.session
        _ = try session.quantizationInputs()  // a task, a model that fits it, a calibration
        let floatAccuracy = try session.floatAccuracy().validation
        let base = session.quantization.bits
        session.io.out("sweep \(pattern) (others: \(base)); float validation \(percent(floatAccuracy))")
        var rows: [[String]] = [["bits", "validation", "test", "size (bytes)", "of 8-bit"]]
        var points: [SweepPoint] = []
        var meter = ProgressMeter(io: session.io)
        for (n, b) in widths.enumerated() {
            var bits = base
            try? bits.set(pattern, to: b)
            let r = try session.evaluateQuantized(bits)
            points.append(SweepPoint(bits: b, accuracy: r.validation, testAccuracy: r.test, size: r.size, sizeRatio: r.ratio))
            let row = [String(b), percent(r.validation), percent(r.test), String(r.size), String(format: "%.1f %%", r.ratio * 100)]
            rows.append(row)
            meter.update(fraction: Double(n + 1) / Double(widths.count), label: "sweep", detail: "\(b) bits: \(percent(r.validation))")
            if session.interrupt.isPending() { break }
        }
        meter.finish()
        table(rows, rightAligned: [0, 1, 2, 3, 4]).forEach(session.io.out)
        session.quantization.lastSweep = SweepResult(pattern: pattern, base: base, points: points, floatAccuracy: floatAccuracy)
        if points.count < widths.count { session.io.out("interrupted after \(points.count) of \(widths.count) widths; kept those") }
    }

    // MARK: - show error

    static func showError(_ interpreter: Interpreter, _ arguments: Arguments) throws {
        let parsed = try arguments.options([OptionSpec("sequences", .integer(1...1_000_000), "validation sequences to compare")])
        let session = interpreter.session
        let (task, model, _) = try session.quantizationInputs()
        let q = try session.quantizedModel()
        let count = min(parsed.integer("sequences") ?? 64, task.validation.count)
        guard count > 0 else { throw CommandError("the validation split is empty") }
        let ops = GRUOperator.allCases.filter { $0 != .fc }
        var signal = [Double](repeating: 0, count: GRUOperator.allCases.count)
        var noise = signal, worst = signal
        for sequence in task.validation.sequences.prefix(count) {
            var floats: [[[Double]]] = []
            FloatReference.run(model: model, sequence: sequence) { _, values in floats.append(values) }
            q.referenceLogits(sequence) { t, codes in
                for op in ops {
                    let s = q.scale(op)
                    for (j, code) in codes[op.rawValue].enumerated() {
                        let f = floats[t][op.rawValue][j]
                        let e = Double(code) * s - f
                        signal[op.rawValue] += f * f
                        noise[op.rawValue] += e * e
                        worst[op.rawValue] = max(worst[op.rawValue], abs(e))
                    }
                }
            }
        }
        var rows: [[String]] = [["operator", "bits", "SQNR (dB)", "max error"]]
        for op in ops {
            let i = op.rawValue
            let sqnr = noise[i] == 0 ? "exact" : String(format: "%.1f", 10 * Foundation.log10(max(signal[i], 1e-300) / noise[i]))
            rows.append([op.name, String(session.quantization.bits[op]), sqnr, String(format: "%.4g", worst[i])])
        }
        session.io.out("error against float on \(count) validation sequence\(count == 1 ? "" : "s"), bits \(session.quantization.bits)")
        table(rows, rightAligned: [1, 2, 3]).forEach(session.io.out)
    }

    // MARK: - trace

    static func trace(_ interpreter: Interpreter, _ arguments: Arguments) throws {
        try arguments.expectCount(0...1, usage: "trace [N]")
        let session = interpreter.session
        let (task, model, _) = try session.quantizationInputs()
        var index = 0
        if arguments.count == 1 {
            guard let n = Int(arguments[0]), n >= 0 else {
                throw CommandError("the sequence number must be a whole number ≥ 0, got '\(arguments[0])'", argument: 0)
            }
            guard n < task.validation.count else {
                throw CommandError("there are \(task.validation.count) validation sequences (0 to \(task.validation.count - 1)), so \(n) is out of range", argument: 0)
            }
            index = n
        }
        guard index < task.validation.count else { throw CommandError("the validation split is empty") }
        let q = try session.quantizedModel()
        let sequence = task.validation.sequences[index]
        var floats: [[Double]] = []
        let floatLogits = FloatReference.run(model: model, sequence: sequence) { _, values in floats.append(values[GRUOperator.hAdd.rawValue]) }
        var quantized: [[Double]] = []
        let s = q.scale(.hAdd)
        let intLogits = q.referenceLogits(sequence) { _, codes in quantized.append(codes[GRUOperator.hAdd.rawValue].map { Double($0) * s }) }
        let label = task.validation.labels[index]
        let names = task.classNames
        func name(_ c: Int) -> String { c < names.count ? names[c] : String(c) }
        session.io.out("validation sequence \(index): label \(name(label)), float predicts \(name(QuantizedGRU.argmax(floatLogits[...]))), quantized predicts \(name(QuantizedGRU.argmax(intLogits[...]))); \(floats.count) steps, hidden \(model.hiddenSize), bits \(session.quantization.bits)")
        let units = min(16, model.hiddenSize)
        var rows: [[String]] = [["step", "rms h", "rms Δh", "max |Δh|", "float h[0..<\(units)]", "quantized"]]
        for t in floats.indices {
            let f = floats[t], qv = quantized[t]
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

    static func finetune(_ interpreter: Interpreter, _ arguments: Arguments) throws {
        let parsed = try arguments.options(finetuneOptions)
        let session = interpreter.session
        let (task, model, calibration) = try session.quantizationInputs()
        var settings = FineTuningOptions(seed: session.seed)
        if let v = parsed.integer("epochs") { settings.epochs = v }
        if let v = parsed.real("lr") { settings.learningRate = Float(v) }
        if let v = parsed.real("range_lr") { settings.rangeLearningRate = Float(v) }
        if let v = parsed.integer("batch") { settings.batchSize = v }
        if let v = parsed.integer("seed") { settings.seed = UInt64(v) }
        let bits = session.quantization.bits
        let options = session.quantization.options
        let continuing = session.quantization.tuned != nil
        var start = calibration
        if (parsed.choice("ranges") ?? (continuing ? "current" : "mse")) == "mse", options.range != .mse {
            var mse = options
            mse.range = .mse
            start = Calibration.calibrate(model: model, trainingSequences: task.train.sequences, options: mse)
        }
        // Fine-tuning may not end below where the current settings already are.
        let current = try session.validationEvaluator().accuracy(QuantizedGRU(model: model, calibration: calibration, bits: bits, options: options))
        session.io.out("fine-tuning \(bits) on \(task.name): \(task.train.count) train sequences, \(settings.epochs) epochs")
        var meter = ProgressMeter(io: session.io)
        let result = FineTuning.run(
            model: model, calibration: start, bits: bits, options: options,
            train: (task.train.sequences, task.train.labels), validation: (task.validation.sequences, task.validation.labels),
            settings: settings,
            progress: { epoch, batch, batchCount, loss in
                let fraction = (Double(epoch - 1) + Double(batch) / Double(max(batchCount, 1))) / Double(max(settings.epochs, 1))
                meter.update(fraction: fraction, label: "finetune", detail: String(format: "epoch %d/%d loss %.3f", epoch, settings.epochs, loss))
            },
            epochDone: { e in
                meter.finish()
                session.io.out(String(format: "epoch %d: loss %.4f, fake-quant train accuracy %@, integer validation %@",
                                      e.epoch, e.trainLoss, percent(e.trainAccuracy), percent(e.validationAccuracy)))
            },
            shouldStop: session.interrupt.isPending)
        meter.finish()
        if result.bestAccuracy < current {
            session.io.out("integer validation accuracy \(percent(result.bestAccuracy)) after fine-tuning is below the \(percent(current)) of the current weights and ranges: kept those")
            session.variables["finetune_accuracy"] = .number(current)
            return
        }
        let note = result.bestEpoch == 0 ? "fine-tuned (no epoch beat the start)" : "fine-tuned for \(result.bestEpoch) epoch\(result.bestEpoch == 1 ? "" : "s")"
        session.quantization.tuned = TunedWeights(model: result.model, calibration: result.calibration, bits: bits, note: note)
        session.quantization.optionsChanged(recalibrate: false)
        session.io.out("integer validation accuracy \(percent(current)) → \(percent(result.bestAccuracy)) (best epoch \(result.bestEpoch))\(result.interrupted ? "; interrupted, kept the best so far" : ""); 'eval' now uses these weights")
        session.variables["finetune_accuracy"] = .number(result.bestAccuracy)
    }

    // MARK: - configuration files

    static func saveConfig(_ interpreter: Interpreter, _ arguments: Arguments) throws {
        try arguments.expectCount(1...1, usage: "save config FILE")
        let session = interpreter.session
        let (_, model, calibration) = try session.quantizationInputs()
        let file = ConfigurationFile(bits: session.quantization.bits, options: session.quantization.options,
                                     calibration: calibration, tuned: session.quantization.tuned != nil)
        do {
            try file.write(model: model, to: URL(fileURLWithPath: arguments.path(0)))
        } catch {
            throw CommandError(Interpreter.message(for: error), argument: 0)
        }
        session.io.out("saved bits \(file.bits), options and \(file.tuned ? "fine-tuned" : "float") weights to \(arguments[0])")
    }

    static func loadConfig(_ interpreter: Interpreter, _ arguments: Arguments) throws {
        try arguments.expectCount(1...1, usage: "load config FILE")
        let session = interpreter.session
        let loaded: (file: ConfigurationFile, model: GRUClassifier)
        do {
            loaded = try ConfigurationFile.read(URL(fileURLWithPath: arguments.path(0)))
        } catch {
            throw CommandError(Interpreter.message(for: error), argument: 0)
        }
        let model = loaded.model
        if let task = session.task, model.inputSize != task.featureCount || model.classCount != task.classCount {
            throw CommandError("\(arguments[0]) holds a model for \(model.inputSize) features and \(model.classCount) classes, but task \(task.name) has \(task.featureCount) features and \(task.classCount) classes", argument: 0)
        }
        if session.model == nil {
            session.model = model
            session.modelOrigin = "loaded from \(arguments[0])"
        }
        session.quantization.bits = loaded.file.bits
        session.quantization.options = loaded.file.options
        session.quantization.tuned = TunedWeights(model: model, calibration: loaded.file.calibration, bits: loaded.file.bits,
                                                  note: "loaded from \(arguments[0])")
        // The tuned ranges came with the file; the float model's calibration was for the old options.
        session.quantization.calibration = nil
        session.quantization.optionsChanged(recalibrate: false)
        session.io.out("loaded bits \(loaded.file.bits) with its weights and ranges from \(arguments[0])")
    }
}
