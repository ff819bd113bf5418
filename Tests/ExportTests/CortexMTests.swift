import Export
import Foundation
import GRU
import Quantization
import Randomness
import TestSupport
import Testing

/// The Cortex-M tools: the cross compiler with newlib and the emulator (`scripts/mcu-check` installs them).
let cortexMTools: Bool = ["/usr/bin/arm-none-eabi-gcc", "/usr/bin/arm-none-eabi-size", "/usr/bin/qemu-system-arm"]
    .allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    && FileManager.default.fileExists(atPath: "/usr/lib/arm-none-eabi/newlib")
let cortexMReason: Comment = "needs gcc-arm-none-eabi, libnewlib-arm-none-eabi and qemu-system-arm (scripts/mcu-check installs them)"

/// An emulated board and the core gq's export compiles for on it.
enum Board: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// Cortex-M4: the DSP path (SXTB16/SMLAD).
    case an386 = "mps2-an386"
    /// Cortex-M3: no DSP, the portable path.
    case an385 = "mps2-an385"

    var cpu: String { self == .an386 ? "cortex-m4" : "cortex-m3" }
    var core: TargetCore { self == .an386 ? .m4 : .m3 }
    var testDescription: String { "\(cpu) on \(rawValue)" }
}

/// scripts/mcu-check.d: the start-up code, the linker script and the counting harness.
private let mcuFiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("scripts/mcu-check.d")

/// Builds `main` (a C file beside the export) with the exported model for `board` at `optimisation`
/// and runs it under QEMU with one instruction per nanosecond; returns what it printed.
func runOnBoard(_ model: QuantizedGRU, main: String, board: Board, optimisation: String = "-O2",
                defines: [String] = []) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gq-cortexm-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let export = try CExport(model, name: "net", description: ["test"])
    try export.header.write(to: folder.appendingPathComponent("net.h"), atomically: true, encoding: .utf8)
    try export.source.write(to: folder.appendingPathComponent("net.c"), atomically: true, encoding: .utf8)
    try main.write(to: folder.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
    let gcc = URL(fileURLWithPath: "/usr/bin/arm-none-eabi-gcc")
    let flags = ["-mcpu=\(board.cpu)", "-mthumb", "-mfloat-abi=soft", optimisation, "-std=c99", "-Wall", "-Wextra", "-Werror"] + defines
    var objects: [String] = []
    for (source, include) in [(folder.appendingPathComponent("net.c"), false), (folder.appendingPathComponent("main.c"), true),
                              (mcuFiles.appendingPathComponent("startup.c"), false)] {
        let object = folder.appendingPathComponent(source.deletingPathExtension().lastPathComponent + ".o").path
        let build = try ChildProcess.run(gcc, flags + (include ? ["-I", folder.path, "-I", mcuFiles.path] : []) + ["-c", source.path, "-o", object])
        #expect(build.status == 0, "\(build.err)")
        objects.append(object)
    }
    let firmware = folder.appendingPathComponent("firmware.elf").path
    let link = try ChildProcess.run(gcc, ["-mcpu=\(board.cpu)", "-mthumb", "-mfloat-abi=soft", "-nostartfiles", "--specs=rdimon.specs",
                                          "-T", mcuFiles.appendingPathComponent("mps2.ld").path] + objects + ["-o", firmware])
    #expect(link.status == 0, "\(link.err)")
    let run = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/qemu-system-arm"),
                                   ["-M", board.rawValue, "-icount", "shift=0", "-nographic", "-monitor", "none", "-serial", "none",
                                    "-semihosting-config", "enable=on,target=native", "-kernel", firmware])
    return run.out
}

