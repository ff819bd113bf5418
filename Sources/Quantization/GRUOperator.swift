/// The operators of the quantized GRU cell as cases, for the code written for the GRU by
/// hand (the fast engines, the C export's template) and for `input` and `fc`, which belong to
/// the network rather than the cell. What each cell operator is (name, kind, range, operands)
/// comes from `CellDescription.gru`, whose operator indices are the raw values; the first 17
/// cases are the genome, in its fixed order (docs/quantization.md, "The operators").
///
///     r  = σ(W_ir x + b_ir + W_hr h + b_hr)          r.wx  r.wh  r.add  gate.r
///     z  = σ(W_iz x + b_iz + W_hz h + b_hz)          z.wx  z.wh  z.add  gate.z
///     n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))  n.wx  n.wh  n.mul  n.add  gate.n
///     h' = (1 − z) ⊙ n + z ⊙ h                        h.sub h.mul_n h.mul_h h.add
public enum GRUOperator: Int, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case rWx, rWh, zWx, zWh, nWx, nWh
    case rAdd, zAdd, nAdd, hSub, hAdd
    case nMul, hMulN, hMulH
    case gateR, gateZ, gateN
    case input, fc

    public typealias Kind = OperatorKind

    /// The cell these operators are the operators of.
    public static let cell = CellDescription.gru

    /// The 17 operators of the cell in genome order (the order of `BitWidths.genome`).
    public static let genome: [GRUOperator] = Array(allCases.prefix(cell.operators.count))

    /// The operator's index in the cell's description, nil for `input` and `fc`.
    public var cellIndex: Int? { rawValue < Self.cell.operators.count ? rawValue : nil }

    /// The operator of the cell at `index`.
    public init(cellIndex index: Int) {
        self = GRUOperator(rawValue: index)!
    }

    /// A GRU network operator's case, whatever its layer (the inverse of `OperatorID(op, layer:)`).
    public init(_ id: OperatorID) {
        switch id.role {
        case .input: self = .input
        case .head: self = .fc
        case .cell(let i): self.init(cellIndex: i)
        }
    }

    /// The operator whose codes an operand carries (a state's are its producer's).
    public init(_ operand: CellDescription.Operand) {
        self.init(cellIndex: Self.cell.producer(operand))
    }

    /// The operator whose codes are the cell's output, h: what the recurrent linears and the head read.
    public static let output = GRUOperator(cellIndex: cell.output)

    /// The name a user types: `r.wx`, `gate.z`, `h.mul_n`, `input`, `fc`.
    public var name: String { NetworkDescription.singleGRU.name(of: OperatorID(self)) }

    /// At most three characters, for table columns too narrow for `name`.
    public var shortName: String { NetworkDescription.singleGRU.shortName(of: OperatorID(self)) }

    public var description: String { name }

    /// Every name, in order.
    public static var names: [String] { allCases.map(\.name) }

    /// The operator with this name, or nil.
    public init?(name: String) {
        guard let match = GRUOperator.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    /// The node of the cell's step that computes the operator, nil for `input` and `fc`.
    public var node: CellDescription.Node? { cellIndex.map(Self.cell.node) }

    public var kind: Kind { Self.kinds[rawValue] }

    private static let kinds: [Kind] = allCases.map { NetworkDescription.singleGRU.kind(of: OperatorID($0)) }

    /// The formula, for `show ops`.
    public var formula: String { NetworkDescription.singleGRU.formula(of: OperatorID(self)) }

    /// How the output codes are scaled (`input` and `fc`: calibrated, signed).
    public var range: OperatorRange { Self.ranges[rawValue] }

    /// Every case's range, looked up once: integer models are built per configuration,
    /// thousands of times in a search, and ask for ranges and signs all along.
    private static let ranges: [OperatorRange] = allCases.map { NetworkDescription.singleGRU.range(of: OperatorID($0)) }

    /// Outputs that are never negative (σ and 1 − z) use unsigned codes 0 … 2^b − 1;
    /// every other operator's output is signed, ±(2^(b−1) − 1).
    public var isUnsigned: Bool { range == .unit }

    /// Operators whose output scale is fixed by the bit width instead of calibrated:
    /// σ and 1 − z span [0, 1], tanh spans [−1, 1].
    public var hasFixedRange: Bool { range != .calibrated }

    /// The operators whose activation ranges calibration measures (and fine-tuning may
    /// learn), in case order: neither fixed by their width nor the head.
    public static let calibrated = NetworkDescription.singleGRU.calibrated.map(GRUOperator.init)

    /// For linear operators: which gate block of the PyTorch tensors (0 r, 1 z, 2 n).
    public var gateBlock: Int {
        guard case .linear(_, _, let block) = node else { preconditionFailure("\(name) is not a linear operator") }
        return block
    }

    /// Linear operators reading the input x (not the state h).
    public var readsInput: Bool {
        if case .linear(_, .input, _) = node { return true }
        return false
    }

    /// The operator whose output a lookup table is indexed by.
    public var tableInput: GRUOperator? {
        guard case .table(_, _, let operand) = node else { return nil }
        return GRUOperator(operand)
    }

    /// The two operands of an addition or a multiplication, in the order the step uses them
    /// (`h.mul_h`'s second is the previous state, whose codes are `h.add`'s); nil for the rest.
    public var operands: (GRUOperator, GRUOperator)? {
        switch node {
        case .add(_, let a, let b), .multiply(_, let a, let b):
            return (GRUOperator(a), GRUOperator(b))
        default: return nil
        }
    }

    /// Tensor shape for a model with `features` inputs, `hidden` units and `classes` outputs.
    public func shape(features: Int, hidden: Int, classes: Int) -> String {
        NetworkDescription.singleGRU.shape(of: OperatorID(self), features: features, hidden: hidden, classes: classes)
    }

    /// Trainable float parameters the operator quantizes (weights and biases); 0 for the rest.
    public func parameterCount(features: Int, hidden: Int, classes: Int) -> Int {
        NetworkDescription.singleGRU.parameterCount(of: OperatorID(self), features: features, hidden: hidden, classes: classes)
    }
}
