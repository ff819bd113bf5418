/* net: a GRU classifier quantized by gq, integer-only inference.
 *
 * golden
 * cost model (instructions, not cycles; docs/quantization.md, "On the device"):
 *   Cortex-M4 (DSP): about 479 instructions per step (-O2), 3 B state + 64 B scratch
 *   Cortex-M3 (no DSP): about 436 instructions per step (-O2), 3 B state + 64 B scratch
 *
 * The arithmetic is docs/quantization.md of gq, bit for bit. Generated; do not edit. */
#include "net.h"

static const float net_in_mean[2] = {
    -0x1.ef1c6ep-4f, 0x1.37050ap-5f,
};
static const float net_in_factor[2] = {
    0x1.cfe068p+5f, 0x1.ff2704p+5f,
};
static const uint32_t net_w[18] = {
    0x00000103u, 0x00811533u, 0x00007FF7u, 0x00090207u, 0x00007FF7u, 0x000F0003u, 0x00000100u,
    0x00FB0281u, 0x0000D481u, 0x00090303u, 0x0000C37Fu, 0x000E0D00u, 0x00000003u, 0x0081C75Du,
    0x00007881u, 0x0007030Cu, 0x000081E7u, 0x0002030Eu,
};
static const int32_t net_rows[36] = {
    72, 34230272, -10538, 78897152, -18137, 11579904, -370, 117653504, 11760, 18929664, 149,
    92274688, -25, 39723008, 4231, 166133760, -22, 24001536, -184, 98627584, 4647, 39364608,
    -157, 101191680, -21, 22805504, 568, 118894592, 4669, 24368128, -455, 87461888, 1617,
    54984704, 117, 99078144,
};
static const uint8_t net_gate_r[128] = {
    51, 51, 51, 51, 51, 51, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68,
    85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 101, 102, 102, 102, 102, 102, 102,
    102, 102, 102, 102, 102, 102, 102, 119, 119, 119, 119, 119, 119, 119, 119, 119, 119, 119,
    119, 119, 136, 136, 136, 136, 136, 136, 136, 136, 136, 136, 136, 136, 136, 152, 153, 153,
    153, 153, 153, 153, 153, 153, 153, 153, 153, 153, 153, 170, 170, 170, 170, 170, 170, 170,
    170, 170, 170, 170, 170, 170, 170, 186, 187, 187, 187, 187, 187, 187, 187, 187, 187, 187,
    187, 187, 187, 187, 187, 187, 203, 204, 204, 204, 204, 204,
};
static const uint8_t net_gate_z[256] = {
    36, 36, 37, 37, 38, 38, 39, 39, 40, 40, 41, 41, 41, 42, 42, 43, 43, 44, 45, 45, 46, 46, 47,
    47, 48, 48, 49, 49, 50, 51, 51, 52, 52, 53, 53, 54, 55, 55, 56, 56, 57, 58, 58, 59, 60, 60,
    61, 62, 62, 63, 64, 64, 65, 66, 66, 67, 68, 68, 69, 70, 71, 71, 72, 73, 74, 74, 75, 76, 76,
    77, 78, 79, 80, 80, 81, 82, 83, 83, 84, 85, 86, 87, 87, 88, 89, 90, 91, 92, 92, 93, 94, 95,
    96, 97, 97, 98, 99, 100, 101, 102, 103, 103, 104, 105, 106, 107, 108, 109, 110, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128,
    128, 129, 130, 131, 132, 133, 134, 135, 136, 136, 137, 138, 139, 140, 141, 142, 143, 144,
    145, 145, 146, 147, 148, 149, 150, 151, 152, 152, 153, 154, 155, 156, 157, 158, 158, 159,
    160, 161, 162, 163, 163, 164, 165, 166, 167, 168, 168, 169, 170, 171, 172, 172, 173, 174,
    175, 175, 176, 177, 178, 179, 179, 180, 181, 181, 182, 183, 184, 184, 185, 186, 187, 187,
    188, 189, 189, 190, 191, 191, 192, 193, 193, 194, 195, 195, 196, 197, 197, 198, 199, 199,
    200, 200, 201, 202, 202, 203, 203, 204, 204, 205, 206, 206, 207, 207, 208, 208, 209, 209,
    210, 210, 211, 212, 212, 213, 213, 214, 214, 214, 215, 215, 216, 216, 217, 217, 218, 218,
    219,
};
static const int8_t net_gate_n[256] = {
    -11, -11, -11, -11, -11, -11, -11, -11, -11, -11, -11, -11, -11, -11, -11, -11, -11, -11,
    -11, -10, -10, -10, -10, -10, -10, -10, -10, -10, -10, -10, -10, -10, -10, -10, -9, -9, -9,
    -9, -9, -9, -9, -9, -9, -9, -9, -9, -9, -8, -8, -8, -8, -8, -8, -8, -8, -8, -8, -8, -8, -7,
    -7, -7, -7, -7, -7, -7, -7, -7, -7, -7, -6, -6, -6, -6, -6, -6, -6, -6, -6, -6, -5, -5, -5,
    -5, -5, -5, -5, -5, -5, -4, -4, -4, -4, -4, -4, -4, -4, -4, -3, -3, -3, -3, -3, -3, -3, -3,
    -3, -2, -2, -2, -2, -2, -2, -2, -2, -2, -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11,
    11, 11, 11, 11, 11, 11, 11, 11, 11, 11,
};
static const uint32_t net_fc_w[2] = {
    0x00FA00F9u, 0x00F40FF2u,
};
static const int32_t net_fc_b[2] = {
    2, 444,
};

