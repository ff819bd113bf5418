// The integer engine's step on AVX-512; see include/CIntegerKernels.h for the contract and
// docs/quantization.md for the arithmetic. Each kernel is compiled for AVX-512 by a target
// attribute instead of a build flag, so the rest of the binary stays baseline x86-64.

#include "CIntegerKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

#include <immintrin.h>
#include <string.h>

#define GQ_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni,avx512vbmi")))
#define GQ_INLINE static inline __attribute__((always_inline)) GQ_AVX512

int gq_avx512_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vbmi");
}

// ---- Products -------------------------------------------------------------------------

// A tile of R rows × V column blocks; R and V are constants at every call, so the
// accumulators stay in registers (4 × 4 = 16 of the 32 zmm).
GQ_INLINE void tile(int R, int V, int quads, const uint8_t *a, int lda,
                    const int8_t *w, int panel, int32_t *c, int ldc) {
    __m512i acc[4][4];
    for (int i = 0; i < R; i++)
        for (int j = 0; j < V; j++) acc[i][j] = _mm512_setzero_si512();
    for (int q = 0; q < quads; q++) {
        __m512i b[4];
        for (int j = 0; j < V; j++) b[j] = _mm512_loadu_si512(w + j * panel + q * 64);
        for (int i = 0; i < R; i++) {
            int32_t word;
            memcpy(&word, a + i * lda + 4 * q, 4);
            const __m512i x = _mm512_set1_epi32(word);
            for (int j = 0; j < V; j++) acc[i][j] = _mm512_dpbusd_epi32(acc[i][j], x, b[j]);
        }
    }
    for (int i = 0; i < R; i++)
        for (int j = 0; j < V; j++) _mm512_storeu_si512(c + i * ldc + 16 * j, acc[i][j]);
}

GQ_AVX512 void gq_product_u8s8(int rows, int quads, int vectors, const uint8_t *a, int lda,
                               const int8_t *w, int32_t *c, int ldc) {
    const int panel = quads * 64;
    int v = 0;
    for (; v + 4 <= vectors; v += 4) {
        int r = 0;
        for (; r + 4 <= rows; r += 4)
            tile(4, 4, quads, a + r * lda, lda, w + v * panel, panel, c + r * ldc + 16 * v, ldc);
        for (; r < rows; r++)
            tile(1, 4, quads, a + r * lda, lda, w + v * panel, panel, c + r * ldc + 16 * v, ldc);
    }
    for (; v < vectors; v++) {
        int r = 0;
        for (; r + 4 <= rows; r += 4)
            tile(4, 1, quads, a + r * lda, lda, w + v * panel, panel, c + r * ldc + 16 * v, ldc);
        for (; r < rows; r++)
            tile(1, 1, quads, a + r * lda, lda, w + v * panel, panel, c + r * ldc + 16 * v, ldc);
    }
}

// ---- Elementwise ----------------------------------------------------------------------

// vpmuldq: the sign-extended low halves of the 64-bit lanes multiplied into 64 bits. Through
// asm because clang rewrites _mm512_mul_epi32 as a generic multiply and, when it cannot
// prove the operands are sign-extended, emits vpsllq + vpsraq + vpmullq (5 uops) for it.
GQ_INLINE __m512i mul_even(__m512i a, __m512i b) {
    __m512i r;
    __asm__("vpmuldq %2, %1, %0" : "=v"(r) : "v"(a), "v"(b));
    return r;
}

// 64-bit results back to 32-bit lanes: the even results sit in the low halves of `even`,
// the odd ones move up into the high halves.
GQ_INLINE __m512i join(__m512i even, __m512i odd) {
    return _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}

GQ_INLINE __m512i clamp64(__m512i v, __m512i low, __m512i high) {
    return _mm512_min_epi64(_mm512_max_epi64(v, low), high);
}

GQ_INLINE __m512i clamp32(__m512i v, __m512i low, __m512i high) {
    return _mm512_min_epi32(_mm512_max_epi32(v, low), high);
}

