import Workbench

/// What Tab offers at a point in a line: words, and whether file paths fit there too.
public struct CompletionCandidates: Equatable, Sendable {
    public var words: [String]
    public var includesPaths: Bool
}

extension Interpreter {
    /// Completion candidates for `word`, the word under the cursor, given the line before it.
    ///
    /// Everything it offers comes from the command table's declarations (names, options
    /// and their values, each command's `Completion`); it knows no domain and no file
    /// system: the caller adds paths when `includesPaths` is set.
    public func completions(lineBeforeWord: String, word: String) -> CompletionCandidates {
        if word.hasPrefix("$") {
            let names = session.variables.keys.sorted().map { "$" + $0 }
            return CompletionCandidates(words: names.filter { $0.hasPrefix(word) }, includesPaths: false)
        }
        // Only the statement under the cursor matters: the text after the last ';', '{' or '}'.
        let statement = lineBeforeWord.split(omittingEmptySubsequences: false, whereSeparator: { ";{}".contains($0) }).last ?? ""
        let previous = statement.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        func offer(_ words: [String], paths: Bool = false) -> CompletionCandidates {
            CompletionCandidates(words: Array(Set(words.filter { $0.hasPrefix(word) })).sorted(), includesPaths: paths)
        }
        guard let verb = previous.first else {
            return offer(commands.map(\.verb) + Interpreter.keywords)
        }
        let family = commands.filter { $0.verb == verb }
        if family.isEmpty { return offer([]) }
        var command = family[0]
        var rest = Array(previous.dropFirst())
        if family.contains(where: { $0.subject != nil }) {
            guard let subject = rest.first else { return offer(family.compactMap(\.subject)) }
            guard let match = family.first(where: { $0.subject == subject }) else { return offer([]) }
            command = match
            rest.removeFirst()
        }
        // After an option that takes a value, offer that option's values (or nothing).
        if let last = rest.last, let option = command.options.first(where: { $0.name == last }) {
            switch option.kind {
            case .flag: break
            case .word(let choices): return offer(choices)
            case .list(let choices):
                // The names not yet in the list, after what is typed up to the last comma.
                let typed = word.split(separator: ",", omittingEmptySubsequences: false).dropLast().map(String.init)
                let head = typed.isEmpty ? "" : typed.joined(separator: ",") + ","
                return offer(choices.filter { !typed.contains($0) }.map { head + $0 })
            case .path: return offer([], paths: true)
            case .integer, .real, .span, .text, .bytes: return offer([])
            }
        }
        let unusedOptions = command.options.map(\.name).filter { !rest.contains($0) }
        switch command.completion {
        case .operatorAssignments:
            return offer(BitWidths.patternWords(in: session.workspace.bits.network).map { $0 + "=" })
        case .operatorThenIn:
            if rest.isEmpty { return offer(BitWidths.patternWords(in: session.workspace.bits.network)) }
            return rest.count == 1 ? offer(["in"]) : offer([])
        default:
            break
        }
        if rest.isEmpty {
            switch command.completion {
            case .none: return offer(unusedOptions)
            case .paths: return offer([], paths: true)
            case .wordsAndPaths(let words): return offer(words, paths: true)
            case .commandNames: return offer(commands.map(\.verb) + Interpreter.keywords)
            case .words(let words): return offer(words + unusedOptions)
            case .operatorAssignments, .operatorThenIn: return offer([])
            }
        }
        if command.completion == .paths, command.options.isEmpty { return offer([], paths: true) }
        // A literal word the operands declare at this position ('gens' in "N gens").
        let operands = command.operands.split(separator: " ").map(String.init)
        if rest.count < operands.count, operands[rest.count].allSatisfy({ $0.isLetter && $0.isLowercase }) {
            return offer([operands[rest.count]])
        }
        return offer(unusedOptions)
    }
}
