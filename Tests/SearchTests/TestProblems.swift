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

/// A continuous constrained problem of two variables on a grid, as a genome: each
/// variable is two base-32 digits (1024 levels across its range), so neighbour mutation
/// of the high digit moves a variable by 1/32 of its range and of the low digit by
/// 1/1024. Small enough to enumerate, so its true (grid) front is known exactly.
struct GridProblem: Sendable {
    let name: String
    let ranges: [ClosedRange<Double>]
    /// Objectives and constraint values (met when ≤ 0) at a point.
    let function: @Sendable (Double, Double) -> Evaluation

    static let base = 32
    static var levels: Int { base * base }

    var space: GenomeSpace {
        GenomeSpace(geneNames: ["x1.high", "x1.low", "x2.high", "x2.low"], values: Array(0 ..< Self.base))
    }

    func value(_ level: Int, _ variable: Int) -> Double {
        let range = ranges[variable]
        return range.lowerBound + (range.upperBound - range.lowerBound) * Double(level) / Double(Self.levels - 1)
    }

    func point(_ genome: Genome) -> (Double, Double) {
        (value(genome[0] * Self.base + genome[1], 0), value(genome[2] * Self.base + genome[3], 1))
    }

    func evaluate(_ genome: Genome) -> Evaluation {
        let (x1, x2) = point(genome)
        return function(x1, x2)
    }

    /// The non-dominated feasible objective vectors of the whole grid (two objectives).
    func trueFront() -> [[Double]] {
        var feasible: [[Double]] = []
        for i in 0 ..< Self.levels {
            for j in 0 ..< Self.levels {
                let e = function(value(i, 0), value(j, 1))
                if e.isFeasible { feasible.append(e.objectives) }
            }
        }
        feasible.sort { $0[0] < $1[0] || ($0[0] == $1[0] && $0[1] < $1[1]) }
        var front: [[Double]] = []
        for p in feasible where front.last.map({ p[1] < $0[1] }) ?? true { front.append(p) }
        return front
    }

    /// Binh and Korn: both constraints cut the box, the front is x1 = x2 ∈ [0, 3] then x2 = 3
    /// (pymoo's BNH, constraints normalised as there).
    static let bnh = GridProblem(name: "BNH", ranges: [0...5, 0...3]) { x1, x2 in
        Evaluation(objectives: [4 * x1 * x1 + 4 * x2 * x2, (x1 - 5) * (x1 - 5) + (x2 - 5) * (x2 - 5)],
                   constraints: [((x1 - 5) * (x1 - 5) + x2 * x2 - 25) / 25,
                                 -((x1 - 8) * (x1 - 8) + (x2 + 3) * (x2 + 3) - 7.7) / 7.7])
    }

    /// Srinivas and Deb: the unconstrained optimum is cut off; the front is x1 = −2.5,
    /// x2 ∈ [2.5, 14.79], between the line x1 − 3 x2 + 10 = 0 and the circle of radius 15.
    static let srn = GridProblem(name: "SRN", ranges: [-20...20, -20...20]) { x1, x2 in
        Evaluation(objectives: [2 + (x1 - 2) * (x1 - 2) + (x2 - 1) * (x2 - 1), 9 * x1 - (x2 - 1) * (x2 - 1)],
                   constraints: [(x1 * x1 + x2 * x2) / 225 - 1, (x1 - 3 * x2 + 10) / 10])
    }

    /// Tanaka: the objectives are the variables themselves; the front lies on the wavy
    /// boundary of the first constraint, in pieces (pymoo's TNK).
    static let tnk = GridProblem(name: "TNK", ranges: [0...Double.pi, 0...Double.pi]) { x1, x2 in
        Evaluation(objectives: [x1, x2],
                   constraints: [-(x1 * x1 + x2 * x2 - 1 - 0.1 * cos(16 * atan2(x1, x2))),
                                 2 * ((x1 - 0.5) * (x1 - 0.5) + (x2 - 0.5) * (x2 - 0.5)) - 1])
    }
}
