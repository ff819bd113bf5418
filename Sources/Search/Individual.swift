/// A genome with its objective values and its standing in the population.
public struct Individual: Sendable, Codable, Equatable {
    public var genome: Genome
    /// Objective values, all minimised (negate anything to maximise).
    public var objectives: [Double]
    /// Constraint values, each met when ≤ 0 (`Evaluation`); empty without constraints.
    public var constraints: [Double]
    /// Non-domination rank under constrained domination: 0 is the first (best) front.
    public var rank: Int
    /// Crowding distance within its front; larger is lonelier, +infinity at the front's ends.
    public var crowding: Double

    public init(genome: Genome, objectives: [Double], constraints: [Double] = [], rank: Int = 0, crowding: Double = 0) {
        self.genome = genome
        self.objectives = objectives
        self.constraints = constraints
        self.rank = rank
        self.crowding = crowding
    }

    public init(genome: Genome, evaluation: Evaluation, rank: Int = 0, crowding: Double = 0) {
        self.init(genome: genome, objectives: evaluation.objectives, constraints: evaluation.constraints, rank: rank, crowding: crowding)
    }

    public var evaluation: Evaluation { Evaluation(objectives: objectives, constraints: constraints) }

    /// The sum of the positive constraint values; 0 when feasible.
    public var violation: Double { Pareto.violation(of: constraints) }

    public var isFeasible: Bool { violation == 0 }

    private enum CodingKeys: String, CodingKey { case genome, objectives, constraints, rank, crowding }

    // Constraints are written only when there are some, so an unconstrained search's files
    // read as before and files written before constraints existed load unchanged.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        genome = try container.decode(Genome.self, forKey: .genome)
        objectives = try container.decode([Double].self, forKey: .objectives)
        constraints = try container.decodeIfPresent([Double].self, forKey: .constraints) ?? []
        rank = try container.decode(Int.self, forKey: .rank)
        crowding = try container.decode(Double.self, forKey: .crowding)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(genome, forKey: .genome)
        try container.encode(objectives, forKey: .objectives)
        if !constraints.isEmpty { try container.encode(constraints, forKey: .constraints) }
        try container.encode(rank, forKey: .rank)
        try container.encode(crowding, forKey: .crowding)
    }
}
