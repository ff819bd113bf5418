#ifndef GQ_CINTEGERKERNELS_H
#define GQ_CINTEGERKERNELS_H

// The batched integer engine's step on AVX-512 (F, BW, DQ, VL, VNNI and VBMI) and on AVX2,
// written with intrinsics because Swift cannot express a gather, a byte dot product or a
// narrowing store. Bit for bit the arithmetic of docs/quantization.md: the tests compare
// them with the reference engine (Sources/Quantization/ReferenceEngine.swift) at every
// width; the Swift engine (IntegerEngineFast.swift) is the portable path. Every function is
// compiled for its instruction set alone and called only after gq_avx512_available() or
// gq_avx2_available() said yes, so one binary runs on any x86-64; on other machines the
// functions are absent and the checks say no.

#include <stdint.h>

/// 1 when this CPU and OS run AVX-512 F/BW/DQ/VL with VNNI and VBMI (the kernels below), else 0.
int gq_avx512_available(void);

/// Requantization constants of 16 linear output columns, split as the kernels need them:
/// index 0 holds the even columns, index 1 the odd ones (each in a 64-bit lane).
/// y = clamp((((acc + bias) · m) << left + round) >> right, low, high).
///
/// When every column's factor m · 2^left / 2^right is at most 1 (`clamp_sums`), y steps by
/// at most 1 as the sum grows, so saturating the output equals saturating the sum to the
/// widest range that maps inside [low, high], [sum_low, sum_high]: one 32-bit clamp instead
/// of two 64-bit ones (left is then 0).
///
/// `split16` (the narrow cell): every |sum + bias| is below 2^30, every M below 2^15 and every
/// right shift r in 16…31, so with acc = a · 2^15 + b (0 ≤ b < 2^15) the result is
/// (a · M + 2^(r−16) + ((b · M) >> 15)) >> (r − 15), all in 32 bits with two vpmaddwd;
/// split_m, split_c, split_shift hold M, 2^(r−16) and r − 15 per column. The output is
/// saturated after packing to int16 lanes.
typedef struct {
    int64_t m[2][8], left[2][8], right[2][8], round[2][8];
    int32_t bias[16];
    int32_t sum_low[16], sum_high[16];
    int32_t split_m[16], split_c[16], split_shift[16];
    int64_t low, high;
    int32_t clamp_sums, split16;
} gq_column_block;

/// One rescale y = (x · m + round) >> right in 32-bit lanes, the left shift folded into m
/// (bounds checked in Swift).
typedef struct { int32_t m, round, right; } gq_rescale32;

/// The GRU cell's nine operand rescales, each addition's two operands and then 1 − z's, in
/// the order Swift's `GRURescales` declares them (it fills these structs as one array of
/// `T`); declared once for the lane types below.
#define GQ_GRU_RESCALES(T) T r_a, r_b, z_a, z_b, n_a, n_b, h_a, h_b, sub_z
typedef struct { GQ_GRU_RESCALES(gq_rescale32); } gq_gru_rescales32;

/// The requantized product of two codes, y = clamp(((a · b · m) << left + round) >> right,
/// low, high), in 64-bit lanes; with `clamp_products` (factor at most 1, left 0) the
/// product is saturated to [product_low, product_high] in 32 bits instead, as above.
typedef struct {
    int64_t m, left, round, right, low, high;
    int32_t product_low, product_high, clamp_products;
} gq_rescale64;

/// A rescale on int16 lanes, y = floor((x · M + 2^(r−1)) / 2^r) for a right shift r (or
/// x · M for a left shift folded into M), by one of four exact forms chosen in Swift:
/// r ≤ 15, with M = q · 2^r + rest: mode 0, x · q + mulhrs(x, rest · 2^(15−r)) (m = q,
/// c = rest · 2^(15−r); vpmulhrsw rounds exactly as (· + 2^14) >> 15), or mode 3, the same
/// with q = 0; mode 1, 17 ≤ r ≤ 31: (mulhi(x, M) + 2^(r−17)) >> (r − 16), since the
/// product's low 16 bits cannot carry into the result; mode 2, r = 16:
/// mulhi(x, M) + (mullo(x, M) >>> 15). r ≥ 32 gives 0 for every int16 product (mode 3, c 0).
typedef struct { int16_t m, c, shift, mode; } gq_rescale16;
typedef struct { GQ_GRU_RESCALES(gq_rescale16); } gq_gru_rescales16;

