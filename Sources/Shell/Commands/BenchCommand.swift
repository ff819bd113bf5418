import Foundation
import GRU

/// `bench`: speed figures as JSON, so runs can be compared and archived.
enum BenchCommand {
    static let options = [OptionSpec("quick", .flag, "fewer trials, for a smoke test")]

    static var commands: [Command] {
        [
            Command(
                name: "bench", usage: "bench [quick]",
                summary: "Measure training and inference speed; prints JSON",
                details: "Float GRU of 28 steps × 28 features, hidden 64, batch 64 (the row-wise MNIST shape): training samples per second and inference multiply-accumulates per second, medians over repeated trials on one thread. 'quick' runs fewer trials.",
                examples: ["bench", "bench quick"],
                options: options,
                run: { interpreter, arguments in
                    let parsed = try arguments.options(options)
                    let figures = GRUBenchmark.run(quick: parsed.has("quick"))
                    interpreter.session.io.out(json(figures))
                }
            ),
        ]
    }

    /// Flat JSON with sorted keys: stable to diff between runs.
    static func json(_ figures: [String: Double]) -> String {
        let body = figures.keys.sorted().map { key in
            let value = figures[key] ?? 0
            let text = value.isFinite ? (value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)) : "null"
            return "  \"\(key)\": \(text)"
        }
        return "{\n" + body.joined(separator: ",\n") + "\n}"
    }
}
