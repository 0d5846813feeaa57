// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements workqueues on simulated tasks: pool_workqueues with
 * max_active and FIFO order, worker tasks created on demand and named like
 * the kernel's kworkers, the PENDING bit, non-reentrancy, queue_work and
 * the system workqueues. The waiting side (delayed work, flushes, drain,
 * destroy, cancel) is in sim/kapi/workqueue_wait.c. It sits between drivers
 * (<linux/workqueue.h>) and the engine (sim_task_create, sim_block,
 * sim_wake).
 *
 * Shape. A workqueue_struct (on the simulated heap when a driver allocates
 * it, so a use after destroy_workqueue() is KASAN's use-after-free) points
 * to its engine-side SimWq, which holds one SimPwq per CPU (or one when
 * unbound). A SimPwq has two FIFOs: the worklist (active items, at most
 * max_active of them counting the running ones) and the inactive list, and
 * its own workers. Each item queued gets a sequence number of its
 * workqueue; the numbers still queued or running are the in-flight list,
 * which flushes wait on.
 *
 * Workers. A worker is AVAILABLE (will look at the worklist), BUSY or IDLE
 * (blocked with SIM_TASK_IDLE, not a deadlock participant). Whenever the
 * worklist holds more items than there are available workers, an idle one
 * is woken or a new one created: that is how a sleeping item of system_wq
 * lets the next one run. A max_active 1 queue never has more than one item
 * on its worklist, so it uses one worker and runs items strictly in order.
 *
 * An item's function may free the work_struct (vmbus_onmessage_work frees
 * its context), so nothing here touches an item after its function
 * returned: the worker keeps the pointer only to compare it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "sim/heap.h"
#include "sim/report.h"
#include "sim/trace.h"
#include "sim/world.h"
#include "sim/kapi/exec.h"
#include "sim/kapi/kapi.h"
#include "sim/lockdep.h"
#include "sim/kcsan.h"
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
#define WQ_NAME_LEN	32

struct workqueue_struct {
	char name[WQ_NAME_LEN];
	unsigned int flags;
	int max_active;
	SimWq *sim;
};

SimWq *sim__kapi_wq(struct workqueue_struct *wq)
{
	return wq->sim;
}

/* ------------------------------------------------------------ lookup -- */

SimWq *sim__kapi_wq_lookup(SimWorld *w, struct workqueue_struct *wq,
			   const char *api)
{
	SimKapiExec *ex = sim__kapi_exec(w);
	guint i;

	/* A destroyed driver workqueue is freed memory: KASAN's report,
	 * as when the kernel's __queue_work reads wq->flags. */
	sim_heap_check(w, (uintptr_t)wq, sizeof(*wq), false,
		       (uintptr_t)__builtin_return_address(0));
	for (i = 0; i < ex->wqs->len; i++) {
		SimWq *sd = g_ptr_array_index(ex->wqs, i);

		if (sd->wq == wq)
			return sd;
	}
	g_error("%s: workqueue %p was not allocated in this execution", api,
		(void *)wq);
}

static SimWorker *worker_executing(SimPwq *pwq, const struct work_struct *work)
{
	guint i;

	for (i = 0; i < pwq->workers->len; i++) {
		SimWorker *wk = g_ptr_array_index(pwq->workers, i);

		if (wk->state == SIM_WORKER_BUSY && wk->current_work == work &&
		    wk->current_func == work->func)
			return wk;
	}
	return NULL;
}

static SimWorker *wq_worker_executing(SimWq *sd, const struct work_struct *work)
{
	int i;

	for (i = 0; i < sd->npwqs; i++) {
		SimWorker *wk = worker_executing(sd->pwqs[i], work);

		if (wk)
			return wk;
	}
	return NULL;
}

/* Any worker of this execution running @work (flush_work, cancel). */
SimWorker *sim__kapi_any_worker_executing(SimKapiExec *ex,
					  const struct work_struct *work)
{
	guint i;

	for (i = 0; i < ex->wqs->len; i++) {
		SimWorker *wk = wq_worker_executing(g_ptr_array_index(ex->wqs, i),
						    work);

		if (wk)
			return wk;
	}
	return NULL;
}

