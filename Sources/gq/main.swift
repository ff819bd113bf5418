import CSignals
import Foundation
import LineEditing
import Quantization
import Shell
#if MPI
import Cluster
#endif

// The gq executable: wires the shell to the terminal, files and signals.

let version = "0.1.0"
let standardError = FileHandle.standardError

func writeOut(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func writeErr(_ line: String) {
    standardError.write(Data((line + "\n").utf8))
}

let options: CommandLineOptions
do {
    options = try CommandLineOptions(Array(CommandLine.arguments.dropFirst()))
} catch let error as UsageError {
    writeErr("gq: \(error.message)")
    writeErr(Invocation.usage.split(separator: "\n").prefix(2).joined(separator: "\n"))
    exit(2)
}

switch options.invocation {
case .help:
    writeOut(Invocation.usage)
    exit(0)
case .version:
    writeOut("gq \(version)")
    exit(0)
default:
    break
}

#if MPI
// `mpirun -n N gq script.gq`: every rank runs the script (SPMD); each generation's
// evaluations are split over the ranks and gathered, so every rank holds the same search.
// Only rank 0 prints and writes files (docs/cluster.md).
guard let partition = MPIPartition.start() else {
    writeErr("gq: MPI did not start (run under mpirun, or use a gq built without the MPI trait)")
    exit(1)
}
let isQuietRank = partition.rank != 0
if isQuietRank { MPIPartition.leaveFilesToRankZero() }
// Open MPI hands stdin to rank 0 alone: the other ranks would read nothing and leave
// rank 0 waiting for them, so a job runs a script file or -c commands.
switch options.invocation {
case .script, .commands: break
default:
    if partition.count > 1 {
        if !isQuietRank { writeErr("gq: under mpirun, give a script (gq FILE.gq) or -c COMMANDS: stdin and the prompt reach rank 0 only") }
        partition.finish()
        exit(2)
    }
}
/// A quiet rank's last error, for the message that ends the job when this rank fails.
nonisolated(unsafe) var lastQuietError = ""
#endif

/// Ends gq with `status`; under MPI a failure ends every rank of the job (naming this
/// one when it is not rank 0), so none waits forever in a collective.
func finish(_ status: Int32) -> Never {
    #if MPI
    if status != 0 {
        if isQuietRank {
            writeErr("gq: rank \(partition.rank) of \(partition.count) failed (status \(status))\(lastQuietError.isEmpty ? "" : ": " + lastQuietError); ending the job")
        }
        partition.abort(status)
    }
    partition.finish()
    #endif
    exit(status)
}

let environment = ProcessInfo.processInfo.environment
// A kernel set gq cannot run stops it before any work, rather than running another.
do {
    _ = try IntegerKernelSet.setting(environment)
} catch {
    writeErr("gq: \(error)")
    finish(2)
}
let stderrIsTerminal = isTerminal(2)
let useColor = stderrIsTerminal && (environment["NO_COLOR"] ?? "").isEmpty
let showsProgress = stderrIsTerminal && !options.quiet
// The C locale (or none) means no UTF-8: plots fall back to ASCII there.
let locale = [environment["LC_ALL"], environment["LC_CTYPE"], environment["LANG"]].compactMap { $0 }.first { !$0.isEmpty } ?? ""
let useUnicode = locale.uppercased().contains("UTF-8") || locale.uppercased().contains("UTF8")
let terminalIO = ShellIO(
    out: { line in
        guard let columns = terminalColumns(1, environment: environment) else { return writeOut(line) }
        TerminalText.fit(line, columns: columns).forEach(writeOut)
    },
    err: { line in
        guard let columns = terminalColumns(2, environment: environment) else { return writeErr(line) }
        TerminalText.fit(line, columns: columns).forEach(writeErr)
    },
    progress: { line in
        // \r and erase-line redraw in place; nil wipes the line before results print.
        standardError.write(Data(("\r\u{1B}[K" + (line ?? "")).utf8))
    },
    showsProgress: showsProgress,
    useColor: useColor,
    useUnicode: useUnicode,
    columns: { terminalColumns(1, environment: environment) },
    progressColumns: { terminalColumns(2, environment: environment) }
)

#if MPI
let io = isQuietRank ? ShellIO(out: { _ in }, err: { lastQuietError = $0 }, progress: { _ in }, showsProgress: false, useColor: false,
                               useUnicode: false, columns: { nil }, progressColumns: { nil }) : terminalIO
#else
let io = terminalIO
#endif

#if MPI
// Ctrl-C under mpirun ends the job (mpirun stops every rank); a handler here could stop
// ranks at different points, with one waiting in a collective the others never reach.
if partition.count == 1 { gq_install_interrupt_handler() }
#else
gq_install_interrupt_handler()
#endif
let interrupt = InterruptSource(isPending: { gq_interrupt_pending() != 0 }, clear: { gq_clear_interrupt() })
let session = Session(io: io, interrupt: interrupt)
let interpreter = Interpreter(session: session)
let runner = Runner(interpreter: interpreter)
#if MPI
session.workspace.partition = partition
// After each statement every rank waits for the others: a file rank 0 just wrote is
// then there for the next statement on every rank.
interpreter.afterStatement = { partition.barrier() }
#endif

/// Tab completion: the shell's grammar-aware words plus file paths where they fit.
struct ShellCompletion: CompletionProvider, @unchecked Sendable {
    // The interpreter is used only on the main thread, from inside readline's callback.
    let interpreter: Interpreter

    func completions(line: String, word: String) -> [String] {
        let before = String(line.dropLast(word.count))
        let candidates = interpreter.completions(lineBeforeWord: before, word: word)
        return candidates.words + (candidates.includesPaths ? PathCompleter.complete(word) : [])
    }
}

extension InputLine {
    init(_ result: LineReadResult) {
        switch result {
        case .line(let text): self = .line(text)
        case .interrupted: self = .interrupted
        case .endOfInput: self = .endOfInput
        }
    }
}

let status: Int32
switch options.invocation {
case .script(let path, let arguments):
    let text: String
    do {
        text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
        let reason = FileManager.default.fileExists(atPath: path) ? "cannot read it as UTF-8 text" : "no such file"
        writeErr("gq: \(path): \(reason)")
        finish(2)
    }
    session.scriptArguments = [path] + arguments
    status = runner.runScript(SourceText(name: path, text: text))
case .commands(let text, let arguments):
    session.scriptArguments = ["-c"] + arguments
    status = runner.runScript(SourceText(name: "-c", text: text))
default:
    if isTerminal(0) {
        Banner.lines(version: version, columns: io.columns()).forEach(writeOut)
        let reader = EditLineReader(programName: "gq", historyFile: HistoryLocation.defaultFile(),
                                    completer: ShellCompletion(interpreter: interpreter))
        status = runner.loop(name: "<repl>", stopOnError: false,
                             read: { InputLine(reader.readLine(prompt: $0)) },
                             remember: { reader.addHistory($0) })
    } else {
        var reader = PlainLineReader()
        status = runner.loop(name: "<stdin>", stopOnError: true, read: { _ in InputLine(reader.readLine(prompt: "")) })
    }
}
finish(status)
