/* Empty functions with the signatures bench.c times: the harness's own cost (loop, call,
   SysTick readings) measured the same way as the real functions, and subtracted from them.
   A separate object so that no call is inlined or folded away. */
#include "net.h"

void empty_input_codes(const float *x, NET_INPUT_CODE *codes) {
    (void)x;
    (void)codes;
}

void empty_step_codes(net_state *state, const NET_INPUT_CODE *codes) {
    (void)state;
    (void)codes;
}

void empty_logits64(const net_state *state, int64_t *out) {
    (void)state;
    (void)out;
}
