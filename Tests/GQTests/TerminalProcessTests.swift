import Foundation
import Testing

/// Runs gq inside a pseudo-terminal of a given width (util-linux `script`), as a person
/// at a terminal would, and returns what the terminal received, carriage returns removed.
private func inTerminal(columns: Int, _ commands: String) throws -> String? {
    #if os(Linux)
    let script = URL(fileURLWithPath: "/usr/bin/script")
    guard FileManager.default.isExecutableFile(atPath: script.path) else { return nil }
    let quoted = commands.replacingOccurrences(of: "'", with: "'\\''")
    let line = "stty cols \(columns) rows 40; '\(GQProcess.binary.path)' -c '\(quoted)'"
    let result = try GQProcess.run(["-qec", line, "/dev/null"], executable: script)
    return result.out.replacingOccurrences(of: "\r", with: "")
    #else
    return nil
    #endif
}

@Suite("gq in a terminal 80 columns wide")
struct TerminalProcessTests {
    @Test("results and help break at spaces before the last column; the same run piped keeps whole lines")
    func fitsEighty() throws {
        let commands = "load task digits; help evolve"
        guard let text = try inTerminal(columns: 80, commands) else { return }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let long = lines.filter { $0.count > 79 && $0.trimmingCharacters(in: .whitespaces).contains(" ") }
        #expect(long.isEmpty, "\(long)")
        #expect(lines.contains { $0.hasPrefix("loaded digits: ") })
        let piped = try GQProcess.run(["-c", commands])
        #expect(piped.out.split(separator: "\n").contains { $0.count > 80 })  // a pipe gets the full form
    }
}

@Suite("Checkpoints across gq runs")
struct CheckpointProcessTests {
    @Test("two evolve runs on the same model leave two checkpoints; the second names the first if it stopped early; evolve resume lists both")
    func twoRuns() throws {
        let cache = GQProcess.temporaryDirectory()
        let first = try GQProcess.run(["-c", "load task digits; train epochs 2 hidden 8; evolve 4 gens pop 8 seed 1"], cache: cache)
        #expect(first.status == 0, "\(first.err)")
        let second = try GQProcess.run(["-c", "load task digits; train epochs 2 hidden 8; evolve 2 gens pop 8 seed 2"], cache: cache)
        #expect(second.status == 0, "\(second.err)")
        let folder = cache.appendingPathComponent("state/gq/evolve")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == 2)
        #expect(files.contains { $0.hasPrefix("digits-") && $0.contains("-seed1-pop8-") })
        #expect(files.contains { $0.contains("-seed2-pop8-") })
        let listing = try GQProcess.run(["-c", "evolve resume"], cache: cache)
        #expect(listing.out.contains("finished, 4 generations") && listing.out.contains("finished, 2 generations"))
    }
}
