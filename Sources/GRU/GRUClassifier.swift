import Randomness

/// One recurrent layer's tensors, gate blocks as PyTorch stacks them (r, z, n for a GRU,
/// i, f, g, o for an LSTM; `gru.weight_ih_lK`, `lstm.weight_ih_lK` etc.).
public struct GRULayer: Sendable, Equatable {
    /// (G × I) row-major, G the gate rows (3H or 4H), I the layer's input width: the features
    /// for the first layer, H above it.
    public var weightIH: [Float]
    /// (G × H) row-major.
    public var weightHH: [Float]
    /// G.
    public var biasIH: [Float]
    /// G.
    public var biasHH: [Float]

    public init(weightIH: [Float], weightHH: [Float], biasIH: [Float], biasHH: [Float]) {
        self.weightIH = weightIH
        self.weightHH = weightHH
        self.biasIH = biasIH
        self.biasHH = biasHH
    }
}

/// A float recurrent classifier: one or more stacked GRU or LSTM layers with a linear head on
/// each sequence's last valid step of the top layer (PyTorch `nn.GRU(num_layers: L)` or
/// `nn.LSTM(num_layers: L)` convention; the name is the first cell it had).
///
/// Gate blocks are ordered as in PyTorch (r, z, n; i, f, g, o), so the arrays are exactly
/// `gru.weight_ih_l0` or `lstm.weight_ih_l0` etc. Layer k + 1 reads layer k's output h at each
/// step. Sequences are flat `steps × inputSize` arrays of any length; a batch never lets
/// padding into the state.
public struct GRUClassifier: Sendable, Equatable {
    /// Layers a model may stack.
    public static let allowedLayers: ClosedRange<Int> = 1...4
    /// Features per step.
    public let inputSize: Int
    /// Width of every layer's hidden state.
    public let hiddenSize: Int
    /// Number of output classes.
    public let classCount: Int
    /// The cell every layer is.
    public let cell: CellKind
    /// Bottom to top.
    public var layers: [GRULayer]
    /// (C × H) row-major (`fc.weight`).
    public var fcWeight: [Float]
    /// C (`fc.bias`).
    public var fcBias: [Float]
    /// Applied to the inputs before the cell when present.
    public var standardization: Standardization?
    /// The validation scores measured before validation joined the training data (a
    /// refit, `TrainingOptions.refit`); nil when validation is still held out, or unknown.
    public var heldOut: HeldOutScore?

    /// The first layer's tensors, which a single-layer model is made of.
    public var weightIH: [Float] { get { layers[0].weightIH } set { layers[0].weightIH = newValue } }
    public var weightHH: [Float] { get { layers[0].weightHH } set { layers[0].weightHH = newValue } }
    public var biasIH: [Float] { get { layers[0].biasIH } set { layers[0].biasIH = newValue } }
    public var biasHH: [Float] { get { layers[0].biasHH } set { layers[0].biasHH = newValue } }

    /// Stacked layers.
    public var layerCount: Int { layers.count }

