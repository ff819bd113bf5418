import Foundation
import GRU

/// A weight matrix with its integer bias and requantization: one linear operator or the head.
public struct QuantizedLinear: Sendable, Equatable {
    public let op: GRUOperator
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
    public let op: GRUOperator
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

/// Everything the integer GRU needs for one bit configuration: codes, scales, requantizers,
/// tables. This is the constant data the C export emits (docs/quantization.md).
public struct QuantizedGRU: Sendable {
    public let bits: BitWidths
    public let options: QuantizationOptions
    public let inputSize: Int
    public let hiddenSize: Int
    public let classCount: Int
    /// Real scale of each operator's output codes, by `GRUOperator.rawValue`
    /// (`fc`: the scale of the int32 logits, weightScale · scale(h.add)).
    public let scales: [Double]
    /// Input quantization: code = round_half_away((x − mean[f]) · factor[f]) in float32, saturated.
    public let inputMean: [Float]
    public let inputFactor: [Float]
    /// r.wx, r.wh, z.wx, z.wh, n.wx, n.wh.
    public let linear: [QuantizedLinear]
    public let head: QuantizedLinear
    /// Operand rescalers of r.add, z.add, n.add, h.add: (first, second) operand → output scale.
    public let addRescalers: [GRUOperator: (Requantizer, Requantizer)]
    /// h.sub = ONE − rescale(z): ONE = round(1 / scale(h.sub)) and z's rescaler, by one-minus operator.
    public let oneMinus: [GRUOperator: (one: Int64, rescaler: Requantizer)]
    public var hSubOne: Int64 { oneMinus[.hSub]!.one }
    public var hSubRescaler: Requantizer { oneMinus[.hSub]!.rescaler }
    /// n.mul, h.mul_n, h.mul_h: product code → output code.
    public let mulRequantizers: [GRUOperator: Requantizer]
    /// gate.r, gate.z, gate.n.
    public let tables: [GRUOperator: LookupTable]

    public func linear(_ op: GRUOperator) -> QuantizedLinear {
        op == .fc ? head : linear[op.rawValue]
    }

    public func scale(_ op: GRUOperator) -> Double { scales[op.rawValue] }

    /// Saturation bounds of an operator's output codes.
    public func bounds(_ op: GRUOperator) -> (low: Int64, high: Int64) {
        CodeRange.bounds(of: op, bits: bits[op])
    }

