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
    var g: Int { 3 * h }
    let layout: ParameterLayout

    /// The calibrated operators whose ranges training may learn, in this order.
    static let learnedOperators = GRUOperator.calibrated

    // Configuration for the current parameters.
    var scale = [Float](repeating: 1, count: GRUOperator.allCases.count)
    var low = [Float](repeating: 0, count: GRUOperator.allCases.count)
    var high = [Float](repeating: 0, count: GRUOperator.allCases.count)
    var inputMean: [Float] = [], inputFactor: [Float] = []
    let wx = Scratch(), wh = Scratch(), wxT = Scratch(), whT = Scratch(), fcq = Scratch(), fcT = Scratch()
    var bx: [Float] = [], bh: [Float] = [], fcb: [Float] = []
    var one: Float = 1

    // Per-step stores, T × B × width (training keeps every step).
    let xv = Scratch(), xq = Scratch()                 // standardised input, quantized input (B×F)
    let preX = Scratch(), preH = Scratch()             // linear pre-values (B×3H)
    let states = Scratch()                             // h_0 … h_T (quantized)
    let rF = Scratch(), zF = Scratch(), nF = Scratch() // σ, σ, tanh before output rounding
    let rQ = Scratch(), zQ = Scratch(), nQ = Scratch()
    let vRadd = Scratch(), vZadd = Scratch(), vNadd = Scratch(), vNmul = Scratch()
    let vHmn = Scratch(), vHmh = Scratch(), vHadd = Scratch(), hsubQ = Scratch()
    let cRadd = Scratch(), cZadd = Scratch(), cNadd = Scratch(), cHadd = Scratch()  // saturation flags (1 = saturated)
    let logits = Scratch()
    // Backward.
    let dPreX = Scratch(), dPreH = Scratch(), dh = Scratch(), dFinal = Scratch(), dX = Scratch(), dLogits = Scratch()
    let finalStates = Scratch()
    // Truncated BPTT: the state carried into the last window, and the packed blocks.
    let carried = Scratch()
    var earlier = PackedBatch(), last = PackedBatch()

    init(inputSize: Int, hiddenSize: Int, classCount: Int) {
        f = inputSize; h = hiddenSize; c = classCount
        layout = ParameterLayout(inputSize: f, hiddenSize: h, classCount: c)
    }

    @inline(__always) static func roundHalfUp(_ x: Float) -> Float { (x + 0.5).rounded(.down) }

    /// Sets weights, biases and scales from flat parameters, per-operator ranges and widths.
    func configure(parameters p: [Float], ranges: [Double], bits: BitWidths, options: QuantizationOptions,
                   standardization: Standardization?) {
        let calibration = Calibration(method: .maxAbs, sequenceCount: 0,
                                      ranges: ranges.map { r in [Double](repeating: r, count: BitWidths.allowed.count) })
        let scales = QuantizedGRU.outputScales(calibration: calibration, bits: bits, options: options)
        for op in GRUOperator.allCases where op != .fc {
            scale[op.rawValue] = Float(scales[op.rawValue])
            let (lo, hi) = CodeRange.bounds(of: op, bits: bits[op])
            low[op.rawValue] = Float(lo); high[op.rawValue] = Float(hi)
        }
        one = Float((1 / scales[GRUOperator.hSub.rawValue]).rounded(.toNearestOrAwayFromZero))
        inputMean = standardization?.mean ?? [Float](repeating: 0, count: f)
        inputFactor = (0..<f).map { Float(1 / (Double(standardization?.scale[$0] ?? 1) * scales[GRUOperator.input.rawValue])) }
        let perTensor = options.weights == .perTensor
        let sx = scales[GRUOperator.input.rawValue], sh = scales[GRUOperator.hAdd.rawValue]

        func quantize(_ source: ArraySlice<Float>, rows: Int, columns: Int, rowBits: (Int) -> Int, perTensor: Bool,
                      into out: UnsafeMutablePointer<Float>) -> [Double] {
            let base = source.startIndex
            var ranges = (0..<rows).map { j in (0..<columns).reduce(Float(0)) { max($0, abs(source[base + j * columns + $1])) } }
            if perTensor { let top = ranges.max() ?? 0; ranges = ranges.map { _ in top } }
            var rowScales: [Double] = []
            for j in 0..<rows {
                let qmax = Double(CodeRange.signedMax(rowBits(j)))
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
        func opBits(_ gate: Int, input: Bool) -> Int {
            let ops: [GRUOperator] = input ? [.rWx, .zWx, .nWx] : [.rWh, .zWh, .nWh]
            return bits[ops[gate]]
        }
        // Per tensor means per operator (gate block), as in QuantizedGRU.
        func quantizeBlocks(_ range: Range<Int>, columns: Int, input: Bool, into out: UnsafeMutablePointer<Float>) -> [Double] {
            var all: [Double] = []
            for gate in 0..<3 {
                let lower = range.lowerBound + gate * h * columns
                all += quantize(p[lower..<(lower + h * columns)], rows: h, columns: columns,
                                rowBits: { _ in opBits(gate, input: input) }, perTensor: perTensor, into: out + gate * h * columns)
            }
            return all
        }
        let sxRows = quantizeBlocks(layout.weightIH, columns: f, input: true, into: wx.reserve(g * f))
        let shRows = quantizeBlocks(layout.weightHH, columns: h, input: false, into: wh.reserve(g * h))
        let fcRows = quantize(p[layout.fcWeight], rows: c, columns: h, rowBits: { _ in bits[.fc] }, perTensor: true, into: fcq.reserve(c * h))
        func bias(_ range: Range<Int>, _ rowScales: [Double], _ inputScale: Double) -> [Float] {
            range.enumerated().map { j, i in
                let unit = rowScales[j] * inputScale
                return Float((Double(p[i]) / unit).rounded(.toNearestOrAwayFromZero) * unit)
            }
        }
        bx = bias(layout.biasIH, sxRows, sx)
        bh = bias(layout.biasHH, shRows, sh)
        fcb = bias(layout.fcBias, fcRows, sh)
        GEMM.transpose(rows: g, columns: f, source: wx.pointer, sourceStride: f, destination: wxT.reserve(f * g), destinationStride: g)
        GEMM.transpose(rows: g, columns: h, source: wh.pointer, sourceStride: h, destination: whT.reserve(h * g), destinationStride: g)
        GEMM.transpose(rows: c, columns: h, source: fcq.pointer, sourceStride: h, destination: fcT.reserve(h * c), destinationStride: c)
    }

    /// Rounds v to the grid of `op`: returns the dequantized value and whether it saturated.
    @inline(__always)
    func fq(_ v: Float, _ op: GRUOperator) -> (Float, Bool) {
        let i = op.rawValue
        let code = FakeQuantEngine.roundHalfUp(v / scale[i])
        if code > high[i] { return (high[i] * scale[i], true) }
        if code < low[i] { return (low[i] * scale[i], true) }
        return (code * scale[i], false)
    }

    /// Sum of two operands each rounded to `op`'s grid, saturated.
    @inline(__always)
    func fqAdd(_ a: Float, _ b: Float, _ op: GRUOperator) -> (Float, Bool) {
        let i = op.rawValue
        let code = FakeQuantEngine.roundHalfUp(a / scale[i]) + FakeQuantEngine.roundHalfUp(b / scale[i])
        if code > high[i] { return (high[i] * scale[i], true) }
        if code < low[i] { return (low[i] * scale[i], true) }
        return (code * scale[i], false)
    }

    /// A lookup table's output for an input on its grid.
    @inline(__always)
    func table(_ y: Float, _ op: GRUOperator) -> Float {
        let i = op.rawValue
        let code = min(max((y / scale[i]).rounded(.toNearestOrAwayFromZero), low[i]), high[i])
        return code * scale[i]
    }

    /// Forward over a packed batch of raw sequences; `logits` holds B × C (packed order) and
    /// `finalStates` each row's last state afterwards. `initialState` (B × H, packed order) is
    /// the state before the first step, zero when nil.
    func forward(_ batch: PackedBatch, training: Bool, initialState: UnsafePointer<Float>? = nil) {
        let b = batch.count, steps = batch.steps
        guard b > 0 else { return }
        let keep = training ? max(steps, 1) : 1
        let xs = xv.reserve(keep * b * f), xqs = xq.reserve(keep * b * f)
        let px = preX.reserve(keep * b * g), ph = preH.reserve(keep * b * g)
        let hs = states.zeroed((training ? steps + 1 : 2) * b * h)
        if let initialState { hs.update(from: initialState, count: b * h) }
        let stores = [rF, zF, nF, rQ, zQ, nQ, vRadd, vZadd, vNadd, vNmul, vHmn, vHmh, vHadd, hsubQ, cRadd, cZadd, cNadd, cHadd]
        let ptr = stores.map { $0.reserve(keep * b * h) }
        let (rf, zf, nf, rq, zq, nq) = (ptr[0], ptr[1], ptr[2], ptr[3], ptr[4], ptr[5])
        let (vra, vza, vna, vnm, vhn, vhh, vha, hsq) = (ptr[6], ptr[7], ptr[8], ptr[9], ptr[10], ptr[11], ptr[12], ptr[13])
        let (cra, cza, cna, cha) = (ptr[14], ptr[15], ptr[16], ptr[17])
        let inputIndex = GRUOperator.input.rawValue
        let qlow = low[inputIndex], qhigh = high[inputIndex], sIn = scale[inputIndex]
        let raw = batch.inputs.pointer
        for t in 0..<steps {
            let rows = batch.active[t]
            let slot = training ? t : 0
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
            let gx = px + slot * b * g, gh = ph + slot * b * g
            for row in 0..<rows {
                (gx + row * g).update(from: bx, count: g)
                (gh + row * g).update(from: bh, count: g)
            }
            let hPrev = training ? hs + t * b * h : hs + (t % 2) * b * h
            let hNext = training ? hs + (t + 1) * b * h : hs + ((t + 1) % 2) * b * h
            if !training { hNext.update(from: hPrev, count: b * h) }  // finished rows keep their state
            if training, rows < b { (hNext + rows * h).update(from: hPrev + rows * h, count: (b - rows) * h) }
            GEMM.addProduct(m: rows, n: g, k: f, a: xqt, lda: f, b: wxT.pointer, ldb: g, c: gx, ldc: g)
            GEMM.addProduct(m: rows, n: g, k: h, a: hPrev, lda: h, b: whT.pointer, ldb: g, c: gh, ldc: g)
            let o = slot * b * h
            for row in 0..<rows {
                let ax = gx + row * g, ah = gh + row * g
                for j in 0..<h {
                    let i = o + row * h + j
                    let rwx = fq(ax[j], .rWx).0, rwh = fq(ah[j], .rWh).0
                    let zwx = fq(ax[h + j], .zWx).0, zwh = fq(ah[h + j], .zWh).0
                    let nwx = fq(ax[2 * h + j], .nWx).0, nwh = fq(ah[2 * h + j], .nWh).0
                    let (radd, sr) = fqAdd(rwx, rwh, .rAdd)
                    let (zadd, sz) = fqAdd(zwx, zwh, .zAdd)
                    let r = 1 / (1 + Foundation.exp(-radd)), z = 1 / (1 + Foundation.exp(-zadd))
                    let rQv = table(r, .gateR), zQv = table(z, .gateZ)
                    let (nmul, _) = fq(rQv * nwh, .nMul)
                    let (nadd, sn) = fqAdd(nwx, nmul, .nAdd)
                    let n = Foundation.tanh(nadd)
                    let nQv = table(n, .gateN)
                    let hs = scale[GRUOperator.hSub.rawValue]
                    let subCode = min(max(one - FakeQuantEngine.roundHalfUp(zQv / hs), low[GRUOperator.hSub.rawValue]), high[GRUOperator.hSub.rawValue])
                    let hsub = subCode * hs
                    let old = hPrev[row * h + j]
                    let (hmn, _) = fq(hsub * nQv, .hMulN)
                    let (hmh, _) = fq(zQv * old, .hMulH)
                    let (next, sh) = fqAdd(hmn, hmh, .hAdd)
                    hNext[row * h + j] = next
                    if training {
                        rf[i] = r; zf[i] = z; nf[i] = n; rq[i] = rQv; zq[i] = zQv; nq[i] = nQv
                        vra[i] = rwx + rwh; vza[i] = zwx + zwh; vna[i] = nwx + nmul; vnm[i] = rQv * nwh
                        vhn[i] = hsub * nQv; vhh[i] = zQv * old; vha[i] = hmn + hmh; hsq[i] = hsub
                        cra[i] = sr ? 1 : 0; cza[i] = sz ? 1 : 0; cna[i] = sn ? 1 : 0; cha[i] = sh ? 1 : 0
                    }
                }
            }
        }
        // Each row's final state: in training h at its own length; in inference the last buffer.
        let final = finalStates.reserve(b * h)
        for row in 0..<b {
            let source = training ? hs + batch.lengths[row] * b * h + row * h
                                  : hs + (steps % 2) * b * h + row * h
            (final + row * h).update(from: source, count: h)
        }
        let out = logits.reserve(b * c)
        for row in 0..<b { (out + row * c).update(from: fcb, count: c) }
        GEMM.addProduct(m: b, n: c, k: h, a: final, lda: h, b: fcT.pointer, ldb: c, c: out, ldc: c)
    }

    /// Adds the gradient of `lossScale · Σ loss` over `sequences[indices]` (raw; `labels`
    /// indexed like `sequences`) to `gradient` and `rangeGradient`, back-propagating through
    /// each sequence's last `bptt` steps (`BPTTWindows`); returns the unscaled loss sum and the
    /// correct count. The earlier steps run in inference, with the same arithmetic as a
    /// training forward, so the state entering the last window is the one whole-sequence
    /// fine-tuning would compute there. `initialStates` (indexed like `sequences`, H each)
    /// start the sequences from given states instead of zero.
    func run(_ sequences: [[Float]], indices: some Collection<Int>, labels: [Int], bptt: Int?, initialStates: [[Float]]? = nil,
             lossScale: Float, gradient: UnsafeMutablePointer<Float>, rangeGradient: inout [Double]) -> (loss: Double, correct: Int) {
        let windows = BPTTWindows(sequences, indices: indices, features: f, bptt: bptt)
        let b = windows.count
        var state: UnsafeMutablePointer<Float>?
        if windows.window != nil || initialStates != nil {
            let carriedState = carried.zeroed(b * h)
            if let initialStates {
                for (row, index) in windows.order.enumerated() { (carriedState + row * h).update(from: initialStates[index], count: h) }
            }
            windows.forEachEarlierBlock(of: sequences, into: &earlier, features: f, standardization: nil) { block in
                // Inference leaves rows without steps in this block alone, so every row's state carries.
                forward(block, training: false, initialState: carriedState)
                carriedState.update(from: finalStates.pointer, count: b * h)
            }
            state = carriedState
        }
        windows.packLast(of: sequences, into: &last, features: f, standardization: nil)
        forward(last, training: true, initialState: state)
        return backward(last, labels: windows.order.map { labels[$0] }, lossScale: lossScale, gradient: gradient, rangeGradient: &rangeGradient)
    }

    /// Cross-entropy on the last training forward, then backpropagation through time.
    ///
    /// Adds `lossScale ·` the gradient to `grad` (flat `ParameterLayout` order) and to
    /// `rangeGradient` (d loss / d log-range of each of `learnedOperators`); returns the
    /// unscaled loss sum and the number of correct predictions.
    func backward(_ batch: PackedBatch, labels: [Int], lossScale: Float,
                  gradient grad: UnsafeMutablePointer<Float>, rangeGradient: inout [Double]) -> (loss: Double, correct: Int) {
        let b = batch.count, steps = batch.steps
        guard b > 0 else { return (0, 0) }
        let dl = dLogits.reserve(b * c)
        let (loss, correct) = GRUTrainer.softmaxCrossEntropy(logits: logits.pointer, labels: labels, rows: b, classes: c,
                                                             scale: lossScale, gradient: dl)
        let final = finalStates.pointer
        GEMM.addTransposedProduct(m: c, n: h, k: b, a: dl, lda: c, b: final, ldb: h, c: grad + layout.fcWeight.lowerBound, ldc: h)
        for row in 0..<b { for k in 0..<c { grad[layout.fcBias.lowerBound + k] += dl[row * c + k] } }
        let df = dFinal.zeroed(b * h)
        GEMM.addProduct(m: b, n: h, k: c, a: dl, lda: c, b: fcq.pointer, ldb: h, c: df, ldc: h)

        let dhs = dh.zeroed(b * h)
        let dpx = dPreX.zeroed(max(steps * b * g, 1)), dph = dPreH.zeroed(max(steps * b * g, 1))
        let px = preX.pointer, ph = preH.pointer, hs = states.pointer
        let rf = rF.pointer, zf = zF.pointer, nf = nF.pointer, rq = rQ.pointer, zq = zQ.pointer, nq = nQ.pointer
        let vnm = vNmul.pointer, vhn = vHmn.pointer, vhh = vHmh.pointer, hsq = hsubQ.pointer
        let vra = vRadd.pointer, vza = vZadd.pointer, vna = vNadd.pointer, vha = vHadd.pointer
        let cra = cRadd.pointer, cza = cZadd.pointer, cna = cNadd.pointer, cha = cHadd.pointer
        var rangeSums = [Double](repeating: 0, count: GRUOperator.allCases.count)

        for t in stride(from: steps - 1, through: 0, by: -1) {
            let rows = batch.active[t]
            for row in batch.active[t + 1]..<rows { (dhs + row * h).update(from: df + row * h, count: h) }
            let gx = px + t * b * g, gh = ph + t * b * g
            let dgx = dpx + t * b * g, dgh = dph + t * b * g
            let hPrev = hs + t * b * h, hNext = hs + (t + 1) * b * h
            for row in 0..<rows {
                for j in 0..<h {
                    let i = (t * b + row) * h + j
                    let gOut = dhs[row * h + j]
                    // h.add
                    let yH = hNext[row * h + j]
                    rangeSums[GRUOperator.hAdd.rawValue] += Double(gOut * (yH - (cha[i] > 0 ? 0 : vha[i])))
                    let gHadd = cha[i] > 0 ? 0 : gOut
                    // h.mul_n, h.mul_h
                    let (yMN, sMN) = fq(vhn[i], .hMulN), (yMH, sMH) = fq(vhh[i], .hMulH)
                    rangeSums[GRUOperator.hMulN.rawValue] += Double(gHadd * (yMN - (sMN ? 0 : vhn[i])))
                    rangeSums[GRUOperator.hMulH.rawValue] += Double(gHadd * (yMH - (sMH ? 0 : vhh[i])))
                    let gMN = sMN ? 0 : gHadd, gMH = sMH ? 0 : gHadd
                    let old = hPrev[row * h + j]
                    let dHsub = gMN * nq[i], dN = gMN * hsq[i]
                    var dZ = gMH * old - dHsub
                    let dOldDirect = gMH * zq[i]
                    // gate.n, n.add, n.mul
                    let dNadd = dN * (1 - nf[i] * nf[i])
                    let nwxY = fq(gx[2 * h + j], .nWx), nwhY = fq(gh[2 * h + j], .nWh)
                    let (yNM, sNM) = fq(vnm[i], .nMul)
                    let yNA = fqAdd(nwxY.0, yNM, .nAdd).0
                    rangeSums[GRUOperator.nAdd.rawValue] += Double(dNadd * (yNA - (cna[i] > 0 ? 0 : vna[i])))
                    let gNadd = cna[i] > 0 ? 0 : dNadd
                    rangeSums[GRUOperator.nMul.rawValue] += Double(gNadd * (yNM - (sNM ? 0 : vnm[i])))
                    let gNmul = sNM ? 0 : gNadd
                    let dR = gNmul * nwhY.0
                    let dNwh = gNmul * rq[i]
                    let dNwx = gNadd
                    // gates r and z, their additions
                    let dRadd = dR * rf[i] * (1 - rf[i])
                    dZ = dZ * zf[i] * (1 - zf[i])
                    let rwxY = fq(gx[j], .rWx), rwhY = fq(gh[j], .rWh)
                    let zwxY = fq(gx[h + j], .zWx), zwhY = fq(gh[h + j], .zWh)
                    let yRA = fqAdd(rwxY.0, rwhY.0, .rAdd).0, yZA = fqAdd(zwxY.0, zwhY.0, .zAdd).0
                    rangeSums[GRUOperator.rAdd.rawValue] += Double(dRadd * (yRA - (cra[i] > 0 ? 0 : vra[i])))
                    rangeSums[GRUOperator.zAdd.rawValue] += Double(dZ * (yZA - (cza[i] > 0 ? 0 : vza[i])))
                    let gRadd = cra[i] > 0 ? 0 : dRadd, gZadd = cza[i] > 0 ? 0 : dZ
                    // linear outputs
                    func linear(_ y: (Float, Bool), _ v: Float, _ d: Float, _ op: GRUOperator) -> Float {
                        rangeSums[op.rawValue] += Double(d * (y.0 - (y.1 ? 0 : v)))
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
            GEMM.addProduct(m: rows, n: h, k: g, a: dgh, lda: g, b: wh.pointer, ldb: h, c: dhs, ldc: h)
        }
        let stepRows = steps * b
        GEMM.addTransposedProduct(m: g, n: f, k: stepRows, a: dpx, lda: g, b: xq.pointer, ldb: f,
                                  c: grad + layout.weightIH.lowerBound, ldc: f)
        GEMM.addTransposedProduct(m: g, n: h, k: stepRows, a: dph, lda: g, b: hs, ldb: h,
                                  c: grad + layout.weightHH.lowerBound, ldc: h)
        for r in 0..<stepRows {
            for k in 0..<g {
                grad[layout.biasIH.lowerBound + k] += dpx[r * g + k]
                grad[layout.biasHH.lowerBound + k] += dph[r * g + k]
            }
        }
        // The input's range: the gradient reaching the quantized input, through the x products.
        let dx = dX.zeroed(max(stepRows * f, 1))
        GEMM.addProduct(m: stepRows, n: f, k: g, a: dpx, lda: g, b: wx.pointer, ldb: f, c: dx, ldc: f)
        let xvs = xv.pointer, xqs = xq.pointer
        let inputIndex = GRUOperator.input.rawValue
        let sIn = scale[inputIndex], qhigh = high[inputIndex]
        for t in 0..<steps {
            for row in 0..<batch.active[t] {
                for k in 0..<f {
                    let i = (t * b + row) * f + k
                    let saturated = abs((xvs[i] / sIn).rounded(.toNearestOrAwayFromZero)) > qhigh
                    rangeSums[inputIndex] += Double(dx[i] * (xqs[i] - (saturated ? 0 : xvs[i])))
                }
            }
        }
        for (n, op) in FakeQuantEngine.learnedOperators.enumerated() { rangeGradient[n] += rangeSums[op.rawValue] }
        return (loss, correct)
    }
}