// A linear operator's output: bias, per-column requantization in 64 bits, saturation
// (before the multiply in 32 bits where the block allows, else after it in 64).
GQ_INLINE __m512i requantize_columns(__m512i sums, const gq_column_block *b, const int clamp_sums) {
    __m512i acc = _mm512_add_epi32(sums, _mm512_loadu_si512(b->bias));
    if (clamp_sums) {
        acc = clamp32(acc, _mm512_loadu_si512(b->sum_low), _mm512_loadu_si512(b->sum_high));
        __m512i e = mul_even(acc, _mm512_loadu_si512(b->m[0]));
        __m512i o = mul_even(_mm512_srli_epi64(acc, 32), _mm512_loadu_si512(b->m[1]));
        e = _mm512_srav_epi64(_mm512_add_epi64(e, _mm512_loadu_si512(b->round[0])), _mm512_loadu_si512(b->right[0]));
        o = _mm512_srav_epi64(_mm512_add_epi64(o, _mm512_loadu_si512(b->round[1])), _mm512_loadu_si512(b->right[1]));
        return join(e, o);
    }
    const __m512i low = _mm512_set1_epi64(b->low), high = _mm512_set1_epi64(b->high);
    __m512i e = mul_even(acc, _mm512_loadu_si512(b->m[0]));
    __m512i o = mul_even(_mm512_srli_epi64(acc, 32), _mm512_loadu_si512(b->m[1]));
    e = _mm512_sllv_epi64(e, _mm512_loadu_si512(b->left[0]));
    o = _mm512_sllv_epi64(o, _mm512_loadu_si512(b->left[1]));
    e = _mm512_srav_epi64(_mm512_add_epi64(e, _mm512_loadu_si512(b->round[0])), _mm512_loadu_si512(b->right[0]));
    o = _mm512_srav_epi64(_mm512_add_epi64(o, _mm512_loadu_si512(b->round[1])), _mm512_loadu_si512(b->right[1]));
    return join(clamp64(e, low, high), clamp64(o, low, high));
}

// An operand rescale in 32-bit lanes, its constants broadcast once per call. With int16
// operands the multiplier sits in the low half of each lane and vpmaddwd forms x · m
// (the high half, x's sign, meets a zero); otherwise vpmulld (two uops) does.
typedef struct { __m512i m, round, right; } rescale32_lanes;

GQ_INLINE rescale32_lanes lanes32(gq_rescale32 r) {
    return (rescale32_lanes){ _mm512_set1_epi32(r.m), _mm512_set1_epi32(r.round), _mm512_set1_epi32(r.right) };
}

GQ_INLINE __m512i rescale32(__m512i x, rescale32_lanes r, int int16) {
    const __m512i p = int16 ? _mm512_madd_epi16(x, r.m) : _mm512_mullo_epi32(x, r.m);
    return _mm512_srav_epi32(_mm512_add_epi32(p, r.round), r.right);
}

typedef struct { __m512i m, left, round, right, low, high, product_low, product_high; } rescale64_lanes;

GQ_INLINE rescale64_lanes lanes64(gq_rescale64 r) {
    return (rescale64_lanes){ _mm512_set1_epi64(r.m), _mm512_set1_epi64(r.left), _mm512_set1_epi64(r.round),
                              _mm512_set1_epi64(r.right), _mm512_set1_epi64(r.low), _mm512_set1_epi64(r.high),
                              _mm512_set1_epi32(r.product_low), _mm512_set1_epi32(r.product_high) };
}

// The requantized product of two code vectors. The codes' product fits 32 bits (at most
// 65,535 · 32,767: an unsigned 16-bit σ times a signed 16-bit code); its product with the
// multiplier is formed in 64 bits.
GQ_INLINE __m512i requantize_product(__m512i a, __m512i b, const rescale64_lanes *r, const int clamp_products) {
    __m512i p = _mm512_mullo_epi32(a, b);
    if (clamp_products) {
        p = clamp32(p, r->product_low, r->product_high);
        __m512i e = mul_even(p, r->m), o = mul_even(_mm512_srli_epi64(p, 32), r->m);
        e = _mm512_srav_epi64(_mm512_add_epi64(e, r->round), r->right);
        o = _mm512_srav_epi64(_mm512_add_epi64(o, r->round), r->right);
        return join(e, o);
    }
    __m512i e = mul_even(p, r->m), o = mul_even(_mm512_srli_epi64(p, 32), r->m);
    e = _mm512_srav_epi64(_mm512_add_epi64(_mm512_sllv_epi64(e, r->left), r->round), r->right);
    o = _mm512_srav_epi64(_mm512_add_epi64(_mm512_sllv_epi64(o, r->left), r->round), r->right);
    return join(clamp64(e, r->low, r->high), clamp64(o, r->low, r->high));
}

