// The calling thread's handling of subnormal floats; see include/CFloatKernels.h.

#include "CFloatKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

#include <xmmintrin.h>

// MXCSR's flush-to-zero (bit 15: subnormal results become 0) and denormals-are-zero (bit 6:
// subnormal operands read as 0).
uint64_t gq_flush_subnormals(void) {
    const unsigned int saved = _mm_getcsr();
    _mm_setcsr(saved | 0x8040u);
    return saved;
}

void gq_restore_float_mode(uint64_t saved) { _mm_setcsr((unsigned int)saved); }

#elif defined(__aarch64__) && (defined(__clang__) || defined(__GNUC__))

// FPCR's FZ (bit 24) flushes subnormal operands and results, in single and double precision.
uint64_t gq_flush_subnormals(void) {
    uint64_t saved;
    __asm__ volatile("mrs %0, fpcr" : "=r"(saved));
    __asm__ volatile("msr fpcr, %0" : : "r"(saved | ((uint64_t)1 << 24)));
    return saved;
}

void gq_restore_float_mode(uint64_t saved) { __asm__ volatile("msr fpcr, %0" : : "r"(saved)); }

#else

uint64_t gq_flush_subnormals(void) { return 0; }
void gq_restore_float_mode(uint64_t saved) { (void)saved; }

#endif
