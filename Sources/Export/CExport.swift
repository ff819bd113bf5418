import Foundation
import Quantization

/// Why a configuration cannot be written as C.
public enum CExportError: Error, Equatable, Sendable, LocalizedError {
    /// NAME is not a C identifier.
    case badName(String)

    public var errorDescription: String? {
        switch self {
        case .badName(let name):
            return "'\(name)' is not a C identifier: use letters, digits and '_', not starting with a digit"
        }
    }
}

/// One configuration as C99 for a microcontroller: `NAME.h` and `NAME.c`.
///
/// The constant data is what `DeviceLayout` lays out and `ModelSize` counts, as `static const`
/// arrays; everything else (widths, shapes, code ranges, shared requantizers) is an immediate
/// in the code, so the object's `.rodata` is gq's `size` plus alignment. The arithmetic is
/// docs/quantization.md's, in the exact forms `DeviceLayout` chose, so the logits equal
/// `QuantizedGRU.referenceLogits` bit for bit on either kernel path (`CKernels`). No dynamic
/// memory, no libm; the caller owns the state.
public struct CExport: Sendable {
    public let name: String
    public let header: String
    public let source: String

    /// `description` lines go in the comment block at the top of both files.
    public init(_ model: QuantizedGRU, name: String, description: [String]) throws {
        guard CExport.isIdentifier(name) else { throw CExportError.badName(name) }
        self.name = name
        let layouts = model.deviceLayouts
        let costs = TargetCore.allCases.map { (core: $0, cost: DeviceCostModel(core: $0).cost(of: model, layouts: layouts)) }
        let estimate = costs.map { "\($0.core.label): about \($0.cost.instructionsPerStep) instructions per step (-O2), \($0.cost.stateBytes) B state + \($0.cost.scratchBytes) B scratch" }
        let comment = CExport.comment(name: name, cell: model.bits.network.cell.withArticle,
                                      description: description + ["cost model (instructions, not cycles; docs/quantization.md, \"On the device\"):"] + estimate.map { "  " + $0 })
        header = CExport.header(model, layouts: layouts, name: name, comment: comment)
        source = CSource(model: model, layouts: layouts, name: name).text(comment: comment)
    }

    /// Whether `name` can prefix C symbols: ASCII letters, digits and `_`, not starting with a digit.
    public static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    static func comment(name: String, cell: String, description: [String]) -> String {
        (["/* \(name): \(cell) classifier quantized by gq, integer-only inference.", " *"]
         + description.map { " * " + $0.replacingOccurrences(of: "*/", with: "* /") }
         + [" *", " * The arithmetic is docs/quantization.md of gq, bit for bit. Generated; do not edit. */"])
            .joined(separator: "\n")
    }

    static func codeType(bytes: Int) -> String { bytes == 1 ? "int8_t" : "int16_t" }

