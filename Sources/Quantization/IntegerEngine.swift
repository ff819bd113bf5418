import CIntegerKernels
import Dispatch
import Foundation

/// A quantized network laid out for the batched engine: each layer prepared on its own (its
/// kernels chosen for its widths), run one after the other over a chunk's steps, the layer
/// below's state codes written out step by step as the input codes of the layer above.
/// Built once per configuration.
final class PreparedIntegerNetwork: @unchecked Sendable {
    // @unchecked: immutable after init.
    let model: QuantizedGRU
    /// Bottom to top.
    let layers: [PreparedIntegerLayer]
    /// The largest of the layers' (a workspace serves them all).
    let gateColumns: Int, hiddenPadded: Int
    /// The first layer's: how the evaluator encodes the input codes.
    var inputMode: PreparedIntegerLayer.ProductMode { layers[0].inputMode }
    var featuresPadded: Int { layers[0].featuresPadded }

    init(_ q: QuantizedGRU, kernels: IntegerKernelSet = .automatic) {
        model = q
        layers = (0..<q.layers.count).map { PreparedIntegerLayer(q.layer($0), kernels: kernels) }
        gateColumns = layers.map(\.gateColumns).max()!
        hiddenPadded = layers.map(\.hiddenPadded).max()!
    }

    /// Which kernels run: one layer's path (see `IntegerEvaluator.kernelPath`), or each layer's
    /// (`l0 avx512 narrow, l1 portable`) when they differ.
    var kernelPath: String {
        let paths = layers.map(\.kernelPath)
        if Set(paths).count == 1 { return paths[0] }
        return paths.enumerated().map { "l\($0.offset) \($0.element)" }.joined(separator: ", ")
    }

    /// Runs one chunk: `codes` holds the input codes time-major (steps × rows × featuresPadded,
    /// encoded for the first layer's product mode), `active[t]` rows run at step t (a prefix:
    /// rows are sorted by length, longest first). Writes rows × classes logits.
    func run(chunkRows rows: Int, steps: Int, active: [Int], codes: UnsafeRawPointer,
             workspace ws: IntegerWorkspace, logits: UnsafeMutablePointer<Int64>) {
        var input = codes
        for (k, layer) in layers.enumerated() {
            var emit: PreparedIntegerLayer.Emit?
            if k + 1 < layers.count {
                let above = layers[k + 1]
                let buffer = ws.layerCodes(k % 2, count: steps * rows * above.featuresPadded, mode: above.inputMode)
                emit = .init(codes: buffer, mode: above.inputMode, featuresPadded: above.featuresPadded)
            }
            layer.run(chunkRows: rows, steps: steps, active: active, codes: input, workspace: ws, emit: emit)
            if let emit { input = UnsafeRawPointer(emit.codes) }
        }
        // The head on the top layer's state, its arrays opened once per chunk (not per row and class).
        let head = model.head, hidden = model.hiddenSize, classes = model.classCount, hp = layers[layers.count - 1].hiddenPadded
        head.weights.withUnsafeBufferPointer { w in
            head.bias.withUnsafeBufferPointer { bias in
                for row in 0..<rows {
                    let state = ws.state32 + row * hp
                    for c in 0..<classes {
                        var acc = bias[c]
                        let weights = w.baseAddress! + c * hidden
                        for k in 0..<hidden { acc &+= Int64(weights[k]) &* Int64(state[k]) }
                        logits[row * classes + c] = acc
                    }
                }
            }
        }
    }
}

/// One recurrent layer (a single-layer `QuantizedGRU` view) laid out for the batched engine:
/// padded, packed and with every constant the inner loops need precomputed.
final class PreparedIntegerLayer: @unchecked Sendable {
    // @unchecked: every property is immutable after init and the arrays are never written again.
    let model: QuantizedGRU
    let features: Int, featuresPadded: Int
    let hidden: Int, hiddenPadded: Int
    let classes: Int
    /// 3 · hiddenPadded: the r, z, n blocks side by side.
    var gateColumns: Int { 3 * hiddenPadded }

