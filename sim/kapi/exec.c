// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the per-world record of the execution-context shim
 * (workqueues, tasklets, kthreads, async, the driver core): its creation in
 * the world's SIM_EXT_KAPI_EXEC slot, its lazy reset at the first call of
 * each execution, string interning for traces, and the WARN() report the
 * execution-context calls raise. It sits between the shim files of
 * sim/kapi/ that implement those calls and the engine (sim/world.h,
 * sim/report.h).
 */
#include <string.h>

#include <glib.h>

#include "sim/report.h"
#include "sim/world.h"
#include "sim/kapi/exec.h"
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
static void exec_reset(SimKapiExec *ex)
{
	SimWorld *w = ex->w;
	int i;

	sim__kapi_exec_reset_wqs(ex);
	sim__kapi_async_reset(ex);
	sim__kapi_tasks_reset(ex);
	/* The worker counters, zeroed; kept while the CPU count is. */
	if (ex->next_worker_id && ex->ncpus == CLAMP(w->ncpus, 1, NR_CPUS)) {
		memset(ex->next_worker_id, 0,
		       (2 * ex->ncpus + 2) * sizeof(*ex->next_worker_id));
	} else {
		ex->ncpus = CLAMP(w->ncpus, 1, NR_CPUS);
		g_free(ex->next_worker_id);
		ex->next_worker_id = g_new0(int, 2 * ex->ncpus + 2);
	}
	cpumask_clear(&ex->online_mask);
	for (i = 0; i < ex->ncpus; i++)
		ex->online_mask.bits[0] |= 1UL << i;
	ex->run_serial = w->run_serial;
}

static void *exec_make(SimWorld *w)
{
	SimKapiExec *ex = g_new0(SimKapiExec, 1);

	ex->w = w;
	ex->strings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    NULL);
	ex->wqs = g_ptr_array_new();
	ex->task_structs = g_ptr_array_new();
	ex->async_pending = g_ptr_array_new();
	/* run_serial 0 never matches a run: the first call resets. */
	return ex;
}

static void exec_free(void *p)
{
	SimKapiExec *ex = p;

	sim__kapi_exec_reset_wqs(ex);
	sim__kapi_async_reset(ex);
	sim__kapi_tasks_reset(ex);
	g_ptr_array_free(ex->wqs, TRUE);
	g_ptr_array_free(ex->task_structs, TRUE);
	g_ptr_array_free(ex->async_pending, TRUE);
	g_hash_table_destroy(ex->strings);
	g_free(ex->next_worker_id);
	g_free(ex);
}

SimKapiExec *sim__kapi_exec(SimWorld *w)
{
	SimKapiExec *ex = sim_world_ext(w, SIM_EXT_KAPI_EXEC, exec_make,
					exec_free);

	if (G_UNLIKELY(ex->run_serial != w->run_serial))
		exec_reset(ex);
	return ex;
}

SimWorld *sim__kapi_world(const char *api)
{
	if (G_UNLIKELY(!sim_current()))
		g_error("%s: called outside a simulated task", api);
	return sim_current_world();
}

const char *sim__kapi_intern(SimKapiExec *ex, const char *s)
{
	char *found = g_hash_table_lookup(ex->strings, s);

	if (!found) {
		found = g_strdup(s);
		g_hash_table_add(ex->strings, found);
	}
	return found;
}

void sim__kapi_warn(SimWorld *w, const struct sim_kapi_site *site,
		    const char *fmt, ...)
{
	SimReport *r;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (sim_current()) {
		sim__kapi_warn_v(SIM_BUG_WARNING, site, false, fmt, ap);
		va_end(ap);
		return;
	}
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* Engine context: the host's "CPU", PID 0, no call trace. */
	r = sim_report_new(w, SIM_BUG_WARNING, site->func,
			   "WARNING: CPU: 0 PID: 0 at %s:%d %s",
			   sim__kapi_relpath(site->file), site->line, site->func);
	sim_report_line(r, "%s", msg);
	g_free(msg);
	sim_report_identity(r, w, NULL);
	sim_report_raise(w, r);
}
