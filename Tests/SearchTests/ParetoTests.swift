import Testing
import Search

@Suite("Pareto dominance, non-dominated sorting and crowding")
struct ParetoTests {
    @Test("dominance needs one strictly better objective and none worse")
    func dominance() {
        #expect(Pareto.dominates([1, 2], [2, 2]))
        #expect(Pareto.dominates([1, 1], [2, 2]))
        #expect(!Pareto.dominates([1, 2], [1, 2]))   // equal points do not dominate
        #expect(!Pareto.dominates([1, 3], [2, 2]))   // a trade-off
        #expect(!Pareto.dominates([2, 2], [1, 2]))
    }

    @Test("non-dominated filtering keeps every copy of a front point")
    func nondominatedWithDuplicates() {
        let points: [[Double]] = [[3, 1], [1, 3], [2, 2], [2, 2], [3, 3], [1, 4], [4, 1]]
        // [3,3] is dominated by [2,2]; [1,4] by [1,3]; [4,1] by [3,1].
        #expect(Pareto.nondominated(points) == [0, 1, 2, 3])
        #expect(Pareto.nondominated([]) == [])
        #expect(Pareto.nondominated([[5, 5]]) == [0])
    }

    @Test("fast non-dominated sorting splits hand-made points into the right fronts")
    func fronts() {
        let points: [[Double]] = [
            [1, 5], [2, 3], [4, 1],      // front 0
            [2, 5], [3, 3], [5, 2],      // front 1
            [3, 5], [4, 4], [5, 3],      // front 2
            [2, 3],                      // a copy of a front-0 point shares its front
            [6, 6],                      // front 3
        ]
        let fronts = NonDominatedSorting.fronts(points)
        #expect(fronts == [[0, 1, 2, 9], [3, 4, 5], [6, 7, 8], [10]])
        #expect(NonDominatedSorting.ranks(points) == [0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 3])
        #expect(NonDominatedSorting.fronts([]) == [])
    }

    @Test("ties in one objective: the point better in the other objective dominates")
    func tiesInOneObjective() {
        // [0, 3] trades off against [1, 1] and [1, 2] but dominates [1, 3].
        let points: [[Double]] = [[1, 1], [1, 2], [1, 3], [0, 3]]
        #expect(NonDominatedSorting.ranks(points) == [0, 1, 2, 0])
    }

    @Test("three objectives sort as well")
    func threeObjectives() {
        let points: [[Double]] = [[1, 2, 3], [3, 2, 1], [2, 2, 2], [2, 3, 3], [3, 3, 3]]
        #expect(NonDominatedSorting.ranks(points) == [0, 0, 0, 1, 2])
    }

    @Test("crowding distance matches a hand computation, extremes infinite")
    func crowdingByHand() {
        // Sorted by f1: 0, 1, 3, 6 (range 6); by f2: 0, 2, 5, 6 reversed (range 6).
        let points: [[Double]] = [[0, 6], [1, 5], [3, 2], [6, 0]]
        let distance = CrowdingDistance.compute(points)
        #expect(distance[0] == .infinity)
        #expect(distance[3] == .infinity)
        // Point 1: f1 gap (3 − 0)/6, f2 gap (6 − 2)/6; mean over 2 objectives.
        #expect(abs(distance[1] - (3.0 / 6 + 4.0 / 6) / 2) < 1e-12)
        // Point 2: f1 gap (6 − 1)/6, f2 gap (5 − 0)/6.
        #expect(abs(distance[2] - (5.0 / 6 + 5.0 / 6) / 2) < 1e-12)
    }

    @Test("crowding: copies count once, small fronts are all infinite, flat objectives add nothing")
    func crowdingDegenerate() {
        let withCopy: [[Double]] = [[0, 6], [1, 5], [1, 5], [3, 2], [6, 0]]
        let distance = CrowdingDistance.compute(withCopy)
        #expect(distance[1] == (3.0 / 6 + 4.0 / 6) / 2)   // the first copy is measured as if alone
        #expect(distance[2] == 0)                           // later copies go first
        #expect(CrowdingDistance.compute([[1, 1], [2, 0]]) == [.infinity, .infinity])
        #expect(CrowdingDistance.compute([[1, 1]]) == [.infinity])
        #expect(CrowdingDistance.compute([]) == [])
        let allEqual = CrowdingDistance.compute([[2, 2], [2, 2], [2, 2]])
        #expect(allEqual == [.infinity, 0, 0])
        // f2 is constant: only f1 spreads the points.
        let flat = CrowdingDistance.compute([[0, 1], [1, 1], [4, 1]])
        #expect(flat[0] == .infinity && flat[2] == .infinity)
        #expect(flat[1] == (4.0 / 4) / 2)
    }

    @Test("two objectives sort by bisection into exactly the fronts the pairwise comparison gives, ties and copies included")
    func twoObjectiveFrontsMatchPairwise() {
        var random = SplitMix(seed: 7)
        for trial in 0 ..< 200 {
            let n = 1 + trial % 60
            // Small integer grids make equal points and equal coordinates common.
            let points = (0 ..< n).map { _ in [Double(random.next() % 9), Double(random.next() % 9)] }
            let pairwise = NonDominatedSorting.fronts(points.map { $0 + [0] })  // a constant third objective: the pairwise path
            #expect(NonDominatedSorting.fronts(points) == pairwise, "trial \(trial)")
        }
    }
}
