import CIntegerKernels

/// The C step's constants (AVX-512 or AVX2) in memory C reads directly: byte-packed weights
/// for the AVX-512 or AVX-VNNI products (when every code fits a byte) and the cell's requantizers,
/// bounds and tables. Owned by one `PreparedIntegerLayer`, which frees it.
struct VectorStep {
    /// The kernel set whose kernels run it: `.avx512`, `.avxvnni` or `.avx2`.
    let instructions: IntegerKernelSet
    let constants: UnsafeMutablePointer<gq_cell_constants>
    private let blocks: UnsafeMutablePointer<gq_column_block>
    private let tables: UnsafeMutablePointer<Int32>
    /// The three tables as 256 bytes each (zero-filled past each table's end).
    private let byteTables: UnsafeMutablePointer<UInt8>
    /// Signed-byte weights in `gq_product_u8s8`'s layout, or nil when products stay int16.
    let inputBytes: UnsafeMutablePointer<Int8>?, stateBytes: UnsafeMutablePointer<Int8>?

    /// Both products run on bytes: inputs and state of at most 8 bits (|code| ≤ 127, so
    /// code + 128 is an unsigned byte) and weights of at most 8 bits.
    static func bytesFit(_ q: QuantizedGRU) -> Bool {
        q.bits[.input] <= 8 && q.bits[.hAdd] <= 8
            && [GRUOperator.rWx, .zWx, .nWx, .rWh, .zWh, .nWh].allSatisfy {
                let layer = q.linear($0)
                return layer.weightBits <= 8 && !layer.wideAccumulator
            }
    }

    /// The cell on int16 lanes runs (`gq_narrow_cell.usable`).
    var narrow: Bool { constants.pointee.narrow.usable != 0 }

