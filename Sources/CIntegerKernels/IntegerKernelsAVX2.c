// The integer engine's step on AVX2 (with FMA, as every AVX2 CPU has it): the int16 product
// (and, with AVX-VNNI, the byte product) and the narrow cell on 16 int16 lanes, for the
// x86-64 CPUs without the AVX-512 kernels' features (Intel client CPUs without AVX-512, AMD
// before Zen 4, AVX-512 CPUs without VBMI). Same contract and arithmetic as the AVX-512 file
// (include/CIntegerKernels.h, docs/quantization.md); compiled per function for AVX2 by a
// target attribute, so the rest of the binary stays baseline x86-64.
//
// What AVX2 lacks and how each is replaced, exactly:
// - no byte dot product that cannot saturate (vpmaddubsw saturates pairs of 255 · 127):
//   products on int16 codes with vpmaddwd, whose pair sums are exact modulo 2^32;
// - no 256-entry byte permute: the σ/tanh tables are read by vpgatherdd from int32 tables;
// - no per-lane 16-bit shift: every rescale's shift is one count for all lanes (vpsraw);
// - no 64-bit arithmetic shift: a logical one with the sign folded in and out.

#include "CIntegerKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

#include <immintrin.h>
#include <string.h>

#define GQ_AVX2 __attribute__((target("avx2,fma")))
#define GQ_INLINE static inline __attribute__((always_inline)) GQ_AVX2

int gq_avx2_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int gq_avxvnni_available(void) {
    return gq_avx2_available() && __builtin_cpu_supports("avxvnni");
}

// ---- Products -------------------------------------------------------------------------

// A tile of R rows × V blocks of 16 columns (two ymm each); R and V are constants at every
// call, so the accumulators stay in registers.
GQ_INLINE void tile16(int R, int V, int pairs, const int16_t *a, int lda,
                      const int16_t *w, int panel, int32_t *c, int ldc) {
    __m256i acc[6][2][2];
    for (int i = 0; i < R; i++)
        for (int j = 0; j < V; j++) acc[i][j][0] = acc[i][j][1] = _mm256_setzero_si256();
    for (int p = 0; p < pairs; p++) {
        __m256i b[2][2];
        for (int j = 0; j < V; j++) {
            b[j][0] = _mm256_loadu_si256((const __m256i *)(w + j * panel + p * 32));
            b[j][1] = _mm256_loadu_si256((const __m256i *)(w + j * panel + p * 32 + 16));
        }
        for (int i = 0; i < R; i++) {
            int32_t word;
            memcpy(&word, a + i * lda + 2 * p, 4);
            const __m256i x = _mm256_set1_epi32(word);
            for (int j = 0; j < V; j++) {
                acc[i][j][0] = _mm256_add_epi32(acc[i][j][0], _mm256_madd_epi16(x, b[j][0]));
                acc[i][j][1] = _mm256_add_epi32(acc[i][j][1], _mm256_madd_epi16(x, b[j][1]));
            }
        }
    }
    for (int i = 0; i < R; i++)
        for (int j = 0; j < V; j++) {
            _mm256_storeu_si256((__m256i *)(c + i * ldc + 16 * j), acc[i][j][0]);
            _mm256_storeu_si256((__m256i *)(c + i * ldc + 16 * j + 8), acc[i][j][1]);
        }
}

GQ_AVX2 void gq_product_i16_avx2(int rows, int pairs, int vectors, const int16_t *a, int lda,
                                 const int16_t *w, int32_t *c, int ldc) {
    // Six rows of one block: 12 accumulators, the block's two weight vectors and the
    // broadcast fill 15 of the 16 ymm without a spill (two blocks at a time would spill).
    const int panel = pairs * 32;
    for (int v = 0; v < vectors; v++) {
        int r = 0;
        for (; r + 6 <= rows; r += 6)
            tile16(6, 1, pairs, a + r * lda, lda, w + v * panel, panel, c + r * ldc + 16 * v, ldc);
        for (; r + 2 <= rows; r += 2)
            tile16(2, 1, pairs, a + r * lda, lda, w + v * panel, panel, c + r * ldc + 16 * v, ldc);
        for (; r < rows; r++)
            tile16(1, 1, pairs, a + r * lda, lda, w + v * panel, panel, c + r * ldc + 16 * v, ldc);
    }
}

