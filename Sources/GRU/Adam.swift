import Foundation

/// Adam (Kingma & Ba) over one flat parameter vector, with bias correction and optional
/// decoupled weight decay (AdamW, Loshchilov & Hutter): each step shrinks the parameters in
/// `decayed` by `learningRate · weightDecay` of themselves, apart from the gradient step.
public struct Adam {
    public var learningRate: Float
    public var weightDecay: Float = 0
    /// Index ranges that weight decay applies to (the weight matrices; biases are left alone).
    public var decayed: [Range<Int>] = []
    var beta1: Float = 0.9
    var beta2: Float = 0.999
    var epsilon: Float = 1e-8
    private var m: [Float]
    private var v: [Float]
    private var step = 0

    public init(count: Int, learningRate: Float) {
        self.learningRate = learningRate
        m = [Float](repeating: 0, count: count)
        v = [Float](repeating: 0, count: count)
    }

    public mutating func update(_ parameters: inout [Float], gradient: [Float]) {
        step += 1
        let correction1 = 1 - Foundation.pow(beta1, Float(step))
        let correction2 = 1 - Foundation.pow(beta2, Float(step))
        let stepSize = learningRate / correction1
        let b1 = beta1, b2 = beta2, eps = epsilon
        let rootCorrection2 = correction2.squareRoot()
        if weightDecay > 0 {
            let shrink = 1 - learningRate * weightDecay
            for range in decayed {
                for i in range { parameters[i] *= shrink }
            }
        }
        for i in parameters.indices {
            let gi = gradient[i]
            m[i] = b1 * m[i] + (1 - b1) * gi
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            parameters[i] -= stepSize * m[i] / (v[i].squareRoot() / rootCorrection2 + eps)
        }
    }
}

/// Scales the gradient down to `maxNorm` when its global L2 norm exceeds it; returns the norm before clipping.
@discardableResult
public func clipGlobalNorm(_ gradient: inout [Float], maxNorm: Float) -> Float {
    var sum = 0.0
    for g in gradient { sum += Double(g) * Double(g) }
    let norm = Float(sum.squareRoot())
    if maxNorm > 0, norm > maxNorm {
        let factor = maxNorm / norm
        for i in gradient.indices { gradient[i] *= factor }
    }
    return norm
}
