import Datasets
import Quantization

/// What Tab offers at a point in a line: words, and whether file paths fit there too.
public struct CompletionCandidates: Equatable, Sendable {
    public var words: [String]
    public var includesPaths: Bool
}

extension Interpreter {
    /// Completion candidates for `word`, the word under the cursor, given the line before it.
    ///
    /// Knows the command grammar (verbs, subjects, options, task names) but not the
    /// file system: the caller adds paths when `includesPaths` is set.
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
            case .path: return offer([], paths: true)
            default: return offer([])
            }
        }
        let unusedOptions = command.options.map(\.name).filter { !rest.contains($0) }
        if command.completion == .bitAssignments {
            return offer(BitWidths.patternWords.map { $0 + "=" })
        }
        if command.completion == .operatorPatterns, rest.count == 1 { return offer(["in"]) }
        if rest.isEmpty {
            switch command.completion {
            case .none: return offer(unusedOptions)
            case .paths: return offer([], paths: true)
            case .taskNames: return offer(TaskCatalog.names, paths: true)
            case .commandNames: return offer(commands.map(\.verb) + Interpreter.keywords)
            case .words(let words): return offer(words + unusedOptions)
            case .bitAssignments: return offer(BitWidths.patternWords.map { $0 + "=" })
            case .operatorPatterns: return offer(BitWidths.patternWords)
            }
        }
        if command.completion == .paths, command.options.isEmpty { return offer([], paths: true) }
        return offer(unusedOptions)
    }
}