    static func header(_ model: QuantizedGRU, layouts: [DeviceLayout], name: String, comment: String) -> String {
        let upper = name.uppercased()
        let cell = model.bits.network.cell.description
        /// Layer k's state vectors (h, and an LSTM's c) as fields, each in the code type of its width.
        func fields(_ k: Int, prefix: String) -> [String] {
            cell.states.enumerated().map { s, vector in
                let bits = model.bits[id: .cell(vector.producedBy, layer: k)]
                let note = prefix.isEmpty ? (cell.states.count == 1 ? "" : "  /* \(bits) bits */") : "  /* layer \(k): \(bits) bits */"
                return "\(codeType(bytes: layouts[k].stateVectorCodeBytes[s])) \(prefix)\(vector.name)[\(upper)_HIDDEN];" + note
            }
        }
        let state: String
        if layouts.count == 1 {
            let what = cell.states.count == 1
                ? "The hidden state, as integer codes (\(model.bits[id: .cell(cell.output)]) bits)"
                : "The states (\(cell.states.map(\.name).joined(separator: " and "))), as integer codes"
            state = """
            /* \(what); the caller owns it (no dynamic memory). */
            typedef struct {
                \(fields(0, prefix: "").joined(separator: "\n    "))
            } \(name)_state;
            """
        } else {
            state = """
            /* The \(cell.states.count == 1 ? "hidden states" : "states") of the \(layouts.count) stacked layers, as integer codes; the caller owns them (no dynamic memory). */
            typedef struct {
                \(layouts.indices.flatMap { fields($0, prefix: "l\($0)_") }.joined(separator: "\n    "))
            } \(name)_state;
            """
        }
        return """
        \(comment)
        #ifndef \(upper)_H
        #define \(upper)_H

        #include <stdint.h>

        #define \(upper)_FEATURES \(model.inputSize)
        #define \(upper)_HIDDEN \(model.hiddenSize)\(layouts.count == 1 ? "" : "\n#define \(upper)_LAYERS \(layouts.count)")
        #define \(upper)_CLASSES \(model.classCount)

        /* One input code (\(model.bits[.input]) bits). */
        typedef \(codeType(bytes: layouts[0].inputCodeBytes)) \(name)_input_code;

        \(state)

        /* Zero state: call before each sequence. */
        void \(name)_reset(\(name)_state *state);
        /* One time step of \(upper)_FEATURES raw values, as the task gives them
           (standardised and quantized inside, in float32: no libm, the compiler's
           float support only). */
        void \(name)_step(\(name)_state *state, const float *x);
        /* The input quantizer alone: \(upper)_FEATURES raw values to their codes. */
        void \(name)_input_codes(const float *x, \(name)_input_code *codes);
        /* One time step from input codes (what \(name)_input_codes gives): integers only. */
        void \(name)_step_codes(\(name)_state *state, const \(name)_input_code *codes);
        /* The integer logits of the state (scale: the head's; compare by size only). \(model.head.wideAccumulator ? "\n   This configuration's head is wide: these are saturated to int32; use \(name)_logits64." : "")*/
        void \(name)_logits(const \(name)_state *state, int32_t *out);
        /* The same, exact in 64 bits for any configuration. */
        void \(name)_logits64(const \(name)_state *state, int64_t *out);
        /* The class of the state: the first index of the largest logit. */
        int \(name)_classify(const \(name)_state *state);

        #endif

        """
    }
}

/// One recurrent layer's part of the source file: its constant data and the statements of its
/// step for one unit. A single layer's arrays are `NAME_w`, `NAME_rows`, `NAME_gate_r`, … and
/// its state `state->h`; a stack's layer k prefixes both (`NAME_l1_w`, `state->l1_h`).
struct CLayer {
    /// The layer alone (`QuantizedGRU.layer(k)`): its input is what it reads.
    let model: QuantizedGRU
    let layout: DeviceLayout
    /// The file's name, which its kernels and macros carry.
    let name: String
    /// The prefix of the layer's arrays.
    let symbols: String
    /// The prefix of the layer's state fields in `NAME_state`.
    let statePrefix: String
    /// Each of the layer's tables stored as an earlier one (by cell operator index), by that array's symbol.
    let sharedTables: [Int: String]
    /// The cell every layer is.
    let cell: CellDescription
    /// Where unit j's constants sit in its record of `NAME_rows`: the one description that both
    /// the data and the step read.
    let record: Record

    init(model: QuantizedGRU, layout: DeviceLayout, name: String, symbols: String, statePrefix: String, sharedTables: [Int: String]) {
        self.model = model
        cell = model.bits.network.cell.description
        self.layout = layout
        self.name = name
        self.symbols = symbols
        self.statePrefix = statePrefix
        self.sharedTables = sharedTables
        record = Record(layout, order: CLayer.linearOrder(cell))
    }

    var upper: String { name.uppercased() }