    /// Builds the integer model of `model` at `bits`, with activation ranges from `calibration`.
    public init(model: GRUClassifier, calibration: Calibration, bits: BitWidths, options: QuantizationOptions) {
        precondition(model.layerCount == 1, "QuantizedGRU: the integer model is of a single GRU layer")
        precondition(bits.network == .singleGRU, "QuantizedGRU: \(bits.network)'s widths for a model of one GRU layer")
        self.bits = bits
        self.options = options
        inputSize = model.inputSize
        hiddenSize = model.hiddenSize
        classCount = model.classCount
        let f = model.inputSize, h = model.hiddenSize

        var scales = QuantizedGRU.outputScales(calibration: calibration, bits: bits, options: options)
        let mode = options.requantization

        // Input: standardisation and quantization folded into one float multiply.
        let inputScale = scales[GRUOperator.input.rawValue]
        inputMean = model.standardization?.mean ?? [Float](repeating: 0, count: f)
        inputFactor = (0..<f).map { k in
            Float(1 / (Double(model.standardization?.scale[k] ?? 1) * inputScale))
        }

        func quantizeLinear(_ op: GRUOperator, weights w: ArraySlice<Float>, bias b: ArraySlice<Float>,
                            rows: Int, columns: Int, inputScale sx: Double, inputBits: Int,
                            outputScale: Double?, perTensor: Bool) -> QuantizedLinear {
            let wb = bits[op]
            let qmax = Double(CodeRange.signedMax(wb))
            let w = Array(w), b = Array(b)
            var rowRange = (0..<rows).map { j in (0..<columns).reduce(0.0) { max($0, Double(abs(w[j * columns + $1]))) } }
            if perTensor { let top = rowRange.max() ?? 0; rowRange = rowRange.map { _ in top } }
            let weightScales = rowRange.map { r in QuantizedGRU.realScale((r > 0 && r.isFinite ? r : 1) / qmax, options: options) }
            var codes = [Int16](repeating: 0, count: rows * columns)
            for j in 0..<rows {
                for k in 0..<columns {
                    let q = (Double(w[j * columns + k]) / weightScales[j]).rounded(.toNearestOrAwayFromZero)
                    codes[j * columns + k] = Int16(min(max(q, -qmax), qmax))
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
            return QuantizedLinear(op: op, rows: rows, columns: columns, weightBits: wb, weights: codes,
                                   weightScales: weightScales, bias: clampedBias, wideAccumulator: wide,
                                   requantizers: requantizers)
        }

        let cell = GRUOperator.cell
        let output = GRUOperator(cellIndex: cell.states[0].producedBy)
        let stateScale = scales[output.rawValue]
        let perTensor = options.weights == .perTensor
        func s(_ op: GRUOperator) -> Double { scales[op.rawValue] }
        func operand(_ operand: CellDescription.Operand) -> GRUOperator { GRUOperator(cellIndex: cell.producer(operand)) }
        func rescale(_ from: GRUOperator, to: GRUOperator) -> Requantizer { Requantizer(factor: s(from) / s(to), mode: mode) }

        var linear: [QuantizedLinear] = []
        var addRescalers: [GRUOperator: (Requantizer, Requantizer)] = [:]
        var oneMinus: [GRUOperator: (one: Int64, rescaler: Requantizer)] = [:]
        var mulRequantizers: [GRUOperator: Requantizer] = [:]
        var tables: [GRUOperator: LookupTable] = [:]
        // In operator order, so that `linear[op.rawValue]` is the operator's layer.
        for i in cell.operators.indices {
            let op = GRUOperator(cellIndex: i)
            switch cell.node(i) {
            case .linear(_, let source, let block):
                // `linear(op)` indexes by raw value: the linear operators come first.
                precondition(linear.count == i, "the cell's linear operators must come first")
                let readsInput = source == .input
                let sourceOp = readsInput ? GRUOperator.input : operand(.state(0))
                let columns = readsInput ? f : h
                let weights = readsInput ? model.weightIH : model.weightHH
                let biases = readsInput ? model.biasIH : model.biasHH
                linear.append(quantizeLinear(op, weights: weights[(block * h * columns)..<((block + 1) * h * columns)],
                                             bias: biases[(block * h)..<((block + 1) * h)], rows: h, columns: columns,
                                             inputScale: s(sourceOp), inputBits: bits[sourceOp],
                                             outputScale: s(op), perTensor: perTensor))
            case .add(_, let a, let b):
                addRescalers[op] = (rescale(operand(a), to: op), rescale(operand(b), to: op))
            case .multiply(_, let a, let b):
                mulRequantizers[op] = Requantizer(factor: s(operand(a)) * s(operand(b)) / s(op), mode: mode)
            case .oneMinus(_, let a):
                oneMinus[op] = (Int64((1 / s(op)).rounded(.toNearestOrAwayFromZero)), rescale(operand(a), to: op))
            case .table(_, let function, let a):
                let source = operand(a)
                let inBits = bits[source], outBits = bits[op]
                let inScale = s(source), outScale = s(op)
                let (low, high) = CodeRange.bounds(of: op, bits: outBits)
                let half = 1 << (inBits - 1)
                let entries = (0..<(1 << inBits)).map { i -> Int32 in
                    let x = Double(i - half) * inScale
                    let y = function == .tanh ? Foundation.tanh(x) : 1 / (1 + Foundation.exp(-x))
                    let q = (y / outScale).rounded(.toNearestOrAwayFromZero)
                    return Int32(min(max(q, Double(low)), Double(high)))
                }
                tables[op] = LookupTable(op: op, inputBits: inBits, outputBits: outBits, entries: entries)
            }
        }
        self.linear = linear
        // The head is always per tensor: its int32 logits are compared by arg-max, so they share one scale.
        head = quantizeLinear(.fc, weights: model.fcWeight[...], bias: model.fcBias[...], rows: model.classCount, columns: h,
                              inputScale: stateScale, inputBits: bits[output], outputScale: nil, perTensor: true)
        scales[GRUOperator.fc.rawValue] = head.weightScales[0] * stateScale
        self.scales = scales
        self.addRescalers = addRescalers
        self.oneMinus = oneMinus
        self.mulRequantizers = mulRequantizers
        self.tables = tables
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
        var scales = [Double](repeating: 1, count: GRUOperator.allCases.count)
        for op in GRUOperator.allCases where op != .fc {
            let b = bits[op]
            switch op.range {
            case .unit:
                scales[op.rawValue] = pow2 ? Foundation.exp2(Double(-b)) : 1 / Double(CodeRange.unsignedMax(b))
            case .symmetricUnit:
                scales[op.rawValue] = pow2 ? Foundation.exp2(Double(1 - b)) : 1 / Double(CodeRange.signedMax(b))
            case .calibrated:
                scales[op.rawValue] = realScale(calibration.range(op, bits: b) / Double(CodeRange.signedMax(b)), options: options)
            }
        }
        return scales
    }

    /// Bits of the hash that make two built models interchangeable.
    public static let engineVersion = "gq-int-1"
}
