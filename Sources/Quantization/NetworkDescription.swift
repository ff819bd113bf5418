import GRU

extension CellKind {
    /// What the cell computes, operator by operator.
    public var description: CellDescription {
        switch self {
        case .gru: return .gru
        case .lstm: return .lstm
        }
    }
}

/// One operator of a network: the input quantizer, operator `index` of layer `layer`'s
/// cell (its index in the cell's description), or the head.
public struct OperatorID: Hashable, Sendable, CustomStringConvertible {
    public enum Role: Hashable, Sendable {
        case input
        case cell(Int)
        case head
    }

    public let layer: Int
    public let role: Role

    public static let input = OperatorID(layer: 0, role: .input)
    public static let fc = OperatorID(layer: 0, role: .head)

    /// Operator `index` of layer `layer`'s cell.
    public static func cell(_ index: Int, layer: Int = 0) -> OperatorID { OperatorID(layer: layer, role: .cell(index)) }

    /// A GRU operator of layer `layer` (`input` and `fc` belong to no layer).
    public init(_ op: GRUOperator, layer: Int = 0) {
        switch op {
        case .input: self = .input
        case .fc: self = .fc
        default: self = .cell(op.rawValue, layer: layer)
        }
    }

    private init(layer: Int, role: Role) {
        self.layer = layer
        self.role = role
    }

    /// The cell operator's index, nil for `input` and `fc`.
    public var cellIndex: Int? {
        if case .cell(let i) = role { return i }
        return nil
    }

    public var description: String {
        switch role {
        case .input: return "input"
        case .head: return "fc"
        case .cell(let i): return "layer \(layer) operator \(i)"
        }
    }
}

/// The network a configuration quantizes: the input quantizer, `layers` recurrent layers of
/// one cell, and a linear head on the last layer's output at the last step.
///
/// Operator identity, names, the genome and the patterns `set bits` takes all come from it.
/// Operators are ordered as the genome and `BitWidths` store them: layer 0's cell operators
/// in the cell's order, then layer 1's, …, then `input` and `fc`. A single layer's operators
/// are named as the cell names them (`gate.z`); with several layers every cell operator is
/// prefixed with its layer as PyTorch numbers them (`l0.gate.z`, `l1.gate.z`).
public struct NetworkDescription: Hashable, Sendable, CustomStringConvertible {
    /// Layers a network may have.
    public static let allowedLayers: ClosedRange<Int> = 1...4

    public let cell: CellKind
    public let layers: Int
    /// Operators per layer (the cell's), kept: positions are looked up for every width read.
    public let cellOperatorCount: Int

    /// The network gq has always quantized: one GRU layer and a linear head.
    public static let singleGRU = NetworkDescription(cell: .gru, layers: 1)

    /// The most layers a GRU network may have: a script's patterns (`l3.gate.z`) are checked
    /// against it before it runs, and against the network in use when they are applied.
    public static let widestGRU = NetworkDescription(cell: .gru, layers: allowedLayers.upperBound)

    public init(cell: CellKind, layers: Int) {
        precondition(Self.allowedLayers.contains(layers), "NetworkDescription: \(layers) layers is outside \(Self.allowedLayers)")
        self.cell = cell
        self.layers = layers
        cellOperatorCount = cell.description.operators.count
    }

    public var description: String { layers == 1 ? "one \(cell.displayName) layer" : "\(layers) stacked \(cell.displayName) layers" }

    /// The searched operators: every layer's cell operators, layer by layer.
    public var genome: [OperatorID] {
        (0..<layers).flatMap { layer in (0..<cellOperatorCount).map { OperatorID.cell($0, layer: layer) } }
    }

    /// Every operator, in storage order: the genome, then `input` and `fc`.
    public var operators: [OperatorID] { genome + [.input, .fc] }

    /// Where `id` sits in `operators`.
    public func position(of id: OperatorID) -> Int {
        switch id.role {
        case .cell(let i):
            precondition(id.layer < layers && i < cellOperatorCount, "NetworkDescription: \(id) is not in \(self)")
            return id.layer * cellOperatorCount + i
        case .input: return layers * cellOperatorCount
        case .head: return layers * cellOperatorCount + 1
        }
    }

    /// What a user types for `id`: `gate.z` in a single layer, `l1.gate.z` in a stack, `input`, `fc`.
    public func name(of id: OperatorID) -> String {
        layers == 1 || id.cellIndex == nil ? unlayeredName(of: id) : layeredName(of: id)
    }

    /// `id`'s name with its layer, as a stack spells it (`l0.gate.z`; `input`, `fc` as they are).
    public func layeredName(of id: OperatorID) -> String {
        id.cellIndex == nil ? unlayeredName(of: id) : "l\(id.layer).\(unlayeredName(of: id))"
    }

