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

/// The width of the terminal on `fd` in columns, or nil when `fd` is not a terminal
/// (or reports no size). `COLUMNS`, when set to a number, wins, as shells expect.
public func terminalColumns(_ fd: Int32, environment: [String: String]) -> Int? {
    guard isTerminal(fd) else { return nil }
    if let text = environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
    var size = winsize()
    #if canImport(Darwin)
    let request: UInt = 0x4008_7468  // TIOCGWINSZ, a macro Swift does not import on Darwin
    #else
    let request = UInt(TIOCGWINSZ)
    #endif
    guard ioctl(fd, request, &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
}
