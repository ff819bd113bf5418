import Foundation
import GRU

/// A weight matrix with its integer bias and requantization: one linear operator or the head.
public struct QuantizedLinear: Sendable, Equatable {
    /// The cell operator it computes (its index in the cell's description); nil for the head.
    public let index: Int?
    /// As a GRU operator, for the code written for the GRU by hand (`fc` for the head).
    public var op: GRUOperator { index.map(GRUOperator.init(cellIndex:)) ?? .fc }
    /// Output channels (H, or C for the head).
    public let rows: Int
    /// Inputs per channel (F or H).
    public let columns: Int
    public let weightBits: Int
    /// Weight codes, rows × columns row-major, each within ±(2^(b−1) − 1).
    public let weights: [Int16]
    /// Real scale of each row's weight codes (all equal per tensor).
    public let weightScales: [Double]
    /// Bias codes at scale weightScale · inputScale; |bias| < 2^31 unless `wideAccumulator`.
    public let bias: [Int64]
    /// The accumulation needs 64 bits: `columns · max|w| · max|x| + max|bias| ≥ 2^31`.
    public let wideAccumulator: Bool
    /// One per row (per channel) or one for all rows (per tensor); empty for the head.
    public let requantizers: [Requantizer]

    /// The requantizer of output channel `row`.
    @inlinable public func requantizer(row: Int) -> Requantizer {
        requantizers.count == 1 ? requantizers[0] : requantizers[row]
    }
}

/// σ or tanh as a table indexed by the input code.
public struct LookupTable: Sendable, Equatable {
    /// The cell operator it computes (its index in the cell's description).
    public let index: Int
    /// As a GRU operator, for the code written for the GRU by hand.
    public var op: GRUOperator { GRUOperator(cellIndex: index) }
    /// Width of the codes that index it (the `*.add` feeding it).
    public let inputBits: Int
    public let outputBits: Int
    /// 2^inputBits entries; entry i is the output for input code i − 2^(inputBits−1).
    public let entries: [Int32]

    /// The output code for an input code.
    @inlinable public func callAsFunction(_ code: Int64) -> Int64 {
        Int64(entries[Int(code) + (1 << (inputBits - 1))])
    }
}

/// Constants of a cell's operators by operator index (its place in the cell's description),
/// also read by `GRUOperator` in the code written for the GRU by hand.
public struct CellOperatorMap<Value: Sendable>: Sendable, Sequence {
    private var storage: [Int: Value] = [:]

    public init() {}

    public subscript(index: Int) -> Value? {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    public subscript(op: GRUOperator) -> Value? { storage[op.rawValue] }

    public var values: Dictionary<Int, Value>.Values { storage.values }

    /// (operator index, constant) pairs, in no particular order.
    public func makeIterator() -> Dictionary<Int, Value>.Iterator { storage.makeIterator() }
}

/// One recurrent layer's integer constants: its linear operators and the rescalers,
/// requantizers and tables of its cell's elementwise nodes.
public struct QuantizedLayer: Sendable {
    /// The cell's linear operators in operator order (r.wx, r.wh, … for a GRU).
    public let linear: [QuantizedLinear]
    /// Operand rescalers of each addition: (first, second) operand → output scale.
    public let addRescalers: CellOperatorMap<(Requantizer, Requantizer)>
    /// Each one-minus node: ONE = round(1 / scale) and its operand's rescaler.
    public let oneMinus: CellOperatorMap<(one: Int64, rescaler: Requantizer)>
    /// Each product: product code → output code.
    public let mulRequantizers: CellOperatorMap<Requantizer>
    /// Each σ or tanh table.
    public let tables: CellOperatorMap<LookupTable>
}

/// Everything the integer GRU needs for one bit configuration: codes, scales, requantizers,
/// tables. This is the constant data the C export emits (docs/quantization.md).
///
/// A stack holds one `QuantizedLayer` per layer; the layer above reads the codes of the
/// state below (its `h.add`'s scale and width) where the first reads the input's. The
/// reference engine runs stacks; the fast engines, the device layout and the C export take
/// them one layer's view at a time (`layer(k)`).
public struct QuantizedGRU: Sendable {
    public let bits: BitWidths
    public let options: QuantizationOptions
    public let inputSize: Int
    public let hiddenSize: Int
    public let classCount: Int
    /// Real scale of each operator's output codes, by position in `bits.network.operators`
    /// (for one layer, `GRUOperator.rawValue`; `fc`: the scale of the int32 logits, weightScale · scale(h.add)).
    public let scales: [Double]
    /// Input quantization: code = round_half_away((x − mean[f]) · factor[f]) in float32, saturated.
    public let inputMean: [Float]
    public let inputFactor: [Float]
    /// Bottom to top.
    public let layers: [QuantizedLayer]
    public let head: QuantizedLinear