/* The worker of @sd the running task is, or NULL. */
static SimWorker *current_worker_of(SimWq *sd)
{
	SimTask *t = sim_current();
	guint i;
	int j;

	if (!t || t->wq_name != sd->name)
		return NULL;
	for (j = 0; j < sd->npwqs; j++) {
		GPtrArray *workers = sd->pwqs[j]->workers;

		for (i = 0; i < workers->len; i++) {
			SimWorker *wk = g_ptr_array_index(workers, i);

			if (wk->task == t)
				return wk;
		}
	}
	return NULL;
}

/* The pool_workqueue @work is queued on, if it is one of this execution's
 * (a fresh kmalloc'ed work_struct holds 0xbe garbage: compare, never
 * dereference, before it matches). */
SimPwq *sim__kapi_live_pwq_of(SimKapiExec *ex, const struct work_struct *work)
{
	guint i;
	int j;

	for (i = 0; i < ex->wqs->len; i++) {
		SimWq *sd = g_ptr_array_index(ex->wqs, i);

		for (j = 0; j < sd->npwqs; j++)
			if (work->sim_pwq == sd->pwqs[j])
				return sd->pwqs[j];
	}
	return NULL;
}

/* ----------------------------------------------------------- workers -- */

static void worker_thread(void *arg);

static int pool_index(const SimPwq *pwq)
{
	bool hi = (pwq->sd->flags & WQ_HIGHPRI) != 0;

	if (pwq->cpu >= 0)
		return pwq->cpu * 2 + hi;
	return pwq->ex->ncpus * 2 + hi;
}

static SimTask *create_worker(SimPwq *pwq)
{
	SimKapiExec *ex = pwq->ex;
	SimWorker *wk = g_new0(SimWorker, 1);
	int idx = pool_index(pwq);
	char name[SIM_TASK_NAME_LEN];
	int cpu;

	wk->pwq = pwq;
	wk->id = ++ex->next_worker_id[idx];
	if (pwq->cpu >= 0) {
		sim__kapi_snprintf(name, sizeof(name), "kworker/%d:%d%s", pwq->cpu,
			 wk->id, (pwq->sd->flags & WQ_HIGHPRI) ? "H" : "");
		cpu = pwq->cpu;
	} else {
		/* Unbound workers float in the kernel; spread them. */
		sim__kapi_snprintf(name, sizeof(name), "kworker/u%d:%d", idx, wk->id);
		cpu = (wk->id - 1) % ex->ncpus;
	}
	wk->state = SIM_WORKER_AVAILABLE;
	pwq->nr_available++;
	g_ptr_array_add(pwq->workers, wk);
	wk->task = sim_task_create(ex->w, name, SIM_CTX_PROCESS, cpu,
				   worker_thread, wk);
	return wk->task;
}

/*
 * Make sure every item on the worklist has an available worker: wake the
 * idle worker with the lowest id, else create one. Returns the task that
 * will run, or NULL when none was needed (or the limit is reached).
 */
static SimTask *kick(SimPwq *pwq)
{
	int limit = MIN(pwq->max_active, SIM_KAPI_MAX_WORKERS);
	guint i;

	if ((int)pwq->worklist.len <= pwq->nr_available)
		return NULL;
	for (i = 0; i < pwq->workers->len; i++) {
		SimWorker *wk = g_ptr_array_index(pwq->workers, i);

		if (wk->state == SIM_WORKER_IDLE) {
			wk->state = SIM_WORKER_AVAILABLE;
			pwq->nr_available++;
			sim_wake(pwq->ex->w, wk->task);
			return wk->task;
		}
	}
	if ((int)pwq->workers->len < limit)
		return create_worker(pwq);
	return NULL;
}

/* First item of the worklist that is not running on another worker. */
static struct work_struct *take_work(SimPwq *pwq)
{
	struct work_struct *work;

