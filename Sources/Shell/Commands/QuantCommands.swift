import TextMatching
import Workbench

/// Operator bit widths and quantization settings: `show ops`, `set bits`, `reset bits`, `set quant`, `show quant`.
enum QuantCommands {
    private static let defaults = QuantizationOptions()
    static let range = Option<QuantizationOptions.RangeKind>("range", "how activation ranges are calibrated (default \(defaults.range.kind.rawValue))")
    static let percentile = Option<Double>("percentile", 50...100, "the percentile for 'range percentile' (default \(Value.format(QuantizationOptions.defaultPercentile)))").valueNamed("P")
    static let weights = Option<QuantizationOptions.WeightGranularity>("weights", "one weight scale per output channel (default) or per tensor")
    static let requant = Option<QuantizationOptions.Requantization>("requant", "integer multiplier and shift (default), or power-of-two scales (shift only)")
    static let refine = Option<QuantizationOptions.Refinement>("refine", "logits scales each operator's range at \(RangeRefinement.widths.lowerBound)–\(RangeRefinement.widths.upperBound) bits to bring the homogeneous integer model's logits closest to the float model's on the calibration sequences; kl judges by class probabilities instead; off keeps the range method's (default \(defaults.refine.rawValue))")
    static let calibration = Option<Int>("calibration", 1...10_000_000, "training sequences to calibrate on (default \(defaults.calibrationSize))")
    static let seed = Option<UInt64>.seed("seed of the calibration subset (default \(defaults.calibrationSeed))")
    static let quantOptions: [any OptionDeclaration] = [range, percentile, refine, weights, requant, calibration, seed]