    /// The C name of an operator's arrays, from its name: `r.wx` → `rwx`, `gate.r` → `gate_r`, `c.mul_f` → `cmul_f`.
    static func symbol(_ name: String) -> String {
        name.replacingOccurrences(of: ".", with: name.hasPrefix("gate") ? "_" : "")
    }

    /// The C name of the cell's operator `i`.
    func symbol(_ i: Int) -> String { Self.symbol(cell.operators[i].name) }

    // MARK: - Data

    /// The linear operators in the order the step reads them for each unit: operator order
    /// (a GRU's r.wx, r.wh, z.wx, z.wh, n.wx, n.wh).
    static func linearOrder(_ cell: CellDescription) -> [Int] {
        cell.operators.indices.filter { cell.node($0).kind == .linear }
    }

    /// The cell's tables, in operator order.
    var tableOrder: [Int] { cell.operators.indices.filter { cell.node($0).kind == .activation } }

    /// Whether operator `i`'s codes are unsigned (σ and 1 − z).
    func isUnsigned(_ i: Int) -> Bool { model.bits.network.range(of: .cell(i)) == .unit }

    /// A unit's record in `NAME_rows`, by operator in step order: the bias (two words, low
    /// first, when 64-bit) and, per channel, the pre-shifted multiplier.
    struct Record {
        var bias: [Int: Int] = [:]
        var multiplier: [Int: Int] = [:]
        var words = 0

        init(_ layout: DeviceLayout, order: [Int]) {
            for op in order {
                let plan = layout.linear[op]
                bias[op] = words
                words += plan.bias64 ? 2 : 1
                switch plan.rescale {
                case .highPerRow?, .productPerRow?:
                    multiplier[op] = words
                    words += 1
                default:
                    break
                }
            }
        }
    }

    /// The layer's arrays: its weight stream, its unit records, per-row rescales, and tables.
    func data() -> [String] {
        var arrays: [String] = []
        func array(_ type: String, _ symbol: String, _ values: [String]) {
            arrays.append(CSource.array(type, "\(symbols)_\(symbol)", values))
        }
        func hex(_ word: UInt32) -> String { CSource.hex(word) }
        // One stream of weights: for each unit, its row of r.wx, r.wh, z.wx, z.wh, n.wx, n.wh, so
        // the step walks a single pointer; and one record of that unit's biases and multipliers.
        let order = Self.linearOrder(cell)
        let packed = order.map { CSource.words(model.linear[$0], layout.linear[$0]) }
        var stream: [UInt32] = [], records: [String] = []
        for j in 0..<model.hiddenSize {
            var unit = [String](repeating: "", count: record.words)
            for (index, op) in order.enumerated() {
                let plan = layout.linear[op]
                stream += packed[index][(j * plan.wordsPerRow)..<((j + 1) * plan.wordsPerRow)]
                let bias = model.linear[op].bias[j], at = record.bias[op]!
                if plan.bias64 {
                    let bits = UInt64(bitPattern: bias)
                    unit[at] = "(int32_t)" + hex(UInt32(truncatingIfNeeded: bits))
                    unit[at + 1] = "(int32_t)" + hex(UInt32(truncatingIfNeeded: bits >> 32))
                } else {
                    unit[at] = String(bias)
                }
                switch plan.rescale {
                case .highPerRow(let m, _)?, .productPerRow(let m, _)?: unit[record.multiplier[op]!] = String(m[j])
                default: break
                }
            }
            records += unit
        }
        array("uint32_t", "w", stream.map(hex))
        array("int32_t", "rows", records)
        for op in order {
            let symbol = self.symbol(op)
            switch layout.linear[op].rescale {
            case .widePerRow(let m, let s)?:
                array("int16_t", symbol + "_m", m.map { String($0) })
                array("int8_t", symbol + "_s", s.map { String($0) })
            case .shiftPerRow(let s)?:
                array("int8_t", symbol + "_s", s.map { String($0) })
            case .shared?, .highPerRow?, .productPerRow?, nil:
                break
            }
        }
        for op in tableOrder {
            let table = model.tables[op]!
            if let stored = sharedTables[op] {
                arrays.append("#define \(symbols)_\(symbol(op)) \(stored)  /* the same entries: stored once */")
                continue
            }
            switch DeviceLayout.tableEntryBits(outputBits: table.outputBits) {
            case 4:
                // Two entries a byte, the even one in the low nibble.
                let nibbles = stride(from: 0, to: table.entries.count, by: 2).map { i -> String in
                    let low = UInt8(truncatingIfNeeded: table.entries[i]) & 0xF
                    let high = i + 1 < table.entries.count ? UInt8(truncatingIfNeeded: table.entries[i + 1]) & 0xF : 0
                    return String(low | high << 4)
                }
                array("uint8_t", symbol(op), nibbles)
            case let bits:
                array((isUnsigned(op) ? "uint" : "int") + (bits == 16 ? "16_t" : "8_t"), symbol(op), table.entries.map { String($0) })
            }
        }
        return arrays
    }

