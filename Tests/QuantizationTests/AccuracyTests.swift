import Datasets
import Foundation
import GRU
import Quantization
import Testing

@Suite("Accuracy of the integer model on digits", .serialized)
struct AccuracyTests {
    @Test("at 16 bits everywhere the integer logits are the float logits within 0.02 and predictions agree on ≥ 99.5 %")
    func sixteenBits() {
        let fx = DigitsFixture.shared
        let sequences = fx.task.validation.sequences
        let q = fx.quantized(BitWidths(uniform: 16))
        let integer = fx.validation.logits(q)
        let float = fx.model.logits(sequences)
        let scale = q.scale(.fc)
        var worst = 0.0, spread = 0.0
        for i in float.indices {
            worst = max(worst, abs(Double(integer[i]) * scale - Double(float[i])))
            spread = max(spread, abs(Double(float[i])))
        }
        // Logits span about ±\(spread); the 16-bit model's largest deviation stays under 0.02.
        #expect(worst < 0.02, "largest logit difference \(worst) (logits up to \(spread))")
        let c = fx.model.classCount
        let agree = (0..<sequences.count).filter {
            QuantizedGRU.argmax(integer[($0 * c)..<(($0 + 1) * c)]) == QuantizedGRU.argmax(float[($0 * c)..<(($0 + 1) * c)])
        }.count
        #expect(Double(agree) / Double(sequences.count) >= 0.995, "\(agree) of \(sequences.count) agree")
    }

    @Test("homogeneous 8-bit is within 1 point of float accuracy")
    func eightBits() {
        let fx = DigitsFixture.shared
        let accuracy = fx.validation.accuracy(fx.quantized(BitWidths(uniform: 8)))
        #expect(accuracy >= fx.floatValidationAccuracy - 0.01, "8-bit \(accuracy), float \(fx.floatValidationAccuracy)")
    }

    @Test("the integer and fake-quant engines agree on ≥ 99 % of predictions at 8 bits")
    func fakeQuantAgreement() {
        let fx = DigitsFixture.shared
        let bits = BitWidths(uniform: 8)
        let sequences = fx.task.validation.sequences + fx.task.test.sequences
        let evaluator = IntegerEvaluator(sequences: sequences, featureCount: fx.task.featureCount)
        let integer = evaluator.predictions(fx.quantized(bits))
        let fake = FakeQuantGRU(model: fx.model, calibration: fx.calibration, bits: bits, options: fx.options).predictions(sequences)
        let agree = zip(integer, fake).filter { $0 == $1 }.count
        #expect(Double(agree) / Double(sequences.count) >= 0.99, "\(agree) of \(sequences.count)")
    }

