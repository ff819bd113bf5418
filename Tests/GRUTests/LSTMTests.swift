import Foundation
import GRU
import Testing

@Suite("LSTM layers in float (nn.LSTM): files and memory")
struct LSTMTests {
    @Test("an LSTM saved and read back is the same model, under nn.LSTM's names lstm.weight_ih_l1 …")
    func fileRoundTrip() throws {
        let model = GRUClassifier(inputSize: 3, hiddenSize: 4, classCount: 2, layers: 2, cell: .lstm, seed: 9)
        let archive = model.archive()
        #expect(archive.tensors["lstm.weight_ih_l1"]?.shape == [16, 4] && archive.tensors["lstm.bias_hh_l1"]?.shape == [16])
        #expect(archive.tensors.keys.allSatisfy { !$0.hasPrefix("gru.") })
        let read = try GRUClassifier(archive: archive, file: "s.safetensors")
        #expect(read == model && read.cell == .lstm)
    }

    @Test("an LSTM's memory estimate keeps four gate blocks and the cell state: 18H + F a step, 6H more a layer")
    func memory() {
        let one = TrainingMemory(lengths: [100, 50], featureCount: 3, options: TrainingOptions(hiddenSize: 8, batchSize: 2, cell: .lstm))
        let two = TrainingMemory(lengths: [100, 50], featureCount: 3, options: TrainingOptions(hiddenSize: 8, batchSize: 2, layers: 2, cell: .lstm))
        #expect(one.bytes == 4 * 2 * 100 * (18 * 8 + 3))
        #expect(two.bytes - one.bytes == 4 * 2 * 100 * (6 * 8 + 8))
    }
}
