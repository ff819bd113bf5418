/// How the C export lays out one configuration on a microcontroller: the container each
/// weight matrix and table is stored in, the accumulator each linear operator needs, and
/// the exact form each rescale takes. `ModelSize` counts these bytes and the export emits
/// them, so the two cannot drift apart (docs/quantization.md, "On the device").
///
/// Weights are stored in word-wide containers of 2, 4, 8 or 16 bits, so the device
/// unpacks a 32-bit word of weights in a few instructions instead of one bit at a time:
/// 2 bits hold 2-bit codes, 4 bits hold 3- and 4-bit codes, a byte holds 5- to 8-bit codes,
/// and 16 bits hold the rest. The words pair with the inputs as `SXTB16` and `SMLAD`
/// want them (see `WeightPacking`).
public struct DeviceLayout: Sendable, Equatable {
    /// Changes whenever the layout (and so `size`) changes, so cached evaluations are not reused.
    public static let version = "gq-layout-2 (word containers)"

    /// One linear operator (or the head) as the device stores and computes it.
    public struct Linear: Sendable, Equatable {
        /// The cell operator (its index in the cell's description); nil for the head.
        public let index: Int?
        /// As a GRU operator, for the code written for the GRU by hand (`fc` for the head).
        public var op: GRUOperator { index.map(GRUOperator.init(cellIndex:)) ?? .fc }
        public let rows: Int
        public let columns: Int
        /// Bits per stored weight: 2, 4, 8 or 16.
        public let container: Int
        /// Columns rounded up to a whole number of weight words (the pad weights are 0).
        public let paddedColumns: Int
        /// The sum needs 64 bits on some path: the bias or the container-scaled sum can pass
        /// 2^31 (`scaledSumBound`), or the model says the accumulator is wide.
        public let accumulates64: Bool
        /// Biases stored as int64 (the model's wide accumulator) instead of int32.
        public let bias64: Bool
        /// How the output is rescaled; nil for the head.
        public let rescale: ChannelRescale?

        /// Bytes of one row of packed weights (a whole number of 32-bit words).
        public var rowBytes: Int { paddedColumns * container / 8 }
        public var weightBytes: Int { rows * rowBytes }
        public var biasBytes: Int { rows * (bias64 ? 8 : 4) }
        /// 32-bit words of weights per row.
        public var wordsPerRow: Int { rowBytes / 4 }
    }

    /// The DSP path's sum carries each product shifted left by this (sub-byte weights are read
    /// from the top of their byte); 0 for 8- and 16-bit containers.
    public static func scaleShift(container: Int) -> Int { container < 8 ? 8 - container : 0 }

    /// Bits each weight takes on the device for a code of `bits` bits.
    public static func container(bits: Int) -> Int {
        switch bits {
        case ...2: return 2
        case 3...4: return 4
        case 5...8: return 8
        default: return 16
        }
    }

    /// Bits per table entry: a nibble up to 4 output bits (two entries a byte, the even one in
    /// the low nibble), a byte up to 8, two bytes beyond.
    public static func tableEntryBits(outputBits: Int) -> Int { outputBits <= 4 ? 4 : outputBits <= 8 ? 8 : 16 }

    /// The tables stored as another's: every σ or tanh table whose stored entries (their
    /// container and values) equal an earlier table's anywhere in the network, mapped to the
    /// first such table (layer by layer, r, z, n within a layer). The export emits each such
    /// array once and `size` counts it once: a compiler merges identical constant arrays
    /// anyway (gate.z's and gate.r's in one layer at equal ranges, and across layers too).
    public static func sharedTables(_ model: QuantizedGRU) -> [OperatorID: OperatorID] {
        struct Stored: Hashable { let bits: Int, unsigned: Bool, entries: [Int32] }
        var first: [Stored: OperatorID] = [:], aliases: [OperatorID: OperatorID] = [:]
        let network = model.bits.network
        let tableOperators = network.cell.description.operators.indices.filter { network.kind(of: .cell($0)) == .activation }
        for (k, layer) in model.layers.enumerated() {
            for op in tableOperators {
                guard let table = layer.tables[op] else { continue }
                let bits = tableEntryBits(outputBits: table.outputBits)
                let id = OperatorID.cell(op, layer: k)
                // Nibbles are stored as bytes of no sign; wider entries keep the table's.
                let stored = Stored(bits: bits, unsigned: bits == 4 || network.range(of: id) == .unit, entries: table.entries)
                if let earlier = first[stored] { aliases[id] = earlier } else { first[stored] = id }
            }
        }
        return aliases
    }

