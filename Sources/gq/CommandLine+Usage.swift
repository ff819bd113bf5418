/// How gq was asked to run, from its command-line arguments.
enum Invocation: Equatable {
    case repl
    case script(path: String, arguments: [String])
    case commands(String, arguments: [String])
    case help
    case version

    static let usage = """
        usage: gq [-q] [FILE.gq [ARG...]]
               gq [-q] -c 'COMMAND; COMMAND' [ARG...]

        With no FILE, gq reads commands: interactively on a terminal (history,
        Tab completion; 'help' lists commands), or line by line from a pipe.
        A script stops at its first error with exit status 1.

        options:
          -c COMMANDS   run COMMANDS (separated by ';' or newlines) and exit
          -q, --quiet   no progress bars
          -h, --help    show this help
          --version     show gq's version

        environment:
          GQ_KERNELS    the integer engine's kernels: automatic (the fastest
                        this CPU runs), avx512, avxvnni, avx2 or portable
        """
}

/// A command-line mistake: reported with the usage line, exit status 2.
struct UsageError: Error, Equatable {
    var message: String
}

/// Parses gq's arguments: options first, then a script and its own arguments.
struct CommandLineOptions: Equatable {
    var invocation: Invocation = .repl
    var quiet = false

    init(_ arguments: [String]) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-q", "--quiet":
                quiet = true
            case "-h", "--help":
                invocation = .help
                return
            case "--version":
                invocation = .version
                return
            case "-c":
                guard index + 1 < arguments.count else { throw UsageError(message: "option -c needs the commands to run, as in: gq -c 'load task digits; train'") }
                invocation = .commands(arguments[index + 1], arguments: Array(arguments[(index + 2)...]))
                return
            case "--":
                if index + 1 < arguments.count {
                    invocation = .script(path: arguments[index + 1], arguments: Array(arguments[(index + 2)...]))
                }
                return
            default:
                if argument.hasPrefix("-"), argument != "-" {
                    throw UsageError(message: "unknown option '\(argument)'")
                }
                invocation = .script(path: argument, arguments: Array(arguments[(index + 1)...]))
                return
            }
            index += 1
        }
    }
}
