import Foundation
import Quantization
import Testing

@Suite("Operators of a network: identity, names and patterns")
struct NetworkDescriptionTests {
    static let stack = NetworkDescription(cell: .gru, layers: 2)

    @Test("a single GRU layer's operators are the 17 of its cell, then input and fc, named as before")
    func singleLayer() throws {
        let network = NetworkDescription.singleGRU
        #expect(network.names == GRUOperator.names)
        #expect(network.genome.map { network.shortName(of: $0) } == GRUOperator.genome.map(\.shortName))
        #expect(network.operators.enumerated().allSatisfy { $0.offset == network.position(of: $0.element) })
        #expect(network.operatorNamed("gate.z") == OperatorID(.gateZ) && network.operatorNamed("l0.gate.z") == OperatorID(.gateZ))
        #expect(network.operatorNamed("l1.gate.z") == nil && network.operatorNamed("gate.q") == nil)
        #expect(network.operatorNamed("l00.gate.z") == nil, "one spelling per layer")
        // Layered patterns read a single layer's operators as l0.…, as a stack's.
        #expect(try BitWidths.resolve("l0.*").count == 17)
        #expect(try BitWidths.resolve("l*.gate.z") == [OperatorID(.gateZ)])
        #expect(throws: BitWidthError.unknownOperator("l1.gate.z")) { try BitWidths.resolve("l1.gate.z") }
    }

    @Test("widths in JSON are read under the names gq writes only: gate.z beside l0.gate.z would be one operator twice")
    func canonicalNames() throws {
        var table = try JSONDecoder().decode([String: Int].self, from: JSONEncoder().encode(BitWidths(uniform: 8)))
        table["l0.gate.z"] = 3
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(BitWidths.self, from: JSONEncoder().encode(table)) }
        var stack = try JSONDecoder().decode([String: Int].self, from: JSONEncoder().encode(BitWidths(uniform: 8, network: Self.stack)))
        stack["l01.gate.z"] = 3
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(BitWidths.self, from: JSONEncoder().encode(stack)) }
    }

    @Test("a stack of two GRU layers has 34 genome operators, l0.… then l1.…, then input and fc")
    func stackNames() {
        let network = Self.stack
        #expect(network.genome.count == 34)
        #expect(Array(network.names.prefix(2)) == ["l0.r.wx", "l0.r.wh"])
        #expect(network.names[17] == "l1.r.wx" && network.names.suffix(2) == ["input", "fc"])
        #expect(network.operatorNamed("l1.gate.z") == .cell(GRUOperator.gateZ.rawValue, layer: 1))
        #expect(network.operatorNamed("gate.z") == nil, "a stack's operator is named with its layer")
        #expect(network.operatorNamed("l2.gate.z") == nil)
        #expect(network.shortName(of: .cell(GRUOperator.gateZ.rawValue, layer: 1)) == "1σz")
        #expect(Set(network.names).count == network.operators.count)
    }

    @Test("in a stack, set bits l1.gate.z=4 changes layer 1's gate.z only; gate.z and l*.gate.z change every layer's")
    func stackPatterns() throws {
        let gateZ = GRUOperator.gateZ.rawValue
        var bits = BitWidths(network: Self.stack)
        try bits.apply(["l1.gate.z=4"])
        #expect(bits[id: .cell(gateZ, layer: 1)] == 4 && bits[id: .cell(gateZ, layer: 0)] == 8)
        #expect(bits.description == "all=8 l1.gate.z=4")
        try bits.apply(["gate.z=3"])
        #expect(bits[id: .cell(gateZ, layer: 0)] == 3 && bits[id: .cell(gateZ, layer: 1)] == 3)
        try bits.apply(["l*.gate.*=5", "l0.*.wh=2"])
        #expect(try BitWidths.resolve("l*.gate.*", in: Self.stack).count == 6)
        #expect(bits[id: .cell(gateZ, layer: 1)] == 5 && bits[id: .cell(GRUOperator.rWh.rawValue, layer: 0)] == 2)
        #expect(bits[id: .cell(GRUOperator.rWh.rawValue, layer: 1)] == 8)
        try bits.apply(["cell=6"])
        #expect(bits.genome == [Int](repeating: 6, count: 34) && bits[id: .input] == 8)
        #expect(try BitWidths.resolve("l1.*", in: Self.stack).count == 17)
        #expect(throws: BitWidthError.unknownOperator("l2.gate.z", layers: 2)) { try bits.apply(["l2.gate.z=4"]) }
        #expect(throws: BitWidthError.matchesNothing("l3.*", layers: 2)) { try bits.apply(["l3.*=4"]) }
    }

    @Test("a stack's widths round-trip through JSON under their layer names; a layer past the fourth is refused")
    func stackJSON() throws {
        var bits = BitWidths(network: Self.stack)
        try bits.apply(["l1.h.add=6", "input=5"])
        let data = try JSONEncoder().encode(bits)
        let table = try JSONDecoder().decode([String: Int].self, from: data)
        #expect(table["l1.h.add"] == 6 && table["l0.h.add"] == 8 && table["input"] == 5 && table.count == 36)
        #expect(try JSONDecoder().decode(BitWidths.self, from: data) == bits)
        var deep = table
        deep["l4.h.add"] = 8
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(BitWidths.self, from: JSONEncoder().encode(deep)) }
        deep = table
        deep.removeValue(forKey: "l1.gate.r")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(BitWidths.self, from: JSONEncoder().encode(deep)) }
    }

    @Test("a stack's widths are described with a layer's glob where it pays, and the description sets them back exactly")
    func layeredDescription() throws {
        let network = NetworkDescription(cell: .gru, layers: 3)
        var bits = BitWidths(uniform: 8, network: network)
        try bits.apply(["l1.*=4", "l1.gate.z=5", "l2.h.add=6"])
        #expect(bits.description == "all=8 l1.*=4 l1.gate.z=5 l2.h.add=6")
        #expect(BitWidths(uniform: 8).description == "all=8")
        var state: UInt64 = 9, globs = 0
        for _ in 0..<200 {
            var random = BitWidths(uniform: 8, network: network)
            for id in network.operators {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                // Mostly one width per layer, with exceptions, so the globs come into play.
                let layerWidth = id.cellIndex == nil ? 8 : 3 + 2 * id.layer
                random[id: id] = (state >> 33) % 5 == 0 ? 2 + Int((state >> 40) % 15) : layerWidth
            }
            var again = BitWidths(uniform: 8, network: network)
            try again.apply(random.description.split(separator: " ").map(String.init))
            #expect(again == random, "\(random.description)")
            globs += random.description.contains(".*=") ? 1 : 0
        }
        #expect(globs > 100)
    }
}