/* The kernel path, chosen at compile time: DSP (SXTB16/SMLAD) where the core has the
   DSP extension, portable C99 elsewhere, or anywhere with -DNET_PORTABLE. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP == 1 && !defined(NET_PORTABLE)
#define NET_DSP 1
#include <arm_acle.h>
#else
#define NET_DSP 0
#endif

#if defined(__GNUC__)
#define NET_INLINE static inline __attribute__((always_inline))
#else
#define NET_INLINE static inline
#endif

#if NET_DSP
/* Operands as int16 pairs: (x0, x2), (x1, x3) for each group of four, as SXTB16 splits a word. */
typedef uint32_t net_operand;
#define NET_OPERANDS(n) ((n) / 2)
/* SXTB16 of bytes 1 and 3: the rotation is part of the instruction. */
NET_INLINE int32_t net_sxtb16_ror8(uint32_t v) {
#if defined(__GNUC__)
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
#else
    return (int32_t)__sxtb16(__ror(v, 8));
#endif
}
#else
typedef int16_t net_operand;
#define NET_OPERANDS(n) (n)
#endif

/* Bits pos … pos + width − 1 of v, sign-extended (SBFX on ARMv7-M). */
#define NET_FIELD(v, pos, width) ((int32_t)((v) << (32 - (pos) - (width))) >> (32 - (width)))

/* The high word of a 32 × 32-bit product (SMMUL, or SMULL's high half). */
NET_INLINE int32_t net_hi32(int32_t a, int32_t b) {
    return (int32_t)(((int64_t)a * b) >> 32);
}

/* The rounding rule as written: x * m * 2^-s, nearest, ties toward +infinity, in 64 bits
   (>> on a negative value is the arithmetic shift every compiler for these targets does). */
NET_INLINE int64_t net_rq64(int64_t x, int32_t m, int32_t s) {
    int64_t product = x * m;
    if (s > 0) return (product + ((int64_t)1 << (s - 1))) >> s;
    return product * ((int64_t)1 << (-s));
}

/* A power-of-two rescale with a shift per row, in 32 bits (the bounds keep it there). */
NET_INLINE int32_t net_rqs(int32_t x, int32_t s) {
    if (s > 0) return (x + (1 << (s - 1))) >> s;
    return x * (1 << (-s));
}

NET_INLINE int32_t net_sat(int32_t v, int32_t low, int32_t high) {
    return v < low ? low : (v > high ? high : v);
}

