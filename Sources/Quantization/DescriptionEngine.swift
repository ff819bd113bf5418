import CIntegerKernels

/// The integer network of any cell, batched over a chunk's rows: the reference engine's
/// arithmetic node by node, as the cell's description orders them. Cells without
/// hand-written kernels (the LSTM so far) are evaluated here; it is bit-exact with
/// `QuantizedGRU.referenceLogits` by construction and by test.
///
/// Prepared once per configuration: each layer's linear operators that read the same vector
/// (the input, or a state) are fused into one product over all their rows, when their sums
/// fit in int32 (the model's `wideAccumulator` says when not; those run in 64 bits, row by
/// row): on AVX-512 the byte product of the GRU's engine (`gq_product_u8s8`) when the vector
/// and every weight fit in 8 bits, else the int16 one (`gq_product_i16_avx2` on AVX2,
/// `IntegerKernels.product` elsewhere).
/// The elementwise nodes run in 64 bits on every unit of the chunk.
final class DescriptionEngine: @unchecked Sendable {
    // @unchecked: immutable after init.
    let model: QuantizedGRU
    private let cell: CellDescription
    private let layers: [Layer]

    /// The linear operators of one layer that read one vector, fused.
    struct Group {
        /// The vector they read: `nil` the layer's input, else a state's index.
        let state: Int?
        /// Cell operator indices, in operator order; operator `ops[i]`'s rows are columns `i·H ..< (i+1)·H`.
        let ops: [Int]
        /// Values per row of the vector read, and that rounded up to whole pairs.
        let depth: Int, depthPadded: Int
        /// Packed int16 weights (`IntegerKernels.pack`), nil when some sum needs 64 bits.
        let packed: [Int16]?
        /// Packed signed-byte weights for `gq_product_u8s8` (depth in quads), nil unless it runs:
        /// then the vector is read as code + 128, and `offsets` (128 · Σ_k W[c][k] per column) come off the sums.
        let bytes: [Int8]?
        let offsets: [Int64]
        /// Depth rounded up to whole quads, for the byte product.
        let depthQuads: Int
        /// Output columns rounded up to 16.
        let columnsPadded: Int
    }

    struct Layer {
        let groups: [Group]
        /// Each cell operator's saturation bounds.
        let bounds: [(low: Int64, high: Int64)]
        /// Per cell operator: a linear one's per-row requantizers (one per output unit), an
        /// addition's two operand rescalers, a product's or a one-minus' one, in the branch-free form.
        let requantizers: [[RequantizerS64]]
        /// A linear operator's biases and a one-minus' ONE, by cell operator.
        let biases: [[Int64]]
    }

    /// The kernel set whose products run (`effective`).
    private let instructions: IntegerKernelSet

    /// The path it takes for `model`: "description avx512" or "description avxvnni" when some
    /// group runs a byte product, "description avx2" when some runs the AVX2 int16 product.
    var path: String {
        let groups = layers.flatMap(\.groups)
        if groups.contains(where: { $0.bytes != nil }) { return "description \(instructions.rawValue)" }
        return instructions.runsAVX2Products && groups.contains(where: { $0.packed != nil }) ? "description avx2" : "description"
    }

