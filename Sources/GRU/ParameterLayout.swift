/// Where each parameter tensor lives in the flat vector that training and the kernels use.
///
/// One contiguous vector lets Adam, gradient clipping and gradient reduction treat
/// the whole model as a single array; the order matches the safetensors names.
public struct ParameterLayout: Sendable, Equatable {
    public let inputSize: Int
    public let hiddenSize: Int
    public let classCount: Int

    public init(inputSize: Int, hiddenSize: Int, classCount: Int) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.classCount = classCount
    }

    public var gateWidth: Int { 3 * hiddenSize }
    public var weightIH: Range<Int> { 0..<(gateWidth * inputSize) }
    public var weightHH: Range<Int> { weightIH.upperBound..<(weightIH.upperBound + gateWidth * hiddenSize) }
    public var biasIH: Range<Int> { weightHH.upperBound..<(weightHH.upperBound + gateWidth) }
    public var biasHH: Range<Int> { biasIH.upperBound..<(biasIH.upperBound + gateWidth) }
    public var fcWeight: Range<Int> { biasHH.upperBound..<(biasHH.upperBound + classCount * hiddenSize) }
    public var fcBias: Range<Int> { fcWeight.upperBound..<(fcWeight.upperBound + classCount) }
    public var count: Int { fcBias.upperBound }
}

extension GRUClassifier {
    public var layout: ParameterLayout {
        ParameterLayout(inputSize: inputSize, hiddenSize: hiddenSize, classCount: classCount)
    }

    /// All parameters in `ParameterLayout` order.
    public var flatParameters: [Float] {
        weightIH + weightHH + biasIH + biasHH + fcWeight + fcBias
    }

    /// Replaces every parameter from a flat vector in `ParameterLayout` order.
    public mutating func assign(flat: [Float]) {
        let l = layout
        precondition(flat.count == l.count)
        weightIH = Array(flat[l.weightIH])
        weightHH = Array(flat[l.weightHH])
        biasIH = Array(flat[l.biasIH])
        biasHH = Array(flat[l.biasHH])
        fcWeight = Array(flat[l.fcWeight])
        fcBias = Array(flat[l.fcBias])
    }
}
