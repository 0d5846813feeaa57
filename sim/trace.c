// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the trace recorder and its exporters: plain text
 * with a column per task, and the Chrome trace-event JSON that Perfetto and
 * chrome://tracing open. It sits between the engine, shim and models, which
 * record events with sim_trace(), and the CLI and reports, which print them.
 *
 * Recording is on the hot path (every lock, wake and point), so an event is
 * a fixed-size record of integers and static strings: nothing is formatted
 * and, after warm-up, nothing is allocated. When the world does not want
 * the full trace (w->trace_on false) only a tail is kept for the report's
 * "last steps": the buffer holds 2 * SIM_TRACE_TAIL events and, when full,
 * its newest SIM_TRACE_TAIL events move to the front. That keeps
 * ev[0..len) contiguous and in order for every reader, holds at least the
 * last SIM_TRACE_TAIL events, and costs one small memmove per
 * SIM_TRACE_TAIL events.
 *
 * Exporters are pure functions of the trace and the task table. Times are
 * printed from integer nanoseconds as microseconds with three decimals
 * (no floating point), so the same execution gives the same bytes.
 */
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/trace_dot.h"
#include "sim/world.h"

#define TRACE_TAIL_BUF		(2 * SIM_TRACE_TAIL)
#define TRACE_FULL_INITIAL	4096

/* Widest text column of the text export; longer texts overflow into the
 * columns to their right, which are empty on that line. */
#define TEXT_COLUMN_MAX		40

static const char *const kind_names[] = {
#define SIM_TRACE(id, name, label) name,
#include "sim/trace_events.def"
#undef SIM_TRACE
};

static const char *const kind_labels[] = {
#define SIM_TRACE(id, name, label) label,
#include "sim/trace_events.def"
#undef SIM_TRACE
};

const char *sim_trace_kind_name(SimTraceKind k)
{
	return (unsigned)k < SIM_TR__COUNT ? kind_names[k] : "?";
}

const char *sim_trace_kind_label(SimTraceKind k)
{
	return (unsigned)k < SIM_TR__COUNT ? kind_labels[k] : "?";
}

/* -------------------------------------------------------------- recorder -- */

void sim_trace_init(SimTrace *t)
{
	memset(t, 0, sizeof(*t));
}

/* Forget the events of the last execution; keep the buffer. */
void sim_trace_reset(SimTrace *t)
{
	t->len = 0;
}

/* Release the buffer (at sim_world_free()). */
void sim_trace_clear(SimTrace *t)
{
	g_free(t->ev);
	memset(t, 0, sizeof(*t));
}

/* The slow path of sim_trace(): keep the tail, or grow the full trace. */
static void trace_make_room(const SimWorld *w, SimTrace *t)
{
	if (!w->trace_on && t->len >= TRACE_TAIL_BUF) {
		memmove(t->ev, t->ev + t->len - SIM_TRACE_TAIL,
			SIM_TRACE_TAIL * sizeof(*t->ev));
		t->len = SIM_TRACE_TAIL;
		return;
	}
	if (t->len < t->cap)
		return;
	if (t->cap == 0)
		t->cap = w->trace_on ? TRACE_FULL_INITIAL : TRACE_TAIL_BUF;
	else
		t->cap *= 2;
	t->ev = g_renew(SimTraceEvent, t->ev, t->cap);
}

/* sim_trace() when the buffer is full. Out of line, so the common path
 * is a leaf with nothing to keep across a call (no callee-saved register
 * to push). */
static __attribute__((noinline, cold)) void
trace_slow(SimWorld *w, SimTraceKind kind, uint32_t obj, const char *name,
	   const char *func, int64_t arg, uint32_t peer)
{
	trace_make_room(w, &w->trace);
	sim__trace_put(w, kind, obj, name, func, arg, peer);
}

void sim_trace(SimWorld *w, SimTraceKind kind, uint32_t obj, const char *name,
	       const char *func, int64_t arg, uint32_t peer)
{
	SimTrace *t = &w->trace;

	if (G_UNLIKELY(t->len == t->cap ||
		       (!w->trace_on && t->len >= TRACE_TAIL_BUF))) {
		trace_slow(w, kind, obj, name, func, arg, peer);
		return;
	}
	sim__trace_put(w, kind, obj, name, func, arg, peer);
}

const SimTrace *sim_world_trace(const SimWorld *w)
{
	return &w->trace;
}

