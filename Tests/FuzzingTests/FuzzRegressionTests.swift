import Foundation
import Fuzzing
import Testing

/// Every input that ever crashed, hung or fooled gq, kept with the words gq must answer it
/// with (Regressions/TARGET/NAME and NAME.expected), and the fuzzers' seed inputs, which
/// must all be accepted: a seed that fails would start the fuzzer from an error path.
@Suite("Fuzzing regressions and seeds")
struct FuzzRegressionTests {
    static let root = Bundle.module.resourceURL!

    /// (target, file) for every file under `folder`/TARGET, `.expected` files left out.
    static func inputs(in folder: String) -> [(FuzzTarget, URL)] {
        FuzzTarget.allCases.flatMap { target -> [(FuzzTarget, URL)] in
            let directory = root.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.filter { !$0.hasSuffix(".expected") }.sorted().map { (target, directory.appendingPathComponent($0)) }
        }
    }

    @Test("every regression input gives the error it must give, and never crashes", arguments: inputs(in: "Regressions").map { "\($0.0.rawValue)/\($0.1.lastPathComponent)" })
    func regression(_ name: String) throws {
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        let target = try #require(FuzzTarget(rawValue: parts[0]))
        let file = Self.root.appendingPathComponent("Regressions").appendingPathComponent(name)
        let expected = try String(contentsOf: file.appendingPathExtension("expected"), encoding: .utf8)
            .trimmingCharacters(in: .newlines)
        let bytes = try Data(contentsOf: file)
        #expect((target.run(bytes) ?? "accepted") == expected)
    }

    @Test("there are regression cases for the scanner, the loaders, model and configuration files, and checkpoints")
    func coverage() {
        let targets = Set(Self.inputs(in: "Regressions").map(\.0))
        #expect(targets.isSuperset(of: [.script, .npz, .idx, .csv, .safetensors, .config, .checkpoint]))
    }

    @Test("every seed input is accepted", arguments: inputs(in: "Seeds").map { "\($0.0.rawValue)/\($0.1.lastPathComponent)" })
    func seed(_ name: String) throws {
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        let target = try #require(FuzzTarget(rawValue: parts[0]))
        let bytes = try Data(contentsOf: Self.root.appendingPathComponent("Seeds").appendingPathComponent(name))
        #expect(target.run(bytes) == nil)
    }

    @Test("every target has seeds")
    func seedsForEveryTarget() {
        #expect(Set(Self.inputs(in: "Seeds").map(\.0)) == Set(FuzzTarget.allCases))
    }
}
