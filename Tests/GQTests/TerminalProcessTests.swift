import Foundation
import Testing

/// util-linux `script`, which runs a command inside a pseudo-terminal; nil where there is none.
private let script: URL? = {
    #if os(Linux)
    let url = URL(fileURLWithPath: "/usr/bin/script")
    return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    #else
    return nil  // BSD script takes other arguments
    #endif
}()

/// `script`'s arguments to run gq with `commands` in a terminal `columns` wide.
private func terminalArguments(columns: Int, _ commands: String) -> [String] {
    let quoted = commands.replacingOccurrences(of: "'", with: "'\\''")
    let line = "stty cols \(columns) rows 40; '\(GQProcess.binary.path)' -c '\(quoted)'"
    return ["-qec", line, "/dev/null"]
}

/// Runs gq inside a pseudo-terminal of a given width, as a person at a terminal would, and
/// returns what the terminal received, carriage returns removed.
private func inTerminal(columns: Int, _ commands: String) throws -> String {
    let script = try #require(script)
    let result = try GQProcess.run(terminalArguments(columns: columns, commands), executable: script)
    return result.out.replacingOccurrences(of: "\r", with: "")
}

/// Runs gq with `commands` in a terminal and types Ctrl-C once the terminal has shown
/// `mark`, as a person would; returns everything the terminal showed.
private func interruptedInTerminal(_ commands: String, once mark: String, cache: URL) throws -> String {
    let process = Process()
    // Unwrapped first: assigned straight to the optional property, `#require` would check nothing.
    let executable: URL = try #require(script)
    process.executableURL = executable
    process.arguments = terminalArguments(columns: 200, commands)
    process.environment = GQProcess.environment(cache: cache)
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = output
    try process.run()
    var shown = Data()
    // Reads as the terminal shows it; the search cannot end by itself before the mark.
    var marked = false
    while !marked {
        let more = output.fileHandleForReading.availableData
        if more.isEmpty { break }  // gq ended without showing the mark: the caller's checks fail
        shown.append(more)
        marked = String(decoding: shown, as: UTF8.self).contains(mark)
    }
    // Ctrl-C: the terminal sends SIGINT to gq. (Not into a pipe nobody reads any more.)
    if marked { input.fileHandleForWriting.write(Data([0x03])) }
    shown.append(output.fileHandleForReading.readDataToEndOfFile())
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    return String(decoding: shown, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
}

@Suite("gq in a terminal 80 columns wide")
struct TerminalProcessTests {
    @Test("results and help break at spaces before the last column; the same run piped keeps whole lines",
          .enabled(if: script != nil, "needs util-linux script (Linux) for a pseudo-terminal"))
    func fitsEighty() throws {
        let commands = "load task digits; help evolve"
        let text = try inTerminal(columns: 80, commands)
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
    @Test("two evolve runs on the same model leave two checkpoints; evolve resume lists both, finished")
    func twoRuns() throws {
        let cache = GQProcess.temporaryDirectory()
        let first = try GQProcess.run(["-c", "load task digits; train epochs 2 hidden 8; evolve 4 gens pop 8 seed 1"], cache: cache)
        #expect(first.status == 0, "\(first.err)")
        #expect(!first.out.contains("an earlier search"))
        let second = try GQProcess.run(["-c", "load task digits; train epochs 2 hidden 8; evolve 2 gens pop 8 seed 2"], cache: cache)
        #expect(second.status == 0, "\(second.err)")
        #expect(!second.out.contains("an earlier search"))  // the first finished: nothing to continue
        let folder = cache.appendingPathComponent("state/gq/evolve")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == 2)
        #expect(files.contains { $0.hasPrefix("digits-") && $0.contains("-seed1-pop8-") })
        #expect(files.contains { $0.contains("-seed2-pop8-") })
        let listing = try GQProcess.run(["-c", "evolve resume"], cache: cache)
        #expect(listing.out.contains("finished, 4 generations") && listing.out.contains("finished, 2 generations"))
    }

    @Test("a run stopped early by Ctrl-C suggests the command that continues it, options included, and the next evolve on the same model names it",
          .enabled(if: script != nil, "needs util-linux script (Linux) for a pseudo-terminal to type Ctrl-C into"))
    func stoppedEarlyIsNamed() throws {
        let cache = GQProcess.temporaryDirectory()
        // Far more generations than can run before the first progress line, which follows
        // the first checkpoint save; Ctrl-C then stops the search after that generation.
        let shown = try interruptedInTerminal("load task digits; train epochs 2 hidden 8; evolve 100000 gens pop 8 seed 1 judge validation",
                                              once: "  hv ", cache: cache)
        #expect(shown.contains("interrupted at generation"), "\(shown)")
        // A plain 'evolve N gens' would judge on noisy copies: the suggestion names the judge (wrapped lines joined).
        let words = shown.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains(" gens judge validation' continues"), "\(shown)")
        let folder = cache.appendingPathComponent("state/gq/evolve")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        let stopped = try #require(files.first { $0.contains("-seed1-pop8-") }, "\(files)")
        let second = try GQProcess.run(["-c", "load task digits; train epochs 2 hidden 8; evolve 2 gens pop 8 seed 2"], cache: cache)
        #expect(second.status == 0, "\(second.err)")
        let note = second.out.split(separator: "\n").first { $0.hasPrefix("note: an earlier search of this model stopped at generation ") }
        #expect(note?.contains(" of 100000; 'evolve resume \(folder.appendingPathComponent(stopped).path)' continues it") == true, "\(second.out)")
        let listing = try GQProcess.run(["-c", "evolve resume"], cache: cache)
        #expect(listing.out.contains("of 100000") && listing.out.contains("finished, 2 generations"), "\(listing.out)")
    }
}