/* -------------------------------------------------------- shared helpers -- */

static const SimTask *task_of(const SimWorld *w, uint32_t id)
{
	if (id == 0 || !w->tasks || id > w->tasks->len)
		return NULL;
	return g_ptr_array_index(w->tasks, id - 1);
}

/* "kworker/u4:1/7" as the kernel names a task, or "host" for id 0. */
void sim__trace_task_label(GString *out, const SimWorld *w, uint32_t id)
{
	const SimTask *t = task_of(w, id);

	if (id == 0)
		g_string_append(out, "host");
	else if (t)
		g_string_append_printf(out, "%s/%u", t->name, id);
	else
		g_string_append_printf(out, "task/%u", id);
}

static void append_usec(GString *out, SimTime ns)
{
	g_string_append_printf(out, "%" PRIu64 ".%03u", ns / 1000,
			       (unsigned)(ns % 1000));
}

/* The task column an event belongs in: a switch recorded by the scheduler
 * (task 0) is shown on the task it switches to. */
static uint32_t event_column(const SimTraceEvent *ev)
{
	if (ev->task == 0 && ev->kind == SIM_TR_SWITCH && ev->peer)
		return ev->peer;
	return ev->task;
}

const char *sim_trace_event_func(const SimWorld *w, const SimTraceEvent *ev)
{
	if (ev->func)
		return ev->func;
	if (ev->kind == SIM_TR_BUG && w->bug)
		return w->bug->func;
	return NULL;
}

/* @name on one line: a printk format's newlines and tabs are escaped. */
static void append_name(GString *out, const char *name)
{
	const char *p;

	g_string_append_c(out, ' ');
	for (p = name; *p; p++) {
		if (*p == '\n')
			g_string_append(out, "\\n");
		else if (*p == '\t')
			g_string_append(out, "\\t");
		else
			g_string_append_c(out, *p);
	}
}

/* One event as words, without its step, time or task:
 * "<kind> [<name>] [#<obj>] [-> <peer>] [arg=<n>] [in <func>]". */
static void trace_describe(GString *out, const SimWorld *w,
			   const SimTraceEvent *ev)
{
	const char *func = sim_trace_event_func(w, ev);

	g_string_append(out, sim_trace_kind_name(ev->kind));
	if (ev->name)
		append_name(out, ev->name);
	if (ev->obj)
		g_string_append_printf(out, " #%u", ev->obj);
	if (ev->peer && event_column(ev) != ev->peer) {
		g_string_append(out, " -> ");
		sim__trace_task_label(out, w, ev->peer);
	}
	if (ev->arg)
		g_string_append_printf(out, " arg=%" PRId64, ev->arg);
	if (func)
		g_string_append_printf(out, " in %s", func);
}

/*
 * sim__trace_format_event - one event on one line, for the report trailer
 * (sim/report.c): "#<step> <time>us <task>: <words>".
 */
void sim__trace_format_event(GString *out, const SimWorld *w,
			     const SimTraceEvent *ev);

void sim__trace_format_event(GString *out, const SimWorld *w,
			     const SimTraceEvent *ev)
{
	g_string_append_printf(out, "#%" PRIu64 " ", ev->step);
	append_usec(out, ev->time);
	g_string_append(out, "us ");
	sim__trace_task_label(out, w, event_column(ev));
	g_string_append(out, ": ");
	trace_describe(out, w, ev);
}

static const char *scenario_title(const SimWorld *w)
{
	return w->title ? w->title : "hvsim";
}

/* The scenario file's base name, or NULL when the world runs no scenario
 * (tests, benchmarks). */
static const char *scenario_name(const SimWorld *w)
{
	return w->scenario ? w->scenario->basename : NULL;
}

/* ----------------------------------------------------------- text export -- */

static void pad_to(GString *out, gsize col)
{
	while (out->len < col)
		g_string_append_c(out, ' ');
}

