// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements BUG() and WARN() for the simulated kernel: the
 * "kernel BUG at" oops and the "WARNING: CPU: ... at file:line func"
 * splat, as findings (see <linux/bug.h> for the contract). It sits between
 * driver code, through the macros of drivers/include/linux/bug.h, and the
 * report layer (sim/report.h).
 *
 * The kernel prints "func+0xoff/0xsize" on the WARNING line; the offset is
 * only known after symbolisation, which the report layer does later, so
 * the line carries the function name (__func__ of the call site) and the
 * call trace below it carries the symbolised frames.
 */
#include "sim/kapi/kapi.h"

#include <linux/bug.h>

__noreturn void sim_kapi_bug(const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("BUG");
	SimWorld *w = t->world;
	SimReport *r = sim_report_new(w, SIM_BUG_BUG, site->func,
				      "kernel BUG at %s:%d!",
				      sim__kapi_relpath(site->file), site->line);
	SimStack s;

	sim__kapi_capture(&s);
	sim_report_line(r, "invalid opcode: 0000 [#1] PREEMPT SMP KASAN NOPTI");
	sim_report_identity(r, w, t);
	sim_report_stack(r, &s, TRUE);
	sim_report_raise_task(w, r);
}

/* Has @site already warned in this execution? Marks it if not. */
SIM_KAPI_INLINE bool warned_before(SimKapiSync *sync,
				   const struct sim_kapi_site *site)
{
	guint i;

	for (i = 0; i < sync->warned_sites->len; i++)
		if (g_ptr_array_index(sync->warned_sites, i) == site)
			return true;
	g_ptr_array_add(sync->warned_sites, (gpointer)site);
	return false;
}

void sim__kapi_warn_v(SimBugKind kind, const struct sim_kapi_site *site,
		      bool once, const char *fmt, va_list ap)
{
	SimTask *t = sim__kapi_task("WARN");
	SimWorld *w = t->world;
	SimKapiSync *sync = sim__kapi_sync(w);
	g_autofree char *msg = NULL;
	g_autofree char *head = NULL;
	SimReport *r;
	SimStack s;

	if (once && warned_before(sync, site))
		return;
	if (fmt)
		msg = g_strdup_vprintf(fmt, ap);
	head = g_strdup_printf("WARNING: CPU: %d PID: %u at %s:%d %s", t->cpu,
			       t->id, sim__kapi_relpath(site->file),
			       site->line, site->func);
	if (sync->warn_nonfatal) {
		sim_trace(w, SIM_TR_BUG, 0, "WARNING", site->func, kind, 0);
		sim__kapi_console_printf(w, "------------[ cut here ]------------");
		if (msg)
			sim__kapi_console_printf(w, "%s", msg);
		sim__kapi_console_printf(w, "%s", head);
		return;
	}
	r = sim_report_new(w, kind, site->func, "%s", head);
	sim__kapi_capture(&s);
	if (msg)
		sim_report_line(r, "%s", msg);
	sim_report_identity(r, w, t);
	sim_report_stack(r, &s, TRUE);
	sim_report_raise_task(w, r);
}

void sim_kapi_warn(const struct sim_kapi_site *site, bool once,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim__kapi_warn_v(SIM_BUG_WARNING, site, once, fmt, ap);
	va_end(ap);
}

void sim__kapi_warn_kind(SimBugKind kind, const struct sim_kapi_site *site,
			 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim__kapi_warn_v(kind, site, false, fmt, ap);
	va_end(ap);
}
