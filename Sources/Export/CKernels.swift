import Quantization

/// The C text of the export's kernels: dot products by weight container (2, 4, 8 or 16 bits)
/// and accumulator (32 or 64 bits), each in two versions chosen at compile time:
///
/// - DSP (`__ARM_FEATURE_DSP`: Cortex-M4, M7, M33 …): the operands are int16 pairs in
///   32-bit words, (x0, x2) and (x1, x3) for each group of four; a weight word is split by
///   `SXTB16` (bytes 0, 2 and, rotated, 1, 3) and multiplied two at a time by `SMLAD`
///   (`SMLALD` for a 64-bit sum). Sub-byte weights are first moved to the top of their byte
///   by one mask (and a shift), so the sum carries each product times 2^(8 − container),
///   removed by one shift at the end.
/// - Portable C99 (Cortex-M0+, M3, the host): the operands are plain int16, each weight
///   field sign-extended by a shift pair (one `SBFX` on ARMv7-M) and multiplied-accumulated.
///
/// Both give the exact sum; `DeviceLayout` has already proved which sums fit 32 bits.
enum CKernels {
    /// The kernel's C name: `NAME_dot8`, `NAME_dot4_64`.
    static func dotName(_ name: String, container: Int, wide: Bool) -> String {
        "\(name)_dot\(container)\(wide ? "_64" : "")"
    }

    /// The preamble both paths share: the path choice, the inline attribute, the rescale helpers.
    static func preamble(_ name: String) -> String {
        let upper = name.uppercased()
        return """
        /* The kernel path, chosen at compile time: DSP (SXTB16/SMLAD) where the core has the
           DSP extension, portable C99 elsewhere, or anywhere with -D\(upper)_PORTABLE. */
        #if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP == 1 && !defined(\(upper)_PORTABLE)
        #define \(upper)_DSP 1
        #include <arm_acle.h>
        #else
        #define \(upper)_DSP 0
        #endif

        #if defined(__GNUC__)
        #define \(upper)_INLINE static inline __attribute__((always_inline))
        #else
        #define \(upper)_INLINE static inline
        #endif

        #if \(upper)_DSP
        /* Operands as int16 pairs: (x0, x2), (x1, x3) for each group of four, as SXTB16 splits a word. */
        typedef uint32_t \(name)_operand;
        #define \(upper)_OPERANDS(n) ((n) / 2)
        /* SXTB16 of bytes 1 and 3: the rotation is part of the instruction. */
        \(upper)_INLINE int32_t \(name)_sxtb16_ror8(uint32_t v) {
        #if defined(__GNUC__)
            int32_t r;
            __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
            return r;
        #else
            return (int32_t)__sxtb16(__ror(v, 8));
        #endif
        }
        #else
        typedef int16_t \(name)_operand;
        #define \(upper)_OPERANDS(n) (n)
        #endif

        /* Bits pos … pos + width − 1 of v, sign-extended (SBFX on ARMv7-M). */
        #define \(upper)_FIELD(v, pos, width) ((int32_t)((v) << (32 - (pos) - (width))) >> (32 - (width)))

        /* The high word of a 32 × 32-bit product (SMMUL, or SMULL's high half). */
        \(upper)_INLINE int32_t \(name)_hi32(int32_t a, int32_t b) {
            return (int32_t)(((int64_t)a * b) >> 32);
        }

        /* The rounding rule as written: x * m * 2^-s, nearest, ties toward +infinity, in 64 bits
           (>> on a negative value is the arithmetic shift every compiler for these targets does). */
        \(upper)_INLINE int64_t \(name)_rq64(int64_t x, int32_t m, int32_t s) {
            int64_t product = x * m;
            if (s > 0) return (product + ((int64_t)1 << (s - 1))) >> s;
            return product * ((int64_t)1 << (-s));
        }

        /* A power-of-two rescale with a shift per row, in 32 bits (the bounds keep it there). */
        \(upper)_INLINE int32_t \(name)_rqs(int32_t x, int32_t s) {
            if (s > 0) return (x + (1 << (s - 1))) >> s;
            return x * (1 << (-s));
        }

        \(upper)_INLINE int32_t \(name)_sat(int32_t v, int32_t low, int32_t high) {
            return v < low ? low : (v > high ? high : v);
        }

        /* Saturation to a signed code range ±(2^(b−1) − 1) or an unsigned one 0 … 2^b − 1: SSAT
           (then the one value below the symmetric range) and USAT where the core has them. */
        #if defined(__ARM_FEATURE_SAT) && !defined(\(upper)_NO_SAT)
        #include <arm_acle.h>
        \(upper)_INLINE int32_t \(name)_atleast(int32_t v, int32_t low) { return v < low ? low : v; }
        #define \(upper)_SATS(v, b) \(name)_atleast(__ssat((v), (b)), -((1 << ((b) - 1)) - 1))
        #define \(upper)_SATU(v, b) ((int32_t)__usat((v), (b)))
        #else
        #define \(upper)_SATS(v, b) \(name)_sat((v), -((1 << ((b) - 1)) - 1), (1 << ((b) - 1)) - 1)
        #define \(upper)_SATU(v, b) \(name)_sat((v), 0, (1 << (b)) - 1)
        #endif

        /* Entry i of a table of nibbles (the even entry in the low nibble), unsigned or sign-extended. */
        \(upper)_INLINE int32_t \(name)_nibbleu(const uint8_t *table, int32_t i) {
            return (table[i >> 1] >> ((i & 1) << 2)) & 15;
        }
        \(upper)_INLINE int32_t \(name)_nibbles(const uint8_t *table, int32_t i) {
            return (int32_t)((uint32_t)table[i >> 1] << (28 - ((i & 1) << 2))) >> 28;
        }

        \(upper)_INLINE int32_t \(name)_sat64(int64_t v, int32_t low, int32_t high) {
            return v < low ? low : (v > high ? high : (int32_t)v);
        }
        """
    }

