/* Two routines whose lengths differ by exactly 400 instructions, to check the method: timed like
   everything else, their difference must come out as 400 instructions per call (scripts/mcu-bench
   fails otherwise, for example if SysTick did not tick once per 40 instructions). */
    .syntax unified
    .thumb
    .text

    .global known_nops_0
    .type known_nops_0, %function
    .thumb_func
known_nops_0:
    bx lr
    .size known_nops_0, . - known_nops_0

    .global known_nops_400
    .type known_nops_400, %function
    .thumb_func
known_nops_400:
    .rept 400
    nop
    .endr
    bx lr
    .size known_nops_400, . - known_nops_400
