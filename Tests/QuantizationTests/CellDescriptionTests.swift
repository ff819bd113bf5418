import Foundation
import GRU
import Quantization
import Testing

@Suite("The cell description")
struct CellDescriptionTests {
    typealias Cell = CellDescription

    @Test("the GRU's description computes each of its 17 operators once, every operand before it is read")
    func gruIsWellFormed() {
        let cell = Cell.gru
        #expect(Cell.problems(operators: cell.operators, states: cell.states, step: cell.step).isEmpty)
        #expect(cell.operators.map(\.name) == GRUOperator.genome.map(\.name))
        #expect(cell.step.map(\.output).sorted() == Array(0..<17))
        #expect(cell.states.map(\.name) == ["h"] && cell.states[0].producedBy == GRUOperator.hAdd.rawValue)
        #expect(cell.gateBlocks == 3)
    }

    @Test("an operator's kind, range and operands follow from the node that computes it")
    func derivedProperties() {
        #expect(GRUOperator.genome.filter { $0.isUnsigned } == [.hSub, .gateR, .gateZ])
        #expect(GRUOperator.gateN.range == .symmetricUnit && GRUOperator.nAdd.range == .calibrated)
        #expect(GRUOperator.calibrated == [.rWx, .rWh, .zWx, .zWh, .nWx, .nWh, .rAdd, .zAdd, .nAdd, .hAdd,
                                           .nMul, .hMulN, .hMulH, .input])
        #expect(GRUOperator.genome.filter { $0.kind == .linear } == [.rWx, .rWh, .zWx, .zWh, .nWx, .nWh])
        #expect(GRUOperator.hSub.kind == .addition && GRUOperator.hMulH.kind == .multiplication)
        #expect(GRUOperator.input.kind == .input && GRUOperator.fc.kind == .head)
        // h.mul_h reads the previous state, whose codes are h.add's.
        #expect(GRUOperator.hMulH.operands! == (.gateZ, .hAdd))
        #expect(GRUOperator.nAdd.operands! == (.nWx, .nMul))
        #expect(GRUOperator.gateN.tableInput == .nAdd && GRUOperator.rAdd.tableInput == nil)
        #expect([GRUOperator.rWx, .zWx, .nWx].allSatisfy(\.readsInput) && !GRUOperator.nWh.readsInput)
        #expect([GRUOperator.rWh, .zWh, .nWh].map(\.gateBlock) == [0, 1, 2])
        // The tables that activate a gate, by the gate's block of PyTorch's stacked tensors.
        #expect(GRUOperator.genome.map { CellDescription.gru.gateBlock(ofTable: $0.rawValue) }
                == [Int?](repeating: nil, count: 14) + [0, 1, 2])
    }

    @Test("a description that reads an operator before computing it, computes one twice or never, or names a missing state says which")
    func problems() {
        let ops = ["a", "b", "c"].map { Cell.Operator(name: $0, shortName: $0, formula: $0) }
        let state = [Cell.State(name: "h", producedBy: 2)]
        let early = Cell.problems(operators: ops, states: state,
                                  step: [.linear(0, reads: .input, block: 0), .add(1, .op(0), .op(2)), .table(2, .sigmoid, .state(0))])
        #expect(early == ["b reads c before it is computed"])
        let twice = Cell.problems(operators: ops, states: state,
                                  step: [.linear(0, reads: .input, block: 0), .linear(0, reads: .state(0), block: 1), .oneMinus(2, .op(0))])
        #expect(twice == ["a is computed twice", "b is never computed"])
        let missing = Cell.problems(operators: ops, states: [Cell.State(name: "h", producedBy: 5)],
                                    step: [.linear(0, reads: .state(1), block: 0), .multiply(1, .op(0), .state(3)), .oneMinus(2, .op(1))])
        #expect(missing == ["a reads state 1, of 1", "a is a linear operator of state 1; recurrent products read the output state (0)",
                            "b reads state 3, of 1", "state h comes from operator 5, of 3"])
    }

    @Test("each cell kind's gate blocks, state vectors and gate names are its description's", arguments: CellKind.allCases)
    func kindMatchesDescription(kind: CellKind) {
        let cell = kind.description
        #expect(kind.gateBlocks == cell.gateBlocks && kind.stateVectors == cell.states.count)
        // Block b's gate is named by the prefix of the linear operators that read it.
        let names = (0..<cell.gateBlocks).map { block in
            cell.operators.indices.first { i in
                if case .linear(_, _, block) = cell.node(i) { return true }
                return false
            }.map { String(cell.operators[$0].name.prefix { $0 != "." }) }
        }
        #expect(names == kind.gateNames.map { Optional($0) })
    }

    @Test("the LSTM's description is PyTorch's nn.LSTM: 21 operators, states h and c, and every step's h and c equal PyTorch's")
    func lstmIsPyTorchs() throws {
        let cell = Cell.lstm
        #expect(Cell.problems(operators: cell.operators, states: cell.states, step: cell.step).isEmpty)
        #expect(cell.operators.count == 21 && cell.gateBlocks == 4 && cell.states.map(\.name) == ["h", "c"])
        #expect(cell.operators.allSatisfy { $0.shortName.count <= 3 })
        // σ gates span [0, 1], tanh ones [−1, 1]; c and the products are calibrated.
        let names = cell.operators.map(\.name)
        func range(_ name: String) -> OperatorRange { cell.node(names.firstIndex(of: name)!).range }
        #expect(range("gate.f") == .unit && range("gate.g") == .symmetricUnit && range("c.tanh") == .symmetricUnit)
        #expect(range("c.add") == .calibrated && range("h.mul") == .calibrated)
        // The fixture: scripts/make-lstm-fixture.py.
        struct Fixture: Decodable {
            var weight_ih, weight_hh, bias_ih, bias_hh, x: [Float]
            var h, c: [[Double]]
        }
        let url = try #require(Bundle.module.url(forResource: "torch_lstm", withExtension: "json", subdirectory: "Fixtures"))
        let fx = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let tensors = Cell.Tensors(inputSize: 3, hiddenSize: 4, weightIH: fx.weight_ih, weightHH: fx.weight_hh, biasIH: fx.bias_ih, biasHH: fx.bias_hh)
        var states = [[Double]](repeating: [Double](repeating: 0, count: 4), count: 2)
        for t in 0..<fx.h.count {
            states = cell.floatStep((0..<3).map { Double(fx.x[t * 3 + $0]) }, states: states, tensors: tensors).states
            for j in 0..<4 {
                #expect(abs(states[0][j] - fx.h[t][j]) < 1e-6 && abs(states[1][j] - fx.c[t][j]) < 1e-6, "step \(t) unit \(j)")
            }
        }
    }

    @Test("the description's float step is the float reference's GRU, operator by operator")
    func floatStepIsTheReference() {
        var model = GRUClassifier(inputSize: 3, hiddenSize: 5, classCount: 2, seed: 4)
        model.standardization = nil
        let sequence: [Float] = (0..<12).map { Float(($0 * 7) % 11) / 5 - 1 }
        let layer = model.layers[0]
        let tensors = Cell.Tensors(inputSize: 3, hiddenSize: 5, weightIH: layer.weightIH, weightHH: layer.weightHH,
                                   biasIH: layer.biasIH, biasHH: layer.biasHH)
        var states = [[Double](repeating: 0, count: 5)]
        var t = 0
        FloatReference.run(model: model, sequence: sequence) { _, values in
            let step = Cell.gru.floatStep((0..<3).map { Double(sequence[t * 3 + $0]) }, states: states, tensors: tensors)
            for i in 0..<17 {
                #expect(zip(step.outputs[i], values[i]).allSatisfy { abs($0 - $1) < 1e-12 }, "\(Cell.gru.operators[i].name) at step \(t)")
            }
            states = step.states
            t += 1
        }
        #expect(t == 4)
    }
}
