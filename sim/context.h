/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the coroutine switch the engine runs tasks on: each
 * task has its own stack, and a switch saves the callee-saved registers on
 * the old stack, swaps stack pointers and restores them from the new one.
 * No signal mask is touched, so a switch costs a few nanoseconds (the
 * brief's target is 20 ns; swapcontext costs ~230 ns for its sigprocmask).
 *
 * It sits below sim/task.c and sim/sched.c, which are its only users.
 */
#ifndef HVSIM_CONTEXT_H
#define HVSIM_CONTEXT_H

#include <stddef.h>

/*
 * sim__ctx_switch - save the running context's stack pointer in *@from_sp
 * and resume the context whose stack pointer is @to_sp.
 */
void sim__ctx_switch(void **from_sp, void *to_sp);

/*
 * sim__ctx_make - prepare a fresh stack so that the first switch to the
 * returned stack pointer calls @entry(@arg) on it. @entry must never return.
 * The entry trampoline marks the outermost frame as the end of the stack for
 * unwinders.
 */
void *sim__ctx_make(void *stack, size_t size, void (*entry)(void *),
		    void *arg);

#endif /* HVSIM_CONTEXT_H */
