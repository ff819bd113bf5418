/* SysTick as an instruction counter under `qemu-system-arm -icount shift=0` (scripts/mcu-bench, scripts/mcu-check.d/count.c).
 *
 * With icount shift=0 QEMU advances virtual time by 1 ns per executed instruction; the MPS2
 * boards clock the CPU at 25 MHz, so SysTick on the processor clock (CLKSOURCE = 1) ticks once
 * every 40 instructions. The counter counts DOWN from LOAD and wraps at 2^24 ticks.
 *
 * The harnesses read the counter after every timed call and sum the differences between
 * consecutive readings (timer_lap). Each difference is taken modulo 2^24, so wraps are handled as
 * long as one lap stays under 2^24 ticks (671 million instructions), and the differences
 * telescope: the sum is the whole run's ticks to within one tick, whatever the phase of each
 * reading. A run of many calls therefore resolves far better than 40 instructions per call. */
#ifndef MCU_BENCH_SYSTICK_H
#define MCU_BENCH_SYSTICK_H

#include <stdint.h>

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_MASK 0xFFFFFFu
#define INSTRUCTIONS_PER_TICK 40

/* LOAD = 0xFFFFFF, VAL = 0 (any write clears it), CTRL = 5: enabled, processor clock, no interrupt. */
static inline void timer_start(void) {
    SYST_RVR = SYST_MASK;
    SYST_CVR = 0;
    SYST_CSR = 5;
}

typedef struct {
    uint32_t last;   /* the previous reading */
    uint64_t ticks;  /* ticks summed since timer_begin */
} timer_laps;

static inline void timer_begin(timer_laps *t) {
    t->ticks = 0;
    t->last = SYST_CVR;
}

/* Adds the ticks since the previous reading (the counter counts down). */
static inline void timer_lap(timer_laps *t) {
    uint32_t now = SYST_CVR;
    t->ticks += (t->last - now) & SYST_MASK;
    t->last = now;
}

#endif
