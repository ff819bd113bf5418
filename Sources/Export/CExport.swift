import Foundation
import Quantization

/// Why a configuration cannot be written as C.
public enum CExportError: Error, Equatable, Sendable, LocalizedError {
    /// NAME is not a C identifier.
    case badName(String)

    public var errorDescription: String? {
        switch self {
        case .badName(let name):
            return "'\(name)' is not a C identifier: use letters, digits and '_', not starting with a digit"
        }
    }
}

/// One configuration as C99 for a microcontroller: `NAME.h` and `NAME.c`.
///
/// The constant data is exactly what docs/quantization.md ("Model size") counts, in that
/// order, as `static const` arrays; everything else (widths, shapes, code ranges) is an
/// immediate in the code, so the object's `.rodata` is gq's `size` plus alignment. The
/// arithmetic is that page's, step for step, so the logits equal
/// `QuantizedGRU.referenceLogits` bit for bit. No dynamic memory; the caller owns the state.
public struct CExport: Sendable {
    public let name: String
    public let header: String
    public let source: String

    /// `description` lines go in the comment block at the top of both files.
    public init(_ model: QuantizedGRU, name: String, description: [String]) throws {
        guard CExport.isIdentifier(name) else { throw CExportError.badName(name) }
        self.name = name
        let comment = CExport.comment(name: name, description: description)
        header = CExport.header(model, name: name, comment: comment)
        source = CExport.source(model, name: name, comment: comment)
    }

    /// Whether `name` can prefix C symbols: ASCII letters, digits and `_`, not starting with a digit.
    public static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    // MARK: - Packing