    /// `instructions` decides what the narrow cell needs: AVX-512 looks σ and tanh up in
    /// registers (byte tables) 32 units at a time; AVX2 gathers them 16 at a time.
    init(_ q: QuantizedGRU, instructions: IntegerKernelSet, rescalers c: GRURescales<RequantizerS32>, hiddenPadded hp: Int,
         input: Side, state: Side) {
        self.instructions = instructions
        let g = 3 * hp, perSide = g / 16
        let blocks = UnsafeMutablePointer<gq_column_block>.allocate(capacity: 2 * perSide)
        var everyBlockClampsSums = true, everyBlockNarrows = true
        func fill(_ first: Int, _ side: Side) {
            for block in 0..<perSide {
                var b = gq_column_block()
                // m, left, right, round: the even columns' lanes first, then the odd ones'.
                let evenThenOdd = (0..<8).map { side.requant[block * 16 + 2 * $0] } + (0..<8).map { side.requant[block * 16 + 2 * $0 + 1] }
                VectorStep.setLanes(&b.m, evenThenOdd.map(\.m))
                VectorStep.setLanes(&b.left, evenThenOdd.map(\.left))
                VectorStep.setLanes(&b.right, evenThenOdd.map(\.right))
                VectorStep.setLanes(&b.round, evenThenOdd.map(\.round))
                VectorStep.setLanes(&b.bias, (0..<16).map { side.bias[block * 16 + $0] })
                b.low = side.low[block * 16]
                b.high = side.high[block * 16]
                let columns = (0..<16).map { block * 16 + $0 }
                let split = columns.compactMap { VectorStep.split16(side.requant[$0], sumBound: side.sumBound[$0]) }
                if split.count == 16 {
                    b.split16 = 1
                    VectorStep.setLanes(&b.split_m, split.map(\.m))
                    VectorStep.setLanes(&b.split_c, split.map(\.c))
                    VectorStep.setLanes(&b.split_shift, split.map(\.shift))
                }
                let preimages = columns.compactMap { VectorStep.preimage(side.requant[$0], low: b.low, high: b.high) }
                if preimages.count == 16 {
                    b.clamp_sums = 1
                    VectorStep.setLanes(&b.sum_low, preimages.map(\.0))
                    VectorStep.setLanes(&b.sum_high, preimages.map(\.1))
                }
                everyBlockClampsSums = everyBlockClampsSums && b.clamp_sums == 1
                everyBlockNarrows = everyBlockNarrows && (b.split16 == 1 || b.clamp_sums == 1)
                (blocks + first + block).initialize(to: b)
            }
        }
        fill(0, input)
        fill(perSide, state)

        func copy(_ bytes: [Int8]?) -> UnsafeMutablePointer<Int8>? {
            guard let bytes else { return nil }
            let p = UnsafeMutablePointer<Int8>.allocate(capacity: bytes.count)
            p.initialize(from: bytes, count: bytes.count)
            return p
        }
        let inputBytes = copy(input.bytes), stateBytes = copy(state.bytes)

        let entries = [q.tables[.gateR]!.entries, q.tables[.gateZ]!.entries, q.tables[.gateN]!.entries]
        let tables = UnsafeMutablePointer<Int32>.allocate(capacity: entries.reduce(0) { $0 + $1.count })
        var starts: [Int] = [], at = 0
        for table in entries {
            (tables + at).initialize(from: table, count: table.count)
            starts.append(at)
            at += table.count
        }
        func half(_ op: GRUOperator) -> Int32 { Int32(1) << (q.bits[op] - 1) }
        let byteTables = UnsafeMutablePointer<UInt8>.allocate(capacity: 3 * 256)
        byteTables.initialize(repeating: 0, count: 3 * 256)
        // σ's codes are unsigned, tanh's signed; each must fit a byte of that kind.
        let fitsBytes = zip(entries, [0...255, 0...255, -128...127] as [ClosedRange<Int32>]).allSatisfy { table, range in
            table.count <= 256 && table.allSatisfy { range ~= $0 }
        }
        if fitsBytes {
            for (t, table) in entries.enumerated() {
                for (i, value) in table.enumerated() { byteTables[t * 256 + i] = UInt8(truncatingIfNeeded: value) }
            }
        }
        // GRURescales(lanes:) bounds |x| · m · 2^left below 2^29, so m · 2^left fits as one multiplier.
        func r32(_ r: RequantizerS32) -> gq_rescale32 { gq_rescale32(m: r.m << r.left, round: r.round, right: r.right) }
        func r64(_ op: GRUOperator) -> gq_rescale64 {
            let l = RequantizerS64(q.mulRequantizers[op]!), (low, high) = q.bounds(op)
            var r = gq_rescale64(m: l.m, left: l.left, round: l.round, right: l.right, low: low, high: high,
                                 product_low: 0, product_high: 0, clamp_products: 0)
            if let (pl, ph) = VectorStep.preimage(l, low: low, high: high) {
                (r.product_low, r.product_high, r.clamp_products) = (pl, ph, 1)
            }
            return r
        }
        func b32(_ op: GRUOperator) -> (Int32, Int32) { let b = q.bounds(op); return (Int32(b.low), Int32(b.high)) }
        var k = gq_cell_constants()
        k.input_blocks = UnsafePointer(blocks)
        k.state_blocks = UnsafePointer(blocks + perSide)
        let lanes = c.map(r32)
        VectorStep.setLanes(&k.rescale, lanes.all)
        // vpmaddwd needs each rescale's operand (the code feeding it) and multiplier in int16.
        k.rescale_int16 = GRURescales.operands.all.allSatisfy({ q.largestCode($0) <= 32767 })
            && lanes.all.allSatisfy({ 0...32767 ~= $0.m }) ? 1 : 0
        k.n_mul = r64(.nMul)
        k.h_mul_n = r64(.hMulN)
        k.h_mul_h = r64(.hMulH)
        k.all_sums_clamped = everyBlockClampsSums ? 1 : 0
        k.all_products_clamped = k.n_mul.clamp_products & k.h_mul_n.clamp_products & k.h_mul_h.clamp_products
        k.h_sub_one = Int32(q.hSubOne)
        (k.r_low, k.r_high) = b32(.rAdd)
        (k.z_low, k.z_high) = b32(.zAdd)
        (k.n_low, k.n_high) = b32(.nAdd)
        (k.sub_low, k.sub_high) = b32(.hSub)
        (k.h_low, k.h_high) = b32(.hAdd)
        k.table_r = UnsafePointer(tables + starts[0] + Int(half(.rAdd)))
        k.table_z = UnsafePointer(tables + starts[1] + Int(half(.zAdd)))
        k.table_n = UnsafePointer(tables + starts[2] + Int(half(.nAdd)))
        k.bytes_r = UnsafePointer(byteTables)
        k.bytes_z = UnsafePointer(byteTables + 256)
        k.bytes_n = UnsafePointer(byteTables + 512)
        (k.half_r, k.half_z, k.half_n) = (half(.rAdd), half(.zAdd), half(.nAdd))
        k.byte_tables = fitsBytes ? 1 : 0
        let lookupsFit = instructions == .avx512 ? fitsBytes && hp % 32 == 0 : hp % 16 == 0
        if lookupsFit, everyBlockNarrows, let narrow = VectorStep.narrowCell(q) {
            k.narrow = narrow
        }
        k.hidden_padded = Int32(hp)
        let constants = UnsafeMutablePointer<gq_cell_constants>.allocate(capacity: 1)
        constants.initialize(to: k)
        (self.constants, self.blocks, self.tables, self.inputBytes, self.stateBytes) = (constants, blocks, tables, inputBytes, stateBytes)
        self.byteTables = byteTables
    }

