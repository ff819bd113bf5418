/* Counts the instructions of an exported model's integer step under QEMU (scripts/mcu-bench).
 *
 * Every measured function is timed twice by the same code: once for real and once as an empty
 * function of the same signature (empty.c). Both go through a function pointer into a noipa
 * routine, so the loop, the call and the SysTick readings are the same machine code in both
 * runs, and the difference of the two runs' ticks is the function's own work. The script turns
 * ticks into instructions (40 per tick) and divides by the number of calls.
 *
 * Prints, through semihosting:
 *   calibration TICKS_KNOWN TICKS_EMPTY CALLS INSTRUCTIONS   (a routine of a known length)
 *   quantizer TICKS EMPTY_TICKS CALLS                        (net_input_codes, once per step)
 *   step TICKS EMPTY_TICKS CALLS                             (net_step_codes, the integer step)
 *   head TICKS EMPTY_TICKS CALLS                             (net_logits64, once per sequence)
 *   state_bytes N
 *   seq INDEX PREDICTED LOGIT0 ... LOGITC-1                  (one line per sequence)
 *   done
 *
 * NET_INPUT_CODE is the export's input code type, given with -D (net_input_code in the
 * current export, int32_t in older ones that had no such typedef). */
#include <stdio.h>
#include <string.h>
#include "net.h"
#include "sequences.h"
#include "known.h"

#ifndef NET_INPUT_CODE
#error "compile with -DNET_INPUT_CODE=<the export's input code type>"
#endif
typedef NET_INPUT_CODE code_t;

typedef void quantizer_fn(const float *x, code_t *codes);
typedef void step_fn(net_state *state, const code_t *codes);
typedef void head_fn(const net_state *state, int64_t *out);

/* empty.c and known.S: separate objects, so every call is a real call. */
void empty_input_codes(const float *x, code_t *codes);
void empty_step_codes(net_state *state, const code_t *codes);
void empty_logits64(const net_state *state, int64_t *out);

static code_t codes[SEQUENCE_TOTAL_STEPS * NET_FEATURES];  /* every step's input codes */
static net_state finals[SEQUENCE_COUNT];                    /* each sequence's last state */
static int64_t logits[SEQUENCE_COUNT][NET_CLASSES];

/* Input codes of every step, computed before the steps are timed so the step count is the
   integer arithmetic alone. */
static uint64_t __attribute__((noipa)) run_quantizer(quantizer_fn *quantize) {
    timer_laps t;
    long k;
    timer_begin(&t);
    for (k = 0; k < SEQUENCE_TOTAL_STEPS; k++) {
        quantize(&sequence_values[k * NET_FEATURES], &codes[k * NET_FEATURES]);
        timer_lap(&t);
    }
    return t.ticks;
}

/* Every sequence from a reset state; the reset and the copy of the last state are in both
   runs alike, so they cancel. */
static uint64_t __attribute__((noipa)) run_steps(step_fn *step) {
    timer_laps t;
    net_state state;
    long k = 0;
    int i, s;
    timer_begin(&t);
    for (i = 0; i < SEQUENCE_COUNT; i++) {
        net_reset(&state);
        timer_lap(&t);
        for (s = 0; s < sequence_steps[i]; s++, k++) {
            step(&state, &codes[k * NET_FEATURES]);
            timer_lap(&t);
        }
        memcpy(&finals[i], &state, sizeof state);
        timer_lap(&t);
    }
    return t.ticks;
}

static uint64_t __attribute__((noipa)) run_head(head_fn *head) {
    timer_laps t;
    int i;
    timer_begin(&t);
    for (i = 0; i < SEQUENCE_COUNT; i++) {
        head(&finals[i], logits[i]);
        timer_lap(&t);
    }
    return t.ticks;
}

int main(void) {
    uint64_t real, empty;
    int i, c;
    timer_start();

    empty = run_known(known_nops_0);
    real = run_known(known_nops_400);
    printf("calibration %llu %llu %d %d\n", (unsigned long long)real, (unsigned long long)empty,
           KNOWN_CALLS, KNOWN_INSTRUCTIONS);

    /* The empty runs go first: they leave codes, finals and logits untouched, and the real runs
       that follow fill them. */
    empty = run_quantizer(empty_input_codes);
    real = run_quantizer(net_input_codes);
    printf("quantizer %llu %llu %ld\n", (unsigned long long)real, (unsigned long long)empty,
           (long)SEQUENCE_TOTAL_STEPS);

    empty = run_steps(empty_step_codes);
    real = run_steps(net_step_codes);
    printf("step %llu %llu %ld\n", (unsigned long long)real, (unsigned long long)empty,
           (long)SEQUENCE_TOTAL_STEPS);

    empty = run_head(empty_logits64);
    real = run_head(net_logits64);
    printf("head %llu %llu %d\n", (unsigned long long)real, (unsigned long long)empty, SEQUENCE_COUNT);

    printf("state_bytes %u\n", (unsigned)sizeof(net_state));
    for (i = 0; i < SEQUENCE_COUNT; i++) {
        printf("seq %d %d", i, net_classify(&finals[i]));
        for (c = 0; c < NET_CLASSES; c++) printf(" %lld", (long long)logits[i][c]);
        printf("\n");
    }
    printf("done\n");
    return 0;
}