    /// Bytes of a table of `entries` entries at `outputBits`.
    public static func tableBytes(entries: Int, outputBits: Int) -> Int { (entries * tableEntryBits(outputBits: outputBits) + 7) / 8 }

    /// A row's columns rounded up to whole weight words, and to at least a group of four
    /// (the operand pairs come in fours); the pad weights are 0.
    public static func paddedColumns(_ columns: Int, container: Int) -> Int {
        let align = max(4, 32 / container)
        return (columns + align - 1) / align * align
    }

    /// An operand vector's length in the step's buffers: rounded up to 16, which every
    /// container's padding divides, so a row never reads past its operands.
    public static func paddedOperands(_ count: Int) -> Int { (count + 15) / 16 * 16 }

    public let linear: [Linear]
    public let head: Linear
    /// Bytes per code of each state vector (the cell's order: h first; int8 for 8 bits or
    /// fewer, else int16) and per input code.
    public let stateVectorCodeBytes: [Int]
    public let inputCodeBytes: Int
    /// Bytes per code of h: what the layer above and the head read.
    public var stateCodeBytes: Int { stateVectorCodeBytes[0] }
    /// Bytes of the layer's state: every state vector's H codes.
    public let stateBytes: Int

    /// Bytes per code of `bits` bits: a byte up to 8 bits, two beyond.
    public static func codeBytes(bits: Int) -> Int { bits <= 8 ? 1 : 2 }
    /// Bytes of the step's scratch, on the stack: the two operand buffers (x and h) as int16
    /// codes (in pairs on the DSP path), padded.
    public let scratchBytes: Int
    /// Rescales of the additions' operands (first, second), of the one-minus nodes (a GRU's
    /// h.sub) and of the products, each for the operand's whole code range, by cell operator index.
    public let addRescales: [Int: (Rescale, Rescale)]
    public let oneMinusRescales: [Int: Rescale]
    public let mulRescales: [Int: Rescale]

    public static func == (a: DeviceLayout, b: DeviceLayout) -> Bool {
        a.linear == b.linear && a.head == b.head && a.stateVectorCodeBytes == b.stateVectorCodeBytes
            && a.inputCodeBytes == b.inputCodeBytes && a.scratchBytes == b.scratchBytes && a.oneMinusRescales == b.oneMinusRescales && a.mulRescales == b.mulRescales
            && a.addRescales.keys == b.addRescales.keys
            && a.addRescales.allSatisfy { key, value in b.addRescales[key].map { $0 == value } ?? false }
    }

    public init(_ model: QuantizedGRU) {
        // One layer's layout: a stack is laid out one layer's view at a time (`deviceLayouts`).
        precondition(model.layers.count == 1, "DeviceLayout: lay a stack out with QuantizedGRU.deviceLayouts")
        let bits = model.bits, cell = bits.network.cell.description
        func largest(_ operand: CellDescription.Operand) -> Int64 { model.largestCode(id: .cell(cell.producer(operand))) }
        func describe(_ layer: QuantizedLinear) -> Linear {
            let container = DeviceLayout.container(bits: layer.weightBits)
            let padded = DeviceLayout.paddedColumns(layer.columns, container: container)
            // The head reads the state, as the recurrent linears do.
            let readsInput = layer.index.map { bits.network.readsInput(.cell($0)) } ?? false
            let inputLargest = model.largestCode(id: readsInput ? .input : .cell(cell.output))
            let weightLargest = Int64(CodeRange.signedMax(layer.weightBits))
            let scale = Int64(1) << DeviceLayout.scaleShift(container: container)
            // The DSP kernel sums products scaled by 2^(8 − container); the bias is added after.
            let scaledSumBound = Int64(padded) * weightLargest * inputLargest * scale
            let biasLargest = layer.bias.map { $0 == Int64.min ? Int64.max : abs($0) }.max() ?? 0
            let sumBound = Int64(layer.columns) * weightLargest * inputLargest
            let narrow = !layer.wideAccumulator && scaledSumBound < Int64(1) << 31
                && sumBound + biasLargest < Int64(1) << 31
            let rescale: ChannelRescale? = layer.requantizers.isEmpty ? nil
                : ChannelRescale(layer.requantizers, operandBound: narrow ? sumBound + biasLargest : nil)
            return Linear(index: layer.index, rows: layer.rows, columns: layer.columns, container: container,
                          paddedColumns: padded, accumulates64: !narrow, bias64: layer.wideAccumulator, rescale: rescale)
        }
        linear = model.linear.map(describe)
        head = describe(model.head)
        stateVectorCodeBytes = cell.states.map { DeviceLayout.codeBytes(bits: bits[id: .cell($0.producedBy)]) }
        stateBytes = stateVectorCodeBytes.reduce(0, +) * model.hiddenSize
        inputCodeBytes = DeviceLayout.codeBytes(bits: bits[.input])
        scratchBytes = 2 * (DeviceLayout.paddedOperands(model.inputSize) + DeviceLayout.paddedOperands(model.hiddenSize))
        var adds: [Int: (Rescale, Rescale)] = [:]
        var oneMinus: [Int: Rescale] = [:]
        var muls: [Int: Rescale] = [:]
        for node in cell.step {
            let op = node.output
            switch node {
            case .add(_, let first, let second):
                let (a, b) = model.addRescalers[op]!
                adds[op] = (Rescale(a, operandBound: largest(first)), Rescale(b, operandBound: largest(second)))
            case .oneMinus(_, let a):
                oneMinus[op] = Rescale(model.oneMinus[op]!.rescaler, operandBound: largest(a))
            case .multiply(_, let first, let second):
                muls[op] = Rescale(model.mulRequantizers[op]!, operandBound: largest(first) * largest(second))
            case .linear, .table:
                break
            }
        }
        addRescales = adds
        oneMinusRescales = oneMinus
        mulRescales = muls
    }

