import Foundation

/// A recurrent cell as data: its operators, its state vectors and the ordered graph that
/// computes one time step.
///
/// The reference engines (integer and float), the integer model's constants (rescalers,
/// products' requantizers, tables) and each operator's kind, signedness and range read it,
/// so that a new cell is a new description plus its fast kernels (docs/architecture.md).
/// An operator is named by its index in `operators`, which is also its place in the genome.
public struct CellDescription: Sendable {
    /// What a step reads besides this step's outputs: the input x, or a state vector as the
    /// previous step left it (zeros before the first step).
    public enum Source: Sendable, Hashable {
        case input
        case state(Int)
    }

    /// An operand of an elementwise node: an operator computed earlier in the step, or a
    /// state vector from the previous step (whose codes are those of the operator producing it).
    public enum Operand: Sendable, Hashable {
        case op(Int)
        case state(Int)
    }

    /// The function a lookup table holds.
    public enum Function: String, Sendable {
        case sigmoid = "σ"
        case tanh
    }

    /// One operator's computation, in the order the step runs them.
    public enum Node: Sendable {
        /// `W x + b` (or of a state) with one gate's block of the framework's stacked tensors
        /// (PyTorch's `weight_ih`/`weight_hh` rows `block·H ..< (block+1)·H`).
        case linear(Int, reads: Source, block: Int)
        case add(Int, Operand, Operand)
        case multiply(Int, Operand, Operand)
        /// `1 − a`, for an operand in [0, 1].
        case oneMinus(Int, Operand)
        case table(Int, Function, Operand)

        /// The operator the node computes.
        public var output: Int {
            switch self {
            case .linear(let i, _, _), .add(let i, _, _), .multiply(let i, _, _), .oneMinus(let i, _), .table(let i, _, _): return i
            }
        }

        /// The operands it reads from this step or the previous one (none for a linear node,
        /// which reads a `Source`).
        public var operands: [Operand] {
            switch self {
            case .linear: return []
            case .add(_, let a, let b), .multiply(_, let a, let b): return [a, b]
            case .oneMinus(_, let a), .table(_, _, let a): return [a]
            }
        }

        public var kind: OperatorKind {
            switch self {
            case .linear: return .linear
            case .add, .oneMinus: return .addition
            case .multiply: return .multiplication
            case .table: return .activation
            }
        }

        /// What an elementwise node computes in real numbers from its operands' values: a + b,
        /// a · b, 1 − a, σ(a) or tanh(a) (`b` is unused by one-operand nodes). A linear node
        /// has no elementwise value: its products are the caller's.
        @inline(__always)
        public func value(_ a: Double, _ b: Double) -> Double {
            switch self {
            case .add: return a + b
            case .multiply: return a * b
            case .oneMinus: return 1 - a
            case .table(_, .tanh, _): return Foundation.tanh(a)
            case .table(_, .sigmoid, _): return 1 / (1 + Foundation.exp(-a))
            case .linear: preconditionFailure("a linear node has no elementwise value")
            }
        }

        /// How the output codes are scaled: σ and 1 − z span [0, 1] in unsigned codes, tanh
        /// spans [−1, 1]; everything else is signed with a calibrated range.
        public var range: OperatorRange {
            switch self {
            case .oneMinus, .table(_, .sigmoid, _): return .unit
            case .table(_, .tanh, _): return .symmetricUnit
            default: return .calibrated
            }
        }
    }

    /// What a user sees of an operator.
    public struct Operator: Sendable {
        /// What a user types: `r.wx`, `gate.z`.
        public let name: String
        /// At most three characters, for narrow table columns.
        public let shortName: String
        /// The computation in the model's own notation, for `show ops`.
        public let formula: String

        public init(name: String, shortName: String, formula: String) {
            (self.name, self.shortName, self.formula) = (name, shortName, formula)
        }
    }

    /// A vector carried from one step to the next, with the operator whose output it is.
    public struct State: Sendable {
        public let name: String
        public let producedBy: Int

        public init(name: String, producedBy: Int) {
            (self.name, self.producedBy) = (name, producedBy)
        }
    }

    /// `gru`.
    public let name: String
    /// In genome order.
    public let operators: [Operator]
    /// The first is the cell's output: what the head (and a next layer) reads.
    public let states: [State]
    /// Each operator computed once, every operand before it is read.
    public let step: [Node]
    /// The node that computes each operator, by operator index.
    private let nodeOf: [Int]