    func deallocate() {
        constants.deallocate(); blocks.deallocate(); tables.deallocate(); byteTables.deallocate()
        inputBytes?.deallocate(); stateBytes?.deallocate()
    }

    /// The int32 inputs [a, b] whose requantized values lie in [low, high], when saturating
    /// the input there equals saturating the output: the factor m · 2^left / 2^right is at
    /// most 1, so the output rises by at most 1 per input step and meets both bounds (or the
    /// int32 range ends first), and 0 maps inside. Nil otherwise.
    static func preimage(_ r: RequantizerS64, low: Int64, high: Int64) -> (Int32, Int32)? {
        guard r.left == 0, r.right < 62, r.m >= 0, r.m <= Int64(1) << r.right, low...high ~= r.apply(0) else { return nil }
        var lo = Int64(Int32.min), hi: Int64 = 0            // smallest input reaching low
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if r.apply(mid) >= low { hi = mid } else { lo = mid + 1 }
        }
        let a = lo
        lo = 0; hi = Int64(Int32.max)                       // largest input staying at most high
        while lo < hi {
            let mid = lo + (hi - lo + 1) / 2
            if r.apply(mid) <= high { lo = mid } else { hi = mid - 1 }
        }
        return (Int32(a), Int32(lo))
    }

    /// Writes values into a C array (`int32_t[16]`, `int64_t[2][8]`), which Swift imports as a tuple.
    static func setLanes<Lanes, Element>(_ lanes: inout Lanes, _ values: [Element]) {
        withUnsafeMutableBytes(of: &lanes) { raw in
            let lanes = raw.bindMemory(to: Element.self)
            precondition(lanes.count == values.count, "setLanes: \(values.count) values for \(lanes.count) lanes")
            for (lane, value) in values.enumerated() { lanes[lane] = value }
        }
    }

    /// The side of a step's products (x or h) as the AVX-512 constants need it.
    struct Side {
        var bias: [Int32], requant: [RequantizerS64], low: [Int64], high: [Int64], bytes: [Int8]?
        /// Largest |sum + bias| a column can reach: Σ|w| · the input's largest code + |bias|.
        var sumBound: [Int64]
    }

    /// A linear output's requantization on int32 lanes without 64-bit products (see
    /// gq_column_block.split16), or nil when the shift or the sums do not allow it.
    static func split16(_ r: RequantizerS64, sumBound: Int64) -> (m: Int32, c: Int32, shift: Int32)? {
        guard r.left == 0, r.m >= 0, r.m <= 32767, sumBound < Int64(1) << 30 else { return nil }
        // m = 0 (a padded column): every output is 0, which shift 1 of 1 gives.
        if r.m == 0 { return (0, 1, 1) }
        guard (16...31).contains(r.right) else { return nil }
        return (Int32(r.m), Int32(1) << Int32(r.right - 16), Int32(r.right - 15))
    }

    /// The cell's constants on int16 lanes, or nil when a code, a product of two codes or
    /// a rescale's intermediate could leave int16 (then the 32-bit cell runs).
    static func narrowCell(_ q: QuantizedGRU) -> gq_narrow_cell? {
        // The three products of two codes, each rescaled and then saturated to its bounds.
        func product(_ op: GRUOperator, _ a: GRUOperator, _ b: GRUOperator) -> gq_rescale16? {
            let most = q.largestCode(a) * q.largestCode(b)
            return most <= 32767 ? rescale16(q.mulRequantizers[op]!, maxInput: most) : nil
        }
        // The cell's bounds, ONE and tables' halves are read as int16 too: every operator's
        // codes fit (widths at most 16), and h.sub's one is 2^b in power-of-two mode, which
        // may be 32,768.
        guard [GRUOperator.gateR, .gateZ, .gateN, .hSub, .hAdd].allSatisfy({ q.largestCode($0) <= 32767 }), q.hSubOne <= 32767,
              let rescales = GRURescales(q).map({ r, from in rescale16(r, maxInput: q.largestCode(from)) }),
              let nMul = product(.nMul, .gateR, .nWh), let hMulN = product(.hMulN, .hSub, .gateN),
              let hMulH = product(.hMulH, .gateZ, .hAdd)
        else { return nil }
        var c = gq_narrow_cell()
        setLanes(&c.rescale, rescales.all)
        (c.n_mul, c.h_mul_n, c.h_mul_h) = (nMul, hMulN, hMulH)
        c.usable = 1
        let usual = rescales.all.allSatisfy { $0.mode == 0 || $0.mode == 3 }
            && [nMul, hMulN, hMulH].allSatisfy { $0.mode == 1 }
        c.usual = usual ? 1 : 0
        return c
    }

    /// `r` as an exact rescale on int16 lanes for |x| ≤ maxInput (see gq_rescale16), or nil.
    static func rescale16(_ r: Requantizer, maxInput: Int64) -> gq_rescale16? {
        let l = RequantizerS64(r)
        guard l.left < 31, l.m >= 0, maxInput <= 32767 else { return nil }
        let m = l.m << l.left
        let most = maxInput * m
        if l.right <= 15 {
            // m = q · 2^r + rest: x · q exactly, plus vpmulhrsw's (x · rest · 2^(15−r) + 2^14) >> 15.
            guard most >> l.right + 1 < 32768, m >> l.right <= 32767 else { return nil }
            let q = m >> l.right, rest = (m - q << l.right) << (15 - l.right)
            return gq_rescale16(m: Int16(q), c: Int16(rest), shift: 0, mode: q == 0 ? 3 : 0)
        }
        guard m <= 32767 else { return nil }
        // r ≥ 32: |x · m| < 2^30 ≤ 2^(r−2), so the result is 0 for every input.
        if l.right >= 32 { return gq_rescale16(m: 0, c: 0, shift: 0, mode: 3) }
        if l.right >= 17 {
            let c = Int64(1) << (l.right - 17)
            guard most / 65536 + 1 + c < 32768 else { return nil }
            return gq_rescale16(m: Int16(m), c: Int16(c), shift: Int16(l.right - 16), mode: 1)
        }
        if l.right == 16 { return gq_rescale16(m: Int16(m), c: 0, shift: 0, mode: 2) }
        return nil
    }
}
