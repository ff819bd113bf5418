import Foundation
import TextMatching

/// A command's arguments after interpolation, with checks that name the argument at fault.
public struct Arguments {
    /// The words after the command's name (after `load task` for `load task digits`).
    public var words: [String]
    /// The command's full name, for messages.
    public var command: String

    public init(_ words: [String], command: String) {
        self.words = words
        self.command = command
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
    public func expectCount(_ range: ClosedRange<Int>, usage: String) throws {
        if words.count < range.lowerBound {
            throw CommandError("'\(command)' needs \(range.lowerBound == 1 ? "an argument" : "\(range.lowerBound) arguments"): \(usage)")
        }
        if words.count > range.upperBound {
            throw CommandError("unexpected argument '\(words[range.upperBound])' for '\(command)': \(usage)", argument: range.upperBound)
        }
    }

    /// Parses `name value` keyword options (and bare flags) from `start` on.
    public func options(_ specs: [OptionSpec], from start: Int = 0) throws -> ParsedOptions {
        var parsed = ParsedOptions()
        var index = start
        while index < words.count {
            let word = words[index]
            guard let spec = specs.first(where: { $0.name == word }) else {
                let names = specs.map(\.name)
                let hint = Suggestion.didYouMean(word, among: names)
                let list = specs.map(\.placeholder).joined(separator: ", ")
                throw CommandError("unknown option '\(word)' for '\(command)'\(hint); options: \(list)", argument: index)
            }
            if parsed.given.contains(word) {
                throw CommandError("option '\(word)' given twice", argument: index)
            }
            parsed.given.insert(word)
            if case .flag = spec.kind {
                index += 1
                continue
            }
            guard index + 1 < words.count else {
                throw CommandError("option '\(word)' needs a value: \(spec.expectation)", argument: index)
            }
            let text = words[index + 1]
            switch spec.kind {
            case .integer(let range):
                guard let value = Int(text), range.contains(value) else {
                    throw CommandError("option '\(word)' expects \(spec.expectation), got '\(text)'", argument: index + 1)
                }
                parsed.integers[word] = value
            case .real(let range):
                guard let value = Double(text), value.isFinite, range.contains(value) else {
                    throw CommandError("option '\(word)' expects \(spec.expectation), got '\(text)'", argument: index + 1)
                }
                parsed.reals[word] = value
            case .word(let choices):
                guard choices.contains(text) else {
                    let hint = Suggestion.didYouMean(text, among: choices)
                    throw CommandError("option '\(word)' expects \(spec.expectation), got '\(text)'\(hint)", argument: index + 1)
                }
                parsed.choices[word] = text
            case .path:
                parsed.paths[word] = Arguments.expandingTilde(text)
            case .flag:
                break
            }
            index += 2
        }
        return parsed
    }
}

/// Option values by name, as parsed and checked by `Arguments.options(_:)`.
public struct ParsedOptions {
    var given: Set<String> = []
    var integers: [String: Int] = [:]
    var reals: [String: Double] = [:]
    var choices: [String: String] = [:]
    var paths: [String: String] = [:]

    public func has(_ name: String) -> Bool { given.contains(name) }
    public func integer(_ name: String) -> Int? { integers[name] }
    public func real(_ name: String) -> Double? { reals[name] }
    public func choice(_ name: String) -> String? { choices[name] }
    public func path(_ name: String) -> String? { paths[name] }
}