    /// A description checked as `problems` checks it; stops on the first problem, since a
    /// description is written in code, not read from input.
    init(name: String, operators: [Operator], states: [State], step: [Node]) {
        let problems = CellDescription.problems(operators: operators, states: states, step: step)
        precondition(problems.isEmpty, "cell \(name): " + problems.joined(separator: "; "))
        self.name = name
        self.operators = operators
        self.states = states
        self.step = step
        var nodeOf = [Int](repeating: 0, count: operators.count)
        for (n, node) in step.enumerated() { nodeOf[node.output] = n }
        self.nodeOf = nodeOf
    }

    /// What is wrong with a description, in words: an operator computed twice or never, an
    /// operand read before it is computed, a state or index that does not exist.
    public static func problems(operators: [Operator], states: [State], step: [Node]) -> [String] {
        var problems: [String] = []
        let count = operators.count
        func name(_ i: Int) -> String { operators.indices.contains(i) ? operators[i].name : "operator \(i)" }
        var computed = Set<Int>()
        for node in step {
            let out = node.output
            guard operators.indices.contains(out) else { problems.append("a node computes operator \(out), of \(count)"); continue }
            for operand in node.operands {
                switch operand {
                case .op(let i) where !computed.contains(i):
                    problems.append("\(name(out)) reads \(name(i)) before it is computed")
                case .state(let s) where !states.indices.contains(s):
                    problems.append("\(name(out)) reads state \(s), of \(states.count)")
                default: break
                }
            }
            if case .linear(_, .state(let s), _) = node, !states.indices.contains(s) {
                problems.append("\(name(out)) reads state \(s), of \(states.count)")
            }
            // The engines, the device layout and the C export feed the recurrent products the
            // output state h (the one vector every layer has in codes the products take).
            if case .linear(_, .state(let s), _) = node, s != 0 {
                problems.append("\(name(out)) is a linear operator of state \(s); recurrent products read the output state (0)")
            }
            if !computed.insert(out).inserted { problems.append("\(name(out)) is computed twice") }
        }
        for i in operators.indices where !computed.contains(i) { problems.append("\(name(i)) is never computed") }
        for state in states where !operators.indices.contains(state.producedBy) {
            problems.append("state \(state.name) comes from operator \(state.producedBy), of \(count)")
        }
        return problems
    }

    /// The operator whose codes are the cell's output: the first state's producer.
    public var output: Int { states[0].producedBy }

    /// The operators whose output ranges are calibrated (not fixed by their width), in operator order.
    public var calibratedOperators: [Int] { operators.indices.filter { node($0).range == .calibrated } }

    /// The node computing operator `i`.
    public func node(_ i: Int) -> Node { step[nodeOf[i]] }

    /// The operator whose codes an operand carries (a state's are its producer's).
    public func producer(_ operand: Operand) -> Int {
        switch operand {
        case .op(let i): return i
        case .state(let s): return states[s].producedBy
        }
    }

    /// For a table that activates a gate (its operand is a sum that reads one of the gate's
    /// linear operators), the gate's block: the float engine holds that activation among its
    /// gates. Nil for any other table (an LSTM's tanh of c) and for other operators.
    public func gateBlock(ofTable i: Int) -> Int? {
        guard case .table(_, _, .op(let sum)) = node(i), case .add(_, let a, let b) = node(sum) else { return nil }
        for case .op(let operand) in [a, b] {
            if case .linear(_, _, let block) = node(operand) { return block }
        }
        return nil
    }

    /// Gate blocks in the framework's stacked tensors: one past the largest a linear node reads.
    public var gateBlocks: Int {
        step.reduce(0) { blocks, node in
            if case .linear(_, _, let block) = node { return max(blocks, block + 1) }
            return blocks
        }
    }
}

/// What an operator computes, for tables and for choosing its arithmetic.
public enum OperatorKind: String, Sendable, CaseIterable {
    case linear, addition, multiplication, activation, input, head
}

/// How an operator's output codes are scaled.
public enum OperatorRange: Sendable, Equatable {
    /// Signed codes over a range calibration measures.
    case calibrated
    /// [0, 1] in unsigned codes 0 … 2^b − 1.
    case unit
    /// [−1, 1] in signed codes ±(2^(b−1) − 1).
    case symmetricUnit
}

