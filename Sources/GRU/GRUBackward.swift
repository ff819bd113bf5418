import Foundation
import Kernels

extension GRUEngine {
    /// Cross-entropy on the logits of the last `forward(training: true)`, then BPTT.
    ///
    /// Adds the gradient of `lossScale · Σ loss` to `gradient` (flat, `ParameterLayout`
    /// order) and returns the unscaled loss sum and the number of correct predictions.
    /// `labels` are in packed row order. Rows that finished early keep their state
    /// unchanged, so their state gradient is carried through those steps untouched.
    func backward(
        _ batch: PackedBatch, labels: [Int], parameters p: UnsafePointer<Float>,
        gradient grad: UnsafeMutablePointer<Float>, lossScale: Float
    ) -> (loss: Double, correct: Int) {
        let h = layout.hiddenSize, g = layout.gateWidth, c = layout.classCount
        let b = batch.count, steps = batch.steps
        guard b > 0 else { return (0, 0) }

        let dLogits = logitGradient.reserve(b * c)
        let (loss, correct) = GRUEngine.softmaxCrossEntropy(
            logits: logits.pointer, labels: labels, rows: b, classes: c, scale: lossScale, gradient: dLogits)

        let final = UnsafePointer(finalState.pointer)
        GEMM.addTransposedProduct(m: c, n: h, k: b, a: dLogits, lda: c, b: final, ldb: h,
                                  c: grad + layout.fcWeight.lowerBound, ldc: h)
        GRUEngine.addColumnSums(rows: b, width: c, dLogits, into: grad + layout.fcBias.lowerBound)

        // Gradient reaching each row's final state from the head; injected at its last step.
        let dFinal = hiddenGates.zeroed(b * h)
        GEMM.addProduct(m: b, n: h, k: c, a: dLogits, lda: c, b: p + layout.fcWeight.lowerBound, ldb: h, c: dFinal, ldc: h)

        let layers = layout.layers, perLayer = (steps + 1) * b * h, stepRows = steps * b
        // The gradient at each step's output of the layer below, from the layer above's input products.
        let dOut = layers > 1 ? outputGradient.reserve(max(stepRows * h, 1)) : nil
        for k in stride(from: layers - 1, through: 0, by: -1) {
            let ranges = layout.layer(k), width = ranges.inputWidth
            let dh = stateGradient.zeroed(b * h)
            let dgx = inputGateGradient.reserve(max(steps * b * g, 1))
            let dgh = hiddenGateGradient.reserve(max(steps * b * g, 1))
            // The cells write every row that has step t; only the rows without it, which the
            // products and sums over all steps read too, are zeroed (not the whole buffer).
            for t in 0..<steps where batch.active[t] < b {
                let first = batch.active[t]
                (dgx + (t * b + first) * g).update(repeating: 0, count: (b - first) * g)
                (dgh + (t * b + first) * g).update(repeating: 0, count: (b - first) * g)
            }
            let hs = UnsafePointer(states.pointer + k * perLayer)
            let gateStore = UnsafePointer(gates.pointer + k * steps * b * g)
            let lstm = layout.cell == .lstm
            let hnStore = lstm ? nil : UnsafePointer(hiddenN.pointer + k * steps * b * h)
            let cs = lstm ? UnsafePointer(cellStates.pointer + k * perLayer) : nil
            let dc = lstm ? cellGradient.zeroed(b * h) : nil
            let whh = p + ranges.weightHH.lowerBound

            var t = steps - 1
            while t >= 0 {
                let rows = batch.active[t]
                if k == layers - 1 {
                    for row in batch.active[t + 1]..<rows {
                        (dh + row * h).update(from: dFinal + row * h, count: h)
                    }
                } else if let dOut {
                    let above = dOut + t * b * h
                    for i in 0..<(rows * h) { dh[i] += above[i] }
                }
                if let cs, let dc {
                    LSTMCell.backward(rows: rows, hidden: h, gates: gateStore + t * b * g, previousCell: cs + t * b * h,
                                      cell: cs + (t + 1) * b * h, stateGradient: dh, cellGradient: dc,
                                      inputGateGradient: dgx + t * b * g, hiddenGateGradient: dgh + t * b * g)
                } else if let hnStore {
                    GRUCell.backward(rows: rows, hidden: h, gates: gateStore + t * b * g, hiddenN: hnStore + t * b * h,
                                     previous: hs + t * b * h, stateGradient: dh,
                                     inputGateGradient: dgx + t * b * g, hiddenGateGradient: dgh + t * b * g)
                }
                GEMM.addProduct(m: rows, n: h, k: g, a: dgh + t * b * g, lda: g, b: whh, ldb: h, c: dh, ldc: h)
                t -= 1
            }

            // Weight gradients summed over all steps at once: one tall product each. The layer's
            // input is the features, or the layer below's outputs h_1 … h_T.
            let input = k == 0 ? UnsafePointer(batch.inputs.pointer) : UnsafePointer(states.pointer + (k - 1) * perLayer + b * h)
            GEMM.addTransposedProduct(m: g, n: width, k: stepRows, a: dgx, lda: g, b: input, ldb: width,
                                      c: grad + ranges.weightIH.lowerBound, ldc: width)
            GEMM.addTransposedProduct(m: g, n: h, k: stepRows, a: dgh, lda: g, b: hs, ldb: h,
                                      c: grad + ranges.weightHH.lowerBound, ldc: h)
            GRUEngine.addColumnSums(rows: stepRows, width: g, dgx, into: grad + ranges.biasIH.lowerBound)
            GRUEngine.addColumnSums(rows: stepRows, width: g, dgh, into: grad + ranges.biasHH.lowerBound)
            if k > 0, let dOut {
                dOut.update(repeating: 0, count: stepRows * h)
                GEMM.addProduct(m: stepRows, n: h, k: g, a: dgx, lda: g, b: p + ranges.weightIH.lowerBound, ldb: h, c: dOut, ldc: h)
            }
        }
        return (loss, correct)
    }

