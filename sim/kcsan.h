/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the data-race detector (hvsim's KCSAN): vector clocks
 * per task and per synchronisation object, the release/acquire hooks the
 * kernel-API shim calls at every synchronisation point, the fork and event
 * edges, and the check of the plain shared fields drivers annotate (see
 * drivers/include/hvsim/kcsan.h). It sits between the shim (sim/kapi/),
 * the engine's event loop, and the report machinery (sim/report.h).
 *
 * The detector is precise, not sampled: two accesses to an annotated field
 * race when they conflict (one writes, not both marked) and neither
 * happens before the other in the happens-before order the shim's
 * synchronisation builds. Reports are KCSAN's ("BUG: KCSAN: data-race in
 * f1 / f2"), ending with "Reported by hvsim race detector (happens-before)
 * on:" because the method is not KCSAN's.
 *
 * Cost. The detector wakes up at the first annotated access of an
 * execution; before that, and in every execution of a world whose drivers
 * annotate nothing, each hook below is one load and one compare. Edges that
 * completed before the first annotated access cannot order two later
 * accesses, so starting late loses nothing.
 *
 * Edges (release -> acquire on the same object), by shim call:
 *   mutex_unlock -> mutex_lock / mutex_trylock success   (&lock->dep_map)
 *   spin_unlock* -> spin_lock* / spin_trylock* success   (&lock->dep_map)
 *   complete / complete_all -> wait_for_completion return,
 *     try_wait_for_completion / completion_done true     (the completion)
 *   wake_up -> a wait_event woken from its sleep          (the head)
 *   queue_work, queue_delayed_work, mod_delayed_work -> the work starts;
 *     the work ends -> flush_work / cancel_work_sync return (the work)
 *     and flush_workqueue / drain / destroy return      (the workqueue)
 *   tasklet_schedule -> the tasklet runs; the run ends -> tasklet_kill /
 *     tasklet_disable return                            (the tasklet)
 *   kthread_create (fork); wake_up_process -> the kthread starts or its
 *     schedule() returns; the kthread ends -> kthread_stop returns
 *   the async entry ends -> async_synchronize_* returns
 *   value-returning atomic_t operations and test_and_*_bit: fully ordered
 *     (acquire and release on the atomic or the bitmap word); atomic_read,
 *     atomic_set, void atomic_t operations, set_bit, clear_bit,
 *     change_bit: unordered (LKMM)
 *   an event queued by sim_event_at() -> the event runs (engine hooks
 *     below): whatever the event does (wake a task, schedule a tasklet,
 *     queue a work) carries the clock of whoever queued it, so a device
 *     interrupt raised in answer to a doorbell is ordered after the
 *     doorbell write, and a scenario's timeline event after nothing.
 */
#ifndef HVSIM_KCSAN_H
#define HVSIM_KCSAN_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "sim/sim.h"
#include "sim/world.h"

/*
 * The world slot of the detector's state. TODO(lead): name it
 * SIM_EXT_KCSAN in sim/world.h; until then the first spare slot is taken
 * (the second is sim/liveness.h's), and a magic number checked on every
 * slow-path use catches a second user of the slot at once.
 */
#define SIM_KCSAN_EXT_SLOT	SIM_EXT_KCSAN

/* The first member of the detector's state: what the inline checks read. */
typedef struct {
	uint64_t active_serial;	/* run_serial of the execution it is on in */
} SimKcsanHot;

/* Is the detector on in the running execution of @w? */
static inline bool sim_kcsan_on(const SimWorld *w)
{
	const SimKcsanHot *h = (const SimKcsanHot *)w->ext[SIM_KCSAN_EXT_SLOT];

	return G_UNLIKELY(h != NULL) &&
	       G_UNLIKELY(h->active_serial == w->run_serial);
}

/* Out-of-line halves of the hooks; call the inline forms below. */
void sim__kcsan_release(SimWorld *w, const void *obj);
void sim__kcsan_acquire(SimWorld *w, const void *obj);
void sim__kcsan_atomic(SimWorld *w, const void *obj, const char *expr);
void sim__kcsan_fork(SimWorld *w, SimTask *child);
void sim__kcsan_work_end(SimWorld *w, const void *work, const void *wq);
void sim__kcsan_event_queued(SimWorld *w, uint64_t seq);
void sim__kcsan_event_begin(SimWorld *w, uint64_t seq);
void sim__kcsan_event_end(SimWorld *w);

/*
 * sim_kcsan_release - the running context (a task, or the engine running
 * an event) releases into the clock of @obj: everything it did so far
 * happens before whatever later acquires @obj. @obj is an identity only
 * (never dereferenced): the lock's dep_map, the completion, the work...
 */
static inline void sim_kcsan_release(SimWorld *w, const void *obj)
{
	if (sim_kcsan_on(w))
		sim__kcsan_release(w, obj);
}

/* sim_kcsan_acquire - the running context acquires the clock of @obj. */
static inline void sim_kcsan_acquire(SimWorld *w, const void *obj)
{
	if (sim_kcsan_on(w))
		sim__kcsan_acquire(w, obj);
}

/*
 * sim_kcsan_atomic - an atomic operation on @obj named by @expr, the call
 * as written ("atomic_dec_and_test(&x->ref)", "set_bit(0, &q->flags)").
 * Value-returning operations acquire and release @obj; the others (reads,
 * sets, void arithmetic, set/clear/change_bit) are unordered and do
 * nothing.
 */
static inline void sim_kcsan_atomic(SimWorld *w, const void *obj,
				    const char *expr)
{
	if (sim_kcsan_on(w))
		sim__kcsan_atomic(w, obj, expr);
}

/* sim_kcsan_fork - @child, just created, starts after everything its
 * creator (the running task, or the engine's event) did so far. */
static inline void sim_kcsan_fork(SimWorld *w, SimTask *child)
{
	if (sim_kcsan_on(w))
		sim__kcsan_fork(w, child);
}

/* sim_kcsan_work_end - a worker finished an instance of @work (maybe freed
 * by now: an identity only) of workqueue @wq: flushers of either acquire. */
static inline void sim_kcsan_work_end(SimWorld *w, const void *work,
				      const void *wq)
{
	if (sim_kcsan_on(w))
		sim__kcsan_work_end(w, work, wq);
}

/*
 * Engine hooks for host events (sim/world.c and sim/sched.c):
 *   sim_event_at():            seq = push(...); sim_kcsan_event_queued(w, seq);
 *   advance_time(), around ev.fn(w, ev.arg, ev.arg2):
 *                              sim_kcsan_event_begin(w, ev.seq); ev.fn(...);
 *                              sim_kcsan_event_end(w);
 * The event then runs with the clock its queuer had when it queued it.
 * Without them, the engine's releases (an event waking a task, a host
 * interrupt scheduling a tasklet) carry the join of every task's clock:
 * never a false report, but a race with a host event may go unseen.
 */
static inline void sim_kcsan_event_queued(SimWorld *w, uint64_t seq)
{
	if (sim_kcsan_on(w))
		sim__kcsan_event_queued(w, seq);
}

static inline void sim_kcsan_event_begin(SimWorld *w, uint64_t seq)
{
	if (sim_kcsan_on(w))
		sim__kcsan_event_begin(w, seq);
}

static inline void sim_kcsan_event_end(SimWorld *w)
{
	if (sim_kcsan_on(w))
		sim__kcsan_event_end(w);
}

/*
 * sim_kcsan_set_enabled - whether the annotated fields of @w's drivers are
 * checked (the default) or not, as a kernel built with or without
 * CONFIG_KCSAN (which the kernel never combines with KASAN). Kept for the
 * life of the world; takes effect at once. A scenario whose
 * documented outcome is a crash that a data race on the way would
 * pre-empt can run without it.
 */
void sim_kcsan_set_enabled(SimWorld *w, bool on);

/*
 * sim_kcsan_events_precise - have the engine's event hooks ever run in
 * @w? (Introspection for tests; false also before the first event.)
 */
bool sim_kcsan_events_precise(SimWorld *w);

#endif /* HVSIM_KCSAN_H */
