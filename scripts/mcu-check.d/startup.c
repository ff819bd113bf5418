/* A minimal Cortex-M start: vector table, .data/.bss set-up, semihosting, main, exit. */
#include <stdlib.h>

extern unsigned _data_load, _data_start, _data_end, _bss_start, _bss_end, _stack_top;
extern void initialise_monitor_handles(void);
int main(void);

void reset_handler(void) {
    unsigned *from = &_data_load, *to = &_data_start;
    while (to < &_data_end) *to++ = *from++;
    for (to = &_bss_start; to < &_bss_end;) *to++ = 0;
    initialise_monitor_handles();
    exit(main());
}

/* newlib's exit runs the fini array through these; crti/crtn are not linked (-nostartfiles). */
void _init(void) {}
void _fini(void) {}

static void fault_handler(void) {
    for (;;) {}
}

__attribute__((section(".vectors"), used))
static void (*const vectors[16])(void) = {
    (void (*)(void))&_stack_top, reset_handler, fault_handler, fault_handler, fault_handler, fault_handler,
    fault_handler, 0, 0, 0, 0, fault_handler, fault_handler, 0, fault_handler, fault_handler,
};