    /// The first layer's, which a single-layer model is made of.
    public var linear: [QuantizedLinear] { layers[0].linear }
    public var addRescalers: CellOperatorMap<(Requantizer, Requantizer)> { layers[0].addRescalers }
    public var oneMinus: CellOperatorMap<(one: Int64, rescaler: Requantizer)> { layers[0].oneMinus }
    public var hSubOne: Int64 { oneMinus[.hSub]!.one }
    public var hSubRescaler: Requantizer { oneMinus[.hSub]!.rescaler }
    public var mulRequantizers: CellOperatorMap<Requantizer> { layers[0].mulRequantizers }
    public var tables: CellOperatorMap<LookupTable> { layers[0].tables }

    public func linear(_ op: GRUOperator) -> QuantizedLinear {
        op == .fc ? head : linear[op.rawValue]
    }

    /// The scale of a first-layer operator, the input's or the logits'.
    public func scale(_ op: GRUOperator) -> Double { scale(id: OperatorID(op)) }

    /// The scale of any operator of the network.
    public func scale(id: OperatorID) -> Double { scales[bits.network.position(of: id)] }

    /// Saturation bounds of a first-layer operator's (or the input's) output codes.
    public func bounds(_ op: GRUOperator) -> (low: Int64, high: Int64) { bounds(id: OperatorID(op)) }

    /// The largest magnitude a first-layer operator's (or the input's) codes reach: what the
    /// kernels size their arithmetic by.
    public func largestCode(_ op: GRUOperator) -> Int64 { largestCode(id: OperatorID(op)) }

    /// The largest magnitude any operator's codes reach.
    public func largestCode(id: OperatorID) -> Int64 { let b = bounds(id: id); return max(-b.low, b.high) }

    /// Saturation bounds of any operator of the network (a layer's operator is signed or not as its cell's).
    public func bounds(id: OperatorID) -> (low: Int64, high: Int64) {
        CodeRange.bounds(unsigned: bits.network.range(of: id) == .unit, bits: bits[id: id])
    }

