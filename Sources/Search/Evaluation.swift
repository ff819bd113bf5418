/// What one evaluation of a genome gives: its objectives, all minimised, and its
/// constraint values, each met when it is ≤ 0 (pymoo's `G`).
///
/// The search knows nothing of what a constraint means; a caller that bounds a quantity
/// by `bound` passes `value / bound − 1`, so each constraint is a fraction of its bound
/// and a sum of violations (`violation`) mixes units sensibly: 10 % over one limit
/// weighs as much as 10 % over another, whatever they measure.
public struct Evaluation: Sendable, Hashable, Codable {
    public var objectives: [Double]
    /// Empty for an unconstrained problem.
    public var constraints: [Double]

    public init(objectives: [Double], constraints: [Double] = []) {
        self.objectives = objectives
        self.constraints = constraints
    }

    /// How far the constraints are from being met (pymoo's `CV`): the sum of the positive
    /// constraint values, 0 when every one is met.
    public var violation: Double { Pareto.violation(of: constraints) }

    /// Every constraint met (always, without constraints).
    public var isFeasible: Bool { violation == 0 }
}

extension Pareto {
    /// The sum of the positive constraint values: 0 when every constraint is met. A NaN
    /// (an evaluation that failed) counts as infinitely far.
    public static func violation(of constraints: [Double]) -> Double {
        var total = 0.0
        for g in constraints {
            if g.isNaN { return .infinity }
            if g > 0 { total += g }
        }
        return total
    }

    /// Deb's constrained domination, as pymoo's `Dominator.get_relation` applies it: of two
    /// solutions with different total violations, the smaller wins (so a feasible one, at 0,
    /// beats any infeasible one, and of two infeasible ones the nearer to feasible wins);
    /// with equal violations (both feasible, in particular) Pareto dominance decides.
    @inlinable
    public static func dominates(_ a: [Double], violation va: Double, _ b: [Double], violation vb: Double) -> Bool {
        if va != vb { return va < vb }
        return dominates(a, b)
    }
}