extension CellDescription {
    /// PyTorch's GRU cell, with h the previous state:
    ///
    ///     r  = σ(W_ir x + b_ir + W_hr h + b_hr)
    ///     z  = σ(W_iz x + b_iz + W_hz h + b_hz)
    ///     n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
    ///     h' = (1 − z) ⊙ n + z ⊙ h
    ///
    /// split into 17 operators; the operator indices are `GRUOperator`'s raw values.
    public static let gru: CellDescription = {
        let operators: [Operator] = [
            Operator(name: "r.wx", shortName: "rx", formula: "W_ir x + b_ir"),
            Operator(name: "r.wh", shortName: "rh", formula: "W_hr h + b_hr"),
            Operator(name: "z.wx", shortName: "zx", formula: "W_iz x + b_iz"),
            Operator(name: "z.wh", shortName: "zh", formula: "W_hz h + b_hz"),
            Operator(name: "n.wx", shortName: "nx", formula: "W_in x + b_in"),
            Operator(name: "n.wh", shortName: "nh", formula: "W_hn h + b_hn"),
            Operator(name: "r.add", shortName: "r+", formula: "r.wx + r.wh"),
            Operator(name: "z.add", shortName: "z+", formula: "z.wx + z.wh"),
            Operator(name: "n.add", shortName: "n+", formula: "n.wx + n.mul"),
            Operator(name: "h.sub", shortName: "1-z", formula: "1 − z"),
            Operator(name: "h.add", shortName: "h+", formula: "h.mul_n + h.mul_h (the new state h)"),
            Operator(name: "n.mul", shortName: "n*", formula: "r ⊙ n.wh"),
            Operator(name: "h.mul_n", shortName: "hn*", formula: "(1 − z) ⊙ n"),
            Operator(name: "h.mul_h", shortName: "hh*", formula: "z ⊙ h"),
            Operator(name: "gate.r", shortName: "σr", formula: "r = σ(r.add), lookup table"),
            Operator(name: "gate.z", shortName: "σz", formula: "z = σ(z.add), lookup table"),
            Operator(name: "gate.n", shortName: "tn", formula: "n = tanh(n.add), lookup table"),
        ]
        let (rWx, rWh, zWx, zWh, nWx, nWh) = (0, 1, 2, 3, 4, 5)
        let (rAdd, zAdd, nAdd, hSub, hAdd) = (6, 7, 8, 9, 10)
        let (nMul, hMulN, hMulH) = (11, 12, 13)
        let (gateR, gateZ, gateN) = (14, 15, 16)
        let h = 0
        let step: [Node] = [
            .linear(rWx, reads: .input, block: 0), .linear(rWh, reads: .state(h), block: 0),
            .linear(zWx, reads: .input, block: 1), .linear(zWh, reads: .state(h), block: 1),
            .linear(nWx, reads: .input, block: 2), .linear(nWh, reads: .state(h), block: 2),
            .add(rAdd, .op(rWx), .op(rWh)),
            .add(zAdd, .op(zWx), .op(zWh)),
            .table(gateR, .sigmoid, .op(rAdd)),
            .table(gateZ, .sigmoid, .op(zAdd)),
            .multiply(nMul, .op(gateR), .op(nWh)),
            .add(nAdd, .op(nWx), .op(nMul)),
            .table(gateN, .tanh, .op(nAdd)),
            .oneMinus(hSub, .op(gateZ)),
            .multiply(hMulN, .op(hSub), .op(gateN)),
            .multiply(hMulH, .op(gateZ), .state(h)),
            .add(hAdd, .op(hMulN), .op(hMulH)),
        ]
        return CellDescription(name: "gru", operators: operators, states: [State(name: "h", producedBy: hAdd)], step: step)
    }()