    /// The dot product of one row of packed weights with the operands, both paths, two weight
    /// units (a word; two words at 16 bits) per iteration so the loop's own work is halved.
    static func dot(_ name: String, container: Int, wide: Bool) -> String {
        let upper = name.uppercased()
        let acc = wide ? "int64_t" : "int32_t"
        let signature = "\(upper)_INLINE \(acc) \(dotName(name, container: container, wide: wide))(const uint32_t *w, const \(name)_operand *x, unsigned words)"
        let mac = wide ? "__smlald" : "__smlad"
        // One unit of weights: the words read at once and the operands they consume on each path.
        let unitWords = container == 16 ? 2 : 1
        let groups = container == 16 ? 1 : 8 / container     // groups of four columns per unit
        let shift = DeviceLayout.scaleShift(container: container)
        func dspUnit(_ u: Int) -> [String] {
            let w = "w[\(u * unitWords)]", base = u * 2 * groups
            if container == 16 {
                return ["acc = \(mac)((int32_t)w[\(2 * u)], (int32_t)x[\(base)], acc);",
                        "acc = \(mac)((int32_t)w[\(2 * u + 1)], (int32_t)x[\(base + 1)], acc);"]
            }
            var lines = ["{", "    uint32_t v = \(w), t;"]
            for f in 0..<groups {
                // Field f of every byte, moved to the top of its byte: SXTB16 then reads it times 2^shift.
                let mask = String(format: "0x%08Xu", UInt32((0xFF << shift) & 0xFF) * 0x0101_0101)
                let left = shift - container * f
                let top = container == 8 ? "v" : left == 0 ? "v & \(mask)" : "(v << \(left)) & \(mask)"
                lines.append("    t = \(top);")
                lines.append("    acc = \(mac)((int32_t)__sxtb16(t), (int32_t)x[\(base + 2 * f)], acc);")
                lines.append("    acc = \(mac)(\(name)_sxtb16_ror8(t), (int32_t)x[\(base + 2 * f + 1)], acc);")
            }
            return lines + ["}"]
        }
        func portableUnit(_ u: Int) -> [String] {
            let base = u * 4 * groups
            var terms: [String] = []
            if container == 16 {
                // (w0, w2) then (w1, w3).
                terms = [("a", 0, 0), ("b", 0, 1), ("a", 16, 2), ("b", 16, 3)].map { word, pos, column in
                    "(\(acc))(\(upper)_FIELD(\(word), \(pos), 16) * x[\(base + column)])"
                }
                return ["{", "    uint32_t a = w[\(2 * u)], b = w[\(2 * u + 1)];",
                        "    acc += " + terms.joined(separator: "\n         + ") + ";", "}"]
            }
            for f in 0..<groups {
                for i in 0..<4 {   // byte i of group f is column 4f + i
                    terms.append("(\(acc))(\(upper)_FIELD(v, \(8 * i + container * f), \(container)) * x[\(base + 4 * f + i)])")
                }
            }
            return ["{", "    uint32_t v = w[\(u)];", "    acc += " + terms.joined(separator: "\n         + ") + ";", "}"]
        }
        func loop(_ unit: (Int) -> [String], operandsPerUnit: Int) -> [String] {
            let step = 2 * unitWords
            return ["for (i = 0; i + \(step) <= words; i += \(step), w += \(step), x += \(2 * operandsPerUnit)) {"]
                + (unit(0) + unit(1)).map { "    " + $0 }
                + ["}", "if (i < words) {"] + unit(0).map { "    " + $0 } + ["}"]
        }
        let dsp = loop(dspUnit, operandsPerUnit: 2 * groups)
            + [shift == 0 ? "return acc;" : "return acc >> \(shift);  /* exact: every product carries 2^\(shift) */"]
        let portable = loop(portableUnit, operandsPerUnit: 4 * groups) + ["return acc;"]
        func body(_ lines: [String]) -> String {
            (["\(acc) acc = 0;", "unsigned i;"] + lines).map { "    " + $0 }.joined(separator: "\n")
        }
        return """
        #if \(upper)_DSP
        \(signature) {
        \(body(dsp))
        }
        #else
        \(signature) {
        \(body(portable))
        }
        #endif
        """
    }