GQ_INLINE __m512i lookup(const int32_t *table, __m512i index) {
    return _mm512_i32gather_epi32(index, (const void *)table, 4);
}

// A 256-byte table held in four registers: the index's low 7 bits pick a byte from each
// half (vpermi2b), its top bit picks the half.
typedef struct { __m512i t0, t1, t2, t3, half; } byte_table;

GQ_INLINE byte_table load_byte_table(const uint8_t *bytes, int32_t half) {
    return (byte_table){ _mm512_loadu_si512(bytes), _mm512_loadu_si512(bytes + 64), _mm512_loadu_si512(bytes + 128),
                         _mm512_loadu_si512(bytes + 192), _mm512_set1_epi32(half) };
}

GQ_INLINE __m512i lookup_bytes(const byte_table *t, __m512i code, const int is_signed) {
    const __m512i index = _mm512_castsi128_si512(_mm512_cvtepi32_epi8(_mm512_add_epi32(code, t->half)));
    const __m512i low = _mm512_permutex2var_epi8(t->t0, index, t->t1);
    const __m512i high = _mm512_permutex2var_epi8(t->t2, index, t->t3);
    const __m128i picked = _mm512_castsi512_si128(_mm512_mask_blend_epi8(_mm512_movepi8_mask(index), low, high));
    return is_signed ? _mm512_cvtepi8_epi32(picked) : _mm512_cvtepu8_epi32(picked);
}

// The cell's saturation bounds, ONE and the state codes' offset, broadcast to 32-bit
// lanes or, for the narrow cell, 16-bit ones (they all fit int16 there).
typedef struct { __m512i rLow, rHigh, zLow, zHigh, nLow, nHigh, sLow, sHigh, hLow, hHigh, one, offset; } cell_bounds;

GQ_INLINE cell_bounds broadcast_bounds(const gq_cell_constants *k, int32_t offset, const int narrow) {
#define GQ_SET(value) (narrow ? _mm512_set1_epi16((int16_t)(value)) : _mm512_set1_epi32(value))
    return (cell_bounds){ GQ_SET(k->r_low), GQ_SET(k->r_high), GQ_SET(k->z_low), GQ_SET(k->z_high),
                          GQ_SET(k->n_low), GQ_SET(k->n_high), GQ_SET(k->sub_low), GQ_SET(k->sub_high),
                          GQ_SET(k->h_low), GQ_SET(k->h_high), GQ_SET(k->h_sub_one), GQ_SET(offset) };
#undef GQ_SET
}