    /// How a side's products run: on bytes (AVX-512 VNNI or AVX-VNNI, codes + 128), on int16 codes
    /// offset by 2^14, on plain int16 codes, or in int64 when the sums outgrow int32.
    enum ProductMode { case bytes, offset, plain, wide }
    let inputMode: ProductMode
    let stateMode: ProductMode

    /// Packed weights (offset/plain) for x and h products.
    let inputWeights: [Int16]
    let stateWeights: [Int16]
    /// Per gate column bias (int32, offset contribution folded in when in offset mode).
    let inputBias: [Int32]
    let stateBias: [Int32]
    /// Row-major weights and int64 biases for the wide path, per gate column.
    let inputWeightsWide: [Int64], stateWeightsWide: [Int64]
    let inputBiasWide: [Int64], stateBiasWide: [Int64]
    /// Per gate column requantizer and bounds of the linear outputs.
    let inputRequant: [RequantizerS64], stateRequant: [RequantizerS64]
    let inputLow: [Int64], inputHigh: [Int64], stateLow: [Int64], stateHigh: [Int64]

    // Elementwise constants.
    let rescales: GRURescales<RequantizerS64>
    let nMul: RequantizerS64, hMulN: RequantizerS64, hMulH: RequantizerS64
    let hSubOne: Int64
    let bounds: [(low: Int64, high: Int64)]
    /// Tables with the index offset folded in: `table[code + half]`.
    let tableR: [Int32], tableZ: [Int32], tableN: [Int32]
    let halfR: Int64, halfZ: Int64, halfN: Int64
    /// Constants of the vectorised elementwise path in Swift; nil when it would overflow
    /// 32 bits or when the C step runs instead.
    let fast: FastCellConstants?
    /// Constants of the C step: on AVX-512 products and cell, on AVX2 the narrow cell (its
    /// products are the int16 ones, or with AVX-VNNI byte ones); nil on other CPUs, with
    /// `.portable` kernels, when the cell's rescales need 64 bits, or on AVX2 when the narrow
    /// cell cannot run.
    let vectorStep: VectorStep?
    /// The kernel set whose products run (`effective`).
    let instructions: IntegerKernelSet

