/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the engine's internal calls between the task layer
 * (sim/task.c), the scheduler loop (sim/sched.c), the liveness detectors
 * (sim/liveness.c) and the reports (sim/report.c). Nothing outside sim/
 * includes it.
 */
#ifndef HVSIM_SCHED_H
#define HVSIM_SCHED_H

#include "sim/world.h"

/* Switch from the running task to the scheduler; returns when the
 * scheduler picks the task again. */
void sim__sched_switch_out(SimWorld *w);

/* End the execution from inside a task (a report was raised, or a limit
 * hit): switch to the scheduler for good. */
_Noreturn void sim__sched_abort(SimWorld *w);

/* Change a task's state, keeping the runnable count. */
void sim__task_set_state(SimWorld *w, SimTask *t, SimTaskState s);

/* Is @e a timeout whose waiter was already woken? Such events are dropped
 * without moving the clock. */
bool sim__event_stale(const SimEvent *e);

/* Return every task of the last execution to the pool. */
void sim__tasks_reset(SimWorld *w);
void sim__tasks_free(SimWorld *w);

/* Scripted ordering constraints (sim/sched.c). */
void sim__orders_reset(SimWorld *w);

/* Liveness (sim/liveness.c): called by the scheduler loop. */
/* No runnable task and no event: report the wait-for cycle. */
void sim__liveness_deadlock(SimWorld *w);
/* The earliest time a blocked task crosses the hung-task threshold, or
 * UINT64_MAX. */
SimTime sim__liveness_next_hung(SimWorld *w);
/* Report the task(s) hung at the current time. */
void sim__liveness_hung(SimWorld *w);

/* "comm/pid" of task @id, or "host" for 0 (sim/trace.c). */
void sim__trace_task_label(GString *out, const SimWorld *w, uint32_t id);

/* One trace event on one line, for the report trailer (sim/trace.c). */
void sim__trace_format_event(GString *out, const SimWorld *w,
			     const SimTraceEvent *ev);

/* Restore the drivers' globals to their load-time image (sim/snapshot.c). */
void sim__drivers_restore(void);

#endif /* HVSIM_SCHED_H */
