// The float GEMM's packed-panel micro-kernels; see include/CFloatKernels.h for the contract.
// A depth block of A is packed into panels of R rows, depth-major (R values per depth,
// contiguous), so the micro-kernel broadcasts from one stream whether A was stored plain
// or transposed; B is read in place, a row of the tile's columns per depth. A tile of R
// rows × 2 vectors keeps 2R accumulators: 16 zmm of 32 on AVX-512 (8 × 32 floats), 12 ymm
// of 16 on AVX2 (6 × 16), enough independent FMA chains to cover both units' latency.

#include "CFloatKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

#include <immintrin.h>
#include <string.h>

#define GQ_AVX512 __attribute__((target("avx512f")))
#define GQ_AVX2 __attribute__((target("avx2,fma")))

int gq_sgemm_instructions(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
    return 0;
}

int gq_sgemm_panel_rows(int instructions) { return instructions == 2 ? 8 : 6; }

// Panels of R rows: pack[panel][p][i] = A(r0 + i, p), zero past the last row. R is a
// constant at each call, so a whole panel's depth (Aᵀ's R adjacent values) is one copy.
static inline __attribute__((always_inline)) void pack_a(const int R, int m, int k, const float *a, long row_stride,
                                                         long depth_stride, float *pack) {
    int r0 = 0;
    if (row_stride == 1 && depth_stride != 1) {
        // Aᵀ stored (the weight gradients' k × m gate gradients): each depth is a row of m
        // adjacent values, read once front to back and dealt R at a time to the full panels.
        // (A copy the compiler can keep in vector registers: R floats are one 256-bit move,
        // where an element loop compiled to scalar moves and took a fifth of the product.)
        const int full = m / R * R;
        for (int p = 0; p < k; p++) {
            const float *depth = a + (long)p * depth_stride;
            for (int q = 0; q < full; q += R) memcpy(pack + (long)q * k + (long)p * R, depth + q, sizeof(float) * R);
        }
        r0 = full;
    }
    for (; r0 < m; r0 += R) {
        float *panel = pack + (long)r0 * k;
        const int rows = m - r0 < R ? m - r0 : R;
        if (depth_stride == 1) {
            for (int i = 0; i < rows; i++) {
                const float *row = a + (long)(r0 + i) * row_stride;
                for (int p = 0; p < k; p++) panel[p * R + i] = row[p];
            }
        } else {
            for (int p = 0; p < k; p++) {
                const float *depth = a + (long)p * depth_stride + (long)r0 * row_stride;
                for (int i = 0; i < rows; i++) panel[p * R + i] = depth[i * row_stride];
            }
        }
        for (int i = rows; i < R; i++)
            for (int p = 0; p < k; p++) panel[p * R + i] = 0;
    }
}

// ---- AVX-512: 8 rows × 32 columns ------------------------------------------------------