    /// Softmax cross-entropy per row: loss sum, correct count, and `scale · (softmax − onehot)`.
    static func softmaxCrossEntropy(
        logits: UnsafePointer<Float>, labels: [Int], rows: Int, classes: Int, scale: Float,
        gradient: UnsafeMutablePointer<Float>?
    ) -> (loss: Double, correct: Int) {
        var loss = 0.0
        var correct = 0
        for row in 0..<rows {
            let z = logits + row * classes
            var best = 0
            var top = z[0]
            for k in 1..<max(classes, 1) where z[k] > top { top = z[k]; best = k }
            if best == labels[row] { correct += 1 }
            var sum: Float = 0
            for k in 0..<classes { sum += Foundation.exp(z[k] - top) }
            loss += Double(Foundation.log(sum) - (z[labels[row]] - top))
            if let gradient {
                let d = gradient + row * classes
                for k in 0..<classes {
                    d[k] = scale * (Foundation.exp(z[k] - top) / sum - (k == labels[row] ? 1 : 0))
                }
            }
        }
        return (loss, correct)
    }

    /// `dst[j] += Σ_rows src[row][j]`.
    static func addColumnSums(rows: Int, width: Int, _ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: width) { acc in
            // Double accumulation: bias gradients sum thousands of step rows.
            for j in 0..<width { acc[j] = 0 }
            for row in 0..<rows {
                let s = src + row * width
                for j in 0..<width { acc[j] += Double(s[j]) }
            }
            for j in 0..<width { dst[j] += Float(acc[j]) }
        }
    }
}

