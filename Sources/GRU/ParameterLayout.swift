/// Where each parameter tensor lives in the flat vector that training and the kernels use.
///
/// One contiguous vector lets Adam, gradient clipping and gradient reduction treat
/// the whole model as a single array; the order matches PyTorch's `state_dict`: each
/// layer's `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`, bottom to top, then the head.
public struct ParameterLayout: Sendable, Equatable {
    public let inputSize: Int
    public let hiddenSize: Int
    public let classCount: Int
    public let layers: Int
    public let cell: CellKind

    public init(inputSize: Int, hiddenSize: Int, classCount: Int, layers: Int = 1, cell: CellKind = .gru) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.classCount = classCount
        self.layers = layers
        self.cell = cell
    }

    /// One layer's four tensors.
    public struct Layer: Sendable, Equatable {
        /// Width of the layer's input: the features, or the layer below's state.
        public let inputWidth: Int
        public let weightIH: Range<Int>, weightHH: Range<Int>, biasIH: Range<Int>, biasHH: Range<Int>
    }

    /// Rows of a layer's stacked gate tensors: 3H for a GRU, 4H for an LSTM.
    public var gateWidth: Int { cell.gateBlocks * hiddenSize }

    /// Parameters of one layer reading `inputWidth` values per step.
    private func layerCount(inputWidth: Int) -> Int { gateWidth * (inputWidth + hiddenSize + 2) }

    public func layer(_ k: Int) -> Layer {
        let start = k == 0 ? 0 : layerCount(inputWidth: inputSize) + (k - 1) * layerCount(inputWidth: hiddenSize)
        let inputWidth = k == 0 ? inputSize : hiddenSize
        let wih = start..<(start + gateWidth * inputWidth)
        let whh = wih.upperBound..<(wih.upperBound + gateWidth * hiddenSize)
        let bih = whh.upperBound..<(whh.upperBound + gateWidth)
        return Layer(inputWidth: inputWidth, weightIH: wih, weightHH: whh, biasIH: bih, biasHH: bih.upperBound..<(bih.upperBound + gateWidth))
    }

    /// The first layer's tensors.
    public var weightIH: Range<Int> { layer(0).weightIH }
    public var weightHH: Range<Int> { layer(0).weightHH }
    public var biasIH: Range<Int> { layer(0).biasIH }
    public var biasHH: Range<Int> { layer(0).biasHH }
    public var fcWeight: Range<Int> {
        let start = layer(layers - 1).biasHH.upperBound
        return start..<(start + classCount * hiddenSize)
    }
    public var fcBias: Range<Int> { fcWeight.upperBound..<(fcWeight.upperBound + classCount) }
    public var count: Int { fcBias.upperBound }
    /// Multiply-accumulates of one step's products: each layer's gate rows · (its input's width + H).
    public var stepMultiplyAccumulates: Int {
        (0..<layers).reduce(0) { $0 + gateWidth * (layer($1).inputWidth + hiddenSize) }
    }

    /// Multiply-accumulates of a sequence of `steps` steps, the head's once at the end included.
    public func multiplyAccumulates(steps: Int) -> Int { steps * stepMultiplyAccumulates + hiddenSize * classCount }

    /// The weight matrices (what weight decay shrinks): every layer's two and the head's.
    public var weightMatrices: [Range<Int>] { (0..<layers).flatMap { [layer($0).weightIH, layer($0).weightHH] } + [fcWeight] }
}

extension GRUClassifier {
    public var layout: ParameterLayout {
        ParameterLayout(inputSize: inputSize, hiddenSize: hiddenSize, classCount: classCount, layers: layerCount, cell: cell)
    }

    /// All parameters in `ParameterLayout` order.
    public var flatParameters: [Float] {
        layers.flatMap { $0.weightIH + $0.weightHH + $0.biasIH + $0.biasHH } + fcWeight + fcBias
    }

    /// Replaces every parameter from a flat vector in `ParameterLayout` order.
    public mutating func assign(flat: [Float]) {
        let l = layout
        precondition(flat.count == l.count)
        for k in layers.indices {
            let ranges = l.layer(k)
            layers[k] = GRULayer(weightIH: Array(flat[ranges.weightIH]), weightHH: Array(flat[ranges.weightHH]),
                                 biasIH: Array(flat[ranges.biasIH]), biasHH: Array(flat[ranges.biasHH]))
        }
        fcWeight = Array(flat[l.fcWeight])
        fcBias = Array(flat[l.fcBias])
    }
}