/* Saturation to a signed code range ±(2^(b−1) − 1) or an unsigned one 0 … 2^b − 1: SSAT
   (then the one value below the symmetric range) and USAT where the core has them. */
#if defined(__ARM_FEATURE_SAT) && !defined(NET_NO_SAT)
#include <arm_acle.h>
NET_INLINE int32_t net_atleast(int32_t v, int32_t low) { return v < low ? low : v; }
#define NET_SATS(v, b) net_atleast(__ssat((v), (b)), -((1 << ((b) - 1)) - 1))
#define NET_SATU(v, b) ((int32_t)__usat((v), (b)))
#else
#define NET_SATS(v, b) net_sat((v), -((1 << ((b) - 1)) - 1), (1 << ((b) - 1)) - 1)
#define NET_SATU(v, b) net_sat((v), 0, (1 << (b)) - 1)
#endif

/* Entry i of a table of nibbles (the even entry in the low nibble), unsigned or sign-extended. */
NET_INLINE int32_t net_nibbleu(const uint8_t *table, int32_t i) {
    return (table[i >> 1] >> ((i & 1) << 2)) & 15;
}
NET_INLINE int32_t net_nibbles(const uint8_t *table, int32_t i) {
    return (int32_t)((uint32_t)table[i >> 1] << (28 - ((i & 1) << 2))) >> 28;
}

NET_INLINE int32_t net_sat64(int64_t v, int32_t low, int32_t high) {
    return v < low ? low : (v > high ? high : (int32_t)v);
}

