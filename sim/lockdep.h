/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares lock-order prediction in lockdep's manner: lock
 * classes by name, a graph of "held A while acquiring B" dependencies
 * learned within an execution and across the executions of one world, and
 * lockdep's "WARNING: possible circular locking dependency detected"
 * report. Work items and workqueues are pseudo-locks named as lockdep
 * names them ("(work_completion)(&x->work)", "(wq_completion)events"), so
 * "flush a work item while holding a lock its function takes" is found.
 *
 * It sits between the lock shims (sim/kapi/mutex.c, spinlock.c, the
 * workqueues), which call the sim__lockdep_* hooks, and the verdict: see
 * "Verdict" below and docs/architecture.md, "Detectors".
 *
 * Verdict. The kernel's lockdep only warns, and the machine goes on; here
 * an execution has one verdict, a pure function of (scenario, variant,
 * seed, execution index). So:
 *  - a cycle closed by dependencies seen in the current execution alone is
 *    recorded as this execution's warning and the execution goes on; it
 *    becomes the verdict (SIM_BUG_LOCK_ORDER) only if the execution would
 *    otherwise end clean or as a runaway. A real deadlock or any other
 *    finding wins; a deadlock, livelock or hung-task report then carries
 *    one "hvsim: lockdep" line (sim/liveness.c), other reports do not;
 *  - a cycle that needs a dependency learned in an earlier execution never
 *    touches this execution's verdict: it is a prediction, listed by
 *    sim_lockdep_predictions() (each cycle once per world).
 */
#ifndef HVSIM_LOCKDEP_H
#define HVSIM_LOCKDEP_H

#include <stdint.h>

#include <glib.h>

#include "sim/report.h"
#include "sim/sim.h"

struct lockdep_map;

/* --------------------------------------------------------------- public -- */

typedef struct {
	uint64_t execution;	/* the execution whose acquisition closed it */
	uint64_t seed;
	char *summary;		/* "lock_a --> lock_b --> lock_a" */
	SimReport *report;	/* lockdep's format */
} SimLockdepPrediction;

/*
 * sim_lockdep_predictions - the cycles found so far in this world that
 * need dependencies of more than one execution, in the order found
 * (SimLockdepPrediction*). Owned by the world; never NULL.
 */
const GPtrArray *sim_lockdep_predictions(SimWorld *w);

/* The whole report of @p, framed as lockdep frames it, stacks symbolised. */
void sim_lockdep_prediction_format(const SimLockdepPrediction *p,
				   GString *out);

/*
 * sim_lockdep_warned - did lockdep warn in the current (or last)
 * execution, whether or not the warning became its verdict? Its one-line
 * summary (the cycle of classes, "a --> b --> a") in *@summary when
 * @summary is not NULL (NULL when it did not warn).
 */
gboolean sim_lockdep_warned(SimWorld *w, const char **summary);

/* Forget every class, dependency and prediction: a fresh start. */
void sim_lockdep_reset(SimWorld *w);

/* Size of the learned graph: classes and direct dependencies. */
void sim_lockdep_stats(SimWorld *w, unsigned int *nclasses,
		       unsigned int *ndeps);

/* ------------------------------------------------------------ shim hooks -- */

/*
 * sim__lockdep_acquire - @t attempts to acquire the lock of @next, at
 * @func (the acquiring function). Records a dependency from every lock @t
 * holds to @next's class and checks for a cycle. Call it at the attempt,
 * before blocking; not for trylocks (they cannot deadlock and add no
 * dependency, as in the kernel). @next must have been prepared for this
 * execution (sim__kapi_map_prepare). Cheap when @t holds nothing.
 */
void sim__lockdep_acquire_held(SimWorld *w, SimTask *t,
			       const struct lockdep_map *next,
			       const char *func);

static inline void sim__lockdep_acquire(SimWorld *w, SimTask *t,
					const struct lockdep_map *next,
					const char *func)
{
	if (t->nheld)
		sim__lockdep_acquire_held(w, t, next, func);
}

/*
 * sim__lockdep_acquire_release - an acquire immediately followed by a
 * release of the pseudo-lock @name (object id @id for printing): what
 * flush_work() and flush_workqueue() do with the work's and the
 * workqueue's lockdep maps.
 */
void sim__lockdep_acquire_release(SimWorld *w, SimTask *t, const char *name,
				  uint32_t id, const char *func);

/*
 * sim__lockdep_work_begin / _end - around one work item's function on a
 * worker: the worker holds "(wq_completion)<wq>" (@wq_name, id @wq_id)
 * and then the item's "(work_completion)..." (@work_name, id @work_id),
 * both acquired at @func ("process_one_work"). The maps live in the
 * engine, not in the work_struct, which the function may free.
 */
void sim__lockdep_work_begin(SimWorld *w, SimTask *t, const char *wq_name,
			     uint32_t wq_id, const char *work_name,
			     uint32_t work_id, const char *func);
void sim__lockdep_work_end(SimWorld *w, SimTask *t);

/* The class name of @map changed (lockdep_set_class, a re-init with
 * another name): forget its cached class. */
void sim__lockdep_map_renamed(SimWorld *w, const struct lockdep_map *map);

/*
 * "{+.+.}-{4:4}" for @map: its usage bits, plus the context of @t when @t
 * is not NULL (an acquisition in progress), and its wait type
 * (sim/kapi/lockcheck.c).
 */
void sim__kapi_lock_usage(const struct lockdep_map *map, const SimTask *t,
			  char out[24]);

#endif /* HVSIM_LOCKDEP_H */
