// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements `hvsim minimize FILE.schedule [-o OUT]`: shrink a
 * failing schedule to few preemptions and few decisions that still end
 * with the same signature, print the interleaving it leaves as a table of
 * steps with one column per task, and save it. It sits between the
 * command line (sim/cli.c) and the engine, which it runs once per
 * candidate schedule.
 *
 * A schedule is a list of decisions, one per decision point (a
 * scheduling point with more than one runnable task); past its end the
 * replay goes on as "first" does: the running task goes on while it can,
 * else the lowest id. That is the non-preemptive default of each point.
 * A decision is "free" when it differs from that default, and a
 * preemption when, moreover, the task that was running could have gone
 * on. Minimisation is delta debugging (Zeller's ddmin) with two moves:
 * set a subset of the free decisions back to the default, or drop a
 * subset of the decisions (the later ones each move up a decision
 * point). Run, and keep the result when it ends with the same signature,
 * is no longer than the input and is better in the order (preemptions,
 * free decisions, steps, decisions); then finer subsets, until no single
 * element can go; then the other move, until neither helps. The kept
 * schedule is always what the last run really did (a decision naming a
 * task that is not runnable any more is taken as the default), cut after
 * its last free decision, so it replays exactly.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "sim/cli.h"
#include "sim/cli_private.h"
#include "sim/report.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "sim/schedule.h"
#include "sim/trace.h"
#include "sim/world.h"

/* Runs of the scenario minimisation may spend, at most. */
#define MAX_TESTS	100000

/* Widest column of the interleaving table. */
#define CELL_MAX	44

/* ------------------------------------------------------- the strategy -- */

/*
 * Replays a list whose entries are task ids, or 0 for "the default here",
 * and records, per decision point, the task taken, the default and
 * whether the choice preempted a task that could have gone on.
 */
typedef struct {
	const uint32_t *want;
	size_t n, pos;
	GArray *taken;		/* uint32_t task id */
	GArray *deflt;		/* uint32_t task id "first" would pick */
	GArray *preempt;	/* gboolean */
	GArray *step;		/* uint64_t step of the decision */
} MinState;

static void min_begin(SimStrategy *s, SimWorld *w, uint64_t execution)
{
	MinState *m = s->priv;

	m->pos = 0;
	g_array_set_size(m->taken, 0);
	g_array_set_size(m->deflt, 0);
	g_array_set_size(m->preempt, 0);
	g_array_set_size(m->step, 0);
}

static uint32_t min_pick(SimStrategy *s, SimWorld *w, SimTask *const *tasks,
			 uint32_t n, SimTask *cur)
{
	MinState *m = s->priv;
	uint32_t d = 0, choice, i;
	gboolean cur_runnable = FALSE, pre;

	for (i = 0; cur && i < n; i++)
		if (tasks[i] == cur) {
			d = i;
			cur_runnable = TRUE;
		}
	choice = d;
	if (m->pos < m->n && m->want[m->pos])
		for (i = 0; i < n; i++)
			if (tasks[i]->id == m->want[m->pos])
				choice = i;
	m->pos++;
	pre = cur_runnable && choice != d;
	g_array_append_val(m->taken, tasks[choice]->id);
	g_array_append_val(m->deflt, tasks[d]->id);
	g_array_append_val(m->preempt, pre);
	g_array_append_val(m->step, w->steps);
	return choice;
}

static void min_free(SimStrategy *s)
{
	MinState *m = s->priv;

	g_array_unref(m->taken);
	g_array_unref(m->deflt);
	g_array_unref(m->preempt);
	g_array_unref(m->step);
	g_free(m);
	g_free(s);
}

static SimStrategy *min_strategy(void)
{
	SimStrategy *s = g_new0(SimStrategy, 1);
	MinState *m = g_new0(MinState, 1);

	m->taken = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	m->deflt = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	m->preempt = g_array_new(FALSE, FALSE, sizeof(gboolean));
	m->step = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	s->name = "minimize";
	s->begin = min_begin;
	s->pick = min_pick;
	s->free = min_free;
	s->priv = m;
	return s;
}

/* ---------------------------------------------------------- candidates -- */

/* What a run of a candidate did, in canonical form. */
typedef struct {
	char *sig;
	GArray *decisions;	/* uint32_t, cut after the last free one */
	GArray *free_pos;	/* guint: positions of the free decisions */
	unsigned preemptions;
	uint64_t steps;
} Outcome;

static void outcome_clear(Outcome *o)
{
	g_clear_pointer(&o->sig, g_free);
	g_clear_pointer(&o->decisions, g_array_unref);
	g_clear_pointer(&o->free_pos, g_array_unref);
}

typedef struct {
	const SimScenario *s;
	SimWorld *w;
	SimStrategy *strat;
	const SimSchedule *in;
	unsigned tests;
} Minimizer;

/* Run @want (task ids, 0 = default) and describe what happened. */
static void run_candidate(Minimizer *z, const GArray *want, Outcome *o)
{
	MinState *m = z->strat->priv;
	guint last = 0;

	m->want = (const uint32_t *)want->data;
	m->n = want->len;
	z->tests++;
	sim_world_run(z->w, z->strat, z->in->seed, z->in->execution,
		      sim_scenario_init, (void *)z->s);
	o->sig = sim_report_signature(z->w);
	o->steps = z->w->steps;
	o->preemptions = 0;
	o->free_pos = g_array_new(FALSE, FALSE, sizeof(guint));
	for (guint i = 0; i < m->taken->len; i++) {
		if (g_array_index(m->preempt, gboolean, i))
			o->preemptions++;
		if (g_array_index(m->taken, uint32_t, i) !=
		    g_array_index(m->deflt, uint32_t, i)) {
			g_array_append_val(o->free_pos, i);
			last = i + 1;
		}
	}
	o->decisions = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), last);
	g_array_append_vals(o->decisions, m->taken->data, last);
}