#if NET_DSP
NET_INLINE int32_t net_dot2(const uint32_t *w, const net_operand *x, unsigned words) {
    int32_t acc = 0;
    unsigned i;
    for (i = 0; i + 2 <= words; i += 2, w += 2, x += 16) {
        {
            uint32_t v = w[0], t;
            t = (v << 6) & 0xC0C0C0C0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[0], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[1], acc);
            t = (v << 4) & 0xC0C0C0C0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[2], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[3], acc);
            t = (v << 2) & 0xC0C0C0C0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[4], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[5], acc);
            t = v & 0xC0C0C0C0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[6], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[7], acc);
        }
        {
            uint32_t v = w[1], t;
            t = (v << 6) & 0xC0C0C0C0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[8], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[9], acc);
            t = (v << 4) & 0xC0C0C0C0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[10], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[11], acc);
            t = (v << 2) & 0xC0C0C0C0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[12], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[13], acc);
            t = v & 0xC0C0C0C0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[14], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[15], acc);
        }
    }
    if (i < words) {
        {
            uint32_t v = w[0], t;
            t = (v << 6) & 0xC0C0C0C0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[0], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[1], acc);
            t = (v << 4) & 0xC0C0C0C0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[2], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[3], acc);
            t = (v << 2) & 0xC0C0C0C0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[4], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[5], acc);
            t = v & 0xC0C0C0C0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[6], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[7], acc);
        }
    }
    return acc >> 6;  /* exact: every product carries 2^6 */
}
#else
NET_INLINE int32_t net_dot2(const uint32_t *w, const net_operand *x, unsigned words) {
    int32_t acc = 0;
    unsigned i;
    for (i = 0; i + 2 <= words; i += 2, w += 2, x += 32) {
        {
            uint32_t v = w[0];
            acc += (int32_t)(NET_FIELD(v, 0, 2) * x[0])
         + (int32_t)(NET_FIELD(v, 8, 2) * x[1])
         + (int32_t)(NET_FIELD(v, 16, 2) * x[2])
         + (int32_t)(NET_FIELD(v, 24, 2) * x[3])
         + (int32_t)(NET_FIELD(v, 2, 2) * x[4])
         + (int32_t)(NET_FIELD(v, 10, 2) * x[5])
         + (int32_t)(NET_FIELD(v, 18, 2) * x[6])
         + (int32_t)(NET_FIELD(v, 26, 2) * x[7])
         + (int32_t)(NET_FIELD(v, 4, 2) * x[8])
         + (int32_t)(NET_FIELD(v, 12, 2) * x[9])
         + (int32_t)(NET_FIELD(v, 20, 2) * x[10])
         + (int32_t)(NET_FIELD(v, 28, 2) * x[11])
         + (int32_t)(NET_FIELD(v, 6, 2) * x[12])
         + (int32_t)(NET_FIELD(v, 14, 2) * x[13])
         + (int32_t)(NET_FIELD(v, 22, 2) * x[14])
         + (int32_t)(NET_FIELD(v, 30, 2) * x[15]);
        }
        {
            uint32_t v = w[1];
            acc += (int32_t)(NET_FIELD(v, 0, 2) * x[16])
         + (int32_t)(NET_FIELD(v, 8, 2) * x[17])
         + (int32_t)(NET_FIELD(v, 16, 2) * x[18])
         + (int32_t)(NET_FIELD(v, 24, 2) * x[19])
         + (int32_t)(NET_FIELD(v, 2, 2) * x[20])
         + (int32_t)(NET_FIELD(v, 10, 2) * x[21])
         + (int32_t)(NET_FIELD(v, 18, 2) * x[22])
         + (int32_t)(NET_FIELD(v, 26, 2) * x[23])
         + (int32_t)(NET_FIELD(v, 4, 2) * x[24])
         + (int32_t)(NET_FIELD(v, 12, 2) * x[25])
         + (int32_t)(NET_FIELD(v, 20, 2) * x[26])
         + (int32_t)(NET_FIELD(v, 28, 2) * x[27])
         + (int32_t)(NET_FIELD(v, 6, 2) * x[28])
         + (int32_t)(NET_FIELD(v, 14, 2) * x[29])
         + (int32_t)(NET_FIELD(v, 22, 2) * x[30])
         + (int32_t)(NET_FIELD(v, 30, 2) * x[31]);
        }
    }
    if (i < words) {
        {
            uint32_t v = w[0];
            acc += (int32_t)(NET_FIELD(v, 0, 2) * x[0])
         + (int32_t)(NET_FIELD(v, 8, 2) * x[1])
         + (int32_t)(NET_FIELD(v, 16, 2) * x[2])
         + (int32_t)(NET_FIELD(v, 24, 2) * x[3])
         + (int32_t)(NET_FIELD(v, 2, 2) * x[4])
         + (int32_t)(NET_FIELD(v, 10, 2) * x[5])
         + (int32_t)(NET_FIELD(v, 18, 2) * x[6])
         + (int32_t)(NET_FIELD(v, 26, 2) * x[7])
         + (int32_t)(NET_FIELD(v, 4, 2) * x[8])
         + (int32_t)(NET_FIELD(v, 12, 2) * x[9])
         + (int32_t)(NET_FIELD(v, 20, 2) * x[10])
         + (int32_t)(NET_FIELD(v, 28, 2) * x[11])
         + (int32_t)(NET_FIELD(v, 6, 2) * x[12])
         + (int32_t)(NET_FIELD(v, 14, 2) * x[13])
         + (int32_t)(NET_FIELD(v, 22, 2) * x[14])
         + (int32_t)(NET_FIELD(v, 30, 2) * x[15]);
        }
    }
    return acc;
}
#endif