// AVX-VNNI (Intel client CPUs since Alder Lake): the AVX-512 byte product's packing and
// arithmetic (codes + 128 as unsigned bytes against signed-byte weights, vpdpbusd, which
// sums four products into int32 without saturating) on 8 columns per register.
#define GQ_AVXVNNI __attribute__((target("avx2,fma,avxvnni")))

static inline __attribute__((always_inline)) GQ_AVXVNNI void tile8(int R, int quads, const uint8_t *a, int lda,
                                                                  const int8_t *w, int32_t *c, int ldc) {
    __m256i acc[6][2];
    for (int i = 0; i < R; i++) acc[i][0] = acc[i][1] = _mm256_setzero_si256();
    for (int q = 0; q < quads; q++) {
        const __m256i b0 = _mm256_loadu_si256((const __m256i *)(w + q * 64));
        const __m256i b1 = _mm256_loadu_si256((const __m256i *)(w + q * 64 + 32));
        for (int i = 0; i < R; i++) {
            int32_t word;
            memcpy(&word, a + i * lda + 4 * q, 4);
            const __m256i x = _mm256_set1_epi32(word);
            acc[i][0] = _mm256_dpbusd_avx_epi32(acc[i][0], x, b0);
            acc[i][1] = _mm256_dpbusd_avx_epi32(acc[i][1], x, b1);
        }
    }
    for (int i = 0; i < R; i++) {
        _mm256_storeu_si256((__m256i *)(c + i * ldc), acc[i][0]);
        _mm256_storeu_si256((__m256i *)(c + i * ldc + 8), acc[i][1]);
    }
}

GQ_AVXVNNI void gq_product_u8s8_avxvnni(int rows, int quads, int vectors, const uint8_t *a, int lda,
                                        const int8_t *w, int32_t *c, int ldc) {
    const int panel = quads * 64;
    for (int v = 0; v < vectors; v++) {
        int r = 0;
        for (; r + 6 <= rows; r += 6) tile8(6, quads, a + r * lda, lda, w + v * panel, c + r * ldc + 16 * v, ldc);
        for (; r + 2 <= rows; r += 2) tile8(2, quads, a + r * lda, lda, w + v * panel, c + r * ldc + 16 * v, ldc);
        for (; r < rows; r++) tile8(1, quads, a + r * lda, lda, w + v * panel, c + r * ldc + 16 * v, ldc);
    }
}

// ---- The narrow cell: 16 int16 lanes ----------------------------------------------------

// 8 + 8 int32 lanes (values within int16) as 16 int16 lanes in order: vpackssdw interleaves
// per 128-bit lane, and one 64-bit permute restores the order.
GQ_INLINE __m256i pack16(__m256i a, __m256i b) {
    return _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);
}

GQ_INLINE __m256i clamp16(__m256i v, __m256i low, __m256i high) {
    return _mm256_min_epi16(_mm256_max_epi16(v, low), high);
}

GQ_INLINE __m256i clamp32(__m256i v, __m256i low, __m256i high) {
    return _mm256_min_epi32(_mm256_max_epi32(v, low), high);
}

// floor(v / 2^n) per 64-bit lane: a logical shift of v or of ~v (which is ≥ 0 when v < 0).
GQ_INLINE __m256i shift_right64(__m256i v, __m256i n) {
    const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), v);
    return _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(v, sign), n), sign);
}

// Columns 8h … 8h + 7 of a block by its `clamp_sums` form: the sums saturated in 32 bits,
// then multiplied and shifted in 64 (left is 0 in this form).
GQ_INLINE __m256i requantize_clamped(__m256i sums, const gq_column_block *b, int h) {
    __m256i acc = _mm256_add_epi32(sums, _mm256_loadu_si256((const __m256i *)(b->bias + 8 * h)));
    acc = clamp32(acc, _mm256_loadu_si256((const __m256i *)(b->sum_low + 8 * h)),
                  _mm256_loadu_si256((const __m256i *)(b->sum_high + 8 * h)));
    // m[0] holds the even columns' multipliers, m[1] the odd ones', four per half.
    __m256i e = _mm256_mul_epi32(acc, _mm256_loadu_si256((const __m256i *)(b->m[0] + 4 * h)));
    __m256i o = _mm256_mul_epi32(_mm256_srli_epi64(acc, 32), _mm256_loadu_si256((const __m256i *)(b->m[1] + 4 * h)));
    e = shift_right64(_mm256_add_epi64(e, _mm256_loadu_si256((const __m256i *)(b->round[0] + 4 * h))),
                      _mm256_loadu_si256((const __m256i *)(b->right[0] + 4 * h)));
    o = shift_right64(_mm256_add_epi64(o, _mm256_loadu_si256((const __m256i *)(b->round[1] + 4 * h))),
                      _mm256_loadu_si256((const __m256i *)(b->right[1] + 4 * h)));
    return _mm256_blend_epi32(e, _mm256_slli_epi64(o, 32), 0xAA);
}