// The cell for `rows` rows. The flags are constants at each call (one compiled loop per
// combination), so the loop has no branch: `int16` picks the rescales' multiply, `sums`
// saturation before the linear requantization (every block allows it), `products` the
// same for the three multiplications.
GQ_INLINE void cell_rows(int rows, const int32_t *x_sums, const int32_t *h_sums, int32_t *state,
                         uint8_t *codes8, int16_t *codes16, int32_t code_offset,
                         const gq_cell_constants *k, const int int16, const int sums, const int products,
                         const int bytes) {
    byte_table tr, tz, tn;
    if (bytes) {
        tr = load_byte_table(k->bytes_r, k->half_r);
        tz = load_byte_table(k->bytes_z, k->half_z);
        tn = load_byte_table(k->bytes_n, k->half_n);
    }
#define GQ_LOOKUP(name, code, is_signed) (bytes ? lookup_bytes(&t##name, code, is_signed) : lookup(k->table_##name, code))
    const int hp = k->hidden_padded, g = 3 * hp, nb = hp / 16;
    const rescale32_lanes rA = lanes32(k->rescale.r_a), rB = lanes32(k->rescale.r_b), zA = lanes32(k->rescale.z_a), zB = lanes32(k->rescale.z_b);
    const rescale32_lanes nA = lanes32(k->rescale.n_a), nB = lanes32(k->rescale.n_b), hA = lanes32(k->rescale.h_a), hB = lanes32(k->rescale.h_b);
    const rescale32_lanes subZ = lanes32(k->rescale.sub_z);
    const rescale64_lanes nMul = lanes64(k->n_mul), hMulN = lanes64(k->h_mul_n), hMulH = lanes64(k->h_mul_h);
    const cell_bounds bound = broadcast_bounds(k, codes8 ? 128 : code_offset, 0);
    const gq_column_block *xb = k->input_blocks, *hb = k->state_blocks;

    // The cell's dependency chain is long (three requantizations, two gathers, two products
    // deep) and a block of 16 units is ~280 instructions, so one block at a time leaves the
    // core waiting on latency. Each row is run in three passes over its blocks, split at
    // the gathers; within a pass the blocks are independent and overlap.
    enum { span = 256 };
    int32_t radds[span], zadds[span], nwxs[span], nwhs[span], nadds[span], zs[span];
    for (int row = 0; row < rows; row++) {
        const int32_t *x = x_sums + row * g, *h = h_sums + row * g;
        int32_t *s = state + row * hp;
        for (int j0 = 0; j0 < hp; j0 += span) {
            const int end = hp < j0 + span ? hp : j0 + span;
            for (int j = j0, blk = j0 / 16; j < end; j += 16, blk++) {
                const __m512i rwx = requantize_columns(_mm512_loadu_si512(x + j), xb + blk, sums);
                const __m512i zwx = requantize_columns(_mm512_loadu_si512(x + hp + j), xb + nb + blk, sums);
                const __m512i rwh = requantize_columns(_mm512_loadu_si512(h + j), hb + blk, sums);
                const __m512i zwh = requantize_columns(_mm512_loadu_si512(h + hp + j), hb + nb + blk, sums);
                _mm512_storeu_si512(radds + j - j0, clamp32(_mm512_add_epi32(rescale32(rwx, rA, int16), rescale32(rwh, rB, int16)), bound.rLow, bound.rHigh));
                _mm512_storeu_si512(zadds + j - j0, clamp32(_mm512_add_epi32(rescale32(zwx, zA, int16), rescale32(zwh, zB, int16)), bound.zLow, bound.zHigh));
                _mm512_storeu_si512(nwxs + j - j0, rescale32(requantize_columns(_mm512_loadu_si512(x + 2 * hp + j), xb + 2 * nb + blk, sums), nA, int16));
                _mm512_storeu_si512(nwhs + j - j0, requantize_columns(_mm512_loadu_si512(h + 2 * hp + j), hb + 2 * nb + blk, sums));
            }
            for (int j = j0; j < end; j += 16) {
                const __m512i r = GQ_LOOKUP(r, _mm512_loadu_si512(radds + j - j0), 0);
                const __m512i nmul = requantize_product(r, _mm512_loadu_si512(nwhs + j - j0), &nMul, products);
                _mm512_storeu_si512(nadds + j - j0, clamp32(_mm512_add_epi32(_mm512_loadu_si512(nwxs + j - j0), rescale32(nmul, nB, int16)), bound.nLow, bound.nHigh));
                _mm512_storeu_si512(zs + j - j0, GQ_LOOKUP(z, _mm512_loadu_si512(zadds + j - j0), 0));
            }
            for (int j = j0; j < end; j += 16) {
                const __m512i z = _mm512_loadu_si512(zs + j - j0), old = _mm512_loadu_si512(s + j);
                const __m512i n = GQ_LOOKUP(n, _mm512_loadu_si512(nadds + j - j0), 1);
                const __m512i hsub = clamp32(_mm512_sub_epi32(bound.one, rescale32(z, subZ, int16)), bound.sLow, bound.sHigh);
                const __m512i hmn = requantize_product(hsub, n, &hMulN, products);
                const __m512i hmh = requantize_product(z, old, &hMulH, products);
                const __m512i next = clamp32(_mm512_add_epi32(rescale32(hmn, hA, int16), rescale32(hmh, hB, int16)), bound.hLow, bound.hHigh);
                _mm512_storeu_si512(s + j, next);
                const __m512i code = _mm512_add_epi32(next, bound.offset);
                if (codes8) _mm_storeu_si128((__m128i *)(codes8 + row * hp + j), _mm512_cvtepi32_epi8(code));
                else _mm256_storeu_si256((__m256i *)(codes16 + row * hp + j), _mm512_cvtepi32_epi16(code));
            }
        }
    }
#undef GQ_LOOKUP
}

