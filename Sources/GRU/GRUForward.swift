import Kernels

extension GRUEngine {
    /// Steps of input projection computed per product: one big product amortises the
    /// kernel's edges, while a bounded block keeps memory flat for long sequences.
    static let inputBlock = 32

    /// Runs the packed batch through the recurrent layers and the head; `logits` holds B × C in
    /// packed order afterwards. With `training`, every intermediate needed by `backward` is
    /// kept. `initialState` (packed order, layer by layer: every layer's h, L × B × H, then an
    /// LSTM's c, L × B × H; `carriedStateCount`) is the state before the first step, zero when nil. `observe`, in inference, sees every layer's every step's
    /// intermediate values after its cell has run.
    func forward(_ batch: PackedBatch, parameters p: UnsafePointer<Float>, training: Bool,
                 initialState: UnsafePointer<Float>? = nil, observe: ((GRUStepView) -> Void)? = nil) {
        precondition(observe == nil || !training, "GRUEngine.forward: steps are observed in inference only")
        let f = layout.inputSize, h = layout.hiddenSize, g = layout.gateWidth, c = layout.classCount, layers = layout.layers
        let b = batch.count, steps = batch.steps
        guard b > 0 else { return }

        // In training every state is kept (layer k's h_t at k · (T + 1) + t); in inference one
        // row block per layer is updated in place.
        let perLayer = training ? (steps + 1) * b * h : b * h
        let lstm = layout.cell == .lstm
        let all = states.zeroed(layers * perLayer)
        // An LSTM's cell states, laid out as the hidden states.
        let cells = lstm ? cellStates.zeroed(layers * perLayer) : nil
        if let initialState {
            for k in 0..<layers { (all + k * perLayer).update(from: initialState + k * b * h, count: b * h) }
            if let cells {
                for k in 0..<layers { (cells + k * perLayer).update(from: initialState + (layers + k) * b * h, count: b * h) }
            }
        }
        let block = training ? max(steps, 1) : min(max(steps, 1), Self.inputBlock)
        let gx = inputGates.reserve(block * b * g)
        let gh = hiddenGates.reserve(b * g)
        let gateStore = training ? gates.reserve(max(layers * steps * b * g, 1)) : nil
        let hnStore = training && !lstm ? hiddenN.reserve(max(layers * steps * b * h, 1)) : nil
        // Observed, one step's gates and the state before it (h, and an LSTM's c) are kept for the observer.
        let stepGates = observe == nil ? nil : gates.reserve(b * g)
        let previous = observe == nil ? nil : previousState.reserve(layout.cell.stateVectors * b * h)
        // In inference, a lower layer's outputs of the block are the next layer's input.
        let exchange = !training && layers > 1 ? blockOutputs.reserve(2 * block * b * h) : nil
        let x = UnsafePointer(batch.inputs.pointer)

        var t0 = 0
        while t0 < steps {
            let t1 = min(steps, t0 + block)
            // Rows that finished before t0 are skipped: sorted order makes them a suffix.
            let live = batch.active[t0]
            for k in 0..<layers {
                let ranges = layout.layer(k), width = ranges.inputWidth
                let hs = all + k * perLayer
                let biasIH = p + ranges.biasIH.lowerBound, biasHH = p + ranges.biasHH.lowerBound
                let wihT = UnsafePointer(weightIHT[k].pointer), whhT = UnsafePointer(weightHHT[k].pointer)
                let written = exchange.map { $0 + (k % 2) * block * b * h }
                let read = exchange.map { $0 + ((k + 1) % 2) * block * b * h }
                /// The layer's input at step t: the features, or the layer below's output.
                func input(_ t: Int) -> UnsafePointer<Float> {
                    if k == 0 { return x + t * b * f }
                    if training { return UnsafePointer(all + (k - 1) * perLayer + (t + 1) * b * h) }
                    return UnsafePointer(read! + (t - t0) * b * h)
                }
                for t in t0..<t1 {
                    GRUEngine.broadcast(biasIH, rows: live, width: g, into: gx + (t - t0) * b * g)
                    GEMM.addProduct(m: live, n: g, k: width, a: input(t), lda: width, b: wihT, ldb: g,
                                    c: gx + (t - t0) * b * g, ldc: g)
                }
                for t in t0..<t1 {
                    let rows = batch.active[t]
                    let hPrev = training ? hs + t * b * h : hs
                    let hNext = training ? hs + (t + 1) * b * h : hs
                    let cs = cells.map { $0 + k * perLayer }
                    let cPrev = cs.map { training ? $0 + t * b * h : $0 }
                    let cNext = cs.map { training ? $0 + (t + 1) * b * h : $0 }
                    GRUEngine.broadcast(biasHH, rows: rows, width: g, into: gh)
                    GEMM.addProduct(m: rows, n: g, k: h, a: hPrev, lda: h, b: whhT, ldb: g, c: gh, ldc: g)
                    previous?.update(from: hPrev, count: rows * h)
                    if let cPrev { (previous.map { $0 + b * h })?.update(from: cPrev, count: rows * h) }
                    let stepStore = gateStore.map { $0 + (k * steps + t) * b * g } ?? stepGates
                    if let cPrev, let cNext {
                        LSTMCell.forward(rows: rows, hidden: h, inputGates: gx + (t - t0) * b * g, hiddenGates: gh,
                                         previousCell: cPrev, nextCell: cNext, next: hNext, gates: stepStore)
                    } else {
                        GRUCell.forward(rows: rows, hidden: h, inputGates: gx + (t - t0) * b * g, hiddenGates: gh,
                                        previous: hPrev, next: hNext, gates: stepStore,
                                        hiddenN: hnStore.map { $0 + (k * steps + t) * b * h })
                    }
                    if k < layers - 1, let written { (written + (t - t0) * b * h).update(from: hNext, count: rows * h) }
                    if let observe, let stepGates, let previous {
                        observe(GRUStepView(layer: k, rows: rows, features: width, hidden: h, input: input(t),
                                            inputGates: gx + (t - t0) * b * g, hiddenGates: gh, gates: stepGates,
                                            previous: previous, next: hNext,
                                            previousCell: cPrev == nil ? nil : UnsafePointer(previous + b * h),
                                            nextCell: cNext.map { UnsafePointer($0) }))
                    }
                }
            }
            t0 = t1
        }

        // Each row's top state after its own last step; in inference finished rows were never touched.
        let top = all + (layers - 1) * perLayer
        let final: UnsafeMutablePointer<Float>
        if training {
            final = finalState.reserve(b * h)
            for row in 0..<b {
                (final + row * h).update(from: top + batch.lengths[row] * b * h + row * h, count: h)
            }
        } else {
            final = top
        }
        let out = logits.reserve(b * c)
        GRUEngine.broadcast(p + layout.fcBias.lowerBound, rows: b, width: c, into: out)
        GEMM.addProduct(m: b, n: c, k: h, a: final, lda: h, b: fcWeightT.pointer, ldb: c, c: out, ldc: c)
    }
}

