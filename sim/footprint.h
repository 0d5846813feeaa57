/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares step footprints and the per-step access budget: what
 * one step (the code a task runs between two scheduling points) read and
 * wrote, recorded so the exhaustive search (sim/dfs.c) can tell two steps
 * that commute from two that do not; and the runaway guard that ends an
 * execution whose step never reaches a scheduling point. It sits between
 * the scheduler loop and tasks (sim/sched.c, sim/task.c), which mark step
 * boundaries, the KASAN hooks (sim/kasan.c), which see every driver load
 * and store, and the search.
 *
 * The budget. Every instrumented access decrements SimWorld.step_budget;
 * the hooks leave their fast path only when it goes negative. Each
 * scheduling point refills it to the limit (SimLimits.max_step_accesses,
 * SIM_MAX_STEP_ACCESSES when 0). Running dry is a runaway: a
 * "soft lockup" report. That costs one decrement and one predictable
 * branch per access, in every strategy.
 *
 * Footprints. When a search attaches a recorder to the world
 * (SimWorld.footprint) and asks for the next step to be recorded, the
 * budget is held at -1 so every access takes the slow path, which adds it
 * to the step's set (and counts it against the same limit). At the end of
 * the step the set is frozen into a SimFp: sorted keys, each a location
 * and whether it was read and/or written. Locations:
 *
 *  - memory, by 8-byte granule: driver loads and stores (the hooks; a
 *    load counts as a write, see sim__footprint_access()); the
 *    shim's own access to a driver object (sim_heap_check(): a lock,
 *    completion, wait queue head, work item, tasklet, atomic; always a
 *    write, because a shim call on an object may change the object or the
 *    waiters hidden behind it); a host model's read of guest memory
 *    (sim_heap_accessible()); the heap objects a step allocated or freed
 *    (from the trace). Addresses on a task's stack are renamed (task id,
 *    offset), because the stack pool hands stacks out in an order that
 *    depends on earlier executions, while heap and driver globals sit at
 *    the same address in every execution with the same prefix. Any other
 *    address (memory the shim or a model got from malloc for one
 *    execution, e.g. a task_struct shadow or a system workqueue, whose
 *    address may differ between two executions with the same prefix) is
 *    one location, "unstable": all such accesses conflict;
 *  - shim object ids carried by the step's trace events (lock, unlock,
 *    complete, wake_up, atomic, queue_work ...): writes;
 *  - pseudo-locations for engine state no address names: the event queue
 *    (a step that queued or cancelled an event), the allocator (a step
 *    that allocated: bump allocation orders the addresses), and "shim"
 *    for the shim's internal state: task creation, workqueue, tasklet,
 *    device and host traffic, a block on or a wake through an object the
 *    step did not touch as memory (a worker going idle, schedule(),
 *    kthread_stop, flushes, quiescence).
 *
 * Two footprints conflict when some location is in both and one of them
 * writes it, or when either is "all" (something was lost: then every step
 * conflicts with it).
 */
#ifndef HVSIM_FOOTPRINT_H
#define HVSIM_FOOTPRINT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/world.h"

/*
 * Instrumented accesses one step may make before it is a runaway. The
 * steps of the storvsc scenario make a few dozen at most (25 over 600
 * random executions); ten million is far beyond any loop that ends, and
 * spinning through them takes a few tens of milliseconds.
 */
#define SIM_MAX_STEP_ACCESSES	10000000ULL

/* A frozen footprint; immutable, owned by whoever froze it. */
typedef struct SimFp SimFp;

/* The recorder attached to a world (SimWorld.footprint). */
typedef struct SimFootprint SimFootprint;

/* The budget of one step in @w. */
static inline int64_t sim__step_access_limit(const SimWorld *w)
{
	return (int64_t)(w->limits.max_step_accesses ?
			 w->limits.max_step_accesses : SIM_MAX_STEP_ACCESSES);
}

/* Out-of-line halves of the inline step hooks below. */
void sim__footprint_step_begin(SimWorld *w, SimTask *t);
void sim__footprint_step_end(SimWorld *w, SimTask *t);
void sim__footprint_point(SimWorld *w);

