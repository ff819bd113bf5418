import Foundation
import LineEditing
import Testing

@Suite("HistoryFile")
struct HistoryFileTests {
    @Test("a missing file is an empty history; the first append creates it, private to the user")
    func createsFile() throws {
        let directory = try TemporaryDirectory()
        var history = HistoryFile(url: directory.file("history"))
        #expect(history.load() == [])
        #expect(!history.isReadOnly)
        #expect(try history.append("load task digits"))
        #expect(try directory.text("history") == "load task digits\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.file("history").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test("entries are appended after the existing ones, which stay intact")
    func appendsWithoutTruncating() throws {
        let directory = try TemporaryDirectory()
        let url = try directory.write("history", "one\ntwo\n")
        var history = HistoryFile(url: url)
        #expect(history.load() == ["one", "two"])
        try history.append("three")
        try history.append("four")
        #expect(try directory.text("history") == "one\ntwo\nthree\nfour\n")
        var reloaded = HistoryFile(url: url)
        #expect(reloaded.load() == ["one", "two", "three", "four"])
    }

    @Test("consecutive duplicates, blank lines and multi-line text are not recorded")
    func skipsDuplicates() throws {
        let directory = try TemporaryDirectory()
        let url = try directory.write("history", "train\n")
        var history = HistoryFile(url: url)
        history.load()
        #expect(try history.append("train") == false)  // repeats the last loaded entry
        #expect(try history.append("eval"))
        #expect(try history.append("eval") == false)
        #expect(try history.append("") == false)
        #expect(try history.append("  \t ") == false)
        #expect(try history.append("a\nb") == false)
        #expect(try history.append("train"))  // not consecutive: kept
        #expect(try directory.text("history") == "train\neval\ntrain\n")
        #expect(history.entries == ["train", "eval", "train"])
    }

    @Test("an entry after a torn last line (no newline) starts a line of its own")
    func tornLastLine() throws {
        let directory = try TemporaryDirectory()
        let url = try directory.write("history", "complete\npart")
        var history = HistoryFile(url: url)
        #expect(history.load() == ["complete", "part"])
        try history.append("next")
        #expect(try directory.text("history") == "complete\npart\nnext\n")
    }

    @Test("the cap rewrites the file with the newest lines and leaves no temporary file")
    func capKeepsNewest() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("history")
        var history = HistoryFile(url: url, capacity: 5)
        history.load()
        for i in 1...12 { try history.append("cmd \(i)") }
        #expect(try directory.text("history") == (8...12).map { "cmd \($0)\n" }.joined())
        #expect(history.entries == (8...12).map { "cmd \($0)" })
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["history"])
        var reloaded = HistoryFile(url: url, capacity: 5)
        #expect(reloaded.load() == (8...12).map { "cmd \($0)" })
    }

    @Test("loading an over-long file returns only the newest entries and does not rewrite it")
    func loadOverLong() throws {
        let directory = try TemporaryDirectory()
        let text = (1...10).map { "c\($0)\n" }.joined()
        let url = try directory.write("history", text)
        var history = HistoryFile(url: url, capacity: 3)
        #expect(history.load() == ["c8", "c9", "c10"])
        #expect(try directory.text("history") == text)
    }

    @Test("the cap keeps lines another session appended since we loaded")
    func capKeepsOtherSessions() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("history")
        var first = HistoryFile(url: url, capacity: 4)
        var second = HistoryFile(url: url, capacity: 4)
        first.load()
        second.load()
        for entry in ["a1", "a2", "a3"] { try first.append(entry) }
        try second.append("b1")
        try first.append("a4")
        try first.append("a5")  // the first session counts five of its own: compacts what is on disk
        #expect(try directory.text("history") == "a3\nb1\na4\na5\n")
    }

    @Test("lines that are not UTF-8 are skipped on load and kept byte for byte in the file")
    func badBytes() throws {
        let directory = try TemporaryDirectory()
        let bad: [UInt8] = [0x6C, 0x6F, 0x61, 0x64, 0x20, 0xFF, 0xFE, 0x0A]  // "load \xFF\xFE\n"
        let url = try directory.write("history", Array("good\n".utf8) + bad + Array("also good\r\n".utf8))
        var history = HistoryFile(url: url, capacity: 4)
        #expect(history.load() == ["good", "also good"])
        #expect(!history.isReadOnly)
        try history.append("new")
        #expect(try directory.bytes("history") == Array("good\n".utf8) + bad + Array("also good\r\nnew\n".utf8))
        // Compaction drops only the oldest line; the unreadable one survives unchanged.
        try history.append("newer")
        #expect(try directory.bytes("history") == bad + Array("also good\r\nnew\nnewer\n".utf8))
    }

    @Test("a binary file at the history path is read without crashing and never written")
    func binaryFileUntouched() throws {
        let directory = try TemporaryDirectory()
        let content: [UInt8] = [0x00, 0x01, 0x02, 0x0A, 0x68, 0x69, 0x0A, 0x00, 0xFF]
        let url = try directory.write("history", content)
        var history = HistoryFile(url: url, capacity: 1)
        _ = history.load()
        #expect(history.isReadOnly)
        #expect(throws: HistoryFileError.self) { try history.append("train") }
        #expect(try directory.bytes("history") == content)
    }

    @Test("a directory at the history path is reported, not crashed on, and left in place")
    func directoryAtPath() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("history")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        try directory.write("history/keep", "precious")
        var history = HistoryFile(url: url)
        #expect(history.load() == [])
        #expect(history.isReadOnly)
        #expect(history.readOnlyReason != nil)
        let error = #expect(throws: HistoryFileError.self) { try history.append("train") }
        #expect(error?.description.contains(url.path) == true)
        #expect(try directory.text("history/keep") == "precious")
    }

    @Test("a history file reached through a symbolic link stays a link after the cap rewrites it")
    func symbolicLink() throws {
        let directory = try TemporaryDirectory()
        let target = try directory.write("dotfiles/history", "old\n")
        let link = directory.file("history")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        var history = HistoryFile(url: link, capacity: 2)
        #expect(history.load() == ["old"])
        try history.append("x")
        try history.append("y")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == target.path)
        #expect(try directory.text("dotfiles/history") == "x\ny\n")
    }
}