// Columns 8h … 8h + 7 by the block's `split16` form: exact, not yet saturated.
GQ_INLINE __m256i requantize_split(__m256i sums, const gq_column_block *b, int h) {
    const __m256i acc = _mm256_add_epi32(sums, _mm256_loadu_si256((const __m256i *)(b->bias + 8 * h)));
    const __m256i m = _mm256_loadu_si256((const __m256i *)(b->split_m + 8 * h));
    const __m256i high = _mm256_madd_epi16(_mm256_srai_epi32(acc, 15), m);
    const __m256i low = _mm256_srli_epi32(_mm256_madd_epi16(_mm256_and_si256(acc, _mm256_set1_epi32(0x7FFF)), m), 15);
    const __m256i sum = _mm256_add_epi32(_mm256_add_epi32(high, _mm256_loadu_si256((const __m256i *)(b->split_c + 8 * h))), low);
    return _mm256_srav_epi32(sum, _mm256_loadu_si256((const __m256i *)(b->split_shift + 8 * h)));
}

// The linear output of the 16 columns of block `b` starting at `sums`, as int16 lanes, saturated.
GQ_INLINE __m256i requantize16(const int32_t *sums, const gq_column_block *b) {
    const __m256i s0 = _mm256_loadu_si256((const __m256i *)sums), s1 = _mm256_loadu_si256((const __m256i *)(sums + 8));
    const __m256i y = b->split16 ? pack16(requantize_split(s0, b, 0), requantize_split(s1, b, 1))
                                 : pack16(requantize_clamped(s0, b, 0), requantize_clamped(s1, b, 1));
    return clamp16(y, _mm256_set1_epi16((int16_t)b->low), _mm256_set1_epi16((int16_t)b->high));
}

typedef struct { __m256i m, c; __m128i shift; int mode; } rescale16_lanes;

GQ_INLINE rescale16_lanes lanes16(gq_rescale16 r) {
    return (rescale16_lanes){ _mm256_set1_epi16(r.m), _mm256_set1_epi16(r.c), _mm_cvtsi32_si128(r.shift), r.mode };
}

// The four exact forms of gq_rescale16; `form` as in the AVX-512 file: 1 for modes 0 and 3,
// 2 for mode 1, 0 to decide by the mode at run time. vpsraw by one count fills with the
// sign past 15, as vpsravw does.
GQ_INLINE __m256i rescale16(__m256i x, const rescale16_lanes *r, const int form) {
    if (form == 1) return _mm256_add_epi16(_mm256_mullo_epi16(x, r->m), _mm256_mulhrs_epi16(x, r->c));
    if (form == 2) return _mm256_sra_epi16(_mm256_add_epi16(_mm256_mulhi_epi16(x, r->m), r->c), r->shift);
    switch (r->mode) {
    case 3: return _mm256_mulhrs_epi16(x, r->c);
    case 1: return _mm256_sra_epi16(_mm256_add_epi16(_mm256_mulhi_epi16(x, r->m), r->c), r->shift);
    case 0: return _mm256_add_epi16(_mm256_mullo_epi16(x, r->m), _mm256_mulhrs_epi16(x, r->c));
    default: return _mm256_add_epi16(_mm256_mulhi_epi16(x, r->m), _mm256_srli_epi16(_mm256_mullo_epi16(x, r->m), 15));
    }
}

// A product of two codes (it fits int16), rescaled, then saturated.
GQ_INLINE __m256i product16(__m256i a, __m256i b, const rescale16_lanes *r, __m256i low, __m256i high, const int form) {
    return clamp16(rescale16(_mm256_mullo_epi16(a, b), r, form), low, high);
}