    /// PyTorch's `nn.LSTM` cell: gates i, f, g, o in the blocks of its stacked tensors, the
    /// cell state c (its own width: `c.add`) beside the output h.
    ///
    ///     i = σ(W_ii x + b_ii + W_hi h + b_hi)    f = σ(W_if x + … )    g = tanh(W_ig x + … )    o = σ(W_io x + … )
    ///     c' = f ⊙ c + i ⊙ g                       h' = o ⊙ tanh(c')
    ///
    /// `CellKind.lstm`'s description. Everything but the fast integer kernels walks it; its
    /// integer model is evaluated by `DescriptionEngine` (issue 23).
    public static let lstm: CellDescription = {
        let operators: [Operator] = [
            Operator(name: "i.wx", shortName: "ix", formula: "W_ii x + b_ii"),
            Operator(name: "i.wh", shortName: "ih", formula: "W_hi h + b_hi"),
            Operator(name: "f.wx", shortName: "fx", formula: "W_if x + b_if"),
            Operator(name: "f.wh", shortName: "fh", formula: "W_hf h + b_hf"),
            Operator(name: "g.wx", shortName: "gx", formula: "W_ig x + b_ig"),
            Operator(name: "g.wh", shortName: "gh", formula: "W_hg h + b_hg"),
            Operator(name: "o.wx", shortName: "ox", formula: "W_io x + b_io"),
            Operator(name: "o.wh", shortName: "oh", formula: "W_ho h + b_ho"),
            Operator(name: "i.add", shortName: "i+", formula: "i.wx + i.wh"),
            Operator(name: "f.add", shortName: "f+", formula: "f.wx + f.wh"),
            Operator(name: "g.add", shortName: "g+", formula: "g.wx + g.wh"),
            Operator(name: "o.add", shortName: "o+", formula: "o.wx + o.wh"),
            Operator(name: "gate.i", shortName: "σi", formula: "i = σ(i.add), lookup table"),
            Operator(name: "gate.f", shortName: "σf", formula: "f = σ(f.add), lookup table"),
            Operator(name: "gate.g", shortName: "tg", formula: "g = tanh(g.add), lookup table"),
            Operator(name: "gate.o", shortName: "σo", formula: "o = σ(o.add), lookup table"),
            Operator(name: "c.mul_f", shortName: "cf*", formula: "f ⊙ c"),
            Operator(name: "c.mul_i", shortName: "ci*", formula: "i ⊙ g"),
            Operator(name: "c.add", shortName: "c+", formula: "c.mul_f + c.mul_i (the new cell state c)"),
            Operator(name: "c.tanh", shortName: "tc", formula: "tanh(c), lookup table"),
            Operator(name: "h.mul", shortName: "h*", formula: "o ⊙ tanh(c) (the new state h)"),
        ]
        let (iWx, iWh, fWx, fWh, gWx, gWh, oWx, oWh) = (0, 1, 2, 3, 4, 5, 6, 7)
        let (iAdd, fAdd, gAdd, oAdd) = (8, 9, 10, 11)
        let (gateI, gateF, gateG, gateO) = (12, 13, 14, 15)
        let (cMulF, cMulI, cAdd, cTanh, hMul) = (16, 17, 18, 19, 20)
        let (h, c) = (0, 1)
        let step: [Node] = [
            .linear(iWx, reads: .input, block: 0), .linear(iWh, reads: .state(h), block: 0),
            .linear(fWx, reads: .input, block: 1), .linear(fWh, reads: .state(h), block: 1),
            .linear(gWx, reads: .input, block: 2), .linear(gWh, reads: .state(h), block: 2),
            .linear(oWx, reads: .input, block: 3), .linear(oWh, reads: .state(h), block: 3),
            .add(iAdd, .op(iWx), .op(iWh)), .add(fAdd, .op(fWx), .op(fWh)),
            .add(gAdd, .op(gWx), .op(gWh)), .add(oAdd, .op(oWx), .op(oWh)),
            .table(gateI, .sigmoid, .op(iAdd)), .table(gateF, .sigmoid, .op(fAdd)),
            .table(gateG, .tanh, .op(gAdd)), .table(gateO, .sigmoid, .op(oAdd)),
            .multiply(cMulF, .op(gateF), .state(c)),
            .multiply(cMulI, .op(gateI), .op(gateG)),
            .add(cAdd, .op(cMulF), .op(cMulI)),
            .table(cTanh, .tanh, .op(cAdd)),
            .multiply(hMul, .op(gateO), .op(cTanh)),
        ]
        return CellDescription(name: "lstm", operators: operators,
                               states: [State(name: "h", producedBy: hMul), State(name: "c", producedBy: cAdd)], step: step)
    }()
}
