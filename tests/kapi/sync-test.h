/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file holds the helpers the synchronisation shim's test suites share
 * (test-locking.c, test-completion.c, test-wait.c, test-bug.c,
 * test-atomic.c): running one execution with a chosen strategy, reading
 * the finding and its formatted text, and searching the trace. It sits
 * between those suites and the engine's public API.
 *
 * Include it after <check.h> and before the <linux/...> headers.
 */
#ifndef HVSIM_TESTS_KAPI_SYNC_TEST_H
#define HVSIM_TESTS_KAPI_SYNC_TEST_H

#include <check.h>
#include <string.h>

#include <glib.h>

#include "sim/report.h"
#include "sim/trace.h"
#include "sim/world.h"

/* One execution under the non-preemptive "first" strategy. */
static inline SimEnd run_first(SimWorld *w, SimInitFn init, void *arg)
{
	SimStrategy *s = sim_strategy_first();
	SimEnd end = sim_world_run(w, s, 1, 0, init, arg);

	sim_strategy_free(s);
	return end;
}

/* One execution under the random strategy with @seed. */
static inline SimEnd run_random(SimWorld *w, uint64_t seed, SimInitFn init,
				void *arg)
{
	SimStrategy *s = sim_strategy_random();
	SimEnd end = sim_world_run(w, s, seed, 0, init, arg);

	sim_strategy_free(s);
	return end;
}

/* The formatted report of the last execution ("" when clean); g_free it. */
static inline char *report_text(SimWorld *w)
{
	GString *out = g_string_new(NULL);

	sim_report_format(w, out);
	return g_string_free(out, FALSE);
}

/* Does @text contain @line as a whole line? */
static inline bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\0'))
			return true;
		p++;
	}
	return false;
}

/* The line of @text right after the line equal to @line, or "" ; g_free. */
static inline char *line_after(const char *text, const char *line)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	int i;

	for (i = 0; lines[i] && lines[i + 1]; i++)
		if (strcmp(lines[i], line) == 0)
			return g_strdup(lines[i + 1]);
	return g_strdup("");
}

/* Number of trace events of @kind (and @name when not NULL). */
static inline int trace_count(SimWorld *w, SimTraceKind kind, const char *name)
{
	const SimTrace *t = sim_world_trace(w);
	int n = 0;
	size_t i;

	for (i = 0; i < t->len; i++)
		if (t->ev[i].kind == kind &&
		    (!name || (t->ev[i].name && strcmp(t->ev[i].name, name) == 0)))
			n++;
	return n;
}

/* The first trace event of @kind (and @name when not NULL), or NULL. */
static inline const SimTraceEvent *trace_find(SimWorld *w, SimTraceKind kind,
					      const char *name)
{
	const SimTrace *t = sim_world_trace(w);
	size_t i;

	for (i = 0; i < t->len; i++)
		if (t->ev[i].kind == kind &&
		    (!name || (t->ev[i].name && strcmp(t->ev[i].name, name) == 0)))
			return &t->ev[i];
	return NULL;
}

/* The finding's title, or "" when the execution was clean. */
static inline const char *bug_title(SimWorld *w)
{
	return w->bug ? w->bug->title : "";
}

/* Assert a clean end, showing the finding when there is one. */
#define ck_assert_clean(w, end)						\
	do {								\
		SimEnd __e = (end);					\
		g_autofree char *__t = report_text(w);			\
		ck_assert_msg(__e == SIM_END_CLEAN,			\
			      "execution ended %d, not clean:\n%s", __e, __t); \
	} while (0)

#define ck_assert_has_line(text, line)					\
	ck_assert_msg(has_line((text), (line)),				\
		      "missing line \"%s\" in:\n%s", (line), (text))

/* Run a libcheck suite the way every suite of this tree does. */
static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif /* HVSIM_TESTS_KAPI_SYNC_TEST_H */
