import Shell
import Testing

@Suite("Tab completion knows the grammar")
struct CompletionTests {
    let interpreter = makeShell().0

    @Test("the first word completes to commands and keywords")
    func commands() {
        let c = interpreter.completions(lineBeforeWord: "", word: "tr")
        #expect(c.words == ["trace", "train"])
        #expect(!c.includesPaths)
        #expect(interpreter.completions(lineBeforeWord: "", word: "fo").words == ["for"])
    }

    @Test("a verb's second word completes to its subjects")
    func subjects() {
        #expect(interpreter.completions(lineBeforeWord: "load ", word: "").words == ["config", "model", "task"])
    }

    @Test("load task completes task names and paths")
    func taskNames() {
        let c = interpreter.completions(lineBeforeWord: "load task ", word: "di")
        #expect(c.words == ["digits"])
        #expect(c.includesPaths)
    }

    @Test("options complete, and ones already given are not offered again")
    func options() {
        #expect(interpreter.completions(lineBeforeWord: "train ", word: "ep").words == ["epochs"])
        #expect(!interpreter.completions(lineBeforeWord: "train epochs 3 ", word: "").words.contains("epochs"))
    }

    @Test("after an option that takes a number nothing is offered")
    func optionValue() {
        #expect(interpreter.completions(lineBeforeWord: "train epochs ", word: "").words.isEmpty)
    }

    @Test("a choice option offers its choices")
    func choiceValues() {
        #expect(interpreter.completions(lineBeforeWord: "load task x.csv label ", word: "").words == ["first", "last"])
    }

    @Test("only the statement under the cursor counts")
    func afterSeparator() {
        #expect(interpreter.completions(lineBeforeWord: "load task digits; ", word: "ev").words == ["eval", "evolve"])
        #expect(interpreter.completions(lineBeforeWord: "for b in 2..8 { ", word: "ec").words == ["echo"])
    }

    @Test("help completes command names")
    func helpNames() {
        #expect(interpreter.completions(lineBeforeWord: "help ", word: "ap").words == ["append"])
    }

    @Test("file arguments complete to paths")
    func paths() {
        #expect(interpreter.completions(lineBeforeWord: "save model ", word: "x").includesPaths)
        #expect(interpreter.completions(lineBeforeWord: "source ", word: "").includesPaths)
    }

    @Test("a dollar sign completes variable names")
    func variables() throws {
        let (shell, _) = makeShell()
        try shell.run(SourceText(name: "t", text: "let bits = 4"))
        #expect(shell.completions(lineBeforeWord: "echo ", word: "$bi").words == ["$bits"])
    }
}