/// A harness holding `sequences` as hexadecimal floats; prints each one's int64 logits and class.
private func boardHarness(_ sequences: [[Float]], features: Int) -> String {
    let offsets = sequences.reduce(into: [0]) { $0.append($0.last! + $1.count) }
    let values = sequences.joined().map { String(format: "%af", Double($0)) }
    return """
    #include <stdio.h>
    #include "net.h"

    static const int steps[\(sequences.count)] = {\(sequences.map { String($0.count / features) }.joined(separator: ","))};
    static const long offsets[\(sequences.count)] = {\(offsets.dropLast().map(String.init).joined(separator: ","))};
    static const float values[\(max(values.count, 1))] = {\(values.isEmpty ? "0" : values.joined(separator: ","))};

    int main(void) {
        int i;
        for (i = 0; i < \(sequences.count); i++) {
            net_state state;
            int64_t logits[NET_CLASSES];
            int t, c;
            net_reset(&state);
            for (t = 0; t < steps[i]; t++) net_step(&state, &values[offsets[i] + t * NET_FEATURES]);
            net_logits64(&state, logits);
            for (c = 0; c < NET_CLASSES; c++) printf("%lld ", (long long)logits[c]);
            printf("%d\\n", net_classify(&state));
        }
        return 0;
    }

    """
}

/// A random model of a task's shape, calibrated on random sequences: the step's work does not
/// depend on what the weights learnt.
func shapedModel(features: Int, hidden: Int, classes: Int, bits: BitWidths, options: QuantizationOptions = QuantizationOptions(),
                 seed: UInt64 = 1) -> (QuantizedGRU, [[Float]]) {
    var generator = SeededGenerator(seed: seed)
    var float = GRUClassifier(inputSize: features, hiddenSize: hidden, classCount: classes, cell: bits.network.cell, seed: seed)
    let sequences = (0..<24).map { _ in
        (0..<(features * Int.random(in: 1...20, using: &generator))).map { _ in Float.random(in: -2...2, using: &generator) }
    }
    float.standardization = Standardization.fit(sequences: sequences, featureCount: features)
    let calibration = Calibration.calibrate(model: float, trainingSequences: sequences, options: options)
    return (QuantizedGRU(model: float, calibration: calibration, bits: bits, options: options), sequences)
}

/// The issue's three configurations: homogeneous 8-bit, homogeneous 4-bit and a mixed 2–8-bit one.
let deviceConfigurations: [(String, BitWidths)] = {
    var mixed = BitWidths(uniform: 2)
    for (op, b) in [(GRUOperator.rWx, 3), (.rAdd, 5), (.zAdd, 5), (.nAdd, 3), (.hSub, 4), (.hAdd, 6), (.nMul, 5), (.hMulN, 3),
                    (.hMulH, 4), (.gateR, 3), (.gateZ, 4), (.gateN, 8)] { mixed[op] = b }
    return [("homogeneous 8-bit", BitWidths(uniform: 8)), ("homogeneous 4-bit", BitWidths(uniform: 4)), ("mixed 2-8-bit", mixed)]
}()

/// The same three for an LSTM; the mixed one is scripts/mcu-bench's (compare's pick on vowels).
let lstmDeviceConfigurations: [(String, BitWidths)] = {
    let network = NetworkDescription(cell: .lstm, layers: 1)
    var mixed = BitWidths(uniform: 2, network: network)
    try? mixed.apply(["g.wx=4", "g.wh=4", "i.add=4", "f.add=6", "g.add=5", "o.add=5", "gate.i=4", "gate.g=3", "gate.o=8",
                      "c.mul_f=7", "c.mul_i=5", "c.add=7", "c.tanh=4", "h.mul=7"])
    return [("LSTM homogeneous 8-bit", BitWidths(uniform: 8, network: network)), ("LSTM homogeneous 4-bit", BitWidths(uniform: 4, network: network)),
            ("LSTM mixed 2-8-bit", mixed)]
}()

@Suite("export c on emulated Cortex-M boards", .enabled(if: cortexMTools, cortexMReason))
struct CortexMTests {
    static let cases: [(configuration: Int, board: Board)] = (0..<CExportTests.configurations.count).flatMap { c in
        Board.allCases.map { (c, $0) }
    }

    @Test("every export configuration is bit-exact with the engine on the M4's DSP path and the M3's portable path",
          arguments: 0..<cases.count)
    func bitExactOnBoards(_ index: Int) throws {
        let (configuration, board) = Self.cases[index]
        let (_, bits, options) = CExportTests.configurations[configuration]
        let (model, sequences) = shapedModel(features: 7, hidden: 21, classes: 4, bits: bits, options: options, seed: UInt64(configuration + 1))
        let printed = try runOnBoard(model, main: boardHarness(sequences, features: 7), board: board)
        let logits = printed.split(separator: "\n").map { $0.split(separator: " ").compactMap { Int64($0) } }
        let expected = sequences.map { model.referenceLogits($0) + [Int64(QuantizedGRU.argmax(model.referenceLogits($0)[...]))] }
        #expect(logits == expected, "\(board.testDescription), \(CExportTests.configurations[configuration].0)")
    }

