// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the waiting side of workqueues: delayed work on the
 * virtual clock, flush_work, flush_workqueue, drain and destroy, and
 * cancellation. It sits between drivers (<linux/workqueue.h>) and the
 * queues and workers of sim/kapi/workqueue.c, whose in-flight sequence
 * numbers it waits on.
 *
 * Waits block with SIM_WAIT_WORK on the work_struct (flush_work, cancel)
 * or on the workqueue's SimWq (flush_workqueue), named with the kernel's
 * lockdep names "(work_completion)(&x->work)" and "(wq_completion)<name>",
 * so hung-task and deadlock reports say what is waited for. The helpers on
 * the way to a wait are always inlined into the sim_kapi_ entry points: a
 * call trace then starts at the driver function that waits.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "sim/heap.h"
#include "sim/trace.h"
#include "sim/world.h"
#include "sim/kapi/exec.h"
#include "sim/kapi/kapi.h"
#include "sim/lockdep.h"
#include "sim/kcsan.h"
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
/* ------------------------------------------------------- delayed work -- */

static void delayed_work_timer_fn(SimWorld *w, void *arg, uint64_t seq)
{
	static const struct sim_kapi_site timer_site = {
		"delayed_work_timer_fn", __FILE__, __LINE__, NULL
	};
	struct delayed_work *dwork = arg;

	/* A delayed work freed with its timer armed: the kernel's timer
	 * code would touch freed memory. */
	sim_heap_check(w, (uintptr_t)dwork, sizeof(*dwork), false, 0);
	if (w->stop || !dwork->sim_timer_armed || dwork->sim_timer_seq != seq)
		return;
	dwork->sim_timer_armed = false;
	sim__kapi_queue_work(w, dwork->cpu, dwork->wq, &dwork->work, &timer_site);
}

/* @dwork's PENDING bit is set by the caller. */
SIM_KAPI_INLINE void __queue_delayed_work(SimWorld *w, int cpu,
				 struct workqueue_struct *wq,
				 struct delayed_work *dwork,
				 unsigned long delay, const struct sim_kapi_site *site)
{
	SimKapiExec *ex = sim__kapi_exec(w);
	struct work_struct *work = &dwork->work;

	dwork->wq = wq;
	if (!delay) {
		dwork->cpu = cpu;
		sim__kapi_queue_work(w, cpu, wq, work, site);
		return;
	}
	/* The kernel's timer fires on the CPU that armed it. */
	dwork->cpu = sim__kapi_wq_lookup(w, wq, "queue_delayed_work")->unbound ?
		cpu : sim__kapi_wq_resolve_cpu(ex, cpu);
	dwork->sim_timer_armed = true;
	dwork->sim_timer_seq++;
	dwork->sim_timer_event = sim_event_after(w,
			sim__kapi_jiffies_to_ns(delay), delayed_work_timer_fn,
			dwork, dwork->sim_timer_seq);
	if (!work->sim_id)
		work->sim_id = sim_obj_id(w);
	sim_trace(w, SIM_TR_QUEUE_WORK, work->sim_id, work->sim_func_name,
		  site->func, (int64_t)delay, 0);
}

bool sim_kapi_queue_delayed_work_on(int cpu, struct workqueue_struct *wq,
				    struct delayed_work *dwork,
				    unsigned long delay, const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("queue_delayed_work_on");
	bool queued = false;

	sim_heap_check(w, (uintptr_t)dwork, sizeof(*dwork), true,
		       (uintptr_t)__builtin_return_address(0));
	sim_kcsan_release(w, &dwork->work);
	if (!(dwork->work.data & WORK_STRUCT_PENDING)) {
		dwork->work.data |= WORK_STRUCT_PENDING;
		__queue_delayed_work(w, cpu, wq, dwork, delay, site);
		queued = true;
	}
	sim__kapi_point(w);
	return queued;
}

/*
 * Take @work's PENDING bit away from the queue or the timer. Returns true
 * if it was pending (now dequeued, PENDING clear), false if it was not.
 */
static bool grab_pending(SimWorld *w, struct work_struct *work,
			 struct delayed_work *dwork)
{
	SimKapiExec *ex = sim__kapi_exec(w);
	SimPwq *pwq;

