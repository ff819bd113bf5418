import CIntegerKernels
import Foundation

/// Which kernels the batched engine may use: the AVX-512 ones (C, Sources/CIntegerKernels)
/// where the CPU has them, else the AVX2 ones with AVX-VNNI's byte product (Intel client CPUs
/// since Alder Lake), else the AVX2 ones, else the portable Swift ones.
/// All are bit-exact with the reference engine. `.automatic` is the fastest this CPU runs,
/// unless `GQ_KERNELS` names another; the named sets exist so every path is tested and
/// measured on machines that would otherwise never run it.
public enum IntegerKernelSet: String, Sendable, Equatable, CaseIterable {
    /// After `automatic`, fastest first: the order `effective` falls back in.
    case automatic, avx512, avxvnni, avx2, portable

    /// This CPU runs the AVX-512 kernels (F, BW, DQ, VL, VNNI and VBMI).
    public static let avx512Available = gq_avx512_available() != 0
    /// This CPU runs the AVX2 kernels (AVX2 and FMA).
    public static let avx2Available = gq_avx2_available() != 0
    /// This CPU runs the AVX2 kernels' AVX-VNNI byte product too.
    public static let avxvnniAvailable = gq_avxvnni_available() != 0

    /// The environment variable that chooses what `.automatic` means for any command.
    public static let environmentVariable = "GQ_KERNELS"

    /// The sets this CPU runs, fastest first (`.portable` always).
    public static var available: [IntegerKernelSet] {
        (avx512Available ? [.avx512] : []) + (avxvnniAvailable ? [.avxvnni] : []) + (avx2Available ? [.avx2] : []) + [.portable]
    }

    /// What runs: a named set as named (or the fastest this CPU runs below it, when it lacks
    /// the instructions), `.automatic` as `GQ_KERNELS` says or else the fastest available.
    public var effective: IntegerKernelSet {
        let wanted = self == .automatic ? IntegerKernelSet.chosen : self
        return IntegerKernelSet.allCases.drop(while: { $0 != wanted }).first { IntegerKernelSet.available.contains($0) } ?? .portable
    }

    /// `.automatic`'s meaning for this process, read once from `GQ_KERNELS`.
    static let chosen: IntegerKernelSet = (try? setting(ProcessInfo.processInfo.environment)) ?? available[0]

    /// The set `GQ_KERNELS` names in `environment` (the fastest available when unset or
    /// `automatic`); an unknown name, or one this CPU cannot run, is an error a person can act on.
    public static func setting(_ environment: [String: String]) throws(KernelSettingError) -> IntegerKernelSet {
        guard let value = environment[environmentVariable], !value.isEmpty else { return available[0] }
        guard let set = IntegerKernelSet(rawValue: value.lowercased()) else {
            throw .unknown(value)
        }
        if set == .automatic { return available[0] }
        guard available.contains(set) else { throw .unavailable(set) }
        return set
    }
}

/// A `GQ_KERNELS` value gq cannot honour.
public enum KernelSettingError: Error, Equatable, CustomStringConvertible {
    case unknown(String)
    case unavailable(IntegerKernelSet)

    public var description: String {
        let names = IntegerKernelSet.allCases.map(\.rawValue).joined(separator: ", ")
        let runs = IntegerKernelSet.available.map(\.rawValue).joined(separator: ", ")
        switch self {
        case .unknown(let value):
            return "\(IntegerKernelSet.environmentVariable)=\(value): no such kernel set (one of \(names))"
        case .unavailable(let set):
            return "\(IntegerKernelSet.environmentVariable)=\(set.rawValue): this CPU lacks the instructions \(set.rawValue) needs; it runs \(runs)"
        }
    }
}

/// The products each set runs, chosen here once for both engines (`PreparedIntegerLayer`,
/// `DescriptionEngine`). Called on an `effective` set.
extension IntegerKernelSet {
    /// Its int16 products are AVX2's (`gq_product_i16_avx2`) rather than Swift's.
    var runsAVX2Products: Bool { self == .avx2 || self == .avxvnni }

    /// C = A · W on int16 codes in `IntegerKernels.pack`'s layout: AVX2's `vpmaddwd`, which
    /// multiplies signed pairs of offset and plain codes alike, or Swift's kernels.
    func product16(offset: Bool, rows: Int, pairs: Int, vectors: Int, a: UnsafePointer<Int16>, lda: Int,
                   w: UnsafePointer<Int16>, c: UnsafeMutablePointer<Int32>, ldc: Int) {
        if runsAVX2Products {
            gq_product_i16_avx2(Int32(rows), Int32(pairs), Int32(vectors), a, Int32(lda), w, c, Int32(ldc))
        } else if offset {
            IntegerKernels.productOffset(rows: rows, pairs: pairs, vectors: vectors, a: a, lda: lda, w: w, c: c, ldc: ldc)
        } else {
            IntegerKernels.productPlain(rows: rows, pairs: pairs, vectors: vectors, a: a, lda: lda, w: w, c: c, ldc: ldc)
        }
    }

    /// C = A · W on bytes (codes + 128 against signed-byte weights, `gq_product_u8s8`'s
    /// layout): AVX-VNNI's 8-lane `vpdpbusd` or AVX-512's 16-lane one.
    func productBytes(rows: Int, quads: Int, vectors: Int, a: UnsafePointer<UInt8>, lda: Int,
                      w: UnsafePointer<Int8>, c: UnsafeMutablePointer<Int32>, ldc: Int) {
        let product = self == .avxvnni ? gq_product_u8s8_avxvnni : gq_product_u8s8
        product(Int32(rows), Int32(quads), Int32(vectors), a, Int32(lda), w, c, Int32(ldc))
    }
}
