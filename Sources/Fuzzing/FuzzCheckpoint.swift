import Foundation
import Search

/// The checkpoint target: a file `evolve resume` accepts must also advance a generation.
enum FuzzCheckpoint {
    static func run(_ bytes: Data) throws -> String? {
        try withFolder { folder in
            let url = folder.appendingPathComponent("input.json")
            try bytes.write(to: url)
            let checkpoint = try NSGA2Checkpoint.load(from: url)
            // A valid file may ask for up to a million individuals; one generation of that is
            // minutes of sorting, which the fuzzer would call a hang. Loading is what is under test.
            guard checkpoint.options.populationSize <= 1000 else { return nil }
            let count = checkpoint.objectiveCount, constraints = checkpoint.constraintCount
            // Any deterministic objectives and constraint values of the right counts will do:
            // the search's own state is under test.
            let search = try NSGA2(resuming: checkpoint, threads: 1) { (genome: Genome) -> Evaluation in
                Evaluation(objectives: (0..<count).map { Double(genome[$0 % genome.count] &* ($0 + 1)) },
                           constraints: (0..<constraints).map { Double(genome[$0 % genome.count] % 3) - 1 })
            }
            _ = search.run(generations: 1)
            return nil
        }
    }
}
