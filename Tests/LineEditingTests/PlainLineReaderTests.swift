import Foundation
import LineEditing
import Testing

/// Reads every result until (and including) the first end of input.
private func readAll(_ reader: inout PlainLineReader, limit: Int = 100_000) -> [LineReadResult] {
    var results: [LineReadResult] = []
    while results.count < limit {
        let result = reader.readLine(prompt: "ignored> ")
        results.append(result)
        if result == .endOfInput { break }
    }
    return results
}

/// Reader over a pipe that already holds `bytes` and whose writer is closed.
private func pipeReader(_ bytes: [UInt8]) throws -> PlainLineReader {
    let pipe = Pipe()
    try pipe.fileHandleForWriting.write(contentsOf: Data(bytes))
    try pipe.fileHandleForWriting.close()
    return PlainLineReader(input: pipe.fileHandleForReading)
}

private func pipeReader(_ text: String) throws -> PlainLineReader { try pipeReader(Array(text.utf8)) }

@Suite("PlainLineReader")
struct PlainLineReaderTests {
    @Test("splits lines on LF and keeps empty lines")
    func lines() throws {
        var reader = try pipeReader("load task digits\n\ntrain\n")
        #expect(readAll(&reader) == [.line("load task digits"), .line(""), .line("train"), .endOfInput])
    }

    @Test("strips the CR of CRLF line endings, and only that")
    func crlf() throws {
        var reader = try pipeReader("a\r\nb\r\nc\rd\n")
        #expect(readAll(&reader) == [.line("a"), .line("b"), .line("c\rd"), .endOfInput])
    }

    @Test("returns a last line that has no newline")
    func missingFinalNewline() throws {
        var reader = try pipeReader("first\nlast")
        #expect(readAll(&reader) == [.line("first"), .line("last"), .endOfInput])
        var crOnly = try pipeReader("x\r")
        #expect(readAll(&crOnly) == [.line("x"), .endOfInput])
    }

    @Test("empty input is end of input at once, and stays so")
    func emptyInput() throws {
        var reader = try pipeReader("")
        #expect(reader.readLine(prompt: "") == .endOfInput)
        #expect(reader.readLine(prompt: "") == .endOfInput)
    }

    @Test("a byte order mark before the first line is dropped, later ones are not")
    func byteOrderMark() throws {
        var reader = try pipeReader([0xEF, 0xBB, 0xBF] + Array("echo 1\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("x\n".utf8))
        #expect(readAll(&reader) == [.line("echo 1"), .line("\u{FEFF}x"), .endOfInput])
    }

    @Test("invalid UTF-8 is replaced, not dropped, so the line still reaches the parser")
    func invalidUTF8() throws {
        var reader = try pipeReader([0x61, 0xFF, 0x62, 0x0A, 0x63, 0x0A])
        #expect(readAll(&reader) == [.line("a\u{FFFD}b"), .line("c"), .endOfInput])
    }

    @Test("lines crossing read-buffer boundaries in a large file come back whole and in order")
    func largeFile() throws {
        let directory = try TemporaryDirectory()
        let expected = (0..<20_000).map { "echo line \($0) " + String(repeating: "x", count: $0 % 97) }
        let url = try directory.write("script.gq", expected.joined(separator: "\n") + "\n")
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var reader = PlainLineReader(input: handle)
        let results = readAll(&reader)
        #expect(results.count == expected.count + 1)
        #expect(results.dropLast() == expected.map { LineReadResult.line($0) }[...])
        #expect(results.last == .endOfInput)
    }

    @Test("adding history is harmless and does not change what is read")
    func historyIgnored() throws {
        var reader = try pipeReader("a\nb\n")
        #expect(reader.readLine(prompt: "") == .line("a"))
        reader.addHistory("a")
        #expect(reader.readLine(prompt: "") == .line("b"))
    }
}

@Suite("isTerminal")
struct TerminalTests {
    @Test("a pipe and a regular file are not terminals")
    func notTerminals() throws {
        let pipe = Pipe()
        #expect(!isTerminal(pipe.fileHandleForReading.fileDescriptor))
        let directory = try TemporaryDirectory()
        let handle = try FileHandle(forReadingFrom: try directory.write("f", "x"))
        defer { try? handle.close() }
        #expect(!isTerminal(handle.fileDescriptor))
        #expect(!isTerminal(-1))
    }
}
