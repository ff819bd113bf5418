import Foundation
import Testing

/// Whether the `bash` scripts/grid runs under is 5.1 or later (macOS ships 3.2).
private let bashIsNewEnough: Bool = {
    let result = try? GQProcess.run(["bash", "-c", "((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1)))"],
                                    executable: URL(fileURLWithPath: "/usr/bin/env"))
    return result?.status == 0
}()

/// scripts/grid, as a study on a batch scheduler uses it, run with plain background processes.
@Suite("Grid fan-out", .enabled(if: bashIsNewEnough, "scripts/grid needs bash 5.1 or later"))
struct GridFanOutTests {
    /// scripts/grid in this checkout.
    static let grid = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/grid")

    func run(_ arguments: [String], in folder: URL) throws -> GQProcess.Result {
        try GQProcess.run(arguments, executable: Self.grid, cache: folder, directory: folder,
                          extraEnvironment: ["GQ": GQProcess.binary.path])
    }

    @Test("a grid fanned out over background processes fills one table with one header")
    func fanOut() throws {
        let folder = GQProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try GQProcess.write("let twice = $2 * 2\nappend table.csv task=$1 seed=$2 twice=$twice\n", to: "point.gq", in: folder)
        let axes = ["task=digits,vowels,har", "seed=1,2,3"]
        #expect(try run(["count", "point.gq"] + axes, in: folder).out == "9\n")
        let result = try run(["run", "--jobs", "9", "point.gq"] + axes, in: folder)
        #expect(result.status == 0, "\(result.err)")
        let lines = try String(contentsOf: folder.appendingPathComponent("table.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(lines.first == "task,seed,twice")
        #expect(lines.filter { $0 == "task,seed,twice" }.count == 1)
        let expected = ["digits", "vowels", "har"].flatMap { task in (1...3).map { "\(task),\($0),\($0 * 2)" } }
        #expect(Set(lines.dropFirst()) == Set(expected) && lines.count == 10)
    }

    @Test("point K is the K-th combination, the last axis fastest; a point past the grid is refused")
    func points() throws {
        let folder = GQProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try GQProcess.write("echo $1 $2\n", to: "point.gq", in: folder)
        #expect(try run(["point", "4", "point.gq", "a=x,y", "b=1,2,3"], in: folder).out == "y 2\n")
        #expect(try run(["point", "04", "point.gq", "a=x,y", "b=1,2,3"], in: folder).out == "y 2\n")  // not octal
        let past = try run(["point", "6", "point.gq", "a=x,y", "b=1,2,3"], in: folder)
        #expect(past.status == 2 && past.err == "grid: point 6 is past the grid's 6 points (0 to 5)\n")
    }

    @Test("a failing point makes the run fail, naming it; sbatch writes one array task per point")
    func failuresAndSbatch() throws {
        let folder = GQProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try GQProcess.write("assert $1 < 3\n", to: "point.gq", in: folder)
        let result = try run(["run", "point.gq", "n=1,2,3,4"], in: folder)
        #expect(result.status == 1 && result.err.contains("2 of 4 points failed: 2 3"))
        let sbatch = try run(["sbatch", "point.gq", "n=1,2,3,4"], in: folder)
        #expect(sbatch.out.contains("#SBATCH --array=0-3") && sbatch.out.contains("point \"$SLURM_ARRAY_TASK_ID\""))
    }
}
