import Workbench

/// A shell session: the workspace it drives, plus what belongs to the language
/// (variables, script arguments) and to the front end (where output goes, Ctrl-C).
public final class Session {
    public var io: ShellIO
    public var interrupt: InterruptSource {
        didSet { workspace.shouldStop = interrupt.isPending }
    }
    /// The application: task, model, bits, options, calibration, fine-tuning, search.
    public let workspace: Workspace
    /// Script variables, including the results `eval` publishes (`accuracy`, ...).
    public var variables: [String: Value] = [:]
    /// `$0`, `$1`, ... of the running script.
    public var scriptArguments: [String] = []
    /// How deeply `source` is nested, so a script that sources itself stops with an error.
    var sourceDepth = 0
    /// Earlier bit configurations, newest last, for `undo`.
    var bitsHistory: [BitWidths] = []
    /// The transcript `log FILE` is writing, if any.
    var log: SessionLog?
    /// The bar of a calibration or of cross-fitting's fold models, whichever is running.
    private var meter: ProgressMeter?

    /// Makes `bits` current, remembering the old ones for `undo`; returns the old ones.
    @discardableResult
    func changeBits(to bits: BitWidths) -> BitWidths {
        let old = workspace.bits
        if old != bits {
            bitsHistory.append(old)
            if bitsHistory.count > 100 { bitsHistory.removeFirst() }
        }
        workspace.bits = bits
        return old
    }

    /// Records a line typed at the prompt in the transcript, when one is being written.
    public func logInput(_ prompt: String, _ line: String) {
        log?.write(prompt + line)
    }

    public init(io: ShellIO, interrupt: InterruptSource = .never, modelCache: ModelCache? = ModelCache.standard()) {
        self.io = io
        self.interrupt = interrupt
        workspace = Workspace(modelCache: modelCache)
        workspace.shouldStop = interrupt.isPending
        workspace.calibrationObserver = meterObserver(label: "calibrate")
        workspace.crossFitObserver = meterObserver(label: "cross-fit")
    }

    /// Draws a bar labelled `label` for work that runs longer than a second; most
    /// calibrations take a fraction of one and draw nothing.
    private func meterObserver(label: String) -> CalibrationObserver {
        CalibrationObserver(
            started: { [unowned self] in meter = ProgressMeter(io: io) },
            progress: { [unowned self] fraction in
                guard var running = meter, running.elapsedSeconds >= 1 else { return }
                running.update(fraction: fraction, label: label, detail: "")
                meter = running
            },
            ended: { [unowned self] in
                meter?.finish()
                meter = nil
            })
    }

    /// The seed every random choice starts from unless a command is given its own.
    public var seed: UInt64 {
        get { workspace.seed }
        set { workspace.seed = newValue }
    }

    /// Sets script variables from a command's results.
    func publish(_ values: [(String, Double)]) {
        for (name, value) in values { variables[name] = .number(value) }
    }
}
