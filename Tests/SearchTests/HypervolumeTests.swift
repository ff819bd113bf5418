import Testing
import Search

@Suite("Hypervolume")
struct HypervolumeTests {
    @Test("2-D hypervolume equals the hand-computed staircase area")
    func twoDimensionsByHand() {
        // Reference (10, 10). Staircase: x from 1 (y 8), 3 (y 4), 6 (y 2).
        // Area = (10−1)(10−8) + (10−3)(8−4) + (10−6)(4−2) = 18 + 28 + 8 = 54.
        let points: [[Double]] = [[6, 2], [1, 8], [3, 4], [5, 5] /* dominated */, [3, 4] /* copy */]
        #expect(Hypervolume.compute(points, reference: [10, 10]) == 54)
    }

    @Test("points outside the reference box add nothing; empty sets have zero volume")
    func outsideReference() {
        #expect(Hypervolume.compute([], reference: [1, 1]) == 0)
        #expect(Hypervolume.compute([[2, 0], [0, 1]], reference: [1, 1]) == 0)   // on or beyond the box
        #expect(Hypervolume.compute([[0.5, 0.5], [2, 0]], reference: [1, 1]) == 0.25)
        #expect(Hypervolume.compute([[0, 0]], reference: [1, 1]) == 1)
        #expect(Hypervolume.compute([[3]], reference: [5]) == 2)
    }

    @Test("3-D hypervolume (slicing) equals inclusion–exclusion over all subsets")
    func threeDimensionsExact() {
        var state: UInt64 = 12345
        func nextInt(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0 ..< 40 {
            let count = 1 + nextInt(8)
            let points = (0 ..< count).map { _ in (0 ..< 3).map { _ in Double(nextInt(10)) } }
            let reference: [Double] = [10, 10, 10]
            let expected = inclusionExclusion(points, reference: reference)
            let got = Hypervolume.compute(points, reference: reference)
            #expect(abs(got - expected) < 1e-9, "points \(points)")
            // Integer coordinates: counting dominated unit cells is a second, independent check.
            #expect(got == Double(gridCount(points, size: 10)))
        }
    }

    @Test("4-D hypervolume also matches inclusion–exclusion")
    func fourDimensions() {
        let points: [[Double]] = [[1, 5, 3, 2], [4, 1, 2, 5], [2, 2, 2, 2], [5, 5, 1, 1], [3, 3, 3, 3]]
        let reference: [Double] = [6, 6, 6, 6]
        #expect(abs(Hypervolume.compute(points, reference: reference) - inclusionExclusion(points, reference: reference)) < 1e-9)
    }

    /// Σ over non-empty subsets S of (−1)^(|S|+1) · volume of the box from max(S) to the reference.
    private func inclusionExclusion(_ points: [[Double]], reference: [Double]) -> Double {
        let n = points.count
        var total = 0.0
        for mask in 1 ..< (1 << n) {
            var corner = [Double](repeating: -.infinity, count: reference.count)
            var size = 0
            for i in 0 ..< n where mask & (1 << i) != 0 {
                size += 1
                for k in corner.indices { corner[k] = max(corner[k], points[i][k]) }
            }
            var volume = 1.0
            for k in corner.indices { volume *= max(0, reference[k] - corner[k]) }
            total += size % 2 == 1 ? volume : -volume
        }
        return total
    }

    private func gridCount(_ points: [[Double]], size: Int) -> Int {
        var count = 0
        for x in 0 ..< size { for y in 0 ..< size { for z in 0 ..< size {
            let cell = [Double(x), Double(y), Double(z)]
            if points.contains(where: { p in (0 ..< 3).allSatisfy { p[$0] <= cell[$0] } }) { count += 1 }
        } } }
        return count
    }
}