GQ_AVX512 static void tile512(int k, const float *panel, const float *b, long ldb, float *c, long ldc,
                              int rows, int columns) {
    const __mmask16 m0 = columns >= 16 ? 0xFFFF : (__mmask16)((1u << columns) - 1);
    const __mmask16 m1 = columns >= 32 ? 0xFFFF : columns > 16 ? (__mmask16)((1u << (columns - 16)) - 1) : 0;
    __m512 acc[8][2];
    for (int i = 0; i < 8; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    for (int p = 0; p < k; p++) {
        const __m512 b0 = _mm512_maskz_loadu_ps(m0, b + p * ldb), b1 = _mm512_maskz_loadu_ps(m1, b + p * ldb + 16);
        const float *x = panel + p * 8;
        for (int i = 0; i < 8; i++) {
            const __m512 a = _mm512_set1_ps(x[i]);
            acc[i][0] = _mm512_fmadd_ps(a, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(a, b1, acc[i][1]);
        }
    }
    for (int i = 0; i < rows; i++) {
        float *row = c + i * ldc;
        _mm512_mask_storeu_ps(row, m0, _mm512_add_ps(_mm512_maskz_loadu_ps(m0, row), acc[i][0]));
        _mm512_mask_storeu_ps(row + 16, m1, _mm512_add_ps(_mm512_maskz_loadu_ps(m1, row + 16), acc[i][1]));
    }
}

GQ_AVX512 static void block512(int m, int n, int k, const float *b, long ldb, float *c, long ldc, const float *pack) {
    for (int j = 0; j < n; j += 32) {
        const int columns = n - j < 32 ? n - j : 32;
        for (int r0 = 0; r0 < m; r0 += 8)
            tile512(k, pack + (long)r0 * k, b + j, ldb, c + (long)r0 * ldc + j, ldc, m - r0 < 8 ? m - r0 : 8, columns);
    }
}

// ---- AVX2 + FMA: 6 rows × 16 columns ---------------------------------------------------

static inline __attribute__((always_inline)) GQ_AVX2 __m256i lanes_below(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// `full`, a constant at each call: all 16 columns, read with plain loads (vmaskmovps is
// slower, and only the last tile of a row needs it).
static inline __attribute__((always_inline)) GQ_AVX2 void tile256(int k, const float *panel, const float *b, long ldb, float *c, long ldc,
                                                                  int rows, int columns, const int full) {
    const __m256i m0 = lanes_below(columns), m1 = lanes_below(columns - 8);
    __m256 acc[6][2];
    for (int i = 0; i < 6; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    for (int p = 0; p < k; p++) {
        const __m256 b0 = full ? _mm256_loadu_ps(b + p * ldb) : _mm256_maskload_ps(b + p * ldb, m0);
        const __m256 b1 = full ? _mm256_loadu_ps(b + p * ldb + 8) : _mm256_maskload_ps(b + p * ldb + 8, m1);
        const float *x = panel + p * 6;
        for (int i = 0; i < 6; i++) {
            const __m256 a = _mm256_broadcast_ss(x + i);
            acc[i][0] = _mm256_fmadd_ps(a, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(a, b1, acc[i][1]);
        }
    }
    for (int i = 0; i < rows; i++) {
        float *row = c + i * ldc;
        _mm256_maskstore_ps(row, m0, _mm256_add_ps(_mm256_maskload_ps(row, m0), acc[i][0]));
        _mm256_maskstore_ps(row + 8, m1, _mm256_add_ps(_mm256_maskload_ps(row + 8, m1), acc[i][1]));
    }
}

GQ_AVX2 static void block256(int m, int n, int k, const float *b, long ldb, float *c, long ldc, const float *pack) {
    for (int j = 0; j < n; j += 16) {
        const int columns = n - j < 16 ? n - j : 16;
        for (int r0 = 0; r0 < m; r0 += 6) {
            const int rows = m - r0 < 6 ? m - r0 : 6;
            if (columns == 16) tile256(k, pack + (long)r0 * k, b + j, ldb, c + (long)r0 * ldc + j, ldc, rows, 16, 1);
            else tile256(k, pack + (long)r0 * k, b + j, ldb, c + (long)r0 * ldc + j, ldc, rows, columns, 0);
        }
    }
}

void gq_sgemm_block(int instructions, int m, int n, int k, const float *a, long row_stride, long depth_stride,
                    const float *b, long ldb, float *c, long ldc, float *pack) {
    if (m <= 0 || n <= 0 || k <= 0) return;
    if (instructions == 2) {
        pack_a(8, m, k, a, row_stride, depth_stride, pack);
        block512(m, n, k, b, ldb, c, ldc, pack);
    } else {
        pack_a(6, m, k, a, row_stride, depth_stride, pack);
        block256(m, n, k, b, ldb, c, ldc, pack);
    }
}

#else

int gq_sgemm_instructions(void) { return 0; }

int gq_sgemm_panel_rows(int instructions) { (void)instructions; return 8; }

void gq_sgemm_block(int instructions, int m, int n, int k, const float *a, long row_stride, long depth_stride,
                    const float *b, long ldb, float *c, long ldc, float *pack) {
    (void)instructions; (void)m; (void)n; (void)k; (void)a; (void)row_stride; (void)depth_stride;
    (void)b; (void)ldb; (void)c; (void)ldc; (void)pack;
    __builtin_trap();
}

#endif
