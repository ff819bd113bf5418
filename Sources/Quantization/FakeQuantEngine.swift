import Foundation
import GRU
import Kernels

/// The fake-quant GRU: float arithmetic with every operator's output rounded to its integer
/// grid (the same scales and saturation as the integer engine), batched over packed sequences,
/// with a backward pass using straight-through estimators for quantization-aware training.
///
/// Rounding mirrors the integer engine: outputs and rescaled operands round half up
/// (floor(v/S + 0.5)), weights, biases and table entries half away from zero; additions round
/// each operand to the output grid and then saturate the sum. What differs is float rounding
/// and the integer multipliers' 15-bit precision, so the two engines agree on nearly every
/// prediction. In training, gradients pass a rounding unchanged and stop where the value was
/// saturated; each calibrated operator's log-range gets the LSQ gradient Σ g·(y − [unsaturated]·v).
final class FakeQuantEngine: @unchecked Sendable {
    // @unchecked: an engine is used by one worker at a time (one per gradient chunk).
    let f: Int, h: Int, c: Int
    /// Gate rows of a layer's stacked tensors: 3H for a GRU, 4H for an LSTM.
    let g: Int
    let layout: ParameterLayout
    let network: NetworkDescription
    /// The cell every layer is; a GRU runs the hand-written step below, any other cell the
    /// description's (`FakeQuantEngine+Described.swift`).
    let cell: CellDescription

    /// The calibrated operators whose ranges training may learn, in this order.
    var learnedOperators: [OperatorID] { network.calibrated }

    /// One recurrent layer: its quantized weights and grids, and what its steps keep.
    final class Layer {
        /// Values the layer reads per step: F for the first, H above.
        let columns: Int
        // Grids of the layer's cell operators, by cell operator index (`GRUOperator.rawValue` for a GRU).
        var scale: [Float], low: [Float], high: [Float]
        /// Each one-minus operator's ONE (a GRU's h.sub), by cell operator index.
        var ones: [Float]
        var one: Float { ones[GRUOperator.hSub.rawValue] }
        let wx = Scratch(), wh = Scratch(), wxT = Scratch(), whT = Scratch()
        var bx: [Float] = [], bh: [Float] = []
        // Per-step stores, T × B × width (training keeps every step).
        let preX = Scratch(), preH = Scratch()             // linear pre-values (B×3H)
        let states = Scratch()                             // h_0 … h_T (quantized)
        let rF = Scratch(), zF = Scratch(), nF = Scratch() // σ, σ, tanh before output rounding
        let rQ = Scratch(), zQ = Scratch(), nQ = Scratch()
        let vRadd = Scratch(), vZadd = Scratch(), vNadd = Scratch(), vNmul = Scratch()
        let vHmn = Scratch(), vHmh = Scratch(), vHadd = Scratch(), hsubQ = Scratch()
        let cRadd = Scratch(), cZadd = Scratch(), cNadd = Scratch(), cHadd = Scratch()  // saturation flags (1 = saturated)
        // Backward: the gradients of the pre-values and of the state, and the gradient that
        // reaches this layer's input at every step (T × B × columns).
        let dPreX = Scratch(), dPreH = Scratch(), dh = Scratch(), dInput = Scratch()
        // Another cell's stores (`FakeQuantEngine+Described.swift`), T × operators × B × H: each
        // operator's value before rounding, its output, whether it saturated (1) and, for a
        // table, the activation before the table's rounding; its states past h, (T + 1) × B × H
        // each; their gradients, B × H each.
        let values = Scratch(), outputs = Scratch(), saturated = Scratch(), activations = Scratch()
        let moreStates: [Scratch], dMoreStates: [Scratch]

        init(columns: Int, operators: Int, states: Int) {
            self.columns = columns
            scale = [Float](repeating: 1, count: operators)
            low = [Float](repeating: 0, count: operators)
            high = [Float](repeating: 0, count: operators)
            ones = [Float](repeating: 1, count: operators)
            moreStates = (1..<max(states, 1)).map { _ in Scratch() }
            dMoreStates = (1..<max(states, 1)).map { _ in Scratch() }
        }

        /// Rounds v to the grid of `op`: returns the dequantized value and whether it saturated.
        @inline(__always)
        func fq(_ v: Float, _ op: GRUOperator) -> (Float, Bool) { fq(v, op.rawValue) }

        @inline(__always)
        func fq(_ v: Float, _ i: Int) -> (Float, Bool) {
            let code = FakeQuantEngine.roundHalfUp(v / scale[i])
            if code > high[i] { return (high[i] * scale[i], true) }
            if code < low[i] { return (low[i] * scale[i], true) }
            return (code * scale[i], false)
        }