    @Test("fake-quant at 16 bits is the float model to within 0.02 in every logit")
    func fakeQuantSixteen() {
        let fx = DigitsFixture.shared
        let sequences = Array(fx.task.validation.sequences.prefix(100))
        let fake = FakeQuantGRU(model: fx.model, calibration: fx.calibration, bits: BitWidths(uniform: 16), options: fx.options).logits(sequences)
        let float = fx.model.logits(sequences)
        let worst = zip(fake, float).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 0.02, "\(worst)")
    }

    @Test("with the range method's ranges, accuracy falls as every width goes from 8 to 2 bits: near float at 8, near chance at 2")
    func fallingAccuracy() {
        let fx = DigitsFixture.shared
        let evaluator = fx.validation
        let accuracies = (2...8).map { evaluator.accuracy(fx.quantized(BitWidths(uniform: $0), options: QuantizationOptions(refine: .off))) }
        #expect(accuracies[6] >= fx.floatValidationAccuracy - 0.01, "\(accuracies)")
        #expect(accuracies[0] <= 0.2, "\(accuracies)")
        for i in 1..<accuracies.count {
            #expect(accuracies[i] >= accuracies[i - 1] - 0.02, "\(accuracies)")
        }
    }

    @Test("refined ranges keep 8 bits near float and lift the narrow widths far above the range method's")
    func refinedAccuracy() {
        let fx = DigitsFixture.shared
        let evaluator = fx.validation
        let refined = (2...8).map { evaluator.accuracy(fx.quantized(BitWidths(uniform: $0))) }
        let plain = (2...8).map { evaluator.accuracy(fx.quantized(BitWidths(uniform: $0), options: QuantizationOptions(refine: .off))) }
        #expect(refined[6] >= fx.floatValidationAccuracy - 0.01, "\(refined)")
        #expect(refined[0] >= plain[0] + 0.3 && refined[1] >= plain[1] + 0.05, "refined \(refined), plain \(plain)")
    }

    @Test("MSE ranges (the default) keep 4-bit digits far above max-abs ones")
    func mseCalibration() {
        let fx = DigitsFixture.shared
        #expect(QuantizationOptions().range == .mse)
        let maxAbs = fx.validation.accuracy(fx.quantized(BitWidths(uniform: 4), options: QuantizationOptions(range: .maxAbs)))
        let mse = fx.validation.accuracy(fx.quantized(BitWidths(uniform: 4)))
        #expect(mse > maxAbs + 0.3, "mse \(mse), max-abs \(maxAbs)")
    }

    @Test("finetune at homogeneous 4 bits recovers the accuracy max-abs post-training quantization loses")
    func finetune() {
        let fx = DigitsFixture.shared
        let bits = BitWidths(uniform: 4)
        let options = QuantizationOptions(range: .maxAbs)
        let calibration = Calibration.calibrate(model: fx.model, trainingSequences: fx.task.train.sequences, options: options)
        let ptq = fx.validation.accuracy(fx.quantized(bits, options: options))
        let result = FineTuning.run(model: fx.model, calibration: calibration, bits: bits, options: options,
                                    train: (fx.task.train.sequences, fx.task.train.labels),
                                    validation: (fx.task.validation.sequences, fx.task.validation.labels),
                                    settings: FineTuningOptions(epochs: 6))
        #expect(result.startAccuracy == ptq)
        let tuned = fx.validation.accuracy(QuantizedGRU(model: result.model, calibration: result.calibration, bits: bits, options: options))
        #expect(tuned == result.bestAccuracy)
        #expect(tuned >= ptq + 0.25, "PTQ \(ptq), fine-tuned \(tuned)")
        let test = IntegerEvaluator(sequences: fx.task.test.sequences, labels: fx.task.test.labels, featureCount: 8)
        #expect(test.accuracy(QuantizedGRU(model: result.model, calibration: result.calibration, bits: bits, options: options))
                > test.accuracy(fx.quantized(bits, options: options)) + 0.15)
    }

    @Test("a configuration file rebuilds the same integer model")
    func configurationFile() throws {
        let fx = DigitsFixture.shared
        var bits = BitWidths(uniform: 6)
        bits[.gateZ] = 3
        let options = QuantizationOptions(range: .percentile(99.9), weights: .perTensor)
        let calibration = Calibration.calibrate(model: fx.model, trainingSequences: fx.task.train.sequences, options: options)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gq-config-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ConfigurationFile(bits: bits, options: options, calibration: calibration, tuned: true).write(model: fx.model, to: url)
        let (file, model) = try ConfigurationFile.read(url)
        #expect(file.bits == bits && file.options == options && file.calibration == calibration && file.tuned)
        let before = fx.validation.logits(QuantizedGRU(model: fx.model, calibration: calibration, bits: bits, options: options))
        let after = fx.validation.logits(QuantizedGRU(model: model, calibration: file.calibration, bits: file.bits, options: file.options))
        #expect(before == after)
    }
}

