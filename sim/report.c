// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements reports: a finding built by a detector as a title,
 * lines and raw call stacks, recorded as the execution's verdict (the first
 * one wins), then printed in the kernel's own format with stacks
 * symbolised, followed by the simulator's "hvsim: " trailer. It sits
 * between the detectors (sim/, sim/kapi/, models/), which build and raise
 * reports, and the CLI, which prints them.
 *
 * Who writes what. A detector writes the title (the kernel's first line,
 * e.g. "BUG: KASAN: slab-use-after-free in vmbus_free_ring") and the body
 * lines in the kernel's words. This file writes only what surrounds the
 * title, chosen from the title as the kernel's printer would frame it:
 *
 *  - "BUG: KASAN: ", "BUG: KCSAN: ": a ruler of 66 '=' before the title
 *    and after the body;
 *  - "kernel BUG at ", "WARNING: CPU: " (BUG_ON, WARN_ON): the line
 *    "------------[ cut here ]------------" before the title and
 *    "---[ end trace 0000000000000000 ]---" after the body;
 *  - "BUG: unable to handle " (an oops): the end-trace line after the body;
 *  - any other "WARNING: " (lockdep, circular waits): lockdep's header, an
 *    empty line and '=' as long as the title before it, then
 *    "hvsim-<version> Not tainted" and '-' as long as the title after it;
 *  - anything else (hung task, sleeping in atomic, kmemleak): nothing; the
 *    detector writes the whole block, rulers included.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include <glib.h>

#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/sched.h"
#include "sim/trace.h"
#include "sim/world.h"

#ifndef HVSIM_VERSION
#define HVSIM_VERSION "0"
#endif


#define KASAN_RULER_LEN	66
#define END_TRACE	"---[ end trace 0000000000000000 ]---"
#define CUT_HERE	"------------[ cut here ]------------"

/* Shim objects print at kernel-looking addresses away from the simulated
 * heap's (0xffff888000000000 + arena offset): 4 GiB higher. */
#define OBJ_ADDR_BASE	0xffff888100000000ULL
#define OBJ_ADDR_STRIDE	0x100ULL

/* -------------------------------------------------------------- building -- */

static void item_free(gpointer p)
{
	SimReportItem *it = p;

	g_free(it->line);
	g_free(it->stack);
	g_free(it);
}

SimReport *sim_report_new(SimWorld *w, SimBugKind kind, const char *func,
			  const char *title_fmt, ...)
{
	SimReport *r = g_new0(SimReport, 1);
	SimTask *t = sim_current();
	va_list ap;

	r->kind = kind;
	va_start(ap, title_fmt);
	r->title = g_strdup_vprintf(title_fmt, ap);
	va_end(ap);
	r->func = g_strdup(func ? func : "?");
	r->task = t ? t->id : 0;
	r->time = w ? w->now : 0;
	r->step = w ? w->steps : 0;
	r->items = g_ptr_array_new_with_free_func(item_free);
	return r;
}

void sim_report_line(SimReport *r, const char *fmt, ...)
{
	SimReportItem *it = g_new0(SimReportItem, 1);
	va_list ap;

	va_start(ap, fmt);
	it->line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(r->items, it);
}

static void add_stack(SimReport *r, const SimStack *s, int indent)
{
	SimReportItem *it = g_new0(SimReportItem, 1);

	it->stack = g_new0(SimStack, 1);
	if (s)
		*it->stack = *s;
	it->indent = indent;
	g_ptr_array_add(r->items, it);
}

void sim_report_stack_indented(SimReport *r, const SimStack *s, int indent)
{
	add_stack(r, s, indent);
}

void sim_report_stack(SimReport *r, const SimStack *s, gboolean call_trace)
{
	if (call_trace) {
		sim_report_line(r, "Call Trace:");
		sim_report_line(r, " <TASK>");
	}
	add_stack(r, s, 0);
	if (call_trace)
		sim_report_line(r, " </TASK>");
}