	for (work = pwq->worklist.head; work; work = work->sim_next) {
		/* Non-reentrancy: an item running elsewhere waits for that
		 * run to end; its worker will come back for it. */
		if (!worker_executing(pwq, work)) {
			wl_remove(&pwq->worklist, work);
			return work;
		}
	}
	return NULL;
}

/* Move inactive items to the worklist while max_active allows. */
void sim__kapi_pwq_activate(SimPwq *pwq)
{
	while (pwq->inactive.head && pwq->nr_active < pwq->max_active) {
		struct work_struct *work = pwq->inactive.head;

		wl_remove(&pwq->inactive, work);
		work->sim_inactive = false;
		wl_append(&pwq->worklist, work);
		pwq->nr_active++;
		kick(pwq);
	}
}

/* An instance of @work (sequence @seq) left the in-flight set. */
void sim__kapi_instance_done(SimWorld *w, SimWq *sd,
			     const struct work_struct *work, uint64_t seq)
{
	inflight_remove(sd, seq);
	if (sd->nr_flushers)
		sim_wake_all(w, sd);
	if (sd->nr_work_flushers)
		sim_wake_all(w, work);
}

static noinline void process_one_work(SimWorker *wk, struct work_struct *work)
{
	SimPwq *pwq = wk->pwq;
	SimWq *sd = pwq->sd;
	SimWorld *w = pwq->ex->w;
	SimTask *t = wk->task;
	work_func_t fn;
	const char *fname;
	uint32_t id;

	/* The item may have been freed while queued: the kernel's KASAN
	 * reports it here, in process_one_work. */
	sim_heap_check(w, (uintptr_t)work, sizeof(*work), true,
		       (uintptr_t)__builtin_return_address(0));
	fn = work->func;
	fname = work->sim_func_name;
	id = work->sim_id;
	wk->current_work = work;
	wk->current_func = fn;
	wk->current_seq = work->sim_seq;
	/* Cleared before the call, so the function may requeue the item. */
	work->sim_pwq = NULL;
	work->data &= ~(unsigned long)WORK_STRUCT_PENDING;

	t->wq_name = sd->name;
	t->work_func = work->sim_report_func ? work->sim_report_func : fname;
	sim_trace(w, SIM_TR_WORK_START, id, fname, sd->name, 0, 0);
	sim_kcsan_acquire(w, work);
	/* lockdep: the worker holds the workqueue's and the item's
	 * pseudo-locks while the function runs, as process_one_work does. */
	sim__lockdep_work_begin(w, t, sd->lock_name, sd->id,
				work->sim_lock_name, id, __func__);
	fn(work);
	sim__lockdep_work_end(w, t);
	sim_kcsan_work_end(w, work, sd);
	sim_trace(w, SIM_TR_WORK_END, id, fname, sd->name, 0, 0);
	t->wq_name = NULL;
	t->work_func = NULL;
}

static noinline void worker_thread(void *arg)
{
	SimWorker *wk = arg;
	SimPwq *pwq = wk->pwq;
	SimWorld *w = pwq->ex->w;

	for (;;) {
		struct work_struct *work = take_work(pwq);
		uint64_t seq;

		if (!work) {
			pwq->nr_available--;
			if (pwq->sd->destroyed) {
				wk->state = SIM_WORKER_DEAD;
				return;
			}
			wk->state = SIM_WORKER_IDLE;
			sim_block(w, SIM_TASK_IDLE, SIM_WAIT_NONE, pwq,
				  "worker_thread", "worker_thread", 0);
			if (wk->state == SIM_WORKER_IDLE) {
				/* Not woken by kick(): count itself back. */
				wk->state = SIM_WORKER_AVAILABLE;
				pwq->nr_available++;
			}
			continue;
		}
		wk->state = SIM_WORKER_BUSY;
		pwq->nr_available--;
		process_one_work(wk, work);
		seq = wk->current_seq;
		wk->current_work = NULL;
		wk->current_func = NULL;
		/* Available again before activating the next item, so a
		 * max_active 1 queue goes on with this same worker. */
		wk->state = SIM_WORKER_AVAILABLE;
		pwq->nr_available++;
		pwq->nr_active--;
		sim__kapi_pwq_activate(pwq);
		sim__kapi_instance_done(w, pwq->sd, work, seq);
		/* The kernel's cond_resched() between items; also bounds a
		 * self-requeuing item by the step limit. */
		sim_yield(w);
	}
}