    static var commands: [Command] {
        [
            Command(
                name: "show ops",
                summary: "List the cell's operators with kind, shape, parameters and bits",
                details: "The operators of the genome in their fixed order (a GRU layer's 17, an LSTM layer's 21; for a stack, every layer's, named l0.…, l1.…), then input and fc, which are set by hand only. Below them: the work of one time step (multiply-accumulates, elementwise products, table reads, requantizations), and, once there is a model, what the C export of the current configuration costs on a microcontroller: instructions per step on a Cortex-M4 (the DSP path) and on a core without DSP (Cortex-M3, the portable path) from the export's cost model (-O2; instructions, not cycles: at f MHz and about one instruction per cycle a step takes instructions / f µs), the RAM of its state and scratch, and its flash. docs/quantization.md (On the device) says what each kernel costs. Linear operators' widths set their weights and output; σ and tanh are lookup tables whose size grows with the width of the addition feeding them.",
                examples: ["show ops"],
                run: showOps
            ),
            Command(
                name: "set bits", operands: "NAME=B ...",
                summary: "Set operator bit widths (2 to 16) by name or pattern",
                details: "NAME is an operator of the model's cell (see 'show ops': a GRU's r.wx … gate.n, an LSTM's i.wx … h.mul; in a stack prefixed with the layer, l1.gate.z), a group (all: every operator; cell: the genome, every layer's cell operators; linear, add, mul, act) or a glob with * and ? (gate.*, *.wh, l1.*). Assignments apply left to right, so later ones win: 'set bits all=4 h.add=8'. Before a model exists a name is checked against every cell's.",
                examples: ["set bits gate.z=4", "set bits all=8 gate.*=4 *.wh=3", "set bits cell=6", "set bits c.add=10 gate.f=6"],
                completion: .operatorAssignments,
                parse: parseBits,
                run: { interpreter, change in
                    let session = interpreter.session
                    let old = session.changeBits(to: try change(session.workspace.bits))
                    session.io.out(changes(from: old, to: session.workspace.bits))
                }
            ),
            Command(
                name: "reset bits",
                summary: "Return every operator to 8 bits (homogeneous 8-bit)",
                examples: ["reset bits"],
                run: { interpreter in
                    let session = interpreter.session
                    // Every operator of the network in use, however many layers it has.
                    let old = session.changeBits(to: BitWidths(uniform: 8, network: session.workspace.bits.network))
                    session.io.out(changes(from: old, to: session.workspace.bits))
                }
            ),
            Command(
                name: "undo",
                summary: "Undo the last change of bits (set bits, reset bits, use front)",
                details: "Steps back through the bit configurations of this session, newest first, up to 100 of them. Only bits are undone: weights, options and searches stay as they are.",
                examples: ["set bits gate.z=3; eval; undo"],
                run: { interpreter in
                    let session = interpreter.session
                    guard let previous = session.bitsHistory.popLast() else {
                        throw CommandError("nothing to undo: the bits have not changed in this session")
                    }
                    let old = session.workspace.bits
                    session.workspace.bits = previous
                    session.io.out(changes(from: old, to: previous))
                }
            ),
            Command(
                name: "show bits",
                summary: "Show the current bit width of every operator",
                details: "The configuration 'eval' measures, in the compact form 'set bits' accepts (all=8 gate.z=4), then one operator per line. 'show ops' adds shapes and parameters; 'show quant' the ranges and options.",
                examples: ["show bits"],
                run: { interpreter in
                    let bits = interpreter.session.workspace.bits
                    let io = interpreter.session.io
                    io.out("bits \(bits)")
                    table(bits.network.operators.map { [bits.network.name(of: $0), String(bits[id: $0])] }, rightAligned: [1]).forEach(io.out)
                }
            ),
            Command(
                name: "set quant",
                summary: "Choose calibration and integer arithmetic options",
                details: "Activation ranges come from the float model on a seeded subset of the training split: the largest magnitude (max-abs), a percentile of the magnitudes, or the range with the least squared quantization error at each width (mse, the default). Then, with 'refine logits' (the default), each range at \(RangeRefinement.widths.lowerBound)–\(RangeRefinement.widths.upperBound) bits is scaled by the factor (1/4 to 2) that brings the homogeneous integer model's logits closest to the float model's (squared error of centred logits on the calibration sequences, no labels), the input first: what matters on few long series, where errors carried to the last step decide. 'refine kl' judges by the divergence of class probabilities instead, which hides drift on sequences the model is sure of. Weights are symmetric, per output channel or per tensor. Rescaling uses an int16 multiplier with a shift, or powers of two (shift only, for hardware without a multiplier). Changing range, percentile, refine, calibration or seed (and, while refining, weights or requant) calibrates again and drops fine-tuned weights.",
                examples: ["set quant range mse", "set quant refine off", "set quant refine kl", "set quant percentile 99.9", "set quant requant pow2 weights tensor", "set quant calibration 512 seed 3"],
                options: quantOptions,
                parse: parseQuant,
                run: setQuant
            ),
            Command(
                name: "show quant",
                summary: "Show quantization options, bit widths, calibration ranges and fine-tuning",
                examples: ["show quant"],
                run: showQuant
            ),
        ]
    }

    // MARK: - show ops

