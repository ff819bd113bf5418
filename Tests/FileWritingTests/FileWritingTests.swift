import FileWriting
import Foundation
import Testing

/// A fresh folder for one test, removed when the test's value goes away.
private final class Folder {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "gq-filewriting-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
    var entries: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted() ?? [] }
}

@Suite("Whole-or-nothing writes")
struct FileWritingTests {
    @Test("replace writes the whole file and leaves no temporary file beside it")
    func replaceWritesWhole() throws {
        let folder = Folder()
        let target = folder.file("model.bin")
        try FileWriting.replace(target, with: Data("old".utf8))
        try FileWriting.replace(target, with: Data(repeating: 7, count: 100_000))
        #expect(FileManager.default.contents(atPath: target) == Data(repeating: 7, count: 100_000))
        #expect(folder.entries == ["model.bin"])
    }

    @Test("replace keeps an existing file's permissions and gives a new file the mode asked for")
    func replaceKeepsPermissions() throws {
        let folder = Folder()
        let kept = folder.file("kept")
        try FileWriting.replace(kept, with: Data("a".utf8))
        chmod(kept, 0o640)
        try FileWriting.replace(kept, with: Data("b".utf8))
        let fresh = folder.file("fresh")
        try FileWriting.replace(fresh, with: Data("c".utf8), mode: 0o600)
        func mode(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1 }
        #expect(mode(kept) == 0o640)
        #expect(mode(fresh) == 0o600)
    }

    @Test("replace over a symlink replaces the link and never writes through it")
    func replaceOverSymlink() throws {
        let folder = Folder()
        let victim = folder.file("victim")
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        let link = folder.file("checkpoint.json")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
        try FileWriting.replace(link, with: Data("new".utf8))
        #expect(FileManager.default.contents(atPath: victim) == Data("precious".utf8))
        #expect(FileManager.default.contents(atPath: link) == Data("new".utf8))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == nil)
    }

    @Test("replace into a missing folder names the reason and creates nothing")
    func replaceMissingFolder() throws {
        let folder = Folder()
        let target = folder.file("absent/model.bin")
        #expect(throws: FileWriteError(path: target, reason: "no such file or folder")) {
            try FileWriting.replace(target, with: Data("x".utf8))
        }
        #expect(folder.entries.isEmpty)
    }

    @Test("createNew writes a new file whole, and leaves an existing one untouched")
    func createNew() throws {
        let folder = Folder()
        let target = folder.file("results.csv")
        #expect(try FileWriting.createNew(target, with: Data("a,b\n1,2\n".utf8)))
        #expect(try !FileWriting.createNew(target, with: Data("c\n3\n".utf8)))
        #expect(FileManager.default.contents(atPath: target) == Data("a,b\n1,2\n".utf8))
        #expect(folder.entries == ["results.csv"])
    }

    @Test("createNew from many threads at once: exactly one of them creates the file")
    func createNewRace() throws {
        for trial in 0..<10 {
            let folder = Folder()
            let target = folder.file("table-\(trial).csv")
            let winners = Winners()
            DispatchQueue.concurrentPerform(iterations: 8) { index in
                if (try? FileWriting.createNew(target, with: Data("header\nrow \(index)\n".utf8))) == true { winners.add(index) }
            }
            #expect(winners.count == 1)
            let text = String(decoding: FileManager.default.contents(atPath: target) ?? Data(), as: UTF8.self)
            #expect(text.hasPrefix("header\nrow "))
            #expect(folder.entries == ["table-\(trial).csv"])
        }
    }

    @Test("appendWhole on a full device says the disk is full and that nothing was written")
    func appendWholeFullDisk() throws {
        let descriptor = open("/dev/full", O_WRONLY)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        #expect(throws: FileWriteError(path: "/dev/full", reason: "the disk is full; nothing was written")) {
            try FileWriting.appendWhole(Data("row\n".utf8), to: descriptor, path: "/dev/full")
        }
    }

    @Test("openForAppending refuses a FIFO instead of blocking on it, for writing alone too")
    func openForAppendingRefusesFIFO() throws {
        let folder = Folder()
        let fifo = folder.file("pipe")
        try #require(mkfifo(fifo, 0o600) == 0)
        for read in [true, false] {
            #expect(throws: FileWriteError(path: fifo, reason: "not a regular file")) {
                _ = try FileWriting.openForAppending(fifo, read: read)
            }
        }
    }

    @Test("a new file's mode honours the umask, as open would")
    func umaskHonoured() throws {
        let folder = Folder()
        let mask = umask(0o022)
        umask(mask)
        try FileWriting.replace(folder.file("a"), with: Data("a".utf8), mode: 0o666)
        let mode = ((try? FileManager.default.attributesOfItem(atPath: folder.file("a"))[.posixPermissions]) as? Int) ?? -1
        #expect(mode == Int(0o666 & ~mask))
    }

    @Test("the reasons are plain words")
    func plainReasons() {
        #expect(FileWriteError.reason(errno: ENOSPC) == "the disk is full")
        #expect(FileWriteError.reason(errno: EACCES) == "permission denied")
        #expect(FileWriteError(path: "a.csv", reason: "the disk is full").description == "cannot write a.csv: the disk is full")
    }
}

/// Indices collected from concurrent threads.
private final class Winners: @unchecked Sendable {
    private let lock = NSLock()
    private var indices: [Int] = []
    func add(_ index: Int) { lock.withLock { indices.append(index) } }
    var count: Int { lock.withLock { indices.count } }
}
