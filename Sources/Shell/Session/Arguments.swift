import Foundation
import TextMatching
import Workbench

/// A command's arguments after interpolation, with checks that name the argument at fault.
public struct Arguments {
    /// The words after the command's name (after `load task` for `load task digits`).
    public var words: [String]
    /// The command's full name, for messages.
    public var command: String
    /// The command's usage line, for messages about a wrong number of arguments: built
    /// only when one needs it, not on every run of the command.
    public var usage: String { usageLine() }
    private let usageLine: () -> String
    /// The command's declared options, which `options(from:)` reads.
    public var declared: [OptionSpec]

    init(_ words: [String], command: String, usage: @escaping () -> String, declared: [OptionSpec]) {
        self.words = words
        self.command = command
        self.usageLine = usage
        self.declared = declared
    }

    public var count: Int { words.count }
    public subscript(index: Int) -> String { words[index] }

    /// Argument `index` as a file path, with a leading `~` expanded as a shell would.
    public func path(_ index: Int) -> String {
        Arguments.expandingTilde(words[index])
    }

    static func expandingTilde(_ word: String) -> String {
        guard word == "~" || word.hasPrefix("~/") else { return word }
        return HomeDirectory.url.path + word.dropFirst()
    }

    /// Fails unless there are between `range.lowerBound` and `range.upperBound` arguments.
    public func expectCount(_ range: ClosedRange<Int>) throws {
        if words.count < range.lowerBound {
            throw CommandError("'\(command)' needs \(range.lowerBound == 1 ? "an argument" : "\(range.lowerBound) arguments"): \(usage)")
        }
        if words.count > range.upperBound {
            throw CommandError("unexpected argument '\(words[range.upperBound])' for '\(command)': \(usage)", argument: range.upperBound)
        }
    }

    /// Parses the command's declared `name value` keyword options (and bare flags) from
    /// `start` on, with what they require of each other.
    public func options(from start: Int = 0) throws -> ParsedOptions {
        var parsed = ParsedOptions()
        var index = start
        while index < words.count {
            let word = words[index]
            guard let spec = declared.first(where: { $0.name == word }) else {
                let hint = Suggestion.didYouMean(word, among: declared.map(\.name))
                let list = declared.isEmpty ? "it takes none" : "options: " + declared.map(\.placeholder).joined(separator: ", ")
                throw CommandError("unknown option '\(word)' for '\(command)'\(hint); \(list)", argument: index)
            }
            if parsed.values[word] != nil {
                throw CommandError("option '\(word)' given twice", argument: index)
            }
            if case .flag = spec.kind {
                parsed.values[word] = ""
                index += 1
                continue
            }
            guard index + 1 < words.count else {
                throw CommandError("option '\(word)' needs a value: \(spec.expectation)", argument: index)
            }
            let text = words[index + 1]
            guard spec.accepts(text) else {
                var hint = ""
                if case .word(let choices) = spec.kind { hint = Suggestion.didYouMean(text, among: choices) }
                if case .list(let choices) = spec.kind,
                   let unknown = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init).first(where: { !choices.contains($0) }) {
                    hint = Suggestion.didYouMean(unknown, among: choices)
                }
                throw CommandError("option '\(word)' expects \(spec.expectation), got '\(text)'\(hint)", argument: index + 1)
            }
            parsed.values[word] = text
            index += 2
        }
        for spec in declared where parsed.values[spec.name] != nil {
            if let parent = spec.requires, parsed.values[parent] == nil {
                throw CommandError("'\(spec.name)' goes with '\(parent)': add '\(parent)' or drop '\(spec.name)'", argument: position(of: spec.name, from: start))
            }
            if let other = spec.excludes.first(where: { parsed.values[$0] != nil }) {
                let later = [position(of: spec.name, from: start), position(of: other, from: start)].compactMap { $0 }.max()
                throw CommandError("'\(spec.name)' and '\(other)' cannot be given together: choose one", argument: later)
            }
        }
        return parsed
    }

    /// Where option `name` stands among the words, from `start` on.
    private func position(of name: String, from start: Int) -> Int? {
        words.indices.dropFirst(start).first { words[$0] == name }
    }
}

/// Option values as given, checked by `Arguments.options(_:from:)`; read them typed.
public struct ParsedOptions {
    var values: [String: String] = [:]

    /// The typed value of an option, or nil when it was not given.
    public subscript<Value>(option: Option<Value>) -> Value? {
        values[option.spec.name].flatMap(option.value)
    }

    /// Whether a flag (or any option) was given.
    public func has<Value>(_ option: Option<Value>) -> Bool { values[option.spec.name] != nil }
}
