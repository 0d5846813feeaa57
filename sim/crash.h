/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares how hvsim survives a real crash: a hardware fault
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL) raised by code running in a simulated
 * task becomes the kernel's oops for that task, and every other fatal
 * signal gives an explorer's worker a last chance to record where it died.
 * It sits between the processor's traps and the reports (sim/report.h),
 * and under the explorer's worker pool (sim/pool.c).
 *
 * The handlers are installed when libhvsim is loaded (a constructor), so
 * `hvsim run`, `replay`, `explore`, `check` and the tests all turn a NULL
 * dereference in driver code into the same report. Outside a task (the
 * scheduler, a host model, the CLI), or when a fault strikes while the
 * handler is already building an oops, nothing is caught: the default
 * action runs, as if no handler were installed, after the fatal hook.
 */
#ifndef HVSIM_CRASH_H
#define HVSIM_CRASH_H

#include <signal.h>

/*
 * sim_crash_install - install the handlers on an alternate signal stack.
 * Idempotent; the library's constructor calls it.
 */
void sim_crash_install(void);

/*
 * A process about to die of @sig (an assertion's SIGABRT, a fault outside
 * any task, a fault inside the oops handler). Runs in signal context: only
 * async-signal-safe work (plain stores, memcpy, a raw stack capture).
 */
typedef void (*SimCrashFatalFn)(int sig, const siginfo_t *si, void *arg);

/* Set (or clear, with NULL) the process's fatal hook. */
void sim_crash_set_fatal_hook(SimCrashFatalFn fn, void *arg);

/* "SIGSEGV" for SIGSEGV, and so on; "SIG<n>" for the others. */
const char *sim_crash_signal_name(int sig, char *buf, size_t len);

#endif /* HVSIM_CRASH_H */