    // MARK: - Expressions

    /// An int32 expression (or int64 when `wide`) for `form` applied to `x`.
    func rescale(_ x: String, _ form: Rescale) -> (text: String, wide: Bool) {
        switch form {
        case .zero:
            return ("0", false)
        case .narrow(let m, let s):
            if s > 0 {
                let product = m == 1 ? "(\(x))" : "(\(x)) * \(m)"
                return ("((\(product) + \(Int64(1) << (s - 1))) >> \(s))", false)
            }
            let factor = Int64(m) << Int64(-s)
            return (factor == 1 ? "(\(x))" : "((\(x)) * \(factor))", false)
        case .high(let m, let k):
            return ("((\(name)_hi32(\(x), \(m)) + \(Int64(1) << (k - 1))) >> \(k))", false)
        case .product(let m, let s):
            return ("(int32_t)(((int64_t)(\(x)) * \(m) + INT64_C(\(Int64(1) << (s - 1)))) >> \(s))", false)
        case .wide(let m, let s):
            return ("\(name)_rq64((int64_t)(\(x)), \(m), \(s))", true)
        }
    }

    func rescale(_ x: String, row: ChannelRescale, op: Int) -> (text: String, wide: Bool) {
        let symbol = self.symbol(op)
        switch row {
        case .shared(let form):
            return rescale(x, form)
        case .highPerRow(_, let k):
            let at = record.multiplier[op]!
            return ("((\(name)_hi32(\(x), row[\(at)]) + \(Int64(1) << (k - 1))) >> \(k))", false)
        case .productPerRow(_, let s):
            let at = record.multiplier[op]!
            return ("(int32_t)(((int64_t)(\(x)) * row[\(at)] + INT64_C(\(Int64(1) << (s - 1)))) >> \(s))", false)
        case .widePerRow:
            return ("\(name)_rq64((int64_t)(\(x)), \(symbols)_\(symbol)_m[j], \(symbols)_\(symbol)_s[j])", true)
        case .shiftPerRow:
            return ("\(name)_rqs(\(x), \(symbols)_\(symbol)_s[j])", false)
        }
    }

    func saturate(_ value: (text: String, wide: Bool), _ op: Int) -> String {
        let (low, high) = model.bounds(id: .cell(op))
        if value.wide { return "\(name)_sat64(\(value.text), \(low), \(high))" }
        return "\(upper)_SAT\(isUnsigned(op) ? "U" : "S")(\(value.text), \(model.bits[id: .cell(op)]))"
    }