    public func linear(_ op: GRUOperator) -> Linear {
        op == .fc ? head : linear[op.rawValue]
    }
}

// MARK: - Rescales

/// One requantizer `(M, s)` rewritten, exactly, into the cheapest form for an int32 operand
/// whose magnitude is at most a known bound. Every form equals `Requantizer.apply` on that
/// whole range (docs/quantization.md, "On the device").
public enum Rescale: Sendable, Hashable {
    /// M = 0: always 0.
    case zero
    /// `(x · M + 2^(s−1)) >> s` in 32 bits (s ≥ 1), or `x · (M · 2^−s)` (s ≤ 0): the bound keeps the
    /// product inside int32 and the result below 2^30, so two results add without overflow.
    case narrow(multiplier: Int32, shift: Int32)
    /// `(hi32(x · M) + 2^(k−1)) >> k` with M = M₀ · 2^(32 + k − s₀), k ≥ 1: a 32 × 32 → high-word
    /// multiply, an add and a shift.
    case high(multiplier: Int32, k: Int32)
    /// `(x · M + 2^(s−1)) >> s` with a 64-bit product (1 ≤ s ≤ 32), the result inside int32 (below 2^30).
    case product(multiplier: Int32, shift: Int32)
    /// The rule as written, in 64 bits (a result that may leave int32 is saturated in 64 bits).
    case wide(multiplier: Int32, shift: Int32)

    public init(_ r: Requantizer, operandBound x: Int64) {
        let m = Int64(r.multiplier), s = Int64(r.shift)
        if m == 0 { self = .zero; return }
        if s > 0, s <= 62, x * m + (Int64(1) << (s - 1)) < Int64(1) << 31 {
            self = .narrow(multiplier: r.multiplier, shift: r.shift)
        } else if s <= 0, s > -31, let product = Optional(x.multipliedReportingOverflow(by: m << -s)),
                  !product.overflow, product.partialValue < Int64(1) << 30 {
            self = .narrow(multiplier: r.multiplier, shift: r.shift)
        } else if let (multiplier, k) = Rescale.high([m], [s], operandBound: x) {
            self = .high(multiplier: multiplier[0], k: k)
        } else if s >= 1, s <= 32, x < Int64(1) << 31, Rescale.fitsResult(x, m, s) {
            self = .product(multiplier: r.multiplier, shift: r.shift)
        } else {
            self = .wide(multiplier: r.multiplier, shift: r.shift)
        }
    }

    /// Whether `rq(x)` stays below 2^30 in magnitude for every |x| ≤ bound (so it fits int32 and two add).
    static func fitsResult(_ bound: Int64, _ m: Int64, _ s: Int64) -> Bool {
        let product = bound.multipliedReportingOverflow(by: m)
        guard !product.overflow, s >= 1 else { return false }
        return (product.partialValue + (Int64(1) << (s - 1))) >> s < Int64(1) << 30
    }