/*
 * Is @o the same failure, no longer than the input, and better than @cur
 * in the order (preemptions, free decisions, steps, decisions)? The order
 * has no infinite descent: minimisation ends.
 */
static gboolean better(const Minimizer *z, const Outcome *o,
		       const Outcome *cur)
{
	const uint64_t a[] = { o->preemptions, o->free_pos->len, o->steps,
			       o->decisions->len };
	const uint64_t b[] = { cur->preemptions, cur->free_pos->len,
			       cur->steps, cur->decisions->len };

	if (strcmp(o->sig, cur->sig) != 0 ||
	    o->decisions->len > z->in->decisions->len)
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(a); i++)
		if (a[i] != b[i])
			return a[i] < b[i];
	return FALSE;
}

/* The two moves of delta debugging over a schedule. */
typedef enum {
	MOVE_DEFAULT,	/* elements: free decisions; set them to default */
	MOVE_DROP,	/* elements: all decisions; drop them (the rest
			 * move up one decision point each) */
} Move;

static guint nelements(const Outcome *cur, Move move)
{
	return move == MOVE_DEFAULT ? cur->free_pos->len :
				      cur->decisions->len;
}

/*
 * Try @cur with @move applied to elements @from..@to-1 (@keep FALSE), or
 * to every element but those (@keep TRUE). Replaces @cur and returns TRUE
 * when the result is better.
 */
static gboolean try_subset(Minimizer *z, Outcome *cur, Move move, guint from,
			   guint to, gboolean keep)
{
	g_autoptr(GArray) want = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	guint n = nelements(cur, move);
	Outcome o = { 0 };

	if (move == MOVE_DEFAULT) {
		g_array_append_vals(want, cur->decisions->data,
				    cur->decisions->len);
		for (guint k = 0; k < n; k++) {
			guint pos = g_array_index(cur->free_pos, guint, k);
			gboolean inside = k >= from && k < to;

			if (inside != keep)
				g_array_index(want, uint32_t, pos) = 0;
		}
	} else {
		for (guint k = 0; k < n; k++) {
			gboolean inside = k >= from && k < to;

			if (inside == keep)
				g_array_append_val(want, g_array_index(
					cur->decisions, uint32_t, k));
		}
	}
	run_candidate(z, want, &o);
	if (!better(z, &o, cur)) {
		outcome_clear(&o);
		return FALSE;
	}
	outcome_clear(cur);
	*cur = o;
	return TRUE;
}

/* Zeller's ddmin with @move, until no subset of any granularity can go.
 * Returns whether anything changed. */
static gboolean ddmin(Minimizer *z, Outcome *cur, Move move)
{
	gboolean changed = FALSE;
	guint n = 2;

	while (nelements(cur, move) && z->tests < MAX_TESTS) {
		guint len = nelements(cur, move);
		gboolean progress = FALSE;

		n = MIN(n, len);
		for (guint c = 0; c < n && !progress && z->tests < MAX_TESTS;
		     c++)
			progress = try_subset(z, cur, move, c * len / n,
					      (c + 1) * len / n, FALSE);
		if (progress) {
			changed = TRUE;
			n = MAX(n - 1, 2);
			continue;
		}
		for (guint c = 0; n > 2 && c < n && !progress &&
		     z->tests < MAX_TESTS; c++)
			progress = try_subset(z, cur, move, c * len / n,
					      (c + 1) * len / n, TRUE);
		if (progress) {
			changed = TRUE;
			n = 2;
			continue;
		}
		if (n >= len)
			break;
		n = MIN(2 * n, len);
	}
	return changed;
}

