/// The operators of the quantized GRU cell, each with its own bit width.
///
/// The first 17 cases are the genome, in its fixed order (docs/quantization.md, "The
/// operators"); `input` (the quantized input x) and `fc` (the classifier head) are
/// outside the genome but settable by hand. PyTorch's cell, with h the previous state:
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

    /// What an operator computes, for tables and for choosing its arithmetic.
    public enum Kind: String, Sendable, CaseIterable {
        case linear, addition, multiplication, activation, input, head
    }

    /// The 17 operators of the cell in genome order (the order of `BitWidths.genome`).
    public static let genome: [GRUOperator] = Array(allCases.prefix(17))

    /// The name a user types: `r.wx`, `gate.z`, `h.mul_n`, `input`, `fc`.
    public var name: String {
        switch self {
        case .rWx: return "r.wx"
        case .rWh: return "r.wh"
        case .zWx: return "z.wx"
        case .zWh: return "z.wh"
        case .nWx: return "n.wx"
        case .nWh: return "n.wh"
        case .rAdd: return "r.add"
        case .zAdd: return "z.add"
        case .nAdd: return "n.add"
        case .hSub: return "h.sub"
        case .hAdd: return "h.add"
        case .nMul: return "n.mul"
        case .hMulN: return "h.mul_n"
        case .hMulH: return "h.mul_h"
        case .gateR: return "gate.r"
        case .gateZ: return "gate.z"
        case .gateN: return "gate.n"
        case .input: return "input"
        case .fc: return "fc"
        }
    }

    /// At most three characters, for table columns too narrow for `name`.
    public var shortName: String {
        switch self {
        case .rWx: return "rx"
        case .rWh: return "rh"
        case .zWx: return "zx"
        case .zWh: return "zh"
        case .nWx: return "nx"
        case .nWh: return "nh"
        case .rAdd: return "r+"
        case .zAdd: return "z+"
        case .nAdd: return "n+"
        case .hSub: return "1-z"
        case .hAdd: return "h+"
        case .nMul: return "n*"
        case .hMulN: return "hn*"
        case .hMulH: return "hh*"
        case .gateR: return "σr"
        case .gateZ: return "σz"
        case .gateN: return "tn"
        case .input: return "in"
        case .fc: return "fc"
        }
    }

    public var description: String { name }

    /// Every name, in order.
    public static var names: [String] { allCases.map(\.name) }

    /// The operator with this name, or nil.
    public init?(name: String) {
        guard let match = GRUOperator.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    public var kind: Kind {
        switch self {
        case .rWx, .rWh, .zWx, .zWh, .nWx, .nWh: return .linear
        case .rAdd, .zAdd, .nAdd, .hSub, .hAdd: return .addition
        case .nMul, .hMulN, .hMulH: return .multiplication
        case .gateR, .gateZ, .gateN: return .activation
        case .input: return .input
        case .fc: return .head
        }
    }

    /// The formula, for `show ops`.
    public var formula: String {
        switch self {
        case .rWx: return "W_ir x + b_ir"
        case .rWh: return "W_hr h + b_hr"
        case .zWx: return "W_iz x + b_iz"
        case .zWh: return "W_hz h + b_hz"
        case .nWx: return "W_in x + b_in"
        case .nWh: return "W_hn h + b_hn"
        case .rAdd: return "r.wx + r.wh"
        case .zAdd: return "z.wx + z.wh"
        case .nAdd: return "n.wx + n.mul"
        case .hSub: return "1 − z"
        case .hAdd: return "h.mul_n + h.mul_h (the new state h)"
        case .nMul: return "r ⊙ n.wh"
        case .hMulN: return "(1 − z) ⊙ n"
        case .hMulH: return "z ⊙ h"
        case .gateR: return "r = σ(r.add), lookup table"
        case .gateZ: return "z = σ(z.add), lookup table"
        case .gateN: return "n = tanh(n.add), lookup table"
        case .input: return "x, standardised and quantized"
        case .fc: return "W_fc h + b_fc on the last step, int32 logits"
        }
    }

    /// Outputs that are never negative (σ and 1 − z) use unsigned codes 0 … 2^b − 1;
    /// every other operator's output is signed, ±(2^(b−1) − 1).
    public var isUnsigned: Bool {
        self == .gateR || self == .gateZ || self == .hSub
    }

    /// Operators whose output scale is fixed by the bit width instead of calibrated:
    /// σ and 1 − z span [0, 1], tanh spans [−1, 1].
    public var hasFixedRange: Bool {
        kind == .activation || self == .hSub
    }

    /// The operators whose activation ranges calibration measures (and fine-tuning may
    /// learn), in case order: neither fixed by their width nor the head.
    public static let calibrated = allCases.filter { !$0.hasFixedRange && $0 != .fc }

    /// For linear operators and the head: which gate block of the PyTorch tensors (0 r, 1 z, 2 n).
    var gateBlock: Int {
        switch self {
        case .rWx, .rWh, .gateR, .rAdd: return 0
        case .zWx, .zWh, .gateZ, .zAdd: return 1
        default: return 2
        }
    }

    /// Linear operators reading the input x (not the state h).
    public var readsInput: Bool { self == .rWx || self == .zWx || self == .nWx }

    /// The operator whose output a lookup table is indexed by.
    public var tableInput: GRUOperator? {
        switch self {
        case .gateR: return .rAdd
        case .gateZ: return .zAdd
        case .gateN: return .nAdd
        default: return nil
        }
    }

    /// The two operands of an addition or a multiplication, in the order the step uses them
    /// (`h.mul_h`'s second is the previous state, whose codes are `h.add`'s); nil for the rest.
    public var operands: (GRUOperator, GRUOperator)? {
        switch self {
        case .rAdd: return (.rWx, .rWh)
        case .zAdd: return (.zWx, .zWh)
        case .nAdd: return (.nWx, .nMul)
        case .hAdd: return (.hMulN, .hMulH)
        case .nMul: return (.gateR, .nWh)
        case .hMulN: return (.hSub, .gateN)
        case .hMulH: return (.gateZ, .hAdd)
        default: return nil
        }
    }

    /// Tensor shape for a model with `features` inputs, `hidden` units and `classes` outputs:
    /// `rows×columns` for weight matrices, the vector length otherwise.
    public func shape(features: Int, hidden: Int, classes: Int) -> String {
        switch kind {
        case .linear: return "\(hidden)×\(readsInput ? features : hidden)"
        case .head: return "\(classes)×\(hidden)"
        case .input: return "\(features)"
        default: return "\(hidden)"
        }
    }

    /// Trainable float parameters the operator quantizes (weights and biases); 0 for the rest.
    public func parameterCount(features: Int, hidden: Int, classes: Int) -> Int {
        switch kind {
        case .linear: return hidden * (readsInput ? features : hidden) + hidden
        case .head: return classes * hidden + classes
        default: return 0
        }
    }
}