    /// Builds the integer model of `model` at `bits`, with activation ranges from `calibration`.
    public init(model: GRUClassifier, calibration: Calibration, bits: BitWidths, options: QuantizationOptions) {
        let network = bits.network
        precondition(network.layers == model.layerCount, "QuantizedGRU: \(network)'s widths for a model of \(model.layerCount) layers")
        precondition(calibration.network == network, "QuantizedGRU: ranges of \(calibration.network) for \(network)")
        self.bits = bits
        self.options = options
        inputSize = model.inputSize
        hiddenSize = model.hiddenSize
        classCount = model.classCount
        let f = model.inputSize, h = model.hiddenSize

        var scales = QuantizedGRU.outputScales(calibration: calibration, bits: bits, options: options)
        let mode = options.requantization

        // Input: standardisation and quantization folded into one float multiply.
        let inputScale = scales[network.position(of: .input)]
        inputMean = model.standardization?.mean ?? [Float](repeating: 0, count: f)
        inputFactor = (0..<f).map { k in
            Float(1 / (Double(model.standardization?.scale[k] ?? 1) * inputScale))
        }

        let cell = network.cell.description
        let perTensor = options.weights == .perTensor
        /// The state every layer carries and the head reads: its producer's codes.
        func state(_ layer: Int) -> OperatorID { .cell(cell.output, layer: layer) }
        var layers: [QuantizedLayer] = []
        for k in 0..<network.layers {
            func id(_ i: Int) -> OperatorID { .cell(i, layer: k) }
            func s(_ i: Int) -> Double { scales[network.position(of: id(i))] }
            func operand(_ operand: CellDescription.Operand) -> Int { cell.producer(operand) }
            func rescale(_ from: Int, to: Int) -> Requantizer { Requantizer(factor: s(from) / s(to), mode: mode) }
            // The first layer reads the quantized input; a layer above reads the state below.
            let below: OperatorID = k == 0 ? .input : state(k - 1)
            let weights = model.layers[k]
            var linear: [QuantizedLinear] = []
            var addRescalers = CellOperatorMap<(Requantizer, Requantizer)>()
            var oneMinus = CellOperatorMap<(one: Int64, rescaler: Requantizer)>()
            var mulRequantizers = CellOperatorMap<Requantizer>()
            var tables = CellOperatorMap<LookupTable>()
            // In operator order, so that `linear[i]` is operator i's layer.
            for i in cell.operators.indices {
                let op = i
                switch cell.node(i) {
                case .linear(_, let source, let block):
                    // `linear[i]` is operator i's: the linear operators come first.
                    precondition(linear.count == i, "the cell's linear operators must come first")
                    let readsInput = source == .input
                    let sourceOp = readsInput ? below : id(operand(.state(0)))
                    let columns = readsInput ? (k == 0 ? f : h) : h
                    let matrix = readsInput ? weights.weightIH : weights.weightHH
                    let biases = readsInput ? weights.biasIH : weights.biasHH
                    linear.append(QuantizedGRU.quantizeLinear(op, bits: bits[id: id(i)], weights: matrix[(block * h * columns)..<((block + 1) * h * columns)],
                                                 bias: biases[(block * h)..<((block + 1) * h)], rows: h, columns: columns,
                                                 inputScale: scales[network.position(of: sourceOp)], inputBits: bits[id: sourceOp],
                                                 outputScale: s(i), perTensor: perTensor, options: options))
                case .add(_, let a, let b):
                    addRescalers[op] = (rescale(operand(a), to: i), rescale(operand(b), to: i))
                case .multiply(_, let a, let b):
                    mulRequantizers[op] = Requantizer(factor: s(operand(a)) * s(operand(b)) / s(i), mode: mode)
                case .oneMinus(_, let a):
                    oneMinus[op] = (Int64((1 / s(i)).rounded(.toNearestOrAwayFromZero)), rescale(operand(a), to: i))
                case .table(_, let function, let a):
                    let source = operand(a)
                    let inBits = bits[id: id(source)], outBits = bits[id: id(i)]
                    let inScale = s(source), outScale = s(i)
                    let (low, high) = CodeRange.bounds(unsigned: function == .sigmoid, bits: outBits)
                    let half = 1 << (inBits - 1)
                    let entries = (0..<(1 << inBits)).map { i -> Int32 in
                        let x = Double(i - half) * inScale
                        let y = function == .tanh ? Foundation.tanh(x) : 1 / (1 + Foundation.exp(-x))
                        let q = (y / outScale).rounded(.toNearestOrAwayFromZero)
                        return Int32(min(max(q, Double(low)), Double(high)))
                    }
                    tables[op] = LookupTable(index: op, inputBits: inBits, outputBits: outBits, entries: entries)
                }
            }
            layers.append(QuantizedLayer(linear: linear, addRescalers: addRescalers, oneMinus: oneMinus,
                                         mulRequantizers: mulRequantizers, tables: tables))
        }
        self.layers = layers
        // The head reads the top layer's state. It is always per tensor: its int32 logits are
        // compared by arg-max, so they share one scale.
        let top = state(network.layers - 1)
        let stateScale = scales[network.position(of: top)]
        head = QuantizedGRU.quantizeLinear(nil, bits: bits[id: .fc], weights: model.fcWeight[...], bias: model.fcBias[...], rows: model.classCount,
                                           columns: h, inputScale: stateScale, inputBits: bits[id: top], outputScale: nil, perTensor: true,
                                           options: options)
        scales[network.position(of: .fc)] = head.weightScales[0] * stateScale
        self.scales = scales
    }

