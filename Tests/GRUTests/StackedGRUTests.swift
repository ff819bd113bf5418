import Foundation
import GRU
import Testing

/// A plain Double-precision stack of GRU or LSTM layers over a flat parameter vector in
/// `ParameterLayout` order: each layer reads the layer below's output h at every step, the
/// head the top h. Gate blocks as PyTorch stacks them (r, z, n; i, f, g, o).
struct NaiveStack {
    let layout: ParameterLayout
    var parameters: [Double]
    let mean: [Double]?, scale: [Double]?

    init(_ model: GRUClassifier) {
        layout = model.layout
        parameters = model.flatParameters.map(Double.init)
        mean = model.standardization?.mean.map(Double.init)
        scale = model.standardization?.scale.map(Double.init)
    }

    func logits(_ sequence: [Float]) -> [Double] {
        let f = layout.inputSize, h = layout.hiddenSize, c = layout.classCount
        func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
        func dot(_ at: Int, _ row: Int, _ v: [Double]) -> Double {
            var s = 0.0
            for k in 0..<v.count { s += parameters[at + row * v.count + k] * v[k] }
            return s
        }
        var states = [[Double]](repeating: [Double](repeating: 0, count: h), count: layout.layers)
        var cells = states
        for t in 0..<(sequence.count / f) {
            var x = (0..<f).map { Double(sequence[t * f + $0]) }
            if let mean, let scale { x = (0..<f).map { (x[$0] - mean[$0]) / scale[$0] } }
            for k in 0..<layout.layers {
                let l = layout.layer(k), state = states[k]
                let wih = l.weightIH.lowerBound, whh = l.weightHH.lowerBound, bih = l.biasIH.lowerBound, bhh = l.biasHH.lowerBound
                /// Block `block`'s input and recurrent projections of unit j, biases included.
                func projections(_ block: Int, _ j: Int) -> (x: Double, h: Double) {
                    let row = block * h + j
                    return (dot(wih, row, x) + parameters[bih + row], dot(whh, row, state) + parameters[bhh + row])
                }
                for j in 0..<h {
                    switch layout.cell {
                    case .gru:
                        let (rx, rh) = projections(0, j), (zx, zh) = projections(1, j), (nx, nh) = projections(2, j)
                        let r = sigmoid(rx + rh), z = sigmoid(zx + zh), n = Foundation.tanh(nx + r * nh)
                        states[k][j] = (1 - z) * n + z * state[j]
                    case .lstm:
                        let (ix, ih) = projections(0, j), (fx, fh) = projections(1, j), (gx, gh) = projections(2, j), (ox, oh) = projections(3, j)
                        cells[k][j] = sigmoid(fx + fh) * cells[k][j] + sigmoid(ix + ih) * Foundation.tanh(gx + gh)
                        states[k][j] = sigmoid(ox + oh) * Foundation.tanh(cells[k][j])
                    }
                }
                x = states[k]
            }
        }
        let top = states[layout.layers - 1], fcw = layout.fcWeight.lowerBound, fcb = layout.fcBias.lowerBound
        return (0..<c).map { k in parameters[fcb + k] + (0..<h).reduce(0.0) { $0 + parameters[fcw + k * h + $1] * top[$1] } }
    }

    func meanLoss(_ sequences: [[Float]], labels: [Int]) -> Double {
        var total = 0.0
        for (s, label) in zip(sequences, labels) {
            let z = logits(s)
            let top = z.max() ?? 0
            total += top + Foundation.log(z.reduce(0.0) { $0 + Foundation.exp($1 - top) }) - z[label]
        }
        return total / Double(sequences.count)
    }
}

@Suite("Stacked GRU and LSTM layers in float (num_layers 1 to 4)")
struct StackedGRUTests {
    @Test("a stack's logits are the plain reference's, on sequences longer than an inference block and of uneven lengths",
          arguments: [(CellKind.gru, 2), (.gru, 3), (.lstm, 1), (.lstm, 2)])
    func logits(cell: CellKind, layers: Int) {
        var model = GRUClassifier(inputSize: 3, hiddenSize: 6, classCount: 4, layers: layers, cell: cell, seed: 7)
        model.standardization = Standardization(mean: [0.5, 0, -0.5], scale: [2, 1.5, 1])
        let sequences = randomSequences(lengths: [70, 1, 33, 0, 40, 5], features: 3, seed: 3)
        let logits = model.logits(sequences)
        let reference = NaiveStack(model)
        for (i, sequence) in sequences.enumerated() {
            for (k, value) in reference.logits(sequence).enumerated() {
                #expect(abs(Double(logits[i * 4 + k]) - value) < 1e-4, "sequence \(i) class \(k)")
            }
        }
    }