@Suite("Configuration files that once crashed or fooled gq (issue 12)")
struct ConfigurationFileHostileTests {
    /// The fixture's calibration with its ranges replaced, built through JSON as a hand-edited file would be.
    func calibration(ranges: [[Double]]) throws -> Calibration {
        let fx = DigitsFixture.shared
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(fx.calibration)) as? [String: Any] ?? [:]
        object["ranges"] = ranges
        return try JSONDecoder().decode(Calibration.self, from: JSONSerialization.data(withJSONObject: object))
    }

    func readBack(calibration: Calibration? = nil, model: GRUClassifier? = nil) throws -> String? {
        let fx = DigitsFixture.shared
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gq-badconfig-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ConfigurationFile(bits: BitWidths(uniform: 8), options: fx.options, calibration: calibration ?? fx.calibration, tuned: false)
            .write(model: model ?? fx.model, to: url)
        do {
            _ = try ConfigurationFile.read(url)
            return nil
        } catch let error as ConfigurationFileError {
            return error.reason
        }
    }

    @Test("ranges with a missing row or the wrong number of entries are refused, naming what was expected")
    func counts() throws {
        // Written as gq-config-2, ranges are keyed by name: a missing row is named.
        // (gq-config-1 files, rows by position, say "has 3 rows; expected 19": Tests/FuzzingTests/Regressions/config.)
        #expect(try readBack(calibration: calibration(ranges: [])) == "calibration 'ranges' has no row for r.wx")
        let three = Array(DigitsFixture.shared.calibration.ranges.prefix(3))
        #expect(try readBack(calibration: calibration(ranges: three)) == "calibration 'ranges' has no row for z.wh")
        var short = DigitsFixture.shared.calibration.ranges
        short[4] = [1]
        #expect(try readBack(calibration: calibration(ranges: short)) == "calibration range of n.wx has 1 entries; expected 15, one per width 2…16")
    }

    @Test("a range of 0, −1 or 1e308 is refused, naming the operator and width", arguments: [0.0, -1.0, 1e308])
    func values(_ value: Double) throws {
        var ranges = DigitsFixture.shared.calibration.ranges
        ranges[0][6] = value
        #expect(try readBack(calibration: calibration(ranges: ranges)) == "calibration range of r.wx at 8 bits is \(value); ranges are positive and finite")
    }

    @Test("NaN weights and a zero input scale in a configuration file are refused as the model is read")
    func weights() throws {
        var nan = DigitsFixture.shared.model
        nan.weightIH[3] = .nan
        #expect(throws: SafeTensorsError.self) { try readBack(model: nan) }
        var flat = DigitsFixture.shared.model
        flat.standardization?.scale[2] = 0
        do {
            _ = try readBack(model: flat)
            Issue.record("a zero input scale loaded")
        } catch {
            #expect("\(error)".hasSuffix("tensor 'input.scale' holds 0.0 at index 2; expected finite positive numbers (the standard deviation of each feature)"))
        }
    }
}

@Suite("Configuration file formats: gq-config-2 keys ranges by operator name; gq-config-1 files still load")
struct ConfigurationFileFormatTests {
    /// Saved by gq before the format named its ranges (`load task digits; train epochs 3 hidden 6;
    /// set bits gate.z=4 *.wh=5 h.mul_n=7; set quant range mse; save config`), whose `eval`
    /// then reported validation 56.7 % (204 of 360) and test 55.2 % (198 of 359).
    static let positional = Bundle.module.url(forResource: "config-v1", withExtension: "safetensors", subdirectory: "Fixtures")!