    /// `q` is one layer: a single-layer model or a stack's `layer(k)`.
    init(_ q: QuantizedGRU, kernels: IntegerKernelSet = .automatic) {
        precondition(q.layers.count == 1, "PreparedIntegerLayer: prepare a stack's layers one at a time (QuantizedGRU.layer)")
        model = q
        let rescalers = GRURescales(lanes: q)
        let anyWide = [GRUOperator.rWx, .zWx, .nWx, .rWh, .zWh, .nWh].contains { q.linear($0).wideAccumulator }
        let instructions = kernels.effective
        self.instructions = instructions
        let useAVX512 = instructions == .avx512 && rescalers != nil && !anyWide
        // AVX-VNNI is AVX2 with a byte product: the same cell, the AVX-512 products' packing.
        let useAVX2 = instructions.runsAVX2Products && rescalers != nil && !anyWide
        var bytes = (useAVX512 || (useAVX2 && instructions == .avxvnni)) && VectorStep.bytesFit(q)
        features = q.inputSize
        hidden = q.hiddenSize
        // The AVX-512 narrow cell takes 32 units at a time, the AVX2 one and Swift's 16.
        hiddenPadded = useAVX512 ? (q.hiddenSize + 31) / 32 * 32 : (q.hiddenSize + 15) / 16 * 16
        classes = q.classCount
        let h = hidden, hp = hiddenPadded, g = 3 * hp

        let inputOps: [GRUOperator] = [.rWx, .zWx, .nWx], stateOps: [GRUOperator] = [.rWh, .zWh, .nWh]
        func mode(_ ops: [GRUOperator], inputBits: Int, bytes: Bool) -> ProductMode {
            if bytes { return .bytes }
            if ops.contains(where: { q.linear($0).wideAccumulator }) { return .wide }
            return inputBits <= 15 ? .offset : .plain
        }
        func padded(bytes: Bool) -> Int { bytes ? (q.inputSize + 3) / 4 * 4 : (q.inputSize + 1) / 2 * 2 }

        /// The packed weights of each product mode, and the side's constants (`side`: bias, requantizers, bounds, sum bounds).
        typealias Built = (packed: [Int16], wide: [Int64], wideBias: [Int64], side: VectorStep.Side)
        func build(_ ops: [GRUOperator], depth: Int, depthPadded: Int, mode: ProductMode, inputMax: Int64) -> Built {
            // The three layers' weights gathered once as a dense g × depth matrix: reading
            // them through `q.linear(op)` per element copied the layer (and retained its
            // arrays) 12,000 times per configuration, a third of a search's time on vowels.
            var dense = [Int16](repeating: 0, count: g * depth)
            for (gate, op) in ops.enumerated() {
                let layer = q.linear(op)
                layer.weights.withUnsafeBufferPointer { w in
                    for j in 0..<h {
                        for k in 0..<depth { dense[(gate * hp + j) * depth + k] = w[j * layer.columns + k] }
                    }
                }
            }
            var bias = [Int32](repeating: 0, count: g), wideBias = [Int64](repeating: 0, count: g)
            var rq = [RequantizerS64](repeating: RequantizerS64(), count: g)
            var low = [Int64](repeating: 0, count: g), high = [Int64](repeating: 0, count: g)
            var sumBound = [Int64](repeating: 0, count: g)
            for (gate, op) in ops.enumerated() {
                let layer = q.linear(op)
                let (lo, hi) = q.bounds(op)
                for j in 0..<hp {
                    let c = gate * hp + j
                    low[c] = lo; high[c] = hi
                    guard j < h else { continue }
                    rq[c] = RequantizerS64(layer.requantizer(row: j))
                    wideBias[c] = layer.bias[j]
                    var b = layer.bias[j]
                    if mode == .offset || mode == .bytes {
                        // The inputs carry an offset; its share of the sum moves into the bias.
                        var sum: Int64 = 0
                        for k in 0..<depth { sum += Int64(dense[c * depth + k]) }
                        b -= Int64(mode == .bytes ? 128 : IntegerKernels.offset) * sum
                    }
                    bias[c] = Int32(truncatingIfNeeded: b)
                }
            }
            var packed: [Int16] = [], wide: [Int64] = [], bytes: [Int8]?
            dense.withUnsafeBufferPointer { d in
                if mode == .wide {
                    wide = d.map(Int64.init)
                } else if mode == .bytes {
                    bytes = IntegerKernels.pack(weights: { d[$0 * depth + $1] }, columns: g, depth: depth, columnsPadded: g,
                                                depthPadded: depthPadded, group: 4, as: Int8.self)
                } else {
                    packed = IntegerKernels.pack(weights: { d[$0 * depth + $1] }, columns: g, depth: depth, columnsPadded: g, depthPadded: depthPadded)
                }
            }
            for c in 0..<g {
                var total: Int64 = 0
                for k in 0..<depth { total += Int64(abs(Int32(dense[c * depth + k]))) }
                sumBound[c] = total * inputMax + abs(wideBias[c])
            }
            return (packed, wide, wideBias, VectorStep.Side(bias: bias, requant: rq, low: low, high: high, bytes: bytes, sumBound: sumBound))
        }
        func sides(bytes: Bool) -> (x: Built, s: Built) {
            (build(inputOps, depth: q.inputSize, depthPadded: padded(bytes: bytes), mode: mode(inputOps, inputBits: q.bits[.input], bytes: bytes),
                   inputMax: q.largestCode(.input)),
             build(stateOps, depth: h, depthPadded: hp, mode: mode(stateOps, inputBits: q.bits[.hAdd], bytes: bytes), inputMax: q.largestCode(.hAdd)))
        }
        var (x, s) = sides(bytes: bytes)
        var step: VectorStep?
        if useAVX512 || useAVX2, let c = rescalers {
            step = VectorStep(q, instructions: instructions, rescalers: c, hiddenPadded: hp, input: x.side, state: s.side)
            // AVX2 has no 32-bit cell of its own: without the narrow cell its int16 products
            // run before the Swift cell, and AVX-VNNI's byte products, which need the narrow
            // cell's byte codes, give way to them.
            if useAVX2, step?.narrow == false {
                step?.deallocate()
                step = nil
                if bytes {
                    bytes = false
                    (x, s) = sides(bytes: false)
                }
            }
        }
        featuresPadded = padded(bytes: bytes)
        inputMode = mode(inputOps, inputBits: q.bits[.input], bytes: bytes)
        stateMode = mode(stateOps, inputBits: q.bits[.hAdd], bytes: bytes)
        inputWeights = x.packed; inputBias = x.side.bias; inputWeightsWide = x.wide; inputBiasWide = x.wideBias
        inputRequant = x.side.requant; inputLow = x.side.low; inputHigh = x.side.high
        stateWeights = s.packed; stateBias = s.side.bias; stateWeightsWide = s.wide; stateBiasWide = s.wideBias
        stateRequant = s.side.requant; stateLow = s.side.low; stateHigh = s.side.high

        rescales = GRURescales(q).map(RequantizerS64.init)
        nMul = RequantizerS64(q.mulRequantizers[.nMul]!)
        hMulN = RequantizerS64(q.mulRequantizers[.hMulN]!)
        hMulH = RequantizerS64(q.mulRequantizers[.hMulH]!)
        hSubOne = q.hSubOne
        bounds = GRUOperator.allCases.map { q.bounds($0) }
        tableR = q.tables[.gateR]!.entries; halfR = Int64(1) << (q.bits[.rAdd] - 1)
        tableZ = q.tables[.gateZ]!.entries; halfZ = Int64(1) << (q.bits[.zAdd] - 1)
        tableN = q.tables[.gateN]!.entries; halfN = Int64(1) << (q.bits[.nAdd] - 1)
        vectorStep = step
        if step != nil {
            fast = nil
        } else {
            fast = rescalers.map {
                PreparedIntegerLayer.fastConstants(q, rescalers: $0, hiddenPadded: hp, inputBias: x.side.bias, stateBias: s.side.bias,
                                                 inputRequant: x.side.requant, stateRequant: s.side.requant,
                                                 inputLow: x.side.low, inputHigh: x.side.high, stateLow: s.side.low, stateHigh: s.side.high)
            }
        }
    }