        /// Sum of two operands each rounded to `op`'s grid, saturated.
        @inline(__always)
        func fqAdd(_ a: Float, _ b: Float, _ op: GRUOperator) -> (Float, Bool) { fqAdd(a, b, op.rawValue) }

        @inline(__always)
        func fqAdd(_ a: Float, _ b: Float, _ i: Int) -> (Float, Bool) {
            let code = FakeQuantEngine.roundHalfUp(a / scale[i]) + FakeQuantEngine.roundHalfUp(b / scale[i])
            if code > high[i] { return (high[i] * scale[i], true) }
            if code < low[i] { return (low[i] * scale[i], true) }
            return (code * scale[i], false)
        }

        /// A lookup table's output for an input on its grid.
        @inline(__always)
        func table(_ y: Float, _ op: GRUOperator) -> Float { table(y, op.rawValue) }

        @inline(__always)
        func table(_ y: Float, _ i: Int) -> Float {
            let code = min(max((y / scale[i]).rounded(.toNearestOrAwayFromZero), low[i]), high[i])
            return code * scale[i]
        }
    }

    /// Bottom to top.
    let layers: [Layer]
    // The input quantizer's grid and the standardisation folded into it.
    var inputScale: Float = 1, inputLow: Float = 0, inputHigh: Float = 0
    var inputMean: [Float] = [], inputFactor: [Float] = []
    let fcq = Scratch(), fcT = Scratch()
    var fcb: [Float] = []
    let xv = Scratch(), xq = Scratch()                 // standardised input, quantized input (B×F per step)
    let logits = Scratch()
    /// The top layer's state after each row's last step (B × H), which the head reads.
    let finalStates = Scratch()
    /// Every layer's, L × B × H, then for an LSTM every layer's c, L × B × H: what a later
    /// block of the same rows starts from (`initialState`'s layout).
    let allFinalStates = Scratch()
    let dFinal = Scratch(), dLogits = Scratch()
    // Truncated BPTT: every layer's state carried into the last window, and the packed blocks.
    let carried = Scratch()
    var earlier = PackedBatch(), last = PackedBatch()

    init(inputSize: Int, hiddenSize: Int, classCount: Int, layers: Int = 1, cell kind: CellKind = .gru) {
        f = inputSize; h = hiddenSize; c = classCount
        g = kind.gateBlocks * hiddenSize
        layout = ParameterLayout(inputSize: f, hiddenSize: h, classCount: c, layers: layers, cell: kind)
        network = NetworkDescription(cell: kind, layers: layers)
        let cell = kind.description
        self.cell = cell
        self.layers = (0..<layers).map {
            Layer(columns: $0 == 0 ? inputSize : hiddenSize, operators: cell.operators.count, states: cell.states.count)
        }
    }

    /// State vectors a layer carries (a GRU's h; an LSTM's h and c).
    var stateCount: Int { cell.states.count }

    @inline(__always) static func roundHalfUp(_ x: Float) -> Float { (x + 0.5).rounded(.down) }

