import Foundation
import Workbench

/// `bench`: speed figures as JSON, so runs can be compared and archived.
enum BenchCommand {
    static let quick = Option<Flag>.flag("quick", "fewer trials, for a smoke test")
    static let scaling = Option<Flag>.flag("scaling", "training and integer evaluation at hidden 32-256 and lengths 28-400 instead")
    static let integer = Option<Flag>.flag("integer", "the integer engine alone, on the row-wise MNIST shape")
    static let hidden = Option<Int>("hidden", 1...4096, "with scaling: that hidden size only").valueNamed("H").requiring(scaling)
    static let steps = Option<Int>("steps", 1...100_000, "with scaling: that length only").valueNamed("T").requiring(scaling)

    static var commands: [Command] {
        [
            Command(
                name: "bench",
                summary: "Measure training, inference and integer evaluation speed; prints JSON",
                details: "Float GRU of 28 steps × 28 features, hidden 64, batch 64 (the row-wise MNIST shape): training samples per second and inference multiply-accumulates per second, medians over repeated trials on one thread, for one layer and for a stack of two (keys ending _2_layers). Then the integer engine as the search uses it: one configuration's evaluation of 1000 such sequences (building the integer model included) on all cores and on one (quant_evaluation_ms, quant_evaluation_ms_1_thread), its multiply-accumulates per second in all and per thread (quant_integer_gmacs_per_second_per_thread; _avxvnni, _avx2 and _portable: the same with the AVX-VNNI and AVX2 kernels, where the CPU has them, and with the Swift ones, forced as GQ_KERNELS forces them; quant_kernels says what ran unforced: 4 AVX-512, 3 AVX-VNNI, 2 AVX2, 1 portable), and the fake-quant float engine and float GRU on the same data for comparison (quant_fake_quant_ms, quant_float_ms); the same again for a stack of two such layers, keyed quant_2_layers_…. Then NSGA-II's own overhead per generation (population 100, 17 genes, evaluation excluded; search_overhead_ms_per_generation, the mean over a 500-generation run, and _at_10 and _at_500, its first and last ten generations; 60 with quick) and a real search's evaluations per second over smnist's 1000 validation sequences (evolve_evaluations_per_second; random data of that shape when smnist is not fetched). With smnist fetched, also the seconds one training epoch takes on it with the default settings, validation included, and its training samples per second. Then one generation of 'evolve' early and late in a 500-generation run on vowels (digits when vowels is not fetched), checkpoint and progress line included (evolve_generation_seconds_at_10, _at_500). 'bench integer' runs the integer engine's figures alone. 'quick' runs fewer trials on 200 sequences. 'bench scaling' measures instead, for hidden 32, 64, 128 and 256 and lengths 28, 100 and 400 (28 features, one thread): float training samples per second, float inference, one configuration's integer evaluation and the fake-quant engine, keyed h{H}_t{T}_…, and the same for two stacked layers at hidden 64 and 128, keyed l2_h{H}_t{T}_…, and one LSTM layer at 64 and 128, keyed lstm_h{H}_t{T}_…; 'hidden H' and 'steps T' measure that size or length alone. scripts/bench scaling runs each shape and then the PyTorch peer on it, shape by shape, and prints the ratios.",
                examples: ["bench", "bench quick", "bench scaling", "bench scaling hidden 256 steps 28", "bench integer"],
                options: [scaling, integer, quick, hidden, steps],
                exclusive: [[scaling, integer]],
                parse: { try $0.options() },
                run: { interpreter, parsed in
                    guard parsed.has(scaling) else {
                        let figures = parsed.has(integer) ? ApplicationBenchmark.integer(quick: parsed.has(quick))
                            : ApplicationBenchmark.run(quick: parsed.has(quick))
                        interpreter.session.io.out(json(figures))
                        return
                    }
                    // A whole scaling run takes minutes; Ctrl-C stops it between shapes.
                    let run = ScalingBenchmark.run(quick: parsed.has(quick), hidden: parsed[hidden], steps: parsed[steps],
                                                   shouldStop: interpreter.session.interrupt.isPending)
                    interpreter.session.io.out(json(run.figures))
                    if let (done, of) = run.stoppedAfter {
                        interpreter.session.io.out("interrupted after \(done) of \(of) shapes: the figures above are the shapes measured")
                    }
                }
            ),
        ]
    }

    /// Flat JSON with sorted keys: stable to diff between runs.
    static func json(_ figures: [String: Double]) -> String {
        let body = figures.keys.sorted().map { key in
            let value = figures[key] ?? 0
            let text = value.isFinite ? (value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)) : "null"
            return "  \"\(key)\": \(text)"
        }
        return "{\n" + body.joined(separator: ",\n") + "\n}"
    }
}