void sim_report_identity(SimReport *r, SimWorld *w, const SimTask *t)
{
	/* Engine context (a host model) has no task: it prints as PID 0. */
	sim_report_line(r, "CPU: %d PID: %u Comm: %s Not tainted hvsim-"
			HVSIM_VERSION, t ? t->cpu : 0, t ? t->id : 0,
			t ? t->name : "host");
	sim_report_line(r, "Hardware name: %s",
			w && w->title ? w->title : "hvsim");
	if (t && t->wq_name)
		sim_report_line(r, "Workqueue: %s %s", t->wq_name,
				t->work_func ? t->work_func : "");
}

void sim_report_modules(SimReport *r, const SimWorld *w)
{
	GString *s = g_string_new("Modules linked in:");
	const GPtrArray *mods = w->scenario ? w->scenario->modules : NULL;
	guint i;

	for (i = mods ? mods->len : 0; i > 0; i--)
		g_string_append_printf(s, " %s",
				       (const char *)g_ptr_array_index(mods, i - 1));
	sim_report_line(r, "%s", s->str);
	g_string_free(s, TRUE);
}

void sim_report_free(SimReport *r)
{
	if (!r)
		return;
	g_free(r->title);
	g_free(r->func);
	g_ptr_array_free(r->items, TRUE);
	g_free(r);
}

/* --------------------------------------------------------------- raising -- */

void sim_report_raise(SimWorld *w, SimReport *r)
{
	if (w->bug) {
		/* One finding per execution: the first is what happened; later
		 * ones are consequences of it. */
		sim_report_free(r);
		return;
	}
	w->bug = r;
	w->end = SIM_END_BUG;
	w->stop = true;
	/* The trace names the report's function through w->bug (the event
	 * may only hold static strings). */
	sim_trace(w, SIM_TR_BUG, 0, sim_bug_kind_name(r->kind), NULL, 0, 0);
}

_Noreturn void sim_report_raise_task(SimWorld *w, SimReport *r)
{
	g_assert(sim_current() != NULL);
	sim_report_raise(w, r);
	sim__sched_abort(w);
}

/* ------------------------------------------------------------ formatting -- */

/* @s symbolised, each line with @indent more spaces in front. */
static void format_indented(GString *out, const SimStack *s, int indent)
{
	g_autoptr(GString) frames = g_string_new(NULL);
	const char *p, *nl;

	sim_stack_format(frames, s);
	for (p = frames->str; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p) - 1;
		g_string_append_printf(out, "%*s%.*s\n", indent, "",
				       (int)(nl - p), p);
		if (!nl[1])
			break;
	}
}

typedef enum {
	FRAME_NONE,
	FRAME_KASAN,	/* KASAN and KCSAN: 66 '=' around */
	FRAME_CUT_HERE,	/* BUG_ON / WARN_ON splat */
	FRAME_OOPS,	/* page fault oops */
	FRAME_LOCKDEP,	/* lockdep header, rulers as long as the title */
} Framing;

static Framing framing_of(const char *title)
{
	if (g_str_has_prefix(title, "BUG: KASAN: ") ||
	    g_str_has_prefix(title, "BUG: KCSAN: "))
		return FRAME_KASAN;
	if (g_str_has_prefix(title, "kernel BUG at ") ||
	    g_str_has_prefix(title, "WARNING: CPU: "))
		return FRAME_CUT_HERE;
	if (g_str_has_prefix(title, "BUG: unable to handle "))
		return FRAME_OOPS;
	if (g_str_has_prefix(title, "WARNING: "))
		return FRAME_LOCKDEP;
	return FRAME_NONE;
}

static void ruler(GString *out, char ch, gsize len)
{
	gsize i;

	for (i = 0; i < len; i++)
		g_string_append_c(out, ch);
	g_string_append_c(out, '\n');
}

