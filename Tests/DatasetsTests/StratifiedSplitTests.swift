import Testing
import Datasets

@Suite("seeded stratified splits")
struct StratifiedSplitTests {
    @Test("each class is divided in the requested proportions")
    func proportions() {
        let labels = Array(repeating: 0, count: 50) + Array(repeating: 1, count: 10) + [2]
        let parts = StratifiedSplit.partition(labels: labels, fractions: [0.6, 0.2, 0.2], seed: 1)
        #expect(parts.map { $0.filter { labels[$0] == 0 }.count } == [30, 10, 10])
        #expect(parts.map { $0.filter { labels[$0] == 1 }.count } == [6, 2, 2])
        // A class of one sample goes to train rather than vanishing into test.
        #expect(parts.map { $0.filter { labels[$0] == 2 }.count } == [1, 0, 0])
        #expect(Set(parts.joined()) == Set(labels.indices) && parts.joined().count == labels.count)
    }

    @Test("a group split never puts one group in two parts")
    func groups() {
        let groups = (0 ..< 90).map { $0 / 10 }  // 9 subjects of 10 samples
        let parts = StratifiedSplit.partition(groups: groups, fractions: [0.6, 0.2, 0.2], seed: 4)
        let owners = parts.map { Set($0.map { groups[$0] }) }
        #expect(owners[0].isDisjoint(with: owners[1]) && owners[0].isDisjoint(with: owners[2]) && owners[1].isDisjoint(with: owners[2]))
        #expect(parts.allSatisfy { !$0.isEmpty })
        #expect(parts.joined().count == 90)
    }

    @Test("splits depend only on labels and seed")
    func deterministic() {
        let labels = (0 ..< 200).map { $0 % 7 }
        #expect(StratifiedSplit.partition(labels: labels, fractions: [0.6, 0.2, 0.2], seed: 9)
            == StratifiedSplit.partition(labels: labels, fractions: [0.6, 0.2, 0.2], seed: 9))
        #expect(StratifiedSplit.partition(labels: labels, fractions: [0.6, 0.2, 0.2], seed: 9)
            != StratifiedSplit.partition(labels: labels, fractions: [0.6, 0.2, 0.2], seed: 10))
    }
}