    /// Sets weights, biases and scales from flat parameters, per-operator ranges (by position
    /// in the network's operators) and widths.
    func configure(parameters p: [Float], ranges: [Double], bits: BitWidths, options: QuantizationOptions,
                   standardization: Standardization?) {
        precondition(bits.network == network && ranges.count == network.operators.count,
                     "FakeQuantEngine: widths and ranges of \(bits.network) for \(network)")
        let calibration = Calibration(method: .maxAbs, sequenceCount: 0,
                                      ranges: ranges.map { r in [Double](repeating: r, count: BitWidths.allowed.count) })
        let scales = QuantizedGRU.outputScales(calibration: calibration, bits: bits, options: options)
        func scaleOf(_ id: OperatorID) -> Double { scales[network.position(of: id)] }
        let (inLow, inHigh) = CodeRange.bounds(of: .input, bits: bits[id: .input])
        inputScale = Float(scaleOf(.input)); inputLow = Float(inLow); inputHigh = Float(inHigh)
        inputMean = standardization?.mean ?? [Float](repeating: 0, count: f)
        inputFactor = (0..<f).map { Float(1 / (Double(standardization?.scale[$0] ?? 1) * scaleOf(.input))) }
        let perTensor = options.weights == .perTensor

        func quantize(_ source: ArraySlice<Float>, rows: Int, columns: Int, rowBits: Int, perTensor: Bool,
                      into out: UnsafeMutablePointer<Float>) -> [Double] {
            let base = source.startIndex
            var ranges = (0..<rows).map { j in (0..<columns).reduce(Float(0)) { max($0, abs(source[base + j * columns + $1])) } }
            if perTensor { let top = ranges.max() ?? 0; ranges = ranges.map { _ in top } }
            var rowScales: [Double] = []
            let qmax = Double(CodeRange.signedMax(rowBits))
            for j in 0..<rows {
                let r = Double(ranges[j])
                let s = QuantizedGRU.realScale((r > 0 && r.isFinite ? r : 1) / qmax, options: options)
                rowScales.append(s)
                for k in 0..<columns {
                    let q = (Double(source[base + j * columns + k]) / s).rounded(.toNearestOrAwayFromZero)
                    out[j * columns + k] = Float(min(max(q, -qmax), qmax) * s)
                }
            }
            return rowScales
        }
        func bias(_ range: Range<Int>, _ rowScales: [Double], _ inputScale: Double) -> [Float] {
            range.enumerated().map { j, i in
                let unit = rowScales[j] * inputScale
                return Float((Double(p[i]) / unit).rounded(.toNearestOrAwayFromZero) * unit)
            }
        }
        // Each gate block's linear operator reading the input, and the one reading the state.
        func blockOperators(readingInput: Bool) -> [Int] {
            (0..<cell.gateBlocks).map { block in
                cell.operators.indices.first { i in
                    if case .linear(_, let source, block) = cell.node(i) { return (source == .input) == readingInput }
                    return false
                }!
            }
        }
        let inputOps = blockOperators(readingInput: true), stateOps = blockOperators(readingInput: false)
        for (k, layer) in layers.enumerated() {
            func id(_ i: Int) -> OperatorID { .cell(i, layer: k) }
            for i in cell.operators.indices {
                layer.scale[i] = Float(scaleOf(id(i)))
                let (lo, hi) = CodeRange.bounds(unsigned: network.range(of: id(i)) == .unit, bits: bits[id: id(i)])
                layer.low[i] = Float(lo); layer.high[i] = Float(hi)
                if case .oneMinus = cell.node(i) { layer.ones[i] = Float((1 / scaleOf(id(i))).rounded(.toNearestOrAwayFromZero)) }
            }
            // The layer reads the quantized input, or the state codes of the layer below.
            let sx = k == 0 ? scaleOf(.input) : scaleOf(.cell(cell.output, layer: k - 1)), sh = scaleOf(id(cell.output))
            let tensors = layout.layer(k), columns = layer.columns
            // Per tensor means per operator (gate block), as in QuantizedGRU.
            func quantizeBlocks(_ range: Range<Int>, columns: Int, ops: [Int], into out: UnsafeMutablePointer<Float>) -> [Double] {
                var all: [Double] = []
                for (gate, op) in ops.enumerated() {
                    let lower = range.lowerBound + gate * h * columns
                    all += quantize(p[lower..<(lower + h * columns)], rows: h, columns: columns, rowBits: bits[id: id(op)],
                                    perTensor: perTensor, into: out + gate * h * columns)
                }
                return all
            }
            let sxRows = quantizeBlocks(tensors.weightIH, columns: columns, ops: inputOps, into: layer.wx.reserve(g * columns))
            let shRows = quantizeBlocks(tensors.weightHH, columns: h, ops: stateOps, into: layer.wh.reserve(g * h))
            layer.bx = bias(tensors.biasIH, sxRows, sx)
            layer.bh = bias(tensors.biasHH, shRows, sh)
            GEMM.transpose(rows: g, columns: columns, source: layer.wx.pointer, sourceStride: columns,
                           destination: layer.wxT.reserve(columns * g), destinationStride: g)
            GEMM.transpose(rows: g, columns: h, source: layer.wh.pointer, sourceStride: h, destination: layer.whT.reserve(h * g), destinationStride: g)
        }
        let top = OperatorID.cell(cell.output, layer: layers.count - 1)
        let fcRows = quantize(p[layout.fcWeight], rows: c, columns: h, rowBits: bits[id: .fc], perTensor: true, into: fcq.reserve(c * h))
        fcb = bias(layout.fcBias, fcRows, scaleOf(top))
        GEMM.transpose(rows: c, columns: h, source: fcq.pointer, sourceStride: h, destination: fcT.reserve(h * c), destinationStride: c)
    }

