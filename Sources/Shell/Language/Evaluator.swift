#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TextMatching

/// Evaluates expressions and interpolates words against the session's variables.
struct Evaluator {
    /// Looks a variable up by name; throws a located error when it is not set.
    let lookup: (String, SourceLocation) throws -> Value

    func interpolate(_ word: Word) throws -> String {
        var text = ""
        for part in word.parts {
            switch part {
            case .literal(let s): text += s
            case .variable(let name, let at): text += try lookup(name, at).description
            }
        }
        return text
    }

    func evaluate(_ expression: Expression) throws -> Value {
        switch expression {
        case .number(let x):
            return .number(x)
        case .string(let word):
            return .string(try interpolate(word))
        case .variable(let name, let at):
            return try lookup(name, at)
        case .unary(let op, let operand, let at):
            let value = try evaluate(operand)
            if op == "not" { return .number(value.isTrue ? 0 : 1) }
            return .number(-(try number(value, for: op, at: at)))
        case .binary:
            // A chain `a + b + c …` parses as a tree as deep as it is long; walking down its
            // left spine and folding back keeps evaluation off the stack.
            var spine: [(op: String, right: Expression, at: SourceLocation)] = []
            var node = expression
            while case .binary(let op, let left, let right, let at) = node {
                spine.append((op, right, at))
                node = left
            }
            var value = try evaluate(node)
            for step in spine.reversed() {
                value = try apply(step.op, value, step.right, at: step.at)
            }
            return value
        case .call(let name, let arguments, let at):
            return try call(name, arguments.map(evaluate), at: at)
        }
    }

    /// `left op right`, evaluating `right` only when it is needed.
    private func apply(_ op: String, _ left: Value, _ rightExpression: Expression, at: SourceLocation) throws -> Value {
        // `and`/`or` short-circuit so `x > 0 and 1 / x < 2` is safe.
        if op == "and" { return left.isTrue ? .number(try evaluate(rightExpression).isTrue ? 1 : 0) : .number(0) }
        if op == "or" { return left.isTrue ? .number(1) : .number(try evaluate(rightExpression).isTrue ? 1 : 0) }
        let right = try evaluate(rightExpression)
        switch op {
        case "==", "!=", "<", "<=", ">", ">=":
            return .number(try compare(op, left, right, at: at) ? 1 : 0)
        case "+":
            if case .string(let a) = left, left.number == nil { return .string(a + right.description) }
            if case .string(let b) = right, right.number == nil { return .string(left.description + b) }
            return .number(try number(left, for: op, at: at) + number(right, for: op, at: at))
        default:
            let a = try number(left, for: op, at: at)
            let b = try number(right, for: op, at: at)
            switch op {
            case "-": return .number(a - b)
            case "*": return .number(a * b)
            case "**": return .number(pow(a, b))
            case "/", "%":
                guard b != 0 else { throw ShellError.runtime("division by zero", at) }
                return .number(op == "/" ? a / b : fmod(a, b))
            default:
                throw ShellError.runtime("unknown operator '\(op)'", at)
            }
        }
    }

    private func compare(_ op: String, _ left: Value, _ right: Value, at: SourceLocation) throws -> Bool {
        if let a = left.number, let b = right.number { return Evaluator.holds(op, a, b) }
        if case .string(let a) = left, case .string(let b) = right { return Evaluator.holds(op, a, b) }
        if op == "==" { return false }
        if op == "!=" { return true }
        throw ShellError.runtime("cannot compare \(left.typeName) '\(left)' with \(right.typeName) '\(right)' using '\(op)'", at)
    }

    /// One comparison operator applied to two values of one ordered type.
    private static func holds<T: Comparable>(_ op: String, _ a: T, _ b: T) -> Bool {
        switch op {
        case "==": return a == b
        case "!=": return a != b
        case "<": return a < b
        case "<=": return a <= b
        case ">": return a > b
        default: return a >= b
        }
    }

    private func number(_ value: Value, for op: String, at: SourceLocation) throws -> Double {
        guard let x = value.number else {
            throw ShellError.runtime("'\(op)' needs numbers, but '\(value)' is a string", at)
        }
        return x
    }

    /// The functions an expression may call, with their arities, for errors and `help let`.
    static let functions: [String: ClosedRange<Int>] = [
        "abs": 1...1, "min": 1...16, "max": 1...16, "round": 1...2, "floor": 1...1, "ceil": 1...1,
        "sqrt": 1...1, "log": 1...1, "log2": 1...1, "exp": 1...1,
    ]

    /// Why a call of `name` with `count` arguments cannot run, or nil when it can.
    static func callFault(_ name: String, count: Int) -> String? {
        guard let arity = functions[name] else {
            let known = functions.keys.sorted()
            return "unknown function '\(name)'\(Suggestion.didYouMean(name, among: known)); functions: \(known.joined(separator: ", "))"
        }
        guard arity.contains(count) else {
            let expected = arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)"
            return "\(name)() takes \(expected) argument\(arity.upperBound == 1 ? "" : "s"), got \(count)"
        }
        return nil
    }

    private func call(_ name: String, _ arguments: [Value], at: SourceLocation) throws -> Value {
        if let fault = Evaluator.callFault(name, count: arguments.count) { throw ShellError.runtime(fault, at) }
        let x = try arguments.map { try number($0, for: name + "()", at: at) }
        switch name {
        case "abs": return .number(Swift.abs(x[0]))
        case "min": return .number(x.min() ?? 0)
        case "max": return .number(x.max() ?? 0)
        case "round":
            let scale = pow(10, x.count > 1 ? x[1] : 0)
            return .number((x[0] * scale).rounded() / scale)
        case "floor": return .number(x[0].rounded(.down))
        case "ceil": return .number(x[0].rounded(.up))
        case "sqrt": return .number(x[0].squareRoot())
        case "log": return .number(log(x[0]))
        case "log2": return .number(log2(x[0]))
        default: return .number(exp(x[0]))
        }
    }
}