// ---- The narrow cell: 32 int16 lanes ----------------------------------------------------

// 16 + 16 int32 lanes (values within int16) as 32 int16 lanes in order: vpackssdw
// interleaves them per 128-bit lane, and one 64-bit permute restores the order.
GQ_INLINE __m512i pack16(__m512i a, __m512i b) {
    return _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7), _mm512_packs_epi32(a, b));
}

GQ_INLINE __m512i clamp16(__m512i v, __m512i low, __m512i high) {
    return _mm512_min_epi16(_mm512_max_epi16(v, low), high);
}

typedef struct { __m512i m, c, shift; int mode; } rescale16_lanes;

GQ_INLINE rescale16_lanes lanes16(gq_rescale16 r) {
    return (rescale16_lanes){ _mm512_set1_epi16(r.m), _mm512_set1_epi16(r.c), _mm512_set1_epi16(r.shift), r.mode };
}

// The four exact forms of gq_rescale16 (vpsravw fills with the sign past 15, which is
// the floor of a value below 2^15 in magnitude).
// `form` is a constant at each call: 1 for the r ≤ 15 forms (modes 0 and 3, mode 3's q
// being 0), 2 for mode 1, 0 to decide by the mode at run time.
GQ_INLINE __m512i rescale16(__m512i x, const rescale16_lanes *r, const int form) {
    if (form == 1) return _mm512_add_epi16(_mm512_mullo_epi16(x, r->m), _mm512_mulhrs_epi16(x, r->c));
    if (form == 2) return _mm512_srav_epi16(_mm512_add_epi16(_mm512_mulhi_epi16(x, r->m), r->c), r->shift);
    switch (r->mode) {
    case 3: return _mm512_mulhrs_epi16(x, r->c);
    case 1: return _mm512_srav_epi16(_mm512_add_epi16(_mm512_mulhi_epi16(x, r->m), r->c), r->shift);
    case 0: return _mm512_add_epi16(_mm512_mullo_epi16(x, r->m), _mm512_mulhrs_epi16(x, r->c));
    default: return _mm512_add_epi16(_mm512_mulhi_epi16(x, r->m), _mm512_srli_epi16(_mm512_mullo_epi16(x, r->m), 15));
    }
}

// A product of two codes (it fits int16), rescaled, then saturated.
GQ_INLINE __m512i product16(__m512i a, __m512i b, const rescale16_lanes *r, __m512i low, __m512i high, const int form) {
    return clamp16(rescale16(_mm512_mullo_epi16(a, b), r, form), low, high);
}

GQ_INLINE __m512i lookup16(const byte_table *t, __m512i half, __m512i code, const int is_signed) {
    const __m512i index = _mm512_castsi256_si512(_mm512_cvtepi16_epi8(_mm512_add_epi16(code, half)));
    const __m512i low = _mm512_permutex2var_epi8(t->t0, index, t->t1);
    const __m512i high = _mm512_permutex2var_epi8(t->t2, index, t->t3);
    const __m256i picked = _mm512_castsi512_si256(_mm512_mask_blend_epi8(_mm512_movepi8_mask(index), low, high));
    return is_signed ? _mm512_cvtepi8_epi16(picked) : _mm512_cvtepu8_epi16(picked);
}

// A block's linear outputs by the split form of gq_column_block.split16: exact, but not yet
// saturated (vpackssdw and the clamp after it do that).
GQ_INLINE __m512i requantize_split(__m512i sums, const gq_column_block *b) {
    const __m512i acc = _mm512_add_epi32(sums, _mm512_loadu_si512(b->bias));
    const __m512i m = _mm512_loadu_si512(b->split_m);
    const __m512i high = _mm512_madd_epi16(_mm512_srai_epi32(acc, 15), m);
    const __m512i low = _mm512_srli_epi32(_mm512_madd_epi16(_mm512_and_si512(acc, _mm512_set1_epi32(0x7FFF)), m), 15);
    const __m512i sum = _mm512_add_epi32(_mm512_add_epi32(high, _mm512_loadu_si512(b->split_c)), low);
    return _mm512_srav_epi32(sum, _mm512_loadu_si512(b->split_shift));
}

