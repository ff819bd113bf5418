import Foundation
import Testing

@Suite("The example scripts run through the gq binary")
struct ExampleScriptTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")

    @Test("ablation.gq writes one row per operator and width with the documented columns")
    func ablation() throws {
        let directory = GQProcess.temporaryDirectory()
        let csv = directory.appendingPathComponent("ablation.csv").path
        let result = try GQProcess.run([ExampleScriptTests.examples.appendingPathComponent("ablation.gq").path, "digits", csv], cache: directory)
        #expect(result.status == 0, "stderr: \(result.err)")
        #expect(result.out.hasSuffix("wrote \(csv)\n"))
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "task,op,bits,val,test,size")
        #expect(lines.count == 1 + 17 * 5)
        let rows = lines.dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(rows.allSatisfy { $0.count == 6 && $0[0] == "digits" })
        #expect(Set(rows.map { $0[1] }).count == 17)
        #expect(rows.allSatisfy { row in (Double(row[3]) ?? -1) >= 0 && (Double(row[3]) ?? 2) <= 1 && (Int(row[5]) ?? 0) > 0 })
        // A 2-bit r.wx is smaller than a 6-bit one.
        let rwx = rows.filter { $0[1] == "r.wx" }.map { Int($0[5])! }
        #expect(rwx == rwx.sorted() && rwx.first! < rwx.last!)
    }

    @Test("quickstart.gq runs the whole tour: eval, sweep, evolve, the front and its plot")
    func quickstart() throws {
        let result = try GQProcess.run([ExampleScriptTests.examples.appendingPathComponent("quickstart.gq").path])
        #expect(result.status == 0, "stderr: \(result.err)")
        #expect(result.out.contains("quantized validation"))
        #expect(result.out.contains("bits all=8 gate.z=4"))
        #expect(result.out.contains("sweep h.add (others: all=8 gate.z=4)"))
        #expect(result.out.split(separator: "\n").contains { $0.contains("gate.z") && $0.contains("activation") })
        #expect(result.out.contains("size (B)"))
        #expect(result.out.contains("mixed-precision front"))
    }
}
