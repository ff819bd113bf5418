import Datasets
import Export
import Foundation
import GRU
import Quantization
import Randomness
import TestSupport
import Testing

/// A C compiler for the tests: `cc`, or nil when there is none (the tests that need one are then skipped, saying why).
let compiler: String? = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Runs a program, returning its status and both outputs.
@discardableResult
func run(_ path: String, _ arguments: [String], input: String? = nil) throws -> (status: Int32, out: String, err: String) {
    let finished = try ChildProcess.run(URL(fileURLWithPath: path), arguments, stdin: input)
    return (finished.status, finished.out, finished.err)
}

/// A harness that reads sequences as hexadecimal floats and prints each one's int64 logits and class.
private func harness(_ name: String) -> String {
    """
    #include <stdio.h>
    #include "\(name).h"

    int main(void) {
        int count, i;
        if (scanf("%d", &count) != 1) return 2;
        for (i = 0; i < count; i++) {
            int steps, t, f, c;
            \(name)_state state;
            int64_t logits[\(name.uppercased())_CLASSES];
            int32_t narrow[\(name.uppercased())_CLASSES];
            if (scanf("%d", &steps) != 1) return 2;
            \(name)_reset(&state);
            for (t = 0; t < steps; t++) {
                float x[\(name.uppercased())_FEATURES];
                for (f = 0; f < \(name.uppercased())_FEATURES; f++) if (scanf("%a", &x[f]) != 1) return 2;
                \(name)_step(&state, x);
            }
            \(name)_logits64(&state, logits);
            \(name)_logits(&state, narrow);
            for (c = 0; c < \(name.uppercased())_CLASSES; c++) {
                if ((int64_t)narrow[c] != logits[c] && logits[c] >= INT32_MIN && logits[c] <= INT32_MAX) return 3;
                printf("%lld ", (long long)logits[c]);
            }
            printf("%d\\n", \(name)_classify(&state));
        }
        return 0;
    }

    """
}

