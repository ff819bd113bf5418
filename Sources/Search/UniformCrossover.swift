/// Uniform crossover (pymoo's `UX`): two parents give two children.
enum UniformCrossover {
    /// With probability `probability` each gene is swapped between the children
    /// with chance ½; otherwise the children are copies of their parents (and
    /// survive only if mutation changes them, since copies are duplicates).
    static func cross(_ a: Genome, _ b: Genome, probability: Double, random: inout SearchRandom) -> (Genome, Genome) {
        guard random.chance(probability) else { return (a, b) }
        var first = a, second = b
        for g in a.indices where random.chance(0.5) {
            first[g] = b[g]
            second[g] = a[g]
        }
        return (first, second)
    }
}
