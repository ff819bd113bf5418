import Foundation
import Shell

/// The script target: every input is scanned, parsed and checked; one whose commands
/// stay inside the session (no file written, no long training or search) also runs,
/// with an interrupt that fires after a bounded number of polls, as Ctrl-C would.
enum FuzzScript {
    /// First words of the commands that may run: they read, print, or change the session only.
    static let runnable: Set<String> = ["echo", "help", "show", "set", "reset", "undo", "load", "eval", "sweep",
                                        "trace", "exit", "quit", "use"]
    /// Interrupt polls before a run is stopped (loops poll once per iteration).
    static let pollBudget = 200_000

    static func run(_ bytes: Data) throws -> String? {
        guard let text = String(data: bytes, encoding: .utf8) else { return "not readable as UTF-8 text" }
        let source = SourceText(name: "input.gq", text: text)
        let statements = try Parser.parse(source)
        let budget = PollBudget(pollBudget)
        let session = Session(io: ShellIO(out: { _ in }, err: { _ in }),
                              interrupt: InterruptSource(isPending: { budget.spend() }, clear: {}), modelCache: nil)
        let interpreter = Interpreter(session: session)
        guard statements.allSatisfy(staysInSession) else {
            try interpreter.check(statements)
            return nil
        }
        do {
            try interpreter.run(checked: statements)
        } catch is ExitRequest {
            return nil
        }
        return nil
    }

    /// Whether every command, in every branch and loop body, is one of `runnable`.
    static func staysInSession(_ statement: Statement) -> Bool {
        switch statement.kind {
        case .command(let name, _):
            return name.literalText.map(runnable.contains) ?? false
        case .loop(_, _, let body):
            return body.allSatisfy(staysInSession)
        case .conditional(_, let then, let otherwise):
            return then.allSatisfy(staysInSession) && otherwise.allSatisfy(staysInSession)
        case .assignment, .assertion:
            return true
        }
    }
}

/// A countdown shared with worker threads: true once the budget is spent.
final class PollBudget: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int
    init(_ polls: Int) { remaining = polls }
    func spend() -> Bool {
        lock.withLock {
            remaining -= 1
            return remaining < 0
        }
    }
}
