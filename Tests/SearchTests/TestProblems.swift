import Foundation
import Search

/// Discretised ZDT problems (Zitzler, Deb & Thiele 2000): gene i takes level
/// k ∈ 0 ..< levels, i.e. x_i = k / (levels − 1). The true front is x_2 … x_n = 0
/// (g = 1) with x_1 on the grid, so it is known exactly.
struct DiscreteZDT: Sendable {
    enum Kind: Sendable { case zdt1, zdt2 }
    let kind: Kind
    let genes: Int
    let levels: Int

    var space: GenomeSpace {
        GenomeSpace(geneNames: (1 ... genes).map { "x\($0)" }, values: Array(0 ..< levels))
    }

    func objectives(_ genome: Genome) -> [Double] {
        let x = genome.map { Double($0) / Double(levels - 1) }
        let f1 = x[0]
        let g = 1 + 9 * x.dropFirst().reduce(0, +) / Double(genes - 1)
        switch kind {
        case .zdt1: return [f1, g * (1 - (f1 / g).squareRoot())]
        case .zdt2: return [f1, g * (1 - (f1 / g) * (f1 / g))]
        }
    }

    var trueFront: [[Double]] {
        (0 ..< levels).map { objectives([$0] + [Int](repeating: 0, count: genes - 1)) }
    }
}

/// Counts calls from any thread and remembers which genomes were evaluated.
final class EvaluationLog: @unchecked Sendable {
    private let lock = NSLock()
    private var genomes: [Genome] = []

    func record(_ genome: Genome) {
        lock.lock()
        genomes.append(genome)
        lock.unlock()
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return genomes.count
    }

    var distinctCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return Set(genomes).count
    }
}

/// A fresh temporary folder, removed at deinit.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gq-search-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