    /// Forward over a packed batch of raw sequences; `logits` holds B × C (packed order),
    /// `finalStates` the top layer's last state of each row and `allFinalStates` every
    /// layer's afterwards. `initialState` (`allFinalStates`' layout, packed order) is every layer's state
    /// before the first step, zero when nil. Step by step, each layer reads the state the
    /// layer below has just made.
    func forward(_ batch: PackedBatch, training: Bool, initialState: UnsafePointer<Float>? = nil) {
        let b = batch.count, steps = batch.steps
        guard b > 0 else { return }
        if network.cell != .gru { return forwardDescribed(batch, training: training, initialState: initialState) }
        let keep = training ? max(steps, 1) : 1
        let xs = xv.reserve(keep * b * f), xqs = xq.reserve(keep * b * f)
        struct Stores {
            let px, ph, hs, rf, zf, nf, rq, zq, nq, vra, vza, vna, vnm, vhn, vhh, vha, hsq, cra, cza, cna, cha: UnsafeMutablePointer<Float>
        }
        let stores = layers.enumerated().map { k, layer -> Stores in
            let hs = layer.states.zeroed((training ? steps + 1 : 2) * b * h)
            if let initialState { hs.update(from: initialState + k * b * h, count: b * h) }
            let per = [layer.rF, layer.zF, layer.nF, layer.rQ, layer.zQ, layer.nQ, layer.vRadd, layer.vZadd, layer.vNadd, layer.vNmul,
                       layer.vHmn, layer.vHmh, layer.vHadd, layer.hsubQ, layer.cRadd, layer.cZadd, layer.cNadd, layer.cHadd].map { $0.reserve(keep * b * h) }
            return Stores(px: layer.preX.reserve(keep * b * g), ph: layer.preH.reserve(keep * b * g), hs: hs,
                          rf: per[0], zf: per[1], nf: per[2], rq: per[3], zq: per[4], nq: per[5], vra: per[6], vza: per[7], vna: per[8],
                          vnm: per[9], vhn: per[10], vhh: per[11], vha: per[12], hsq: per[13], cra: per[14], cza: per[15], cna: per[16], cha: per[17])
        }
        for t in 0..<steps {
            let rows = batch.active[t]
            let slot = training ? t : 0
            var input = quantizeInput(batch, step: t, into: slot, standardised: xs, quantized: xqs)
            for (k, layer) in layers.enumerated() {
                let s = stores[k]
                let gx = s.px + slot * b * g, gh = s.ph + slot * b * g
                let (hPrev, hNext) = stepStates(s.hs, batch, step: t, training: training)
                project(layer, rows: rows, input: input, state: hPrev, into: gx, gh)
                let o = slot * b * h
                let hsScale = layer.scale[GRUOperator.hSub.rawValue]
                let hsLow = layer.low[GRUOperator.hSub.rawValue], hsHigh = layer.high[GRUOperator.hSub.rawValue]
                for row in 0..<rows {
                    let ax = gx + row * g, ah = gh + row * g
                    for j in 0..<h {
                        let i = o + row * h + j
                        let rwx = layer.fq(ax[j], .rWx).0, rwh = layer.fq(ah[j], .rWh).0
                        let zwx = layer.fq(ax[h + j], .zWx).0, zwh = layer.fq(ah[h + j], .zWh).0
                        let nwx = layer.fq(ax[2 * h + j], .nWx).0, nwh = layer.fq(ah[2 * h + j], .nWh).0
                        let (radd, sr) = layer.fqAdd(rwx, rwh, .rAdd)
                        let (zadd, sz) = layer.fqAdd(zwx, zwh, .zAdd)
                        let r = 1 / (1 + Foundation.exp(-radd)), z = 1 / (1 + Foundation.exp(-zadd))
                        let rQv = layer.table(r, .gateR), zQv = layer.table(z, .gateZ)
                        let (nmul, _) = layer.fq(rQv * nwh, .nMul)
                        let (nadd, sn) = layer.fqAdd(nwx, nmul, .nAdd)
                        let n = Foundation.tanh(nadd)
                        let nQv = layer.table(n, .gateN)
                        let subCode = min(max(layer.one - FakeQuantEngine.roundHalfUp(zQv / hsScale), hsLow), hsHigh)
                        let hsub = subCode * hsScale
                        let old = hPrev[row * h + j]
                        let (hmn, _) = layer.fq(hsub * nQv, .hMulN)
                        let (hmh, _) = layer.fq(zQv * old, .hMulH)
                        let (next, sh) = layer.fqAdd(hmn, hmh, .hAdd)
                        hNext[row * h + j] = next
                        if training {
                            s.rf[i] = r; s.zf[i] = z; s.nf[i] = n; s.rq[i] = rQv; s.zq[i] = zQv; s.nq[i] = nQv
                            s.vra[i] = rwx + rwh; s.vza[i] = zwx + zwh; s.vna[i] = nwx + nmul; s.vnm[i] = rQv * nwh
                            s.vhn[i] = hsub * nQv; s.vhh[i] = zQv * old; s.vha[i] = hmn + hmh; s.hsq[i] = hsub
                            s.cra[i] = sr ? 1 : 0; s.cza[i] = sz ? 1 : 0; s.cna[i] = sn ? 1 : 0; s.cha[i] = sh ? 1 : 0
                        }
                    }
                }
                input = UnsafePointer(hNext)
            }
        }
        finishForward(batch, training: training) { _, k in UnsafePointer(stores[k].hs) }
    }