/// Exports `model`, compiles it with the harness, runs every sequence and returns the C logits and classes.
private func cLogits(_ model: QuantizedGRU, sequences: [[Float]], sanitize: Bool = false) throws -> [[Int64]] {
    guard let cc = compiler else { return [] }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gq-cexport-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let export = try CExport(model, name: "net", description: ["test"])
    try export.header.write(to: folder.appendingPathComponent("net.h"), atomically: true, encoding: .utf8)
    try export.source.write(to: folder.appendingPathComponent("net.c"), atomically: true, encoding: .utf8)
    try harness("net").write(to: folder.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
    let program = folder.appendingPathComponent("net").path
    var flags = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O2"]
    if sanitize { flags += ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g"] }
    let build = try run(cc, flags + [folder.appendingPathComponent("net.c").path, folder.appendingPathComponent("main.c").path, "-lm", "-o", program])
    #expect(build.status == 0, "\(build.err)")
    guard build.status == 0 else { return [] }
    var input = "\(sequences.count)\n"
    for sequence in sequences {
        input += "\(sequence.count / model.inputSize)\n" + sequence.map { String(format: "%a", Double($0)) }.joined(separator: " ") + "\n"
    }
    let result = try run(program, [], input: input)
    #expect(result.status == 0, "\(result.err)")
    return result.out.split(separator: "\n").map { $0.split(separator: " ").compactMap { Int64($0) } }
}

/// The engine's logits and class, in the harness's form.
private func engineLogits(_ model: QuantizedGRU, sequences: [[Float]]) -> [[Int64]] {
    sequences.map { sequence in
        let logits = model.referenceLogits(sequence)
        return logits + [Int64(QuantizedGRU.argmax(logits[...]))]
    }
}

private struct Digits: Sendable {
    let task: Task
    let model: GRUClassifier
    static let shared: Digits = {
        let task = try! DigitsTask.load(seed: 0)
        var options = TrainingOptions(seed: 0)
        options.hiddenSize = 24
        options.epochs = 8
        let result = GRUTrainer.train(train: (task.train.sequences, task.train.labels),
                                      validation: (task.validation.sequences, task.validation.labels),
                                      featureCount: task.featureCount, classCount: task.classCount, options: options)
        return Digits(task: task, model: result.model)
    }()

    func quantized(_ bits: BitWidths, options: QuantizationOptions = QuantizationOptions()) -> QuantizedGRU {
        let calibration = Calibration.calibrate(model: model, trainingSequences: task.train.sequences, options: options)
        return QuantizedGRU(model: model, calibration: calibration, bits: bits, options: options)
    }
}

/// A seeded mixed configuration: every operator, input and fc included, at 2…8 bits.
private func mixedBits(seed: UInt64) -> BitWidths {
    var generator = SeededGenerator(seed: seed)
    var bits = BitWidths(uniform: 8)
    for op in GRUOperator.allCases { bits[op] = Int.random(in: 2...8, using: &generator) }
    return bits
}

@Suite("export c: the C99 export is bit-exact with the engine")
struct CExportTests {
    static let configurations: [(String, BitWidths, QuantizationOptions)] = [
        ("homogeneous 8-bit", BitWidths(uniform: 8), QuantizationOptions()),
        ("homogeneous 4-bit", BitWidths(uniform: 4), QuantizationOptions()),
        ("a seeded mixed configuration", mixedBits(seed: 7), QuantizationOptions()),
        ("power-of-two requantization", mixedBits(seed: 8), QuantizationOptions(requantization: .powerOfTwo)),
        ("per-tensor weights", mixedBits(seed: 9), QuantizationOptions(weights: .perTensor)),
        ("max-abs ranges", BitWidths(uniform: 6), QuantizationOptions(range: .maxAbs)),
        ("16-bit everywhere (wide accumulators)", BitWidths(uniform: 16), QuantizationOptions()),
        // Unrefined, so r.add and z.add keep the equal ranges that make their tables equal.
        ("4-bit power-of-two per tensor (gate.r and gate.z share one table)", BitWidths(uniform: 4),
         QuantizationOptions(refine: .off, weights: .perTensor, requantization: .powerOfTwo)),
    ]

    @Test("identical gate.r and gate.z tables are stored once and counted once")
    func sharedTables() throws {
        let (_, bits, options) = Self.configurations[Self.configurations.count - 1]
        let model = Digits.shared.quantized(bits, options: options)
        try #require(DeviceLayout.sharedTables(model) == [OperatorID(.gateZ): OperatorID(.gateR)], "this configuration's σ tables are identical")
        let export = try CExport(model, name: "net", description: [])
        #expect(export.source.contains("#define net_gate_z net_gate_r"))
        #expect(model.size[.gateZ] == 0 && model.size[.gateR] == 16 / 2)
    }

    @Test("every digits test sequence gives the engine's logits and class", .enabled(if: compiler != nil, "needs a C compiler (cc, gcc or clang)"), arguments: 0..<configurations.count)
    func digits(_ index: Int) throws {
        let (_, bits, options) = Self.configurations[index]
        let fx = Digits.shared
        let model = fx.quantized(bits, options: options)
        let sequences = fx.task.test.sequences
        #expect(try cLogits(model, sequences: sequences) == engineLogits(model, sequences: sequences))
    }

    @Test("fine-tuned weights and ranges export bit-exactly too", .enabled(if: compiler != nil, "needs a C compiler (cc, gcc or clang)"))
    func fineTuned() throws {
        let fx = Digits.shared
        let bits = mixedBits(seed: 11)
        let start = fx.quantized(bits)
        let options = QuantizationOptions()
        let calibration = Calibration.calibrate(model: fx.model, trainingSequences: fx.task.train.sequences, options: options)
        let result = FineTuning.run(model: fx.model, calibration: calibration, bits: bits, options: options,
                                    train: (fx.task.train.sequences, fx.task.train.labels),
                                    validation: (fx.task.validation.sequences, fx.task.validation.labels),
                                    settings: FineTuningOptions(epochs: 1))
        let tuned = QuantizedGRU(model: result.model, calibration: result.calibration, bits: bits, options: options)
        #expect(tuned.linear(.rWx).weights != start.linear(.rWx).weights || tuned.scales != start.scales)
        let sequences = fx.task.test.sequences
        #expect(try cLogits(tuned, sequences: sequences) == engineLogits(tuned, sequences: sequences))
    }

    @Test("sequences of different lengths (1 to 40 steps) give the engine's logits, under AddressSanitizer and UBSan", .enabled(if: compiler != nil, "needs a C compiler (cc, gcc or clang)"))
    func variableLength() throws {
        var generator = SeededGenerator(seed: 3)
        var float = GRUClassifier(inputSize: 5, hiddenSize: 12, classCount: 4, seed: 5)
        let sequences = (0..<60).map { _ in
            (0..<(5 * Int.random(in: 1...40, using: &generator))).map { _ in Float.random(in: -3...3, using: &generator) }
        }
        float.standardization = Standardization.fit(sequences: sequences, featureCount: 5)
        let options = QuantizationOptions()
        let calibration = Calibration.calibrate(model: float, trainingSequences: sequences, options: options)
        let model = QuantizedGRU(model: float, calibration: calibration, bits: mixedBits(seed: 12), options: options)
        #expect(try cLogits(model, sequences: sequences, sanitize: true) == engineLogits(model, sequences: sequences))
    }

    @Test("a stack of 2–4 layers exports bit-exactly on sequences of 1 to 30 steps, each layer's state in its own code type, under AddressSanitizer and UBSan",
          .enabled(if: compiler != nil, "needs a C compiler (cc, gcc or clang)"))
    func stack() throws {
        var generator = SeededGenerator(seed: 4)
        let sequences = (0..<40).map { _ in
            (0..<(3 * Int.random(in: 1...30, using: &generator))).map { _ in Float.random(in: -3...3, using: &generator) }
        }
        // Layer 0's state at 12 bits (int16 codes) feeds an 8-bit layer; a 16-bit layer needs 64-bit sums.
        let configurations: [(Int, [String])] = [(2, ["l0.h.add=12", "l1.gate.*=3"]), (3, ["all=6", "l2.*=16", "l1.*.w?=2"]),
                                                 (4, ["all=5", "l3.h.add=9", "input=7"])]
        for (layers, assignments) in configurations {
            var float = GRUClassifier(inputSize: 3, hiddenSize: 10, classCount: 4, layers: layers, seed: UInt64(layers))
            float.standardization = Standardization.fit(sequences: sequences, featureCount: 3)
            let options = QuantizationOptions()
            let calibration = Calibration.calibrate(model: float, trainingSequences: sequences, options: options)
            var bits = BitWidths(uniform: 8, network: NetworkDescription(cell: .gru, layers: layers))
            try bits.apply(assignments)
            let model = QuantizedGRU(model: float, calibration: calibration, bits: bits, options: options)
            let export = try CExport(model, name: "net", description: [])
            #expect(export.header.contains("#define NET_LAYERS \(layers)") && export.source.contains("static void net_l\(layers - 1)_step"))
            #expect(try cLogits(model, sequences: sequences, sanitize: true) == engineLogits(model, sequences: sequences),
                    "\(layers) layers, \(assignments)")
        }
    }

    @Test("an LSTM of 1–3 layers exports bit-exactly on sequences of 1 to 30 steps, h and c each in the code type of its width, under AddressSanitizer and UBSan",
          .enabled(if: compiler != nil, "needs a C compiler (cc, gcc or clang)"))
    func lstm() throws {
        var generator = SeededGenerator(seed: 5)
        let sequences = (0..<40).map { _ in
            (0..<(3 * Int.random(in: 1...30, using: &generator))).map { _ in Float.random(in: -3...3, using: &generator) }
        }
        // 8-bit; 4-bit; c at 12 bits (int16 codes, a 4096-entry c.tanh table) with 3-bit products; 16-bit (64-bit sums);
        // a stack whose lower h is 10 bits; random mixed widths.
        var configurations: [(Int, [String])] = [(1, ["all=8"]), (1, ["all=4"]), (1, ["c.add=12", "c.mul_?=3", "h.mul=5"]),
                                                 (1, ["all=16"]), (2, ["l0.h.mul=10", "l1.gate.*=3"]), (3, ["all=6", "l2.*=2", "input=9"])]
        let names = CellDescription.lstm.operators.map(\.name)
        for layers in [1, 2] {
            configurations.append((layers, names.map { "\($0)=\(Int.random(in: 2...8, using: &generator))" }))
        }
        for (layers, assignments) in configurations {
            var float = GRUClassifier(inputSize: 3, hiddenSize: 10, classCount: 4, layers: layers, cell: .lstm, seed: UInt64(layers))
            float.standardization = Standardization.fit(sequences: sequences, featureCount: 3)
            let options = QuantizationOptions()
            let calibration = Calibration.calibrate(model: float, trainingSequences: sequences, options: options)
            var bits = BitWidths(uniform: 8, network: float.network)
            try bits.apply(assignments)
            let model = QuantizedGRU(model: float, calibration: calibration, bits: bits, options: options)
            let export = try CExport(model, name: "net", description: [])
            #expect(export.header.contains("an LSTM classifier") && export.header.contains(layers == 1 ? " c[NET_HIDDEN];" : " l0_c[NET_HIDDEN];"))
            #expect(try cLogits(model, sequences: sequences, sanitize: true) == engineLogits(model, sequences: sequences),
                    "\(layers) layers, \(assignments)")
        }
    }

    /// GNU size's section listing (`size -A`); other platforms' `size` prints another format.
    static let gnuSize: Bool = {
        #if os(Linux)
        return FileManager.default.isExecutableFile(atPath: "/usr/bin/size")
        #else
        return false
        #endif
    }()

    @Test("the object's constant data is gq's size, to within alignment and the compiler's own literals",
          .enabled(if: compiler != nil && gnuSize, "needs a C compiler and GNU size (Linux)"))
    func size() throws {
        let cc = try #require(compiler)
        for (label, bits, options) in Self.configurations {
            let model = Digits.shared.quantized(bits, options: options)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gq-csize-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let export = try CExport(model, name: "net", description: [])
            try export.header.write(to: folder.appendingPathComponent("net.h"), atomically: true, encoding: .utf8)
            try export.source.write(to: folder.appendingPathComponent("net.c"), atomically: true, encoding: .utf8)
            let object = folder.appendingPathComponent("net.o").path
            // -O0 keeps every array; an optimiser may fold the small ones into the code.
            let build = try run(cc, ["-std=c99", "-O0", "-c", folder.appendingPathComponent("net.c").path, "-o", object])
            #expect(build.status == 0, "\(build.err)")
            let sections = try run("/usr/bin/size", ["-A", object]).out
            let rodata = sections.split(separator: "\n").filter { $0.hasPrefix(".rodata") }
                .compactMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }.reduce(0, +)
            let arrays = export.source.components(separatedBy: "static const ").count - 1
            let size = model.size.total
            #expect(rodata >= size && rodata - size <= 8 * arrays, "\(label): .rodata \(rodata) bytes, gq's size \(size), \(arrays) arrays")
        }
    }

    @Test("the input quantizer rounds half away from zero and saturates as the engine does: at halves, near the bounds, at infinities",
          .enabled(if: compiler != nil, "needs a C compiler (cc, gcc or clang)"))
    func inputQuantizer() throws {
        let cc = try #require(compiler)
        var float = GRUClassifier(inputSize: 1, hiddenSize: 2, classCount: 2, seed: 1)
        float.standardization = Standardization(mean: [0], scale: [1])
        let options = QuantizationOptions(range: .maxAbs)
        // One calibration sequence whose largest value is 127 · 0.5, so the input scale is 0.5 at 8 bits.
        let calibration = Calibration.calibrate(model: float, trainingSequences: [[63.5, -1, 2]], options: options)
        let model = QuantizedGRU(model: float, calibration: calibration, bits: BitWidths(uniform: 8), options: options)
        var values: [Float] = [0, 0.2499, 0.25, -0.25, 0.75, -0.75, 1.25, 63.25, 63.5, 63.75, -63.75, 1e30, -1e30, .infinity, -.infinity,
                               .leastNonzeroMagnitude, -0.0, 0.24999999, 0.25000003]
        values += (0..<200).map { Float($0) * 0.6543 - 65 }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gq-cquant-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let export = try CExport(model, name: "net", description: [])
        try export.header.write(to: folder.appendingPathComponent("net.h"), atomically: true, encoding: .utf8)
        try export.source.write(to: folder.appendingPathComponent("net.c"), atomically: true, encoding: .utf8)
        try """
        #include <stdio.h>
        #include "net.h"
        int main(void) {
            float x;
            net_input_code code;
            while (scanf("%a", &x) == 1) { net_input_codes(&x, &code); printf("%d\\n", (int)code); }
            return 0;
        }
        """.write(to: folder.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        let program = folder.appendingPathComponent("quantize").path
        let build = try run(cc, ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", folder.appendingPathComponent("net.c").path,
                                 folder.appendingPathComponent("main.c").path, "-o", program])
        try #require(build.status == 0, "\(build.err)")
        let result = try run(program, [], input: values.map { String(format: "%a", Double($0)) }.joined(separator: "\n") + "\n")
        #expect(result.out.split(separator: "\n").compactMap { Int32($0) } == model.inputCodes(values))
    }

    @Test("a name that is not a C identifier is refused, naming it")
    func badName() {
        let model = Digits.shared.quantized(BitWidths(uniform: 8))
        #expect(throws: CExportError.badName("9lives")) { try CExport(model, name: "9lives", description: []) }
        #expect(throws: CExportError.badName("my-net")) { try CExport(model, name: "my-net", description: []) }
        #expect((try? CExport(model, name: "kws_v2", description: [])) != nil)
    }
}