    static func showOps(_ interpreter: Interpreter) throws {
        let session = interpreter.session
        let workspace = session.workspace
        let bits = workspace.bits
        let model = workspace.model
        let f = model?.inputSize ?? workspace.task?.featureCount, h = model?.hiddenSize, c = model?.classCount ?? workspace.task?.classCount
        var rows: [[String]] = [["#", "operator", "kind", "shape", "params", "bits", "computes"]]
        let network = bits.network
        for id in network.operators {
            let shape: String, params: String
            if let f, let h, let c {
                // A layer above the first reads the H codes of the state below.
                let reads = id.cellIndex != nil && id.layer > 0 ? h : f
                shape = network.shape(of: id, features: reads, hidden: h, classes: c)
                let count = network.parameterCount(of: id, features: reads, hidden: h, classes: c)
                params = count == 0 ? "-" : String(count)
            } else {
                shape = "-"; params = "-"
            }
            let number = id.cellIndex == nil ? "-" : String(network.position(of: id) + 1)
            rows.append([number, network.name(of: id), network.kind(of: id).rawValue, shape, params, String(bits[id: id]), network.formula(of: id)])
        }
        table(rows, rightAligned: [0, 4, 5]).forEach(session.io.out)
        if let f, let h, let c {
            let work = StepCost(inputSize: f, hiddenSize: h, layers: network.layers, cell: network.cell)
            session.io.out(work.summary + "; the head adds \(c * h) multiply-accumulates per sequence")
            if let (costs, size) = try? workspace.deviceCosts() {
                let cores = costs.map { core, cost in
                    "\(core.label) \(cost.instructionsPerStep) (\(String(format: "%.2f", Double(cost.instructionsPerStep) / Double(work.multiplyAccumulates))) per MAC)"
                }
                let ram = costs.first.map { "\($0.cost.stateBytes) B state + \($0.cost.scratchBytes) B scratch" } ?? ""
                session.io.out("on the device (the C export's cost model at -O2; instructions, not cycles): \(cores.joined(separator: ", ")) instructions per step; RAM \(ram); flash \(size) B of constant data")
            }
        } else {
            session.io.out("(shapes, parameter counts and the work per step appear once there is a model)")
        }
    }

    // MARK: - set bits

    /// Reads `NAME=B ...` into a change of the current bits; every name and width is checked here.
    /// Checks each assignment against the widest network (so a stack's `l3.gate.z` parses
    /// before a stack is loaded) and applies them to the network in use when the command runs,
    /// where a name that network lacks (`l1.gate.z` on one layer) is refused and nothing changes.
    static func parseBits(_ arguments: Arguments) throws -> (BitWidths) throws -> BitWidths {
        guard arguments.count > 0 else {
            throw CommandError("'set bits' needs at least one NAME=B: set bits gate.z=4 ('show ops' lists the model's operators)")
        }
        var assignments: [(pattern: String, bits: Int)] = []
        for index in 0..<arguments.count {
            let text = arguments[index]
            do {
                assignments.append(try BitWidths.parseAssignmentForAnyCell(text))
            } catch {
                throw CommandError(message(for: error, among: BitWidths.checkingNetworks(for: String(text.prefix { $0 != "=" }))), argument: index)
            }
        }
        return { current in
            var bits = current
            // Applied left to right so later assignments win.
            for assignment in assignments {
                do throws(BitWidthError) {
                    try bits.set(assignment.pattern, to: assignment.bits)
                } catch {
                    throw CommandError(message(for: error, in: current.network))
                }
            }
            return bits
        }
    }

    /// `gate.z 8 → 4, gate.r 8 → 4`, or a word that nothing changed.
    static func changes(from old: BitWidths, to new: BitWidths) -> String {
        guard old.network == new.network else { return "bits \(old) → \(new)" }
        let network = new.network
        let changed = network.operators.filter { old[id: $0] != new[id: $0] }
        guard !changed.isEmpty else { return "bits unchanged: \(new)" }
        if changed.count > 6 { return "bits \(old) → \(new)" }
        return changed.map { "\(network.name(of: $0)) \(old[id: $0]) → \(new[id: $0])" }.joined(separator: ", ")
    }

    /// A bit-width error with a did-you-mean for misspelt operator names, among `network`'s.
    static func message(for error: BitWidthError, in network: NetworkDescription = .singleGRU) -> String {
        message(for: error, among: [network])
    }

    /// As above, the suggestion taken from every one of `networks`' names.
    static func message(for error: BitWidthError, among networks: [NetworkDescription]) -> String {
        guard let name = error.offendingName else { return error.description }
        var words: [String] = []
        for word in networks.flatMap(BitWidths.patternWords(in:)) where !words.contains(word) { words.append(word) }
        return error.description(didYouMean: Suggestion.didYouMean(name, among: words))
    }