/* Both moves, in turn, until neither helps. */
static void minimize(Minimizer *z, Outcome *cur)
{
	gboolean again = TRUE;

	while (again && z->tests < MAX_TESTS) {
		again = ddmin(z, cur, MOVE_DEFAULT);
		again |= ddmin(z, cur, MOVE_DROP);
	}
}

/* ------------------------------------------------------------ the table -- */

/* One stretch of one task between two switches. */
typedef struct {
	uint32_t task;
	uint64_t step;
	gboolean preempts;
	GPtrArray *lines;	/* char* */
} Segment;

static void segment_free(gpointer p)
{
	Segment *g = p;

	g_ptr_array_unref(g->lines);
	g_free(g);
}

static char *cell_text(const char *text)
{
	if (strlen(text) <= CELL_MAX)
		return g_strdup(text);
	return g_strdup_printf("%.*s~", CELL_MAX - 1, text);
}

/* The segments of the last run's trace, with its points and waits;
 * @bug_shown says whether a task's cell shows the finding. */
static GPtrArray *segments(SimWorld *w, const MinState *m,
			   gboolean *bug_shown)
{
	const SimTrace *t = sim_world_trace(w);
	GPtrArray *segs = g_ptr_array_new_with_free_func(segment_free);
	g_autoptr(GHashTable) pre = g_hash_table_new(g_int64_hash,
						     g_int64_equal);
	Segment *g = NULL;

	/* Lookup only: the steps at which a decision preempted. */
	for (guint i = 0; i < m->step->len; i++)
		if (g_array_index(m->preempt, gboolean, i))
			g_hash_table_add(pre, &g_array_index(m->step, uint64_t,
							     i));
	for (size_t i = 0; i < t->len; i++) {
		const SimTraceEvent *ev = &t->ev[i];
		gint64 step = (gint64)ev->step;

		if (ev->kind == SIM_TR_SWITCH && ev->peer) {
			g = g_new0(Segment, 1);
			g->task = ev->peer;
			g->step = ev->step;
			g->preempts = g_hash_table_contains(pre, &step);
			g->lines = g_ptr_array_new_with_free_func(g_free);
			g_ptr_array_add(segs, g);
			continue;
		}
		if (!g || ev->task != g->task)
			continue;
		if (ev->kind == SIM_TR_POINT)
			g_ptr_array_add(g->lines, cell_text(ev->name));
		else if (ev->kind == SIM_TR_BLOCK) {
			g_autofree char *s = g_strdup_printf(
				"waits: %s", ev->name ? ev->name : "?");

			g_ptr_array_add(g->lines, cell_text(s));
		} else if (ev->kind == SIM_TR_BUG && w->bug) {
			g_autofree char *s = g_strdup_printf(
				"BUG: %s in %s", sim_bug_kind_name(w->bug->kind),
				w->bug->func);

			g_ptr_array_add(g->lines, cell_text(s));
			*bug_shown = TRUE;
		}
	}
	return segs;
}

static void pad(GString *out, const char *text, int width)
{
	g_string_append_printf(out, " %-*s |", width, text);
}

/*
 * The interleaving: one row per stretch of a task between switches (its
 * first step, its named points and waits, or how many steps it ran),
 * one column per task. '*' marks a stretch that preempted the task
 * before it.
 */