/// The GRU cell's elementwise part, fused over 16 lanes of the hidden state.
enum GRUCell {
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ width: Int) -> SIMD16<Float> {
        width == 16 ? UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) : Activations.loadPartial(p, count: width)
    }

    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ width: Int) {
        if width == 16 {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
        } else {
            Activations.storePartial(v, to: p, count: width)
        }
    }

    /// r, z, n and h' for `rows` rows from the two gate projections (biases included).
    /// `next` may alias `previous`: each lane is read before it is written.
    @inline(__always)
    static func forward(
        rows: Int, hidden h: Int,
        inputGates gx: UnsafePointer<Float>, hiddenGates gh: UnsafePointer<Float>,
        previous: UnsafePointer<Float>, next: UnsafeMutablePointer<Float>,
        gates: UnsafeMutablePointer<Float>?, hiddenN: UnsafeMutablePointer<Float>?
    ) {
        let g = 3 * h
        for row in 0..<rows {
            let xr = gx + row * g, hr = gh + row * g
            let hp = previous + row * h, hq = next + row * h
            var j = 0
            while j < h {
                let w = min(16, h - j)
                let r = Activations.sigmoid(load(xr + j, w) + load(hr + j, w))
                let z = Activations.sigmoid(load(xr + h + j, w) + load(hr + h + j, w))
                let hn = load(hr + 2 * h + j, w)
                let n = Activations.tanh(load(xr + 2 * h + j, w) + r * hn)
                let old = load(hp + j, w)
                // (1 − z)·n + z·h, one multiply shorter.
                store(n + z * (old - n), hq + j, w)
                if let gates {
                    let gr = gates + row * g
                    store(r, gr + j, w)
                    store(z, gr + h + j, w)
                    store(n, gr + 2 * h + j, w)
                }
                if let hiddenN { store(hn, hiddenN + row * h + j, w) }
                j += 16
            }
        }
    }
}

/// The LSTM cell's elementwise part, fused over 16 lanes of the hidden state.
enum LSTMCell {
    /// i, f, g, o, c' and h' for `rows` rows from the two gate projections (biases included).
    /// `nextCell` may alias `previousCell`: each lane is read before it is written.
    @inline(__always)
    static func forward(
        rows: Int, hidden h: Int,
        inputGates gx: UnsafePointer<Float>, hiddenGates gh: UnsafePointer<Float>,
        previousCell: UnsafePointer<Float>, nextCell: UnsafeMutablePointer<Float>, next: UnsafeMutablePointer<Float>,
        gates: UnsafeMutablePointer<Float>?
    ) {
        let g = 4 * h
        for row in 0..<rows {
            let xr = gx + row * g, hr = gh + row * g
            var j = 0
            while j < h {
                let w = min(16, h - j)
                let i = Activations.sigmoid(GRUCell.load(xr + j, w) + GRUCell.load(hr + j, w))
                let f = Activations.sigmoid(GRUCell.load(xr + h + j, w) + GRUCell.load(hr + h + j, w))
                let n = Activations.tanh(GRUCell.load(xr + 2 * h + j, w) + GRUCell.load(hr + 2 * h + j, w))
                let o = Activations.sigmoid(GRUCell.load(xr + 3 * h + j, w) + GRUCell.load(hr + 3 * h + j, w))
                let c = f * GRUCell.load(previousCell + row * h + j, w) + i * n
                GRUCell.store(c, nextCell + row * h + j, w)
                GRUCell.store(o * Activations.tanh(c), next + row * h + j, w)
                if let gates {
                    let gr = gates + row * g
                    GRUCell.store(i, gr + j, w)
                    GRUCell.store(f, gr + h + j, w)
                    GRUCell.store(n, gr + 2 * h + j, w)
                    GRUCell.store(o, gr + 3 * h + j, w)
                }
                j += 16
            }
        }
    }
}