void sim_trace_export_text(const SimWorld *w, GString *out)
{
	const SimTrace *t = &w->trace;
	guint ntasks = w->tasks ? w->tasks->len : 0;
	guint ncols = ntasks + 1;	/* column 0: host and scheduler */
	g_autofree gsize *width = g_new0(gsize, ncols);
	g_autofree gsize *start = g_new0(gsize, ncols + 1);
	GString *line = g_string_new(NULL);
	gsize i, c;

	g_string_append_printf(out, "# hvsim trace: %s\n", scenario_title(w));
	if (scenario_name(w))
		g_string_append_printf(out, "# scenario: %s\n",
				       scenario_name(w));
	g_string_append_printf(out, "# variant: %s\n",
			       w->variant ? w->variant : "-");
	g_string_append_printf(out, "# seed: %" PRIu64 " execution: %" PRIu64
			       "\n", w->seed, w->execution);
	if (w->trace_on)
		g_string_append_printf(out, "# events: %zu\n", t->len);
	else
		g_string_append_printf(out, "# events: the last %zu only "
				       "(full trace off)\n", t->len);
	g_string_append(out, "# time in microseconds of virtual time\n");

	/* Column widths: the header label or the longest text, capped. */
	for (c = 0; c < ncols; c++) {
		g_string_truncate(line, 0);
		sim__trace_task_label(line, w, c);
		width[c] = line->len;
	}
	for (i = 0; i < t->len; i++) {
		const SimTraceEvent *ev = &t->ev[i];

		c = event_column(ev);
		if (c >= ncols)
			c = 0;
		g_string_truncate(line, 0);
		trace_describe(line, w, ev);
		width[c] = MAX(width[c], MIN(line->len, TEXT_COLUMN_MAX));
	}
	start[0] = 28;	/* "%10s  %14s  " */
	for (c = 0; c < ncols; c++)
		start[c + 1] = start[c] + width[c] + 2;

	g_string_truncate(line, 0);
	g_string_append_printf(line, "%10s  %14s  ", "step", "time");
	for (c = 0; c < ncols; c++) {
		pad_to(line, start[c]);
		sim__trace_task_label(line, w, c);
	}
	g_string_append_len(out, line->str, line->len);
	g_string_append_c(out, '\n');

	for (i = 0; i < t->len; i++) {
		const SimTraceEvent *ev = &t->ev[i];
		GString *tm = g_string_new(NULL);

		c = event_column(ev);
		g_string_truncate(line, 0);
		append_usec(tm, ev->time);
		g_string_append_printf(line, "%10" PRIu64 "  %14s  ", ev->step,
				       tm->str);
		g_string_free(tm, TRUE);
		if (c >= ncols) {
			/* A task the table does not know: host column. */
			sim__trace_task_label(line, w, c);
			g_string_append(line, ": ");
		} else {
			pad_to(line, start[c]);
		}
		trace_describe(line, w, ev);
		g_string_append_len(out, line->str, line->len);
		g_string_append_c(out, '\n');
	}
	g_string_free(line, TRUE);
}

/* --------------------------------------------------------- JSON export -- */

void sim_json_string(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '"':
			g_string_append(out, "\\\"");
			break;
		case '\\':
			g_string_append(out, "\\\\");
			break;
		case '\n':
			g_string_append(out, "\\n");
			break;
		case '\r':
			g_string_append(out, "\\r");
			break;
		case '\t':
			g_string_append(out, "\\t");
			break;
		default:
			if (ch < 0x20 || ch == 0x7f)
				g_string_append_printf(out, "\\u%04x", ch);
			else
				g_string_append_c(out, (char)ch);
		}
	}
	g_string_append_c(out, '"');
}

static void json_thread_name(GString *out, const SimWorld *w, uint32_t id)
{
	GString *label = g_string_new(NULL);

	sim__trace_task_label(label, w, id);
	g_string_append_printf(out, "{\"name\":\"thread_name\",\"ph\":\"M\","
			       "\"pid\":1,\"tid\":%u,\"args\":{\"name\":", id);
	sim_json_string(out, label->str);
	g_string_append(out, "}},\n");
	/* Lanes in task id order, the host lane first. */
	g_string_append_printf(out, "{\"name\":\"thread_sort_index\","
			       "\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
			       "\"args\":{\"sort_index\":%u}},\n", id, id);
	g_string_free(label, TRUE);
}

