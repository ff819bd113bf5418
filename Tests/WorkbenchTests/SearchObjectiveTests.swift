import Testing
import Workbench

@Suite("Search objectives are declared once and parsed by name")
struct SearchObjectiveTests {
    @Test("a list of objectives parses in the order given")
    func parsesList() throws {
        #expect(try SearchObjective.parseList("error,size,bitops").map(\.name) == ["error", "size", "bitops"])
        #expect(try SearchObjective.parseList("size,error").map(\.name) == ["size", "error"])
    }

    @Test("an unknown objective is named, with the ones there are")
    func unknownObjective() {
        #expect(message { _ = try SearchObjective.parseList("error,energy") } == "unknown objective 'energy'; objectives: error, size, bitops, latency, ram")
    }

    @Test("a list without error is refused, since the front is read as accuracy against cost")
    func needsError() {
        #expect(message { _ = try SearchObjective.parseList("size,bitops") }?.hasPrefix("the objectives must include 'error'") == true)
    }

    @Test("an objective named twice is refused")
    func repeated() {
        #expect(message { _ = try SearchObjective.parseList("error,size,size") } == "objective 'size' is named twice")
    }

    @Test("errors are bounded by 1; costs get 10 % room past homogeneous 8-bit")
    func references() {
        #expect(SearchObjective.error.reference(eightBit: 0.2) == 1)
        #expect(SearchObjective.size.reference(eightBit: 1000) == 1100)
        #expect(SearchObjective.catalog.filter { $0.role == .error }.map(\.name) == ["error"])
    }
}
