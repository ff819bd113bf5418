import Datasets
import Foundation
import GRU
import Quantization
import TextMatching

/// Operator bit widths and quantization settings: `show ops`, `set bits`, `reset bits`, `set quant`, `show quant`.
enum QuantCommands {
    static let quantOptions: [OptionSpec] = [
        OptionSpec("range", .word(["max-abs", "percentile", "mse"]), "how activation ranges are calibrated (default max-abs)"),
        OptionSpec("percentile", .real(50...100), "the percentile for 'range percentile' (default 99.99)"),
        OptionSpec("weights", .word(["channel", "tensor"]), "one weight scale per output channel (default) or per tensor"),
        OptionSpec("requant", .word(["multiplier", "pow2"]), "integer multiplier and shift (default), or power-of-two scales (shift only)"),
        OptionSpec("calibration", .integer(1...10_000_000), "training sequences to calibrate on (default 256)"),
        OptionSpec("seed", .integer(0...Int.max), "seed of the calibration subset (default 0)"),
    ]

    static var commands: [Command] {
        [
            Command(
                name: "show ops", usage: "show ops",
                summary: "List the GRU cell's operators with kind, shape, parameters and bits",
                details: "The 17 operators of the genome in their fixed order, then input and fc, which are set by hand only. Linear operators' widths set their weights and output; σ and tanh are lookup tables whose size grows with the width of the addition feeding them.",
                examples: ["show ops"],
                run: showOps
            ),
            Command(
                name: "set bits", usage: "set bits NAME=B ...",
                summary: "Set operator bit widths (2 to 16) by name or pattern",
                details: "NAME is an operator (see 'show ops'), a group (all: every operator; cell: the 17 of the genome; linear, add, mul, act) or a glob with * and ? (gate.*, *.wh). Assignments apply left to right, so later ones win: 'set bits all=4 h.add=8'.",
                examples: ["set bits gate.z=4", "set bits all=8 gate.*=4 *.wh=3", "set bits cell=6"],
                completion: .bitAssignments,
                run: setBits
            ),
            Command(
                name: "reset bits", usage: "reset bits",
                summary: "Return every operator to 8 bits (homogeneous 8-bit)",
                examples: ["reset bits"],
                run: { interpreter, arguments in
                    try arguments.expectCount(0...0, usage: "reset bits")
                    interpreter.session.quantization.bits = BitWidths(uniform: 8)
                }
            ),
            Command(
                name: "set quant", usage: "set quant [range max-abs|percentile|mse] [percentile P] [weights channel|tensor] [requant multiplier|pow2] [calibration N] [seed S]",
                summary: "Choose calibration and integer arithmetic options",
                details: "Activation ranges come from the float model on a seeded subset of the training split: the largest magnitude (max-abs), a percentile of the magnitudes, or the range with the least squared quantization error at each width (mse). Weights are symmetric, per output channel or per tensor. Rescaling uses an int16 multiplier with a shift, or powers of two (shift only, for hardware without a multiplier). Changing range, percentile, calibration or seed calibrates again and drops fine-tuned weights.",
                examples: ["set quant range mse", "set quant percentile 99.9", "set quant requant pow2 weights tensor", "set quant calibration 512 seed 3"],
                options: quantOptions,
                run: setQuant
            ),
            Command(
                name: "show quant", usage: "show quant",
                summary: "Show quantization options, bit widths, calibration ranges and fine-tuning",
                examples: ["show quant"],
                run: showQuant
            ),
        ]
    }

    // MARK: - show ops

    static func showOps(_ interpreter: Interpreter, _ arguments: Arguments) throws {
        try arguments.expectCount(0...0, usage: "show ops")
        let session = interpreter.session
        let bits = session.quantization.bits
        let model = session.model
        let f = model?.inputSize ?? session.task?.featureCount, h = model?.hiddenSize, c = model?.classCount ?? session.task?.classCount
        var rows: [[String]] = [["#", "operator", "kind", "shape", "params", "bits", "computes"]]
        for (index, op) in GRUOperator.allCases.enumerated() {
            let shape: String, params: String
            if let f, let h, let c {
                shape = op.shape(features: f, hidden: h, classes: c)
                let count = op.parameterCount(features: f, hidden: h, classes: c)
                params = count == 0 ? "-" : String(count)
            } else {
                shape = "-"; params = "-"
            }
            let number = index < GRUOperator.genome.count ? String(index + 1) : "-"
            rows.append([number, op.name, op.kind.rawValue, shape, params, String(bits[op]), op.formula])
        }
        table(rows, rightAligned: [0, 4, 5]).forEach(session.io.out)
        if model == nil { session.io.out("(shapes and parameter counts appear once there is a model)") }
    }

    // MARK: - set bits

