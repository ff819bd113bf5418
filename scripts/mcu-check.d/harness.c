/* Runs the exported model on the embedded sequences; prints "index predicted logit0 ... logitC-1". */
#include <stdio.h>
#include "net.h"
#include "sequences.h"

int main(void) {
    const float *x = sequence_values;
    int i;
    for (i = 0; i < SEQUENCE_COUNT; i++) {
        net_state state;
        int64_t logits[NET_CLASSES];
        int t, c;
        net_reset(&state);
        for (t = 0; t < sequence_steps[i]; t++, x += NET_FEATURES) net_step(&state, x);
        net_logits64(&state, logits);
        printf("%d %d", i, net_classify(&state));
        for (c = 0; c < NET_CLASSES; c++) printf(" %lld", (long long)logits[c]);
        printf("\n");
    }
    printf("done\n");
    return 0;
}