    @Test("the DSP path really multiplies with SMLAD and unpacks with SXTB16; the M3's build has neither")
    func dspInstructions() throws {
        let (model, _) = shapedModel(features: 12, hidden: 16, classes: 3, bits: BitWidths(uniform: 8))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gq-dsp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let export = try CExport(model, name: "net", description: [])
        try export.header.write(to: folder.appendingPathComponent("net.h"), atomically: true, encoding: .utf8)
        try export.source.write(to: folder.appendingPathComponent("net.c"), atomically: true, encoding: .utf8)
        for board in Board.allCases {
            let object = folder.appendingPathComponent("\(board.cpu).o").path
            _ = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/arm-none-eabi-gcc"),
                                     ["-mcpu=\(board.cpu)", "-mthumb", "-O2", "-std=c99", "-c", folder.appendingPathComponent("net.c").path, "-o", object])
            let listing = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/arm-none-eabi-objdump"), ["-d", object]).out
            #expect(listing.contains("smlad") == (board == .an386), "\(board.cpu): SMLAD")
            #expect(listing.contains("sxtb16") == (board == .an386), "\(board.cpu): SXTB16")
            #expect(!listing.contains("roundf") && !listing.contains("lroundf"), "no libm call")
        }
    }

    @Test("an LSTM export is bit-exact with the engine on both paths, at 8 bits and mixed widths", arguments: Board.allCases)
    func lstmOnBoards(board: Board) throws {
        for (label, bits) in lstmDeviceConfigurations where label != "LSTM homogeneous 4-bit" {
            let (model, sequences) = shapedModel(features: 7, hidden: 21, classes: 4, bits: bits, seed: 3)
            let printed = try runOnBoard(model, main: boardHarness(sequences, features: 7), board: board)
            let logits = printed.split(separator: "\n").map { $0.split(separator: " ").compactMap { Int64($0) } }
            let expected = sequences.map { model.referenceLogits($0) + [Int64(QuantizedGRU.argmax(model.referenceLogits($0)[...]))] }
            #expect(logits == expected, "\(board.testDescription), \(label)")
        }
    }

    @Test("the cost model is within 5 % of the emulator's count at vowels' and smnist's shapes, on both cores, for the GRU and the LSTM",
          arguments: [12, 28])
    func costModel(features: Int) throws {
        let counter = try String(contentsOf: mcuFiles.appendingPathComponent("count.c"), encoding: .utf8)
        for (label, bits) in deviceConfigurations + lstmDeviceConfigurations {
            let (model, _) = shapedModel(features: features, hidden: 64, classes: 5, bits: bits)
            for board in Board.allCases {
                let printed = try runOnBoard(model, main: counter, board: board)
                let counted = try #require(printed.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
                let estimate = model.deviceCost(core: board.core).instructionsPerStep
                let error = abs(Double(estimate - counted)) / Double(counted)
                #expect(error <= 0.05, "F \(features), \(label), \(board.cpu): estimate \(estimate), counted \(counted) (\(String(format: "%.1f", error * 100)) %)")
            }
        }
    }

    @Test("homogeneous 8-bit at -O2 on the M4 takes at most 3 instructions per multiply-accumulate, mixed 2-8-bit at most 4, GRU or LSTM",
          arguments: [12, 28])
    func instructionsPerMAC(features: Int) throws {
        let counter = try String(contentsOf: mcuFiles.appendingPathComponent("count.c"), encoding: .utf8)
        for (label, bits) in deviceConfigurations + lstmDeviceConfigurations {
            let (model, _) = shapedModel(features: features, hidden: 64, classes: 5, bits: bits)
            let macs = Double(model.stepCost.multiplyAccumulates)
            let printed = try runOnBoard(model, main: counter, board: .an386)
            let counted = try #require(printed.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
            let limit = bits.uniformWidth == 8 ? 3.0 : 4.0
            #expect(Double(counted) / macs <= limit, "F \(features), \(label): \(counted) instructions, \(Double(counted) / macs) per MAC")
        }
    }
}