    static func setBits(_ interpreter: Interpreter, _ arguments: Arguments) throws {
        guard arguments.count > 0 else {
            throw CommandError("'set bits' needs at least one NAME=B: set bits gate.z=4 (operators: \(GRUOperator.names.joined(separator: " ")))")
        }
        var bits = interpreter.session.quantization.bits
        for index in 0..<arguments.count {
            do {
                let (pattern, width) = try BitWidths.parseAssignment(arguments[index])
                try bits.set(pattern, to: width)
            } catch {
                throw CommandError(message(for: error), argument: index)
            }
        }
        interpreter.session.quantization.bits = bits
    }

    /// A bit-width error with a did-you-mean for misspelt operator names.
    static func message(for error: BitWidthError) -> String {
        switch error {
        case .unknownOperator(let name):
            let hint = Suggestion.didYouMean(name, among: BitWidths.patternWords)
            return "unknown operator '\(name)'\(hint); operators: \(GRUOperator.names.joined(separator: " ")); patterns: all, cell, linear, add, mul, act, or globs such as gate.* and *.wh"
        case .matchesNothing(let pattern):
            return "pattern '\(pattern)' matches no operator; operators: \(GRUOperator.names.joined(separator: " "))"
        default:
            return error.description
        }
    }

    // MARK: - set quant / show quant

    static func setQuant(_ interpreter: Interpreter, _ arguments: Arguments) throws {
        guard arguments.count > 0 else {
            throw CommandError("'set quant' needs an option: \(quantOptions.map(\.placeholder).joined(separator: ", "))")
        }
        let parsed = try arguments.options(quantOptions)
        let session = interpreter.session
        var options = session.quantization.options
        if let range = parsed.choice("range") {
            switch range {
            case "max-abs": options.range = .maxAbs
            case "mse": options.range = .mse
            default: options.range = .percentile(parsed.real("percentile") ?? 99.99)
            }
        } else if let p = parsed.real("percentile") {
            options.range = .percentile(p)
        }
        if let w = parsed.choice("weights") { options.weights = w == "tensor" ? .perTensor : .perChannel }
        if let r = parsed.choice("requant") { options.requantization = r == "pow2" ? .powerOfTwo : .multiplierShift }
        if let n = parsed.integer("calibration") { options.calibrationSize = n }
        if let s = parsed.integer("seed") { options.calibrationSeed = UInt64(s) }
        let old = session.quantization.options
        let recalibrate = options.range != old.range || !options.calibratesLike(old)
        if recalibrate, session.quantization.tuned != nil {
            session.io.err("note: the fine-tuned weights were dropped: they were tuned for the old calibration")
        }
        session.quantization.options = options
        session.quantization.optionsChanged(recalibrate: recalibrate)
        session.io.out("quant: \(options)")
    }

    static func showQuant(_ interpreter: Interpreter, _ arguments: Arguments) throws {
        try arguments.expectCount(0...0, usage: "show quant")
        let session = interpreter.session
        let q = session.quantization
        let io = session.io
        io.out("bits         \(q.bits)")
        io.out("range        \(q.options.range) (activations; weights always max-abs)")
        io.out("weights      symmetric, per \(q.options.weights == .perChannel ? "output channel" : "tensor") (fc always per tensor)")
        io.out("requant      \(q.options.requantization == .multiplierShift ? "int16 multiplier and shift, round half up" : "power-of-two scales, shift only, round half up")")
        io.out("calibration  \(q.options.calibrationSize) training sequences, seed \(q.options.calibrationSeed)")
        if let tuned = q.tuned {
            io.out("weights      \(tuned.note) (tuned for \(tuned.bits)); 'reset finetune' returns to the float weights")
        } else {
            io.out("weights      the float model's")
        }
        guard session.model != nil, session.task != nil else {
            io.out("(calibration ranges appear once there are a task and a model)")
            return
        }
        let model = try session.quantizedModel()
        var rows: [[String]] = [["operator", "bits", "range", "scale", "size (bytes)"]]
        let size = model.size
        for op in GRUOperator.allCases {
            let b = q.bits[op]
            let range: String
            switch op {
            case .fc: range = "-"
            case .gateR, .gateZ, .hSub: range = "[0, 1]"
            case .gateN: range = "[-1, 1]"
            default: range = String(format: "±%.4g", try session.quantizationInputs().calibration.range(op, bits: b))
            }
            rows.append([op.name, String(b), range, String(format: "%.4g", model.scale(op)), String(size[op])])
        }
        table(rows, rightAligned: [1, 4]).forEach(io.out)
        io.out("total \(size.total) bytes (weights \(size.weightBytes), lookup tables \(size.tableBytes))")
    }
}

/// Columns padded to their widest cell, two spaces apart.
func table(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
    guard let columns = rows.map(\.count).max() else { return [] }
    var widths = [Int](repeating: 0, count: columns)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    return rows.map { row in
        row.enumerated().map { i, cell in
            let pad = String(repeating: " ", count: widths[i] - cell.count)
            if i == row.count - 1 && !rightAligned.contains(i) { return cell }
            return rightAligned.contains(i) ? pad + cell : cell + pad
        }.joined(separator: "  ")
    }
}
