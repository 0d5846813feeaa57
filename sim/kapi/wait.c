// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements wait queues for the simulated kernel: the blocking
 * and waking under the wait_event() and wake_up() macros (see
 * <linux/wait.h> for the contract; the condition loop itself is in the
 * macros, because the condition is driver code). It sits between those
 * macros and the engine's blocking calls.
 *
 * A head keeps no waiter list in driver memory: the engine's tasks record
 * what they wait on, so wake_up() asks the engine to wake every task
 * blocked on the head.
 */
#include "sim/kapi/kapi.h"
#include "sim/liveness.h"
#include "sim/kcsan.h"

#include <linux/wait.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
SIM_KAPI_INLINE void waitq_prepare(SimWorld *w, wait_queue_head_t *wq,
				   const struct sim_kapi_site *site)
{
	if (wq->__sim_magic != SIM_WAITQ_MAGIC) {
		wq->__sim_magic = SIM_WAITQ_MAGIC;
		wq->__sim_name = site->expr;
		wq->__sim_id = 0;
	}
	if (wq->__sim_id == 0 || wq->__sim_serial != w->run_serial) {
		wq->__sim_id = sim_obj_id(w);
		wq->__sim_serial = w->run_serial;
	}
}

void sim_kapi_init_waitqueue_head(wait_queue_head_t *wq,
				  const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("init_waitqueue_head");
	SimWorld *w = t->world;

	sim_yield(w);
	SIM_KAPI_CHECK(w, wq, true);
	wq->__sim_magic = SIM_WAITQ_MAGIC;
	wq->__sim_name = site->expr;
	wq->__sim_id = sim_obj_id(w);
	wq->__sim_serial = w->run_serial;
}

int sim_kapi_wake_up(wait_queue_head_t *wq, const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("wake_up");
	SimWorld *w = t->world;
	uint32_t i, n = sim_task_count(w);
	uint32_t first = 0;
	int woken = 0;

	sim_yield(w);
	SIM_KAPI_CHECK(w, wq, false);
	waitq_prepare(w, wq, site);
	sim_kcsan_release(w, wq);
	/* Evidence for the wait-for graph: who wakes this queue. */
	sim__liveness_note_signal(w, t, wq);
	for (i = 1; i <= n && !first; i++) {
		SimTask *o = sim_task_by_id(w, i);

		if (o->state == SIM_TASK_BLOCKED && o->wait_obj == wq)
			first = o->id;
	}
	/* Count first, so the trace's wake-up precedes the wakes it causes. */
	for (i = 1; i <= n; i++) {
		SimTask *o = sim_task_by_id(w, i);

		if (o->state == SIM_TASK_BLOCKED && o->wait_obj == wq)
			woken++;
	}
	sim_trace(w, SIM_TR_WAKE_UP, wq->__sim_id, wq->__sim_name, site->func,
		  woken, first);
	if (woken)
		sim_wake_all(w, wq);
	return woken;
}

bool sim_kapi_waitqueue_active(wait_queue_head_t *wq)
{
	SimTask *t = sim_current();
	SimWorld *w = t ? t->world : NULL;
	uint32_t i, n;

	if (!w)
		return false;
	n = sim_task_count(w);
	for (i = 1; i <= n; i++) {
		SimTask *o = sim_task_by_id(w, i);

		if (o->state == SIM_TASK_BLOCKED && o->wait_obj == wq)
			return true;
	}
	return false;
}

void sim_kapi_wait_begin(wait_queue_head_t *wq, const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("wait_event");
	SimWorld *w = t->world;

	sim_might_sleep(w, site->func, site->file, site->line);
	sim_yield(w);
	SIM_KAPI_CHECK(w, wq, false);
	waitq_prepare(w, wq, site);
}

uint64_t sim_kapi_wait_deadline(long timeout)
{
	SimTask *t = sim__kapi_task("wait_event_timeout");

	if (timeout == MAX_SCHEDULE_TIMEOUT)
		return SIM_KAPI_NO_DEADLINE;
	if (timeout < 0)
		timeout = 0;
	return t->world->now + sim__kapi_jiffies_to_ns((unsigned long)timeout);
}

bool sim_kapi_wait_block(wait_queue_head_t *wq, uint64_t deadline,
			 const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("wait_event");
	SimWorld *w = t->world;
	SimTime left = 0;
	bool woken;

	SIM_KAPI_CHECK(w, wq, false);
	waitq_prepare(w, wq, site);
	if (deadline != SIM_KAPI_NO_DEADLINE) {
		if (w->now >= deadline)
			return false;
		left = deadline - w->now;
	}
	woken = sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_EVENT, wq,
			  wq->__sim_name, site->func, left);
	sim_kcsan_acquire(w, wq);
	return woken;
}

long sim_kapi_wait_left(uint64_t deadline)
{
	SimTask *t = sim__kapi_task("wait_event_timeout");
	SimTime now = t->world->now;
	SimTime left;
	long j;

	if (deadline == SIM_KAPI_NO_DEADLINE)
		return MAX_SCHEDULE_TIMEOUT;
	left = deadline > now ? deadline - now : 0;
	j = (long)((left + SIM_KAPI_NSEC_PER_JIFFY - 1) / SIM_KAPI_NSEC_PER_JIFFY);
	return j > 0 ? j : 1;
}
