import Dispatch
import Foundation
import GRU

/// Speed of one configuration's evaluation, as the genetic search pays it, on the row-wise MNIST shape.
public enum QuantizationBenchmark {
    /// Evaluates `sequences` random sequences of `steps × features` with a random network of
    /// `layers` stacked layers of `cell` (a GRU unless asked) of `hidden` units: each trial builds the integer model of a configuration
    /// (all 8 bits, or a mixed one on odd trials, so nothing is reused between trials) and runs
    /// it on `threads` threads.
    ///
    /// Keys: `evaluation_ms` (median of `repeats` trials, building the model included),
    /// `evaluation_ms_1_thread`, `integer_macs_per_second` and `integer_gmacs_per_second`
    /// (cell and head multiply-accumulates, `steps · (G(F + H) + (L − 1) · 2GH) + H·C` per sequence, G = 3H for a GRU and 4H for an LSTM, over the
    /// median time), `integer_gmacs_per_second_per_thread` (the same over the one-thread time),
    /// `integer_gmacs_per_second_per_thread_portable`, `_avxvnni` and `_avx2` (the same with the
    /// portable Swift kernels and, where the CPU has them, the AVX-VNNI and AVX2 ones, forced as
    /// `GQ_KERNELS` forces them), `kernels` (what `.automatic` ran: 4 AVX-512, 3 AVX-VNNI, 2 AVX2, 1 portable), `avx512` (1 when the AVX-512 kernels run), `narrow_cell` (1 when both configurations run the C cell on int16 lanes, AVX-512's or AVX2's), `prepare_ms` (building the integer model alone), `fake_quant_ms` (the
    /// fake-quant float engine on the same data, one thread), `float_ms` (the float
    /// network, one thread), and the shape. An LSTM runs on `DescriptionEngine` whatever the kernel set.
    public static func run(sequences count: Int = 1000, steps: Int = 28, features: Int = 28, hidden: Int = 64, classes: Int = 10,
                           layers: Int = 1, cell: CellKind = .gru, repeats: Int = 7,
                           threads: Int = ProcessInfo.processInfo.activeProcessorCount, seed: UInt64 = 1) -> [String: Double] {
        precondition(count > 0 && steps > 0 && features > 0 && hidden > 0 && classes > 1 && repeats > 0)
        var model = GRUClassifier(inputSize: features, hiddenSize: hidden, classCount: classes, layers: layers, cell: cell, seed: seed)
        let network = model.network
        model.standardization = Standardization(mean: [Float](repeating: 0.1, count: features), scale: [Float](repeating: 0.9, count: features))
        var state = seed | 1
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) * 2 - 1
        }
        let data = (0..<count).map { _ in (0..<(steps * features)).map { _ in next() } }
        let calibration = Calibration.calibrate(model: model, sequences: Array(data.prefix(64)), method: .maxAbs)
        let options = QuantizationOptions(refine: .off)  // the max-abs calibration above, unrefined
        let evaluator = IntegerEvaluator(sequences: data, featureCount: features)
        // Every set below AVX-512 that the CPU runs, each forced, for the figures beside the unforced one.
        let forced = [IntegerKernelSet.avxvnni, .avx2, .portable].filter { IntegerKernelSet.available.contains($0) }
            .map { ($0, IntegerEvaluator(sequences: data, featureCount: features, kernels: $0)) }
        var mixed = BitWidths(uniform: 6, network: network)
        // A gate table at 4 bits, the state at 8, one recurrent linear at 5, the rest at 6.
        try? mixed.apply(cell == .gru ? ["gate.z=4", "h.add=8", "r.wh=5"] : ["gate.f=4", "c.add=8", "i.wh=5"])
        func configuration(_ trial: Int) -> BitWidths { trial % 2 == 0 ? BitWidths(uniform: 8, network: network) : mixed }

        func milliseconds(_ body: () -> Void) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
        func median(_ values: [Double]) -> Double {
            let s = values.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        var sink: Int64 = 0
        _ = evaluator.logits(QuantizedGRU(model: model, calibration: calibration, bits: configuration(0), options: options), threads: threads)
        for (_, evaluator) in forced {
            _ = evaluator.logits(QuantizedGRU(model: model, calibration: calibration, bits: configuration(0), options: options), threads: 1)
        }
        var parallel: [Double] = [], single: [Double] = [], prepare: [Double] = []
        var singleForced = [[Double]](repeating: [], count: forced.count)
        for trial in 0..<repeats {
            let bits = configuration(trial)
            parallel.append(milliseconds {
                let q = QuantizedGRU(model: model, calibration: calibration, bits: bits, options: options)
                sink &+= evaluator.logits(q, threads: threads)[trial % 10]
            })
            single.append(milliseconds {
                let q = QuantizedGRU(model: model, calibration: calibration, bits: bits, options: options)
                sink &+= evaluator.logits(q, threads: 1)[trial % 10]
            })
            for (index, (_, evaluator)) in forced.enumerated() {
                singleForced[index].append(milliseconds {
                    let q = QuantizedGRU(model: model, calibration: calibration, bits: bits, options: options)
                    sink &+= evaluator.logits(q, threads: 1)[trial % 10]
                })
            }
            prepare.append(milliseconds {
                sink &+= Int64(QuantizedGRU(model: model, calibration: calibration, bits: bits, options: options).size.total)
            })
        }
        var fake: [Double] = [], float: [Double] = []
        for trial in 0..<max(1, repeats / 2) {
            let bits = configuration(trial)
            fake.append(milliseconds {
                sink &+= Int64(FakeQuantGRU(model: model, calibration: calibration, bits: bits, options: options).logits(data)[trial % 10])
            })
            float.append(milliseconds { sink &+= Int64(model.logits(data)[trial % 10]) })
        }
        let macs = Double(count) * Double(model.layout.multiplyAccumulates(steps: steps))
        let ms = median(parallel)
        var figures: [String: Double] = [
            "evaluation_ms": ms,
            "evaluation_ms_1_thread": median(single),
            "prepare_ms": median(prepare),
            "integer_macs_per_second": macs / (ms / 1000),
            "integer_gmacs_per_second": macs / (ms / 1000) / 1e9,
            "integer_gmacs_per_second_per_thread": macs / (median(single) / 1000) / 1e9,
            "avx512": IntegerKernelSet.automatic.effective == .avx512 ? 1 : 0,
            // 1 portable, 2 AVX2, 3 AVX-VNNI, 4 AVX-512: the sets counted from the slowest.
            "kernels": Double(IntegerKernelSet.allCases.count - (IntegerKernelSet.allCases.firstIndex(of: IntegerKernelSet.automatic.effective) ?? 0)),
            "narrow_cell": (0..<2).allSatisfy {
                evaluator.kernelPath(for: QuantizedGRU(model: model, calibration: calibration, bits: configuration($0), options: options)).hasSuffix(" narrow")
            } ? 1 : 0,
            "float_ms": median(float),
            "threads": Double(threads), "layers": Double(layers),
            "sequences": Double(count), "steps": Double(steps), "features": Double(features), "hidden": Double(hidden),
            "checksum": sink == Int64.min ? 1 : 0,
        ]
        if !fake.isEmpty { figures["fake_quant_ms"] = median(fake) }
        for (index, (set, _)) in forced.enumerated() {
            figures["integer_gmacs_per_second_per_thread_\(set.rawValue)"] = macs / (median(singleForced[index]) / 1000) / 1e9
        }
        return figures
    }
}