#if NET_DSP
NET_INLINE int32_t net_dot4(const uint32_t *w, const net_operand *x, unsigned words) {
    int32_t acc = 0;
    unsigned i;
    for (i = 0; i + 2 <= words; i += 2, w += 2, x += 8) {
        {
            uint32_t v = w[0], t;
            t = (v << 4) & 0xF0F0F0F0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[0], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[1], acc);
            t = v & 0xF0F0F0F0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[2], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[3], acc);
        }
        {
            uint32_t v = w[1], t;
            t = (v << 4) & 0xF0F0F0F0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[4], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[5], acc);
            t = v & 0xF0F0F0F0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[6], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[7], acc);
        }
    }
    if (i < words) {
        {
            uint32_t v = w[0], t;
            t = (v << 4) & 0xF0F0F0F0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[0], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[1], acc);
            t = v & 0xF0F0F0F0u;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[2], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[3], acc);
        }
    }
    return acc >> 4;  /* exact: every product carries 2^4 */
}
#else
NET_INLINE int32_t net_dot4(const uint32_t *w, const net_operand *x, unsigned words) {
    int32_t acc = 0;
    unsigned i;
    for (i = 0; i + 2 <= words; i += 2, w += 2, x += 16) {
        {
            uint32_t v = w[0];
            acc += (int32_t)(NET_FIELD(v, 0, 4) * x[0])
         + (int32_t)(NET_FIELD(v, 8, 4) * x[1])
         + (int32_t)(NET_FIELD(v, 16, 4) * x[2])
         + (int32_t)(NET_FIELD(v, 24, 4) * x[3])
         + (int32_t)(NET_FIELD(v, 4, 4) * x[4])
         + (int32_t)(NET_FIELD(v, 12, 4) * x[5])
         + (int32_t)(NET_FIELD(v, 20, 4) * x[6])
         + (int32_t)(NET_FIELD(v, 28, 4) * x[7]);
        }
        {
            uint32_t v = w[1];
            acc += (int32_t)(NET_FIELD(v, 0, 4) * x[8])
         + (int32_t)(NET_FIELD(v, 8, 4) * x[9])
         + (int32_t)(NET_FIELD(v, 16, 4) * x[10])
         + (int32_t)(NET_FIELD(v, 24, 4) * x[11])
         + (int32_t)(NET_FIELD(v, 4, 4) * x[12])
         + (int32_t)(NET_FIELD(v, 12, 4) * x[13])
         + (int32_t)(NET_FIELD(v, 20, 4) * x[14])
         + (int32_t)(NET_FIELD(v, 28, 4) * x[15]);
        }
    }
    if (i < words) {
        {
            uint32_t v = w[0];
            acc += (int32_t)(NET_FIELD(v, 0, 4) * x[0])
         + (int32_t)(NET_FIELD(v, 8, 4) * x[1])
         + (int32_t)(NET_FIELD(v, 16, 4) * x[2])
         + (int32_t)(NET_FIELD(v, 24, 4) * x[3])
         + (int32_t)(NET_FIELD(v, 4, 4) * x[4])
         + (int32_t)(NET_FIELD(v, 12, 4) * x[5])
         + (int32_t)(NET_FIELD(v, 20, 4) * x[6])
         + (int32_t)(NET_FIELD(v, 28, 4) * x[7]);
        }
    }
    return acc;
}
#endif

#if NET_DSP
NET_INLINE int32_t net_dot8(const uint32_t *w, const net_operand *x, unsigned words) {
    int32_t acc = 0;
    unsigned i;
    for (i = 0; i + 2 <= words; i += 2, w += 2, x += 4) {
        {
            uint32_t v = w[0], t;
            t = v;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[0], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[1], acc);
        }
        {
            uint32_t v = w[1], t;
            t = v;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[2], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[3], acc);
        }
    }
    if (i < words) {
        {
            uint32_t v = w[0], t;
            t = v;
            acc = __smlad((int32_t)__sxtb16(t), (int32_t)x[0], acc);
            acc = __smlad(net_sxtb16_ror8(t), (int32_t)x[1], acc);
        }
    }
    return acc;
}
#else
NET_INLINE int32_t net_dot8(const uint32_t *w, const net_operand *x, unsigned words) {
    int32_t acc = 0;
    unsigned i;
    for (i = 0; i + 2 <= words; i += 2, w += 2, x += 8) {
        {
            uint32_t v = w[0];
            acc += (int32_t)(NET_FIELD(v, 0, 8) * x[0])
         + (int32_t)(NET_FIELD(v, 8, 8) * x[1])
         + (int32_t)(NET_FIELD(v, 16, 8) * x[2])
         + (int32_t)(NET_FIELD(v, 24, 8) * x[3]);
        }
        {
            uint32_t v = w[1];
            acc += (int32_t)(NET_FIELD(v, 0, 8) * x[4])
         + (int32_t)(NET_FIELD(v, 8, 8) * x[5])
         + (int32_t)(NET_FIELD(v, 16, 8) * x[6])
         + (int32_t)(NET_FIELD(v, 24, 8) * x[7]);
        }
    }
    if (i < words) {
        {
            uint32_t v = w[0];
            acc += (int32_t)(NET_FIELD(v, 0, 8) * x[0])
         + (int32_t)(NET_FIELD(v, 8, 8) * x[1])
         + (int32_t)(NET_FIELD(v, 16, 8) * x[2])
         + (int32_t)(NET_FIELD(v, 24, 8) * x[3]);
        }
    }
    return acc;
}
#endif

