import Foundation
import GRU

/// One calibration worker's record of the operator outputs it has seen: each operator's
/// largest magnitude and, when asked, a histogram of magnitudes, filled in a single pass.
///
/// A histogram covers [0, 2^e) in `bins` equal bins and doubles its range (merging bins)
/// whenever a larger value arrives. Bin edges are multiples of a power of two, so a value
/// lands in the bin it would have had at the final range whenever it was counted, and
/// tallies merge exactly across workers: the result does not depend on the order of the
/// values or on how they were divided between workers.
final class OperatorTally {
    /// The network whose operators it counts, one slot each in `network.operators` order.
    let network: NetworkDescription
    /// Bins per histogram (a power of two); the last bin also counts values that are not finite.
    static let binsLog2 = 12
    static let bins = 1 << binsLog2
    /// Each copy of a histogram holds its bins and then one more slot, for values that are not
    /// finite: kept apart, so that no merge moves them, and added to the last bin at the end.
    static let slots = bins + 1
    /// Copies of each histogram, counted in turn: neighbouring values mostly share a bin, and
    /// one counter bumped again and again would make every increment wait for the last.
    static let lanes = 4
    /// The starting range 2^e: anything smaller shares bin 0 with the zeros until a larger value arrives.
    static let smallestExponent = -100

    /// Per operator, the largest magnitude so far (NaN never wins; infinity does).
    private let maxima: UnsafeMutablePointer<Float>
    /// Per operator, lanes × bins counts; nil when only maxima are wanted.
    private let counts: UnsafeMutablePointer<Int>?
    /// Per operator, e of the range 2^e, the range as a float, and bins per unit (2^(binsLog2 − e)).
    private let exponents: UnsafeMutablePointer<Int>
    private let limits: UnsafeMutablePointer<Float>
    private let scales: UnsafeMutablePointer<Float>

    init(histograms: Bool, network: NetworkDescription) {
        self.network = network
        let n = network.operators.count
        maxima = .allocate(capacity: n)
        maxima.initialize(repeating: 0, count: n)
        if histograms {
            counts = .allocate(capacity: n * Self.lanes * Self.slots)
            counts?.initialize(repeating: 0, count: n * Self.lanes * Self.slots)
        } else {
            counts = nil
        }
        exponents = .allocate(capacity: n)
        limits = .allocate(capacity: n)
        scales = .allocate(capacity: n)
        for op in 0..<n { setExponent(op, Self.smallestExponent) }
    }

    deinit {
        maxima.deallocate(); counts?.deallocate(); binScratch.deallocate(); operatorValues.deallocate(); exponents.deallocate(); limits.deallocate(); scales.deallocate()
    }

    private func setExponent(_ op: Int, _ e: Int) {
        exponents[op] = e
        limits[op] = Float(sign: .plus, exponent: e, significand: 1)
        scales[op] = Float(sign: .plus, exponent: Self.binsLog2 - e, significand: 1)
    }

    // MARK: - Counting

    /// Records every calibrated operator's outputs of one step: the engine's projections and
    /// activations as it computed them, and the sums and products between them as the cell's
    /// description defines them.
    func add(_ step: GRUStepView) {
        let cell = self.cell
        // The layer's operators' slots; the input quantizer sees the first layer's input only.
        let slots = slotsByLayer[step.layer]
        let h = step.hidden, f = step.features, g = cell.gateBlocks * h
        let derived = scratch.reserve(cell.operators.count * h)
        let values = operatorValues
        for row in 0..<step.rows {
            let gx = step.inputGates + row * g, gh = step.hiddenGates + row * g, gates = step.gates + row * g
            func value(_ operand: CellDescription.Operand) -> UnsafePointer<Float> {
                switch operand {
                case .op(let i): return values[i]
                case .state(let s): return step.previousState(s) + row * h
                }
            }
            // Plain loops over pointers, which the compiler vectorises: the standard library's
            // SIMD comparisons and lane-wise maxima run lane by lane.
            for node in cell.step {
                let i = node.output, out = derived + i * h
                switch node {
                case .linear(_, let source, let block):
                    values[i] = (source == .input ? gx : gh) + block * h
                    continue
                case .table(_, let function, let a):
                    if let block = gateBlocks[i] {
                        values[i] = gates + block * h
                        continue
                    }
                    let a = value(a)
                    for j in 0..<h { out[j] = function == .tanh ? Foundation.tanh(a[j]) : 1 / (1 + Foundation.exp(-a[j])) }
                case .add(_, let a, let b):
                    let (a, b) = (value(a), value(b))
                    for j in 0..<h { out[j] = a[j] + b[j] }
                case .multiply(_, let a, let b):
                    let (a, b) = (value(a), value(b))
                    for j in 0..<h { out[j] = a[j] * b[j] }
                case .oneMinus(_, let a):
                    let a = value(a)
                    for j in 0..<h { out[j] = 1 - a[j] }
                }
                values[i] = UnsafePointer(out)
            }
            if step.layer == 0 { record(inputSlot, step.input + row * f, f) }
            for i in calibratedCellOperators { record(slots[i], values[i], h) }
        }
    }

    /// Where each cell operator's outputs of the current row are: the engine's buffers or `scratch`.
    private lazy var operatorValues = UnsafeMutableBufferPointer<UnsafePointer<Float>>.allocate(capacity: cell.operators.count)
    /// The cell every layer is.
    private var cell: CellDescription { network.cell.description }
    /// Per cell operator, the block of the engine's activated gates that holds a table's outputs.
    private lazy var gateBlocks = cell.operators.indices.map { cell.gateBlock(ofTable: $0) }