/* ------------------------------------------------------- workqueues -- */

static SimPwq *pwq_new(SimKapiExec *ex, SimWq *sd, int cpu)
{
	struct workqueue_struct *wq = sd->wq;
	SimPwq *pwq = g_new0(SimPwq, 1);

	pwq->wq = wq;
	pwq->sd = sd;
	pwq->ex = ex;
	pwq->cpu = cpu;
	pwq->max_active = wq->max_active;
	pwq->workers = g_ptr_array_new_with_free_func(g_free);
	return pwq;
}

static void pwq_free(SimPwq *pwq)
{
	g_ptr_array_free(pwq->workers, TRUE);
	g_free(pwq);
}

static void wq_setup(SimKapiExec *ex, struct workqueue_struct *wq,
		     const char *name, unsigned int flags, int max_active,
		     bool heap)
{
	SimWq *sd = g_new0(SimWq, 1);
	char *lock_name;
	int i;

	if (flags & __WQ_ORDERED)
		max_active = 1;
	if (max_active <= 0)
		max_active = WQ_DFL_ACTIVE;
	if (max_active > WQ_MAX_ACTIVE)
		max_active = WQ_MAX_ACTIVE;
	g_strlcpy(wq->name, name, sizeof(wq->name));
	wq->flags = flags;
	wq->max_active = max_active;
	wq->sim = sd;

	sd->wq = wq;
	sd->name = sim__kapi_intern(ex, wq->name);
	lock_name = sim__kapi_strdup_printf("(wq_completion)%s", wq->name);
	sd->lock_name = sim__kapi_intern(ex, lock_name);
	g_free(lock_name);
	sd->flags = flags;
	sd->unbound = (flags & WQ_UNBOUND) != 0;
	sd->heap = heap;
	sd->id = sim_obj_id(ex->w);
	sd->npwqs = sd->unbound ? 1 : ex->ncpus;
	sd->pwqs = g_new0(SimPwq *, sd->npwqs);
	for (i = 0; i < sd->npwqs; i++)
		sd->pwqs[i] = pwq_new(ex, sd, sd->unbound ? -1 : i);
	sd->inflight = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	g_ptr_array_add(ex->wqs, sd);
}

void sim__kapi_exec_reset_wqs(SimKapiExec *ex)
{
	guint i;
	int j;

	for (i = 0; i < ex->wqs->len; i++) {
		SimWq *sd = g_ptr_array_index(ex->wqs, i);

		for (j = 0; j < sd->npwqs; j++)
			pwq_free(sd->pwqs[j]);
		g_free(sd->pwqs);
		g_array_free(sd->inflight, TRUE);
		/* Heap workqueue_structs went with the heap's reset. */
		if (!sd->heap)
			g_free(sd->wq);
		g_free(sd);
	}
	g_ptr_array_set_size(ex->wqs, 0);
	memset(ex->system_wqs, 0, sizeof(ex->system_wqs));
}

struct workqueue_struct *sim_kapi_alloc_workqueue(const struct sim_kapi_site *site,
						  unsigned int flags,
						  int max_active,
						  const char *fmt, ...)
{
	SimWorld *w = sim__kapi_world("alloc_workqueue");
	SimKapiExec *ex = sim__kapi_exec(w);
	struct workqueue_struct *wq;
	va_list ap;
	char *name;

	wq = sim_kmalloc(w, sizeof(*wq), true, site->func);
	if (!wq)
		return NULL;
	va_start(ap, fmt);
	name = sim__kapi_strdup_vprintf(fmt, ap);
	va_end(ap);
	wq_setup(ex, wq, name, flags, max_active, true);
	g_free(name);
	sim__kapi_point(w);
	return wq;
}

