import Foundation
import LineEditing
import Testing

/// A directory tree to complete against: files, a directory, hidden entries, a link to a directory.
private func makeTree() throws -> TemporaryDirectory {
    let directory = try TemporaryDirectory()
    try directory.write("model.safetensors", "")
    try directory.write("models/a.gq", "")
    try directory.write("models/b.gq", "")
    try directory.write("mnist.csv", "")
    try directory.write(".hidden", "")
    try directory.write(".config/x", "")
    try directory.write("other", "")
    try FileManager.default.createSymbolicLink(
        atPath: directory.path + "/linked", withDestinationPath: directory.path + "/models")
    return directory
}

@Suite("PathCompleter")
struct PathCompleterTests {
    @Test("matches the prefix in the working directory; directories end in /")
    func prefix() throws {
        let tree = try makeTree()
        let found = PathCompleter.complete("mo", homeDirectory: "/nonexistent", workingDirectory: tree.path)
        #expect(found == ["model.safetensors", "models/"])
        #expect(PathCompleter.complete("m", homeDirectory: "/nonexistent", workingDirectory: tree.path)
            == ["mnist.csv", "model.safetensors", "models/"])
        #expect(PathCompleter.complete("zzz", homeDirectory: "/nonexistent", workingDirectory: tree.path) == [])
    }

    @Test("an empty word lists visible entries only; a link to a directory counts as one")
    func emptyWord() throws {
        let tree = try makeTree()
        #expect(PathCompleter.complete("", homeDirectory: "/nonexistent", workingDirectory: tree.path)
            == ["linked/", "mnist.csv", "model.safetensors", "models/", "other"])
    }

    @Test("hidden entries appear only when the typed name starts with a dot")
    func hidden() throws {
        let tree = try makeTree()
        #expect(PathCompleter.complete(".", homeDirectory: "/nonexistent", workingDirectory: tree.path)
            == [".config/", ".hidden"])
        #expect(PathCompleter.complete(".h", homeDirectory: "/nonexistent", workingDirectory: tree.path) == [".hidden"])
        #expect(PathCompleter.complete("models/", homeDirectory: "/nonexistent", workingDirectory: tree.path)
            == ["models/a.gq", "models/b.gq"])
    }

    @Test("the directory part is kept as typed: relative, ./ and absolute")
    func directoryPart() throws {
        let tree = try makeTree()
        #expect(PathCompleter.complete("models/a", homeDirectory: "/nonexistent", workingDirectory: tree.path)
            == ["models/a.gq"])
        #expect(PathCompleter.complete("./mn", homeDirectory: "/nonexistent", workingDirectory: tree.path)
            == ["./mnist.csv"])
        #expect(PathCompleter.complete(tree.path + "/oth", homeDirectory: "/nonexistent", workingDirectory: "/")
            == [tree.path + "/other"])
        #expect(PathCompleter.complete(tree.path + "/.c", homeDirectory: "/nonexistent", workingDirectory: "/")
            == [tree.path + "/.config/"])
        // The one-argument form uses the real working directory; an absolute word does not depend on it.
        #expect(PathCompleter.complete(tree.path + "/models/b") == [tree.path + "/models/b.gq"])
    }

    @Test("~ stands for the home directory and stays in the candidates")
    func tilde() throws {
        let tree = try makeTree()
        #expect(PathCompleter.complete("~", homeDirectory: tree.path, workingDirectory: "/") == ["~/"])
        #expect(PathCompleter.complete("~/mo", homeDirectory: tree.path, workingDirectory: "/")
            == ["~/model.safetensors", "~/models/"])
        #expect(PathCompleter.complete("~/models/", homeDirectory: tree.path, workingDirectory: "/")
            == ["~/models/a.gq", "~/models/b.gq"])
    }

    @Test("a directory that does not exist or is a file gives no candidates")
    func missingDirectory() throws {
        let tree = try makeTree()
        #expect(PathCompleter.complete("nope/x", homeDirectory: "/nonexistent", workingDirectory: tree.path) == [])
        #expect(PathCompleter.complete("other/x", homeDirectory: "/nonexistent", workingDirectory: tree.path) == [])
    }
}