    /// The statements that compute linear operator `op`'s row j into `out`, reading its weights
    /// at `w` (then past them) and its bias and multiplier from unit j's record `row`.
    func linear(_ op: Int, into out: String) -> String {
        let plan = layout.linear[op]
        let source = model.bits.network.readsInput(.cell(op)) ? "xs" : "hs"
        let kernel = CKernels.dotName(name, container: plan.container, wide: plan.accumulates64)
        let at = record.bias[op]!
        let bias = plan.bias64 ? "((int64_t)row[\(at + 1)] * 4294967296 + (uint32_t)row[\(at)])" : "row[\(at)]"
        let acc = plan.accumulates64
            ? "int64_t acc = \(plan.bias64 ? bias : "(int64_t)" + bias) + \(kernel)(w, \(source), \(plan.wordsPerRow)u);"
            : "int32_t acc = \(bias) + \(kernel)(w, \(source), \(plan.wordsPerRow)u);"
        let value = plan.accumulates64
            ? (plan.rescale.map { rescaleWide("acc", $0, symbol: symbol(op)) } ?? ("acc", true))
            : rescale("acc", row: plan.rescale!, op: op)
        return "{ \(acc) \(out) = \(saturate(value, op)); w += \(plan.wordsPerRow); }  /* \(cell.operators[op].name): \(model.bits[id: .cell(op)])-bit weights in \(plan.container)-bit containers */"
    }

    /// A 64-bit sum's rescale: always the rule as written.
    func rescaleWide(_ x: String, _ row: ChannelRescale, symbol: String) -> (text: String, wide: Bool) {
        switch row {
        case .shared(.wide(let m, let s)):
            return ("\(name)_rq64(\(x), \(m), \(s))", true)
        case .widePerRow:
            return ("\(name)_rq64(\(x), \(symbols)_\(symbol)_m[j], \(symbols)_\(symbol)_s[j])", true)
        default:
            // ChannelRescale gives a sum without a 32-bit bound only these two forms.
            preconditionFailure("a 64-bit sum is rescaled by the rule as written")
        }
    }

    func add(_ op: Int, _ a: String, _ b: String) -> String {
        let (ra, rb) = layout.addRescales[op]!
        let x = rescale(a, ra), y = rescale(b, rb)
        let wide = x.wide || y.wide
        let sum = wide ? "(int64_t)\(x.text) + \(y.text)" : "\(x.text) + \(y.text)"
        return "\(symbol(op)) = \(saturate((sum, wide), op));"
    }

    func multiply(_ op: Int, _ a: String, _ b: String) -> String {
        "\(symbol(op)) = \(saturate(rescale("\(a) * \(b)", layout.mulRescales[op]!), op));"
    }

    func lookup(_ op: Int, _ code: String) -> String {
        let table = model.tables[op]!
        let index = "\(code) + \(1 << (table.inputBits - 1))"
        if DeviceLayout.tableEntryBits(outputBits: table.outputBits) == 4 {
            return "\(name)_nibble\(isUnsigned(op) ? "u" : "s")(\(symbols)_\(symbol(op)), \(index))"
        }
        return "(int32_t)\(symbols)_\(symbol(op))[\(index)]"
    }

    /// The C local that holds an operand's code for the unit: an operator's symbol, or a
    /// state's name (its value before the step).
    func local(_ operand: CellDescription.Operand) -> String {
        switch operand {
        case .op(let i): return symbol(i)
        case .state(let s): return cell.states[s].name
        }
    }

    /// The C type of state vector `s`'s codes in `NAME_state`.
    func stateType(_ s: Int) -> String { CExport.codeType(bytes: layout.stateVectorCodeBytes[s]) }

