import Foundation
import Shell
import Testing

@Suite("Runtime errors: one test per message")
struct RuntimeErrorTests {
    @Test("a misspelt command suggests the right one and points at it")
    func unknownCommand() throws {
        let error = try #require(failure("echo ok\n  trian epochs 3", file: "s.gq"))
        #expect(error.formatted == "s.gq:2:3: error: unknown command 'trian' (did you mean 'train'?); 'help' lists commands")
    }

    @Test("a verb without its subject lists the subjects")
    func missingSubject() throws {
        #expect(failure("load")?.message == "'load' needs a subject: 'load task', 'load model', 'load config'")
    }

    @Test("a misspelt subject suggests the right one and points at it")
    func unknownSubject() throws {
        let error = try #require(failure("load tsak digits"))
        #expect(error.message == "unknown subject 'tsak' for 'load' (did you mean 'task'?); try 'load task', 'load model', 'load config'")
        #expect(error.location.column == 6)
    }

    @Test("a misspelt option suggests the right one and lists the options")
    func unknownOption() throws {
        let error = try #require(failure("load task digits\ntrain epoch 3"))
        #expect(error.message.hasPrefix("unknown option 'epoch' for 'train' (did you mean 'epochs'?); options: epochs N, hidden H"))
        #expect(error.location.line == 2 && error.location.column == 7)
    }

    @Test("an option without its value says what it needs")
    func optionWithoutValue() throws {
        #expect(failure("load task digits\ntrain epochs")?.message == "option 'epochs' needs a value: a whole number from 1 to 100000")
    }

    @Test("an option value out of range says what is allowed and points at the value")
    func optionOutOfRange() throws {
        let error = try #require(failure("load task digits\ntrain hidden 0"))
        #expect(error.message == "option 'hidden' expects a whole number from 1 to 4096, got '0'")
        #expect(error.location.column == 14)
    }

    @Test("a non-numeric learning rate is refused")
    func badReal() throws {
        #expect(failure("load task digits\ntrain lr fast")?.message == "option 'lr' expects a positive number, got 'fast'")
    }

    @Test("an option given twice is refused")
    func optionTwice() throws {
        #expect(failure("load task digits\ntrain epochs 2 epochs 3")?.message == "option 'epochs' given twice")
    }

    @Test("a choice option lists its choices")
    func badChoice() throws {
        #expect(failure("load task digits label middle")?.message == "option 'label' expects one of first, last, got 'middle'")
    }

    @Test("an undefined variable suggests a close one")
    func undefinedVariable() throws {
        let error = try #require(failure("let bits = 4\necho $bist"))
        #expect(error.message == "undefined variable 'bist' (did you mean 'bits'?)")
        #expect(error.location.line == 2 && error.location.column == 6)
    }

    @Test("a result variable before its command says which command sets it")
    func resultBeforeEval() throws {
        #expect(failure("assert accuracy > 0.9")?.message == "'accuracy' is not set yet: run 'eval' first")
    }

    @Test("a missing script argument says how many were given")
    func missingArgument() throws {
        #expect(failure("echo $2")?.message == "script argument $2 was not given (0 arguments given)")
    }

    @Test("division by zero is an error")
    func divisionByZero() throws {
        #expect(failure("let x = 1 / 0")?.message == "division by zero")
    }

    @Test("ordering a string against a number is an error")
    func mixedComparison() throws {
        #expect(failure("assert \"abc\" < 3")?.message == "cannot compare string 'abc' with number '3' using '<'")
    }

    @Test("arithmetic on a string is an error")
    func stringArithmetic() throws {
        #expect(failure("let x = \"abc\" * 2")?.message == "'*' needs numbers, but 'abc' is a string")
    }

    @Test("an unknown function is named with a suggestion")
    func unknownFunction() throws {
        #expect(failure("let x = mx(1, 2)")?.message.hasPrefix("unknown function 'mx' (did you mean 'max'?); functions: abs, ceil") == true)
    }

    @Test("a function with the wrong number of arguments says how many it takes")
    func functionArity() throws {
        #expect(failure("let x = sqrt(1, 2)")?.message == "sqrt() takes 1 argument, got 2")
    }

    @Test("a failed assertion shows the expression and the values in it")
    func failedAssertion() throws {
        let error = try #require(failure("let accuracy = 0.5\nlet floor_ = 0.9\nassert accuracy >= floor_", file: "a.gq"))
        #expect(error.formatted == "a.gq:3:1: error: assertion failed: accuracy >= floor_ (accuracy = 0.5, floor_ = 0.9)")
    }

    @Test("training without a task says how to load one")
    func noTask() throws {
        #expect(failure("train")?.message == "no task loaded: try 'load task digits'")
    }

    @Test("evaluating without a model says how to get one")
    func noModel() throws {
        #expect(failure("load task digits\neval")?.message == "no model yet: 'train' one or 'load model FILE'")
    }

    @Test("an unknown task name lists the known ones and points at the name")
    func unknownTask() throws {
        let error = try #require(failure("load task digts"))
        #expect(error.message.contains("digts"))
        #expect(error.message.contains("digits"))
        #expect(error.location.column == 11)
    }

    @Test("too many arguments are named")
    func extraArgument() throws {
        #expect(failure("load task digits\nshow task now")?.message == "unexpected argument 'now' for 'show task': show task")
    }

    @Test("append refuses a word that is not NAME=VALUE")
    func appendBadPair() throws {
        let error = try #require(failure("append /tmp/x.csv bits"))
        #expect(error.message == "expected NAME=VALUE, got 'bits'")
        #expect(error.location.column == 19)
    }

    @Test("append refuses rows whose columns differ from the file's header")
    func appendHeaderMismatch() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gq-append-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try run("append \(url.path) a=1 b=2")
        let error = try #require(failure("append \(url.path) a=1 c=2"))
        #expect(error.message == "\(url.path) has the columns a,b, but this row has a,c: write to a new file or use the same columns")
        #expect(try String(contentsOf: url, encoding: .utf8) == "a,b\n1,2\n")
    }

    @Test("source of a missing file names it")
    func sourceMissing() throws {
        #expect(failure("source /nonexistent/x.gq")?.message == "cannot read script '/nonexistent/x.gq': no such file")
    }

    @Test("set seed refuses a negative seed")
    func badSeed() throws {
        #expect(failure("set seed -1")?.message == "the seed must be a whole number ≥ 0, got '-1'")
    }

    @Test("exit refuses a status out of range")
    func badExit() throws {
        #expect(failure("exit 300")?.message == "the exit status must be a whole number from 0 to 255, got '300'")
    }

    @Test("help for an unknown name suggests one")
    func helpUnknown() throws {
        #expect(failure("help trian")?.message == "no help for 'trian' (did you mean 'train'?); 'help' lists commands")
    }

    @Test("loading a model file that does not exist names the file")
    func loadMissingModel() throws {
        let error = try #require(failure("load model /nonexistent/m.safetensors"))
        #expect(error.message.contains("/nonexistent/m.safetensors"))
        #expect(error.location.column == 12)
    }

    @Test("a script that sources itself stops with an error instead of crashing")
    func sourceRecursion() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gq-self-\(UUID().uuidString).gq")
        try "source \(url.path)".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(failure("source \(url.path)"))
        #expect(error.message == "'source' is nested 64 deep: does '\(url.path)' source itself?")
    }

    @Test("use front before any search says to run evolve")
    func useFrontWithoutSearch() throws {
        #expect(failure("use front 1")?.message == "no search yet: run 'evolve N gens' first")
    }
}
