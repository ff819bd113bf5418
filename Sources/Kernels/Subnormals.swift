import CFloatKernels

/// Subnormal floats (below 2⁻¹²⁶ in magnitude), which x86 cores compute in microcode at about
/// a hundred times the cost of a normal operation.
public enum Subnormals {
    /// Runs `body` with the calling thread flushing subnormal operands and results to zero,
    /// then restores the thread's previous mode. Training wraps its gradient work in this:
    /// gradients fading through hundreds of steps become subnormal long before they would
    /// round to zero, and spend most of the run in microcode (docs/training.md, "Subnormal floats").
    /// The arithmetic is still deterministic: the same inputs give the same bits on any thread.
    @inlinable
    public static func flushed<Result>(_ body: () throws -> Result) rethrows -> Result {
        let saved = gq_flush_subnormals()
        defer { gq_restore_float_mode(saved) }
        return try body()
    }
}