static void print_table(SimWorld *w, const MinState *m, GString *out)
{
	gboolean bug_shown = FALSE;
	g_autoptr(GPtrArray) segs = segments(w, m, &bug_shown);
	g_autoptr(GArray) col = g_array_new(FALSE, TRUE, sizeof(int));
	g_autoptr(GArray) width = g_array_new(FALSE, TRUE, sizeof(int));
	uint32_t ntasks = sim_task_count(w);
	int ncols = 0;

	g_array_set_size(col, ntasks + 1);
	for (guint i = 0; i < segs->len; i++) {
		const Segment *g = segs->pdata[i];

		if (g->task <= ntasks)
			g_array_index(col, int, g->task) = 1;
	}
	/* Columns in task id order, for the tasks that ran. */
	for (uint32_t id = 1; id <= ntasks; id++) {
		if (!g_array_index(col, int, id))
			continue;
		SimTask *t = sim_task_by_id(w, id);
		g_autofree char *head = g_strdup_printf("%s/%u", t->name, id);

		g_array_index(col, int, id) = ++ncols;
		g_array_set_size(width, ncols + 1);
		g_array_index(width, int, ncols) = MAX((int)strlen(head), 12);
	}
	for (guint i = 0; i < segs->len; i++) {
		const Segment *g = segs->pdata[i];
		int c = g->task <= ntasks ? g_array_index(col, int, g->task) :
					    0;

		for (guint l = 0; c && l < g->lines->len; l++)
			g_array_index(width, int, c) = MAX(
				g_array_index(width, int, c),
				(int)strlen(g->lines->pdata[l]) + 2);
	}
	g_string_append_printf(out, "%7s |", "step");
	for (uint32_t id = 1; id <= ntasks; id++) {
		int c = g_array_index(col, int, id);

		if (!c)
			continue;
		g_autofree char *head = g_strdup_printf(
			"%s/%u", sim_task_by_id(w, id)->name, id);

		pad(out, head, g_array_index(width, int, c));
	}
	g_string_append(out, "\n--------+");
	for (int c = 1; c <= ncols; c++) {
		for (int k = 0; k < g_array_index(width, int, c) + 2; k++)
			g_string_append_c(out, '-');
		g_string_append_c(out, '+');
	}
	g_string_append_c(out, '\n');
	for (guint i = 0; i < segs->len; i++) {
		const Segment *g = segs->pdata[i];
		const Segment *next = i + 1 < segs->len ? segs->pdata[i + 1] :
							  NULL;
		int c = g->task <= ntasks ? g_array_index(col, int, g->task) :
					    0;
		guint nl = MAX(g->lines->len, 1);

		for (guint l = 0; l < nl; l++) {
			g_autofree char *text = NULL;

			if (g->lines->len)
				text = g_strdup_printf(
					"%s%s", l == 0 && g->preempts ? "* " :
					"  ", (char *)g->lines->pdata[l]);
			else if (next)
				text = g_strdup_printf(
					"%s(%" PRIu64 " step%s)", g->preempts ?
					"* " : "  ", next->step - g->step,
					next->step - g->step == 1 ? "" : "s");
			else
				text = g_strdup_printf(
					"%s(to the end)", g->preempts ? "* " :
					"  ");
			if (l == 0)
				g_string_append_printf(out, "%7" PRIu64 " |",
						       g->step);
			else
				g_string_append_printf(out, "%7s |", "");
			for (int k = 1; k <= ncols; k++)
				pad(out, k == c ? text : "",
				    g_array_index(width, int, k));
			g_string_append_c(out, '\n');
		}
	}
	/* Found by the engine (a deadlock, a hung task): no task's cell. */
	if (w->bug && !bug_shown)
		g_string_append_printf(out, "%7" PRIu64 " | then: %s in %s, "
				       "found by the engine\n", w->steps,
				       sim_bug_kind_name(w->bug->kind),
				       w->bug->func);
	g_string_append(out, "(* preempts the task that ran before it, "
			"which could have gone on)\n");
}

/* ------------------------------------------------------------ command -- */

/* "x.schedule" gives "x.min.schedule"; anything else gets ".min". */
static char *default_output(const char *in)
{
	if (g_str_has_suffix(in, ".schedule"))
		return g_strdup_printf("%.*s.min.schedule",
				       (int)(strlen(in) - strlen(".schedule")),
				       in);
	return g_strdup_printf("%s.min", in);
}

static gboolean check_output(const char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		sim__cli_usage_error("minimize", "-o %s: expected a file in an "
				     "existing directory, found no directory "
				     "'%s'", path, dir);
		return FALSE;
	}
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		sim__cli_usage_error("minimize", "-o %s: expected a file name, "
				     "found a directory", path);
		return FALSE;
	}
	return TRUE;
}

static const char minimize_summary[] =
	"Shrink the failing schedule FILE to the fewest preemptions and\n"
	"decisions that still end with its signature (delta debugging over\n"
	"the decisions that differ from the non-preemptive default), print\n"
	"the interleaving left as a table of steps with one column per\n"
	"task, and save it as OUT (default: FILE with .min.schedule). The\n"
	"result replays with hvsim replay and is never longer than FILE.";