	if (!(work->data & WORK_STRUCT_PENDING))
		return false;
	if (dwork && dwork->sim_timer_armed) {
		dwork->sim_timer_armed = false;
		dwork->sim_timer_seq++;
		sim_event_cancel(w, dwork->sim_timer_event);
		work->data &= ~(unsigned long)WORK_STRUCT_PENDING;
		return true;
	}
	pwq = sim__kapi_live_pwq_of(ex, work);
	if (pwq) {
		SimWq *sd = pwq->sd;

		if (work->sim_inactive) {
			wl_remove(&pwq->inactive, work);
		} else {
			wl_remove(&pwq->worklist, work);
			pwq->nr_active--;
			sim__kapi_pwq_activate(pwq);
		}
		work->sim_pwq = NULL;
		sim__kapi_instance_done(w, sd, work, work->sim_seq);
	}
	work->data &= ~(unsigned long)WORK_STRUCT_PENDING;
	return true;
}

bool sim_kapi_mod_delayed_work_on(int cpu, struct workqueue_struct *wq,
				  struct delayed_work *dwork,
				  unsigned long delay, const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("mod_delayed_work_on");
	bool was_pending;

	sim_heap_check(w, (uintptr_t)dwork, sizeof(*dwork), true,
		       (uintptr_t)__builtin_return_address(0));
	sim_kcsan_release(w, &dwork->work);
	was_pending = grab_pending(w, &dwork->work, dwork);
	dwork->work.data |= WORK_STRUCT_PENDING;
	__queue_delayed_work(w, cpu, wq, dwork, delay, site);
	sim__kapi_point(w);
	return was_pending;
}

/* -------------------------------------------------------------- flushes -- */

/* Block until instance @seq of @work on @sd is neither queued nor running. */
SIM_KAPI_INLINE void wait_instance(SimWorld *w, SimWq *sd, const struct work_struct *work,
			  uint64_t seq, const char *name, const struct sim_kapi_site *site)
{
	sd->nr_work_flushers++;
	while (inflight_has(sd, seq))
		sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_WORK, work, name,
			  site->func, 0);
	sd->nr_work_flushers--;
	sim_kcsan_acquire(w, work);
}

/* The instance of @work pending or running now, as (workqueue, seq). */
static bool find_instance(SimWorld *w, const struct work_struct *work,
			  SimWq **sdp, uint64_t *seqp)
{
	SimKapiExec *ex = sim__kapi_exec(w);
	SimPwq *pwq = NULL;
	SimWorker *wk;

	sim_kcsan_acquire(w, work);	/* the kernel looks under pool->lock */
	if (work->data & WORK_STRUCT_PENDING)
		pwq = sim__kapi_live_pwq_of(ex, work);
	if (pwq) {
		*sdp = pwq->sd;
		*seqp = work->sim_seq;
		return true;
	}
	wk = sim__kapi_any_worker_executing(ex, work);
	if (wk) {
		*sdp = wk->pwq->sd;
		*seqp = wk->current_seq;
		return true;
	}
	return false;
}

SIM_KAPI_INLINE bool __flush_work(SimWorld *w, struct work_struct *work,
			 const struct sim_kapi_site *site)
{
	SimWq *sd;
	uint64_t seq;

	sim_trace(w, SIM_TR_FLUSH, work->sim_id, work->sim_lock_name, site->func,
		  0, 0);
	/* lockdep, as __flush_work: the item's pseudo-lock always, and the
	 * workqueue's when it runs one item at a time. */
	sim__lockdep_acquire_release(w, sim_current(), work->sim_lock_name,
				     work->sim_id, site->func);
	if (!find_instance(w, work, &sd, &seq))
		return false;
	if (sd->pwqs[0]->max_active == 1)
		sim__lockdep_acquire_release(w, sim_current(), sd->lock_name,
					     sd->id, site->func);
	wait_instance(w, sd, work, seq, work->sim_lock_name, site);
	return true;
}

bool sim_kapi_flush_work(struct work_struct *work, const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("flush_work");
	bool waited;

	sim_might_sleep(w, site->func, site->file, site->line);
	sim_heap_check(w, (uintptr_t)work, sizeof(*work), false,
		       (uintptr_t)__builtin_return_address(0));
	waited = __flush_work(w, work, site);
	sim__kapi_point(w);
	return waited;
}

bool sim_kapi_flush_delayed_work(struct delayed_work *dwork,
				 const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("flush_delayed_work");
	bool waited;

	sim_might_sleep(w, site->func, site->file, site->line);
	sim_heap_check(w, (uintptr_t)dwork, sizeof(*dwork), true,
		       (uintptr_t)__builtin_return_address(0));
	if (dwork->sim_timer_armed) {
		/* Fire the timer now, as the kernel's del_timer_sync() and
		 * __queue_work() pair does. */
		dwork->sim_timer_armed = false;
		dwork->sim_timer_seq++;
		sim_event_cancel(w, dwork->sim_timer_event);
		sim__kapi_queue_work(w, dwork->cpu, dwork->wq, &dwork->work, site);
	}
	waited = __flush_work(w, &dwork->work, site);
	sim__kapi_point(w);
	return waited;
}

