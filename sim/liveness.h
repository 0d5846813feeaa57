/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the liveness detectors' shared parts: the per-world
 * record that holds the state of the wait-for analysis (sim/liveness.c)
 * and of lock-order prediction (sim/lockdep.c), the hooks the shim calls
 * to feed them, and the view of the workqueues the wait-for graph needs
 * (implemented in sim/kapi/wq_graph.c, which alone knows the workqueues'
 * insides). It sits between the scheduler loop (sim/sched.c), the shim
 * (sim/kapi/) and the two detector files. Nothing outside sim/ includes it.
 */
#ifndef HVSIM_LIVENESS_H
#define HVSIM_LIVENESS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "sim/world.h"

typedef struct SimLockdep SimLockdep;
typedef struct SimLiveState SimLiveState;

/* The per-world record: created on first use, kept for the world's life. */
typedef struct {
	SimLockdep *lockdep;	/* sim/lockdep.c; learned across executions */
	SimLiveState *live;	/* sim/liveness.c; reset per execution */
} SimLivenessExt;

SimLivenessExt *sim__liveness_ext_make(SimWorld *w);

static inline SimLivenessExt *sim__liveness_ext(SimWorld *w)
{
	SimLivenessExt *x = w->ext[SIM_EXT_LIVENESS];

	return G_LIKELY(x) ? x : sim__liveness_ext_make(w);
}

/* Constructors and destructors of the two parts (their own files). */
SimLockdep *sim__lockdep_new(void);
void sim__lockdep_free(SimLockdep *ld);
SimLiveState *sim__live_new(void);
void sim__live_free(SimLiveState *ls);

/* ------------------------------------------------------ polling loops -- */

/*
 * Defaults of the polling-loop (livelock) detector. A task that sleeps
 * again and again at the same call site while no other task makes
 * progress is polling; once every task is done, idle, blocked or polling,
 * at least one is blocked, the only pending events are the pollers' own
 * wake-ups, and that has lasted SIM_POLL_WINDOW of virtual time with at
 * least SIM_POLL_MIN_ITERATIONS sleeps of each poller, the execution is a
 * deadlock.
 */
#define SIM_POLL_WINDOW			(10 * SIM_SEC)
#define SIM_POLL_MIN_ITERATIONS		3

/*
 * sim_liveness_set_poll_window - change the window (virtual time without
 * progress) and the minimum number of sleeps per poller; 0 keeps the
 * current value. Kept across executions.
 */
void sim_liveness_set_poll_window(SimWorld *w, SimTime window,
				  unsigned int min_iterations);

/* ------------------------------------------------------- shim hooks -- */

/*
 * sim__liveness_note_signal - @t completed or woke the object @obj (a
 * completion, a wait queue head): the wait-for graph uses it as evidence
 * of who signals @obj. Cheap: one store in a small ring per task.
 */
void sim__liveness_note_signal(SimWorld *w, const SimTask *t, const void *obj);

/* ------------------------------------- the workqueues, as the graph sees them -- */

#define SIM_STUCK_MAX_BUSY	8

/*
 * One pool_workqueue holding items that no worker runs, at a moment when
 * no task can run: its items wait behind its busy workers.
 */
typedef struct {
	const void *key;		/* the pool_workqueue; compared, never printed */
	const void *wq_key;		/* the workqueue (flush_workqueue's wait object) */
	const char *wq_name;		/* "hv_vmbus_con" */
	const char *func;		/* function of the first item waiting */
	const char *lock_name;		/* its "(work_completion)(&x->work)" */
	uint32_t id;			/* its object id */
	unsigned int queued;		/* items waiting (worklist + inactive) */
	SimTask *busy[SIM_STUCK_MAX_BUSY];	/* its busy workers, id order */
	int nbusy;
} SimStuckQueue;

/* Append every pool_workqueue with waiting items to @out (SimStuckQueue),
 * in workqueue creation order. */
void sim__kapi_stuck_queues(SimWorld *w, GArray *out);

/*
 * What a task blocked in flush_work() (@obj is the work_struct) or
 * flush_workqueue() (@obj is the workqueue's engine record) waits for:
 * the worker tasks running it (@tasks, at most @max) and the
 * pool_workqueues where it is still queued (@queues: their keys, at most
 * @max). Returns false when @obj is neither.
 */
bool sim__kapi_flush_targets(SimWorld *w, const void *obj,
			     SimTask **tasks, int *ntasks,
			     const void **queues, int *nqueues, int max);

/* ------------------------------------------------- scheduler call sites -- */

/*
 * sim__liveness_sample - called by the scheduler each time no task can
 * run and the clock is about to move to the next event. Tracks polling
 * loops and progress; when the execution is a livelock, raises the
 * deadlock report and returns true.
 */
bool sim__liveness_sample(SimWorld *w);

/* The lockdep side (sim/lockdep.c). */

/*
 * sim__lockdep_end - the execution ends (clean or by a limit) with no
 * finding: a lock-order warning recorded during it becomes its verdict.
 */
void sim__lockdep_end(SimWorld *w);

/* One "hvsim: lockdep ..." line for a deadlock report, when lockdep warned
 * in this execution before the deadlock. */
void sim__lockdep_note(SimWorld *w, SimReport *r);

#endif /* HVSIM_LIVENESS_H */
