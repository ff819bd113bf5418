#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// True when `fd` is connected to a terminal, i.e. the user is typing (or
/// watching) and line editing, prompts and progress bars make sense.
public func isTerminal(_ fd: Int32) -> Bool {
    isatty(fd) != 0
}
