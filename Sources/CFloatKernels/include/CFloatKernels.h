#ifndef GQ_CFLOATKERNELS_H
#define GQ_CFLOATKERNELS_H

#include <stdint.h>

// The float GEMM's micro-kernels on AVX-512 and on AVX2 + FMA, in C because the register
// tiles that reach the FMA units' throughput need more accumulators than Swift's SIMD types
// reliably keep in registers. Each function carries its own target attribute and is called
// only after gq_sgemm_instructions() said which set runs, so one binary runs on any x86-64;
// elsewhere the check says 0 and Swift's kernels (Sources/Kernels/GEMM.swift) run.
//
// Every element of C is summed in the same order as Swift's kernels: from 0, one fused
// multiply-add per depth in order, then added to C. So either path, and any row tile, gives
// the same bits.

/// 2 when the AVX-512 kernels run, 1 the AVX2 + FMA ones, 0 neither.
int gq_sgemm_instructions(void);

/// Rows per packed panel of A for `instructions` (8 on AVX-512, 6 on AVX2).
int gq_sgemm_panel_rows(int instructions);

/// C[m×n] += A·B for one depth block of `k` depths: A's element (i, p) at
/// a[i·row_stride + p·depth_stride] (so A or Aᵀ as stored), B row-major (k × n, `ldb`),
/// C row-major (`ldc`). `pack` has room for ⌈m / panel rows⌉ · panel rows · k floats.
void gq_sgemm_block(int instructions, int m, int n, int k, const float *a, long row_stride, long depth_stride,
                    const float *b, long ldb, float *c, long ldc, float *pack);

/// Makes the calling thread's float arithmetic flush subnormal operands and results to zero
/// (MXCSR's FTZ and DAZ on x86-64, FPCR's FZ on arm64; nothing elsewhere), single and double
/// precision, and returns the previous control word for gq_restore_float_mode. Training's
/// gradients fade through long sequences into subnormals, which x86 cores handle in microcode
/// at ~100 cycles an operation: a GRU of 128 units trained 8x slower per step at 400 steps
/// than at 100 (docs/training.md, "Subnormal floats").
uint64_t gq_flush_subnormals(void);

/// Puts back the control word gq_flush_subnormals returned, on the same thread.
void gq_restore_float_mode(uint64_t saved);

#endif