    /// One linear operator (or the head) at `wb`-bit weights: symmetric codes per row (or per
    /// tensor), the bias at the product's scale, and each row's requantizer to `outputScale`
    /// (none for the head, whose int32 logits stay as they are).
    static func quantizeLinear(_ index: Int?, bits wb: Int, weights w: ArraySlice<Float>, bias b: ArraySlice<Float>,
                               rows: Int, columns: Int, inputScale sx: Double, inputBits: Int,
                               outputScale: Double?, perTensor: Bool, options: QuantizationOptions) -> QuantizedLinear {
        let mode = options.requantization
        let qmax = Double(CodeRange.signedMax(wb))
        let w = Array(w), b = Array(b)
        var rowRange = (0..<rows).map { j in (0..<columns).reduce(0.0) { max($0, Double(abs(w[j * columns + $1]))) } }
        if perTensor { let top = rowRange.max() ?? 0; rowRange = rowRange.map { _ in top } }
        let weightScales = rowRange.map { r in QuantizedGRU.realScale((r > 0 && r.isFinite ? r : 1) / qmax, options: options) }
        var codes = [Int16](repeating: 0, count: rows * columns)
        // Through buffer pointers: the search builds a model per configuration, thousands of times.
        w.withUnsafeBufferPointer { w in
            codes.withUnsafeMutableBufferPointer { codes in
                for j in 0..<rows {
                    let scale = weightScales[j]
                    for k in 0..<columns {
                        let q = (Double(w[j * columns + k]) / scale).rounded(.toNearestOrAwayFromZero)
                        codes[j * columns + k] = Int16(min(max(q, -qmax), qmax))
                    }
                }
            }
        }
        let exactBias = (0..<rows).map { j -> Double in
            (Double(b[j]) / (weightScales[j] * sx)).rounded(.toNearestOrAwayFromZero)
        }
        let biasLimit = Double(Int64(1) << 46)
        let clampedBias = exactBias.map { Int64(min(max($0, -biasLimit), biasLimit)) }
        let worst = Double(columns) * qmax * Double(CodeRange.signedMax(inputBits)) + (clampedBias.map { Double(abs($0)) }.max() ?? 0)
        let wide = worst >= 2_147_483_648
        var requantizers: [Requantizer] = []
        if let outputScale {
            let channels = perTensor ? 1 : rows
            requantizers = (0..<channels).map { j in Requantizer(factor: weightScales[j] * sx / outputScale, mode: mode) }
        }
        return QuantizedLinear(index: index, rows: rows, columns: columns, weightBits: wb, weights: codes,
                               weightScales: weightScales, bias: clampedBias, wideAccumulator: wide,
                               requantizers: requantizers)
    }

