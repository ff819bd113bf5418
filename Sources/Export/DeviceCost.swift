import Quantization

/// A microcontroller core the cost model knows: whether its C export takes the DSP path.
public enum TargetCore: String, Sendable, CaseIterable, Codable {
    /// Cortex-M4 (and M7, M33 with DSP): `SXTB16`/`SMLAD`, two multiply-accumulates per instruction.
    case m4
    /// Cortex-M3 (and any core without the DSP extension): the portable C99 path.
    case m3

    public var label: String {
        switch self {
        case .m4: return "Cortex-M4 (DSP)"
        case .m3: return "Cortex-M3 (no DSP)"
        }
    }
}

/// What one time step of the exported C costs on a core: instructions (not cycles) and RAM.
public struct DeviceCost: Sendable, Equatable {
    /// Instructions of one call of the integer step (`NAME_step_codes`), at -O2.
    public var instructionsPerStep: Int
    /// Bytes of the caller-owned state.
    public var stateBytes: Int
    /// Bytes of the step's scratch (on the stack).
    public var scratchBytes: Int
    public var ramBytes: Int { stateBytes + scratchBytes }
}

extension QuantizedGRU {
    /// The cost model of the C export's step on `core` (docs/quantization.md, "On the device").
    public func deviceCost(core: TargetCore) -> DeviceCost {
        DeviceCostModel(core: core).cost(of: self, layouts: deviceLayouts)
    }
}

/// The cost model of the exported step: instructions per piece of the code the export emits,
/// added up over the kernels `DeviceLayout` chose for a configuration.
///
/// The pieces are what the C of `CExport` is made of: for each linear row, its dot product's
/// unrolled iterations (two weight words at a time) and leftover word by container, whether it
/// loops, and its rescale's form; for each unit, the rescale forms of its additions and
/// products; the operand loads. Their costs were fitted (non-negative least squares on
/// relative error) to exact counts of 128 configurations on eight task shapes (F 6–28,
/// H 16–96, 2–16 bits, per-channel and per-tensor weights, power-of-two requantization)
/// under QEMU with `-icount shift=0`, built by arm-none-eabi-gcc 12.2 at -O2:
/// `scripts/mcu-calibrate` repeats the fit. Residuals: 1.5 % RMS on the M4 (largest 4.7 %),
/// 2.4 % on the M3 (largest 16 %, at H = 16). The pieces are counted from the cell's
/// description (every linear row, every elementwise node's rescales), so another cell is
/// estimated with the same coefficients: on the LSTM (vowels and smnist, 8-bit, 4-bit and
/// mixed, `scripts/mcu-bench --cell lstm`) within −1.0 to +4.0 % of the counts on both cores.
/// Instructions are not cycles (docs/quantization.md, "On the device").
public struct DeviceCostModel: Sendable {
    public let core: TargetCore

    public init(core: TargetCore) { self.core = core }

    /// The pieces, counted per step for a configuration.
    public enum Piece: String, CaseIterable, Sendable {
        case pair2, pair4, pair8, pair16, tail2, tail4, tail8, tail16, pair64, tail64, loops, rows
        case rowHigh, rowProduct, rowWide, rowWidePerRow, rowShift, rowSaturate64
        case elementHigh, elementProduct, elementWide, elementSaturate64, nibbleLookup
        case inputs, one
    }

    /// Instructions per piece at -O2, as `scripts/mcu-calibrate` fitted them (seed 1). The pieces
    /// no calibration configuration ran (the product form, a 64-bit shared rescale, wide
    /// elementwise rescales) carry costs read from their instructions instead.
    public var coefficients: [Piece: Double] {
        switch core {
        case .m4:
            return [.pair2: 59.41, .pair4: 33.22, .pair8: 16.21, .pair16: 15.68, .tail2: 31.91, .tail4: 18.97,
                    .tail8: 4.84, .tail16: 9.01, .pair64: 0, .tail64: 6.74, .loops: 11.31, .rows: 25.14,
                    .rowHigh: 0, .rowProduct: 4, .rowWide: 36.98, .rowWidePerRow: 36.98, .rowShift: 4.35, .rowSaturate64: 0,
                    .elementHigh: 0, .elementProduct: 3, .elementWide: 15, .elementSaturate64: 6, .nibbleLookup: 4.96,
                    .inputs: 18.84, .one: -279.32]
        case .m3:
            return [.pair2: 102.22, .pair4: 53.64, .pair8: 31.19, .pair16: 34.02, .tail2: 41.03, .tail4: 29.48,
                    .tail8: 12.45, .tail16: 15.44, .pair64: 16.37, .tail64: 5.19, .loops: 12.21, .rows: 21.25,
                    .rowHigh: 0.88, .rowProduct: 4, .rowWide: 34.25, .rowWidePerRow: 34.25, .rowShift: 5.72, .rowSaturate64: 0,
                    .elementHigh: 1.43, .elementProduct: 3, .elementWide: 15, .elementSaturate64: 6, .nibbleLookup: 5.45,
                    .inputs: 66.65, .one: -523.69]
        }
    }