@Suite("The work of one time step")
struct StepCostTests {
    @Test("digits' shape (F 8, H 64): MACs, products, table reads and requantizations as docs/quantization.md's step counts them")
    func digitsShape() {
        let cost = StepCost(inputSize: 8, hiddenSize: 64)
        #expect(cost.multiplyAccumulates == 3 * 64 * 8 + 3 * 64 * 64)
        #expect(cost.products == 192 && cost.tableReads == 192)
        #expect(cost.requantizations == 18 * 64)
        #expect(cost.summary == "per step: 13824 multiply-accumulates, 192 products, 192 table reads, 1152 requantizations")
    }
}

/// The vowels task (variable-length series) when `scripts/fetch-datasets` has brought it.
private let vowels: Task? = try? TaskCatalog.load("vowels", seed: 0)

@Suite("export c on a real variable-length task (when fetched)")
struct CExportVowelsTests {
    @Test("every vowels test sequence, of its own length, gives the engine's logits at a mixed configuration", .enabled(if: vowels != nil, "needs the vowels task (scripts/fetch-datasets)"), .enabled(if: compiler != nil, "needs a C compiler (cc, gcc or clang)"))
    func vowelsTest() throws {
        let task = try #require(vowels)
        #expect(Set(task.test.sequences.map(\.count)).count > 1)  // lengths differ
        var options = TrainingOptions(seed: 0)
        options.hiddenSize = 24
        options.epochs = 5
        let float = GRUTrainer.train(train: (task.train.sequences, task.train.labels),
                                     validation: (task.validation.sequences, task.validation.labels),
                                     featureCount: task.featureCount, classCount: task.classCount, options: options).model
        let quantization = QuantizationOptions()
        let calibration = Calibration.calibrate(model: float, trainingSequences: task.train.sequences, options: quantization)
        let model = QuantizedGRU(model: float, calibration: calibration, bits: mixedBits(seed: 21), options: quantization)
        #expect(try cLogits(model, sequences: task.test.sequences) == engineLogits(model, sequences: task.test.sequences))
    }
}
