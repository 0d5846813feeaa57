// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the workqueues' side of the wait-for graph: which
 * pool_workqueues hold items that no worker runs (and the busy workers
 * they wait behind), and what a task blocked in flush_work() or
 * flush_workqueue() waits for. It sits between the liveness detector
 * (sim/liveness.c), which asks only when no task can run, and the
 * workqueues' insides (sim/kapi/exec.h), which only the shim knows.
 *
 * It only reads: nothing here changes a queue, creates an object id or
 * resets the per-world record, so asking never alters the execution.
 */
#include <glib.h>

#include "sim/liveness.h"
#include "sim/world.h"
#include "sim/kapi/exec.h"

/* The record of the current execution, or NULL when no workqueue call
 * was made in it (never reset from here). */
static SimKapiExec *exec_now(SimWorld *w)
{
	SimKapiExec *ex = w->ext[SIM_EXT_KAPI_EXEC];

	return ex && ex->run_serial == w->run_serial ? ex : NULL;
}

static void busy_workers(const SimPwq *pwq, SimTask **out, int *n, int max)
{
	guint i;

	for (i = 0; i < pwq->workers->len && *n < max; i++) {
		const SimWorker *wk = g_ptr_array_index(pwq->workers, i);

		if (wk->state == SIM_WORKER_BUSY)
			out[(*n)++] = wk->task;
	}
}

void sim__kapi_stuck_queues(SimWorld *w, GArray *out)
{
	SimKapiExec *ex = exec_now(w);
	guint i;
	int j;

	if (!ex)
		return;
	for (i = 0; i < ex->wqs->len; i++) {
		SimWq *sd = g_ptr_array_index(ex->wqs, i);

		for (j = 0; j < sd->npwqs; j++) {
			SimPwq *pwq = sd->pwqs[j];
			struct work_struct *head = pwq->worklist.head ?
				pwq->worklist.head : pwq->inactive.head;
			SimStuckQueue q = { 0 };

			if (!head)
				continue;
			q.key = pwq;
			q.wq_key = sd;
			q.wq_name = sd->name;
			q.func = head->sim_func_name;
			q.lock_name = head->sim_lock_name;
			q.id = head->sim_id;
			q.queued = pwq->worklist.len + pwq->inactive.len;
			busy_workers(pwq, q.busy, &q.nbusy, SIM_STUCK_MAX_BUSY);
			g_array_append_val(out, q);
		}
	}
}

bool sim__kapi_flush_targets(SimWorld *w, const void *obj,
			     SimTask **tasks, int *ntasks,
			     const void **queues, int *nqueues, int max)
{
	SimKapiExec *ex = exec_now(w);
	bool found = false;
	guint i, k;
	int j;

	*ntasks = *nqueues = 0;
	if (!ex)
		return false;
	for (i = 0; i < ex->wqs->len; i++) {
		SimWq *sd = g_ptr_array_index(ex->wqs, i);

		if (sd != obj)
			continue;
		/* flush_workqueue: every item in flight, running or queued. */
		for (j = 0; j < sd->npwqs; j++) {
			SimPwq *pwq = sd->pwqs[j];

			busy_workers(pwq, tasks, ntasks, max);
			if ((pwq->worklist.head || pwq->inactive.head) &&
			    *nqueues < max)
				queues[(*nqueues)++] = pwq;
		}
		return true;
	}
	/* flush_work: the worker running the item, the queue holding it. */
	for (i = 0; i < ex->wqs->len; i++) {
		SimWq *sd = g_ptr_array_index(ex->wqs, i);

		for (j = 0; j < sd->npwqs; j++) {
			SimPwq *pwq = sd->pwqs[j];

			for (k = 0; k < pwq->workers->len; k++) {
				SimWorker *wk = g_ptr_array_index(pwq->workers, k);

				if (wk->state == SIM_WORKER_BUSY &&
				    wk->current_work == obj && *ntasks < max) {
					tasks[(*ntasks)++] = wk->task;
					found = true;
				}
			}
			if ((wl_contains(&pwq->worklist, obj) ||
			     wl_contains(&pwq->inactive, obj)) && *nqueues < max) {
				queues[(*nqueues)++] = pwq;
				found = true;
			}
		}
	}
	return found;
}