// table[code] for 16 int16 codes, `table` pointing at code 0's entry (values fit int16).
GQ_INLINE __m256i lookup16(const int32_t *table, __m256i code) {
    const __m256i low = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(code));
    const __m256i high = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(code, 1));
    return pack16(_mm256_i32gather_epi32((const int *)table, low, 4), _mm256_i32gather_epi32((const int *)table, high, 4));
}

typedef struct { __m256i rLow, rHigh, zLow, zHigh, nLow, nHigh, sLow, sHigh, hLow, hHigh, one, offset; } cell_bounds;

GQ_INLINE void cell_rows16(int rows, const int32_t *x_sums, const int32_t *h_sums, int32_t *state,
                           uint8_t *codes8, int16_t *codes16, int32_t code_offset, const gq_cell_constants *k,
                           const int adds, const int products) {
    const gq_narrow_cell *c = &k->narrow;
    const int hp = k->hidden_padded, g = 3 * hp, nb = hp / 16;
    const rescale16_lanes rA = lanes16(c->rescale.r_a), rB = lanes16(c->rescale.r_b), zA = lanes16(c->rescale.z_a), zB = lanes16(c->rescale.z_b);
    const rescale16_lanes nA = lanes16(c->rescale.n_a), nB = lanes16(c->rescale.n_b), hA = lanes16(c->rescale.h_a), hB = lanes16(c->rescale.h_b);
    const rescale16_lanes subZ = lanes16(c->rescale.sub_z), nMul = lanes16(c->n_mul), hMulN = lanes16(c->h_mul_n), hMulH = lanes16(c->h_mul_h);
#define GQ_SET16(value) _mm256_set1_epi16((int16_t)(value))
    const __m256i mLow = GQ_SET16(k->n_mul.low), mHigh = GQ_SET16(k->n_mul.high);
    const __m256i mnLow = GQ_SET16(k->h_mul_n.low), mnHigh = GQ_SET16(k->h_mul_n.high);
    const __m256i mhLow = GQ_SET16(k->h_mul_h.low), mhHigh = GQ_SET16(k->h_mul_h.high);
    const cell_bounds bound = { GQ_SET16(k->r_low), GQ_SET16(k->r_high), GQ_SET16(k->z_low), GQ_SET16(k->z_high),
                                GQ_SET16(k->n_low), GQ_SET16(k->n_high), GQ_SET16(k->sub_low), GQ_SET16(k->sub_high),
                                GQ_SET16(k->h_low), GQ_SET16(k->h_high), GQ_SET16(k->h_sub_one), GQ_SET16(codes8 ? 128 : code_offset) };
#undef GQ_SET16
    const gq_column_block *xb = k->input_blocks, *hb = k->state_blocks;

    // Three passes per row, split at the lookups, as in the AVX-512 cell: within a pass the
    // blocks are independent, so their long dependency chains overlap.
    enum { span = 512 };
    int16_t radds[span], zadds[span], nwxs[span], nwhs[span], nadds[span], zs[span];
    for (int row = 0; row < rows; row++) {
        const int32_t *x = x_sums + row * g, *h = h_sums + row * g;
        int32_t *s = state + row * hp;
        for (int j0 = 0; j0 < hp; j0 += span) {
            const int end = hp < j0 + span ? hp : j0 + span;
            for (int j = j0, blk = j0 / 16; j < end; j += 16, blk++) {
                const __m256i rwx = requantize16(x + j, xb + blk), rwh = requantize16(h + j, hb + blk);
                const __m256i zwx = requantize16(x + hp + j, xb + nb + blk), zwh = requantize16(h + hp + j, hb + nb + blk);
                _mm256_storeu_si256((__m256i *)(radds + j - j0), clamp16(_mm256_adds_epi16(rescale16(rwx, &rA, adds), rescale16(rwh, &rB, adds)), bound.rLow, bound.rHigh));
                _mm256_storeu_si256((__m256i *)(zadds + j - j0), clamp16(_mm256_adds_epi16(rescale16(zwx, &zA, adds), rescale16(zwh, &zB, adds)), bound.zLow, bound.zHigh));
                _mm256_storeu_si256((__m256i *)(nwxs + j - j0), rescale16(requantize16(x + 2 * hp + j, xb + 2 * nb + blk), &nA, adds));
                _mm256_storeu_si256((__m256i *)(nwhs + j - j0), requantize16(h + 2 * hp + j, hb + 2 * nb + blk));
            }
            for (int j = j0; j < end; j += 16) {
                const __m256i r = lookup16(k->table_r, _mm256_loadu_si256((const __m256i *)(radds + j - j0)));
                const __m256i nmul = product16(r, _mm256_loadu_si256((const __m256i *)(nwhs + j - j0)), &nMul, mLow, mHigh, products);
                const __m256i nwx = _mm256_loadu_si256((const __m256i *)(nwxs + j - j0));
                _mm256_storeu_si256((__m256i *)(nadds + j - j0), clamp16(_mm256_adds_epi16(nwx, rescale16(nmul, &nB, adds)), bound.nLow, bound.nHigh));
                _mm256_storeu_si256((__m256i *)(zs + j - j0), lookup16(k->table_z, _mm256_loadu_si256((const __m256i *)(zadds + j - j0))));
            }
            for (int j = j0; j < end; j += 16) {
                const __m256i z = _mm256_loadu_si256((const __m256i *)(zs + j - j0));
                const __m256i old = pack16(_mm256_loadu_si256((const __m256i *)(s + j)), _mm256_loadu_si256((const __m256i *)(s + j + 8)));
                const __m256i n = lookup16(k->table_n, _mm256_loadu_si256((const __m256i *)(nadds + j - j0)));
                const __m256i hsub = clamp16(_mm256_subs_epi16(bound.one, rescale16(z, &subZ, adds)), bound.sLow, bound.sHigh);
                const __m256i hmn = product16(hsub, n, &hMulN, mnLow, mnHigh, products);
                const __m256i hmh = product16(z, old, &hMulH, mhLow, mhHigh, products);
                const __m256i next = clamp16(_mm256_adds_epi16(rescale16(hmn, &hA, adds), rescale16(hmh, &hB, adds)), bound.hLow, bound.hHigh);
                _mm256_storeu_si256((__m256i *)(s + j), _mm256_cvtepi16_epi32(_mm256_castsi256_si128(next)));
                _mm256_storeu_si256((__m256i *)(s + j + 8), _mm256_cvtepi16_epi32(_mm256_extracti128_si256(next, 1)));
                const __m256i code = _mm256_add_epi16(next, bound.offset);
                if (codes8) _mm_storeu_si128((__m128i *)(codes8 + row * hp + j),
                                             _mm_packus_epi16(_mm256_castsi256_si128(code), _mm256_extracti128_si256(code, 1)));
                else _mm256_storeu_si256((__m256i *)(codes16 + row * hp + j), code);
            }
        }
    }
}