    deinit {
        fast?.deallocate()
        vectorStep?.deallocate()
    }
}

/// Buffers one worker reuses across chunks.
final class IntegerWorkspace {
    var inputAcc: UnsafeMutablePointer<Int32>
    var stateAcc: UnsafeMutablePointer<Int32>
    var state16: UnsafeMutablePointer<Int16>
    /// The state as bytes (code + 128) for the AVX-512 byte products.
    var state8: UnsafeMutablePointer<UInt8>
    var state32: UnsafeMutablePointer<Int32>
    /// 32 int32 for lane lookups.
    var lanes: UnsafeMutablePointer<Int32>
    let rows: Int, columns: Int, hiddenPadded: Int
    /// A stack's state codes between layers: two buffers, written and read in turn.
    private var between: [(memory: UnsafeMutableRawPointer, bytes: Int)?] = [nil, nil]

    init(rows: Int, gateColumns: Int, hiddenPadded: Int) {
        self.rows = rows; columns = gateColumns; self.hiddenPadded = hiddenPadded
        inputAcc = .allocate(capacity: rows * gateColumns)
        stateAcc = .allocate(capacity: rows * gateColumns)
        state16 = .allocate(capacity: rows * hiddenPadded)
        state8 = .allocate(capacity: rows * hiddenPadded)
        state32 = .allocate(capacity: rows * hiddenPadded)
        lanes = .allocate(capacity: 32)
    }