GQ_INLINE __m512i requantize_half(const int32_t *sums, const gq_column_block *b) {
    const __m512i v = _mm512_loadu_si512(sums);
    return b->split16 ? requantize_split(v, b) : requantize_columns(v, b, 1);
}

// The linear output of 32 columns starting at `sums`, as int16 lanes, saturated.
GQ_INLINE __m512i requantize32(const int32_t *sums, const gq_column_block *b) {
    const __m512i low = _mm512_set1_epi16((int16_t)b->low), high = _mm512_set1_epi16((int16_t)b->high);
    return clamp16(pack16(requantize_half(sums, b), requantize_half(sums + 16, b + 1)), low, high);
}

// `adds` and `products` are the rescales' forms (see rescale16), constants at each call.
GQ_INLINE void cell_rows16(int rows, const int32_t *x_sums, const int32_t *h_sums, int32_t *state,
                           uint8_t *codes8, int16_t *codes16, int32_t code_offset,
                           const gq_cell_constants *k, const int adds, const int products) {
    const gq_narrow_cell *c = &k->narrow;
    const int hp = k->hidden_padded, g = 3 * hp, nb = hp / 16;
    const rescale16_lanes rA = lanes16(c->rescale.r_a), rB = lanes16(c->rescale.r_b), zA = lanes16(c->rescale.z_a), zB = lanes16(c->rescale.z_b);
    const rescale16_lanes nA = lanes16(c->rescale.n_a), nB = lanes16(c->rescale.n_b), hA = lanes16(c->rescale.h_a), hB = lanes16(c->rescale.h_b);
    const rescale16_lanes subZ = lanes16(c->rescale.sub_z), nMul = lanes16(c->n_mul), hMulN = lanes16(c->h_mul_n), hMulH = lanes16(c->h_mul_h);
    // The 32-bit cell's constants, which fit int16 whenever the narrow cell is usable.
#define GQ_SET16(value) _mm512_set1_epi16((int16_t)(value))
    const __m512i mLow = GQ_SET16(k->n_mul.low), mHigh = GQ_SET16(k->n_mul.high);
    const __m512i mnLow = GQ_SET16(k->h_mul_n.low), mnHigh = GQ_SET16(k->h_mul_n.high);
    const __m512i mhLow = GQ_SET16(k->h_mul_h.low), mhHigh = GQ_SET16(k->h_mul_h.high);
    const __m512i halfR = GQ_SET16(k->half_r), halfZ = GQ_SET16(k->half_z), halfN = GQ_SET16(k->half_n);
#undef GQ_SET16
    const cell_bounds bound = broadcast_bounds(k, codes8 ? 128 : code_offset, 1);
    const byte_table tr = load_byte_table(k->bytes_r, 0), tz = load_byte_table(k->bytes_z, 0), tn = load_byte_table(k->bytes_n, 0);
    const gq_column_block *xb = k->input_blocks, *hb = k->state_blocks;

    // Three passes per row, split at the lookups, as in cell_rows.
    enum { span = 512 };
    int16_t radds[span], zadds[span], nwxs[span], nwhs[span], nadds[span], zs[span];
    for (int row = 0; row < rows; row++) {
        const int32_t *x = x_sums + row * g, *h = h_sums + row * g;
        int32_t *s = state + row * hp;
        for (int j0 = 0; j0 < hp; j0 += span) {
            const int end = hp < j0 + span ? hp : j0 + span;
            for (int j = j0, blk = j0 / 16; j < end; j += 32, blk += 2) {
                const __m512i rwx = requantize32(x + j, xb + blk), rwh = requantize32(h + j, hb + blk);
                const __m512i zwx = requantize32(x + hp + j, xb + nb + blk), zwh = requantize32(h + hp + j, hb + nb + blk);
                _mm512_storeu_si512(radds + j - j0, clamp16(_mm512_adds_epi16(rescale16(rwx, &rA, adds), rescale16(rwh, &rB, adds)), bound.rLow, bound.rHigh));
                _mm512_storeu_si512(zadds + j - j0, clamp16(_mm512_adds_epi16(rescale16(zwx, &zA, adds), rescale16(zwh, &zB, adds)), bound.zLow, bound.zHigh));
                _mm512_storeu_si512(nwxs + j - j0, rescale16(requantize32(x + 2 * hp + j, xb + 2 * nb + blk), &nA, adds));
                _mm512_storeu_si512(nwhs + j - j0, requantize32(h + 2 * hp + j, hb + 2 * nb + blk));
            }
            for (int j = j0; j < end; j += 32) {
                const __m512i r = lookup16(&tr, halfR, _mm512_loadu_si512(radds + j - j0), 0);
                const __m512i nmul = product16(r, _mm512_loadu_si512(nwhs + j - j0), &nMul, mLow, mHigh, products);
                _mm512_storeu_si512(nadds + j - j0, clamp16(_mm512_adds_epi16(_mm512_loadu_si512(nwxs + j - j0), rescale16(nmul, &nB, adds)), bound.nLow, bound.nHigh));
                _mm512_storeu_si512(zs + j - j0, lookup16(&tz, halfZ, _mm512_loadu_si512(zadds + j - j0), 0));
            }
            for (int j = j0; j < end; j += 32) {
                const __m512i z = _mm512_loadu_si512(zs + j - j0);
                const __m512i old = pack16(_mm512_loadu_si512(s + j), _mm512_loadu_si512(s + j + 16));
                const __m512i n = lookup16(&tn, halfN, _mm512_loadu_si512(nadds + j - j0), 1);
                const __m512i hsub = clamp16(_mm512_subs_epi16(bound.one, rescale16(z, &subZ, adds)), bound.sLow, bound.sHigh);
                const __m512i hmn = product16(hsub, n, &hMulN, mnLow, mnHigh, products);
                const __m512i hmh = product16(z, old, &hMulH, mhLow, mhHigh, products);
                const __m512i next = clamp16(_mm512_adds_epi16(rescale16(hmn, &hA, adds), rescale16(hmh, &hB, adds)), bound.hLow, bound.hHigh);
                _mm512_storeu_si512(s + j, _mm512_cvtepi16_epi32(_mm512_castsi512_si256(next)));
                _mm512_storeu_si512(s + j + 16, _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(next, 1)));
                const __m512i code = _mm512_add_epi16(next, bound.offset);
                if (codes8) _mm256_storeu_si256((__m256i *)(codes8 + row * hp + j), _mm512_cvtepi16_epi8(code));
                else _mm512_storeu_si512(codes16 + row * hp + j, code);
            }
        }
    }
}

