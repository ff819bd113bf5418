/* Counts the instructions of one integer step (NET_step_codes) under QEMU with -icount shift=0:
   virtual time then advances 1 ns per instruction, so SysTick, clocked by the 25 MHz CPU clock,
   ticks once every 40 instructions. STEPS calls are timed as one run and the same run of an empty
   call of the same shape is subtracted, so the count is the step's own (exact to 40 / STEPS).
   Instructions, not cycles. Prints "instructions_per_step N". */
#include <stdio.h>
#include <stdint.h>
#include "net.h"

#ifndef STEPS
#define STEPS 200
#endif

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static net_state state;
static net_input_code codes[NET_FEATURES];

/* The call the step is measured against: same arguments, no work. */
__attribute__((noinline)) static void empty_step(net_state *s, const net_input_code *c) {
    __asm__ volatile("" : : "r"(s), "r"(c) : "memory");
}

static uint32_t elapsed(void (*step)(net_state *, const net_input_code *)) {
    uint32_t start, end;
    int t;
    net_reset(&state);
    start = SYST_CVR;
    for (t = 0; t < STEPS; t++) {
        codes[t % NET_FEATURES] = (net_input_code)(((t * 37) % 15) - 7);  /* inputs that change */
        step(&state, codes);
    }
    end = SYST_CVR;
    return (start - end) & 0xFFFFFFu;  /* a 24-bit down-counter */
}

int main(void) {
    uint32_t step, empty;
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 5;  /* enabled, processor clock, no interrupt */
    step = elapsed(net_step_codes);
    empty = elapsed(empty_step);
    printf("instructions_per_step %lu\n", (unsigned long)(((uint64_t)(step - empty) * 40u + STEPS / 2) / STEPS));
    return 0;
}