/* The scheduler is about to run @t until its next switch out. */
static inline void sim__step_begin(SimWorld *w, SimTask *t)
{
	if (__builtin_expect(w->footprint != NULL, 0))
		sim__footprint_step_begin(w, t);
	else
		w->step_budget = sim__step_access_limit(w);
}

/* @t switched out to the scheduler. */
static inline void sim__step_end(SimWorld *w, SimTask *t)
{
	if (__builtin_expect(w->footprint != NULL, 0))
		sim__footprint_step_end(w, t);
}

/* A scheduling point that may not switch (sim_yield's fast path). */
static inline void sim__step_point(SimWorld *w)
{
	if (__builtin_expect(w->footprint != NULL, 0))
		sim__footprint_point(w);
	else
		w->step_budget = sim__step_access_limit(w);
}

/*
 * The slow path of the KASAN hooks (sim/kasan.c calls it when the budget
 * went negative): records the access when a footprint is being recorded,
 * else, or past the limit, reports the runaway. Does not return then.
 *
 * The hooks pass every load of compiled driver code with @write set: GCC
 * drops the check of a store that a check of the same address dominates
 * with no call in between (its sanopt pass ignores whether either is a
 * store), so `x->n++` reaches the hooks as a load only. A load may thus
 * hide a store, and only loads made by the simulator itself (memcpy's
 * source, the string functions, a host model) count as reads.
 */
void sim__footprint_access(SimWorld *w, uintptr_t addr, size_t size,
			   bool write);

/*
 * Record an access made by uninstrumented code on the driver's behalf
 * (the shim, a host model). A no-op unless a step is being recorded.
 */
void sim__footprint_touch(SimWorld *w, uintptr_t addr, size_t size,
			  bool write);

/* The runaway report (sim/kasan.c): "watchdog: BUG: soft lockup ...". */
_Noreturn void sim__kasan_report_runaway(SimWorld *w, uint64_t accesses);

/*
 * Address range of heap object @id of this execution (sim/kasan.c, which
 * sees the heap's inside); false if there is none.
 */
bool sim__heap_obj_range(SimWorld *w, uint32_t id, uintptr_t *lo,
			 size_t *len);

/*
 * The simulated heap's reservation [@lo, @hi), of which [@alias, @hi) is
 * the vmalloc alias of the page arena, @delta bytes above the direct map
 * of the same pages (sim/kasan.c). A footprint names a page by its
 * direct-map address, whichever mapping the access used.
 */
void sim__heap_bounds(SimWorld *w, uintptr_t *lo, uintptr_t *alias,
		      uintptr_t *hi, size_t *delta);

/* ----------------------------------------------------- for the search -- */

/*
 * Called before every step the recorder sees: @t is about to run. The
 * callee may end the execution there (w->stop): the step does not run.
 */
typedef void (*SimFootprintBeginFn)(void *arg, SimTask *t);
/*
 * Called at the end of every step the recorder saw: @t ran, @fp is its
 * footprint when the step was recorded (the callee takes it) or NULL.
 */
typedef void (*SimFootprintStepFn)(void *arg, SimTask *t, SimFp *fp);

SimFootprint *sim_footprint_new(SimFootprintBeginFn step_begin,
				SimFootprintStepFn step_end, void *arg);
void sim_footprint_free(SimFootprint *f);

/* Attach @f to @w (NULL detaches). */
void sim_footprint_attach(SimWorld *w, SimFootprint *f);

/* Record the next step that begins (once). */
void sim_footprint_record_next(SimFootprint *f);

/* Do the two steps conflict (not independent)? */
bool sim_fp_conflict(const SimFp *a, const SimFp *b);
void sim_fp_free(SimFp *fp);
/* Number of locations, for tests and statistics. */
size_t sim_fp_size(const SimFp *fp);
/* Did the step write (or read, when !@write) memory at @p? For tests. */
bool sim_fp_has(const SimFp *fp, const void *p, bool write);

#endif /* HVSIM_FOOTPRINT_H */
