#ifndef GQ_CSIGNALS_H
#define GQ_CSIGNALS_H

// Ctrl-C as a flag that long commands poll at safe points.
// A signal handler may only touch a volatile sig_atomic_t, so the flag lives in C.

/// Installs a SIGINT handler that sets the interrupt flag. Without SA_RESTART,
/// so a blocking read() returns EINTR and the line editor can notice.
void gq_install_interrupt_handler(void);

/// Restores the default SIGINT action (the process dies on Ctrl-C).
void gq_restore_default_interrupt(void);

/// 1 when Ctrl-C was pressed since the last clear.
int gq_interrupt_pending(void);

/// Forgets a pending Ctrl-C.
void gq_clear_interrupt(void);

#endif
