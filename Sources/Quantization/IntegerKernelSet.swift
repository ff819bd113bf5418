import CIntegerKernels

/// Which kernels the batched engine may use: the AVX-512 ones (C, Sources/CIntegerKernels)
/// where the CPU has them, or the portable Swift ones everywhere. Both are bit-exact with
/// the reference engine; `.portable` exists so the Swift path is tested and measured on
/// machines that would otherwise never run it.
public enum IntegerKernelSet: Sendable, Equatable {
    case automatic, portable

    /// This CPU runs the AVX-512 kernels (F, BW, DQ, VL, VNNI and VBMI).
    public static let avx512Available = gq_avx512_available() != 0
}