GQ_AVX2 void gq_cell_rows16_avx2(int rows, const int32_t *x_sums, const int32_t *h_sums, int32_t *state,
                                 uint8_t *codes8, int16_t *codes16, int32_t code_offset, const gq_cell_constants *k) {
    // The usual forms in a loop of their own, the rest with run-time choices (as on AVX-512).
    if (k->narrow.usual) cell_rows16(rows, x_sums, h_sums, state, codes8, codes16, code_offset, k, 1, 2);
    else cell_rows16(rows, x_sums, h_sums, state, codes8, codes16, code_offset, k, 0, 0);
}

#else

// Not an x86-64 machine: the Swift engine runs everything.
int gq_avx2_available(void) { return 0; }

int gq_avxvnni_available(void) { return 0; }

void gq_product_u8s8_avxvnni(int rows, int quads, int vectors, const uint8_t *a, int lda,
                             const int8_t *w, int32_t *c, int ldc) {
    (void)rows; (void)quads; (void)vectors; (void)a; (void)lda; (void)w; (void)c; (void)ldc;
    __builtin_trap();
}

void gq_product_i16_avx2(int rows, int pairs, int vectors, const int16_t *a, int lda,
                         const int16_t *w, int32_t *c, int ldc) {
    (void)rows; (void)pairs; (void)vectors; (void)a; (void)lda; (void)w; (void)c; (void)ldc;
    __builtin_trap();
}

void gq_cell_rows16_avx2(int rows, const int32_t *x_sums, const int32_t *h_sums, int32_t *state,
                         uint8_t *codes8, int16_t *codes16, int32_t code_offset, const gq_cell_constants *k) {
    (void)rows; (void)x_sums; (void)h_sums; (void)state; (void)codes8; (void)codes16; (void)code_offset; (void)k;
    __builtin_trap();
}

#endif
