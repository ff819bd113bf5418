import Foundation
import Quantization
import Search

/// `show front`, `use front`, `save front` and `compare`: reading the result of `evolve`.
enum FrontCommands {
    static var commands: [Command] {
        [
            Command(
                name: "show front", usage: "show front",
                summary: "List the Pareto front: size, validation and test accuracy, and the bits of each",
                details: "The non-dominated configurations over every evaluation of the search, smallest first. Validation accuracy is what the search optimised; test accuracy is measured here for reporting only. Bits are listed in genome order (the header names each column).",
                examples: ["show front"],
                run: { interpreter, arguments in
                    try arguments.expectCount(0...0, usage: "show front")
                    let session = interpreter.session
                    let state = try requireSearch(session)
                    table(state, session: session).forEach(session.io.out)
                    EvolveCommand.publish(state, in: session)
                }
            ),
            Command(
                name: "use front", usage: "use front K",
                summary: "Make configuration K of the front the current bits",
                details: "K counts from 1, as 'show front' numbers them. 'eval' then measures it.",
                examples: ["use front 1; eval"],
                run: { interpreter, arguments in
                    try arguments.expectCount(1...1, usage: "use front K")
                    let session = interpreter.session
                    let state = try requireSearch(session)
                    let front = state.front
                    guard !front.isEmpty else {
                        throw CommandError("the front is empty: the search was stopped before its first evaluations finished; run 'evolve N gens'")
                    }
                    guard let k = Int(arguments[0]), (1...front.count).contains(k) else {
                        throw CommandError("expected a front position from 1 to \(front.count), got '\(arguments[0])'", argument: 0)
                    }
                    let bits = state.inputs.base.with(genome: front[k - 1].genome)  // input and fc as searched
                    session.quantization.bits = bits
                    session.io.out("bits \(bits)")
                }
            ),
            Command(
                name: "save front", usage: "save front FILE.csv|FILE.json",
                summary: "Write the Pareto front as CSV or JSON",
                details: "One row (or object) per configuration: size in bytes and as a fraction of 8-bit, validation and test accuracy, and each operator's width. Written to a temporary file and renamed.",
                examples: ["save front front.csv", "save front front.json"],
                completion: .paths,
                run: { interpreter, arguments in
                    try arguments.expectCount(1...1, usage: "save front FILE.csv|FILE.json")
                    let session = interpreter.session
                    let state = try requireSearch(session)
                    let path = arguments.path(0)
                    let rows = try frontRows(state, session: session)
                    let text: String
                    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
                    case "csv": text = csv(rows)
                    case "json": text = try json(rows)
                    default: throw CommandError("name the file .csv or .json, got '\(arguments[0])'", argument: 0)
                    }
                    do {
                        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                    } catch {
                        throw CommandError("cannot write \(path): \(Interpreter.message(for: error))", argument: 0)
                    }
                    session.io.out("wrote \(rows.count) configurations to \(path)")
                }
            ),
            Command(
                name: "compare", usage: "compare",
                summary: "Mixed against homogeneous precision: hypervolume and the smallest model near 8-bit accuracy",
                details: "Prints the hypervolume of the mixed-precision front beside that of homogeneous 2..8-bit, and the smallest front configuration whose validation accuracy is within 0.5 points of homogeneous 8-bit, with its size reduction. Sets hv, hv_homogeneous, best_size (bytes, 0 if none) and size_reduction (fraction of 8-bit saved).",
                examples: ["evolve 20 gens; compare"],
                run: { interpreter, arguments in
                    try arguments.expectCount(0...0, usage: "compare")
                    let session = interpreter.session
                    let state = try requireSearch(session)
                    compare(state, session: session)
                }
            ),
        ]
    }

    static func requireSearch(_ session: Session) throws -> SearchState {
        guard let state = session.search else { throw CommandError("no search yet: run 'evolve N gens' first") }
        return state
    }

    /// One configuration of the front with its reported figures.
    struct FrontRow: Encodable {
        var position: Int
        var size: Int
        var sizeRatio: Double
        var validationAccuracy: Double
        var testAccuracy: Double
        var bits: [String: Int]
        var genome: [Int]

        enum CodingKeys: String, CodingKey {
            case position, size, sizeRatio = "size_ratio", validationAccuracy = "val_accuracy", testAccuracy = "test_accuracy", bits
        }
    }

    static func frontRows(_ state: SearchState, session: Session) throws -> [FrontRow] {
        // Every figure from the inputs the search used, not from settings changed since.
        let reference = state.inputs.quantized([Int](repeating: 8, count: GRUOperator.genome.count)).size.total
        let testEvaluator = try session.testEvaluator()
        return state.front.enumerated().map { index, individual in
            let quantized = state.inputs.quantized(individual.genome)
            let size = quantized.size.total
            let test: Double
            if let known = state.testAccuracy[individual.genome] {
                test = known
            } else {
                test = testEvaluator.accuracy(quantized)
                state.testAccuracy[individual.genome] = test
            }
            let names = GRUOperator.genome.map(\.name)
            return FrontRow(position: index + 1, size: size, sizeRatio: Double(size) / Double(reference),
                            validationAccuracy: 1 - individual.objectives[0], testAccuracy: test,
                            bits: Dictionary(uniqueKeysWithValues: zip(names, individual.genome)), genome: individual.genome)
        }
    }

    private static let shortNames = ["rx", "rh", "zx", "zh", "nx", "nh", "r+", "z+", "n+", "1-z", "h+", "n*", "hn*", "hh*", "σr", "σz", "tn"]

    static func table(_ state: SearchState, session: Session) -> [String] {
        guard let rows = try? frontRows(state, session: session) else { return ["no front"] }
        var lines = ["  #   size (B)  of 8-bit  val acc  test acc  " + shortNames.map { $0.padding(toLength: 3, withPad: " ", startingAt: 0) }.joined(separator: " ")]
        for row in rows {
            let genes = row.genome.map { String($0).leftPadded(3) }.joined(separator: " ")
            lines.append(String(row.position).leftPadded(3) + String(row.size).leftPadded(11)
                         + String(format: "%8.1f %%", row.sizeRatio * 100) + String(format: "%7.1f %%", row.validationAccuracy * 100)
                         + String(format: "%8.1f %%", row.testAccuracy * 100) + "  " + genes)
        }
        lines.append("columns: " + zip(shortNames, GRUOperator.genome.map(\.name)).map { "\($0)=\($1)" }.joined(separator: " ")
                     + "; input \(state.context.inputBits), fc \(state.context.fcBits) bits")
        return lines
    }

    static func csv(_ rows: [FrontRow]) -> String {
        let names = GRUOperator.genome.map(\.name)
        var lines = [(["position", "size", "size_ratio", "val_accuracy", "test_accuracy"] + names).joined(separator: ",")]
        for row in rows {
            let fixed = [String(row.position), String(row.size), Value.format(row.sizeRatio),
                         Value.format(row.validationAccuracy), Value.format(row.testAccuracy)]
            lines.append((fixed + row.genome.map(String.init)).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ rows: [FrontRow]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n"
    }

    static func compare(_ state: SearchState, session: Session) {
        let io = session.io
        let hv = state.hypervolume, hvHomogeneous = state.homogeneousHypervolume
        io.out(String(format: "hypervolume  mixed %.4f   homogeneous 2..8-bit %.4f   (%+.1f %%)", hv, hvHomogeneous,
                      hvHomogeneous > 0 ? (hv / hvHomogeneous - 1) * 100 : 0))
        session.variables["hv"] = .number(hv)
        session.variables["hv_homogeneous"] = .number(hvHomogeneous)
        guard let eight = state.homogeneous.first(where: { $0.bits == 8 }) else {
            io.out("homogeneous 8-bit is outside this search's widths: no size comparison")
            return
        }
        guard let sizeIndex = state.context.objectives.firstIndex(of: .size) else {
            io.out("this search did not minimise size ('evolve ... objectives error,size'): no size comparison")
            return
        }
        let target = (1 - eight.objectives[0]) - 0.005
        // Mixed means at least two different widths; homogeneous points are compared separately below.
        let candidates = state.front.filter { 1 - $0.objectives[0] >= target && Set($0.genome).count > 1 }
        guard let best = candidates.min(by: { $0.objectives[sizeIndex] < $1.objectives[sizeIndex] }) else {
            io.out(String(format: "no mixed configuration on the front within 0.5 points of homogeneous 8-bit (%.1f %% validation)", (1 - eight.objectives[0]) * 100))
            session.variables["best_size"] = .number(0)
            session.variables["size_reduction"] = .number(0)
            return
        }
        let size = best.objectives[sizeIndex], size8 = eight.objectives[sizeIndex]
        let position = (state.front.firstIndex { $0.genome == best.genome } ?? 0) + 1
        io.out(String(format: "homogeneous 8-bit: %.0f bytes, %.1f %% validation", size8, (1 - eight.objectives[0]) * 100))
        if let homogeneous = state.homogeneous.filter({ 1 - $0.objectives[0] >= target }).min(by: { $0.objectives[sizeIndex] < $1.objectives[sizeIndex] }), homogeneous.bits < 8 {
            io.out(String(format: "smallest homogeneous within 0.5 points: %d-bit, %.0f bytes: %.1f %% smaller", homogeneous.bits, homogeneous.objectives[sizeIndex], (1 - homogeneous.objectives[sizeIndex] / size8) * 100))
        }
        io.out(String(format: "smallest mixed within 0.5 points: front %d, %.0f bytes, %.1f %% validation: %.1f %% smaller than 8-bit", position, size, (1 - best.objectives[0]) * 100, (1 - size / size8) * 100))
        session.variables["best_size"] = .number(size)
        session.variables["size_reduction"] = .number(1 - size / size8)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