    init(model: QuantizedGRU, kernels: IntegerKernelSet = .automatic) {
        self.model = model
        let network = model.bits.network
        cell = network.cell.description
        let cell = self.cell, h = model.hiddenSize
        let instructions = kernels.effective
        self.instructions = instructions
        layers = model.layers.indices.map { k in
            var sources: [Int?] = []
            for node in cell.step {
                if case .linear(_, let source, _) = node, !sources.contains(source.state) { sources.append(source.state) }
            }
            let groups = sources.map { state -> Group in
                let ops = cell.operators.indices.filter { i in
                    if case .linear(_, let source, _) = cell.node(i) { return source.state == state }
                    return false
                }
                let depth = state == nil ? (k == 0 ? model.inputSize : h) : h
                let depthPadded = (depth + 1) / 2 * 2, columns = ops.count * h, columnsPadded = (columns + 15) / 16 * 16
                let linear = ops.map { model.layers[k].linear[$0] }
                // The codes read must be int16: signed up to 16 bits, unsigned below 16.
                let reads: OperatorID = state.map { .cell(cell.states[$0].producedBy, layer: k) }
                    ?? (k == 0 ? .input : .cell(cell.output, layer: k - 1))
                let readsInt16 = model.bounds(id: reads).high <= Int64(Int16.max)
                var packed: [Int16]?, bytes: [Int8]?, offsets: [Int64] = []
                let depthQuads = (depth + 3) / 4 * 4
                func weight(_ c: Int, _ q: Int) -> Int16 { linear[c / h].weights[(c % h) * depth + q] }
                let narrow = !linear.contains(where: \.wideAccumulator)
                if narrow, instructions == .avx512 || instructions == .avxvnni,
                   network.range(of: reads) != .unit, model.bits[id: reads] <= 8, linear.allSatisfy({ $0.weightBits <= 8 }) {
                    bytes = IntegerKernels.pack(weights: weight, columns: columns, depth: depth, columnsPadded: columnsPadded,
                                                depthPadded: depthQuads, group: 4, as: Int8.self)
                    offsets = (0..<columns).map { c in 128 * (0..<depth).reduce(Int64(0)) { $0 + Int64(weight(c, $1)) } }
                } else if readsInt16, narrow {
                    packed = IntegerKernels.pack(weights: weight, columns: columns, depth: depth,
                                                 columnsPadded: columnsPadded, depthPadded: depthPadded)
                }
                return Group(state: state, ops: ops, depth: depth, depthPadded: depthPadded, packed: packed, bytes: bytes,
                             offsets: offsets, depthQuads: depthQuads, columnsPadded: columnsPadded)
            }
            let constants = model.layers[k]
            var requantizers = [[RequantizerS64]](repeating: [], count: cell.operators.count)
            var biases = [[Int64]](repeating: [], count: cell.operators.count)
            for node in cell.step {
                let i = node.output
                switch node {
                case .linear:
                    requantizers[i] = (0..<h).map { RequantizerS64(constants.linear[i].requantizer(row: $0)) }
                    biases[i] = constants.linear[i].bias
                case .add:
                    let (a, b) = constants.addRescalers[i]!
                    requantizers[i] = [RequantizerS64(a), RequantizerS64(b)]
                case .multiply:
                    requantizers[i] = [RequantizerS64(constants.mulRequantizers[i]!)]
                case .oneMinus:
                    let (one, rescaler) = constants.oneMinus[i]!
                    requantizers[i] = [RequantizerS64(rescaler)]
                    biases[i] = [one]
                case .table:
                    break
                }
            }
            return Layer(groups: groups, bounds: cell.operators.indices.map { model.bounds(id: .cell($0, layer: k)) },
                         requantizers: requantizers, biases: biases)
        }
    }

    /// Logits of a chunk: `raw` holds steps × rows × features raw inputs (rows with no step t
    /// are not read), `active[t]` the rows with a step t (a non-increasing count); writes
    /// rows × classes logits to `logits`.
    func run(rows: Int, steps: Int, active: [Int], raw: UnsafePointer<Float>, logits: UnsafeMutablePointer<Int64>) {
        let f = model.inputSize, h = model.hiddenSize, c = model.classCount
        let opCount = cell.operators.count, layerCount = model.layers.count, stateCount = cell.states.count
        let widest = max(f, h), widestPadded = (widest + 1) / 2 * 2
        let widestColumns = layers.flatMap(\.groups).map(\.columnsPadded).max() ?? 16
        let codes = UnsafeMutablePointer<Int64>.allocate(capacity: max(opCount * rows * h, 1))
        let states = UnsafeMutablePointer<Int64>.allocate(capacity: max(layerCount * stateCount * rows * h, 1))
        let x = UnsafeMutablePointer<Int64>.allocate(capacity: max(rows * f, 1))
        // A group's operand rows as int16 (pairs padded with 0) and its int32 sums.
        let operands = UnsafeMutablePointer<Int16>.allocate(capacity: rows * widestPadded)
        let widestQuads = (widest + 3) / 4 * 4
        let operandBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: rows * widestQuads)
        let sums = UnsafeMutablePointer<Int32>.allocate(capacity: rows * widestColumns)
        defer { codes.deallocate(); states.deallocate(); x.deallocate(); operands.deallocate(); operandBytes.deallocate(); sums.deallocate() }
        states.initialize(repeating: 0, count: layerCount * stateCount * rows * h)
        operands.initialize(repeating: 0, count: rows * widestPadded)
        // Pad bytes read as code 0 (their weights are 0 anyway).
        operandBytes.initialize(repeating: 128, count: rows * widestQuads)
        func state(_ k: Int, _ s: Int) -> UnsafeMutablePointer<Int64> { states + (k * stateCount + s) * rows * h }
        func op(_ i: Int) -> UnsafeMutablePointer<Int64> { codes + i * rows * h }

        let qmax = Float(CodeRange.signedMax(model.bits[id: .input]))
        let mean = model.inputMean, factor = model.inputFactor