    /// One unit's part of the step, node by node as the cell's description orders them: its
    /// locals, every operator's statement, and the new state stored.
    func unitStep() -> [String] {
        var lines = ["int32_t " + cell.operators.indices.map { local(.op($0)) }.joined(separator: ", ") + ";"]
        // The states an elementwise node reads (a GRU's h; an LSTM's c: its h reaches the step through the products only).
        let read = Set(cell.step.flatMap(\.operands).compactMap { operand -> Int? in
            if case .state(let s) = operand { return s } else { return nil }
        })
        lines += cell.states.indices.filter(read.contains).map { "int32_t \(cell.states[$0].name) = state->\(statePrefix)\(cell.states[$0].name)[j];" }
        for node in cell.step {
            let op = node.output, out = local(.op(node.output))
            switch node {
            case .linear:
                lines.append(linear(op, into: out))
            case .add(_, let a, let b):
                lines.append(add(op, local(a), local(b)))
            case .multiply(_, let a, let b):
                lines.append(multiply(op, local(a), local(b)))
            case .oneMinus(_, let a):
                let rescaled = rescale(local(a), layout.oneMinusRescales[op]!)
                let one = model.oneMinus[op]!.one
                lines.append("\(out) = \(saturate((rescaled.wide ? "(int64_t)\(one) - \(rescaled.text)" : "\(one) - \(rescaled.text)", rescaled.wide), op));")
            case .table(_, _, let a):
                lines.append("\(out) = \(lookup(op, local(a)));")
            }
        }
        lines += cell.states.indices.map { s in
            "state->\(statePrefix)\(cell.states[s].name)[j] = (\(stateType(s)))\(local(.op(cell.states[s].producedBy)));"
        }
        return lines
    }
}

/// The source file: the constant data, the kernels this configuration uses, and the step,
/// one layer after the other, each reading the state the layer below has just made.
struct CSource {
    let model: QuantizedGRU
    let name: String
    /// Bottom to top.
    let layers: [CLayer]
    /// The head's plan (the top layer's layout holds it).
    let head: DeviceLayout.Linear
    let inputCodeBytes: Int

    init(model: QuantizedGRU, layouts: [DeviceLayout], name: String) {
        self.model = model
        self.name = name
        let single = layouts.count == 1
        func symbols(_ k: Int) -> String { single ? name : "\(name)_l\(k)" }
        let shared = DeviceLayout.sharedTables(model)
        layers = layouts.enumerated().map { k, layout in
            var tables: [Int: String] = [:]
            let cell = model.bits.network.cell.description
            for (id, stored) in shared where id.layer == k {
                tables[id.cellIndex!] = "\(symbols(stored.layer))_\(CLayer.symbol(cell.operators[stored.cellIndex!].name))"
            }
            return CLayer(model: model.layer(k), layout: layout, name: name, symbols: symbols(k),
                          statePrefix: single ? "" : "l\(k)_", sharedTables: tables)
        }
        head = layouts[layouts.count - 1].head
        inputCodeBytes = layouts[0].inputCodeBytes
    }

    var upper: String { name.uppercased() }

    /// `static const TYPE SYMBOL[N] = { … };`, values wrapped at 96 columns.
    static func array(_ type: String, _ symbol: String, _ values: [String]) -> String {
        var lines: [String] = []
        var line = "   "
        for value in values {
            if line.count + value.count + 2 > 96 {
                lines.append(line)
                line = "   "
            }
            line += " " + value + ","
        }
        if line != "   " { lines.append(line) }
        return "static const \(type) \(symbol)[\(values.count)] = {\n" + lines.joined(separator: "\n") + "\n};"
    }

    static func hex(_ word: UInt32) -> String { String(format: "0x%08Xu", word) }

