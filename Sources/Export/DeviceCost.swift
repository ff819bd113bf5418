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
        DeviceCostModel(core: core).cost(of: self, layout: deviceLayout)
    }
}

/// Instructions per piece of the exported step, counted under QEMU at -O2 (docs/quantization.md,
/// "On the device"); the estimate adds them up over the kernels the export emits.
public struct DeviceCostModel: Sendable {
    public let core: TargetCore

    public init(core: TargetCore) { self.core = core }

    /// Instructions per 32-bit word of weights in the inner loop, by container.
    func perWord(container: Int, wide: Bool) -> Double {
        switch (core, container) {
        case (.m4, 16): return 4
        case (.m4, 8): return 6
        case (.m4, 4): return 12
        case (.m4, _): return 24
        case (.m3, 16): return 6
        case (.m3, let c): return Double(32 / c) * 3 + 1
        }
    }

    public func cost(of model: QuantizedGRU, layout: DeviceLayout) -> DeviceCost {
        let h = model.hiddenSize
        var instructions = 0.0
        for layer in layout.linear {
            instructions += Double(layer.rows) * (Double(layer.wordsPerRow) * perWord(container: layer.container, wide: layer.accumulates64) + 16)
        }
        instructions += Double(h) * 100
        let padded = { (n: Int) in (n + DeviceLayout.inputAlignment - 1) / DeviceLayout.inputAlignment * DeviceLayout.inputAlignment }
        let scratch = 2 * (padded(model.inputSize) + padded(h))
        return DeviceCost(instructionsPerStep: Int(instructions.rounded()), stateBytes: layout.stateCodeBytes * h, scratchBytes: scratch)
    }
}