        for t in 0..<steps {
            let r = active[t]
            for row in 0..<r {
                for k in 0..<f {
                    let p = (raw[(t * rows + row) * f + k] - mean[k]) * factor[k]
                    x[row * f + k] = Int64(min(max(p.rounded(.toNearestOrAwayFromZero), -qmax), qmax))
                }
            }
            for (k, constants) in model.layers.enumerated() {
                let layer = layers[k]
                func operand(_ o: CellDescription.Operand) -> UnsafePointer<Int64> {
                    switch o {
                    case .op(let i): return UnsafePointer(op(i))
                    case .state(let s): return UnsafePointer(state(k, s))
                    }
                }
                for group in layer.groups {
                    let input = group.state.map { UnsafePointer(state(k, $0)) } ?? (k == 0 ? UnsafePointer(x) : UnsafePointer(state(k - 1, 0)))
                    let depth = group.depth
                    if let bytes = group.bytes {
                        for row in 0..<r {
                            for q in 0..<depth { operandBytes[row * group.depthQuads + q] = UInt8(truncatingIfNeeded: input[row * depth + q] &+ 128) }
                        }
                        bytes.withUnsafeBufferPointer { w in
                            instructions.productBytes(rows: r, quads: group.depthQuads / 4, vectors: group.columnsPadded / 16, a: operandBytes,
                                                      lda: group.depthQuads, w: w.baseAddress!, c: sums, ldc: group.columnsPadded)
                        }
                    } else if let packed = group.packed {
                        for row in 0..<r {
                            for q in 0..<depth { operands[row * group.depthPadded + q] = Int16(truncatingIfNeeded: input[row * depth + q]) }
                        }
                        packed.withUnsafeBufferPointer { w in
                            instructions.product16(offset: false, rows: r, pairs: group.depthPadded / 2, vectors: group.columnsPadded / 16, a: operands,
                                                   lda: group.depthPadded, w: w.baseAddress!, c: sums, ldc: group.columnsPadded)
                        }
                    }
                    for (g, i) in group.ops.enumerated() {
                        let out = op(i), (low, high) = layer.bounds[i]
                        layer.requantizers[i].withUnsafeBufferPointer { rq in
                            layer.biases[i].withUnsafeBufferPointer { bias in
                                if group.bytes != nil {
                                    group.offsets.withUnsafeBufferPointer { offsets in
                                        let offset = offsets.baseAddress! + g * h
                                        for row in 0..<r {
                                            let sum = sums + row * group.columnsPadded + g * h, o = out + row * h
                                            for j in 0..<h { o[j] = rq[j].apply(bias[j] &+ Int64(sum[j]) &- offset[j]).clamped(low, high) }
                                        }
                                    }
                                    return
                                }
                                if group.packed != nil {
                                    for row in 0..<r {
                                        let sum = sums + row * group.columnsPadded + g * h, o = out + row * h
                                        for j in 0..<h { o[j] = rq[j].apply(bias[j] &+ Int64(sum[j])).clamped(low, high) }
                                    }
                                    return
                                }
                                constants.linear[i].weights.withUnsafeBufferPointer { w in
                                    for row in 0..<r {
                                        let v = input + row * depth
                                        for j in 0..<h {
                                            let wr = w.baseAddress! + j * depth
                                            var acc = bias[j]
                                            for q in 0..<depth { acc &+= Int64(wr[q]) &* v[q] }
                                            out[row * h + j] = rq[j].apply(acc).clamped(low, high)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                for node in cell.step {
                    let i = node.output, out = op(i), (low, high) = layer.bounds[i]
                    switch node {
                    case .linear:
                        continue
                    case .add(_, let a, let b):
                        let (ra, rb) = (layer.requantizers[i][0], layer.requantizers[i][1])
                        let (va, vb) = (operand(a), operand(b))
                        for e in 0..<(r * h) { out[e] = (ra.apply(va[e]) &+ rb.apply(vb[e])).clamped(low, high) }
                    case .multiply(_, let a, let b):
                        let rq = layer.requantizers[i][0]
                        let (va, vb) = (operand(a), operand(b))
                        for e in 0..<(r * h) { out[e] = rq.apply(va[e] &* vb[e]).clamped(low, high) }
                    case .oneMinus(_, let a):
                        let (one, rescaler) = (layer.biases[i][0], layer.requantizers[i][0])
                        let va = operand(a)
                        for e in 0..<(r * h) { out[e] = (one &- rescaler.apply(va[e])).clamped(low, high) }
                    case .table(_, _, let a):
                        let table = constants.tables[i]!
                        let va = operand(a)
                        table.entries.withUnsafeBufferPointer { entries in
                            let half = 1 << (table.inputBits - 1)
                            for e in 0..<(r * h) { out[e] = Int64(entries[Int(va[e]) + half]) }
                        }
                    }
                }
                // Rows past their last step keep their state.
                for (s, vector) in cell.states.enumerated() { state(k, s).update(from: op(vector.producedBy), count: r * h) }
            }
        }
        let top = UnsafePointer(state(layerCount - 1, 0)), head = model.head
        for row in 0..<rows {
            for k in 0..<c {
                var acc = head.bias[k]
                for j in 0..<h { acc += Int64(head.weights[k * h + j]) * top[row * h + j] }
                logits[row * c + k] = acc
            }
        }
    }
}