int sim__cli_minimize(GStrv args)
{
	g_autofree char *output = NULL;
	gboolean quiet = FALSE;
	const GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "write the minimal schedule to OUT", "OUT" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "print the counts only, not the table", NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx =
		sim__cli_new_context("minimize", "FILE.schedule",
				     minimize_summary, entries);
	g_autoptr(GError) err = NULL;
	g_autoptr(SimSchedule) in = NULL;
	g_autoptr(SimSchedule) min = NULL;
	g_autoptr(SimScenario) s = NULL;
	g_autoptr(SimWorld) w = NULL;
	g_autoptr(GArray) want = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree char *scn = NULL;
	Outcome first = { 0 }, cur = { 0 };
	Minimizer z = { 0 };
	uint64_t steps0;
	int rc = SIM_EXIT_CLEAN;

	if (!sim__cli_parse_options(ctx, "minimize", &args))
		return SIM_EXIT_USAGE;
	if (g_strv_length(args) != 2)
		return sim__cli_usage_error("minimize", "expected one "
					    "FILE.schedule, found %u arguments "
					    "(try 'hvsim minimize --help')",
					    g_strv_length(args) - 1);
	if (!output)
		output = default_output(args[1]);
	if (!check_output(output))
		return SIM_EXIT_USAGE;
	in = sim_schedule_load(args[1], &err);
	if (!in)
		return sim__cli_usage_error("minimize", "%s", err->message);
	scn = sim_schedule_scenario_path(in);
	s = sim__cli_load_scenario("minimize", scn);
	if (!s)
		return SIM_EXIT_USAGE;
	w = sim__cli_make_world("minimize", s, in->variant, FALSE);
	if (!w)
		return SIM_EXIT_USAGE;
	/* Held tasks change what is runnable: repeat what the run did. */
	w->respect_order = strcmp(in->strategy, "scripted") == 0;

	z = (Minimizer){ .s = s, .w = w, .strat = min_strategy(), .in = in };
	run_candidate(&z, in->decisions, &first);
	steps0 = first.steps;
	if (!strcmp(first.sig, "clean") || w->end == SIM_END_UNMET_ORDER ||
	    strcmp(first.sig, in->signature) != 0) {
		sim__cli_usage_error("minimize", "%s: expected a schedule that "
				     "fails with its recorded signature %s, "
				     "found one that ends %s%s", args[1],
				     in->signature, first.sig,
				     w->divergence ? " (it does not fit the "
				     "scenario any more)" : "");
		rc = SIM_EXIT_USAGE;
		goto out;
	}
	cur = first;
	first = (Outcome){ 0 };
	first.preemptions = cur.preemptions;
	first.free_pos = g_array_copy(cur.free_pos);
	minimize(&z, &cur);

	/* The minimal schedule once more, traced, for the table. */
	want = g_array_copy(cur.decisions);
	w->trace_on = true;
	{
		Outcome last = { 0 };

		run_candidate(&z, want, &last);
		g_assert(!strcmp(last.sig, cur.sig));
		outcome_clear(&last);
	}
	min = sim_schedule_new();
	min->scenario = g_strdup(in->scenario);
	min->variant = g_strdup(in->variant);
	min->seed = in->seed;
	min->strategy = g_strdup(in->strategy);
	min->execution = in->execution;
	min->signature = g_strdup(cur.sig);
	g_array_append_vals(min->decisions, cur.decisions->data,
			    cur.decisions->len);
	if (!sim_schedule_save(min, output, &err)) {
		fprintf(stderr, "hvsim minimize: %s\n", err->message);
		rc = SIM_EXIT_USAGE;
		goto out;
	}
	g_string_append_printf(out, "hvsim: minimized %s: %s\n", args[1],
			       cur.sig);
	g_string_append_printf(out, "hvsim: %u preemption%s (was %u), %u "
			       "free decision%s (was %u), %u decisions (was "
			       "%u), %" PRIu64 " steps (was %" PRIu64 "), "
			       "%u runs\n", cur.preemptions,
			       cur.preemptions == 1 ? "" : "s",
			       first.preemptions, cur.free_pos->len,
			       cur.free_pos->len == 1 ? "" : "s",
			       first.free_pos->len, cur.decisions->len,
			       in->decisions->len, cur.steps, steps0,
			       z.tests);
	if (!quiet) {
		g_string_append_printf(out, "hvsim: the interleaving of %s "
				       "variant=%s seed=%" PRIu64 " execution=%"
				       PRIu64 ":\n", s->basename, in->variant,
				       in->seed, in->execution);
		print_table(w, z.strat->priv, out);
	}
	{
		g_autofree char *q = sim__cli_shell_word(output);

		g_string_append_printf(out, "hvsim: saved as %s; replay: "
				       "hvsim replay %s\n", output, q);
	}
	fputs(out->str, stdout);
out:
	outcome_clear(&first);
	outcome_clear(&cur);
	sim_strategy_free(z.strat);
	return rc;
}