    /// The high-word form of rows (m, s), when every pre-shifted multiplier fits int32 and the
    /// operand fits int32: with T = max(33, max s), M' = m · 2^(T − s), k = T − 32.
    static func high(_ m: [Int64], _ s: [Int64], operandBound x: Int64) -> ([Int32], Int32)? {
        guard let top = s.max(), s.allSatisfy({ $0 >= 1 }), x < Int64(1) << 31 else { return nil }
        let t = max(33, top)
        guard s.allSatisfy({ t - $0 < 32 }) else { return nil }
        let shifted = zip(m, s).map { $0 << (t - $1) }
        guard shifted.allSatisfy({ $0 > 0 && $0 < Int64(1) << 31 }) else { return nil }
        return (shifted.map(Int32.init), Int32(t - 32))
    }

    /// Applies the form (the device's arithmetic, for tests against `Requantizer.apply`).
    public func apply(_ x: Int32) -> Int64 {
        switch self {
        case .zero: return 0
        case .narrow(let m, let s):
            if s > 0 { return Int64((x &* m &+ (Int32(1) << (s - 1))) >> s) }
            return Int64(x &* (m << -s))
        case .high(let m, let k):
            return Rescale.highWord(x, m, k)
        case .product(let m, let s):
            return Int64(Int32(truncatingIfNeeded: (Int64(x) * Int64(m) + (Int64(1) << (s - 1))) >> Int64(s)))
        case .wide(let m, let s):
            return Requantizer(multiplier: m, shift: s).apply(Int64(x))
        }
    }

    static func highWord(_ x: Int32, _ m: Int32, _ k: Int32) -> Int64 {
        let high = Int32(truncatingIfNeeded: (Int64(x) * Int64(m)) >> 32)
        return Int64((high &+ (Int32(1) << (k - 1))) >> k)
    }
}

/// The rescale of a linear operator's rows: one shared form (per tensor), or per channel.
public enum ChannelRescale: Sendable, Hashable {
    /// One requantizer for every row, its constants in the code.
    case shared(Rescale)
    /// Per channel, the high-word form with a shared k: one int32 multiplier per row.
    case highPerRow(multipliers: [Int32], k: Int32)
    /// Per channel, a 64-bit product and one shared shift T (1 … 32): M' = M · 2^(T − s), one
    /// int32 multiplier per row, the result inside int32.
    case productPerRow(multipliers: [Int32], shift: Int32)
    /// Per channel, anything else: an int16 multiplier and an int8 shift per row, applied in 64 bits.
    case widePerRow(multipliers: [Int16], shifts: [Int8])
    /// Power-of-two per channel: an int8 shift per row, `(x + 2^(s−1)) >> s` or `x · 2^−s`, in 32 bits
    /// (allowed only where the bound keeps the result inside int32).
    case shiftPerRow(shifts: [Int8])

    /// `operandBound` is the largest |sum + bias| when it fits int32, nil when the sum is 64-bit.
    public init(_ list: [Requantizer], operandBound: Int64?) {
        if list.count == 1 {
            self = .shared(operandBound.map { Rescale(list[0], operandBound: $0) }
                           ?? .wide(multiplier: list[0].multiplier, shift: list[0].shift))
            return
        }
        if let x = operandBound {
            let m = list.map { Int64($0.multiplier) }, s = list.map { Int64($0.shift) }
            if m.allSatisfy({ $0 == 1 }),
               s.allSatisfy({ $0 > 0 ? $0 <= 62 && x + (Int64(1) << ($0 - 1)) < Int64(1) << 31
                                     : $0 > -31 && x < (Int64(1) << 30) >> -$0 }) {
                self = .shiftPerRow(shifts: list.map { Int8($0.shift) })
                return
            }
            if let (multipliers, k) = Rescale.high(m, s, operandBound: x) {
                self = .highPerRow(multipliers: multipliers, k: k)
                return
            }
            if let top = s.max(), top <= 32, s.allSatisfy({ $0 >= 1 && top - $0 <= 16 }), x < Int64(1) << 31,
               zip(m, s).allSatisfy({ Rescale.fitsResult(x, $0 << (top - $1), top) }) {
                self = .productPerRow(multipliers: zip(m, s).map { Int32($0 << (top - $1)) }, shift: Int32(top))
                return
            }
        }
        self = .widePerRow(multipliers: list.map { Int16($0.multiplier) }, shifts: list.map { Int8($0.shift) })
    }

    /// Bytes of constant data per row (0 when shared: the constants are immediates).
    public var storedBytes: Int {
        switch self {
        case .shared: return 0
        case .highPerRow(let m, _), .productPerRow(let m, _): return 4 * m.count
        case .widePerRow(let m, _): return 3 * m.count
        case .shiftPerRow(let s): return s.count
        }
    }