    /// A freshly initialised model: every parameter uniform in ±1/√H, as PyTorch does,
    /// drawn from `seed` alone, layer by layer and then the head.
    public init(inputSize: Int, hiddenSize: Int, classCount: Int, layers layerCount: Int = 1, cell: CellKind = .gru, seed: UInt64) {
        precondition(inputSize > 0 && hiddenSize > 0 && classCount > 0, "GRUClassifier: sizes must be positive")
        precondition(Self.allowedLayers.contains(layerCount), "GRUClassifier: \(layerCount) layers is outside \(Self.allowedLayers)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.classCount = classCount
        self.cell = cell
        var generator = SeededGenerator(seed: seed, stream: 0)
        let bound = 1 / Float(hiddenSize).squareRoot()
        func draw(_ count: Int) -> [Float] {
            (0..<count).map { _ in (2 * generator.nextUnitFloat() - 1) * bound }
        }
        let g = cell.gateBlocks * hiddenSize
        layers = (0..<layerCount).map { layer in
            GRULayer(weightIH: draw(g * (layer == 0 ? inputSize : hiddenSize)), weightHH: draw(g * hiddenSize),
                     biasIH: draw(g), biasHH: draw(g))
        }
        fcWeight = draw(classCount * hiddenSize)
        fcBias = draw(classCount)
        standardization = nil
        heldOut = nil
    }

    /// A single-layer model from explicit tensors (shapes as in the property docs); `nil` when sizes disagree.
    public init?(
        inputSize: Int, hiddenSize: Int, classCount: Int,
        weightIH: [Float], weightHH: [Float], biasIH: [Float], biasHH: [Float],
        fcWeight: [Float], fcBias: [Float], standardization: Standardization? = nil
    ) {
        self.init(inputSize: inputSize, hiddenSize: hiddenSize, classCount: classCount,
                  layers: [GRULayer(weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH)],
                  fcWeight: fcWeight, fcBias: fcBias, standardization: standardization)
    }

    /// A model of `layers` of `cell` from explicit tensors; `nil` when sizes disagree or there are no layers or too many.
    public init?(
        inputSize: Int, hiddenSize: Int, classCount: Int, cell: CellKind = .gru, layers: [GRULayer],
        fcWeight: [Float], fcBias: [Float], standardization: Standardization? = nil
    ) {
        let g = cell.gateBlocks * hiddenSize
        guard inputSize > 0, hiddenSize > 0, classCount > 0, Self.allowedLayers.contains(layers.count),
              layers.enumerated().allSatisfy({ k, layer in
                  layer.weightIH.count == g * (k == 0 ? inputSize : hiddenSize) && layer.weightHH.count == g * hiddenSize
                      && layer.biasIH.count == g && layer.biasHH.count == g
              }),
              fcWeight.count == classCount * hiddenSize, fcBias.count == classCount
        else { return nil }
        if let s = standardization, s.mean.count != inputSize || s.scale.count != inputSize { return nil }
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.classCount = classCount
        self.cell = cell
        self.layers = layers
        self.fcWeight = fcWeight
        self.fcBias = fcBias
        self.standardization = standardization
        self.heldOut = nil
    }

    /// Number of trainable parameters (the standardisation is not counted).
    public var parameterCount: Int { layout.count }

    /// Logits for each sequence (flat, steps × inputSize), returned N × C row-major.
    public func logits(_ sequences: [[Float]]) -> [Float] {
        for (i, s) in sequences.enumerated() {
            precondition(s.count % inputSize == 0,
                         "GRUClassifier.logits: sequence \(i) has \(s.count) values, not a multiple of \(inputSize) features")
        }
        return GRUInference.logits(model: self, sequences: sequences)
    }

    /// The arg-max class of each sequence.
    public func predictions(_ sequences: [[Float]]) -> [Int] {
        let all = logits(sequences)
        return (0..<sequences.count).map { i in
            var best = 0
            for c in 1..<max(classCount, 1) where all[i * classCount + c] > all[i * classCount + best] { best = c }
            return best
        }
    }

    /// Fraction of sequences whose prediction equals the label (0 when there are none).
    public func accuracy(_ sequences: [[Float]], labels: [Int]) -> Double {
        precondition(sequences.count == labels.count, "GRUClassifier.accuracy: \(sequences.count) sequences but \(labels.count) labels")
        guard !sequences.isEmpty else { return 0 }
        let predicted = predictions(sequences)
        let correct = zip(predicted, labels).filter { $0 == $1 }.count
        return Double(correct) / Double(sequences.count)
    }
}

/// A model's validation loss and accuracy while validation was held out: after a refit on
/// training + validation, the only out-of-sample figures the non-test data still has.
public struct HeldOutScore: Sendable, Equatable {
    /// Mean cross-entropy.
    public var loss: Double
    /// Fraction correct (0–1).
    public var accuracy: Double
    /// Validation sequences they were measured on.
    public var sequences: Int
    /// The first run's epoch they were measured at, which is how many epochs the refit ran;
    /// nil in files written before it was recorded.
    public var epoch: Int?

    public init(loss: Double, accuracy: Double, sequences: Int, epoch: Int? = nil) {
        self.loss = loss
        self.accuracy = accuracy
        self.sequences = sequences
        self.epoch = epoch
    }
}