struct workqueue_struct *sim_kapi_system_wq(int which)
{
	static const struct {
		const char *name;
		unsigned int flags;
		int max_active;
	} sys[SIM_KAPI_SYSTEM_WQ__COUNT] = {
		[SIM_KAPI_SYSTEM_WQ] = { "events", 0, 0 },
		[SIM_KAPI_SYSTEM_HIGHPRI_WQ] = { "events_highpri", WQ_HIGHPRI, 0 },
		[SIM_KAPI_SYSTEM_LONG_WQ] = { "events_long", 0, 0 },
		[SIM_KAPI_SYSTEM_UNBOUND_WQ] = { "events_unbound", WQ_UNBOUND,
						 WQ_UNBOUND_MAX_ACTIVE },
		[SIM_KAPI_SYSTEM_FREEZABLE_WQ] = { "events_freezable",
						   WQ_FREEZABLE, 0 },
		[SIM_KAPI_SYSTEM_POWER_EFFICIENT_WQ] = {
			"events_power_efficient", WQ_POWER_EFFICIENT, 0 },
	};
	SimWorld *w = sim__kapi_world("system_wq");
	SimKapiExec *ex = sim__kapi_exec(w);

	g_assert(which >= 0 && which < SIM_KAPI_SYSTEM_WQ__COUNT);
	if (!ex->system_wqs[which]) {
		/* Engine memory: the kernel's system workqueues are never
		 * freed and kmemleak does not list them. */
		struct workqueue_struct *wq = g_new0(struct workqueue_struct, 1);

		wq_setup(ex, wq, sys[which].name, sys[which].flags,
			 sys[which].max_active, false);
		ex->system_wqs[which] = wq;
	}
	return ex->system_wqs[which];
}

/* ------------------------------------------------------------ queueing -- */

void sim_kapi_init_work(struct work_struct *work, work_func_t func,
			const char *func_name, const char *lock_name,
			const struct sim_kapi_site *site)
{
	SimWorld *w = sim_current_world();

	if (w) {
		SimKapiExec *ex = sim__kapi_exec(w);
		SimPwq *pwq;

		sim_heap_check(w, (uintptr_t)work, sizeof(*work), true,
			       (uintptr_t)__builtin_return_address(0));
		pwq = sim__kapi_live_pwq_of(ex, work);
		if (pwq && (wl_contains(&pwq->worklist, work) ||
			    wl_contains(&pwq->inactive, work)))
			sim__kapi_warn(w, site,
				       "ODEBUG: init active (active state 0) "
				       "object: %016" G_GINT64_MODIFIER "x "
				       "object type: work_struct hint: %s",
				       sim_heap_sim_addr(w, work), func_name);
	}
	memset(work, 0, sizeof(*work));
	work->func = func;
	work->sim_func_name = func_name;
	work->sim_lock_name = lock_name;
	work->sim_id = w ? sim_obj_id(w) : 0;
}

void sim_kapi_init_delayed_work(struct delayed_work *dwork, work_func_t func,
				const char *func_name, const char *lock_name,
				const struct sim_kapi_site *site)
{
	SimWorld *w = sim_current_world();

	sim_kapi_init_work(&dwork->work, func, func_name, lock_name, site);
	if (w)
		sim_heap_check(w, (uintptr_t)dwork, sizeof(*dwork), true,
			       (uintptr_t)__builtin_return_address(0));
	dwork->wq = NULL;
	dwork->cpu = WORK_CPU_UNBOUND;
	dwork->sim_timer_armed = false;
	dwork->sim_timer_seq = 0;
}

int sim__kapi_wq_resolve_cpu(SimKapiExec *ex, int cpu)
{
	SimTask *t = sim_current();

	if (cpu == WORK_CPU_UNBOUND || cpu < 0)
		return t ? t->cpu % ex->ncpus : 0;
	/* The kernel crashes on an offline CPU; the simulator wraps. */
	return cpu % ex->ncpus;
}