#if NET_DSP
NET_INLINE void net_load_input(uint32_t *out, const int8_t *v) {
    out[0] = (uint16_t)v[0] | (uint32_t)0u << 16;
    out[1] = (uint16_t)v[1] | (uint32_t)0u << 16;
    { unsigned k; for (k = 2u; k < 8u; k++) out[k] = 0; }
}
#else
NET_INLINE void net_load_input(int16_t *out, const int8_t *v) {
    unsigned k;
    for (k = 0; k < 2u; k++) out[k] = v[k];
    for (; k < 16u; k++) out[k] = 0;
}
#endif

#if NET_DSP
NET_INLINE void net_load_state(uint32_t *out, const int8_t *v) {
    out[0] = (uint16_t)v[0] | (uint32_t)(uint16_t)v[2] << 16;
    out[1] = (uint16_t)v[1] | (uint32_t)0u << 16;
    { unsigned k; for (k = 2u; k < 8u; k++) out[k] = 0; }
}
#else
NET_INLINE void net_load_state(int16_t *out, const int8_t *v) {
    unsigned k;
    for (k = 0; k < 3u; k++) out[k] = v[k];
    for (; k < 16u; k++) out[k] = 0;
}
#endif

void net_reset(net_state *state) {
    unsigned j;
    for (j = 0; j < NET_HIDDEN; j++) state->h[j] = 0;
}

/* round(p), half away from zero, saturated to ±high, read off the float's bits: with
   soft float a compare or a conversion is a library call, a shift is one instruction.
   NaN gives −high (as !(p >= −high) would). */
NET_INLINE int32_t net_round_sat(float p, int32_t high) {
    union { float f; uint32_t u; } v;
    int32_t e, r;
    v.f = p;
    e = (int32_t)((v.u >> 23) & 0xFFu) - 127;
    if (e == 128 && (v.u & 0x7FFFFFu) != 0u) return -high;
    if (e < -1) r = 0;
    else if (e >= 15) r = high;  /* |p| ≥ 2^15 > high, infinities too */
    else r = (int32_t)((((v.u & 0x7FFFFFu) | 0x800000u) + (1u << (22 - e))) >> (23 - e));
    if (r > high) r = high;
    return (v.u >> 31) ? -r : r;
}

void net_input_codes(const float *x, net_input_code *codes) {
    unsigned f;
    for (f = 0; f < NET_FEATURES; f++) {
        float d = x[f] - net_in_mean[f];
        float p = d * net_in_factor[f];
        codes[f] = (net_input_code)net_round_sat(p, 127);
    }
}

