/// Where each parameter tensor lives in the flat vector that training and the kernels use.
///
/// One contiguous vector lets Adam, gradient clipping and gradient reduction treat
/// the whole model as a single array; the order matches the safetensors names.
struct ParameterLayout: Sendable, Equatable {
    let inputSize: Int
    let hiddenSize: Int
    let classCount: Int

    var gateWidth: Int { 3 * hiddenSize }
    var weightIH: Range<Int> { 0..<(gateWidth * inputSize) }
    var weightHH: Range<Int> { weightIH.upperBound..<(weightIH.upperBound + gateWidth * hiddenSize) }
    var biasIH: Range<Int> { weightHH.upperBound..<(weightHH.upperBound + gateWidth) }
    var biasHH: Range<Int> { biasIH.upperBound..<(biasIH.upperBound + gateWidth) }
    var fcWeight: Range<Int> { biasHH.upperBound..<(biasHH.upperBound + classCount * hiddenSize) }
    var fcBias: Range<Int> { fcWeight.upperBound..<(fcWeight.upperBound + classCount) }
    var count: Int { fcBias.upperBound }
}

extension GRUClassifier {
    var layout: ParameterLayout {
        ParameterLayout(inputSize: inputSize, hiddenSize: hiddenSize, classCount: classCount)
    }

    /// All parameters in `ParameterLayout` order.
    var flatParameters: [Float] {
        weightIH + weightHH + biasIH + biasHH + fcWeight + fcBias
    }

    /// Replaces every parameter from a flat vector in `ParameterLayout` order.
    mutating func assign(flat: [Float]) {
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