    /// How many of each piece one step runs.
    public static func pieces(of model: QuantizedGRU, layout: DeviceLayout) -> [Piece: Int] {
        let h = model.hiddenSize
        var count: [Piece: Int] = [:]
        func add(_ piece: Piece, _ n: Int) { count[piece, default: 0] += n }
        for plan in layout.linear {
            let units = plan.wordsPerRow / (plan.container == 16 ? 2 : 1)
            let pairs = units / 2, tail = units % 2
            let pair: [Int: Piece] = [2: .pair2, 4: .pair4, 8: .pair8, 16: .pair16]
            let leftover: [Int: Piece] = [2: .tail2, 4: .tail4, 8: .tail8, 16: .tail16]
            add(pair[plan.container]!, pairs * h)
            add(leftover[plan.container]!, tail * h)
            if plan.accumulates64 {
                add(.pair64, pairs * h)
                add(.tail64, tail * h)
            }
            if pairs >= 2 { add(.loops, h) }
            add(.rows, h)
            switch plan.rescale {
            case .shared(.high)?, .highPerRow?: add(.rowHigh, h)
            case .shared(.product)?, .productPerRow?: add(.rowProduct, h)
            case .widePerRow?: add(.rowWidePerRow, h); add(.rowSaturate64, h)
            case .shared(.wide)?: add(.rowWide, h); add(.rowSaturate64, h)
            case .shiftPerRow?: add(.rowShift, h)
            case .shared(.narrow)?, .shared(.zero)?, nil: break
            }
        }
        func element(_ forms: [Rescale]) {
            var wide = false
            for form in forms {
                switch form {
                case .high: add(.elementHigh, h)
                case .product: add(.elementProduct, h)
                case .wide: add(.elementWide, h); wide = true
                case .narrow, .zero: break
                }
            }
            if wide { add(.elementSaturate64, h) }
        }
        // Every elementwise node's rescales, in the cell's order (a GRU's four sums, h.sub and three products).
        for node in model.bits.network.cell.description.step {
            switch node {
            case .add(let i, _, _):
                let (a, b) = layout.addRescales[i]!
                element([a, b])
            case .multiply(let i, _, _): element([layout.mulRescales[i]!])
            case .oneMinus(let i, _): element([layout.oneMinusRescales[i]!])
            case .linear, .table: break
            }
        }
        for table in model.tables.values where DeviceLayout.tableEntryBits(outputBits: table.outputBits) == 4 {
            add(.nibbleLookup, h)
        }
        add(.inputs, model.inputSize)
        add(.one, 1)
        return count
    }

    /// A stack's step is its layers' steps one after the other: their pieces add up, with the
    /// fitted constant counted once; the states add up, and one layer's scratch is live at a time.
    public func cost(of model: QuantizedGRU, layouts: [DeviceLayout]) -> DeviceCost {
        let weights = coefficients
        var pieces: [Piece: Int] = [:]
        for (k, layout) in layouts.enumerated() {
            pieces.merge(DeviceCostModel.pieces(of: model.layer(k), layout: layout), uniquingKeysWith: +)
        }
        pieces[.one] = 1
        let total = pieces.reduce(0.0) { $0 + Double($1.value) * (weights[$1.key] ?? 0) }
        return DeviceCost(instructionsPerStep: max(0, Int(total.rounded())), stateBytes: layouts.reduce(0) { $0 + $1.stateBytes },
                          scratchBytes: layouts.map(\.scratchBytes).max() ?? 0)
    }
}