@Suite("HistoryLocation")
struct HistoryLocationTests {
    @Test("GQ_HISTORY wins and its directory is created")
    func explicitVariable() throws {
        let directory = try TemporaryDirectory()
        let wanted = directory.path + "/deep/er/hist"
        let url = HistoryLocation.file(
            environment: ["GQ_HISTORY": wanted, "XDG_STATE_HOME": directory.path + "/state"],
            homeDirectory: directory.path)
        #expect(url.path == wanted)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: directory.path + "/deep/er", isDirectory: &isDirectory))
        #expect(isDirectory.boolValue)
    }

    @Test("GQ_HISTORY may start with ~")
    func explicitTilde() throws {
        let directory = try TemporaryDirectory()
        let url = HistoryLocation.file(environment: ["GQ_HISTORY": "~/h/gq"], homeDirectory: directory.path)
        #expect(url.path == directory.path + "/h/gq")
    }

    @Test("XDG_STATE_HOME is used when absolute, ignored when relative")
    func xdgStateHome() throws {
        let directory = try TemporaryDirectory()
        let url = HistoryLocation.file(
            environment: ["XDG_STATE_HOME": directory.path + "/state"], homeDirectory: directory.path + "/home")
        #expect(url.path == directory.path + "/state/gq/history")
        #expect(FileManager.default.fileExists(atPath: directory.path + "/state/gq"))

        let relative = HistoryLocation.file(
            environment: ["XDG_STATE_HOME": "state"], homeDirectory: directory.path + "/home")
        #expect(relative.path.hasPrefix(directory.path + "/home/"))
    }

    @Test("without variables the history lives under the home directory")
    func homeFallback() throws {
        let directory = try TemporaryDirectory()
        let url = HistoryLocation.file(environment: [:], homeDirectory: directory.path)
        #if os(macOS)
        #expect(url.path == directory.path + "/Library/Application Support/gq/history")
        #else
        #expect(url.path == directory.path + "/.local/state/gq/history")
        #endif
        #expect(FileManager.default.fileExists(atPath: url.deletingLastPathComponent().path))
        #expect(!FileManager.default.fileExists(atPath: url.path))  // the file itself is made on first use
    }
}