    func temporaryFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("gq-config-\(UUID().uuidString).safetensors")
    }

    /// A metadata entry of `url` read by JSONDecoder, which reads numbers exactly as written.
    func decoded<T: Decodable>(_ type: T.Type, _ key: String, of url: URL) throws -> T {
        let text = try #require(try GRUClassifier.load(contentsOf: url).metadata[key])
        return try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// A metadata entry of `url` as a JSON object, for editing (its numbers may move in the last bit).
    func json(_ key: String, of url: URL) throws -> [String: Any] {
        let text = try #require(try GRUClassifier.load(contentsOf: url).metadata[key])
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("a file written now is gq-config-2, with the bits and each operator's ranges under its name")
    func byName() throws {
        let fx = DigitsFixture.shared
        let url = temporaryFile()
        defer { try? FileManager.default.removeItem(at: url) }
        try ConfigurationFile(bits: BitWidths(uniform: 6), options: fx.options, calibration: fx.calibration, tuned: false).write(model: fx.model, to: url)
        #expect(try GRUClassifier.load(contentsOf: url).metadata["gq.format"] == "gq-config-2")
        struct Named: Decodable { var ranges: [String: [Double]] }
        let ranges = try decoded(Named.self, "gq.calibration", of: url).ranges
        #expect(Set(ranges.keys) == Set(GRUOperator.names))
        for op in GRUOperator.allCases {
            #expect(ranges[op.name] == BitWidths.allowed.map { fx.calibration.range(op, bits: $0) }, "\(op.name)")
        }
        #expect(Set(try json("gq.bits", of: url).keys) == Set(GRUOperator.names))
    }

    @Test("a gq-config-1 file (ranges by position) loads with the ranges it holds and gives the accuracy it gave when saved; saved again it is gq-config-2 and reads back the same")
    func positionalStillLoads() throws {
        let (file, model) = try ConfigurationFile.read(Self.positional)
        struct Positional: Decodable { var ranges: [[Double]] }
        #expect(try GRUClassifier.load(contentsOf: Self.positional).metadata["gq.format"] == "gq-config-1")
        #expect(file.calibration.ranges == (try decoded(Positional.self, "gq.calibration", of: Self.positional)).ranges)
        #expect(file.bits.description == "all=8 r.wh=5 z.wh=5 n.wh=5 h.mul_n=7 gate.z=4")
        #expect(file.options.range == .mse)
        let task = try DigitsTask.load(seed: 0)
        let quantized = QuantizedGRU(model: model, calibration: file.calibration, bits: file.bits, options: file.options)
        let validation = IntegerEvaluator(sequences: task.validation.sequences, labels: task.validation.labels, featureCount: task.featureCount)
        let test = IntegerEvaluator(sequences: task.test.sequences, labels: task.test.labels, featureCount: task.featureCount)
        #expect(validation.accuracy(quantized) == 204.0 / 360.0)
        #expect(test.accuracy(quantized) == 198.0 / 359.0)

        let url = temporaryFile()
        defer { try? FileManager.default.removeItem(at: url) }
        try file.write(model: model, to: url)
        #expect(try GRUClassifier.load(contentsOf: url).metadata["gq.format"] == "gq-config-2")
        let (again, sameModel) = try ConfigurationFile.read(url)
        #expect(again == file && sameModel == model)
        #expect(validation.logits(QuantizedGRU(model: sameModel, calibration: again.calibration, bits: again.bits, options: again.options))
                == validation.logits(quantized))
    }

    /// The reason reading fails after `edit` changed the ranges of a gq-config-2 file.
    func refusal(_ edit: (inout [String: Any]) -> Void) throws -> String? {
        let fx = DigitsFixture.shared
        let url = temporaryFile()
        defer { try? FileManager.default.removeItem(at: url) }
        try ConfigurationFile(bits: BitWidths(uniform: 8), options: fx.options, calibration: fx.calibration, tuned: false).write(model: fx.model, to: url)
        var metadata = try GRUClassifier.load(contentsOf: url).metadata
        var calibration = try json("gq.calibration", of: url)
        var ranges = calibration["ranges"] as? [String: Any] ?? [:]
        edit(&ranges)
        calibration["ranges"] = ranges
        metadata["gq.calibration"] = String(decoding: try JSONSerialization.data(withJSONObject: calibration), as: UTF8.self)
        try fx.model.write(to: url, metadata: metadata)
        do {
            _ = try ConfigurationFile.read(url)
            return nil
        } catch let error as ConfigurationFileError {
            return error.reason
        }
    }

    @Test("a gq-config-2 file that leaves an operator's ranges out or names one that does not exist is refused, naming it")
    func unknownOrMissingName() throws {
        #expect(try refusal { $0["gate.z"] = nil } == "calibration 'ranges' has no row for gate.z")
        #expect(try refusal { $0["gate.q"] = $0["gate.z"] }?.hasPrefix("calibration 'ranges' has a row for 'gate.q', which is no operator of one GRU layer; operators: r.wx") == true)
        #expect(try refusal { $0["n.wx"] = [1.0] } == "calibration range of n.wx has 1 entries; expected 15, one per width 2…16")
        #expect(try refusal { _ in } == nil)
    }

    @Test("a configuration file whose widths name a stack's layers (l1.gate.z) is refused: its model is one GRU layer")
    func stackedWidths() throws {
        let fx = DigitsFixture.shared
        let url = temporaryFile()
        defer { try? FileManager.default.removeItem(at: url) }
        try ConfigurationFile(bits: BitWidths(uniform: 8), options: fx.options, calibration: fx.calibration, tuned: false).write(model: fx.model, to: url)
        var metadata = try GRUClassifier.load(contentsOf: url).metadata
        metadata["gq.bits"] = String(decoding: try JSONEncoder().encode(BitWidths(uniform: 6, network: NetworkDescription(cell: .gru, layers: 2))), as: UTF8.self)
        try fx.model.write(to: url, metadata: metadata)
        do {
            _ = try ConfigurationFile.read(url)
            Issue.record("a file with a stack's widths was read")
        } catch let error as ConfigurationFileError {
            #expect(error.reason == "metadata 'gq.bits' gives widths for 2 stacked GRU layers, but the model in the file is one GRU layer")
        }
    }

    @Test("a stack's configuration file round-trips: its widths and ranges are named by layer, and the integer model is the same")
    func stackRoundTrip() throws {
        let sequences = randomSequences(count: 12, features: 3, lengths: 2...9, seed: 2)
        var stack = GRUClassifier(inputSize: 3, hiddenSize: 6, classCount: 3, layers: 2, seed: 8)
        stack.standardization = Standardization.fit(sequences: sequences, featureCount: 3)
        let network = NetworkDescription(cell: .gru, layers: 2)
        let options = QuantizationOptions(range: .maxAbs)
        let calibration = Calibration.calibrate(model: stack, sequences: sequences, method: .maxAbs)
        var bits = BitWidths(uniform: 8, network: network)
        try bits.apply(["l1.gate.*=3", "l0.h.add=6"])
        let url = temporaryFile()
        defer { try? FileManager.default.removeItem(at: url) }
        try ConfigurationFile(bits: bits, options: options, calibration: calibration, tuned: true).write(model: stack, to: url)
        let metadata = try GRUClassifier.load(contentsOf: url).metadata
        #expect(metadata["gq.calibration"]?.contains("\"l1.r.add\"") == true && metadata["gq.bits"]?.contains("\"l1.gate.z\":3") == true)
        let (file, model) = try ConfigurationFile.read(url)
        #expect(file.bits == bits && file.calibration == calibration && model.layerCount == 2)
        let before = QuantizedGRU(model: stack, calibration: calibration, bits: bits, options: options)
        let after = QuantizedGRU(model: model, calibration: file.calibration, bits: file.bits, options: file.options)
        for sequence in sequences { #expect(before.referenceLogits(sequence) == after.referenceLogits(sequence)) }
        // A single layer's widths do not fit the stack's weights.
        var single = metadata
        single["gq.bits"] = String(decoding: try JSONEncoder().encode(BitWidths(uniform: 6)), as: UTF8.self)
        try model.write(to: url, metadata: single)
        #expect(throws: ConfigurationFileError.self) { try ConfigurationFile.read(url) }
    }
}
