import Foundation
import TextMatching

/// `help` and `help NAME`: the command list, and each command's syntax and examples.
enum HelpCommand {
    static var command: Command { Command(
        name: "help",
        operands: "[COMMAND]",
        summary: "List commands, or show one command's syntax and examples",
        details: "Without a name, lists every command with one line each. With a command, a verb such as 'load', or a language word (let, for, if, assert), shows its syntax, what it does and an example.",
        examples: ["help", "help train", "help for"],
        completion: .commandNames,
        parse: { arguments -> String? in
            try arguments.expectCount(0...2)
            // `help show front` names one command of a verb's family, as it is typed.
            return arguments.count == 0 ? nil : arguments.words.joined(separator: " ")
        },
        run: { interpreter, topic in
            let io = interpreter.session.io
            if let topic {
                try page(for: topic, in: interpreter.commands, columns: io.columns()).forEach(io.out)
            } else {
                listing(interpreter.commands, columns: io.columns()).forEach(io.out)
            }
        }
    ) }

    /// The language's own words, documented like commands.
    static var topics: [Command] { [
        Command(name: "let", operands: "NAME = EXPRESSION", summary: "Set a variable to a number or string",
                details: "Expressions have numbers, \"strings\", variables (by name or as $name), + - * / % **, comparisons (== != < <= > >=), and/or/not, parentheses and the functions \(Evaluator.functions.keys.sorted().joined(separator: ", ")). Use a variable in any command as $name or ${name}; script arguments are $1, $2, ... and $# counts them.",
                examples: ["let x = 4", "let target = float_accuracy - 0.01", "set bits gate.z=$x"], parse: { _ in }, run: { _, _ in }),
        Command(name: "for", operands: "NAME in VALUE... { BODY }", summary: "Repeat a block for each value or integer range",
                details: "Values are words; A..B stands for every integer from A to B inclusive. The block may span lines; '{' must be on the 'for' line.",
                examples: ["for b in 2..8 { echo $b }", "for op in r.wx z.wh { echo $op }"], parse: { _ in }, run: { _, _ in }),
        Command(name: "if", operands: "EXPRESSION { BODY } [else { BODY }]", summary: "Run a block when a condition holds",
                details: "Non-zero numbers and non-empty strings are true. 'else if' chains.",
                examples: ["if accuracy < 0.9 { echo \"too low\" } else { echo ok }"], parse: { _ in }, run: { _, _ in }),
        Command(name: "assert", operands: "EXPRESSION", summary: "Stop the script with an error unless the condition holds",
                details: "The failure message shows the expression and the values of the variables in it.",
                examples: ["assert accuracy >= 0.95", "assert accuracy >= float_accuracy - 0.01 and size < 4000"], parse: { _ in }, run: { _, _ in }),
    ] }

    /// The command list; with `columns` (a terminal), summaries wrap at word boundaries
    /// under their own column.
    static func listing(_ commands: [Command], columns: Int? = nil) -> [String] {
        let width = (commands + topics).map(\.name.count).max() ?? 10
        let hanging = String(repeating: " ", count: width + 4)
        func row(_ c: Command) -> [String] {
            TextWrapping.wrap(c.summary, width: columns.map { $0 - 1 },
                              first: "  " + c.name.padding(toLength: width + 2, withPad: " ", startingAt: 0), rest: hanging)
        }
        return ["Commands ('help NAME' shows syntax and an example):"]
            + commands.flatMap(row)
            + ["", "Language:"]
            + topics.flatMap(row)
            + [""] + TextWrapping.wrap("Statements end at a newline or ';'. '#' starts a comment. Ctrl-C stops a long command; Ctrl-D leaves.",
                                       width: columns.map { $0 - 1 })
    }

    /// One command's page; with `columns`, paragraphs wrap at word boundaries.
    static func page(for name: String, in commands: [Command], columns: Int? = nil) throws -> [String] {
        let wrapWidth = columns.map { $0 - 1 }
        let matches = (commands + topics).filter { $0.name == name || $0.verb == name }
        guard !matches.isEmpty else {
            let names = (commands + topics).flatMap { [$0.name, $0.verb] }
            throw CommandError("no help for '\(name)'\(Suggestion.didYouMean(name, among: names)); 'help' lists commands", argument: 0)
        }
        var lines: [String] = []
        for (index, command) in matches.enumerated() {
            if index > 0 { lines.append("") }
            lines += TextWrapping.wrap(command.usage, width: wrapWidth, first: "usage: ", rest: "         ")
            lines.append("")
            lines += TextWrapping.wrap(command.summary + ".", width: wrapWidth, first: "  ", rest: "  ")
            if !command.details.isEmpty { lines += TextWrapping.wrap(command.details, width: wrapWidth, first: "  ", rest: "  ") }
            if !command.options.isEmpty {
                lines.append("")
                lines.append("options:")
                let width = command.options.map(\.placeholder.count).max() ?? 8
                for option in command.options {
                    lines += TextWrapping.wrap(option.help, width: wrapWidth,
                                               first: "  " + option.placeholder.padding(toLength: width + 2, withPad: " ", startingAt: 0),
                                               rest: String(repeating: " ", count: width + 4))
                }
            }
            if !command.examples.isEmpty {
                lines.append("")
                lines.append(command.examples.count == 1 ? "example:" : "examples:")
                lines += command.examples.map { "  \($0)" }
            }
        }
        return lines
    }
}
