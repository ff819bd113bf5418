/* net: an LSTM classifier quantized by gq, integer-only inference.
 *
 * golden
 * cost model (instructions, not cycles; docs/quantization.md, "On the device"):
 *   Cortex-M4 (DSP): about 616 instructions per step (-O2), 9 B state + 64 B scratch
 *   Cortex-M3 (no DSP): about 593 instructions per step (-O2), 9 B state + 64 B scratch
 *
 * The arithmetic is docs/quantization.md of gq, bit for bit. Generated; do not edit. */
#ifndef NET_H
#define NET_H

#include <stdint.h>

#define NET_FEATURES 2
#define NET_HIDDEN 3
#define NET_CLASSES 2

/* One input code (8 bits). */
typedef int8_t net_input_code;

/* The states (h and c), as integer codes; the caller owns it (no dynamic memory). */
typedef struct {
    int8_t h[NET_HIDDEN];  /* 6 bits */
    int16_t c[NET_HIDDEN];  /* 12 bits */
} net_state;

/* Zero state: call before each sequence. */
void net_reset(net_state *state);
/* One time step of NET_FEATURES raw values, as the task gives them
   (standardised and quantized inside, in float32: no libm, the compiler's
   float support only). */
void net_step(net_state *state, const float *x);
/* The input quantizer alone: NET_FEATURES raw values to their codes. */
void net_input_codes(const float *x, net_input_code *codes);
/* One time step from input codes (what net_input_codes gives): integers only. */
void net_step_codes(net_state *state, const net_input_code *codes);
/* The integer logits of the state (scale: the head's; compare by size only). */
void net_logits(const net_state *state, int32_t *out);
/* The same, exact in 64 bits for any configuration. */
void net_logits64(const net_state *state, int64_t *out);
/* The class of the state: the first index of the largest logit. */
int net_classify(const net_state *state);

#endif