    // MARK: - set quant / show quant

    static func parseQuant(_ arguments: Arguments) throws -> ParsedOptions {
        guard arguments.count > 0 else {
            throw CommandError("'set quant' needs an option: \(arguments.declared.map(\.placeholder).joined(separator: ", "))")
        }
        return try arguments.options()
    }

    static func setQuant(_ interpreter: Interpreter, _ parsed: ParsedOptions) throws {
        let session = interpreter.session
        let workspace = session.workspace
        var options = workspace.options
        if let kind = parsed[range] {
            options.range = QuantizationOptions.RangeMethod(kind: kind, percentile: parsed[percentile] ?? QuantizationOptions.defaultPercentile)
        } else if let p = parsed[percentile] {
            options.range = .percentile(p)
        }
        if let r = parsed[refine] { options.refine = r }
        if let w = parsed[weights] { options.weights = w }
        if let r = parsed[requant] { options.requantization = r }
        if let n = parsed[calibration] { options.calibrationSize = n }
        if let s = parsed[seed] { options.calibrationSeed = s }
        let change = workspace.setOptions(options)
        if change.droppedTunedWeights {
            session.io.err("note: the fine-tuned weights were dropped: they were tuned for the old calibration")
        }
        session.io.out("quant: \(options)")
    }

    static func showQuant(_ interpreter: Interpreter) throws {
        let session = interpreter.session
        let workspace = session.workspace
        let options = workspace.options
        let io = session.io
        io.out("bits         \(workspace.bits)")
        io.out("range        \(options.range) (activations; weights always max-abs)")
        let fitted = "ranges at \(RangeRefinement.widths.lowerBound)–\(RangeRefinement.widths.upperBound) bits fitted to the float model's"
        switch options.refine {
        case .off: io.out("refine       off")
        case .logits: io.out("refine       logits (\(fitted) logits)")
        case .kl: io.out("refine       kl (\(fitted) class probabilities)")
        }
        io.out("weights      symmetric, per \(options.weights == .perChannel ? "output channel" : "tensor") (fc always per tensor)")
        io.out("requant      \(options.requantization == .multiplierShift ? "int16 multiplier and shift, round half up" : "power-of-two scales, shift only, round half up")")
        // The count actually used: a training split smaller than the count asked gives all of itself.
        let used = workspace.model != nil && workspace.task != nil ? try? workspace.quantizationInputs().calibration.sequenceCount : nil
        if let used, used != options.calibrationSize {
            io.out("calibration  \(used) training sequences (\(options.calibrationSize) asked; the training split has \(used)), seed \(options.calibrationSeed)")
        } else {
            io.out("calibration  \(options.calibrationSize) training sequences, seed \(options.calibrationSeed)")
        }
        if let tuned = workspace.tuned {
            io.out("weights      \(tuned.note) (tuned for \(tuned.bits)); 'reset finetune' returns to the float weights")
        } else {
            io.out("weights      the float model's")
        }
        guard workspace.model != nil, workspace.task != nil else {
            io.out("(calibration ranges appear once there are a task and a model)")
            return
        }
        let inputs = try workspace.quantizationInputs()
        let model = try workspace.quantizedModel()
        var rows: [[String]] = [["operator", "bits", "range", "scale", "size (bytes)"]]
        let size = model.size
        let network = workspace.bits.network
        for id in network.operators {
            let b = workspace.bits[id: id]
            let range: String
            switch network.range(of: id) {
            case _ where id == .fc: range = "-"
            case .unit: range = "[0, 1]"
            case .symmetricUnit: range = "[-1, 1]"
            case .calibrated: range = String(format: "±%.4g", inputs.calibration.range(id: id, bits: b))
            }
            rows.append([network.name(of: id), String(b), range, String(format: "%.4g", model.scale(id: id)), String(size[id: id])])
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
