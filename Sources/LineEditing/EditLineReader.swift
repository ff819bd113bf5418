@preconcurrency import CEditLine
import CSignals
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// libedit's readline layer is process-global and calls back through plain C
// function pointers, which cannot capture context: the completion state lives
// in globals. Only the thread running readline() touches them.
nonisolated(unsafe) private var activeCompleter: (any CompletionProvider)?
nonisolated(unsafe) private var pendingCandidates: [String] = []
nonisolated(unsafe) private var nextCandidate = 0

/// Line editing on a terminal through libedit: arrow keys, history recall and
/// search, Tab completion, and history that persists across sessions.
///
/// libedit's readline layer is one global editor per process: create one
/// reader, and only use it from one thread.
public final class EditLineReader: LineReader {
    private var history: HistoryFile?
    private var warnedAboutHistory = false
    private let programName: String

    public init(programName: String, historyFile: URL?, completer: (any CompletionProvider)?) {
        // Our SIGINT handler (installed without SA_RESTART) must see Ctrl-C, not
        // libedit's: libedit's own handler re-raises the signal with kill(0, …),
        // i.e. to the whole process group. Ours makes read() fail with EINTR,
        // libedit's readline() then returns NULL, and the pending flag tells that
        // apart from Ctrl-D. Must be set before the editor is initialised.
        self.programName = programName
        rl_catch_signals = 0
        rl_catch_sigwinch = 0
        // Selects the "gq:" lines of ~/.editrc; libedit keeps the pointer, so it lives forever.
        rl_readline_name = UnsafePointer(strdup(programName))
        useUTF8CharacterType()
        rl_initialize()
        activeCompleter = completer
        rl_attempted_completion_function = attemptCompletion

        if let historyFile {
            var file = HistoryFile(url: historyFile)
            stifle_history(Int32(clamping: file.capacity))
            for entry in file.load() { add_history(entry) }
            history = file
        }
    }

    public func readLine(prompt: String) -> LineReadResult {
        // A Ctrl-C that arrived while a command ran (and was not polled) must not
        // cancel this fresh prompt.
        gq_clear_interrupt()
        while true {
            errno = 0
            guard let raw = readline(prompt) else {
                if gq_interrupt_pending() != 0 {
                    gq_clear_interrupt()
                    // readline() leaves the cursor after the abandoned text.
                    writeToTerminal("\n")
                    return .interrupted
                }
                // Another signal handler installed without SA_RESTART: not a reason to leave.
                if errno == EINTR { continue }
                // Ctrl-D at an empty line: end the prompt's line so the shell's exit is tidy.
                writeToTerminal("\n")
                return .endOfInput
            }
            defer { free(raw) }
            // Ctrl-C between the last keystroke and Enter still counts as accepting the line.
            gq_clear_interrupt()
            return .line(decodeBytes(raw, count: strlen(raw)))
        }
    }

    /// Adds `line` to the in-memory history and appends it to the history file
    /// (blank lines and immediate repeats are skipped in both). A file that
    /// cannot be written is reported once on stderr; editing carries on.
    public func addHistory(_ line: String) {
        guard HistoryFile.isRecordable(line), lastHistoryEntry() != line else { return }
        add_history(line)
        guard var file = history else { return }
        do {
            try file.append(line)
        } catch {
            if !warnedAboutHistory {
                warnedAboutHistory = true
                FileHandle.standardError.write(Data("\(programName): warning: \(error); commands that cannot be written are left out of the history (warned once)\n".utf8))
            }
        }
        history = file
    }

    private func lastHistoryEntry() -> String? {
        guard history_length > 0, let entry = history_get(history_base + history_length - 1),
            let text = entry.pointee.line
        else { return nil }
        return String(cString: text)
    }

    private func writeToTerminal(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }
}

// libedit decodes keystrokes with mbrtowc, which in the default "C" locale
// silently drops every non-ASCII byte (an "é" in a file name vanishes). Only the
// character type is changed, so number formatting stays as it was.
private func useUTF8CharacterType() {
    setlocale(LC_CTYPE, "")
    if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) == "UTF-8" { return }
    for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8", "UTF-8"] where setlocale(LC_CTYPE, name) != nil {
        return
    }
}

// Called by libedit on Tab with the word before the cursor and its byte range in rl_line_buffer.
private func attemptCompletion(
    _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    // No fallback to libedit's own file-name completion: the provider decides.
    rl_attempted_completion_over = 1
    rl_completion_append_character = Int32(UInt8(ascii: " "))
    guard let completer = activeCompleter, let text else { return nil }
    let word = String(cString: text)
    var line = ""
    if let buffer = rl_line_buffer {
        let length = min(Int(max(end, 0)), strlen(buffer))
        line = decodeBytes(buffer, count: length)
    }
    // libedit replaces the word with the candidates' common prefix, so a
    // candidate that does not extend the word would delete what was typed.
    var seen = Set<String>()
    let candidates = completer.completions(line: line, word: word)
        .filter { $0.hasPrefix(word) && seen.insert($0).inserted }
        .sorted()
    guard !candidates.isEmpty else { return nil }
    // A completed directory is not the end of the word: let the next Tab descend into it.
    if candidates.count == 1, candidates[0].hasSuffix("/") {
        rl_completion_append_character = 0
    }
    pendingCandidates = candidates
    nextCandidate = 0
    return rl_completion_matches(text, candidateGenerator)
}

// readline's generator protocol: state 0 starts over, each call returns one malloc'd candidate, NULL ends.
private func candidateGenerator(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    if state == 0 { nextCandidate = 0 }
    guard nextCandidate < pendingCandidates.count else { return nil }
    defer { nextCandidate += 1 }
    return strdup(pendingCandidates[nextCandidate])
}

// Bytes that are not UTF-8 (a terminal in another encoding) become U+FFFD instead of losing the line.
private func decodeBytes(_ pointer: UnsafePointer<CChar>, count: Int) -> String {
    String(decoding: UnsafeRawBufferPointer(start: pointer, count: count).bindMemory(to: UInt8.self), as: UTF8.self)
}
