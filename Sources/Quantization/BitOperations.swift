/// Bit operations of one time step of the integer cell: a hardware-neutral cost
/// that rewards narrow operands in the multiplications that dominate run time.
///
/// Each multiply counts the product of its operands' widths (a b×c-bit multiply
/// costs about b·c one-bit operations on a shift-and-add datapath): every linear
/// operator contributes rows × columns × weight bits × input bits, and each
/// element-wise multiplication hidden × its two operands' bits. Additions and
/// table look-ups are left out: they are linear in the width and cheap beside
/// the multiplies. The head runs once per sequence, not per step, so it is not counted.
public enum BitOperations {
    public static func perStep(_ bits: BitWidths, features: Int, hidden: Int) -> Int {
        let state = bits[.hAdd]
        let linear: [(GRUOperator, Int, Int)] = [
            (.rWx, features, bits[.input]), (.zWx, features, bits[.input]), (.nWx, features, bits[.input]),
            (.rWh, hidden, state), (.zWh, hidden, state), (.nWh, hidden, state),
        ]
        var total = 0
        for (op, columns, inputBits) in linear {
            total += hidden * columns * bits[op] * inputBits
        }
        total += hidden * bits[.gateR] * bits[.nWh]        // n.mul = r ⊙ (W_hn h + b_hn)
        total += hidden * bits[.hSub] * bits[.gateN]       // h.mul_n = (1 − z) ⊙ n
        total += hidden * bits[.gateZ] * state             // h.mul_h = z ⊙ h
        return total
    }
}
