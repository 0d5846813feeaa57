// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements struct completion for the simulated kernel: the
 * done counter, waits with and without a timeout on the virtual clock, and
 * complete()/complete_all() (see <linux/completion.h> for the contract).
 * It sits between driver code, through the macros of
 * drivers/include/linux/completion.h, and the engine's blocking calls.
 *
 * complete() wakes one waiter, the one waiting longest (ties by task id),
 * as the kernel's FIFO wait queue does; a task that arrives meanwhile may
 * still take the count first, and the woken one then waits again, exactly
 * as in the kernel.
 */
#include <limits.h>

#include "sim/kapi/kapi.h"
#include "sim/liveness.h"
#include "sim/kcsan.h"

#include <linux/completion.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
/*
 * Give @x an id on its first use in this execution, and adopt it (named
 * after the expression that used it) when it was never initialised.
 */
SIM_KAPI_INLINE void completion_prepare(SimWorld *w, struct completion *x,
					const struct sim_kapi_site *site)
{
	if (x->__sim_magic != SIM_COMPLETION_MAGIC) {
		x->__sim_magic = SIM_COMPLETION_MAGIC;
		x->__sim_name = site->expr;
		x->__sim_id = 0;
	}
	if (x->__sim_id == 0 || x->__sim_serial != w->run_serial) {
		/* Used in an earlier execution: memory the engine does not
		 * reset (a test's or a model's); its count is stale too. */
		if (x->__sim_id != 0)
			x->done = 0;
		x->__sim_id = sim_obj_id(w);
		x->__sim_serial = w->run_serial;
	}
}

void sim_kapi_init_completion(struct completion *x,
			      const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("init_completion");
	SimWorld *w = t->world;

	sim_yield(w);
	SIM_KAPI_CHECK(w, x, true);
	x->done = 0;
	x->__sim_magic = SIM_COMPLETION_MAGIC;
	x->__sim_name = site->expr;
	x->__sim_id = sim_obj_id(w);
	x->__sim_serial = w->run_serial;
}

void sim_kapi_reinit_completion(struct completion *x,
				const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("reinit_completion");
	SimWorld *w = t->world;

	sim_yield(w);
	SIM_KAPI_CHECK(w, x, true);
	completion_prepare(w, x, site);
	x->done = 0;
}

/* The task blocked on @x the longest (ties: the lowest id), or NULL. */
SIM_KAPI_INLINE SimTask *oldest_waiter(SimWorld *w, const struct completion *x)
{
	SimTask *best = NULL;
	uint32_t i, n = sim_task_count(w);

	if (G_LIKELY(n <= 64)) {
		/* Only the tasks the engine counts as waiting, in id order. */
		SimTask **tasks = (SimTask **)w->tasks->pdata;
		uint64_t m = w->waiting_mask;

		while (m) {
			unsigned int b = (unsigned int)__builtin_ctzll(m);
			SimTask *o;

			m &= m - 1;
			if (w->wait_objs[b] != x)
				continue;
			o = tasks[b];
			if (o->state != SIM_TASK_BLOCKED || o->wait_obj != x)
				continue;
			if (!best || o->wait_since < best->wait_since)
				best = o;
		}
		return best;
	}
	for (i = 1; i <= n; i++) {
		SimTask *o = sim_task_by_id(w, i);

		if (o->state != SIM_TASK_BLOCKED || o->wait_obj != x)
			continue;
		if (!best || o->wait_since < best->wait_since)
			best = o;
	}
	return best;
}

void sim_kapi_complete(struct completion *x, bool all,
		       const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("complete");
	SimWorld *w = t->world;
	SimTask *waiter;

	sim_yield(w);
	SIM_KAPI_CHECK(w, x, true);
	completion_prepare(w, x, site);
	sim_kcsan_release(w, x);
	/* Evidence for the wait-for graph: who signals this completion. */
	sim__liveness_note_signal(w, t, x);
	if (all) {
		x->done = UINT_MAX;
		sim_trace(w, SIM_TR_COMPLETE, x->__sim_id, x->__sim_name,
			  site->func, -1, 0);
		sim_wake_all(w, x);
		return;
	}
	if (x->done != UINT_MAX)
		x->done++;
	waiter = oldest_waiter(w, x);
	sim_trace(w, SIM_TR_COMPLETE, x->__sim_id, x->__sim_name, site->func,
		  x->done, waiter ? waiter->id : 0);
	if (waiter)
		sim_wake(w, waiter);
}

/* Jiffies left until @deadline, rounded up, at least 1. */
SIM_KAPI_INLINE long jiffies_left(SimWorld *w, SimTime deadline)
{
	SimTime left = deadline > w->now ? deadline - w->now : 0;
	long j = (long)((left + SIM_KAPI_NSEC_PER_JIFFY - 1) /
			SIM_KAPI_NSEC_PER_JIFFY);

	return j > 0 ? j : 1;
}

long sim_kapi_wait_for_completion(struct completion *x, long timeout,
				  const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("wait_for_completion");
	SimWorld *w = t->world;
	bool forever = timeout == MAX_SCHEDULE_TIMEOUT;
	SimTime deadline = 0;

	sim_might_sleep(w, site->func, site->file, site->line);
	sim_yield(w);
	SIM_KAPI_CHECK(w, x, true);
	completion_prepare(w, x, site);
	if (timeout < 0)
		timeout = 0;	/* the kernel treats it as already expired */
	if (!forever)
		deadline = w->now + sim__kapi_jiffies_to_ns((unsigned long)timeout);
	while (!x->done) {
		SimTime left = 0;

		if (!forever) {
			if (w->now >= deadline)
				return 0;
			left = deadline - w->now;
		}
		sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_COMPLETION, x,
			  x->__sim_name, site->func, left);
		/* Woken: the completion may have been freed meanwhile. */
		SIM_KAPI_CHECK(w, x, true);
	}
	sim_kcsan_acquire(w, x);
	if (x->done != UINT_MAX)
		x->done--;
	return forever ? MAX_SCHEDULE_TIMEOUT : jiffies_left(w, deadline);
}

bool sim_kapi_try_wait_for_completion(struct completion *x,
				      const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("try_wait_for_completion");
	SimWorld *w = t->world;

	sim_yield(w);
	SIM_KAPI_CHECK(w, x, true);
	completion_prepare(w, x, site);
	if (!x->done)
		return false;
	sim_kcsan_acquire(w, x);
	if (x->done != UINT_MAX)
		x->done--;
	return true;
}

bool sim_kapi_completion_done(struct completion *x,
			      const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("completion_done");
	SimWorld *w = t->world;

	sim_yield(w);
	SIM_KAPI_CHECK(w, x, false);
	completion_prepare(w, x, site);
	return x->done != 0;
}