    /// Layer `k` alone, as a single-layer model whose input is what the layer reads: the
    /// quantized input for the first layer, the state codes of the layer below for one above
    /// (their width as `input`, their scale as the input's). The fast engines, written for
    /// one layer, run a stack one such view at a time. The head is the network's: only the
    /// top layer's view runs it. The input quantizer is the network's too, meaningful for k = 0.
    public func layer(_ k: Int) -> QuantizedGRU {
        let network = bits.network
        if network.layers == 1 { return self }
        let below: OperatorID = k == 0 ? .input : .cell(network.cell.description.output, layer: k - 1)
        let single = NetworkDescription(cell: network.cell, layers: 1)
        var widths = BitWidths(uniform: 8, network: single)
        var viewScales = [Double](repeating: 1, count: single.operators.count)
        for id in single.genome {
            let source = OperatorID.cell(id.cellIndex!, layer: k)
            widths[id: id] = bits[id: source]
            viewScales[single.position(of: id)] = scale(id: source)
        }
        widths[id: .input] = bits[id: below]
        widths[id: .fc] = bits[id: .fc]
        viewScales[single.position(of: .input)] = scale(id: below)
        viewScales[single.position(of: .fc)] = scale(id: .fc)
        return QuantizedGRU(bits: widths, options: options, inputSize: k == 0 ? inputSize : hiddenSize, hiddenSize: hiddenSize,
                            classCount: classCount, scales: viewScales, inputMean: inputMean, inputFactor: inputFactor,
                            layers: [layers[k]], head: head)
    }

    private init(bits: BitWidths, options: QuantizationOptions, inputSize: Int, hiddenSize: Int, classCount: Int, scales: [Double],
                 inputMean: [Float], inputFactor: [Float], layers: [QuantizedLayer], head: QuantizedLinear) {
        (self.bits, self.options, self.inputSize, self.hiddenSize, self.classCount) = (bits, options, inputSize, hiddenSize, classCount)
        (self.scales, self.inputMean, self.inputFactor, self.layers, self.head) = (scales, inputMean, inputFactor, layers, head)
    }

    // MARK: - Input

    /// The input codes of one raw sequence (steps × features), as the microcontroller computes them:
    /// `d = x − mean[f]; p = d · factor[f]` in float32, rounded half away from zero, saturated.
    public func inputCodes(_ sequence: [Float]) -> [Int32] {
        let f = inputSize
        let qmax = Float(CodeRange.signedMax(bits[.input]))
        return sequence.indices.map { i in
            let p = (sequence[i] - inputMean[i % f]) * inputFactor[i % f]
            return Int32(min(max(p.rounded(.toNearestOrAwayFromZero), -qmax), qmax))
        }
    }
}

extension QuantizedGRU {
    /// A scale as the requantization mode wants it: in power-of-two mode rounded up to a
    /// power of two, so that nothing clips that did not before.
    public static func realScale(_ s: Double, options: QuantizationOptions) -> Double {
        options.requantization == .powerOfTwo ? Foundation.exp2(Foundation.ceil(Foundation.log2(s) - 1e-9)) : s
    }

    /// The real scale of every operator's output codes (`fc` left at 1: it depends on the head's weights).
    ///
    /// σ and 1 − z: 1/(2^b − 1) (power-of-two mode: 2^−b); tanh: 1/(2^(b−1) − 1) (2^(1−b));
    /// everything else: range / (2^(b−1) − 1), with the range from calibration.
    public static func outputScales(calibration: Calibration, bits: BitWidths, options: QuantizationOptions) -> [Double] {
        let pow2 = options.requantization == .powerOfTwo
        let network = bits.network
        var scales = [Double](repeating: 1, count: network.operators.count)
        for id in network.operators where id != .fc {
            let b = bits[id: id], at = network.position(of: id)
            switch network.range(of: id) {
            case .unit:
                scales[at] = pow2 ? Foundation.exp2(Double(-b)) : 1 / Double(CodeRange.unsignedMax(b))
            case .symmetricUnit:
                scales[at] = pow2 ? Foundation.exp2(Double(1 - b)) : 1 / Double(CodeRange.signedMax(b))
            case .calibrated:
                scales[at] = realScale(calibration.range(id: id, bits: b) / Double(CodeRange.signedMax(b)), options: options)
            }
        }
        return scales
    }

    /// Bits of the hash that make two built models interchangeable.
    public static let engineVersion = "gq-int-1"
}