    /// Codes as one little-endian bit stream, `bits` each (docs/quantization.md, "Packing").
    public static func pack(_ codes: [Int64], bits: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (codes.count * bits + 7) / 8)
        let mask = (Int64(1) << bits) - 1
        for (i, code) in codes.enumerated() {
            let field = code & mask
            for k in 0..<bits where (field >> k) & 1 == 1 {
                let bit = i * bits + k
                bytes[bit / 8] |= UInt8(1) << UInt8(bit % 8)
            }
        }
        return bytes
    }

    // MARK: - Files

    static func comment(name: String, description: [String]) -> String {
        (["/* \(name): a GRU classifier quantized by gq, integer-only inference.", " *"]
         + description.map { " * " + $0.replacingOccurrences(of: "*/", with: "* /") }
         + [" *", " * The arithmetic is docs/quantization.md of gq, bit for bit. Generated; do not edit. */"])
            .joined(separator: "\n")
    }

    static func header(_ model: QuantizedGRU, name: String, comment: String) -> String {
        let upper = name.uppercased()
        return """
        \(comment)
        #ifndef \(upper)_H
        #define \(upper)_H

        #include <stdint.h>

        #define \(upper)_FEATURES \(model.inputSize)
        #define \(upper)_HIDDEN \(model.hiddenSize)
        #define \(upper)_CLASSES \(model.classCount)

        /* The hidden state, as integer codes; the caller owns it (no dynamic memory). */
        typedef struct {
            int32_t h[\(upper)_HIDDEN];
        } \(name)_state;

        /* Zero state: call before each sequence. */
        void \(name)_reset(\(name)_state *state);
        /* One time step of \(upper)_FEATURES raw values, as the task gives them
           (standardised and quantized inside). */
        void \(name)_step(\(name)_state *state, const float *x);
        /* The input quantizer alone: \(upper)_FEATURES raw values to their codes. */
        void \(name)_input_codes(const float *x, int32_t *codes);
        /* One time step from input codes (what \(name)_input_codes gives). */
        void \(name)_step_codes(\(name)_state *state, const int32_t *codes);
        /* The integer logits of the state (scale: the head's; compare by size only). \(model.head.wideAccumulator ? "\n   This configuration's head is wide: these are saturated to int32; use \(name)_logits64." : "")*/
        void \(name)_logits(const \(name)_state *state, int32_t *out);
        /* The same, exact in 64 bits for any configuration. */
        void \(name)_logits64(const \(name)_state *state, int64_t *out);
        /* The class of the state: the first index of the largest logit. */
        int \(name)_classify(const \(name)_state *state);

        #endif

        """
    }

    /// The C name of an operator's arrays: `r.wx` → `rwx`, `gate.r` → `gate_r`.
    static func symbol(_ op: GRUOperator) -> String {
        op.name.replacingOccurrences(of: ".", with: op.name.hasPrefix("gate") ? "_" : "")
    }

    static func source(_ model: QuantizedGRU, name: String, comment: String) -> String {
        let upper = name.uppercased()
        let pow2 = model.options.requantization == .powerOfTwo
        var data: [String] = []

        func array(_ type: String, _ symbol: String, _ values: [String]) {
            var lines: [String] = []
            var line = "   "
            for value in values {
                if line.count + value.count + 2 > 96 {
                    lines.append(line)
                    line = "   "
                }
                line += " " + value + ","
            }
            if line != "   " { lines.append(line) }
            data.append("static const \(type) \(name)_\(symbol)[\(values.count)] = {\n" + lines.joined(separator: "\n") + "\n};")
        }
        func floats(_ values: [Float]) -> [String] {
            values.map { value in
                // Hexadecimal floats are exact, so the constant is the very float32 gq computed.
                value == 0 ? "0.0f" : String(format: "%af", Double(value))
            }
        }
        func requantizers(_ symbol: String, _ list: [Requantizer]) {
            if !pow2 { array("int16_t", symbol + "_m", list.map { String($0.multiplier) }) }
            array("int8_t", symbol + "_s", list.map { String($0.shift) })
        }
        func linear(_ layer: QuantizedLinear, _ symbol: String) {
            array("uint8_t", symbol + "_w", pack(layer.weights.map(Int64.init), bits: layer.weightBits).map { String($0) })
            if layer.wideAccumulator {
                array("int64_t", symbol + "_b", layer.bias.map { $0 == Int64.min ? "INT64_MIN" : "INT64_C(\($0))" })
            } else {
                array("int32_t", symbol + "_b", layer.bias.map { String($0) })
            }
            if !layer.requantizers.isEmpty { requantizers(symbol, layer.requantizers) }
        }

        // The data, in docs/quantization.md's order.
        array("float", "in_mean", floats(model.inputMean))
        array("float", "in_factor", floats(model.inputFactor))
        for layer in model.linear { linear(layer, symbol(layer.op)) }
        for op in [GRUOperator.rAdd, .zAdd, .nAdd, .hAdd] {
            let (a, b) = model.addRescalers[op]!
            requantizers(symbol(op), [a, b])
        }
        requantizers("hsub", [model.hSubRescaler])
        data.append("static const int32_t \(name)_hsub_one = \(model.hSubOne);")
        for op in [GRUOperator.nMul, .hMulN, .hMulH] { requantizers(symbol(op), [model.mulRequantizers[op]!]) }
        for op in [GRUOperator.gateR, .gateZ, .gateN] {
            let table = model.tables[op]!
            array("uint8_t", symbol(op), pack(table.entries.map(Int64.init), bits: table.outputBits).map { String($0) })
        }
        linear(model.head, "fc")

        func bounds(_ op: GRUOperator) -> String {
            let (low, high) = model.bounds(op)
            return "\(low), \(high)"
        }
        func m(_ symbol: String, _ index: String = "0") -> String { pow2 ? "1" : "\(name)_\(symbol)_m[\(index)]" }
        func s(_ symbol: String, _ index: String = "0") -> String { "\(name)_\(symbol)_s[\(index)]" }
        func linearCall(_ op: GRUOperator, into out: String, from input: String) -> String {
            let layer = model.linear(op)
            let sym = symbol(op)
            let perChannel = layer.requantizers.count > 1 ? 1 : 0
            return "\(name)_linear(\(out), \(input), \(layer.columns), \(name)_\(sym)_w, \(layer.weightBits), "
                + (layer.wideAccumulator ? "0, \(name)_\(sym)_b, " : "\(name)_\(sym)_b, 0, ")
                + (pow2 ? "0, " : "\(name)_\(sym)_m, ") + "\(name)_\(sym)_s, \(perChannel), \(bounds(op)));"
        }
        func add(_ op: GRUOperator, _ a: String, _ b: String) -> String {
            let sym = symbol(op)
            return "\(sym)[j] = \(name)_sat(\(name)_rq(\(a), \(m(sym, "0")), \(s(sym, "0"))) + \(name)_rq(\(b), \(m(sym, "1")), \(s(sym, "1"))), \(bounds(op)));"
        }
        func multiply(_ op: GRUOperator, _ a: String, _ b: String) -> String {
            let sym = symbol(op)
            return "\(sym)[j] = \(name)_sat(\(name)_rq((int64_t)\(a) * \(b), \(m(sym)), \(s(sym))), \(bounds(op)));"
        }
        func lookup(_ op: GRUOperator, _ code: String) -> String {
            let table = model.tables[op]!
            return "\(name)_code(\(name)_\(symbol(op)), (uint32_t)(\(code) + \(1 << (table.inputBits - 1))), \(table.outputBits), \(op.isUnsigned ? 0 : 1))"
        }
        let inputHigh = CodeRange.signedMax(model.bits[.input])
        let head = model.head

        return """
        \(comment)
        #include "\(name).h"

        #include <math.h>

        \(data.joined(separator: "\n"))

        /* Code i of a bit-packed stream of `bits`-wide fields, sign-extended when `is_signed`. */
        static int32_t \(name)_code(const uint8_t *stream, uint32_t i, unsigned bits, int is_signed) {
            uint32_t bit = i * bits, value = 0;
            unsigned k;
            for (k = 0; k < bits; k++, bit++) value |= (uint32_t)((stream[bit >> 3] >> (bit & 7u)) & 1u) << k;
            if (is_signed && (value >> (bits - 1)) != 0u) return (int32_t)value - (int32_t)(1u << bits);
            return (int32_t)value;
        }

        /* The one rounding rule: x * m * 2^-s, nearest, ties toward +infinity (64-bit;
           >> on a negative value is the arithmetic shift every C99 compiler for these targets does). */
        static int64_t \(name)_rq(int64_t x, int32_t m, int32_t s) {
            int64_t product = x * (int64_t)m;
            if (s > 0) return (product + ((int64_t)1 << (s - 1))) >> s;
            return product * ((int64_t)1 << (-s));
        }

        static int32_t \(name)_sat(int64_t v, int32_t low, int32_t high) {
            return v < low ? low : (v > high ? high : (int32_t)v);
        }

        /* out[j] = sat(rq_j(bias[j] + sum_k w[j][k] * in[k])), the sum exact in 64 bits. */
        static void \(name)_linear(int32_t *out, const int32_t *in, unsigned columns, const uint8_t *w, unsigned wbits,
                                   const int32_t *bias32, const int64_t *bias64, const int16_t *m, const int8_t *s,
                                   int per_channel, int32_t low, int32_t high) {
            unsigned j, k;
            for (j = 0; j < \(upper)_HIDDEN; j++) {
                int64_t acc = bias32 ? (int64_t)bias32[j] : bias64[j];
                unsigned r = per_channel ? j : 0u;
                for (k = 0; k < columns; k++) acc += (int64_t)\(name)_code(w, j * columns + k, wbits, 1) * in[k];
                out[j] = \(name)_sat(\(name)_rq(acc, m ? m[r] : 1, s[r]), low, high);
            }
        }

        void \(name)_reset(\(name)_state *state) {
            unsigned j;
            for (j = 0; j < \(upper)_HIDDEN; j++) state->h[j] = 0;
        }

        void \(name)_input_codes(const float *x, int32_t *codes) {
            unsigned f;
            for (f = 0; f < \(upper)_FEATURES; f++) {
                float d = x[f] - \(name)_in_mean[f];
                float p = d * \(name)_in_factor[f];
                float r = roundf(p);  /* half away from zero */
                if (!(r >= -\(inputHigh).0f)) r = -\(inputHigh).0f;
                if (r > \(inputHigh).0f) r = \(inputHigh).0f;
                codes[f] = (int32_t)r;
            }
        }

        void \(name)_step_codes(\(name)_state *state, const int32_t *x) {
            int32_t rwx[\(upper)_HIDDEN], rwh[\(upper)_HIDDEN], zwx[\(upper)_HIDDEN], zwh[\(upper)_HIDDEN];
            int32_t nwx[\(upper)_HIDDEN], nwh[\(upper)_HIDDEN], radd[\(upper)_HIDDEN], zadd[\(upper)_HIDDEN];
            int32_t nadd[\(upper)_HIDDEN], nmul[\(upper)_HIDDEN], hmul_n[\(upper)_HIDDEN], hmul_h[\(upper)_HIDDEN];
            int32_t hadd[\(upper)_HIDDEN];
            unsigned j;
            \(linearCall(.rWx, into: "rwx", from: "x"))
            \(linearCall(.rWh, into: "rwh", from: "state->h"))
            \(linearCall(.zWx, into: "zwx", from: "x"))
            \(linearCall(.zWh, into: "zwh", from: "state->h"))
            \(linearCall(.nWx, into: "nwx", from: "x"))
            \(linearCall(.nWh, into: "nwh", from: "state->h"))
            for (j = 0; j < \(upper)_HIDDEN; j++) {
                int32_t r, z, n, hsub;
                \(add(.rAdd, "rwx[j]", "rwh[j]"))
                \(add(.zAdd, "zwx[j]", "zwh[j]"))
                r = \(lookup(.gateR, "radd[j]"));
                z = \(lookup(.gateZ, "zadd[j]"));
                \(multiply(.nMul, "r", "nwh[j]"))
                \(add(.nAdd, "nwx[j]", "nmul[j]"))
                n = \(lookup(.gateN, "nadd[j]"));
                hsub = \(name)_sat((int64_t)\(name)_hsub_one - \(name)_rq(z, \(m("hsub")), \(s("hsub"))), \(bounds(.hSub)));
                \(multiply(.hMulN, "hsub", "n"))
                \(multiply(.hMulH, "z", "state->h[j]"))
                \(add(.hAdd, "hmul_n[j]", "hmul_h[j]"))
            }
            for (j = 0; j < \(upper)_HIDDEN; j++) state->h[j] = hadd[j];
        }

        void \(name)_step(\(name)_state *state, const float *x) {
            int32_t codes[\(upper)_FEATURES];
            \(name)_input_codes(x, codes);
            \(name)_step_codes(state, codes);
        }

        void \(name)_logits64(const \(name)_state *state, int64_t *out) {
            unsigned c, k;
            for (c = 0; c < \(upper)_CLASSES; c++) {
                int64_t acc = \(head.wideAccumulator ? "\(name)_fc_b[c]" : "(int64_t)\(name)_fc_b[c]");
                for (k = 0; k < \(upper)_HIDDEN; k++) acc += (int64_t)\(name)_code(\(name)_fc_w, c * \(upper)_HIDDEN + k, \(head.weightBits), 1) * state->h[k];
                out[c] = acc;
            }
        }

        void \(name)_logits(const \(name)_state *state, int32_t *out) {
            int64_t wide[\(upper)_CLASSES];
            unsigned c;
            \(name)_logits64(state, wide);
            for (c = 0; c < \(upper)_CLASSES; c++) out[c] = \(name)_sat(wide[c], INT32_MIN, INT32_MAX);
        }

        int \(name)_classify(const \(name)_state *state) {
            int64_t logits[\(upper)_CLASSES];
            unsigned c;
            int best = 0;
            \(name)_logits64(state, logits);
            for (c = 1; c < \(upper)_CLASSES; c++) if (logits[c] > logits[best]) best = (int)c;
            return best;
        }

        """
    }
}
