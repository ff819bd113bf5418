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
    /// Whether the output may hold non-ASCII characters (braille plots); false falls back to ASCII.
    public var useUnicode: Bool
    /// The terminal's width for results, asked each time (it may be resized); nil when
    /// results go to a file or pipe, which get the full, unwrapped form.
    public var columns: () -> Int?
    /// The same for the progress line on standard error.
    public var progressColumns: () -> Int?

    public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void,
                progress: @escaping (String?) -> Void = { _ in },
                showsProgress: Bool = false, useColor: Bool = false, useUnicode: Bool = true,
                columns: @escaping () -> Int? = { nil }, progressColumns: @escaping () -> Int? = { nil }) {
        self.out = out
        self.err = err
        self.progress = progress
        self.showsProgress = showsProgress
        self.useColor = useColor
        self.useUnicode = useUnicode
        self.columns = columns
        self.progressColumns = progressColumns
    }
}

/// How long-running commands learn that the user pressed Ctrl-C.
public struct InterruptSource: Sendable {
    /// Polled from worker threads too (a search stops between evaluations), hence `@Sendable`.
    public var isPending: @Sendable () -> Bool
    public var clear: @Sendable () -> Void

    public init(isPending: @escaping @Sendable () -> Bool, clear: @escaping @Sendable () -> Void) {
        self.isPending = isPending
        self.clear = clear
    }

    /// For tests and non-interactive embedding: never interrupted.
    public static var never: InterruptSource { InterruptSource(isPending: { false }, clear: {}) }
}
