import Foundation

/// The fixed half of two-file inputs: valid labels beside the fuzzed data.
enum FuzzFixtures {
    /// `y.npy`: int64 labels 0, 1, 0, 1, … for 20 sequences.
    static let labels: [UInt8] = {
        var header = "{'descr': '<i8', 'fortran_order': False, 'shape': (20,), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let data = (0..<20).flatMap { index in withUnsafeBytes(of: Int64(index % 2).littleEndian, Array.init) }
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + data
    }()

    /// IDX labels: 20 unsigned bytes 0, 1, 0, 1, …
    static let idxLabels = Data([0, 0, 8, 1, 0, 0, 0, 20] + (0..<20).map { UInt8($0 % 2) })
}
