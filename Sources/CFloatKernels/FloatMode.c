// The calling thread's handling of subnormal floats; see include/CFloatKernels.h.

#include "CFloatKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

#include <xmmintrin.h>

// MXCSR's flush-to-zero (bit 15: subnormal results become 0) and denormals-are-zero (bit 6:
// subnormal operands read as 0).
unsigned long gq_flush_subnormals(void) {
    const unsigned int saved = _mm_getcsr();
    _mm_setcsr(saved | 0x8040u);
    return saved;
}

void gq_restore_float_mode(unsigned long saved) { _mm_setcsr((unsigned int)saved); }

#elif defined(__aarch64__) && (defined(__clang__) || defined(__GNUC__))

// FPCR's FZ (bit 24) flushes subnormal operands and results of single-precision arithmetic.
unsigned long gq_flush_subnormals(void) {
    unsigned long saved;
    __asm__ volatile("mrs %0, fpcr" : "=r"(saved));
    __asm__ volatile("msr fpcr, %0" : : "r"(saved | (1ul << 24)));
    return saved;
}

void gq_restore_float_mode(unsigned long saved) { __asm__ volatile("msr fpcr, %0" : : "r"(saved)); }

#else

unsigned long gq_flush_subnormals(void) { return 0; }
void gq_restore_float_mode(unsigned long saved) { (void)saved; }

#endif
