#include "CSignals.h"
#include <pthread.h>
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t interrupt_flag = 0;

static void on_interrupt(int signo) {
    (void)signo;
    interrupt_flag = 1;
}

void gq_install_interrupt_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    sigaction(SIGINT, &action, NULL);
    /* A parent may start gq with SIGINT blocked (the mask is inherited across exec: a
       test runner's worker thread spawning it does); Ctrl-C must still reach the handler. */
    sigset_t interrupt;
    sigemptyset(&interrupt);
    sigaddset(&interrupt, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &interrupt, NULL);
}

void gq_restore_default_interrupt(void) {
    signal(SIGINT, SIG_DFL);
}

int gq_interrupt_pending(void) {
    return interrupt_flag != 0;
}

void gq_clear_interrupt(void) {
    interrupt_flag = 0;
}