    /// The state before step t and the one it makes, in a store of (T + 1) × B × H (training)
    /// or two buffers of B × H (inference); rows that finished keep their state in the latter.
    func stepStates(_ store: UnsafeMutablePointer<Float>, _ batch: PackedBatch, step t: Int,
                    training: Bool) -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) {
        let b = batch.count, rows = batch.active[t]
        let previous = training ? store + t * b * h : store + (t % 2) * b * h
        let next = training ? store + (t + 1) * b * h : store + ((t + 1) % 2) * b * h
        if !training { next.update(from: previous, count: b * h) }
        if training, rows < b { (next + rows * h).update(from: previous + rows * h, count: (b - rows) * h) }
        return (previous, next)
    }

    /// Both projections of a step for `rows` rows, biases included: `W_ih x + b_ih` into `gx`, `W_hh h + b_hh` into `gh` (B × G each).
    func project(_ layer: Layer, rows: Int, input: UnsafePointer<Float>, state: UnsafePointer<Float>,
                 into gx: UnsafeMutablePointer<Float>, _ gh: UnsafeMutablePointer<Float>) {
        for row in 0..<rows {
            (gx + row * g).update(from: layer.bx, count: g)
            (gh + row * g).update(from: layer.bh, count: g)
        }
        GEMM.addProduct(m: rows, n: g, k: layer.columns, a: input, lda: layer.columns, b: layer.wxT.pointer, ldb: g, c: gx, ldc: g)
        GEMM.addProduct(m: rows, n: g, k: h, a: state, lda: h, b: layer.whT.pointer, ldb: g, c: gh, ldc: g)
    }

    /// Quantizes step t of the batch's raw inputs into slot `slot` of `standardised` and
    /// `quantized` (B × F each; rows past their end zero) and returns the quantized step.
    func quantizeInput(_ batch: PackedBatch, step t: Int, into slot: Int, standardised xs: UnsafeMutablePointer<Float>,
                       quantized xqs: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let b = batch.count, rows = batch.active[t], raw = batch.inputs.pointer
        let qlow = inputLow, qhigh = inputHigh, sIn = inputScale
        let x = xs + slot * b * f, xqt = xqs + slot * b * f
        if rows < b { (xqt + rows * f).update(repeating: 0, count: (b - rows) * f) }
        for row in 0..<rows {
            for k in 0..<f {
                let d = raw[(t * b + row) * f + k] - inputMean[k]
                let code = min(max((d * inputFactor[k]).rounded(.toNearestOrAwayFromZero), qlow), qhigh)
                x[row * f + k] = d * inputFactor[k] * sIn
                xqt[row * f + k] = code * sIn
            }
        }
        return UnsafePointer(xqt)
    }

    /// Every layer's final states into `allFinalStates` and the head's logits. `states(s, k)`
    /// is layer k's store of state vector s: (T + 1) × B × H in training, where a row's last
    /// state sits at its length; two buffers of B × H in inference, the last at T mod 2.
    func finishForward(_ batch: PackedBatch, training: Bool, states: (Int, Int) -> UnsafePointer<Float>) {
        let b = batch.count, steps = batch.steps, depth = layers.count
        let all = allFinalStates.reserve(stateCount * depth * b * h)
        for s in 0..<stateCount {
            for k in layers.indices {
                let store = states(s, k)
                for row in 0..<b {
                    let source = training ? store + batch.lengths[row] * b * h + row * h : store + (steps % 2) * b * h + row * h
                    (all + ((s * depth + k) * b + row) * h).update(from: source, count: h)
                }
            }
        }
        let final = finalStates.reserve(b * h)
        final.update(from: all + (depth - 1) * b * h, count: b * h)
        let out = logits.reserve(b * c)
        for row in 0..<b { (out + row * c).update(from: fcb, count: c) }
        GEMM.addProduct(m: b, n: c, k: h, a: final, lda: h, b: fcT.pointer, ldb: c, c: out, ldc: c)
    }

    /// Adds the gradient of `lossScale · Σ loss` over `sequences[indices]` (raw; `labels`
    /// indexed like `sequences`) to `gradient` and `rangeGradient`, back-propagating through
    /// each sequence's last `bptt` steps (`BPTTWindows`); returns the unscaled loss sum and the
    /// correct count. The earlier steps run in inference, with the same arithmetic as a
    /// training forward, so the state entering the last window is the one whole-sequence
    /// fine-tuning would compute there. `initialStates` (indexed like `sequences`, L · H each:
    /// every layer's state, bottom to top) start the sequences from given states instead of zero.
    /// Runs with subnormal floats flushed to zero, as training does (`Subnormals`).
    func run(_ sequences: [[Float]], indices: some Collection<Int>, labels: [Int], bptt: Int?, initialStates: [[Float]]? = nil,
             lossScale: Float, gradient: UnsafeMutablePointer<Float>, rangeGradient: inout [Double]) -> (loss: Double, correct: Int) {
        Subnormals.flushed {
            pass(sequences, indices: indices, labels: labels, bptt: bptt, initialStates: initialStates,
                 lossScale: lossScale, gradient: gradient, rangeGradient: &rangeGradient)
        }
    }

    @inline(never)
    private func pass(_ sequences: [[Float]], indices: some Collection<Int>, labels: [Int], bptt: Int?, initialStates: [[Float]]?,
                      lossScale: Float, gradient: UnsafeMutablePointer<Float>, rangeGradient: inout [Double]) -> (loss: Double, correct: Int) {
        let windows = BPTTWindows(sequences, indices: indices, features: f, bptt: bptt)
        // Every state vector of every layer: (state vector, layer) pairs in `allFinalStates`' order.
        let b = windows.count, depth = layers.count * stateCount
        var state: UnsafeMutablePointer<Float>?
        if windows.window != nil || initialStates != nil {
            let carriedState = carried.zeroed(depth * b * h)
            if let initialStates {
                for (row, index) in windows.order.enumerated() {
                    for k in 0..<depth {
                        initialStates[index].withUnsafeBufferPointer { s in
                            (carriedState + (k * b + row) * h).update(from: s.baseAddress! + k * h, count: h)
                        }
                    }
                }
            }
            windows.forEachEarlierBlock(of: sequences, into: &earlier, features: f, standardization: nil) { block in
                // Inference leaves rows without steps in this block alone, so every row's state carries.
                forward(block, training: false, initialState: carriedState)
                carriedState.update(from: allFinalStates.pointer, count: depth * b * h)
            }
            state = carriedState
        }
        windows.packLast(of: sequences, into: &last, features: f, standardization: nil)
        forward(last, training: true, initialState: state)
        return backward(last, labels: windows.order.map { labels[$0] }, lossScale: lossScale, gradient: gradient, rangeGradient: &rangeGradient)
    }

    /// Cross-entropy on the last training forward, then backpropagation through time, the top
    /// layer first: the gradient reaching each layer's input at every step is the gradient of
    /// the state the layer below made at that step.
    ///
    /// Adds `lossScale ·` the gradient to `grad` (flat `ParameterLayout` order) and to
    /// `rangeGradient` (d loss / d log-range of each of `learnedOperators`); returns the
    /// unscaled loss sum and the number of correct predictions.
    func backward(_ batch: PackedBatch, labels: [Int], lossScale: Float,
                  gradient grad: UnsafeMutablePointer<Float>, rangeGradient: inout [Double]) -> (loss: Double, correct: Int) {
        let b = batch.count, steps = batch.steps
        guard b > 0 else { return (0, 0) }
        if network.cell != .gru { return backwardDescribed(batch, labels: labels, lossScale: lossScale, gradient: grad, rangeGradient: &rangeGradient) }
        let (loss, correct, df) = headBackward(batch, labels: labels, lossScale: lossScale, gradient: grad)
        var rangeSums = [Double](repeating: 0, count: network.operators.count)
        let stepRows = steps * b

        for k in layers.indices.reversed() {
            let layer = layers[k], top = k == layers.count - 1
            let base = network.position(of: OperatorID(.rWx, layer: k)) - GRUOperator.rWx.rawValue
            let above = top ? nil : UnsafePointer(layers[k + 1].dInput.pointer)
            let dhs = layer.dh.zeroed(b * h)
            let dpx = layer.dPreX.zeroed(max(stepRows * g, 1)), dph = layer.dPreH.zeroed(max(stepRows * g, 1))
            let px = layer.preX.pointer, ph = layer.preH.pointer, hs = layer.states.pointer
            let rf = layer.rF.pointer, zf = layer.zF.pointer, nf = layer.nF.pointer, rq = layer.rQ.pointer, zq = layer.zQ.pointer, nq = layer.nQ.pointer
            let vnm = layer.vNmul.pointer, vhn = layer.vHmn.pointer, vhh = layer.vHmh.pointer, hsq = layer.hsubQ.pointer
            let vra = layer.vRadd.pointer, vza = layer.vZadd.pointer, vna = layer.vNadd.pointer, vha = layer.vHadd.pointer
            let cra = layer.cRadd.pointer, cza = layer.cZadd.pointer, cna = layer.cNadd.pointer, cha = layer.cHadd.pointer
            func sum(_ op: GRUOperator, _ value: Float) { rangeSums[base + op.rawValue] += Double(value) }

            for t in stride(from: steps - 1, through: 0, by: -1) {
                let rows = batch.active[t]
                if let above {
                    // The layer above read this step's state at every active row.
                    for row in 0..<rows { for j in 0..<h { dhs[row * h + j] += above[(t * b + row) * h + j] } }
                } else {
                    // The head read each row's state after its last step.
                    for row in batch.active[t + 1]..<rows { (dhs + row * h).update(from: df + row * h, count: h) }
                }
                let gx = px + t * b * g, gh = ph + t * b * g
                let dgx = dpx + t * b * g, dgh = dph + t * b * g
                let hPrev = hs + t * b * h, hNext = hs + (t + 1) * b * h
                for row in 0..<rows {
                    for j in 0..<h {
                        let i = (t * b + row) * h + j
                        let gOut = dhs[row * h + j]
                        // h.add
                        let yH = hNext[row * h + j]
                        sum(.hAdd, gOut * (yH - (cha[i] > 0 ? 0 : vha[i])))
                        let gHadd = cha[i] > 0 ? 0 : gOut
                        // h.mul_n, h.mul_h
                        let (yMN, sMN) = layer.fq(vhn[i], .hMulN), (yMH, sMH) = layer.fq(vhh[i], .hMulH)
                        sum(.hMulN, gHadd * (yMN - (sMN ? 0 : vhn[i])))
                        sum(.hMulH, gHadd * (yMH - (sMH ? 0 : vhh[i])))
                        let gMN = sMN ? 0 : gHadd, gMH = sMH ? 0 : gHadd
                        let old = hPrev[row * h + j]
                        let dHsub = gMN * nq[i], dN = gMN * hsq[i]
                        var dZ = gMH * old - dHsub
                        let dOldDirect = gMH * zq[i]
                        // gate.n, n.add, n.mul
                        let dNadd = dN * (1 - nf[i] * nf[i])
                        let nwxY = layer.fq(gx[2 * h + j], .nWx), nwhY = layer.fq(gh[2 * h + j], .nWh)
                        let (yNM, sNM) = layer.fq(vnm[i], .nMul)
                        let yNA = layer.fqAdd(nwxY.0, yNM, .nAdd).0
                        sum(.nAdd, dNadd * (yNA - (cna[i] > 0 ? 0 : vna[i])))
                        let gNadd = cna[i] > 0 ? 0 : dNadd
                        sum(.nMul, gNadd * (yNM - (sNM ? 0 : vnm[i])))
                        let gNmul = sNM ? 0 : gNadd
                        let dR = gNmul * nwhY.0
                        let dNwh = gNmul * rq[i]
                        let dNwx = gNadd
                        // gates r and z, their additions
                        let dRadd = dR * rf[i] * (1 - rf[i])
                        dZ = dZ * zf[i] * (1 - zf[i])
                        let rwxY = layer.fq(gx[j], .rWx), rwhY = layer.fq(gh[j], .rWh)
                        let zwxY = layer.fq(gx[h + j], .zWx), zwhY = layer.fq(gh[h + j], .zWh)
                        let yRA = layer.fqAdd(rwxY.0, rwhY.0, .rAdd).0, yZA = layer.fqAdd(zwxY.0, zwhY.0, .zAdd).0
                        sum(.rAdd, dRadd * (yRA - (cra[i] > 0 ? 0 : vra[i])))
                        sum(.zAdd, dZ * (yZA - (cza[i] > 0 ? 0 : vza[i])))
                        let gRadd = cra[i] > 0 ? 0 : dRadd, gZadd = cza[i] > 0 ? 0 : dZ
                        // linear outputs
                        func linear(_ y: (Float, Bool), _ v: Float, _ d: Float, _ op: GRUOperator) -> Float {
                            sum(op, d * (y.0 - (y.1 ? 0 : v)))
                            return y.1 ? 0 : d
                        }
                        dgx[row * g + j] = linear(rwxY, gx[j], gRadd, .rWx)
                        dgh[row * g + j] = linear(rwhY, gh[j], gRadd, .rWh)
                        dgx[row * g + h + j] = linear(zwxY, gx[h + j], gZadd, .zWx)
                        dgh[row * g + h + j] = linear(zwhY, gh[h + j], gZadd, .zWh)
                        dgx[row * g + 2 * h + j] = linear(nwxY, gx[2 * h + j], dNwx, .nWx)
                        dgh[row * g + 2 * h + j] = linear(nwhY, gh[2 * h + j], dNwh, .nWh)
                        dhs[row * h + j] = dOldDirect
                    }
                }
                GEMM.addProduct(m: rows, n: h, k: g, a: dgh, lda: g, b: layer.wh.pointer, ldb: h, c: dhs, ldc: h)
            }
            weightGradients(layer: k, batch: batch, gradient: grad)
        }
        finishRangeGradient(batch, rangeSums: &rangeSums, rangeGradient: &rangeGradient)
        return (loss, correct)
    }

    /// Cross-entropy on the logits of the last training forward: the head's gradients, and the
    /// gradient reaching each row's final top state (B × H); the loss sum and the correct count.
    func headBackward(_ batch: PackedBatch, labels: [Int], lossScale: Float,
                      gradient grad: UnsafeMutablePointer<Float>) -> (loss: Double, correct: Int, dFinal: UnsafeMutablePointer<Float>) {
        let b = batch.count
        let dl = dLogits.reserve(b * c)
        let (loss, correct) = GRUTrainer.softmaxCrossEntropy(logits: logits.pointer, labels: labels, rows: b, classes: c,
                                                             scale: lossScale, gradient: dl)
        let final = finalStates.pointer
        GEMM.addTransposedProduct(m: c, n: h, k: b, a: dl, lda: c, b: final, ldb: h, c: grad + layout.fcWeight.lowerBound, ldc: h)
        for row in 0..<b { for k in 0..<c { grad[layout.fcBias.lowerBound + k] += dl[row * c + k] } }
        let df = dFinal.zeroed(b * h)
        GEMM.addProduct(m: b, n: h, k: c, a: dl, lda: c, b: fcq.pointer, ldb: h, c: df, ldc: h)
        return (loss, correct, df)
    }

    /// Layer k's weight and bias gradients from the pre-value gradients of every step
    /// (`dPreX`, `dPreH`), and the gradient reaching its input at every step (`dInput`).
    func weightGradients(layer k: Int, batch: PackedBatch, gradient grad: UnsafeMutablePointer<Float>) {
        let layer = layers[k], columns = layer.columns, b = batch.count, stepRows = batch.steps * b
        let dpx = layer.dPreX.pointer, dph = layer.dPreH.pointer
        // The layer's input at every step: the quantized features, or the states of the layer below (h_1 … h_T).
        let inputs = k == 0 ? UnsafePointer(xq.pointer) : UnsafePointer(layers[k - 1].states.pointer + b * h)
        let tensors = layout.layer(k)
        GEMM.addTransposedProduct(m: g, n: columns, k: stepRows, a: dpx, lda: g, b: inputs, ldb: columns,
                                  c: grad + tensors.weightIH.lowerBound, ldc: columns)
        GEMM.addTransposedProduct(m: g, n: h, k: stepRows, a: dph, lda: g, b: layer.states.pointer, ldb: h,
                                  c: grad + tensors.weightHH.lowerBound, ldc: h)
        for r in 0..<stepRows {
            for q in 0..<g {
                grad[tensors.biasIH.lowerBound + q] += dpx[r * g + q]
                grad[tensors.biasHH.lowerBound + q] += dph[r * g + q]
            }
        }
        // The gradient reaching the layer's input, through the x products: the layer
        // below's state gradient, or, for the first layer, what sets the input's range.
        let dx = layer.dInput.zeroed(max(stepRows * columns, 1))
        GEMM.addProduct(m: stepRows, n: columns, k: g, a: dpx, lda: g, b: layer.wx.pointer, ldb: columns, c: dx, ldc: columns)
    }

    /// Adds the input's LSQ sum to `rangeSums` (by network position) and the learned operators' sums to `rangeGradient`.
    func finishRangeGradient(_ batch: PackedBatch, rangeSums: inout [Double], rangeGradient: inout [Double]) {
        let b = batch.count
        let dx = layers[0].dInput.pointer, xvs = xv.pointer, xqs = xq.pointer
        let inputIndex = network.position(of: .input)
        for t in 0..<batch.steps {
            for row in 0..<batch.active[t] {
                for k in 0..<f {
                    let i = (t * b + row) * f + k
                    let saturated = abs((xvs[i] / inputScale).rounded(.toNearestOrAwayFromZero)) > inputHigh
                    rangeSums[inputIndex] += Double(dx[i] * (xqs[i] - (saturated ? 0 : xvs[i])))
                }
            }
        }
        for (n, id) in learnedOperators.enumerated() { rangeGradient[n] += rangeSums[network.position(of: id)] }
    }
}
