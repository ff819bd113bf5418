/// The flash size of an integer GRU: the bytes of constant data the C export emits.
///
/// Layout (docs/quantization.md, "Model size"): the input quantizer (mean and factor, float32
/// per feature); per linear operator the weight codes packed at its width, int32 biases (int64
/// with a wide accumulator) and its requantizers; operand rescalers of the additions and
/// multiplications; the h.sub constant; the three lookup tables packed at their output
/// width; the head's packed weights and biases. A requantizer is an int16 multiplier and an
/// int8 shift (3 bytes), or the shift alone in power-of-two mode (1 byte).
public struct ModelSize: Sendable, Equatable {
    /// Bytes per operator, by `GRUOperator.rawValue`.
    public var bytes: [Int]
    /// Weight codes alone (all linear operators and the head), bytes.
    public var weightBytes: Int
    /// Lookup tables alone, bytes.
    public var tableBytes: Int

    public var total: Int { bytes.reduce(0, +) }

    public subscript(op: GRUOperator) -> Int { bytes[op.rawValue] }

    /// Bytes of `count` codes bit-packed at `bits` each.
    public static func packedBytes(count: Int, bits: Int) -> Int { (count * bits + 7) / 8 }

    public init(_ model: QuantizedGRU) {
        let requantizer = model.options.requantization == .powerOfTwo ? 1 : 3
        var bytes = [Int](repeating: 0, count: GRUOperator.allCases.count)
        var weightBytes = 0, tableBytes = 0
        bytes[GRUOperator.input.rawValue] = 8 * model.inputSize
        for layer in model.linear + [model.head] {
            let w = ModelSize.packedBytes(count: layer.rows * layer.columns, bits: layer.weightBits)
            weightBytes += w
            bytes[layer.op.rawValue] = w + layer.rows * (layer.wideAccumulator ? 8 : 4) + layer.requantizers.count * requantizer
        }
        for op in [GRUOperator.rAdd, .zAdd, .nAdd, .hAdd] { bytes[op.rawValue] = 2 * requantizer }
        bytes[GRUOperator.hSub.rawValue] = requantizer + 4
        for op in [GRUOperator.nMul, .hMulN, .hMulH] { bytes[op.rawValue] = requantizer }
        for (op, table) in model.tables {
            let t = ModelSize.packedBytes(count: table.entries.count, bits: table.outputBits)
            tableBytes += t
            bytes[op.rawValue] = t
        }
        self.bytes = bytes
        self.weightBytes = weightBytes
        self.tableBytes = tableBytes
    }
}

extension QuantizedGRU {
    /// Flash bytes of this configuration, broken down.
    public var size: ModelSize { ModelSize(self) }
}

/// Codes packed into bytes as the C export stores them.
public enum CodePacking {
    /// Little-endian bit stream: code i occupies bits i·b … i·b + b − 1, where bit k of the stream
    /// is bit (k mod 8) of byte k / 8; each code is its low b bits (two's complement for signed).
    public static func pack<C: Collection>(_ codes: C, bits: Int) -> [UInt8] where C.Element: BinaryInteger {
        var out = [UInt8](repeating: 0, count: ModelSize.packedBytes(count: codes.count, bits: bits))
        var position = 0
        let mask = (UInt64(1) << bits) - 1
        for code in codes {
            let field = UInt64(truncatingIfNeeded: Int64(code)) & mask
            for bit in 0..<bits where field & (1 << UInt64(bit)) != 0 {
                let k = position + bit
                out[k / 8] |= UInt8(1) << UInt8(k % 8)
            }
            position += bits
        }
        return out
    }

    /// The inverse of `pack`: `count` codes of `bits` bits, sign-extended when `signed`.
    public static func unpack(_ bytes: [UInt8], count: Int, bits: Int, signed: Bool) -> [Int64] {
        (0..<count).map { i in
            var field: UInt64 = 0
            for bit in 0..<bits {
                let k = i * bits + bit
                if bytes[k / 8] & (UInt8(1) << UInt8(k % 8)) != 0 { field |= 1 << UInt64(bit) }
            }
            if signed, field & (1 << UInt64(bits - 1)) != 0 { return Int64(bitPattern: field | ~((UInt64(1) << bits) - 1)) }
            return Int64(field)
        }
    }
}
