/// Bit operations of one time step of the integer cell: a hardware-neutral cost
/// that rewards narrow operands in the multiplications that dominate run time.
///
/// Each multiply counts the product of its operands' widths (a b×c-bit multiply
/// costs about b·c one-bit operations on a shift-and-add datapath): every linear
/// operator contributes rows × columns × weight bits × input bits, and each
/// element-wise multiplication hidden × its two operands' bits. Additions and
/// table look-ups are left out: they are linear in the width and cheap beside
/// the multiplies. The head runs once per sequence, not per step, so it is not counted.
///
/// It walks the network's description: in a stack, a layer above reads the state of the
/// layer below (its width and H columns) where the first reads the input.
public enum BitOperations {
    public static func perStep(_ bits: BitWidths, features: Int, hidden: Int) -> Int {
        let network = bits.network, cell = network.cell.description
        var total = 0
        for layer in 0..<network.layers {
            func width(_ operand: CellDescription.Operand) -> Int { bits[id: .cell(cell.producer(operand), layer: layer)] }
            let below: OperatorID = layer == 0 ? .input : .cell(cell.output, layer: layer - 1)
            for node in cell.step {
                switch node {
                case .linear(let op, .input, _):
                    total += hidden * (layer == 0 ? features : hidden) * bits[id: .cell(op, layer: layer)] * bits[id: below]
                case .linear(let op, .state(let s), _):
                    total += hidden * hidden * bits[id: .cell(op, layer: layer)] * width(.state(s))
                case .multiply(_, let a, let b):
                    total += hidden * width(a) * width(b)
                default:
                    break
                }
            }
        }
        return total
    }
}