/*
 * Queue @work, whose PENDING bit the caller set. Engine context may call
 * it (delayed work timers). Returns the worker task kicked, or NULL.
 */
SimTask *sim__kapi_queue_work(SimWorld *w, int req_cpu,
			     struct workqueue_struct *wq,
			     struct work_struct *work, const struct sim_kapi_site *site)
{
	SimKapiExec *ex = sim__kapi_exec(w);
	SimWq *sd = sim__kapi_wq_lookup(w, wq, "queue_work");
	SimWorker *running;
	SimPwq *pwq;
	SimTask *kicked = NULL;

	if (sd->draining || sd->destroyed) {
		/* Chained work (queued by an item of the same workqueue)
		 * may still come in while draining. */
		if (sd->destroyed || !current_worker_of(sd)) {
			sim__kapi_warn(w, site,
				       "workqueue: cannot queue %s on wq %s",
				       work->sim_func_name, sd->name);
			return NULL;
		}
	}
	if (!work->func) {
		/* Never initialised (INIT_WORK missing): the kernel would
		 * oops in process_one_work; say where it was queued. */
		work->data &= ~(unsigned long)WORK_STRUCT_PENDING;
		sim__kapi_warn(w, site, "workqueue: work %016"
			       G_GINT64_MODIFIER "x queued without a function",
			       sim_heap_sim_addr(w, work));
		return NULL;
	}
	pwq = sd->pwqs[sd->unbound ? 0 : sim__kapi_wq_resolve_cpu(ex, req_cpu)];
	/* Non-reentrancy: if it runs on this workqueue, queue it there. */
	running = wq_worker_executing(sd, work);
	if (running)
		pwq = running->pwq;
	if (!work->sim_id)
		work->sim_id = sim_obj_id(w);
	work->sim_seq = ++sd->queue_seq;
	work->sim_pwq = pwq;
	inflight_add(sd, work->sim_seq);
	if (pwq->nr_active < pwq->max_active) {
		pwq->nr_active++;
		work->sim_inactive = false;
		wl_append(&pwq->worklist, work);
		kicked = kick(pwq);
	} else {
		work->sim_inactive = true;
		wl_append(&pwq->inactive, work);
	}
	sim_trace(w, SIM_TR_QUEUE_WORK, work->sim_id, work->sim_func_name,
		  site->func, pwq->cpu, kicked ? kicked->id : 0);
	return kicked;
}

bool sim_kapi_queue_work_on(int cpu, struct workqueue_struct *wq,
			    struct work_struct *work, const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("queue_work_on");
	bool queued = false;

	sim_heap_check(w, (uintptr_t)work, sizeof(*work), true,
		       (uintptr_t)__builtin_return_address(0));
	sim_kcsan_release(w, work);
	if (!(work->data & WORK_STRUCT_PENDING)) {
		work->data |= WORK_STRUCT_PENDING;
		sim__kapi_queue_work(w, cpu, wq, work, site);
		queued = true;
	} else {
		/* Already pending: nothing queued; -1 says so in the trace. */
		sim_trace(w, SIM_TR_QUEUE_WORK, work->sim_id,
			  work->sim_func_name, site->func, -1, 0);
	}
	sim__kapi_point(w);
	return queued;
}

struct work_struct *sim_kapi_current_work(void)
{
	SimWorld *w = sim_current_world();
	SimTask *t = sim_current();
	SimKapiExec *ex;
	guint i, k;
	int j;

	if (!w || !t->wq_name)
		return NULL;
	ex = sim__kapi_exec(w);
	for (i = 0; i < ex->wqs->len; i++) {
		SimWq *sd = g_ptr_array_index(ex->wqs, i);

		for (j = 0; j < sd->npwqs; j++) {
			GPtrArray *workers = sd->pwqs[j]->workers;

			for (k = 0; k < workers->len; k++) {
				SimWorker *wk = g_ptr_array_index(workers, k);

				if (wk->task == t && wk->state == SIM_WORKER_BUSY)
					return wk->current_work;
			}
		}
	}
	return NULL;
}