extension GRUCell {
    /// One step back through the cell for `rows` rows. On entry `stateGradient` holds
    /// ∂L/∂h_t; on return it holds the direct part of ∂L/∂h_{t−1} (z ⊙ ∂L/∂h_t), to which
    /// the caller adds the recurrent product. Writes the gate pre-activation gradients.
    @inline(__always)
    static func backward(
        rows: Int, hidden h: Int,
        gates: UnsafePointer<Float>, hiddenN: UnsafePointer<Float>, previous: UnsafePointer<Float>,
        stateGradient dh: UnsafeMutablePointer<Float>,
        inputGateGradient dgx: UnsafeMutablePointer<Float>, hiddenGateGradient dgh: UnsafeMutablePointer<Float>
    ) {
        let g = 3 * h
        for row in 0..<rows {
            let gr = gates + row * g
            let dxr = dgx + row * g, dhr = dgh + row * g
            var j = 0
            while j < h {
                let w = min(16, h - j)
                let grad = load(dh + row * h + j, w)
                let r = load(gr + j, w), z = load(gr + h + j, w), n = load(gr + 2 * h + j, w)
                let old = load(previous + row * h + j, w)
                let hn = load(hiddenN + row * h + j, w)
                let dn = grad * (1 - z)
                let dz = grad * (old - n)
                let dan = dn * (1 - n * n)
                let dar = dan * hn * r * (1 - r)
                let daz = dz * z * (1 - z)
                store(dar, dxr + j, w); store(daz, dxr + h + j, w); store(dan, dxr + 2 * h + j, w)
                store(dar, dhr + j, w); store(daz, dhr + h + j, w); store(dan * r, dhr + 2 * h + j, w)
                store(grad * z, dh + row * h + j, w)
                j += 16
            }
        }
    }
}

extension LSTMCell {
    /// One step back through the cell for `rows` rows. On entry `stateGradient` holds
    /// ∂L/∂h_t and `cellGradient` ∂L/∂c_t from the steps after it; on return `cellGradient`
    /// holds ∂L/∂c_{t−1} and `stateGradient` zero (h_{t−1} reaches the step only through the
    /// recurrent product, which the caller adds). Writes the gate pre-activation gradients,
    /// the same for the input and the recurrent projections.
    @inline(__always)
    static func backward(
        rows: Int, hidden h: Int,
        gates: UnsafePointer<Float>, previousCell: UnsafePointer<Float>, cell: UnsafePointer<Float>,
        stateGradient dh: UnsafeMutablePointer<Float>, cellGradient dc: UnsafeMutablePointer<Float>,
        inputGateGradient dgx: UnsafeMutablePointer<Float>, hiddenGateGradient dgh: UnsafeMutablePointer<Float>
    ) {
        let g = 4 * h
        for row in 0..<rows {
            let gr = gates + row * g
            let dxr = dgx + row * g, dhr = dgh + row * g
            var j = 0
            while j < h {
                let w = min(16, h - j)
                let grad = GRUCell.load(dh + row * h + j, w)
                let i = GRUCell.load(gr + j, w), f = GRUCell.load(gr + h + j, w)
                let n = GRUCell.load(gr + 2 * h + j, w), o = GRUCell.load(gr + 3 * h + j, w)
                let tc = Activations.tanh(GRUCell.load(cell + row * h + j, w))
                let dcell = GRUCell.load(dc + row * h + j, w) + grad * o * (1 - tc * tc)
                let dai = dcell * n * i * (1 - i)
                let daf = dcell * GRUCell.load(previousCell + row * h + j, w) * f * (1 - f)
                let dan = dcell * i * (1 - n * n)
                let dao = grad * tc * o * (1 - o)
                GRUCell.store(dai, dxr + j, w); GRUCell.store(daf, dxr + h + j, w)
                GRUCell.store(dan, dxr + 2 * h + j, w); GRUCell.store(dao, dxr + 3 * h + j, w)
                GRUCell.store(dai, dhr + j, w); GRUCell.store(daf, dhr + h + j, w)
                GRUCell.store(dan, dhr + 2 * h + j, w); GRUCell.store(dao, dhr + 3 * h + j, w)
                GRUCell.store(dcell * f, dc + row * h + j, w)
                GRUCell.store(SIMD16<Float>(repeating: 0), dh + row * h + j, w)
                j += 16
            }
        }
    }
}