    deinit {
        inputAcc.deallocate(); stateAcc.deallocate(); state16.deallocate(); state8.deallocate(); state32.deallocate(); lanes.deallocate()
        for buffer in between { buffer?.memory.deallocate() }
    }

    /// Buffer `index` (0 or 1), room for `count` codes of `mode`'s type, every code the encoded
    /// zero: the padding columns past the hidden size are read as zero codes.
    func layerCodes(_ index: Int, count: Int, mode: PreparedIntegerLayer.ProductMode) -> UnsafeMutableRawPointer {
        let byteCount = max(count * (mode == .bytes ? 1 : 2), 2)
        if let buffer = between[index], buffer.bytes < byteCount {
            buffer.memory.deallocate()
            between[index] = nil
        }
        let memory = between[index]?.memory ?? UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
        if between[index] == nil { between[index] = (memory, byteCount) }
        let zero = PreparedIntegerLayer.encodedZero(mode)
        if mode == .bytes {
            memory.initializeMemory(as: UInt8.self, repeating: UInt8(zero), count: count)
        } else {
            memory.initializeMemory(as: Int16.self, repeating: zero, count: count)
        }
        return memory
    }
}

extension PreparedIntegerLayer {
    /// Where a layer below writes its state codes for the layer above: steps × rows ×
    /// featuresPadded codes in the above layer's product mode.
    struct Emit {
        let codes: UnsafeMutableRawPointer
        let mode: ProductMode
        let featuresPadded: Int
    }

    /// The code 0 as a product mode reads it: offset by 128 as a byte, by 2^14 in offset mode.
    static func encodedZero(_ mode: ProductMode) -> Int16 {
        switch mode {
        case .bytes: return 128
        case .offset: return Int16(IntegerKernels.offset)
        case .plain, .wide: return 0
        }
    }

    /// Which kernels run this layer (see `IntegerEvaluator.kernelPath`).
    var kernelPath: String {
        if let a = vectorStep { return a.instructions.rawValue + (a.narrow ? " narrow" : "") }
        guard fast != nil, inputMode != .wide, stateMode != .wide else { return "scalar" }
        return instructions.runsAVX2Products ? "avx2" : "portable"
    }

