/// A genome with its objective values and its standing in the population.
public struct Individual: Sendable, Codable, Equatable {
    public var genome: Genome
    /// Objective values, all minimised (negate anything to maximise).
    public var objectives: [Double]
    /// Non-domination rank: 0 is the first (best) front.
    public var rank: Int
    /// Crowding distance within its front; larger is lonelier, +infinity at the front's ends.
    public var crowding: Double

    public init(genome: Genome, objectives: [Double], rank: Int = 0, crowding: Double = 0) {
        self.genome = genome
        self.objectives = objectives
        self.rank = rank
        self.crowding = crowding
    }
}