    @Test("BPTT through a stack of two GRU layers, and through an LSTM of one and two, matches central finite differences in every parameter",
          arguments: [(CellKind.gru, 2), (.lstm, 1), (.lstm, 2)])
    func finiteDifferences(cell: CellKind, layers: Int) {
        var model = GRUClassifier(inputSize: 3, hiddenSize: 4, classCount: 3, layers: layers, cell: cell, seed: 11)
        model.standardization = Standardization(mean: [0.5, 0, -0.5], scale: [2, 1.5, 1])
        let sequences = randomSequences(lengths: [4, 1, 6, 0, 3, 6], features: 3, seed: 5)
        let labels = [0, 2, 1, 2, 0, 1]
        let (loss, gradient) = model.lossAndGradient(sequences, labels: labels)
        let reference = NaiveStack(model)
        #expect(abs(loss - reference.meanLoss(sequences, labels: labels)) < 1e-5)
        let analytic = gradient.flatParameters
        let upper = model.layout.layer(layers - 1)
        #expect(analytic[upper.weightIH].contains { $0 != 0 } && analytic[model.layout.weightHH].contains { $0 != 0 })
        let epsilon = 1e-5
        for i in analytic.indices {
            var plus = reference, minus = reference
            plus.parameters[i] += epsilon
            minus.parameters[i] -= epsilon
            let numeric = (plus.meanLoss(sequences, labels: labels) - minus.meanLoss(sequences, labels: labels)) / (2 * epsilon)
            #expect(abs(Double(analytic[i]) - numeric) <= 1e-5 + 1e-3 * abs(numeric), "parameter \(i): analytic \(analytic[i]) vs numeric \(numeric)")
        }
    }

    @Test("a truncated window of a stack carries every layer's state (an LSTM's c too): at least as long as every sequence, it is full BPTT exactly",
          arguments: [CellKind.gru, .lstm])
    func truncatedCarry(cell: CellKind) {
        let model = GRUClassifier(inputSize: 2, hiddenSize: 5, classCount: 3, layers: 2, cell: cell, seed: 4)
        let sequences = randomSequences(lengths: [9, 3, 7], features: 2, seed: 8)
        let labels = [2, 0, 1]
        let full = model.lossAndGradient(sequences, labels: labels)
        let long = model.lossAndGradient(sequences, labels: labels, bptt: 9)
        #expect(long.loss == full.loss && long.gradient == full.gradient)
        // Shorter, the loss is still the whole sequence's: the carried states are every layer's.
        let short = model.lossAndGradient(sequences, labels: labels, bptt: 2)
        #expect(abs(short.loss - full.loss) < 1e-6)
        #expect(short.gradient.flatParameters != full.gradient.flatParameters)
    }

    @Test("a stack saved and read back is the same model, under PyTorch's names gru.weight_ih_l1 …")
    func fileRoundTrip() throws {
        let model = GRUClassifier(inputSize: 3, hiddenSize: 4, classCount: 2, layers: 3, seed: 9)
        let archive = model.archive()
        #expect(archive.tensors["gru.weight_ih_l1"]?.shape == [12, 4] && archive.tensors["gru.bias_hh_l2"]?.shape == [12])
        #expect(try GRUClassifier(archive: archive, file: "s.safetensors") == model)
    }

    @Test("a stack's memory estimate adds what each layer above the first keeps per step: states, gates, W_hn·h, and one output gradient")
    func memory() {
        let one = TrainingMemory(lengths: [100, 50], featureCount: 3, options: TrainingOptions(hiddenSize: 8, batchSize: 2))
        let two = TrainingMemory(lengths: [100, 50], featureCount: 3, options: TrainingOptions(hiddenSize: 8, batchSize: 2, layers: 2))
        let three = TrainingMemory(lengths: [100, 50], featureCount: 3, options: TrainingOptions(hiddenSize: 8, batchSize: 2, layers: 3))
        #expect(one.bytes == 4 * 2 * 100 * (14 * 8 + 3))
        #expect(two.bytes - one.bytes == 4 * 2 * 100 * (5 * 8 + 8))
        #expect(three.bytes - two.bytes == 4 * 2 * 100 * 5 * 8)
        #expect(two.largestBatch(within: two.bytes / 2, featureCount: 3, hiddenSize: 8) == 1)
    }

    @Test("training a two-layer stack (GRU or LSTM) on a task a single step cannot solve learns it", arguments: [CellKind.gru, .lstm])
    func trains(cell: CellKind) {
        // The class is the sign of the first step's value, seen 12 steps before the end.
        var generator = SeededPCG(3)
        let sequences = (0..<256).map { _ in (0..<12).map { _ in Float(generator.next()) * 2 - 1 } }
        let labels = sequences.map { $0[0] > 0 ? 1 : 0 }
        var options = TrainingOptions()
        // An LSTM's forget gate starts half shut (PyTorch's initialisation, no forget bias): it needs longer to carry the sign 12 steps.
        options.epochs = cell == .lstm ? 60 : 30
        options.batchSize = 32
        options.hiddenSize = 8
        options.layers = 2
        options.cell = cell
        options.seed = 1
        let result = GRUTrainer.train(train: (sequences, labels), validation: (sequences, labels), featureCount: 1, classCount: 2,
                                          options: options)
        #expect(result.model.layerCount == 2 && result.model.cell == cell)
        #expect(result.model.accuracy(sequences, labels: labels) > 0.9)
    }
}

/// A small seeded generator of values in [0, 1) for test data.
private struct SeededPCG {
    var state: UInt64
    init(_ seed: UInt64) { state = seed | 1 }
    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
}
