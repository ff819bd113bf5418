import Foundation
import Kernels
import Testing

@Suite("Vectorised activations")
struct ActivationsTests {
    let inputs: [Float] = stride(from: -30.0, through: 30.0, by: 0.013).map { Float($0) } + [-200, 200, 0, -0.0, 1e-8]

    @Test("exp, sigmoid and tanh match libm within a few ulp-scale tolerance")
    func matchesLibm() {
        var i = 0
        while i < inputs.count {
            let count = min(16, inputs.count - i)
            let chunk = inputs[i..<i + count].map { $0 }
            let v = chunk.withUnsafeBufferPointer { Activations.loadPartial($0.baseAddress!, count: count) }
            let e = Activations.exp(v), s = Activations.sigmoid(v), t = Activations.tanh(v)
            for q in 0..<count {
                let x = Double(chunk[q])
                // The clamp happens in Float, so the reference clamps to the same Float bounds.
                let expected = Foundation.exp(Double(min(max(chunk[q], -87.3), 88.3)))
                #expect(abs(Double(e[q]) - expected) <= 4e-7 * expected, "exp(\(x))")
                #expect(abs(Double(s[q]) - 1 / (1 + Foundation.exp(-x))) < 2e-7, "sigmoid(\(x))")
                #expect(abs(Double(t[q]) - Foundation.tanh(x)) < 3e-7, "tanh(\(x))")
            }
            i += count
        }
    }

    @Test("array forms apply to every element including the tail")
    func arrays() {
        let xs: [Float] = (0..<37).map { Float($0) * 0.3 - 5 }
        let s = Activations.sigmoid(xs), t = Activations.tanh(xs)
        for (q, x) in xs.enumerated() {
            #expect(abs(s[q] - 1 / (1 + Foundation.exp(-x))) < 2e-7)
            #expect(abs(t[q] - Foundation.tanh(x)) < 3e-7)
        }
    }
}