void net_step_codes(net_state *state, const net_input_code *x) {
    net_operand xs[NET_OPERANDS(16)], hs[NET_OPERANDS(16)];
    const uint32_t *w = net_w;
    const int32_t *row = net_rows;
    unsigned j;
    net_load_input(xs, x);
    net_load_state(hs, state->h);
    for (j = 0; j < NET_HIDDEN; j++, row += 12) {
        int32_t rwx, rwh, zwx, zwh, nwx, nwh, radd, zadd, nadd, hsub, hadd, nmul, hmul_n, hmul_h, gate_r, gate_z, gate_n;
        int32_t h = state->h[j];
        { int32_t acc = row[0] + net_dot2(w, xs, 1u); rwx = NET_SATS(((net_hi32(acc, row[1]) + 1) >> 1), 2); w += 1; }  /* r.wx: 2-bit weights in 2-bit containers */
        { int32_t acc = row[2] + net_dot8(w, hs, 1u); rwh = NET_SATS(((net_hi32(acc, row[3]) + 1) >> 1), 8); w += 1; }  /* r.wh: 8-bit weights in 8-bit containers */
        { int32_t acc = row[4] + net_dot8(w, xs, 1u); zwx = NET_SATS(((net_hi32(acc, row[5]) + 1) >> 1), 8); w += 1; }  /* z.wx: 8-bit weights in 8-bit containers */
        { int32_t acc = row[6] + net_dot4(w, hs, 1u); zwh = NET_SATS(((net_hi32(acc, row[7]) + 1) >> 1), 4); w += 1; }  /* z.wh: 4-bit weights in 4-bit containers */
        { int32_t acc = row[8] + net_dot8(w, xs, 1u); nwx = NET_SATS(((net_hi32(acc, row[9]) + 1) >> 1), 8); w += 1; }  /* n.wx: 8-bit weights in 8-bit containers */
        { int32_t acc = row[10] + net_dot4(w, hs, 1u); nwh = NET_SATS(((net_hi32(acc, row[11]) + 1) >> 1), 3); w += 1; }  /* n.wh: 3-bit weights in 4-bit containers */
        radd = NET_SATS((((rwx) * 21790 + 64) >> 7) + (((rwh) * 29274 + 32768) >> 16), 8);
        zadd = NET_SATS((((zwx) * 25566 + 8192) >> 14) + (((zwh) * 32199 + 2048) >> 12), 8);
        gate_r = net_nibbleu(net_gate_r, radd + 128);
        gate_z = (int32_t)net_gate_z[zadd + 128];
        nmul = NET_SATS((((gate_r * nwh) * 19881 + 8) >> 4), 16);
        nadd = NET_SATS((((nwx) * 29284 + 16384) >> 15) + (((nmul) * 32330 + 8388608) >> 24), 8);
        gate_n = (int32_t)net_gate_n[nadd + 128];
        hsub = NET_SATU(7 - (((gate_z) * 28784 + 524288) >> 20), 3);
        hmul_n = NET_SATS((((hsub * gate_n) * 17302 + 4096) >> 13), 8);
        hmul_h = NET_SATS((((gate_z * h) * 28735 + 524288) >> 20), 8);
        hadd = NET_SATS((((hmul_n) * 28864 + 65536) >> 17) + (((hmul_h) * 18757 + 65536) >> 17), 6);
        state->h[j] = (int8_t)hadd;
    }
}

void net_step(net_state *state, const float *x) {
    net_input_code codes[NET_FEATURES];
    net_input_codes(x, codes);
    net_step_codes(state, codes);
}

void net_logits64(const net_state *state, int64_t *out) {
    net_operand hs[NET_OPERANDS(16)];
    unsigned c;
    net_load_state(hs, state->h);
    for (c = 0; c < NET_CLASSES; c++) {
        out[c] = (int64_t)net_fc_b[c] + net_dot8(net_fc_w + c * 1u, hs, 1u);
    }
}

void net_logits(const net_state *state, int32_t *out) {
    int64_t wide[NET_CLASSES];
    unsigned c;
    net_logits64(state, wide);
    for (c = 0; c < NET_CLASSES; c++) out[c] = wide[c] < INT32_MIN ? INT32_MIN : (wide[c] > INT32_MAX ? INT32_MAX : (int32_t)wide[c]);
}

int net_classify(const net_state *state) {
    int64_t logits[NET_CLASSES];
    unsigned c;
    int best = 0;
    net_logits64(state, logits);
    for (c = 1; c < NET_CLASSES; c++) if (logits[c] > logits[best]) best = (int)c;
    return best;
}