    /// Per layer, each cell operator's slot.
    private lazy var slotsByLayer = (0..<network.layers).map { layer in
        (0..<network.cellOperatorCount).map { network.position(of: .cell($0, layer: layer)) }
    }
    private lazy var inputSlot = network.position(of: .input)
    /// The cell operators whose ranges calibration measures.
    private lazy var calibratedCellOperators = cell.calibratedOperators

    private let scratch = Scratch()
    /// One operator's bin indices of one row.
    private var binScratch = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 256)

    private func record(_ i: Int, _ values: UnsafePointer<Float>, _ count: Int) {
        // The largest magnitude, compared as bit patterns (which order non-negative floats as
        // their values do) so that the loop vectorises; NaN never wins.
        var largest: UInt32 = 0
        for k in 0..<count { largest = max(largest, values[k].bitPattern & 0x7fff_ffff) }
        if largest > Float.infinity.bitPattern {
            // A NaN is among them (its pattern is above infinity's): the largest of the rest.
            largest = 0
            for k in 0..<count {
                let bits = values[k].bitPattern & 0x7fff_ffff
                if bits <= Float.infinity.bitPattern { largest = max(largest, bits) }
            }
        }
        maxima[i] = max(maxima[i], Float(bitPattern: largest))
        guard let counts else { return }
        let histogram = counts + i * Self.lanes * Self.slots
        // Beyond the range (or infinite)? This row's largest magnitude says so; a NaN was left
        // out of it and lands in the slot for values that are not finite below.
        if Float(bitPattern: largest) >= limits[i] {
            for k in 0..<count { countCarefully(i, Float(bitPattern: values[k].bitPattern & 0x7fff_ffff), k) }
            return
        }
        // Bin indices first, in a loop without branches or traps that the compiler vectorises:
        // adding 2^23 rounds q to the nearest integer in the low mantissa bits, and one is
        // taken off where that rounded up, which leaves ⌊q⌋ for 0 ≤ q < 2^22.
        if binScratch.count < count {
            binScratch.deallocate()
            binScratch = .allocate(capacity: count)
        }
        let index = binScratch.baseAddress!
        let scale = scales[i]
        for k in 0..<count {
            var q = Float(bitPattern: values[k].bitPattern & 0x7fff_ffff) * scale
            // Finite values here are below the range, so q < 4096; only NaN (the comparison is
            // false) takes 4096.5, the slot for values that are not finite.
            q = q < 4096 ? q : 4096.5
            let shifted = q + 8_388_608
            index[k] = Int32(bitPattern: shifted.bitPattern &- 0x4B00_0000) &- (shifted - 8_388_608 > q ? 1 : 0)
        }
        for k in 0..<count { histogram[(k & (Self.lanes - 1)) * Self.slots + Int(index[k])] += 1 }
    }

    private func countCarefully(_ op: Int, _ magnitude: Float, _ lane: Int) {
        guard let counts else { return }
        let histogram = counts + op * Self.lanes * Self.slots + (lane & (Self.lanes - 1)) * Self.slots
        guard magnitude.isFinite else {
            histogram[Self.bins] += 1
            return
        }
        grow(op, to: Int(magnitude.exponent) + 1)
        histogram[Int(magnitude * scales[op])] += 1
    }

    /// Widens `op`'s histogram to [0, 2^e), merging each run of 2^(e − old e) bins into one.
    private func grow(_ op: Int, to e: Int) {
        guard let counts, e > exponents[op] else { return }
        Self.merge(counts + op * Self.lanes * Self.slots, copies: Self.lanes, shift: e - exponents[op])
        setExponent(op, e)
    }

    /// Merges bins of `copies` consecutive histograms for a range 2^shift times wider (the
    /// slot for values that are not finite stays where it is).
    static func merge(_ histogram: UnsafeMutablePointer<Int>, copies: Int, shift: Int) {
        for copy in 0..<copies {
            let h = histogram + copy * slots
            for bin in 1..<bins {
                let target = shift >= binsLog2 ? 0 : bin >> shift
                let count = h[bin]
                h[bin] = 0
                h[target] += count
            }
        }
    }

    // MARK: - Results

    /// The largest magnitude of slot `i` over these workers' tallies (0 when it saw nothing).
    static func maxAbs(_ i: Int, of tallies: [OperatorTally]) -> Float {
        tallies.reduce(0) { max($0, $1.maxima[i]) }
    }

    /// Slot `i`'s merged histogram over these workers' tallies, and its bin width.
    static func histogram(_ i: Int, of tallies: [OperatorTally]) -> (counts: [Double], binWidth: Double) {
        let e = tallies.map { $0.exponents[i] }.max() ?? smallestExponent
        var total = [Int](repeating: 0, count: bins)
        let copy = UnsafeMutablePointer<Int>.allocate(capacity: lanes * slots)
        defer { copy.deallocate() }
        for tally in tallies {
            guard let counts = tally.counts else { continue }
            copy.update(from: counts + i * lanes * slots, count: lanes * slots)
            if e > tally.exponents[i] { merge(copy, copies: lanes, shift: e - tally.exponents[i]) }
            for lane in 0..<lanes {
                for bin in 0..<bins { total[bin] += copy[lane * slots + bin] }
                total[bins - 1] += copy[lane * slots + bins]
            }
        }
        return (total.map(Double.init), Double(sign: .plus, exponent: e - binsLog2, significand: 1))
    }
}