/// The narrow cell: every code of the cell and every product of two codes fits int16, so
/// the cell runs on 32 int16 lanes instead of 16 int32 ones. The linear outputs are still
/// requantized in 32-bit lanes (`split16` or `clamp_sums` per block) and packed. Bounds,
/// ONE and the tables' halves are gq_cell_constants' own, which all fit int16 then.
typedef struct {
    gq_gru_rescales16 rescale;
    gq_rescale16 n_mul, h_mul_n, h_mul_h;
    int32_t usable;
    /// Every add's rescale has r ≤ 15 (modes 0, 3) and every product's r in 17…31 (mode 1):
    /// the case with a loop of its own, without a branch on the forms.
    int32_t usual;
} gq_narrow_cell;

/// Everything the elementwise part of one step needs; the column blocks cover 3·hp columns
/// (r, z, n side by side), hp a multiple of 16.
typedef struct {
    const gq_column_block *input_blocks, *state_blocks;
    gq_gru_rescales32 rescale;
    /// Every rescale's operand and multiplier fit int16, so one vpmaddwd forms the product.
    int32_t rescale_int16;
    gq_rescale64 n_mul, h_mul_n, h_mul_h;
    /// Every block has `clamp_sums`, and every multiplication `clamp_products`.
    int32_t all_sums_clamped, all_products_clamped;
    int32_t h_sub_one;
    int32_t r_low, r_high, z_low, z_high, n_low, n_high, sub_low, sub_high, h_low, h_high;
    /// σ(r), σ(z), tanh(n) tables, each pointing at the entry of code 0.
    const int32_t *table_r, *table_z, *table_n;
    /// The same as 256 bytes each, indexed by code + 2^(b−1), when every table has at most
    /// 256 entries whose values fit a byte (σ unsigned, tanh signed): looked up in
    /// registers (vpermi2b) instead of by a gather, which costs ~11 cycles here.
    const uint8_t *bytes_r, *bytes_z, *bytes_n;
    int32_t half_r, half_z, half_n;
    int32_t byte_tables;
    /// The cell on int16 lanes when `narrow.usable` (every block saturating its sums or
    /// splitting them; on AVX-512 also hp a multiple of 32 and byte tables).
    gq_narrow_cell narrow;
    int32_t hidden_padded;
} gq_cell_constants;

/// C[r][16v + l] = Σ_k A[r][k] · W[16v + l][k] for `rows` rows: A holds unsigned bytes
/// (code + 128; the offset's share, 128 · Σ_k W[c][k], belongs in the column's bias), W
/// signed bytes packed per block of 16 columns and per quad of depths as 16 × 4 bytes;
/// `quads` quads of depth, `vectors` blocks of 16 columns. Sums wrap modulo 2^32, exact
/// when the true sum fits in int32.
void gq_product_u8s8(int rows, int quads, int vectors, const uint8_t *a, int lda,
                     const int8_t *w, int32_t *c, int ldc);

/// The elementwise part of one step for `rows` rows: requantizes the x and h sums
/// (rows × 3hp, stride 3hp), runs the cell, writes the new state as
/// int32 codes (rows × hp) and as the next product's input: bytes (code + 128) into
/// `codes8` when it is not NULL, else int16 (code + `code_offset`) into `codes16`.
void gq_cell_rows(int rows, const int32_t *x_sums, const int32_t *h_sums, int32_t *state,
                  uint8_t *codes8, int16_t *codes16, int32_t code_offset,
                  const gq_cell_constants *k);

/// 1 when this CPU runs AVX2 and FMA (the `_avx2` kernels below), else 0.
int gq_avx2_available(void);

/// C[r][16v + l] = Σ_p A[r][2p] · W[16v + l][2p] + A[r][2p + 1] · W[16v + l][2p + 1] on int16
/// codes, the weights packed per block of 16 columns and per pair of depths as 16 × 2 int16
/// (IntegerKernels.pack's layout): the portable product on AVX2. Sums wrap modulo 2^32,
/// exact when the true sum fits in int32.
void gq_product_i16_avx2(int rows, int pairs, int vectors, const int16_t *a, int lda,
                         const int16_t *w, int32_t *c, int ldc);

/// gq_cell_rows's narrow cell (k->narrow.usable) on 16 int16 lanes, hp a multiple of 16; the
/// new state goes out as the next product's input: bytes (code + 128) into `codes8` when it
/// is not NULL, else int16 codes (code + `code_offset`) into `codes16`.
void gq_cell_rows16_avx2(int rows, const int32_t *x_sums, const int32_t *h_sums, int32_t *state,
                         uint8_t *codes8, int16_t *codes16, int32_t code_offset, const gq_cell_constants *k);

/// 1 when this CPU runs AVX2, FMA and AVX-VNNI (the byte product below), else 0.
int gq_avxvnni_available(void);

/// gq_product_u8s8 on AVX-VNNI (vpdpbusd on 8 int32 lanes): the same packing, the same sums.
void gq_product_u8s8_avxvnni(int rows, int quads, int vectors, const uint8_t *a, int lda,
                             const int8_t *w, int32_t *c, int ldc);

#endif