    /// Loads `count` codes into an operand buffer of `padded` (a multiple of 16), zeros after.
    static func load(_ name: String, function: String, codeType: String, count: Int, padded: Int) -> String {
        let upper = name.uppercased()
        let whole = count / 4
        var dsp = whole == 0 ? [] : ["unsigned g;",
                                     "for (g = 0; g < \(whole)u; g++, v += 4) {",
                                     "    out[2 * g] = (uint16_t)v[0] | (uint32_t)(uint16_t)v[2] << 16;",
                                     "    out[2 * g + 1] = (uint16_t)v[1] | (uint32_t)(uint16_t)v[3] << 16;",
                                     "}"]
        var next = 2 * whole
        if count % 4 != 0 {
            let rest = count % 4
            func at(_ k: Int) -> String { k < rest ? "(uint16_t)v[\(k)]" : "0u" }
            dsp.append("out[\(next)] = \(at(0)) | (uint32_t)\(at(2)) << 16;")
            dsp.append("out[\(next + 1)] = \(at(1)) | (uint32_t)\(at(3)) << 16;")
            next += 2
        }
        if next < padded / 2 {
            dsp.append("{ unsigned k; for (k = \(next)u; k < \(padded / 2)u; k++) out[k] = 0; }")
        }
        let portable = ["unsigned k;",
                        "for (k = 0; k < \(count)u; k++) out[k] = v[k];",
                        count < padded ? "for (; k < \(padded)u; k++) out[k] = 0;" : nil].compactMap { $0 }
        func body(_ lines: [String]) -> String { lines.map { "    " + $0 }.joined(separator: "\n") }
        return """
        #if \(upper)_DSP
        \(upper)_INLINE void \(name)_\(function)(uint32_t *out, const \(codeType) *v) {
        \(body(dsp.isEmpty ? ["(void)v;"] : dsp))
        }
        #else
        \(upper)_INLINE void \(name)_\(function)(int16_t *out, const \(codeType) *v) {
        \(body(portable))
        }
        #endif
        """
    }
}
