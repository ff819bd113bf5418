/// Where a shell session writes: results to standard output, errors and progress to standard error.
///
/// The shell never touches a terminal itself; the `gq` executable decides whether
/// progress is shown and whether colour is used, and tests capture everything.
public struct ShellIO {
    /// A line of results (no trailing newline).
    public var out: (String) -> Void
    /// A line of diagnostics (no trailing newline).
    public var err: (String) -> Void
    /// Replaces the transient progress line; nil clears it. Ignored when `showsProgress` is false.
    public var progress: (String?) -> Void
    public var showsProgress: Bool
    public var useColor: Bool

    public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void,
                progress: @escaping (String?) -> Void = { _ in },
                showsProgress: Bool = false, useColor: Bool = false) {
        self.out = out
        self.err = err
        self.progress = progress
        self.showsProgress = showsProgress
        self.useColor = useColor
    }
}

/// How long-running commands learn that the user pressed Ctrl-C.
public struct InterruptSource {
    public var isPending: () -> Bool
    public var clear: () -> Void

    public init(isPending: @escaping () -> Bool, clear: @escaping () -> Void) {
        self.isPending = isPending
        self.clear = clear
    }

    /// For tests and non-interactive embedding: never interrupted.
    public static var never: InterruptSource { InterruptSource(isPending: { false }, clear: {}) }
}