    /// Runs the layer over one chunk: `codes` holds its input codes time-major (steps × rows ×
    /// featuresPadded, encoded for `inputMode`), `active[t]` rows run at step t (a prefix: rows
    /// are sorted by length, longest first). Leaves the final state in the workspace
    /// (`state32`, stride `hiddenPadded`); with `emit`, writes every step's state there too.
    func run(chunkRows rows: Int, steps: Int, active: [Int], codes raw: UnsafeRawPointer,
             workspace ws: IntegerWorkspace, emit: Emit?) {
        let hp = hiddenPadded, g = gateColumns, fp = featuresPadded
        let stateOffset: Int16 = stateMode == .offset ? Int16(IntegerKernels.offset) : 0
        ws.state16.initialize(repeating: stateOffset, count: rows * hp)
        ws.state8.initialize(repeating: 128, count: rows * hp)
        ws.state32.initialize(repeating: 0, count: rows * hp)
        let codes = raw.assumingMemoryBound(to: Int16.self)
        /// The state of the step's `m` active rows, encoded for the layer above.
        func emitStep(_ t: Int, _ m: Int) {
            guard let emit else { return }
            let add = Int32(PreparedIntegerLayer.encodedZero(emit.mode)), h = hidden
            if emit.mode == .bytes {
                let out = emit.codes.assumingMemoryBound(to: UInt8.self) + t * rows * emit.featuresPadded
                for row in 0..<m {
                    let state = ws.state32 + row * hp, o = out + row * emit.featuresPadded
                    for j in 0..<h { o[j] = UInt8(truncatingIfNeeded: state[j] &+ add) }
                }
            } else {
                let out = emit.codes.assumingMemoryBound(to: Int16.self) + t * rows * emit.featuresPadded
                for row in 0..<m {
                    let state = ws.state32 + row * hp, o = out + row * emit.featuresPadded
                    for j in 0..<h { o[j] = Int16(truncatingIfNeeded: state[j] &+ add) }
                }
            }
        }
        if let a = vectorStep {
            runVector(a, rows: rows, steps: steps, active: active, codes: raw, workspace: ws, stateOffset: Int32(stateOffset),
                      afterStep: emitStep)
        } else if let k = fast, inputMode != .wide, stateMode != .wide {
            tableR.withUnsafeBufferPointer { tr in
                tableZ.withUnsafeBufferPointer { tz in
                    tableN.withUnsafeBufferPointer { tn in
                        let tables = (tr.baseAddress! + Int(halfR), tz.baseAddress! + Int(halfZ), tn.baseAddress! + Int(halfN))
                        inputWeights.withUnsafeBufferPointer { wx in
                            stateWeights.withUnsafeBufferPointer { wh in
                                for t in 0..<steps {
                                    let m = active[t]
                                    guard m > 0 else { break }
                                    products16(rows: m, x: codes + t * rows * fp, wx: wx.baseAddress!, wh: wh.baseAddress!, workspace: ws)
                                    requantizeFast(rows: m, sums: ws.inputAcc, side: k.input)
                                    requantizeFast(rows: m, sums: ws.stateAcc, side: k.state)
                                    for row in 0..<m {
                                        cellFast(x: ws.inputAcc + row * g, h: ws.stateAcc + row * g, state: ws.state32 + row * hp,
                                                 state16: ws.state16 + row * hp, stateOffset: Int32(stateOffset), k, hiddenPadded: hp,
                                                 scratch: ws.lanes, tables: tables)
                                    }
                                    emitStep(t, m)
                                }
                            }
                        }
                    }
                }
            }
        } else {
            for t in 0..<steps {
                let m = active[t]
                guard m > 0 else { break }
                let x = codes + t * rows * fp
                linearCodes(rows: m, input: x, lda: fp, depth: features, pairs: fp / 2, mode: inputMode,
                            packed: inputWeights, bias: inputBias, wide: inputWeightsWide, wideBias: inputBiasWide,
                            requant: inputRequant, low: inputLow, high: inputHigh, out: ws.inputAcc)
                linearCodes(rows: m, input: UnsafePointer(ws.state16), lda: hp, depth: hidden, pairs: hp / 2, mode: stateMode,
                            packed: stateWeights, bias: stateBias, wide: stateWeightsWide, wideBias: stateBiasWide,
                            requant: stateRequant, low: stateLow, high: stateHigh, out: ws.stateAcc)
                for row in 0..<m {
                    cell(x: ws.inputAcc + row * g, h: ws.stateAcc + row * g, state: ws.state32 + row * hp, state16: ws.state16 + row * hp,
                         stateOffset: Int64(stateOffset))
                }
                emitStep(t, m)
            }
        }
    }

    /// One step's x and h products on int16 codes (offset or plain) into the workspace sums.
    @inline(__always)
    private func products16(rows m: Int, x: UnsafePointer<Int16>, wx: UnsafePointer<Int16>, wh: UnsafePointer<Int16>,
                            workspace ws: IntegerWorkspace) {
        let hp = hiddenPadded, g = gateColumns, fp = featuresPadded
        instructions.product16(offset: inputMode == .offset, rows: m, pairs: fp / 2, vectors: g / 16, a: x, lda: fp, w: wx, c: ws.inputAcc, ldc: g)
        instructions.product16(offset: stateMode == .offset, rows: m, pairs: hp / 2, vectors: g / 16, a: ws.state16, lda: hp, w: wh,
                               c: ws.stateAcc, ldc: g)
    }