    /// A weight matrix packed as `plan` stores it, as little-endian words.
    static func words(_ layer: QuantizedLinear, _ plan: DeviceLayout.Linear) -> [UInt32] {
        let bytes = WeightPacking.pack(layer.weights, rows: layer.rows, columns: layer.columns, container: plan.container)
        return stride(from: 0, to: bytes.count, by: 4).map { at in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << UInt32(8 * $1) }
        }
    }

    /// The input quantizer's, every layer's and the head's arrays.
    func data() -> [String] {
        func floats(_ values: [Float]) -> [String] {
            values.map { value in
                // Hexadecimal floats are exact, so the constant is the very float32 gq computed.
                value == 0 ? "0.0f" : String(format: "%af", Double(value))
            }
        }
        var arrays = [Self.array("float", "\(name)_in_mean", floats(model.inputMean)),
                      Self.array("float", "\(name)_in_factor", floats(model.inputFactor))]
        arrays += layers.flatMap { $0.data() }
        arrays.append(Self.array("uint32_t", "\(name)_fc_w", Self.words(model.head, head).map(Self.hex)))
        if head.bias64 {
            arrays.append(Self.array("int64_t", "\(name)_fc_b", model.head.bias.map { $0 == Int64.min ? "INT64_MIN" : "INT64_C(\($0))" }))
        } else {
            arrays.append(Self.array("int32_t", "\(name)_fc_b", model.head.bias.map { String($0) }))
        }
        return arrays
    }

    /// Every (container, accumulator) pair some layer's linear operator or the head uses, in a fixed order.
    var kernels: [(container: Int, wide: Bool)] {
        var seen: [(Int, Bool)] = []
        for plan in layers.flatMap(\.layout.linear) + [head] where !seen.contains(where: { $0 == (plan.container, plan.accumulates64) }) {
            seen.append((plan.container, plan.accumulates64))
        }
        return seen.sorted { ($0.0, $0.1 ? 1 : 0) < ($1.0, $1.1 ? 1 : 0) }.map { (container: $0.0, wide: $0.1) }
    }

    /// The C type of layer k's state codes (h's: what the layer above and the head read).
    func stateType(_ k: Int) -> String { CExport.codeType(bytes: layers[k].layout.stateCodeBytes) }

    /// The loader of layer k's state codes into operands (`load_state` for a single layer).
    func stateLoader(_ k: Int) -> String { layers.count == 1 ? "load_state" : "load_l\(k)" }

    /// The state field of layer k.
    func stateField(_ k: Int) -> String { "state->\(layers[k].statePrefix)\(layers[k].cell.states[0].name)" }

    /// Layer k's step: its operands loaded (the input codes, or the state the layer below has
    /// just made), then every unit.
    func layerStep(_ k: Int) -> String {
        let f = model.inputSize, h = model.hiddenSize
        let layer = layers[k]
        let input = k == 0 ? "x" : stateField(k - 1)
        return """
            \(name)_operand xs[\(upper)_OPERANDS(\(DeviceLayout.paddedOperands(k == 0 ? f : h)))], hs[\(upper)_OPERANDS(\(DeviceLayout.paddedOperands(h)))];
                const uint32_t *w = \(layer.symbols)_w;
                const int32_t *row = \(layer.symbols)_rows;
                unsigned j;
                \(name)_\(k == 0 ? "load_input" : stateLoader(k - 1))(xs, \(input));
                \(name)_\(stateLoader(k))(hs, \(stateField(k)));
                for (j = 0; j < \(upper)_HIDDEN; j++, row += \(layer.record.words)) {
                    \(layer.unitStep().joined(separator: "\n        "))
                }
            """
    }

    func text(comment: String) -> String {
        let f = model.inputSize, h = model.hiddenSize, top = layers.count - 1
        let inputType = CExport.codeType(bytes: inputCodeBytes)
        let inputHigh = CodeRange.signedMax(model.bits[.input])
        let headKernel = CKernels.dotName(name, container: head.container, wide: head.accumulates64)
        let loaders = layers.indices.map {
            CKernels.load(name, function: stateLoader($0), codeType: stateType($0), count: h, padded: DeviceLayout.paddedOperands(h))
        }
        let reset = layers.indices.flatMap { k in
            layers[k].cell.states.map { "for (j = 0; j < \(upper)_HIDDEN; j++) state->\(layers[k].statePrefix)\($0.name)[j] = 0;" }
        }
        // One layer steps in NAME_step_codes itself; a stack's layers are functions of their own, called in order.
        let step: String
        if layers.count == 1 {
            step = """
            void \(name)_step_codes(\(name)_state *state, const \(name)_input_code *x) {
                \(layerStep(0))
            }
            """
        } else {
            let functions = layers.indices.map { k in
                """
                static void \(name)_l\(k)_step(\(name)_state *state\(k == 0 ? ", const \(name)_input_code *x" : "")) {
                    \(layerStep(k))
                }
                """
            }
            step = functions.joined(separator: "\n\n") + """


            void \(name)_step_codes(\(name)_state *state, const \(name)_input_code *x) {
                \(layers.indices.map { "\(name)_l\($0)_step(state\($0 == 0 ? ", x" : ""));" }.joined(separator: "\n    "))
            }
            """
        }
        return """
        \(comment)
        #include "\(name).h"

        \(data().joined(separator: "\n"))

        \(CKernels.preamble(name))

        \(kernels.map { CKernels.dot(name, container: $0.container, wide: $0.wide) }.joined(separator: "\n\n"))

        \(CKernels.load(name, function: "load_input", codeType: inputType, count: f, padded: DeviceLayout.paddedOperands(f)))

        \(loaders.joined(separator: "\n\n"))

        void \(name)_reset(\(name)_state *state) {
            unsigned j;
            \(reset.joined(separator: "\n    "))
        }

        /* round(p), half away from zero, saturated to ±high, read off the float's bits: with
           soft float a compare or a conversion is a library call, a shift is one instruction.
           NaN gives −high (as !(p >= −high) would). */
        \(upper)_INLINE int32_t \(name)_round_sat(float p, int32_t high) {
            union { float f; uint32_t u; } v;
            int32_t e, r;
            v.f = p;
            e = (int32_t)((v.u >> 23) & 0xFFu) - 127;
            if (e == 128 && (v.u & 0x7FFFFFu) != 0u) return -high;
            if (e < -1) r = 0;
            else if (e >= 15) r = high;  /* |p| ≥ 2^15 > high, infinities too */
            else r = (int32_t)((((v.u & 0x7FFFFFu) | 0x800000u) + (1u << (22 - e))) >> (23 - e));
            if (r > high) r = high;
            return (v.u >> 31) ? -r : r;
        }

        void \(name)_input_codes(const float *x, \(name)_input_code *codes) {
            unsigned f;
            for (f = 0; f < \(upper)_FEATURES; f++) {
                float d = x[f] - \(name)_in_mean[f];
                float p = d * \(name)_in_factor[f];
                codes[f] = (\(name)_input_code)\(name)_round_sat(p, \(inputHigh));
            }
        }

        \(step)

        void \(name)_step(\(name)_state *state, const float *x) {
            \(name)_input_code codes[\(upper)_FEATURES];
            \(name)_input_codes(x, codes);
            \(name)_step_codes(state, codes);
        }

        void \(name)_logits64(const \(name)_state *state, int64_t *out) {
            \(name)_operand hs[\(upper)_OPERANDS(\(DeviceLayout.paddedOperands(h)))];
            unsigned c;
            \(name)_\(stateLoader(top))(hs, \(stateField(top)));
            for (c = 0; c < \(upper)_CLASSES; c++) {
                out[c] = (int64_t)\(name)_fc_b[c] + \(headKernel)(\(name)_fc_w + c * \(head.wordsPerRow)u, hs, \(head.wordsPerRow)u);
            }
        }

        void \(name)_logits(const \(name)_state *state, int32_t *out) {
            int64_t wide[\(upper)_CLASSES];
            unsigned c;
            \(name)_logits64(state, wide);
            for (c = 0; c < \(upper)_CLASSES; c++) out[c] = wide[c] < INT32_MIN ? INT32_MIN : (wide[c] > INT32_MAX ? INT32_MAX : (int32_t)wide[c]);
        }

        int \(name)_classify(const \(name)_state *state) {
            int64_t logits[\(upper)_CLASSES];
            unsigned c;
            int best = 0;
            \(name)_logits64(state, logits);
            for (c = 1; c < \(upper)_CLASSES; c++) if (logits[c] > logits[best]) best = (int)c;
            return best;
        }

        """
    }
}