static void json_event(GString *out, const SimWorld *w,
		       const SimTraceEvent *ev)
{
	GString *name = g_string_new(sim_trace_kind_name(ev->kind));
	const char *func = sim_trace_event_func(w, ev);

	if (ev->name)
		g_string_append_printf(name, " %s", ev->name);
	g_string_append(out, "{\"name\":");
	sim_json_string(out, name->str);
	g_string_append(out, ",\"cat\":");
	sim_json_string(out, sim_trace_kind_name(ev->kind));
	g_string_append_printf(out, ",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,"
			       "\"tid\":%u,\"ts\":", event_column(ev));
	append_usec(out, ev->time);
	g_string_append_printf(out, ",\"args\":{\"step\":%" PRIu64, ev->step);
	if (ev->obj)
		g_string_append_printf(out, ",\"obj\":%u", ev->obj);
	if (ev->peer) {
		GString *peer = g_string_new(NULL);

		sim__trace_task_label(peer, w, ev->peer);
		g_string_append(out, ",\"peer\":");
		sim_json_string(out, peer->str);
		g_string_free(peer, TRUE);
	}
	if (ev->arg)
		g_string_append_printf(out, ",\"arg\":%" PRId64, ev->arg);
	if (func) {
		g_string_append(out, ",\"func\":");
		sim_json_string(out, func);
	}
	g_string_append(out, "}}");
	g_string_free(name, TRUE);
}

void sim_trace_export_json(const SimWorld *w, GString *out)
{
	const SimTrace *t = &w->trace;
	guint ntasks = w->tasks ? w->tasks->len : 0;
	GString *title = g_string_new("hvsim: ");
	gsize i;
	guint id;

	g_string_append(title, scenario_title(w));
	g_string_append(out, "{\"traceEvents\":[\n");
	g_string_append(out, "{\"name\":\"process_name\",\"ph\":\"M\","
			"\"pid\":1,\"args\":{\"name\":");
	sim_json_string(out, title->str);
	g_string_append(out, "}},\n");
	for (id = 0; id <= ntasks; id++)
		json_thread_name(out, w, id);
	for (i = 0; i < t->len; i++) {
		json_event(out, w, &t->ev[i]);
		g_string_append(out, i + 1 < t->len ? ",\n" : "\n");
	}
	if (t->len == 0) {
		/* Drop the comma after the last metadata event. */
		g_string_truncate(out, out->len - 2);
		g_string_append_c(out, '\n');
	}
	g_string_append(out, "],\n\"displayTimeUnit\":\"ns\",\n"
			"\"otherData\":{\"title\":");
	sim_json_string(out, scenario_title(w));
	if (scenario_name(w)) {
		g_string_append(out, ",\"scenario\":");
		sim_json_string(out, scenario_name(w));
	}
	g_string_append(out, ",\"variant\":");
	sim_json_string(out, w->variant ? w->variant : "");
	/* As strings: a 64-bit seed does not fit a JSON number exactly. */
	g_string_append_printf(out, ",\"seed\":\"%" PRIu64 "\","
			       "\"execution\":\"%" PRIu64 "\",\"events\":%zu,"
			       "\"complete\":%s}}\n", w->seed, w->execution,
			       t->len, w->trace_on ? "true" : "false");
	g_string_free(title, TRUE);
}

/* ----------------------------------------------------------- file output -- */

/* The formats, by file extension: the one list the CLI checks too. */
static const struct {
	const char *ext;
	void (*export)(const SimWorld *w, GString *out);
} formats[] = {
	{ ".txt", sim_trace_export_text },
	{ ".json", sim_trace_export_json },
	{ ".dot", sim_trace_export_dot },
	{ ".svg", NULL },	/* sim_trace_render_svg(), which can fail */
};

static const char *path_ext(const char *path)
{
	const char *slash = strrchr(path, '/');

	return strrchr(slash ? slash : path, '.');
}

static int format_of(const char *path, GError **error)
{
	const char *ext = path_ext(path);
	unsigned i;

	for (i = 0; ext && i < G_N_ELEMENTS(formats); i++)
		if (strcmp(ext, formats[i].ext) == 0)
			return (int)i;
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s: unknown trace format \"%s\"; use .txt, .json, .dot "
		    "or .svg", path, ext ? ext : "");
	return -1;
}

gboolean sim_trace_format_supported(const char *path, GError **error)
{
	return format_of(path, error) >= 0;
}

gboolean sim_trace_write_file(const SimWorld *w, const char *path,
			      GError **error)
{
	g_autoptr(GString) out = g_string_new(NULL);
	int f = format_of(path, error);

	if (f < 0)
		return FALSE;
	if (formats[f].export)
		formats[f].export(w, out);
	else if (!sim_trace_render_svg(w, out, error))
		return FALSE;
	/* Written to a temporary file in the same directory, then renamed. */
	return g_file_set_contents(path, out->str, (gssize)out->len, error);
}