GQ_AVX512 void gq_cell_rows(int rows, const int32_t *x_sums, const int32_t *h_sums, int32_t *state,
                            uint8_t *codes8, int16_t *codes16, int32_t code_offset,
                            const gq_cell_constants *k) {
    // The narrow cell when it applies (every width at most 8 bits, in practice), its usual
    // case in a loop of its own; then the common 32-bit case in its own loop; the rest
    // share one with run-time choices. The choice was made when the constants were built.
    const int sums = k->all_sums_clamped, products = k->all_products_clamped;
    if (k->narrow.usable) {
        if (k->narrow.usual) cell_rows16(rows, x_sums, h_sums, state, codes8, codes16, code_offset, k, 1, 2);
        else cell_rows16(rows, x_sums, h_sums, state, codes8, codes16, code_offset, k, 0, 0);
    }
    else if (k->rescale_int16 && sums && products && k->byte_tables)
        cell_rows(rows, x_sums, h_sums, state, codes8, codes16, code_offset, k, 1, 1, 1, 1);
    else
        cell_rows(rows, x_sums, h_sums, state, codes8, codes16, code_offset, k,
                  k->rescale_int16, sums, products, k->byte_tables);
}

#else

// Not an x86-64 machine: the Swift engine runs everything.
int gq_avx512_available(void) { return 0; }

void gq_product_u8s8(int rows, int quads, int vectors, const uint8_t *a, int lda,
                     const int8_t *w, int32_t *c, int ldc) {
    (void)rows; (void)quads; (void)vectors; (void)a; (void)lda; (void)w; (void)c; (void)ldc;
    __builtin_trap();
}

void gq_cell_rows(int rows, const int32_t *x_sums, const int32_t *h_sums, int32_t *state,
                  uint8_t *codes8, int16_t *codes16, int32_t code_offset,
                  const gq_cell_constants *k) {
    (void)rows; (void)x_sums; (void)h_sums; (void)state; (void)codes8; (void)codes16; (void)code_offset; (void)k;
    __builtin_trap();
}

#endif
