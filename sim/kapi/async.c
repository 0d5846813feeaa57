// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the async domain: async_schedule() queues an entry
 * as a work item on system_unbound_wq, as the kernel does, and
 * async_synchronize_full()/_cookie() wait for the entries still pending.
 * It sits between drivers and the driver core (<linux/async.h>, async
 * probing in sim/kapi/device.c) and the workqueues (sim/kapi/workqueue.c).
 *
 * Entries live in engine memory: the simulated heap (and so a scenario's
 * leak check) sees only driver allocations. An entry is freed by its own
 * work function once it has run, or at the reset of the next execution.
 */
#include <glib.h>

#include "sim/trace.h"
#include "sim/world.h"
#include "sim/kapi/exec.h"
#include "sim/kapi/kapi.h"
#include "sim/kcsan.h"

#include <linux/async.h>
#include <linux/workqueue.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
void sim__kapi_async_reset(SimKapiExec *ex)
{
	guint i;

	for (i = 0; i < ex->async_pending->len; i++)
		g_free(g_ptr_array_index(ex->async_pending, i));
	g_ptr_array_set_size(ex->async_pending, 0);
	ex->async_next_cookie = 1;
	ex->async_waiters = 0;
}

/* The work function of every entry, named like the kernel's. */
static noinline void async_run_entry_fn(struct work_struct *work)
{
	SimAsyncEntry *entry = (SimAsyncEntry *)(void *)work;
	SimWorld *w = sim_current_world();
	SimKapiExec *ex = sim__kapi_exec(w);

	entry->func(entry->data, entry->cookie);
	sim_kcsan_release(w, &ex->async_next_cookie);
	g_ptr_array_remove(ex->async_pending, entry);
	g_free(entry);
	if (ex->async_waiters)
		sim_wake_all(w, &ex->async_next_cookie);
}

async_cookie_t sim_kapi_async_schedule(async_func_t func, void *data,
				       const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("async_schedule");
	SimKapiExec *ex = sim__kapi_exec(w);
	SimAsyncEntry *entry = g_new0(SimAsyncEntry, 1);
	const char *name = site->expr ? site->expr : "async_run_entry_fn";

	sim_kapi_init_work(&entry->work, async_run_entry_fn, name,
			   "(work_completion)(&entry->work)", site);
	entry->work.sim_report_func = "async_run_entry_fn";
	entry->func = func;
	entry->data = data;
	entry->cookie = ex->async_next_cookie++;
	g_ptr_array_add(ex->async_pending, entry);
	/* Queues on system_unbound_wq; queue_work is the scheduling point. */
	sim_kapi_queue_work_on(WORK_CPU_UNBOUND, system_unbound_wq,
			       &entry->work, site);
	return entry->cookie;
}

/* Is an entry with a cookie below @cookie still pending? */
static bool pending_below(SimKapiExec *ex, async_cookie_t cookie)
{
	guint i;

	for (i = 0; i < ex->async_pending->len; i++) {
		SimAsyncEntry *e = g_ptr_array_index(ex->async_pending, i);

		if (e->cookie < cookie)
			return true;
	}
	return false;
}

void sim_kapi_async_synchronize_cookie(async_cookie_t cookie,
				       const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("async_synchronize_cookie");
	SimKapiExec *ex = sim__kapi_exec(w);

	sim_might_sleep(w, site->func, site->file, site->line);
	ex->async_waiters++;
	while (pending_below(ex, cookie))
		sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_OTHER,
			  &ex->async_next_cookie, "async_synchronize_full",
			  site->func, 0);
	ex->async_waiters--;
	sim_kcsan_acquire(w, &ex->async_next_cookie);
	sim_yield(w);
}