    /// The recurrence on the C kernels: byte (AVX-512) or int16 products, then the C cell.
    private func runVector(_ a: VectorStep, rows: Int, steps: Int, active: [Int], codes: UnsafeRawPointer,
                           workspace ws: IntegerWorkspace, stateOffset: Int32, afterStep: (Int, Int) -> Void) {
        let hp = hiddenPadded, g = gateColumns, fp = featuresPadded
        let bytes = inputMode == .bytes
        inputWeights.withUnsafeBufferPointer { wx in
            stateWeights.withUnsafeBufferPointer { wh in
                for t in 0..<steps {
                    let m = active[t]
                    guard m > 0 else { break }
                    if bytes {
                        // Byte mode always packs both sides' weights as bytes (init).
                        guard let bx = a.inputBytes, let bh = a.stateBytes else { preconditionFailure("byte products without byte weights") }
                        let x = codes.assumingMemoryBound(to: UInt8.self) + t * rows * fp
                        instructions.productBytes(rows: m, quads: fp / 4, vectors: g / 16, a: x, lda: fp, w: bx, c: ws.inputAcc, ldc: g)
                        instructions.productBytes(rows: m, quads: hp / 4, vectors: g / 16, a: ws.state8, lda: hp, w: bh, c: ws.stateAcc, ldc: g)
                    } else {
                        products16(rows: m, x: codes.assumingMemoryBound(to: Int16.self) + t * rows * fp,
                                   wx: wx.baseAddress!, wh: wh.baseAddress!, workspace: ws)
                    }
                    if a.instructions != .avx512 {
                        gq_cell_rows16_avx2(Int32(m), ws.inputAcc, ws.stateAcc, ws.state32, bytes ? ws.state8 : nil, bytes ? nil : ws.state16,
                                            stateOffset, a.constants)
                    } else {
                        gq_cell_rows(Int32(m), ws.inputAcc, ws.stateAcc, ws.state32, bytes ? ws.state8 : nil, bytes ? nil : ws.state16,
                                     stateOffset, a.constants)
                    }
                    afterStep(t, m)
                }
            }
        }
    }

    /// The three linear operators of one side (x or h): products, bias, requantization, saturation.
    /// `out` receives rows × 3Hp codes.
    @inline(__always)
    private func linearCodes(rows: Int, input: UnsafePointer<Int16>, lda: Int, depth: Int, pairs: Int, mode: ProductMode,
                             packed: [Int16], bias: [Int32], wide: [Int64], wideBias: [Int64],
                             requant: [RequantizerS64], low: [Int64], high: [Int64], out: UnsafeMutablePointer<Int32>) {
        let g = gateColumns
        switch mode {
        case .bytes:
            preconditionFailure("byte products run only in the C step")
        case .offset, .plain:
            packed.withUnsafeBufferPointer { w in
                if mode == .offset {
                    IntegerKernels.productOffset(rows: rows, pairs: pairs, vectors: g / 16, a: input, lda: lda, w: w.baseAddress!, c: out, ldc: g)
                } else {
                    IntegerKernels.productPlain(rows: rows, pairs: pairs, vectors: g / 16, a: input, lda: lda, w: w.baseAddress!, c: out, ldc: g)
                }
            }
            bias.withUnsafeBufferPointer { b in
                requant.withUnsafeBufferPointer { rq in
                    low.withUnsafeBufferPointer { lo in
                        high.withUnsafeBufferPointer { hi in
                            for row in 0..<rows {
                                let o = out + row * g
                                for c in 0..<g {
                                    let acc = Int64(o[c] &+ b[c])
                                    let r = rq[c]
                                    let y = (((acc &* r.m) &<< r.left) &+ r.round) &>> r.right
                                    o[c] = Int32(truncatingIfNeeded: min(max(y, lo[c]), hi[c]))
                                }
                            }
                        }
                    }
                }
            }
        case .wide:
            for row in 0..<rows {
                let a = input + row * lda
                let o = out + row * g
                for c in 0..<g {
                    var acc = wideBias[c]
                    let base = c * depth
                    for k in 0..<depth {
                        let code = Int64(a[k]) - (mode == .offset ? Int64(IntegerKernels.offset) : 0)
                        acc &+= wide[base + k] &* code
                    }
                    o[c] = Int32(truncatingIfNeeded: requant[c].apply(acc).clamped(low[c], high[c]))
                }
            }
        }
    }

