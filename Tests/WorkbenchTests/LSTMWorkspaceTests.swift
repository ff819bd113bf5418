import Foundation
import Testing
import Workbench

@Suite("An LSTM in the workspace")
struct LSTMWorkspaceTests {
    @Test("trace follows an LSTM's h: the head applied to its last float state gives the model's logits")
    func traceFollowsTheOutputState() throws {
        let workspace = Workspace(modelCache: nil)
        _ = try workspace.loadTask("digits")
        _ = try workspace.train(TrainingOptions(epochs: 2, hiddenSize: 8, seed: 0, cell: .lstm))
        let model = try #require(workspace.model)
        let task = try #require(workspace.task)
        let trace = try workspace.trace(sequence: 3)
        let logits = model.logits([task.validation.sequences[3]])
        let h = try #require(trace.float.last)
        for c in 0..<model.classCount {
            let z = (0..<model.hiddenSize).reduce(Double(model.fcBias[c])) { $0 + Double(model.fcWeight[c * model.hiddenSize + $1]) * h[$1] }
            #expect(abs(z - Double(logits[c])) < 1e-4, "class \(c): \(z) against \(logits[c])")
        }
    }
}