    /// Row j's form, as one `Rescale` (for tests against `Requantizer.apply`).
    public func row(_ j: Int) -> Rescale {
        switch self {
        case .shared(let form): return form
        case .highPerRow(let m, let k): return .high(multiplier: m[j], k: k)
        case .productPerRow(let m, let s): return .product(multiplier: m[j], shift: s)
        case .widePerRow(let m, let s): return .wide(multiplier: Int32(m[j]), shift: Int32(s[j]))
        case .shiftPerRow(let s): return .narrow(multiplier: 1, shift: Int32(s[j]))
        }
    }
}

// MARK: - Weight words

/// The one packer of weight codes: row by row, each row padded with zero codes to a whole
/// number of 32-bit little-endian words, the words laid out for the DSP kernels.
///
/// The inputs are stored in groups of four columns as the halfword pairs (x0, x2), (x1, x3),
/// which is how `SXTB16` splits a word's bytes 0, 2 and 1, 3. So:
///
/// - 8 bits: byte i of a word is column i of its group of four.
/// - 4 bits: a word holds two groups, byte i holding column i of the first group in its low
///   nibble and column i of the second in its high nibble.
/// - 2 bits: a word holds four groups, byte i holding column i of group f in bits 2f, 2f + 1.
/// - 16 bits: a group takes two words, (w0, w2) then (w1, w3), each the low halfword first.
///
/// Each field is the code's low bits, two's complement.
public enum WeightPacking {
    public static func pack(_ codes: [Int16], rows: Int, columns: Int, container: Int) -> [UInt8] {
        let padded = DeviceLayout.paddedColumns(columns, container: container)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(rows * padded * container / 8)
        let mask = (UInt32(1) << container) &- 1
        for row in 0..<rows {
            func code(_ k: Int) -> UInt32 {
                k < columns ? UInt32(truncatingIfNeeded: Int32(codes[row * columns + k])) & mask : 0
            }
            var words: [UInt32] = []
            switch container {
            case 16:
                for g in stride(from: 0, to: padded, by: 4) {
                    words.append(code(g) | code(g + 2) << 16)
                    words.append(code(g + 1) | code(g + 3) << 16)
                }
            default:
                let groups = 8 / container       // groups of four columns per word
                for base in stride(from: 0, to: padded, by: 4 * groups) {
                    var word: UInt32 = 0
                    for i in 0..<4 {
                        for f in 0..<groups {
                            word |= code(base + 4 * f + i) << UInt32(8 * i + container * f)
                        }
                    }
                    words.append(word)
                }
            }
            for word in words {
                for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: word >> UInt32(8 * i))) }
            }
        }
        return bytes
    }

    /// The inverse of `pack`: the codes of a packed matrix, sign-extended (for tests and tools).
    public static func unpack(_ bytes: [UInt8], rows: Int, columns: Int, container: Int) -> [Int16] {
        let padded = DeviceLayout.paddedColumns(columns, container: container)
        let rowBytes = padded * container / 8
        func word(_ row: Int, _ w: Int) -> UInt32 {
            let at = row * rowBytes + 4 * w
            return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << UInt32(8 * $1) }
        }
        func signed(_ field: UInt32) -> Int16 {
            let shift = 32 - container
            return Int16(truncatingIfNeeded: Int32(bitPattern: field << UInt32(shift)) >> Int32(shift))
        }
        var codes: [Int16] = []
        codes.reserveCapacity(rows * columns)
        for row in 0..<rows {
            for k in 0..<columns {
                let field: UInt32
                if container == 16 {
                    let g = k / 4, i = k % 4
                    let w = word(row, 2 * g + (i & 1))
                    field = i < 2 ? w & 0xFFFF : w >> 16
                } else {
                    let groups = 8 / container
                    let w = word(row, k / (4 * groups))
                    let within = k % (4 * groups)
                    field = (w >> UInt32(8 * (within % 4) + container * (within / 4))) & ((1 << UInt32(container)) - 1)
                }
                codes.append(signed(field))
            }
        }
        return codes
    }
}

extension QuantizedGRU {
    /// How the C export stores and computes this configuration: its first layer's layout,
    /// the whole of a single-layer model's (a stack's: `deviceLayouts`).
    public var deviceLayout: DeviceLayout { DeviceLayout(layer(0)) }

    /// Each layer's layout, bottom to top (the layer alone, `layer(k)`); the top one's head is the network's.
    public var deviceLayouts: [DeviceLayout] { layers.indices.map { DeviceLayout(layer($0)) } }
}
