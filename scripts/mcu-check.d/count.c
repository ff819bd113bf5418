/* Counts the instructions of one integer step (NET_step_codes) under QEMU with -icount shift=0:
   virtual time then advances 1 ns per instruction, so SysTick, clocked by the 25 MHz CPU clock,
   ticks once every 40 instructions. The ticks of STEPS calls are summed (systick.h) and the same
   run of an empty call of the same shape is subtracted, so the count is the step's own (exact to
   about 40 / STEPS).
   Instructions, not cycles. Prints "instructions_per_step N". */
#include <stdio.h>
#include <stdint.h>
#include "net.h"
#include "systick.h"

#ifndef STEPS
#define STEPS 200
#endif

static net_state state;
static net_input_code codes[NET_FEATURES];

/* The call the step is measured against: same arguments, no work. */
__attribute__((noinline)) static void empty_step(net_state *s, const net_input_code *c) {
    __asm__ volatile("" : : "r"(s), "r"(c) : "memory");
}

static uint64_t elapsed(void (*step)(net_state *, const net_input_code *)) {
    timer_laps t;
    int k;
    net_reset(&state);
    timer_begin(&t);
    for (k = 0; k < STEPS; k++) {
        codes[k % NET_FEATURES] = (net_input_code)(((k * 37) % 15) - 7);  /* inputs that change */
        step(&state, codes);
        timer_lap(&t);
    }
    return t.ticks;
}

int main(void) {
    uint64_t step, empty;
    timer_start();
    step = elapsed(net_step_codes);
    empty = elapsed(empty_step);
    printf("instructions_per_step %lu\n", (unsigned long)(((step - empty) * INSTRUCTIONS_PER_TICK + STEPS / 2) / STEPS));
    return 0;
}