    /// One row of the cell's elementwise part, from the linear codes to the new state.
    @inline(__always)
    private func cell(x: UnsafePointer<Int32>, h: UnsafePointer<Int32>, state: UnsafeMutablePointer<Int32>,
                      state16: UnsafeMutablePointer<Int16>, stateOffset: Int64) {
        let hp = hiddenPadded
        let bR = bounds[GRUOperator.rAdd.rawValue], bZ = bounds[GRUOperator.zAdd.rawValue]
        let bN = bounds[GRUOperator.nAdd.rawValue], bM = bounds[GRUOperator.nMul.rawValue]
        let bS = bounds[GRUOperator.hSub.rawValue], bMN = bounds[GRUOperator.hMulN.rawValue]
        let bMH = bounds[GRUOperator.hMulH.rawValue], bH = bounds[GRUOperator.hAdd.rawValue]
        let (rA, rB, zA, zB, nA, nB, hA, hB) = (rescales.rA, rescales.rB, rescales.zA, rescales.zB, rescales.nA, rescales.nB, rescales.hA, rescales.hB)
        let mN = nMul, mHN = hMulN, mHH = hMulH, sZ = rescales.subZ, one = hSubOne
        let halfR = self.halfR, halfZ = self.halfZ, halfN = self.halfN
        tableR.withUnsafeBufferPointer { tr in
            tableZ.withUnsafeBufferPointer { tz in
                tableN.withUnsafeBufferPointer { tn in
                    for j in 0..<hp {
                        let rwx = Int64(x[j]), zwx = Int64(x[hp + j]), nwx = Int64(x[2 * hp + j])
                        let rwh = Int64(h[j]), zwh = Int64(h[hp + j]), nwh = Int64(h[2 * hp + j])
                        let old = Int64(state[j])
                        let radd = min(max(rA.apply(rwx) &+ rB.apply(rwh), bR.low), bR.high)
                        let zadd = min(max(zA.apply(zwx) &+ zB.apply(zwh), bZ.low), bZ.high)
                        let r = Int64(tr[Int(radd &+ halfR)])
                        let z = Int64(tz[Int(zadd &+ halfZ)])
                        let nmul = min(max(mN.apply(r &* nwh), bM.low), bM.high)
                        let nadd = min(max(nA.apply(nwx) &+ nB.apply(nmul), bN.low), bN.high)
                        let n = Int64(tn[Int(nadd &+ halfN)])
                        let hsub = min(max(one &- sZ.apply(z), bS.low), bS.high)
                        let hmn = min(max(mHN.apply(hsub &* n), bMN.low), bMN.high)
                        let hmh = min(max(mHH.apply(z &* old), bMH.low), bMH.high)
                        let next = min(max(hA.apply(hmn) &+ hB.apply(hmh), bH.low), bH.high)
                        state[j] = Int32(truncatingIfNeeded: next)
                        state16[j] = Int16(truncatingIfNeeded: next &+ stateOffset)
                    }
                }
            }
        }
    }
}