    /// `id`'s name in its cell, without a layer (`gate.z`; `input`, `fc`).
    public func unlayeredName(of id: OperatorID) -> String {
        switch id.role {
        case .input: return "input"
        case .head: return "fc"
        case .cell(let i): return cell.description.operators[i].name
        }
    }

    /// At most three characters for a single layer's operator, the layer's digit before it in a stack.
    public func shortName(of id: OperatorID) -> String {
        switch id.role {
        case .input: return "in"
        case .head: return "fc"
        case .cell(let i):
            let short = cell.description.operators[i].shortName
            return layers == 1 ? short : "\(id.layer)\(short)"
        }
    }

    /// Every operator's name, in storage order.
    public var names: [String] { operators.map(name(of:)) }

    /// The operator a name stands for. A stack's operator is named with its layer (`l1.gate.z`);
    /// a single layer's answers to `l0.gate.z` as well as `gate.z`.
    public func operatorNamed(_ text: String) -> OperatorID? {
        if text == "input" { return .input }
        if text == "fc" { return .fc }
        var layer = 0, rest = Substring(text)
        if let (number, name) = Self.splitLayer(text) {
            layer = number
            rest = name
        } else if layers > 1 {
            return nil
        }
        guard (0..<layers).contains(layer),
              let index = cell.description.operators.firstIndex(where: { $0.name == rest }) else { return nil }
        return .cell(index, layer: layer)
    }

    /// `l12.gate.z` as (12, `gate.z`); nil when the text does not start with `l`, digits and a dot.
    static func splitLayer(_ text: String) -> (Int, Substring)? {
        guard text.hasPrefix("l"), let dot = text.firstIndex(of: ".") else { return nil }
        let digits = text[text.index(after: text.startIndex)..<dot]
        // One spelling per layer: no leading zeros (`l01`).
        guard !digits.isEmpty, digits.count <= 2, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              digits.count == 1 || digits.first != "0", let number = Int(digits) else { return nil }
        return (number, text[text.index(after: dot)...])
    }

    /// The node of `id`'s cell that computes it; nil for `input` and `fc`.
    public func node(_ id: OperatorID) -> CellDescription.Node? {
        id.cellIndex.map(cell.description.node)
    }

    /// How `id`'s output codes are scaled: its node's range; `input` and `fc` are calibrated, signed.
    public func range(of id: OperatorID) -> OperatorRange { node(id)?.range ?? .calibrated }

    /// The operators whose ranges calibration measures: every layer's calibrated cell
    /// operators and the input (neither fixed by their width nor the head), in storage order.
    public var calibrated: [OperatorID] { operators.filter { $0 != .fc && range(of: $0) == .calibrated } }

    /// `id`'s kind: its node's, or `input` and `head`.
    public func kind(of id: OperatorID) -> OperatorKind {
        switch id.role {
        case .input: return .input
        case .head: return .head
        case .cell(let i): return cell.description.node(i).kind
        }
    }
}

extension NetworkDescription {
    /// The formula, for `show ops`.
    public func formula(of id: OperatorID) -> String {
        switch id.role {
        case .input: return "x, standardised and quantized"
        case .head: return "W_fc h + b_fc on the last step, int32 logits"
        case .cell(let i): return cell.description.operators[i].formula
        }
    }

    /// Whether `id` is a linear operator reading the layer's input (x, or the state below), not its own state.
    public func readsInput(_ id: OperatorID) -> Bool {
        if case .linear(_, .input, _)? = node(id) { return true }
        return false
    }

    /// Tensor shape for a layer reading `features` inputs with `hidden` units and `classes`
    /// outputs: `rows×columns` for weight matrices, the vector length otherwise.
    public func shape(of id: OperatorID, features: Int, hidden: Int, classes: Int) -> String {
        switch kind(of: id) {
        case .linear: return "\(hidden)×\(readsInput(id) ? features : hidden)"
        case .head: return "\(classes)×\(hidden)"
        case .input: return "\(features)"
        default: return "\(hidden)"
        }
    }

    /// Trainable float parameters the operator quantizes (weights and biases); 0 for the rest.
    public func parameterCount(of id: OperatorID, features: Int, hidden: Int, classes: Int) -> Int {
        switch kind(of: id) {
        case .linear: return hidden * (readsInput(id) ? features : hidden) + hidden
        case .head: return classes * hidden + classes
        default: return 0
        }
    }
}

extension GRUClassifier {
    /// The network this model is: its recurrent layers and head.
    public var network: NetworkDescription { NetworkDescription(cell: cell, layers: layerCount) }
}