void sim_report_format(const SimWorld *w, GString *out)
{
	const SimReport *r = w->bug;
	Framing f;
	guint i;

	if (!r)
		return;
	f = framing_of(r->title);
	switch (f) {
	case FRAME_KASAN:
		ruler(out, '=', KASAN_RULER_LEN);
		break;
	case FRAME_CUT_HERE:
		g_string_append(out, CUT_HERE "\n");
		break;
	case FRAME_LOCKDEP:
		g_string_append_c(out, '\n');
		ruler(out, '=', strlen(r->title));
		break;
	default:
		break;
	}
	g_string_append_printf(out, "%s\n", r->title);
	if (f == FRAME_LOCKDEP) {
		g_string_append(out, "hvsim-" HVSIM_VERSION " Not tainted\n");
		ruler(out, '-', strlen(r->title));
	}
	for (i = 0; i < r->items->len; i++) {
		const SimReportItem *it = g_ptr_array_index(r->items, i);

		if (it->line)
			g_string_append_printf(out, "%s\n", it->line);
		else if (!it->indent)
			sim_stack_format(out, it->stack);
		else
			format_indented(out, it->stack, it->indent);
	}
	switch (f) {
	case FRAME_KASAN:
		ruler(out, '=', KASAN_RULER_LEN);
		break;
	case FRAME_CUT_HERE:
	case FRAME_OOPS:
		g_string_append(out, END_TRACE "\n");
		break;
	default:
		break;
	}
}

/* --------------------------------------------------------------- trailer -- */

static const char *end_name(SimEnd end)
{
	switch (end) {
	case SIM_END_CLEAN:
		return "clean";
	case SIM_END_BUG:
		return "bug";
	case SIM_END_STEP_LIMIT:
		return "step-limit";
	case SIM_END_TIME_LIMIT:
		return "time-limit";
	case SIM_END_UNMET_ORDER:
		return "unmet-order";
	}
	return "?";
}

static void append_usec(GString *out, SimTime ns)
{
	g_string_append_printf(out, "%" PRIu64 ".%03uus", ns / 1000,
			       (unsigned)(ns % 1000));
}

char *sim_report_signature(const SimWorld *w)
{
	if (!w->bug)
		return g_strdup(end_name(w->end));
	return g_strdup_printf("%s:%s", sim_bug_kind_name(w->bug->kind),
			       w->bug->func ? w->bug->func : "?");
}

static void trailer_steps(const SimWorld *w, GString *out, int nsteps)
{
	const SimTrace *t = &w->trace;
	gsize n = nsteps > 0 ? MIN((gsize)nsteps, t->len) : 0;
	gsize i;

	g_string_append_printf(out, "hvsim: last %zu steps:\n", n);
	for (i = t->len - n; i < t->len; i++) {
		g_string_append(out, "hvsim:   ");
		sim__trace_format_event(out, w, &t->ev[i]);
		g_string_append_c(out, '\n');
	}
}

void sim_report_trailer(const SimWorld *w, GString *out, int nsteps,
			const char *replay_cmd)
{
	const SimReport *r = w->bug;
	g_autofree char *sig = sim_report_signature(w);

	if (r)
		g_string_append_printf(out, "hvsim: verdict: %s in %s\n",
				       sim_bug_kind_name(r->kind), r->func);
	else
		g_string_append_printf(out, "hvsim: verdict: %s\n",
				       end_name(w->end));
	g_string_append_printf(out, "hvsim: signature: %s\n", sig);
	if (w->divergence)
		g_string_append_printf(out, "hvsim: divergence: %s\n",
				       w->divergence);
	g_string_append(out, "hvsim:");
	if (w->scenario && w->scenario->basename)
		g_string_append_printf(out, " scenario %s",
				       w->scenario->basename);
	if (w->variant)
		g_string_append_printf(out, " variant %s", w->variant);
	g_string_append_printf(out, " seed %" PRIu64 " execution %" PRIu64
			       "\n", w->seed, w->execution);
	if (r) {
		g_string_append_printf(out, "hvsim: found at step %" PRIu64
				       ", time ", r->step);
		append_usec(out, r->time);
		g_string_append(out, ", by ");
		sim__trace_task_label(out, w, r->task);
		g_string_append_c(out, '\n');
	}
	trailer_steps(w, out, nsteps);
	if (replay_cmd)
		g_string_append_printf(out, "hvsim: replay: %s\n", replay_cmd);
}

uint64_t sim_report_obj_addr(uint32_t obj_id)
{
	return OBJ_ADDR_BASE + (uint64_t)obj_id * OBJ_ADDR_STRIDE;
}