SIM_KAPI_INLINE void __flush_workqueue(SimWorld *w, SimWq *sd, const struct sim_kapi_site *site)
{
	uint64_t target = sd->queue_seq;

	sim_trace(w, SIM_TR_FLUSH, sd->id, sd->lock_name, site->func, 0, 0);
	/* lockdep, as flush_workqueue: the workqueue's pseudo-lock. */
	sim__lockdep_acquire_release(w, sim_current(), sd->lock_name, sd->id,
				     site->func);
	sd->nr_flushers++;
	while (inflight_upto(sd, target))
		sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_WORK, sd, sd->lock_name,
			  site->func, 0);
	sd->nr_flushers--;
	sim_kcsan_acquire(w, sd);
}

void sim_kapi_flush_workqueue(struct workqueue_struct *wq, const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("flush_workqueue");

	sim_might_sleep(w, site->func, site->file, site->line);
	__flush_workqueue(w, sim__kapi_wq_lookup(w, wq, "flush_workqueue"), site);
	sim__kapi_point(w);
}

SIM_KAPI_INLINE void __drain_workqueue(SimWorld *w, SimWq *sd, const struct sim_kapi_site *site)
{
	sd->draining = true;
	while (sd->inflight->len)
		__flush_workqueue(w, sd, site);
	sim_kcsan_acquire(w, sd);
	sd->draining = false;
}

void sim_kapi_drain_workqueue(struct workqueue_struct *wq, const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("drain_workqueue");

	sim_might_sleep(w, site->func, site->file, site->line);
	__drain_workqueue(w, sim__kapi_wq_lookup(w, wq, "drain_workqueue"), site);
	sim__kapi_point(w);
}

void sim_kapi_destroy_workqueue(struct workqueue_struct *wq, const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("destroy_workqueue");
	SimWq *sd = sim__kapi_wq_lookup(w, wq, "destroy_workqueue");
	int i;
	guint j;

	sim_might_sleep(w, site->func, site->file, site->line);
	__drain_workqueue(w, sd, site);
	sd->destroyed = true;
	/* The workers end: wake the idle ones to let them see it. */
	for (i = 0; i < sd->npwqs; i++) {
		SimPwq *pwq = sd->pwqs[i];

		for (j = 0; j < pwq->workers->len; j++) {
			SimWorker *wk = g_ptr_array_index(pwq->workers, j);

			if (wk->state == SIM_WORKER_IDLE) {
				wk->state = SIM_WORKER_AVAILABLE;
				pwq->nr_available++;
				sim_wake(w, wk->task);
			}
		}
	}
	if (sd->heap)
		sim_kfree(w, wq, site->func);
	sim__kapi_point(w);
}

/* ------------------------------------------------------------- cancel -- */

SIM_KAPI_INLINE bool __cancel_work(SimWorld *w, struct work_struct *work,
			  struct delayed_work *dwork, bool sync,
			  const struct sim_kapi_site *site)
{
	bool was_pending;
	SimWq *sd;
	uint64_t seq;

	if (sync)
		sim_might_sleep(w, site->func, site->file, site->line);
	was_pending = grab_pending(w, work, dwork);
	if (sync) {
		/* PENDING stays set while waiting, so the item cannot be
		 * queued again before the running instance is over. */
		work->data |= WORK_STRUCT_PENDING;
		sim_trace(w, SIM_TR_FLUSH, work->sim_id, work->sim_lock_name,
			  site->func, 0, 0);
		if (find_instance(w, work, &sd, &seq))
			wait_instance(w, sd, work, seq, work->sim_lock_name,
				      site);
		work->data &= ~(unsigned long)WORK_STRUCT_PENDING;
	}
	return was_pending;
}

bool sim_kapi_cancel_work(struct work_struct *work, bool sync,
			  const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("cancel_work");
	bool was_pending;

	sim_heap_check(w, (uintptr_t)work, sizeof(*work), true,
		       (uintptr_t)__builtin_return_address(0));
	was_pending = __cancel_work(w, work, NULL, sync, site);
	sim__kapi_point(w);
	return was_pending;
}

bool sim_kapi_cancel_delayed_work(struct delayed_work *dwork, bool sync,
				  const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("cancel_delayed_work");
	bool was_pending;

	sim_heap_check(w, (uintptr_t)dwork, sizeof(*dwork), true,
		       (uintptr_t)__builtin_return_address(0));
	was_pending = __cancel_work(w, &dwork->work, dwork, sync, site);
	sim__kapi_point(w);
	return was_pending;
}
