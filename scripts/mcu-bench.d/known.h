/* The counting method's own check (scripts/mcu-bench): known.S holds two routines whose
   instruction counts differ by exactly KNOWN_INSTRUCTIONS; timing both as the harnesses time a
   step must give that difference. Separate objects, so every call is a real call. */
#ifndef MCU_BENCH_KNOWN_H
#define MCU_BENCH_KNOWN_H

#include "systick.h"

typedef void known_fn(void);
void known_nops_0(void);
void known_nops_400(void);
#define KNOWN_INSTRUCTIONS 400
#define KNOWN_CALLS 200

static uint64_t __attribute__((noipa)) run_known(known_fn *known) {
    timer_laps t;
    int i;
    timer_begin(&t);
    for (i = 0; i < KNOWN_CALLS; i++) {
        known();
        timer_lap(&t);
    }
    return t.ticks;
}

#endif
