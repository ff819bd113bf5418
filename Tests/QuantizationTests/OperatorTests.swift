import Foundation
import GRU
import Quantization
import Testing

@Suite("Operators, bit widths and patterns")
struct OperatorTests {
    @Test("17 genome operators in the fixed order, then input and fc")
    func genome() {
        #expect(GRUOperator.genome.map(\.name) == ["r.wx", "r.wh", "z.wx", "z.wh", "n.wx", "n.wh", "r.add", "z.add", "n.add",
                                                   "h.sub", "h.add", "n.mul", "h.mul_n", "h.mul_h", "gate.r", "gate.z", "gate.n"])
        #expect(GRUOperator.names.suffix(2) == ["input", "fc"])
        #expect(GRUOperator.rWh.shape(features: 28, hidden: 64, classes: 10) == "64×64")
        #expect(GRUOperator.nWx.parameterCount(features: 28, hidden: 64, classes: 10) == 64 * 28 + 64)
        #expect(GRUOperator.fc.parameterCount(features: 28, hidden: 64, classes: 10) == 650)
        #expect(GRUOperator.gateZ.parameterCount(features: 28, hidden: 64, classes: 10) == 0)
    }

    @Test("short names are unique and at most three characters")
    func shortNames() {
        let short = GRUOperator.allCases.map(\.shortName)
        #expect(Set(short).count == GRUOperator.allCases.count)
        #expect(short.allSatisfy { !$0.isEmpty && $0.count <= 3 }, "\(short)")
        #expect(GRUOperator.genome.map(\.shortName) == ["rx", "rh", "zx", "zh", "nx", "nh", "r+", "z+", "n+",
                                                        "1-z", "h+", "n*", "hn*", "hh*", "σr", "σz", "tn"])
        #expect(GRUOperator.input.shortName == "in" && GRUOperator.fc.shortName == "fc")
    }

    @Test("patterns: names, groups and globs")
    func patterns() throws {
        func ids(_ ops: GRUOperator...) -> [OperatorID] { ops.map { OperatorID($0) } }
        #expect(try BitWidths.resolve("gate.z") == ids(.gateZ))
        #expect(try BitWidths.resolve("gate.*") == ids(.gateR, .gateZ, .gateN))
        #expect(try BitWidths.resolve("*.wh") == ids(.rWh, .zWh, .nWh))
        #expect(try BitWidths.resolve("h.mul_?") == ids(.hMulN, .hMulH))
        #expect(try BitWidths.resolve("all").count == 19)
        #expect(try BitWidths.resolve("cell") == GRUOperator.genome.map { OperatorID($0) })
        #expect(try BitWidths.resolve("*.add") == ids(.rAdd, .zAdd, .nAdd, .hAdd))
        // A single layer answers to its layer's prefix too.
        #expect(try BitWidths.resolve("l0.gate.z") == ids(.gateZ))
    }

    @Test("assignments apply left to right")
    func assignments() throws {
        var bits = BitWidths()
        try bits.apply(["all=8", "gate.*=4", "*.wh=3"])
        #expect(bits[.gateZ] == 4 && bits[.rWh] == 3 && bits[.rWx] == 8 && bits[.fc] == 8)
        #expect(bits.description == "all=8 r.wh=3 z.wh=3 n.wh=3 gate.r=4 gate.z=4 gate.n=4")
        try bits.apply(["cell=2"])
        #expect(bits.genome == [Int](repeating: 2, count: 17) && bits[.input] == 8)
        #expect(BitWidths(uniform: 5).uniformWidth == 5)
    }

    @Test("errors say what is allowed")
    func errors() {
        var bits = BitWidths()
        #expect(throws: BitWidthError.unknownOperator("gate.q")) { try bits.apply(["gate.q=3"]) }
        #expect(throws: BitWidthError.matchesNothing("x.*")) { try bits.apply(["x.*=3"]) }
        #expect(throws: BitWidthError.widthOutOfRange(pattern: "gate.z", bits: 17)) { try bits.apply(["gate.z=17"]) }
        #expect(throws: BitWidthError.widthOutOfRange(pattern: "all", bits: 1)) { try bits.apply(["all=1"]) }
        #expect(throws: BitWidthError.notAWidth(pattern: "gate.z", text: "four")) { try bits.apply(["gate.z=four"]) }
        #expect(throws: BitWidthError.malformed("gate.z")) { try bits.apply(["gate.z"]) }
        #expect(BitWidthError.widthOutOfRange(pattern: "gate.z", bits: 17).description
                == "17 bits for 'gate.z' is out of range: widths run from 2 to 16")
        #expect(bits == BitWidths())
    }

    @Test("bit widths encode as a JSON object by name and decode back")
    func codable() throws {
        var bits = BitWidths(uniform: 6)
        bits[.gateN] = 3
        let data = try JSONEncoder().encode(bits)
        #expect(try JSONDecoder().decode(BitWidths.self, from: data) == bits)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(BitWidths.self, from: Data("{\"r.wx\": 8}".utf8)) }
    }
}
